"""Writing request and result rows with Core statements, for the steps every pointer query takes.

The ORM's unit of work costs about half a millisecond per flush; a pointer query is answered in
a few milliseconds, so its two transactions write their rows with prebuilt Core statements on
the session's connection instead (architecture §3, "What keeps a query short" in
docs/pointers.md). The ``RequestRow``/``ResultRow`` objects they write are plain carriers here:
never added to a session, so nothing is written twice.

- ``insert_request``: a new request (as its submission left it) and the datasets it reads.
- ``update_request``: the lifecycle columns of a request read earlier, only if it is still in
  the state it was read in (``InvalidTransition`` otherwise: another step moved it meanwhile).
- ``insert_result``: the sealed result of a run (a request has at most one).
- ``detached``: a request read in this session, taken out of it so its changes are written by
  ``update_request`` alone.
"""

from __future__ import annotations

from sqlalchemy import and_, bindparam, insert, update
from sqlalchemy.orm import Session

from sealroom.core.errors import InvalidTransition
from sealroom.core.store.database import flushed_connection
from sealroom.core.store.models import RequestDatasetRow, RequestRow, ResultRow, utcnow

_REQUEST_COLUMNS = tuple(column.key for column in RequestRow.__table__.columns)
_RESULT_COLUMNS = tuple(column.key for column in ResultRow.__table__.columns)
_LIFECYCLE_COLUMNS = ("state", "decision", "release_decision", "public_reason", "updated_at")

_INSERT_REQUEST = insert(RequestRow.__table__)
_INSERT_REQUEST_DATASET = insert(RequestDatasetRow.__table__)
_INSERT_RESULT = insert(ResultRow.__table__)
_UPDATE_REQUEST = (
    update(RequestRow.__table__)
    .where(and_(RequestRow.__table__.c.id == bindparam("row_id"), RequestRow.__table__.c.state == bindparam("was")))
    .values({name: bindparam(name) for name in _LIFECYCLE_COLUMNS})
)


def new_request(**columns) -> RequestRow:
    """A request row with its defaults filled in (``public_reason`` empty, both times now)."""
    now = utcnow()
    columns = {"decision": None, "release_decision": None, "public_reason": "", "created_at": now, "updated_at": now, **columns}
    return RequestRow(**columns)


def insert_request(session: Session, row: RequestRow, dataset_ids: list[str]) -> None:
    """Write ``row`` (never added to a session) and the datasets it reads, in the caller's transaction."""
    connection = flushed_connection(session)
    connection.execute(_INSERT_REQUEST, {name: getattr(row, name) for name in _REQUEST_COLUMNS})
    if dataset_ids:
        connection.execute(_INSERT_REQUEST_DATASET, [{"request_id": row.id, "dataset_id": dataset_id} for dataset_id in dataset_ids])


def update_request(session: Session, row: RequestRow, *, was: str) -> None:
    """Write ``row``'s lifecycle columns if the stored request is still in state ``was``."""
    values = {name: getattr(row, name) for name in _LIFECYCLE_COLUMNS}
    if flushed_connection(session).execute(_UPDATE_REQUEST, {"row_id": row.id, "was": was, **values}).rowcount != 1:
        raise InvalidTransition(f"request {row.id} is no longer {was}; it was moved by another step meanwhile")


def insert_result(session: Session, stored: ResultRow) -> None:
    """Write a run's result row (never added to a session) in the caller's transaction."""
    flushed_connection(session).execute(_INSERT_RESULT, {name: getattr(stored, name) for name in _RESULT_COLUMNS})


def detached(session: Session, row: RequestRow) -> RequestRow:
    """``row`` (read in ``session``) out of the session: its changes are written by ``update_request``."""
    session.expunge(row)
    return row
