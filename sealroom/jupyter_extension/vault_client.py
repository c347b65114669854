"""The extension's one channel to the vault: async JSON calls as the server's vault user.

``VaultClient`` holds the vault URL and the token of the one vault user this Jupyter server acts
for (see ``identity.vault_identity``). Every call is an ``httpx.AsyncClient`` request, so no call
blocks tornado's event loop. A non-2xx answer becomes ``VaultRefused`` with the vault's status,
code and public message; a vault that does not answer becomes ``VaultUnavailable`` (502) whose
message names the URL and what to do. The token never appears in a message, a log line or a
``repr``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx

from sealroom.core.errors import SealroomError

# What a caller may see of a vault answer that is neither JSON nor one of our codes.
_FALLBACK_MESSAGE = "the vault answered HTTP {status} without an explanation"


class VaultUnavailable(SealroomError):
    """The vault did not answer (not running, wrong URL, timed out)."""

    code = "vault_unavailable"
    http_status = 502


class VaultRefused(SealroomError):
    """The vault answered with an error; carries its status, code and public message."""

    def __init__(self, status: int, code: str, public_message: str) -> None:
        super().__init__(public_message)
        self.http_status = status
        self.code = code or "vault_error"


class VaultClient:
    """Async calls against one vault as one vault user (the token this server was configured with).

    ``whoami()`` is cached after its first success: a server acts for one person for its whole
    life. The underlying ``httpx.AsyncClient`` is made on first use (inside the event loop) and
    closed by ``aclose()``.
    """

    def __init__(self, url: str, token: str, *, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._me: dict | None = None
        self._me_failed_at = 0.0

    def __repr__(self) -> str:
        return f"<VaultClient {self.url} (token hidden)>"

    # -- the vault's endpoints this extension uses ---------------------------------------------
    async def whoami(self) -> dict:
        """``GET /api/v1/whoami``: ``{"id","name","display_name","role","org"}`` (cached)."""
        if self._me is None:
            self._me = await self.call("GET", "/api/v1/whoami")
        return self._me

    async def whoami_or_none(self, *, retry_after: float = 5.0) -> dict | None:
        """``whoami()``, or None if the vault cannot say right now (asked again after ``retry_after`` s)."""
        if self._me is not None:
            return self._me
        if time.monotonic() - self._me_failed_at < retry_after:
            return None
        try:
            return await self.whoami()
        except SealroomError:
            self._me_failed_at = time.monotonic()
            return None

    async def datasets(self) -> list[dict]:
        """``GET /api/v1/datasets``: every dataset with its owner and assets."""
        return await self.call("GET", "/api/v1/datasets")

    async def requests(self, state: str | None = None) -> list[dict]:
        """``GET /api/v1/requests``: the requests this user may see, newest first (the vault caps at 200)."""
        return await self.call("GET", "/api/v1/requests", params={"state": state} if state else None)

    async def request(self, request_id: str) -> dict:
        """``GET /api/v1/requests/{id}``."""
        return await self.call("GET", f"/api/v1/requests/{quote(request_id, safe='')}")

    async def review(self, request_id: str, *, approve: bool, note: str) -> dict:
        """``POST /api/v1/requests/{id}/approve|deny`` with ``{"note": note}``; the vault's view after it."""
        verb = "approve" if approve else "deny"
        return await self.call("POST", f"/api/v1/requests/{quote(request_id, safe='')}/{verb}", json={"note": note})

    # -- the one place HTTP happens ------------------------------------------------------------
    async def call(self, method: str, path: str, *, params: dict | None = None, json: Any = None) -> Any:
        """One JSON call; raises ``VaultUnavailable`` or ``VaultRefused`` (never with the token in it)."""
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self.url, headers={"Authorization": f"Bearer {self._token}"}, timeout=self._timeout)
        try:
            response = await self._client.request(method, path, params=params, json=json)
        except httpx.TransportError as exc:
            raise VaultUnavailable(
                f"the Sealroom vault at {self.url} did not answer ({type(exc).__name__}); start it "
                f"(sealroom serve --workspace DIR) or set c.SealroomExtension.vault_url to where it runs"
            ) from None
        if response.is_success:
            try:
                return response.json()
            except ValueError:
                raise VaultRefused(502, "vault_error", f"the vault at {self.url} answered with something that is not JSON") from None
        raise _refusal(response, self.url)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _refusal(response: httpx.Response, url: str) -> VaultRefused:
    """The vault's error as ``VaultRefused``: 4xx keep their status; 401 and 5xx become 502."""
    try:
        body = response.json()
        code, message = str(body.get("error", "")), str(body.get("message", ""))
    except (ValueError, AttributeError):
        code, message = "", ""
    message = message or _FALLBACK_MESSAGE.format(status=response.status_code)
    if response.status_code == 401:  # the server's own token, not the browser's sign-in
        return VaultRefused(502, "vault_token_rejected", f"the vault at {url} did not accept this server's token; set c.SealroomExtension.vault_token (or SEALROOM_TOKEN) to a valid one")
    if response.status_code >= 500:
        return VaultRefused(502, code or "vault_error", message)
    return VaultRefused(response.status_code, code, message)
