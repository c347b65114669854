"""Authorization matrix: every role against every endpoint, over HTTP to a real vault process.

Roles: anonymous, a bad token, the requesting data scientist (dana), another data scientist
(eve), the rights holder who owns the dataset (harbor-light), a rights holder who does not
(tidewater-press), and the admin. A sweep then checks that no endpoint returns private content.
"""

from __future__ import annotations

import json

import pytest

from sealroom.demo.franchise import build_dialogue

ROLES = ["anon", "bad", "dana", "eve", "harbor-light", "tidewater-press", "admin"]
SCRIPTS = "northwind-scripts"
SOURCE = "def count(plays):\n    return int(len(plays))\n"

# The complete list of API routes; a new route must be added here (and to the matrix) to pass.
EXPECTED_ROUTES = {
    ("GET", "/api/v1/health"), ("GET", "/api/v1/whoami"), ("GET", "/api/v1/public-key"), ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/verify"), ("GET", "/api/v1/datasets"), ("GET", "/api/v1/datasets/{name}"),
    ("GET", "/api/v1/datasets/{name}/mock"), ("POST", "/api/v1/datasets"), ("POST", "/api/v1/requests"), ("POST", "/api/v1/graphs"),
    ("GET", "/api/v1/requests"), ("GET", "/api/v1/requests/{request_id}"), ("GET", "/api/v1/requests/{request_id}/wait"),
    ("POST", "/api/v1/requests/{request_id}/approve"), ("POST", "/api/v1/requests/{request_id}/deny"),
    ("GET", "/api/v1/requests/{request_id}/result"), ("GET", "/api/v1/requests/{request_id}/receipt"),
    ("GET", "/api/v1/policies"), ("GET", "/api/v1/datasets/{name}/policies"), ("POST", "/api/v1/datasets/{name}/policies"),
    ("DELETE", "/api/v1/datasets/{name}/policies/{policy_id}"), ("PATCH", "/api/v1/datasets/{name}/license"),
}
REVIEW_ALL = """@id("review-everything") @effect("review") @reason("the studio reviews every request in these tests")
forbid (principal, action == Action::"compute", resource);"""


def _noop_policy(policy_id: str) -> str:
    return f"""@id("{policy_id}") @effect("review") @reason("never matches")
forbid (principal == User::"nobody", action, resource);"""


@pytest.fixture(scope="module")
def requests_made(live_vault):
    """Two requests by dana: one released, one left pending; returns their ids."""
    with live_vault.client("dana") as dana, live_vault.client("harbor-light") as studio:
        for text in (REVIEW_ALL, _noop_policy("matrix-delete")):
            assert studio.post(f"/api/v1/datasets/{SCRIPTS}/policies", json={"text": text}).status_code == 201
        body = {"source": SOURCE, "function_name": "count", "inputs": {"plays": {"dataset": SCRIPTS}}, "purpose": "research"}
        released = dana.post("/api/v1/requests", json=body).json()["id"]
        pending = dana.post("/api/v1/requests", json=body).json()["id"]
        assert studio.post(f"/api/v1/requests/{released}/approve", json={"note": "fine"}).status_code == 200
        assert dana.get(f"/api/v1/requests/{released}/wait", params={"timeout": 60}).json()["state"] == "released"
    return {"released": released, "pending": pending}


def _expect(table: str) -> dict[str, int]:
    return dict(zip(ROLES, (int(code) for code in table.split())))


#   endpoint                                            anon bad dana eve  hl  tp admin
MATRIX = [
    ("GET", "/api/v1/health", None,                     "200 200 200 200 200 200 200"),
    ("GET", "/api/v1/whoami", None,                     "401 401 200 200 200 200 200"),
    ("GET", "/api/v1/public-key", None,                 "401 401 200 200 200 200 200"),
    ("GET", "/api/v1/datasets", None,                   "401 401 200 200 200 200 200"),
    ("GET", f"/api/v1/datasets/{SCRIPTS}", None,        "401 401 200 200 200 200 200"),
    ("GET", f"/api/v1/datasets/{SCRIPTS}/mock", None,   "401 401 200 200 200 200 200"),
    ("POST", "/api/v1/requests", "submit",              "401 401 201 201 403 403 403"),
    ("GET", "/api/v1/requests", None,                   "401 401 200 200 200 200 200"),
    ("GET", "/api/v1/requests/{released}", None,        "401 401 200 404 200 404 200"),
    ("GET", "/api/v1/requests/{released}/wait?timeout=0", None, "401 401 200 404 200 404 200"),
    ("GET", "/api/v1/requests/{released}/result", None, "401 401 200 404 403 404 403"),
    ("GET", "/api/v1/requests/{released}/receipt", None, "401 401 200 404 403 404 403"),
    ("POST", "/api/v1/requests/{pending}/approve", "note", "401 401 403 403 XXX 404 403"),
    ("POST", "/api/v1/requests/{pending}/deny", "note", "401 401 403 403 XXX 404 403"),
    ("GET", "/api/v1/audit", None,                      "401 401 403 403 200 200 200"),
    ("GET", "/api/v1/audit/verify", None,               "401 401 403 403 403 403 200"),
    ("GET", "/api/v1/policies", None,                   "401 401 200 200 200 200 200"),
    ("GET", f"/api/v1/datasets/{SCRIPTS}/policies", None, "401 401 200 200 200 200 200"),
    ("POST", f"/api/v1/datasets/{SCRIPTS}/policies", "policy", "401 401 403 403 201 403 403"),
    ("DELETE", f"/api/v1/datasets/{SCRIPTS}/policies/matrix-delete", None, "401 401 403 403 204 403 403"),
    ("PATCH", f"/api/v1/datasets/{SCRIPTS}/license", "license", "401 401 403 403 200 403 403"),
]


