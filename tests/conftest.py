"""Shared fixtures: a demo workspace built once per session and copied per use, a running vault,
and the Sealroom kernel for executing notebooks headless.

``live_vault`` is a real vault process (``sealroom serve``) on a copy of the demo workspace, one
per test module: the HTTP tests (``tests/service``), the kernel tests (``tests/kernel``) and the
demo notebooks (``tests/notebooks``) use it. ``sealroom_kernel`` installs the kernelspec into a
temporary prefix and executes notebooks in fresh ``sealroom`` kernels with nbclient.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode
from traitlets.config import Config

from sealroom.core.users import Role, create_user
from sealroom.core.workspace import Workspace
from sealroom.demo.workspace import DemoWorkspace, build_demo_workspace, load_demo_workspace
from sealroom.kernel.install import KERNEL_NAME, install_kernelspec


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> DemoWorkspace:
    """The demo workspace, built once (2000 dialogue lines); copy it before changing it."""
    return build_demo_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def demo_copy(demo_template: DemoWorkspace, tmp_path: Path) -> DemoWorkspace:
    """A private copy of the demo workspace for one test."""
    target = tmp_path / "ws"
    shutil.copytree(demo_template.root, target)
    return load_demo_workspace(target)


@pytest.fixture
def workspace(tmp_path: Path):
    """An empty new workspace (closed after the test)."""
    ws = Workspace.create(tmp_path / "empty-ws")
    yield ws
    ws.close()


@dataclass
class LiveVault:
    url: str
    tokens: dict[str, str]
    root: Path
    pid: int  # the vault process

    def client(self, who: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def live_vault(demo_template, tmp_path_factory):
    """``sealroom serve`` on a copy of the demo workspace (plus a second data scientist, eve)."""
    root = tmp_path_factory.mktemp("live") / "ws"
    shutil.copytree(demo_template.root, root)
    demo = load_demo_workspace(root)
    tokens = {s.name: s.token for s in demo.signins}
    ws = Workspace.open(root)
    with ws.db.session() as session:
        tokens["eve"] = create_user(session, name="eve", role=Role.DATA_SCIENTIST)[1]
    ws.close()
    tokens["bad"] = "sr_not-a-real-token"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sealroom.cli", "serve", "--workspace", str(root), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
            process.kill()
            pytest.fail(f"vault did not start: {output}")
        time.sleep(0.1)
    yield LiveVault(url, tokens, root, process.pid)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    process.stdout.close()


@dataclass(frozen=True)
class SealroomKernel:
    """The ``sealroom`` kernelspec installed in a temporary prefix that Jupyter is pointed at."""

    spec: Path  # the installed kernelspec folder
    ipython: Path  # IPYTHONDIR for the kernels (no user profile leaks in)

    def execute(self, nb: NotebookNode, *, timeout: float = 180, **variables: str) -> NotebookNode:
        """Run every cell of ``nb`` in a fresh kernel (IPC transport), in place; ``variables`` are
        the kernel's environment on top of ours without any ``SEALROOM_*``. A cell that raises
        fails the run unless it is tagged ``raises-exception``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
        env.update(IPYTHONDIR=str(self.ipython), **variables)
        config = Config()
        config.KernelManager.transport = "ipc"  # local sockets: no unencrypted TCP ports
        NotebookClient(nb, kernel_name=KERNEL_NAME, config=config, timeout=timeout, startup_timeout=120).execute(env=env)
        return nb


@pytest.fixture(scope="module")
def sealroom_kernel(tmp_path_factory) -> SealroomKernel:
    """The kernelspec in a temporary prefix, with JUPYTER_PATH and the runtime folder pointed there."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = install_kernelspec(prefix=str(root / "prefix"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(root / "prefix" / "share" / "jupyter"))
        patch.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        yield SealroomKernel(spec=Path(spec_dir), ipython=root / "ipython")
