"""Real Jupyter servers with the Sealroom server extension, for tests (tests/jupyter_extension,
tests/browser). Importable as ``jupyter_support`` (tests/ is on sys.path through its conftest).

    with jupyter_server_for(live_vault.url, live_vault.tokens["harbor-light"], root=tmp) as server:
        server.client().get("/sealroom/me").json()["name"] == "harbor-light"

Each server is a subprocess (``python -m jupyter_server``, or ``python -m jupyterlab`` with
``app="lab"``) on a free port of 127.0.0.1, as root (``--allow-root``), with the
``SealroomIdentityProvider``, its own random Jupyter token (passed as ``JUPYTER_TOKEN``, not on the
command line), and its own ``JUPYTER_CONFIG_DIR`` / ``JUPYTER_DATA_DIR`` / ``JUPYTER_RUNTIME_DIR`` /
``IPYTHONDIR`` under ``root``. The extension is enabled and the vault token configured in
``root/config/jupyter_server_config.json`` (so no token is on a command line); the vault URL is
passed as ``--SealroomExtension.vault_url``. ``vault_url=None`` means an embedded vault on
``workspace``. No ``SEALROOM_*`` or ``JUPYTER*`` variable of the test process reaches the server.
To start several at once: ``start_jupyter_server(...)`` each, then ``wait_ready()`` each.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx

from sealroom.jupyter_extension.embedded_vault import free_port

IDENTITY_PROVIDER = "sealroom.jupyter_extension.identity.SealroomIdentityProvider"


@dataclass
class JupyterServer:
    url: str  # ends with "/"
    token: str  # the Jupyter token (not a vault token)
    process: subprocess.Popen
    root: Path
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self, *, signed_in: bool = True, timeout: float = 120) -> httpx.Client:
        """An httpx client on the server; signed in with ``Authorization: token <jupyter token>``."""
        headers = {"Authorization": f"token {self.token}"} if signed_in else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90) -> "JupyterServer":
        """Wait until ``/api/status`` answers 200; raise with the server's log if it does not."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.url}api/status", headers={"Authorization": f"token {self.token}"}, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jupyter server did not start (exit code {self.process.returncode}):\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def stop(self, *, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Stop the server (SIGTERM: a clean shutdown, extensions stopped); returns its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def start_jupyter_server(
    vault_url: str | None,
    token: str | None,
    *,
    root: Path,
    app: str = "server",
    workspace: Path | None = None,
    identity_provider: bool = True,
    extension_config: dict | None = None,
    extra_args: tuple[str, ...] = (),
) -> JupyterServer:
    """Start one server (does not wait; call ``wait_ready()``)."""
    root = Path(root)
    for folder in ("config", "data", "runtime", "ipython", "notebooks"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    sealroom = dict(extension_config or {})
    if token is not None:
        sealroom["vault_token"] = token
    if workspace is not None:
        sealroom["workspace"] = str(workspace)
    config = {"ServerApp": {"jpserver_extensions": {"sealroom.jupyter_extension": True}}, "SealroomExtension": sealroom}
    config_path = root / "config" / "jupyter_server_config.json"
    config_path.write_text(json.dumps(config))
    config_path.chmod(0o600)
    port, jupyter_token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab" if app == "lab" else "jupyter_server",
        "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root / 'notebooks'}", f"--SealroomExtension.vault_url={vault_url or ''}",
        *([f"--ServerApp.identity_provider_class={IDENTITY_PROVIDER}"] if identity_provider else []),
        *extra_args,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEALROOM_", "JUPYTER"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(root / "config"), JUPYTER_DATA_DIR=str(root / "data"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        IPYTHONDIR=str(root / "ipython"), JUPYTER_PLATFORM_DIRS="1", JUPYTER_TOKEN=jupyter_token,
    )
    log_path = root / "jupyter.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, env=env, cwd=root, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    return JupyterServer(url=f"http://127.0.0.1:{port}/", token=jupyter_token, process=process, root=root, log_path=log_path)


@contextmanager
def jupyter_server_for(vault_url: str | None, token: str | None, *, root: Path, **kwargs) -> Iterator[JupyterServer]:
    """A started server for one vault user (see ``start_jupyter_server``), stopped on exit."""
    server = start_jupyter_server(vault_url, token, root=root, **kwargs)
    try:
        yield server.wait_ready()
    finally:
        server.stop()
