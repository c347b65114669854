"""``SealroomExtension``: the jupyter-server extension app (config ``c.SealroomExtension.*``).

Loading it (``--ServerApp.jpserver_extensions=sealroom.jupyter_extension=True``, or the shipped
``jupyter-config/server-config/sealroom.json``) does,
in order, at load time (importing does nothing):

1. resolve the vault: ``vault_url`` if set, else an embedded vault — the demo workspace is built
   at ``workspace`` if that folder is new, and ``sealroom serve`` starts as a child process;
2. resolve the token of the one vault user this server acts for: ``vault_token``, else
   ``$SEALROOM_TOKEN``, else (embedded only) ``embedded_user``'s demo sign-in;
3. register the ``/sealroom/`` handlers (``handlers.default_handlers``);
4. **its one side effect on the process**: set ``SEALROOM_URL`` and ``SEALROOM_TOKEN`` (and, when
   embedded, ``SEALROOM_HIDE_PATHS`` = the workspace folder) in the server's environment, which
   the kernels and terminals this server starts inherit (``kernel_environment``).

A start-up problem (no token, vault child did not start) does not stop Jupyter: it is logged and
every ``/sealroom/`` endpoint answers it as its error. ``stop_extension`` closes the HTTP client
and stops the embedded vault. The token is never logged.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, Unicode

from sealroom.core.errors import ConfigurationError, SealroomError
from sealroom.jupyter_extension.embedded_vault import EmbeddedVault, ensure_demo_workspace, signin_token
from sealroom.jupyter_extension.handlers import default_handlers
from sealroom.jupyter_extension.identity import SETTINGS_KEY, VaultConnection
from sealroom.jupyter_extension.vault_client import VaultClient


def kernel_environment(url: str, token: str, *, hide_paths: list[str] | None = None) -> dict[str, str]:
    """The variables kernels of this server need: the vault, this person's token, and (embedded)
    the folders a kernel must not read (``os.pathsep``-joined)."""
    env = {"SEALROOM_URL": url, "SEALROOM_TOKEN": token}
    if hide_paths:
        env["SEALROOM_HIDE_PATHS"] = os.pathsep.join(hide_paths)
    return env


def resolve_token(configured: str, environ: dict[str, str], embedded_workspace: Path | None, embedded_user: str) -> str:
    """``configured`` (the trait), else ``$SEALROOM_TOKEN``, else the embedded workspace's demo sign-in."""
    if configured:
        return configured
    if environ.get("SEALROOM_TOKEN"):
        return environ["SEALROOM_TOKEN"]
    if embedded_workspace is not None:
        return signin_token(embedded_workspace, embedded_user)
    raise ConfigurationError("no vault token: set c.SealroomExtension.vault_token or SEALROOM_TOKEN for the vault at c.SealroomExtension.vault_url")


class SealroomExtension(ExtensionApp):
    """Serves the review panel's REST calls as this server's vault user; starts a vault if none is configured."""

    name = "sealroom"
    description = "Sealroom: review requests on your licensed content from JupyterLab"
    load_other_extensions = True

    vault_url = Unicode("", help="URL of the Sealroom vault API (e.g. http://127.0.0.1:8765). Empty: start an embedded vault on `workspace`.").tag(config=True)
    vault_token = Unicode("", help="Access token (sr_...) of the vault user this server acts for. Empty: $SEALROOM_TOKEN, else (embedded vault only) the demo sign-in of `embedded_user`. Never logged.").tag(config=True)
    workspace = Unicode("~/.sealroom/workspace", help="Workspace folder of the embedded vault (used only when `vault_url` is empty). A missing or empty folder gets the demo workspace.").tag(config=True)
    embedded_user = Unicode("dana", help="With an embedded vault and no token configured: whose sign-in from the workspace's signins.json this server acts as.").tag(config=True)
    embedded_port = Int(0, help="Port of the embedded vault on 127.0.0.1 (0: a free port).").tag(config=True)
    embedded_start_timeout = Float(60.0, help="Seconds to wait for the embedded vault to answer /api/v1/health before giving up.").tag(config=True)
    request_timeout = Float(30.0, help="Seconds the extension waits for each call to the vault.").tag(config=True)

    embedded: EmbeddedVault | None = None
    vault_client: VaultClient | None = None

    def initialize_settings(self) -> None:
        try:
            state = self._connect()
        except SealroomError as exc:
            self.log.error("Sealroom: %s", exc.public_message)
            state = VaultConnection(client=None, embedded=not self.vault_url, problem=exc)
        self.settings[SETTINGS_KEY] = state

    def initialize_handlers(self) -> None:
        self.handlers.extend(default_handlers())

    async def stop_extension(self) -> None:
        if self.vault_client is not None:
            await self.vault_client.aclose()
        if self.embedded is not None:
            await asyncio.to_thread(self.embedded.stop)
            self.log.info("Sealroom: embedded vault stopped")

    def _connect(self) -> VaultConnection:
        workspace = Path(self.workspace).expanduser().resolve() if not self.vault_url else None
        if workspace is not None and ensure_demo_workspace(workspace):
            self.log.info("Sealroom: built the demo workspace in %s", workspace)
        token = resolve_token(self.vault_token, dict(os.environ), workspace, self.embedded_user)
        url = self.vault_url.rstrip("/")
        if workspace is not None:
            self.embedded = EmbeddedVault(workspace, port=self.embedded_port)
            url = self.embedded.start(timeout=self.embedded_start_timeout)
            self.log.info("Sealroom: embedded vault for %s at %s (pid %s)", workspace, url, self.embedded.pid)
        self.vault_client = VaultClient(url, token, timeout=self.request_timeout)
        os.environ.update(kernel_environment(url, token, hide_paths=[str(workspace)] if workspace else None))
        self._log_who(url, token)
        return VaultConnection(client=self.vault_client, embedded=workspace is not None)

    def _log_who(self, url: str, token: str) -> None:
        """Say at start-up whom this server acts as (a blocking call is fine: the loop is not serving yet)."""
        try:
            response = httpx.get(f"{url}/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        except httpx.TransportError as exc:
            self.log.warning("Sealroom: the vault at %s does not answer yet (%s)", url, type(exc).__name__)
            return
        if response.status_code == 200:
            me = response.json()
            self.log.info("Sealroom: acting as vault user %s (%s) at %s", me.get("name"), me.get("role"), url)
        else:
            self.log.warning("Sealroom: the vault at %s refused this server's token (HTTP %s)", url, response.status_code)
