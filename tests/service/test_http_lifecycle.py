"""The whole request lifecycle over HTTP against a real vault process, via the client library."""

from __future__ import annotations

import json

import httpx
import pytest

import sealroom as sr
from sealroom.client.requests import RequestFailed
from sealroom.core.errors import InvalidInput
from sealroom.core.ledger.receipts import verify_receipt
from sealroom.demo.franchise import build_dialogue

SCRIPTS = "northwind-scripts"


@pytest.fixture(scope="module")
def private_lines():
    return build_dialogue(2000, seed=7).to_pandas()


@pytest.fixture(scope="module")
def dana(live_vault):
    ws = sr.connect(live_vault.url, live_vault.tokens["dana"])
    yield ws
    ws.close()


REVIEW_ALL = """@id("review-everything") @effect("review") @reason("the studio reviews every request in these tests")
forbid (principal, action == Action::"compute", resource);"""


@pytest.fixture(scope="module")
def studio(live_vault):
    """Harbor Light, with a policy that sends every request on its scripts to review."""
    ws = sr.connect(live_vault.url, live_vault.tokens["harbor-light"])
    ws.datasets[SCRIPTS].attach_policy(REVIEW_ALL)
    yield ws
    ws.close()


def _submit_and_review(dana, studio, fn, *, approve=True, note="ok"):
    request = dana.remote(plays=dana.datasets[SCRIPTS])(fn).submit(purpose="research: test")
    assert request.view["state"] == "pending_review"
    assert request.view["decision"]["outcome"] == "review"
    pending = {r.id: r for r in studio.requests.pending}
    assert request.id in pending
    (pending[request.id].approve if approve else pending[request.id].deny)(note)
    return request.wait(120)


def lines_per_speaker(plays):
    return plays.groupby("speaker").size().rename("lines").sort_values(ascending=False).reset_index()


def test_approved_request_is_released_with_a_valid_receipt(dana, studio, live_vault, private_lines):
    request = _submit_and_review(dana, studio, lines_per_speaker)
    assert request.view["state"] == "released", request.view
    result = request.result()
    expected = lines_per_speaker(private_lines)
    assert result.set_index("speaker")["lines"].to_dict() == expected.set_index("speaker")["lines"].to_dict()
    signed = request.receipt
    key = httpx.get(f"{live_vault.url}/api/v1/public-key", headers={"Authorization": f"Bearer {live_vault.tokens['dana']}"}).json()["public_key"]
    body = verify_receipt(signed, key)
    assert body["request_id"] == request.id and body["code_sha256"] == request.view["binding_sha256"]
    assert body["sandbox"]["network_namespace"] is True and body["sandbox"]["seccomp"] is True
    assert body["datasets"][0]["dataset"] == SCRIPTS
    with live_vault.client("admin") as admin:
        actions = [e["action"] for e in admin.get("/api/v1/audit").json() if e["subject"] == request.id]
        assert actions == ["request.submitted", "request.decided", "request.pending_review", "review.approve", "request.queued", "request.running", "request.checking", "request.released"]
        assert admin.get("/api/v1/audit/verify").json()["ok"] is True


def test_denied_request_is_rejected_with_the_note(dana, studio):
    request = _submit_and_review(dana, studio, lines_per_speaker, approve=False, note="not for this purpose")
    assert request.view["state"] == "rejected"
    with pytest.raises(RequestFailed, match="not for this purpose"):
        request.result()


def raw_line(plays):
    return {"line": plays["line"].iloc[5]}


def test_raw_script_line_is_withheld(dana, studio, private_lines):
    request = _submit_and_review(dana, studio, raw_line)
    assert request.view["state"] == "withheld"
    assert "verbatim" in request.view["public_reason"]
    assert private_lines["line"].iloc[5] not in json.dumps(request.refresh().view)
    with pytest.raises(RequestFailed, match="withheld"):
        request.result()
    detail = next(r for r in studio.requests.all() if r.id == request.id).view["private"]
    assert detail["findings"]["findings"][0]["check_id"] == "verbatim-text"


def crash_with_content(plays):
    print(plays["line"].iloc[3])
    raise ValueError(plays["line"].iloc[3])


def test_failing_job_leaks_nothing_to_the_data_scientist(dana, studio, private_lines):
    secret = private_lines["line"].iloc[3]
    request = _submit_and_review(dana, studio, crash_with_content)
    assert request.view["state"] == "failed"
    assert "ValueError" in request.view["public_reason"]
    assert secret not in json.dumps(request.refresh().view)
    private = next(r for r in studio.requests.all() if r.id == request.id).view["private"]
    assert secret in private["error"] and secret in private["stdout"]


def test_mock_test_runs_locally_and_refuses_unencodable_results(dana):
    ds = dana.datasets[SCRIPTS]
    assert len(dana.remote(plays=ds)(lines_per_speaker).test()) > 0

    def returns_a_set(plays):
        return set(plays["speaker"])

    with pytest.raises(InvalidInput, match="set"):
        dana.remote(plays=ds)(returns_a_set).test()


def test_bad_submissions_are_refused_with_clear_messages(live_vault):
    with live_vault.client("dana") as client:
        base = {"source": "def f(plays):\n    return 1\n", "function_name": "f", "inputs": {"plays": {"dataset": SCRIPTS}}, "purpose": "research"}
        cases = [
            ({**base, "source": "def f(plays) return"}, 400, "does not parse"),
            ({**base, "function_name": "g"}, 400, "no top-level function"),
            ({**base, "inputs": {"plays": {"dataset": "nope"}}}, 404, "no dataset named"),
            ({**base, "purpose": "  "}, 400, "purpose"),
            ({**base, "inputs": {"other": {"dataset": SCRIPTS}}}, 400, "no parameter named"),
        ]
        for body, status, message in cases:
            response = client.post("/api/v1/requests", json=body)
            assert response.status_code == status, (body, response.text)
            assert message in response.json()["message"]
