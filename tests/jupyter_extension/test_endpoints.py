"""The /sealroom/ REST endpoints of real Jupyter servers against a real vault (module ``live_vault``).

The rights holder's server reviews requests that dana submits through the client library; the
data scientist's server must not be able to approve anything through any route, whatever the
browser sends; a server whose vault is down answers 502.
"""

from __future__ import annotations

import json
import re

import httpx
import pytest

from sealroom.core.hashing import sha256_json
from sealroom.demo.holders import STUDIO
from sealroom.demo.roundtrip import SCRIPTS
from sealroom.jupyter_extension.app import SealroomExtension

pytestmark = pytest.mark.slow

HOLDER = STUDIO.handle  # owns SCRIPTS (not imported from conftest: another folder's conftest can shadow that name)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
METHODS = ("GET", "HEAD", "OPTIONS", *WRITE_METHODS)


def spoofing_headers(live_vault) -> dict:
    """Headers a browser could send to claim the holder's identity (their vault token included)."""
    names = ("X-Sealroom-User", "X-Forwarded-User", "Remote-User", "X-Sealroom-As")
    return {**{name: HOLDER for name in names}, "X-Sealroom-Token": live_vault.tokens[HOLDER], "X-Vault-Token": live_vault.tokens[HOLDER]}


def extension_paths(request_id: str) -> list[str]:
    """Every route the extension registers (read from the extension itself), with the id filled in."""
    extension = SealroomExtension()
    extension.initialize_handlers()
    paths = []
    for pattern, *_ in extension.handlers:
        path = re.sub(r"\(\?P<request_id>[^)]*\)", request_id, pattern)
        assert "(" not in path, f"route {pattern} has a group this test does not know how to fill"
        paths.append(path)
    assert any(p.endswith("/approve") for p in paths) and any(p.endswith("/deny") for p in paths)
    return paths


def vault_record(live_vault, request_id: str) -> dict:
    """What the vault holds about a request: its state, reviews and review audit entries."""
    with live_vault.client(HOLDER) as holder, live_vault.client("admin") as admin:
        view = holder.get(f"/api/v1/requests/{request_id}").json()
        audit = [e["action"] for e in admin.get("/api/v1/audit", params={"limit": 10000}).json() if e["subject"] == request_id]
    return {"state": view["state"], "reviews": view["reviews"], "review_audit": [a for a in audit if a.startswith("review.")]}


def ids(cards: list[dict]) -> list[str]:
    return [c["id"] for c in cards]


def test_me_answers_as_the_servers_vault_user(jupyter_servers, live_vault):
    with jupyter_servers.holder.client() as client:
        me = client.get("/sealroom/me").json()
        identity = client.get("/api/me").json()["identity"]
    assert me == {"name": HOLDER, "display_name": "Harbor Light Studios", "role": "rights_holder", "org": "Harbor Light Studios", "vault_url": live_vault.url, "embedded": False}
    assert (identity["username"], identity["display_name"], identity["initials"]) == (HOLDER, "Harbor Light Studios", "HL")
    with jupyter_servers.scientist.client() as client:
        me = client.get("/sealroom/me").json()
        identity = client.get("/api/me").json()["identity"]
    assert (me["name"], me["role"], me["org"]) == ("dana", "data_scientist", "Aurora Lab")
    assert (identity["username"], identity["initials"]) == ("dana", "D")


def test_pending_request_shows_code_purpose_requester_reasons_and_items(jupyter_servers, review_request, live_vault):
    with jupyter_servers.holder.client() as client:
        reviews = client.get("/sealroom/reviews").json()
        single = client.get(f"/sealroom/reviews/{review_request.id}").json()
    assert reviews["user"]["name"] == HOLDER
    assert reviews["version"] == sha256_json({"pending": reviews["pending"], "history": reviews["history"]})
    assert review_request.id in ids(reviews["pending"]) and review_request.id not in ids(reviews["history"])
    card = next(c for c in reviews["pending"] if c["id"] == review_request.id)
    assert card == single
    assert (card["state"], card["stage"], card["must_review"]) == ("pending_review", "compute", True)
    assert (card["function_name"], card["source"], card["purpose"]) == ("one_line", review_request.code, "research: look at one line")
    assert card["requester"] == {"name": "dana", "display_name": "Dana (data scientist)"}
    assert card["datasets"] == [SCRIPTS] and card["reviews"] == [] and card["release_decision"] is None
    assert card["decision"]["outcome"] == "review" and card["decision"]["datasets"] == {SCRIPTS: "review"}
    review_reasons = [r for r in card["decision"]["reasons"] if r["effect"] == "review"]
    assert review_reasons and all(set(r) == {"policy", "reason", "effect", "dataset"} and r["policy"] and r["reason"] for r in review_reasons)
    with live_vault.client(HOLDER) as holder:
        asset = holder.get(f"/api/v1/datasets/{SCRIPTS}").json()["assets"][0]
    assert card["items"] == [{"dataset": SCRIPTS, "asset": asset["name"], "items_root": asset["items_root"], "item_count": asset["n_items"]}]
    assert asset["n_items"] > 0