@pytest.mark.parametrize("method,path,body,table", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_role_endpoint_matrix(live_vault, requests_made, method, path, body, table):
    path = path.format(**requests_made)
    payload = {
        "submit": {"source": SOURCE, "function_name": "count", "inputs": {"plays": {"dataset": SCRIPTS}}, "purpose": "research"},
        "note": {"note": "n"}, "policy": {"text": _noop_policy("matrix-attach")}, "license": {"attribution": "Northwind scripts, Harbor Light."}, None: None,
    }[body]
    for role, expected in zip(ROLES, table.split()):
        if expected == "XXX":
            continue  # the owner's verdict changes state; covered by the lifecycle tests
        with live_vault.client(None if role == "anon" else role) as client:
            response = client.request(method, path, json=payload)
        assert response.status_code == int(expected), f"{role} {method} {path}: {response.status_code} {response.text[:200]}"
        if response.status_code >= 400:
            assert set(response.json()) == {"error", "message"}


def test_rights_holder_cannot_attach_policies_to_another_holders_dataset(live_vault):
    with live_vault.client("tidewater-press") as other:
        response = other.post(f"/api/v1/datasets/{SCRIPTS}/policies", json={"text": _noop_policy("hostile")})
        assert response.status_code == 403 and "owns" in response.json()["message"]
        response = other.patch(f"/api/v1/datasets/{SCRIPTS}/license", json={"revoked": True})
        assert response.status_code == 403
    with live_vault.client("dana") as dana:
        assert "hostile" not in {p["policy_id"] for p in dana.get(f"/api/v1/datasets/{SCRIPTS}/policies").json()}
        assert dana.get(f"/api/v1/datasets/{SCRIPTS}").json()["license"]["revoked"] is False


def test_tidewater_cannot_approve_and_owner_can(live_vault, requests_made):
    with live_vault.client("tidewater-press") as other, live_vault.client("harbor-light") as owner:
        assert other.post(f"/api/v1/requests/{requests_made['pending']}/approve", json={"note": "x"}).status_code == 404
        assert owner.post(f"/api/v1/requests/{requests_made['pending']}/deny", json={"note": "no"}).json()["state"] == "rejected"


def test_rights_holder_can_register_data_scientist_cannot(live_vault):
    files = {"files": ("tiny.csv", b"who,count\nx,1\ny,2\n", "text/csv")}
    meta = {"metadata": json.dumps({"name": "tiny-table", "kind": "table"})}
    with live_vault.client("dana") as dana, live_vault.client("tidewater-press") as holder, live_vault.client(None) as anon:
        assert dana.post("/api/v1/datasets", data=meta, files=files).status_code == 403
        assert anon.post("/api/v1/datasets", data=meta, files=files).status_code == 401
        response = holder.post("/api/v1/datasets", data=meta, files=files)
        assert response.status_code == 201, response.text
        assert response.json()["owner"] == "tidewater-press"
        traversal = {"files": ("../../escape.csv", b"a\n1\n", "text/csv")}
        refused = holder.post("/api/v1/datasets", data={"metadata": json.dumps({"name": "escape", "kind": "table"})}, files=traversal)
        assert refused.status_code == 400 and "not allowed" in refused.json()["message"]


def test_route_list_is_exactly_the_reviewed_set(live_vault):
    with live_vault.client("dana") as client:
        spec = client.get("/api/v1/openapi.json").json()
    routes = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert routes == EXPECTED_ROUTES


def test_no_endpoint_returns_private_content_to_anyone(live_vault, requests_made):
    lines = build_dialogue(2000, seed=7).column("line").to_pylist()
    probes = [line for line in lines if len(line) > 40][:200]
    paths = [p.format(**requests_made) for m, p, _, _ in MATRIX if m == "GET"]
    for role in ROLES:
        with live_vault.client(None if role == "anon" else role) as client:
            for path in paths:
                text = client.get(path).content.decode("utf-8", errors="replace")
                leaked = [p for p in probes if p in text]
                assert not leaked, f"{role} GET {path} returned private text"
