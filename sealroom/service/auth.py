"""Bearer-token authentication: every endpoint but /health depends on ``current_user``."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sealroom.core.errors import Unauthenticated
from sealroom.core.runtime import Vault
from sealroom.core.users import User

_bearer = HTTPBearer(auto_error=False, description="A Sealroom access token (sr_...)")


# Both dependencies are ``async``: FastAPI runs a sync dependency on the thread pool, one hand-off
# per dependency per request; these do no waiting (the token lookup is one indexed read of the
# local database), so they run on the event loop and a request costs one hand-off (its endpoint).


async def get_vault(request: Request) -> Vault:
    return request.app.state.vault


async def current_user(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in: send 'Authorization: Bearer <token>' (sr.connect(url, token) does this)")
    return request.app.state.vault.authenticate(credentials.credentials)