def test_holder_approves_with_a_note_and_the_request_moves_to_history(jupyter_servers, review_request, live_vault):
    with jupyter_servers.holder.client() as client:
        answer = client.post(f"/sealroom/reviews/{review_request.id}/approve", json={"note": "  fine for research  "})
        assert answer.status_code == 200, answer.text
        card = answer.json()["request"]
        assert card["state"] != "pending_review" and card["must_review"] is False
        assert [(r["reviewer"], r["verdict"], r["note"]) for r in card["reviews"]] == [("Harbor Light Studios", "approve", "fine for research")]
        final = review_request.wait(120).view["state"]
        assert final in ("released", "withheld")  # a raw line: the verbatim check withholds it
        again = client.post(f"/sealroom/reviews/{review_request.id}/approve", json={"note": "again"})
        changed_mind = client.post(f"/sealroom/reviews/{review_request.id}/deny", json={"note": "no"})
        reviews = client.get("/sealroom/reviews").json()
    assert again.status_code == 200  # the vault answers a repeated verdict idempotently
    assert changed_mind.status_code == 400 and changed_mind.json()["error"] == "invalid_input"
    assert review_request.id not in ids(reviews["pending"])
    in_history = next(c for c in reviews["history"] if c["id"] == review_request.id)
    assert in_history["state"] == final and in_history["reviews"][0]["note"] == "fine for research"
    assert vault_record(live_vault, review_request.id)["review_audit"] == ["review.approve"]


def test_holder_denies_with_a_note(jupyter_servers, review_request, live_vault):
    with jupyter_servers.holder.client() as client:
        answer = client.post(f"/sealroom/reviews/{review_request.id}/deny", json={"note": "not this line"})
        reviews = client.get("/sealroom/reviews").json()
    assert answer.status_code == 200, answer.text
    assert answer.json()["request"]["state"] == "rejected"
    assert review_request.id in ids(reviews["history"]) and review_request.id not in ids(reviews["pending"])
    assert "not this line" in review_request.refresh().view["public_reason"]
    assert vault_record(live_vault, review_request.id)["review_audit"] == ["review.deny"]


def test_bad_notes_and_unknown_ids_are_refused_in_the_vaults_terms(jupyter_servers, review_request, live_vault):
    path = f"/sealroom/reviews/{review_request.id}/approve"
    with jupyter_servers.holder.client() as client:
        not_json = client.post(path, content=b"approve!", headers={"Content-Type": "application/json"})
        not_text = client.post(path, json={"note": 5})
        not_object = client.post(path, json=["note"])
        unknown = client.get("/sealroom/reviews/0000000000000000")
        unknown_post = client.post("/sealroom/reviews/0000000000000000/approve", json={"note": ""})
    for answer in (not_json, not_text, not_object):
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_input", answer.text
    for answer in (unknown, unknown_post):
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", answer.text
    assert vault_record(live_vault, review_request.id)["state"] == "pending_review"


def test_the_data_scientist_sees_no_reviews(jupyter_servers, review_request):
    with jupyter_servers.scientist.client() as client:
        reviews = client.get("/sealroom/reviews").json()
        own = client.get(f"/sealroom/reviews/{review_request.id}")
    assert reviews["user"]["name"] == "dana" and reviews["pending"] == [] and reviews["history"] == []
    assert own.status_code == 403 and own.json()["error"] == "forbidden"


def test_no_route_and_no_method_lets_the_data_scientist_approve(jupyter_servers, review_request, live_vault):
    before = vault_record(live_vault, review_request.id)
    assert before == {"state": "pending_review", "reviews": [], "review_audit": []}
    body = {"note": "approved by the data scientist", "as": HOLDER, "user": HOLDER, "token": live_vault.tokens[HOLDER]}
    answers = []
    with jupyter_servers.scientist.client() as client:
        for path in extension_paths(review_request.id):
            for method in METHODS:
                content = {} if method in ("GET", "HEAD", "OPTIONS") else {"content": json.dumps(body)}
                answer = client.request(method, path, headers={**spoofing_headers(live_vault), "Content-Type": "application/json"}, **content)
                answers.append((method, path, answer.status_code, answer.text))
    assert len(answers) >= 5 * len(METHODS)
    assert [a for a in answers if a[0] in WRITE_METHODS and a[2] < 400] == []
    assert [a for a in answers if '"approve"' in a[3]] == []
    decisions = [a for a in answers if a[0] == "POST" and a[1].endswith(("/approve", "/deny"))]
    assert decisions and all(a[2] == 403 and json.loads(a[3])["error"] == "forbidden" for a in decisions), decisions
    assert vault_record(live_vault, review_request.id) == before


