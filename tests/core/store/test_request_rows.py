"""Core statements for request and result rows write what the ORM reads back, refuse a stale
update, see changes the session has not flushed, and leave the audit chain whole."""

import threading

import pytest
from sqlalchemy import select, text

from sealroom.core.errors import InvalidTransition
from sealroom.core.ledger import audit
from sealroom.core.lifecycle import State, transition
from sealroom.core.store.database import flushed_connection
from sealroom.core.store.models import RequestDatasetRow, RequestRow, ResultRow, UserRow
from sealroom.core.store.request_rows import detached, insert_request, insert_result, new_request, update_request


def _user(session) -> None:
    session.add(UserRow(id="u1", name="dana", display_name="Dana", role="data_scientist", token_sha256="0" * 64))


def _request(**overrides) -> RequestRow:
    columns = dict(id="r1", owner_id="u1", kind="graph", function_name="", source="{}", inputs={"n0": {"dataset": "d"}}, purpose="research: x",
                   binding_sha256="0" * 64, state=State.SUBMITTED.value)
    return new_request(**{**columns, **overrides})


def test_insert_request_writes_every_column_and_its_datasets(workspace):
    with workspace.db.session() as session:
        _user(session)
        row = _request()
        row.decision = {"outcome": "allow"}
        insert_request(session, row, [])
    with workspace.db.reading() as session:
        stored = session.get(RequestRow, "r1")
        assert (stored.state, stored.decision, stored.public_reason, stored.inputs) == ("submitted", {"outcome": "allow"}, "", {"n0": {"dataset": "d"}})
        assert stored.created_at.replace(tzinfo=None) == row.created_at.replace(tzinfo=None) == stored.updated_at.replace(tzinfo=None)  # SQLite keeps no zone
        assert session.execute(select(RequestDatasetRow)).scalars().all() == []
        assert session.execute(text("SELECT release_decision IS NULL FROM requests")).scalar_one() == 1  # SQL NULL, as the ORM writes it


def test_update_request_writes_the_lifecycle_columns_only_from_the_state_it_read(workspace):
    with workspace.db.session() as session:
        _user(session)
        insert_request(session, _request(state=State.RUNNING.value), [])
    with workspace.db.session() as session:
        row = detached(session, session.get(RequestRow, "r1"))
        transition(session, row, State.CHECKING, actor="vault")
        row.release_decision = {"outcome": "allow"}
        row.source = "changed"  # not a lifecycle column: never written this way
        update_request(session, row, was=State.RUNNING.value)
    with workspace.db.reading() as session:
        stored = session.get(RequestRow, "r1")
        assert (stored.state, stored.release_decision, stored.source) == ("checking", {"outcome": "allow"}, "{}")


def test_a_stale_update_is_refused_and_writes_nothing(workspace):
    with workspace.db.session() as session:
        _user(session)
        insert_request(session, _request(state=State.RUNNING.value), [])
    row = _request(state=State.RUNNING.value)
    with workspace.db.session() as session:  # another step moved it meanwhile
        transition(session, session.get(RequestRow, "r1"), State.FAILED, actor="vault")
    with pytest.raises(InvalidTransition, match="no longer running"):
        with workspace.db.session() as session:
            transition(session, row, State.CHECKING, actor="vault")
            update_request(session, row, was=State.RUNNING.value)
    with workspace.db.reading() as session:
        assert session.get(RequestRow, "r1").state == "failed"
        assert [e.action for e in audit.entries(session)][-1] == "request.failed"  # the refused step's entry was rolled back
        assert audit.verify(session).ok


def test_insert_result_is_read_back_by_the_orm(workspace):
    with workspace.db.session() as session:
        _user(session)
        insert_request(session, _request(), [])
        insert_result(session, ResultRow(request_id="r1", kind="json", result_sha256="a" * 64, payload_sealed=b"sealed", private_sealed=b"private",
                                         public_report={"released": True}, isolation={}, timings_ms={"evaluate": 1.0}, receipt={"signature": "s"}))
    with workspace.db.reading() as session:
        stored = session.get(ResultRow, "r1")
        assert (stored.kind, stored.payload_sealed, stored.public_report, stored.receipt) == ("json", b"sealed", {"released": True}, {"signature": "s"})


def test_a_core_read_sees_what_the_session_has_not_flushed(workspace):
    with workspace.db.session() as session:
        _user(session)  # pending in the session only
        assert flushed_connection(session).execute(select(UserRow.name)).scalars().all() == ["dana"]


def test_audit_entries_written_with_core_chain_with_orm_changes(workspace):
    with workspace.db.session() as session:
        _user(session)
        audit.append(session, actor="a", action="one", subject="s")
        session.flush()
        audit.append(session, actor="a", action="two", subject="s")
    with workspace.db.session() as session:
        audit.append(session, actor="a", action="three", subject="s")
    with workspace.db.reading() as session:
        entries = audit.entries(session)
        assert [e.action for e in entries][-3:] == ["one", "two", "three"]
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        assert audit.verify(session).ok


def test_reading_statements_never_takes_the_write_lock(workspace):
    with workspace.db.reading_statements() as connection:
        assert connection.execute(select(UserRow.id)).all() == []
        wrote = threading.Event()

        def write():
            with workspace.db.session() as session:  # BEGIN IMMEDIATE: would wait if the reader held the lock
                _user(session)
            wrote.set()

        writer = threading.Thread(target=write)
        writer.start()
        assert wrote.wait(5)
        writer.join()
        assert connection.execute(select(UserRow.id)).all() == []  # still its own snapshot
