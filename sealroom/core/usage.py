"""Usage counters: what one data scientist has used of one dataset, read in one lookup.

Two numbers per (data scientist, dataset), in the ``usage`` table:

- ``jobs_used``: requests that reached ``queued`` (the license's ``max_jobs`` budget counts them,
  running, finished or failed alike);
- ``graphs_released``: pointer queries released (the generation of the differencing tracker).

``lifecycle.transition`` adds to them in the transaction of the move that changes them, so they
always equal counting the requests themselves, which took milliseconds per count once a data
scientist had made a thousand queries. Counters are written with Core statements on the
session's connection (an update, or an insert the first time).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from sealroom.core.store.database import flushed_connection
from sealroom.core.store.models import RequestRow, UsageRow


@dataclass(frozen=True)
class Usage:
    jobs_used: int = 0
    graphs_released: int = 0


_TABLE = UsageRow.__table__
_KEY = (_TABLE.c.owner_id == bindparam("owner"), _TABLE.c.dataset_id == bindparam("dataset"))
_READ = select(_TABLE.c.jobs_used, _TABLE.c.graphs_released).where(*_KEY)
_ADD = update(_TABLE).where(*_KEY).values(jobs_used=_TABLE.c.jobs_used + bindparam("jobs"),
                                          graphs_released=_TABLE.c.graphs_released + bindparam("released"))
_FIRST = insert(_TABLE)


def usage(session: Session, owner_id: str, dataset_id: str) -> Usage:
    """What ``owner_id`` has used of ``dataset_id`` so far (zeros before their first request)."""
    row = flushed_connection(session).execute(_READ, {"owner": owner_id, "dataset": dataset_id}).first()
    return Usage(*row) if row is not None else Usage()


def add(session: Session, request: RequestRow, *, jobs: int = 0, graphs_released: int = 0) -> None:
    """Count ``jobs`` and ``graphs_released`` for the requester on every dataset ``request`` reads."""
    connection = flushed_connection(session)
    for dataset_id in sorted({spec["dataset_id"] for spec in request.inputs.values()}):
        key = {"owner": request.owner_id, "dataset": dataset_id}
        if connection.execute(_ADD, {**key, "jobs": jobs, "released": graphs_released}).rowcount == 0:
            connection.execute(_FIRST, {"owner_id": request.owner_id, "dataset_id": dataset_id, "jobs_used": jobs, "graphs_released": graphs_released})
