"""The embedded vault: a ``sealroom serve`` child process for a server configured without a vault URL.

The Jupyter server never opens the workspace itself (it must not hold the vault key): it builds
the demo workspace in a child process when the folder is new, starts ``python -m sealroom.cli
serve --workspace W --port P`` as another child, and talks to it over HTTP like any vault.

Contract of ``EmbeddedVault``:

- ``start(timeout)`` returns the URL once ``GET /api/v1/health`` answers 200; if the child exits
  or does not answer in time it is killed and ``VaultStartFailed`` says so and where its log is
  (``<workspace>/embedded-vault.log``; the log is never copied into a message);
- ``stop()`` is idempotent: SIGTERM (the vault shuts its sandbox down), SIGKILL after a grace
  period. It runs from the extension's ``stop_extension`` and from ``atexit``; the child also asks
  the kernel to SIGTERM it when its parent dies (``PR_SET_PDEATHSIG``), so a killed Jupyter
  server leaves no vault behind.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from sealroom.core.errors import ConfigurationError
from sealroom.jupyter_extension.vault_client import VaultUnavailable
from sealroom.tethered import stop_child, tethered_command, wait_until_answers

SIGNINS_FILE = "signins.json"  # written by sealroom.demo.workspace for the demo sign-ins
LOG_FILE = "embedded-vault.log"

_BUILD_DEMO = "import sys; from sealroom.demo.workspace import build_demo_workspace; build_demo_workspace(sys.argv[1])"


class VaultStartFailed(VaultUnavailable):
    """The embedded vault did not come up; the message says why and where its log is."""


def ensure_demo_workspace(path: Path, *, timeout: float = 300.0) -> bool:
    """Build the demo workspace at ``path`` (in a child process) if the folder is missing or empty.

    Returns True when it built one. A non-empty folder is left alone (it is a workspace already).
    """
    if path.exists() and any(path.iterdir()):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([sys.executable, "-c", _BUILD_DEMO, str(path)], env=_child_env(), capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise VaultStartFailed(f"could not build the demo workspace in {path} ({type(exc).__name__}); set c.SealroomExtension.workspace to a folder you can write") from None
    if done.returncode != 0:
        raise VaultStartFailed(f"building the demo workspace in {path} failed (exit code {done.returncode}); run `sealroom demo --dir {path}` to see why")
    return True


def signin_token(workspace: Path, user: str) -> str:
    """The token of ``user`` from the demo sign-ins file of ``workspace`` (``signins.json``)."""
    path = workspace / SIGNINS_FILE
    try:
        users = json.loads(path.read_text())["users"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigurationError(f"no vault token configured and no demo sign-ins in {path}; set c.SealroomExtension.vault_token or SEALROOM_TOKEN") from None
    token = next((u.get("token") for u in users if isinstance(u, dict) and u.get("name") == user), None)
    if not token:
        names = ", ".join(str(u.get("name")) for u in users if isinstance(u, dict))
        raise ConfigurationError(f"{path} has no sign-in for {user!r} (it has: {names}); set c.SealroomExtension.embedded_user")
    return token


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class EmbeddedVault:
    """One ``sealroom serve`` child on ``workspace`` at ``http://host:port`` (port 0: a free one)."""

    def __init__(self, workspace: Path, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.workspace = Path(workspace)
        self.host = host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.log_path = self.workspace / LOG_FILE
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, *, timeout: float = 60.0) -> str:
        """Start the child and wait until it is healthy; returns the vault URL."""
        fd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            command = tethered_command("sealroom.cli", "serve", "--workspace", str(self.workspace), "--host", self.host, "--port", str(self.port))
            self.process = subprocess.Popen(command, env=_child_env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        why = wait_until_answers(self.process, f"{self.url}/api/v1/health", timeout=timeout)
        if why is not None:
            self.stop()
            raise VaultStartFailed(f"the embedded Sealroom vault for {self.workspace} {why}; its log is {self.log_path}")
        return self.url

    def stop(self, *, grace: float = 15.0) -> None:
        """Terminate the child (SIGTERM, then SIGKILL after ``grace`` s); safe to call twice."""
        process, self.process = self.process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        stop_child(process, grace=grace)


def _child_env() -> dict[str, str]:
    """Our environment without any SEALROOM_* variable: the vault needs no token, URL or workspace hint."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SEALROOM_")}
