"""A re-queue is not a second job; a released pointer query counts once (that the counters equal
counting the requests after real queries: ``test_pointer_queries.py``)."""

from __future__ import annotations

from sqlalchemy import text

from sealroom.core.lifecycle import State, transition
from sealroom.core.store.models import UserRow
from sealroom.core.store.request_rows import insert_request, new_request
from sealroom.core.usage import Usage, usage

def test_a_request_queued_again_after_a_restart_uses_one_job(workspace):
    with workspace.db.session() as session:
        session.add(UserRow(id="u1", name="dana", display_name="Dana", role="data_scientist", token_sha256="0" * 64))
        session.execute(text("INSERT INTO users (id, name, display_name, role, org, token_sha256, created_at) VALUES ('u2', 'hl', 'HL', 'rights_holder', '', '1', '2026-01-01')"))
        session.execute(text("INSERT INTO datasets (id, name, owner_id, kind, description, license, wrapped_key, created_at) VALUES ('d1', 'scripts', 'u2', 'table', '', '{}', x'00', '2026-01-01')"))
        row = new_request(id="r1", owner_id="u1", kind="graph", function_name="", source="{}", inputs={"n0": {"dataset": "scripts", "dataset_id": "d1"}},
                          purpose="research: x", binding_sha256="0" * 64, state=State.SUBMITTED.value)
        for state in (State.DECIDED, State.QUEUED, State.RUNNING, State.QUEUED, State.RUNNING, State.CHECKING):
            transition(session, row, state, actor="t")
        insert_request(session, row, ["d1"])
        assert usage(session, "u1", "d1") == Usage(jobs_used=1, graphs_released=0)
        transition(session, row, State.RELEASED, actor="t")
        assert usage(session, "u1", "d1") == Usage(jobs_used=1, graphs_released=1)
        assert usage(session, "u1", "nothing-yet") == Usage()
