"""A classroom: N student accounts (data scientists) for a teacher running the demo notebooks.

``create_students(ws, count)`` creates ``student-01`` … in one transaction (all or none), after
the highest existing ``student-NN``, so running it again adds more students instead of failing.
Each student is an ordinary data scientist: the policy engine, the rights holders' reviews and
the release gate treat them exactly like any other user. Tokens are returned once, for the
teacher to hand out; only their SHA-256 is stored.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from sealroom.core.errors import InvalidInput
from sealroom.core.store.models import UserRow
from sealroom.core.users import Role, create_user
from sealroom.core.workspace import Workspace
from sealroom.demo.workspace import SignIn

MAX_STUDENTS = 500


def create_students(ws: Workspace, count: int, *, prefix: str = "student", org: str = "Classroom") -> list[SignIn]:
    if not 1 <= count <= MAX_STUDENTS:
        raise InvalidInput(f"a classroom has 1 to {MAX_STUDENTS} students; got {count}")
    if not re.fullmatch(r"[a-z][a-z0-9]{1,40}", prefix):
        raise InvalidInput("the name prefix must be 2-41 lower-case letters or digits, starting with a letter")
    pattern = re.compile(rf"{re.escape(prefix)}-(\d+)")
    with ws.db.session() as session:
        names = session.execute(select(UserRow.name).where(UserRow.name.like(f"{prefix}-%"))).scalars()
        first = 1 + max((int(m.group(1)) for n in names if (m := pattern.fullmatch(n))), default=0)
        signins = []
        for number in range(first, first + count):
            name = f"{prefix}-{number:02d}"
            display = f"Student {number}"
            _, token = create_user(session, name=name, role=Role.DATA_SCIENTIST, display_name=display, org=org, actor="classroom")
            signins.append(SignIn(name, Role.DATA_SCIENTIST.value, display, token))
    return signins
