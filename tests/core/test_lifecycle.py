"""The request state machine allows exactly the architecture's transitions, idempotently."""

import pytest

from sealroom.core.errors import InvalidTransition
from sealroom.core.lifecycle import ALLOWED, TERMINAL, State, transition
from sealroom.core.store.models import RequestRow, UserRow


def _request(session):
    session.add(UserRow(id="u1", name="dana", display_name="Dana", role="data_scientist", token_sha256="0" * 64))
    session.flush()
    row = RequestRow(id="r1", owner_id="u1", kind="code", function_name="f", source="def f(x): return 1", inputs={}, purpose="p", binding_sha256="0" * 64, state="submitted")
    session.add(row)
    session.flush()
    return row


def test_happy_path_and_idempotence(workspace):
    with workspace.db.session() as session:
        row = _request(session)
        for state in (State.DECIDED, State.PENDING_REVIEW, State.QUEUED, State.RUNNING, State.CHECKING, State.RELEASED):
            assert transition(session, row, state, actor="t") is not None
        assert transition(session, row, State.RELEASED, actor="t") is None  # idempotent


@pytest.mark.parametrize("start,target", [(State.SUBMITTED, State.RELEASED), (State.PENDING_REVIEW, State.RUNNING), (State.DECIDED, State.RUNNING)])
def test_forbidden_moves(workspace, start, target):
    with workspace.db.session() as session:
        row = _request(session)
        row.state = start.value
        with pytest.raises(InvalidTransition):
            transition(session, row, target, actor="t")


def test_terminal_states_have_no_exits():
    assert all(not ALLOWED[state] for state in TERMINAL)
    # every state except terminal ones can reach a terminal state
    assert all(ALLOWED[state] for state in State if state not in TERMINAL)
