"""Shared fixtures: a demo workspace built once per session and copied per use, a running vault.

``live_vault`` is a real vault process (``sealroom serve``) on a copy of the demo workspace, one
per test module: the HTTP tests (``tests/service``) and the kernel tests (``tests/kernel``) use it.
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

from sealroom.core.users import Role, create_user
from sealroom.core.workspace import Workspace
from sealroom.demo.workspace import DemoWorkspace, build_demo_workspace, load_demo_workspace


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
    yield LiveVault(url, tokens, root)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    process.stdout.close()
