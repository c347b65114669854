"""Child processes tethered to their parent: Linux stops them when the parent dies.

``tethered_command(module, *args)`` is the argv that runs ``python -m module args...`` through a
tiny launcher which first asks the kernel to SIGTERM it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and exits at once if the parent is already gone. The servers that
start vaults and JupyterLabs (``sealroom demo``, the Jupyter extension's embedded vault) use it,
so a supervisor that is killed — even with SIGKILL, when no cleanup code can run — leaves no
vault or JupyterLab behind. Elsewhere than Linux the tether is skipped and the caller's own
cleanup (``terminate`` on exit) is all there is.
"""

from __future__ import annotations

import os
import sys

_LAUNCHER = """\
import ctypes, os, runpy, signal, sys
parent, module = int(sys.argv.pop(1)), sys.argv.pop(1)
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != parent:
    sys.exit("the process that started this one is gone")
sys.argv[0] = module
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def tethered_command(module: str, *args: str) -> list[str]:
    """``python -m module *args``, stopped (SIGTERM) when the calling process dies."""
    return [sys.executable, "-c", _LAUNCHER, str(os.getpid()), module, *args]
