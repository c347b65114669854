"""Users, roles and bearer tokens.

Tokens are random (256 bits) and shown once at creation; the database keeps only their SHA-256,
so a stolen database does not yield working credentials.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.errors import AlreadyExists, InvalidInput, NotFound, Unauthenticated
from sealroom.core.ledger import audit
from sealroom.core.store.models import UserRow

_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,62}$")


class Role(str, Enum):
    DATA_SCIENTIST = "data_scientist"
    RIGHTS_HOLDER = "rights_holder"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: str
    name: str
    display_name: str
    role: Role
    org: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "display_name": self.display_name, "role": self.role.value, "org": self.org}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session: Session, *, name: str, role: Role | str, display_name: str = "", org: str = "", actor: str = "system") -> tuple[User, str]:
    """Create a user and return it with its bearer token (the only time the token is visible)."""
    role = _role(role)
    if not _NAME.match(name):
        raise InvalidInput(
            f"user name {name!r} is not valid: use 2-63 lower-case letters, digits, '-' or '_', starting with a letter"
        )
    if len(org) > 200:
        raise InvalidInput("the organisation name is longer than 200 characters")
    if session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none():
        raise AlreadyExists(f"a user named {name!r} already exists")
    token = "sr_" + secrets.token_urlsafe(32)
    row = UserRow(id=uuid.uuid4().hex, name=name, display_name=display_name or name, role=role.value, org=org.strip(), token_sha256=token_digest(token))
    session.add(row)
    session.flush()
    audit.append(session, actor=actor, action="user.created", subject=row.id, payload={"name": name, "role": role.value, "org": org.strip()})
    return to_user(row), token


_BY_TOKEN = select(UserRow.id, UserRow.name, UserRow.display_name, UserRow.role, UserRow.org).where(UserRow.token_sha256 == bindparam("digest"))


def authenticate(reader: Session | Connection, token: str) -> User:
    """The user ``token`` belongs to (every API request asks: one indexed read, no ORM object)."""
    row = reader.execute(_BY_TOKEN, {"digest": token_digest(token)}).one_or_none()
    if row is None:
        raise Unauthenticated("the access token is not valid; ask your workspace admin for a token")
    return to_user(row)


def get_user(session: Session, name: str) -> User:
    row = session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no user named {name!r}")
    return to_user(row)


def list_users(session: Session) -> list[User]:
    return [to_user(r) for r in session.execute(select(UserRow).order_by(UserRow.name)).scalars()]


def to_user(row) -> User:
    """A ``User`` from a ``UserRow`` (or any row with its id, name, display_name, role and org)."""
    return User(id=row.id, name=row.name, display_name=row.display_name, role=Role(row.role), org=row.org)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; choose one of {[r.value for r in Role]}") from None
