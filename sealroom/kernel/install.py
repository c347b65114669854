"""Register the ``sealroom`` kernelspec with Jupyter.

The template is ``kernel/sealroom/kernel.json`` in the repository (``sealroom/_kernelspec`` in the
wheel). Its ``argv`` starts with the placeholder ``python``; ``install_kernelspec`` writes the
running interpreter (``sys.executable``) there, so the kernel runs in the environment that
installed it. The command is the confined launcher, ``python -m sealroom.kernel.confine``
(``confine.py``), which runs the kernel inside bubblewrap. The kernelspec carries no secrets:
the vault's address and the data scientist's token reach the kernel through the environment of
whoever starts it (``SEALROOM_URL``, ``SEALROOM_TOKEN``).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

import sealroom
from sealroom.core.errors import ConfigurationError

KERNEL_NAME = "sealroom"


def kernelspec_template() -> Path:
    """The shipped kernelspec folder (``kernel.json`` with the ``python`` placeholder)."""
    package = Path(sealroom.__file__).resolve().parent
    for candidate in (package / "_kernelspec", package.parent / "kernel" / KERNEL_NAME):
        if (candidate / "kernel.json").is_file():
            return candidate
    raise ConfigurationError("the sealroom kernelspec is missing: no kernel/sealroom/kernel.json next to the sealroom package")


def install_kernelspec(prefix: str | None = None, user: bool = False) -> str:
    """Install the ``sealroom`` kernelspec; returns the folder it was written to.

    ``prefix`` installs into ``PREFIX/share/jupyter/kernels/sealroom`` (``sys.prefix`` for the
    current environment), ``user=True`` into the user's Jupyter data folder, neither into the
    system-wide one. An existing ``sealroom`` kernelspec there is replaced.
    """
    template = kernelspec_template()
    spec = json.loads((template / "kernel.json").read_text())
    spec["argv"] = [sys.executable, *spec["argv"][1:]]
    with tempfile.TemporaryDirectory(prefix="sealroom-kernelspec-") as tmp:
        folder = Path(tmp) / KERNEL_NAME
        folder.mkdir()
        for item in template.iterdir():
            if item.is_file() and item.name != "kernel.json":
                (folder / item.name).write_bytes(item.read_bytes())
        (folder / "kernel.json").write_text(json.dumps(spec, indent=2) + "\n")
        return KernelSpecManager().install_kernel_spec(str(folder), kernel_name=KERNEL_NAME, user=user, prefix=prefix)
