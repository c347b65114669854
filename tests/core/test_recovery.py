"""A vault restart resumes every interrupted request: none is lost."""

from __future__ import annotations

from sealroom.core.lifecycle import State
from sealroom.core.requests import CodeRequest
from sealroom.core.runtime import Vault
from sealroom.core.store.models import RequestRow
from sealroom.core.users import get_user
from sealroom.core.workspace import Workspace

SOURCE = "def count(plays):\n    return int(len(plays))\n"


def test_requests_interrupted_mid_run_complete_after_restart(demo_copy):
    ws = Workspace.open(demo_copy.root)
    first = Vault(ws)  # never started: nothing runs the queue, as if the process died
    with ws.db.session() as session:
        dana = get_user(session, "dana")
    ids = []
    for _ in range(3):
        view = first.requests.submit(dana, CodeRequest(source=SOURCE, function_name="count", inputs={"plays": {"dataset": "northwind-scripts"}}, purpose="research"))
        assert view["state"] == State.QUEUED.value  # an aggregate for research: the policy allows it at once
        ids.append(view["id"])
    with ws.db.session() as session:  # simulate a crash in the middle of running and checking
        session.get(RequestRow, ids[1]).state = State.RUNNING.value
        session.get(RequestRow, ids[2]).state = State.CHECKING.value
    first.executor.close()

    second = Vault(ws).start()
    try:
        states = [second.requests.wait(dana, request_id, timeout=60)["state"] for request_id in ids]
    finally:
        second.stop()
        ws.close()
    assert states == ["released", "released", "released"]
