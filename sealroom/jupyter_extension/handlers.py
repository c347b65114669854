"""REST endpoints under ``{base_url}/sealroom/`` for the review panel (contract: docs/jupyter.md).

Handlers only parse, delegate to the vault (``vault_identity`` decides as whom) and serialise
(``cards``). Every endpoint is ``@web.authenticated`` and ``@authorized`` (resource
``sealroom``; GET is "read", POST is "write"), speaks JSON, and follows Jupyter's XSRF rules
(token-authenticated calls need no XSRF cookie). Errors, Jupyter's own 403/405 included, are
``{"error": code, "message": public message}``, written in one place (``write_error``).

Reviews are for rights holders: for any other role ``GET /sealroom/reviews`` answers empty
lists, and a single card, approve and deny answer 403 without calling the vault.
"""

from __future__ import annotations

import asyncio
import functools
import json
from http import HTTPStatus

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from sealroom.core.errors import Forbidden, InvalidInput, SealroomError
from sealroom.jupyter_extension import cards
from sealroom.jupyter_extension.identity import connection, vault_identity
from sealroom.jupyter_extension.vault_client import VaultClient

PREFIX = "sealroom"
REQUEST_ID = r"(?P<request_id>[A-Za-z0-9_-]{1,64})"
MAX_NOTE_CHARS = 4000  # the vault keeps at most this much of a note (after stripping)
REVIEWER_ROLE = "rights_holder"


def _json_endpoint(method):
    """Run ``method`` and send its return value as JSON; a SealroomError becomes its error body."""

    @functools.wraps(method)
    async def wrapper(self: "SealroomHandler", *args, **kwargs):
        try:
            body = await method(self, *args, **kwargs)
        except SealroomError as exc:
            self.send_error_body(exc.http_status, exc.code, exc.public_message)
            return
        self.finish(json.dumps(body))

    return wrapper


class SealroomHandler(APIHandler):
    """Base: JSON errors in the contract's shape, and the vault session of the signed-in user."""

    auth_resource = "sealroom"

    @property
    def vault(self) -> VaultClient:
        return vault_identity(self)

    def send_error_body(self, status: int, code: str, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": code, "message": message}))

    def write_error(self, status_code: int, **kwargs) -> None:
        """Jupyter's and tornado's errors (403 not signed in, 405, 500) in the same shape, no traceback."""
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        try:
            phrase = HTTPStatus(status_code).phrase
        except ValueError:
            phrase = "Error"
        code, message = phrase.lower().replace(" ", "_").replace("-", "_"), phrase
        if isinstance(exc, web.HTTPError) and exc.log_message:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        elif status_code >= 500:  # an unexpected exception: tornado logged it; the caller gets no traceback
            code, message = "internal", "the Sealroom extension hit an internal error; the Jupyter server log has the details"
        self.send_error_body(status_code, code, message)

    async def me(self) -> tuple[dict, dict]:
        """The vault's whoami for this server's user, and its view for the panel (``cards.me_view``)."""
        vault = self.vault
        me = await vault.whoami()
        return me, cards.me_view(me, vault.url, embedded=connection(self.settings).embedded)

    async def reviewer_or_403(self) -> cards.Reviewer:
        vault = self.vault
        me = await vault.whoami()
        if me["role"] != REVIEWER_ROLE:
            raise Forbidden(f"only rights holders review requests; this server acts as {me['name']} ({me['role']})")
        return cards.Reviewer.from_vault(me, await vault.datasets())


class MeHandler(SealroomHandler):
    """``GET /sealroom/me`` -> ``{"name","display_name","role","org","vault_url","embedded"}``."""

    @web.authenticated
    @authorized
    @_json_endpoint
    async def get(self) -> dict:
        return (await self.me())[1]


class ReviewsHandler(SealroomHandler):
    """``GET /sealroom/reviews`` -> ``{"user", "pending", "history", "version"}``."""

    @web.authenticated
    @authorized
    @_json_endpoint
    async def get(self) -> dict:
        me, user = await self.me()
        vault = self.vault
        if me["role"] != REVIEWER_ROLE:
            pending, history = [], []
        else:  # the vault lists at most the newest 200: the state-filtered lists keep older waiting requests in
            everything, in_compute, in_release, datasets = await asyncio.gather(
                vault.requests(), vault.requests("pending_review"), vault.requests("release_review"), vault.datasets()
            )
            pending, history = cards.split([*everything, *in_compute, *in_release], cards.Reviewer.from_vault(me, datasets))
        return {"user": user, "pending": pending, "history": history, "version": cards.version(pending, history)}


class ReviewHandler(SealroomHandler):
    """``GET /sealroom/reviews/{id}`` -> card."""

    @web.authenticated
    @authorized
    @_json_endpoint
    async def get(self, request_id: str) -> dict:
        reviewer = await self.reviewer_or_403()
        return cards.card(await self.vault.request(request_id), reviewer)


class DecisionHandler(SealroomHandler):
    """``POST /sealroom/reviews/{id}/approve`` or ``/deny`` with ``{"note": "..."}`` -> ``{"request": card}``.

    Notes follow the vault's rules: optional, a string, stripped, at most ``MAX_NOTE_CHARS``
    characters kept. Any other body field is ignored (it cannot change who decides).
    """

    def initialize(self, approve: bool) -> None:
        self.approve = approve

    @web.authenticated
    @authorized
    @_json_endpoint
    async def post(self, request_id: str) -> dict:
        note = _note(self.request.body)
        reviewer = await self.reviewer_or_403()
        view = await self.vault.review(request_id, approve=self.approve, note=note)
        return {"request": cards.card(view, reviewer)}


def _note(body: bytes) -> str:
    if not body.strip():
        return ""
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput('the body must be JSON: {"note": "..."}') from None
    if not isinstance(data, dict):
        raise InvalidInput('the body must be a JSON object: {"note": "..."}')
    note = data.get("note", "")
    if not isinstance(note, str):
        raise InvalidInput("note must be a string")
    return note.strip()[:MAX_NOTE_CHARS]


def default_handlers() -> list[tuple]:
    """Every route the extension registers (relative to ``base_url``): the one list, read by tests too."""
    return [
        (rf"/{PREFIX}/me", MeHandler),
        (rf"/{PREFIX}/reviews", ReviewsHandler),
        (rf"/{PREFIX}/reviews/{REQUEST_ID}", ReviewHandler),
        (rf"/{PREFIX}/reviews/{REQUEST_ID}/approve", DecisionHandler, {"approve": True}),
        (rf"/{PREFIX}/reviews/{REQUEST_ID}/deny", DecisionHandler, {"approve": False}),
    ]
