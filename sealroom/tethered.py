"""Server child processes (vaults, JupyterLabs): started tethered, waited for, stopped.

``tethered_command(module, *args)`` is the argv that runs ``python -m module args...`` through a
tiny launcher which first asks the kernel to SIGTERM it when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and exits at once if the parent is already gone. The servers that
start vaults and JupyterLabs (``sealroom demo``, the Jupyter extension's embedded vault) use it,
so a supervisor that is killed — even with SIGKILL, when no cleanup code can run — leaves no
vault or JupyterLab behind. Elsewhere than Linux the tether is skipped and the caller's own
cleanup (``terminate`` on exit) is all there is.

``wait_until_answers`` polls a child's URL until it answers 200 and says why not otherwise (the
child exited, or the time ran out); ``stop_child`` is SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

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


def wait_until_answers(process: subprocess.Popen, url: str, *, timeout: float, headers: dict | None = None) -> str | None:
    """Poll ``url`` until it answers 200: ``None`` then, else why not — a phrase for the caller's
    message ("exited with code 1", "did not answer on URL within 60 s")."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, headers=headers, timeout=2.0).status_code == 200:
                return None
        except httpx.TransportError:
            pass
        code = process.poll()
        if code is not None:
            return f"exited with code {code}"
        if time.monotonic() > deadline:
            return f"did not answer on {url} within {timeout:.0f} s"
        time.sleep(0.1)


def stop_child(process: subprocess.Popen, *, grace: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; nothing if it has already exited."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
