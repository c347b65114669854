"""The tamper-evident audit log: an append-only, SHA-256 hash-chained table.

Every request, decision, approval, run, release and catalog change appends one entry *in the
same database transaction* as the change it records, so the log and the state cannot disagree.
Each entry's hash covers its content and the previous entry's hash; ``verify`` recomputes the
chain and names the first entry that does not match (an edit, a deletion or a reordering).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sealroom.core.hashing import sha256_json
from sealroom.core.store.models import AuditRow

GENESIS = "0" * 64

_HEAD = "sealroom_audit_head"  # Session.info key: (transaction, seq, entry_hash) of this transaction's last append
_append_lock = threading.Lock()
_HEAD_QUERY = select(AuditRow.seq, AuditRow.entry_hash).order_by(AuditRow.seq.desc()).limit(1)
_INSERT = insert(AuditRow.__table__)  # a Core statement on the session's connection: no unit of work per entry


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: dict
    prev_hash: str
    entry_hash: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    head: str
    first_bad_seq: int | None = None
    problem: str = ""


def entry_hash(*, seq: int, at: str, actor: str, action: str, subject: str, payload: dict, prev_hash: str) -> str:
    return sha256_json(
        {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "payload": payload, "prev": prev_hash}
    )


def append(session: Session, *, actor: str, action: str, subject: str, payload: dict | None = None) -> AuditEntry:
    """Append an entry inside the caller's transaction and return it (its seq is its log index).
    The row is written at once (not at the session's next flush)."""
    payload = payload or {}
    with _append_lock:
        connection = session.connection()  # begins the transaction if nothing has yet
        transaction = session.get_transaction()
        cached = session.info.get(_HEAD)  # this transaction's last append: it holds the write lock, so still the head
        if cached is not None and cached[0] is transaction:
            head = cached[1:]
        else:
            head = connection.execute(_HEAD_QUERY).one_or_none() or (0, GENESIS)
        seq, prev = head[0] + 1, head[1]
        at = datetime.now(timezone.utc).isoformat()
        digest = entry_hash(seq=seq, at=at, actor=actor, action=action, subject=subject, payload=payload, prev_hash=prev)
        connection.execute(_INSERT, {"seq": seq, "at": at, "actor": actor, "action": action, "subject": subject, "payload": payload,
                                     "prev_hash": prev, "entry_hash": digest})
        session.info[_HEAD] = (transaction, seq, digest)
    return AuditEntry(seq, at, actor, action, subject, payload, prev, digest)


def entries(session: Session, *, subjects: Iterable[str] | None = None, limit: int = 1000) -> list[AuditEntry]:
    query = select(AuditRow).order_by(AuditRow.seq)
    if subjects is not None:
        query = query.where(AuditRow.subject.in_(list(subjects)))
    return [_entry(row) for row in session.execute(query.limit(limit)).scalars()]


def verify(session: Session) -> ChainReport:
    """Recompute the whole chain; report the first entry that breaks it."""
    prev = GENESIS
    count = 0
    expected_seq = 1
    for row in session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars():
        count += 1
        if row.seq != expected_seq:
            return ChainReport(False, count, prev, expected_seq, f"entry {expected_seq} is missing")
        if row.prev_hash != prev:
            return ChainReport(False, count, prev, row.seq, "link to the previous entry is broken")
        recomputed = entry_hash(
            seq=row.seq, at=row.at, actor=row.actor, action=row.action, subject=row.subject, payload=row.payload, prev_hash=row.prev_hash
        )
        if recomputed != row.entry_hash:
            return ChainReport(False, count, prev, row.seq, "entry content does not match its hash")
        prev = row.entry_hash
        expected_seq += 1
    return ChainReport(True, count, prev)


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor, row.action, row.subject, row.payload, row.prev_hash, row.entry_hash)
