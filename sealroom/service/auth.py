"""Bearer-token authentication: every endpoint but /health depends on ``current_user``."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sealroom.core.errors import Unauthenticated
from sealroom.core.runtime import Vault
from sealroom.core.users import User

_bearer = HTTPBearer(auto_error=False, description="A Sealroom access token (sr_...)")


def get_vault(request: Request) -> Vault:
    return request.app.state.vault


def current_user(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("sign in: send 'Authorization: Bearer <token>' (sr.connect(url, token) does this)")
    return get_vault(request).authenticate(credentials.credentials)
