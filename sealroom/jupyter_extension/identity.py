"""Who a request to this Jupyter server acts as in the vault — decided here and nowhere else.

The model: one Jupyter server per person (as JupyterHub's single-user servers). The server is
configured with that person's vault token, and every signed-in Jupyter user of the server is
that person. ``vault_identity(handler)`` is the one mapping, from the authenticated Jupyter user
to the configured vault user's ``VaultClient``; it reads nothing from the HTTP request (no header,
body field or query argument can choose a vault identity).

``SealroomIdentityProvider`` keeps Jupyter's own sign-in (token or password, cookie) and only
renames the signed-in user after the vault user (``GET /api/v1/whoami``: username = vault name,
display name, initials), so JupyterLab shows who you are. Select it with
``--ServerApp.identity_provider_class=sealroom.jupyter_extension.identity.SealroomIdentityProvider``.
Without it the extension works the same; the Jupyter user is just called "Anonymous …".
"""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web

from sealroom.core.errors import SealroomError
from sealroom.jupyter_extension.vault_client import VaultClient

SETTINGS_KEY = "sealroom_connection"  # tornado settings entry holding the VaultConnection


@dataclass
class VaultConnection:
    """What the loaded extension holds: the client for this server's vault user, or why there is none."""

    client: VaultClient | None
    embedded: bool = False
    problem: SealroomError | None = None  # a start-up problem every endpoint reports (public message)


def connection(settings: dict) -> VaultConnection | None:
    return settings.get(SETTINGS_KEY)


def vault_identity(handler: web.RequestHandler) -> VaultClient:
    """The vault session for this request: the server's configured person, for any signed-in user.

    Raises 403 if nobody is signed in (handlers are ``@web.authenticated`` already; this is the
    second lock), and the start-up problem if the extension could not connect.
    """
    if not handler.current_user:
        raise web.HTTPError(403)
    state = connection(handler.settings)
    if state is None:
        raise SealroomError("the Sealroom server extension is not loaded in this Jupyter server")
    if state.problem is not None:
        raise state.problem
    assert state.client is not None
    return state.client


def initials(display_name: str, fallback: str) -> str:
    """Up to two initials from the display name, ignoring parenthesised parts ("Dana (data scientist)" -> "D")."""
    words = re.findall(r"[^\W_]+", re.sub(r"\([^)]*\)", " ", display_name))
    return "".join(w[0] for w in words[:2]).upper() or fallback[:1].upper()


class SealroomIdentityProvider(IdentityProvider):
    """Jupyter's sign-in, with the signed-in user named after this server's vault user."""

    async def get_user(self, handler: web.RequestHandler) -> User | None:  # type: ignore[override]
        user = super().get_user(handler)
        if isinstance(user, t.Awaitable):
            user = await user
        if user is None:
            return None
        state = connection(handler.settings)
        if state is None or state.client is None:
            return user
        me = await state.client.whoami_or_none()
        if me is None:  # the vault does not answer: still signed in to Jupyter, just not named
            return user
        display = me.get("display_name") or me["name"]
        return User(username=me["name"], name=display, display_name=display, initials=initials(display, me["name"]))