def test_calls_without_a_jupyter_sign_in_are_refused(jupyter_servers, review_request, live_vault):
    """On the holder's server, where a signed-in call could approve."""
    before = vault_record(live_vault, review_request.id)
    vault_token = live_vault.tokens[HOLDER]
    attempts = [{}, {"Authorization": "token not-the-jupyter-token"}, {"Authorization": f"Bearer {vault_token}"}, {"Authorization": f"token {vault_token}"}]
    with jupyter_servers.holder.client(signed_in=False) as client:
        for headers in attempts:
            for path in extension_paths(review_request.id):
                for method in METHODS:
                    answer = client.request(method, path, headers=headers, params={"as": HOLDER}, **({} if method in ("GET", "HEAD") else {"json": {"note": "x"}}))
                    assert answer.status_code in (401, 403, 405) or (method == "OPTIONS" and not answer.content), (headers, method, path, answer.status_code)
    assert vault_record(live_vault, review_request.id) == before


def test_a_browser_session_needs_jupyters_xsrf_token_to_decide(jupyter_servers, review_request, live_vault):
    server = jupyter_servers.holder
    path = f"/sealroom/reviews/{review_request.id}/approve"
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        assert browser.get("/login").status_code == 200  # a page: sets the _xsrf cookie
        assert browser.get("/sealroom/me", params={"token": server.token}).status_code == 200  # signs in: login cookie
        assert browser.get("/sealroom/me").status_code == 200  # the cookie alone is a session
        without = browser.post(path, json={"note": "from the page"})
        assert without.status_code == 403
        assert vault_record(live_vault, review_request.id)["state"] == "pending_review"
        xsrf = browser.cookies.get("_xsrf")
        assert xsrf, "the server set no _xsrf cookie"
        with_token = browser.post(path, json={"note": "from the page"}, headers={"X-XSRFToken": xsrf})
    assert with_token.status_code == 200, with_token.text
    assert vault_record(live_vault, review_request.id)["review_audit"] == ["review.approve"]


def test_nothing_the_browser_sends_chooses_the_vault_identity(jupyter_servers, review_request, live_vault):
    holder_token, spoof = live_vault.tokens[HOLDER], spoofing_headers(live_vault)
    with jupyter_servers.scientist.client() as client:
        decision = client.post(f"/sealroom/reviews/{review_request.id}/approve", json={"note": "", "as": HOLDER, "user": HOLDER, "vault_token": holder_token}, headers=spoof)
        me = client.get("/sealroom/me", params={"as": HOLDER, "user": HOLDER, "vault_token": holder_token}, headers=spoof).json()
    assert decision.status_code == 403
    assert me["name"] == "dana"
    with jupyter_servers.holder.client() as client:
        assert client.get("/sealroom/me", headers={"X-Sealroom-User": "dana", "X-Sealroom-As": "dana"}, params={"as": "dana"}).json()["name"] == HOLDER
    assert vault_record(live_vault, review_request.id)["state"] == "pending_review"


def test_a_vault_that_does_not_answer_is_a_502_that_says_what_to_do(jupyter_servers):
    server = jupyter_servers.down
    with server.client() as client:
        assert client.get("/api/status").status_code == 200  # Jupyter itself works
        answers = [client.get("/sealroom/me"), client.get("/sealroom/reviews"), client.get("/sealroom/reviews/abc"), client.post("/sealroom/reviews/abc/approve", json={"note": ""})]
    for answer in answers:
        assert answer.status_code == 502, answer.text
        body = answer.json()
        assert body["error"] == "vault_unavailable" and jupyter_servers.down_url in body["message"] and "sealroom serve" in body["message"]
        assert "sr_a-token" not in answer.text


def test_a_server_without_a_token_says_how_to_configure_one(jupyter_servers):
    with jupyter_servers.tokenless.client() as client:
        answer = client.get("/sealroom/reviews")
    assert answer.status_code == 500 and answer.json()["error"] == "configuration_error"
    assert "c.SealroomExtension.vault_token" in answer.json()["message"]
    assert "no vault token" in jupyter_servers.tokenless.log()


def test_no_vault_token_reaches_a_server_log(jupyter_servers, live_vault):
    for server, token in ((jupyter_servers.holder, live_vault.tokens[HOLDER]), (jupyter_servers.scientist, live_vault.tokens["dana"]), (jupyter_servers.down, "sr_a-token")):
        log = server.log()
        assert "Sealroom" in log and token not in log
