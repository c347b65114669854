"""``RequestStatusView`` against a real vault: it follows a request through review to its final
state on its own thread, stops when asked or when the request is finished, and turns a failing
connection into one line in the widget rather than an exception."""

from __future__ import annotations

import json
import socket
import threading

from widget_support import COUNT, FIRST_LINE, eventually, shown_texts, submit

import sealroom as sr
from sealroom.client.http import VaultHTTP
from sealroom.client.requests import Request
from sealroom.widgets import RequestStatusView


def status_threads(request_id: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"sealroom-status-{request_id}"]


def test_follows_a_request_through_review_to_its_final_state(dana, studio, live_vault):
    request = submit(dana, FIRST_LINE)
    view = request.widget()
    assert isinstance(view, RequestStatusView)
    assert view.state == "pending_review" and view.live and len(status_threads(request.id)) == 1
    assert "pending_review" in view.header.value and "updating live" in view.header.value
    assert "research: look at one line" in view.details.value and "northwind-scripts" in view.details.value
    assert "so the rights holder reviews it" in view.details.value  # the decision's public reason

    studio.requests[request.id].approve("a close reading is fine")
    eventually(lambda: view.finished, message="the widget did not reach the final state")
    assert view.join(30) and not view.live and status_threads(request.id) == []
    assert view.state == "withheld" and "withheld" in view.header.value and "updating live" not in view.header.value
    assert "approve by Harbor Light Studios" in view.details.value and "a close reading is fine" in view.details.value
    assert "verbatim-text check" in view.details.value and "checks run: result-size, verbatim-text" in view.details.value
    assert view.problem.value == ""
    assert request.view["state"] == "pending_review"  # the handle the caller holds is left as it was
    shown = json.dumps(shown_texts(view))
    assert all(token not in shown for token in live_vault.tokens.values())


def test_a_released_result_shows_its_summary(dana):
    request = submit(dana, COUNT, "research: how many lines").wait(60)
    view = request.widget()
    assert request.view["state"] == "released" and not view.live and status_threads(request.id) == []
    assert "released" in view.header.value and request.view["result"]["sha256"] in view.details.value
    assert "signed receipt issued" in view.details.value and "json" in view.details.value


def test_stop_ends_the_updates(dana, studio):
    request = submit(dana, FIRST_LINE)
    view = RequestStatusView(request, review_poll_seconds=0.1)
    assert view.live
    view.stop()
    assert not view.live and "live updates stopped" in view.header.value
    assert view.join(30) and status_threads(request.id) == []
    studio.requests[request.id].approve("fine")
    assert dana.requests[request.id].wait(60).view["state"] == "withheld"
    assert view.state == "pending_review" and "pending_review" in view.header.value  # no update after stop()


def test_not_live_when_asked_or_finished(dana):
    waiting = submit(dana, FIRST_LINE)
    view = waiting.widget(live=False)
    assert not view.live and status_threads(waiting.id) == [] and "updating live" not in view.header.value
    refused = submit(dana, COUNT, "generative-training: a script writer")
    view = refused.widget()
    assert refused.view["state"] == "rejected" and not view.live and status_threads(refused.id) == []
    assert "was not run" in view.header.value and "opted this dataset out of generative AI training" in view.details.value


def test_a_closed_workspace_is_one_line_in_the_widget(live_vault):
    ws = sr.connect(live_vault.url, live_vault.tokens["dana"])
    request = submit(ws, FIRST_LINE)
    view = RequestStatusView(request, review_poll_seconds=0.1)
    ws.close()
    eventually(lambda: not view.live, timeout=30, message="the widget kept following a closed workspace")
    assert view.join(30)
    assert "live updates stopped" in view.problem.value and "\n" not in view.problem.value
    assert "Traceback" not in view.problem.value and view.state == "pending_review"


def test_an_unreachable_vault_is_retried_then_given_up(dana):
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = submit(dana, FIRST_LINE)
    gone = Request(VaultHTTP(f"http://127.0.0.1:{port}", "sr_unused", timeout=2), request.view)
    view = RequestStatusView(gone, retries=1)
    eventually(lambda: "trying again in 1 s" in view.problem.value, timeout=30, message="no retry shown")
    eventually(lambda: not view.live, timeout=30, message="the widget did not give up")
    assert "cannot reach the vault" in view.problem.value and "live updates stopped" in view.problem.value
    assert view.join(30)
