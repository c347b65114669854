"""The client's one HTTP channel to the vault, and its error translator.

Every call goes through ``VaultHTTP``; a non-2xx answer becomes the matching ``SealroomError``
with the vault's public message (the client never sees private details).
"""

from __future__ import annotations

import httpx

from sealroom.core import errors

def _error_classes(base: type[errors.SealroomError]) -> dict[str, type[errors.SealroomError]]:
    """Every SealroomError subclass by its code (derived, so a new error needs no edit here)."""
    found = {}
    for cls in base.__subclasses__():
        found[cls.code] = cls
        found.update(_error_classes(cls))
    return found


_BY_CODE = _error_classes(errors.SealroomError)


class VaultHTTP:
    """Authenticated JSON/bytes calls against one vault."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.default_purpose: str | None = None  # what pointer queries say they are for unless .get(purpose=...) says
        self._client = httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout)

    def json(self, method: str, path: str, **kwargs):
        return self._send(method, path, **kwargs).json()

    def raw(self, method: str, path: str, **kwargs) -> httpx.Response:
        return self._send(method, path, **kwargs)

    def close(self) -> None:
        self._client.close()

    def _send(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise errors.SealroomError(f"cannot reach the vault at {self.url}: {exc.__class__.__name__}; is it running?") from None
        if response.is_success:
            return response
        try:
            body = response.json()
            code, message = body.get("error", ""), body.get("message", response.text)
        except ValueError:
            code, message = "", response.text or f"HTTP {response.status_code}"
        raise _BY_CODE.get(code, errors.SealroomError)(message)
