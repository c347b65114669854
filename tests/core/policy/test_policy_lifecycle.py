"""The policy engine inside the vault: allow runs at once, review waits for the right owners,
deny refuses with reasons; release can be reviewed; license and policy changes apply to every
later decision and are audited; a rights holder changes only their own dataset's terms."""

from __future__ import annotations

import pytest

from sealroom.core.errors import Forbidden, InvalidInput
from sealroom.core.ledger import audit
from sealroom.core.ledger.receipts import verify_receipt
from sealroom.core.requests import CodeRequest
from sealroom.core.runtime import Vault
from sealroom.core.users import get_user
from sealroom.core.workspace import Workspace

SCRIPTS, STORIES = "northwind-scripts", "northwind-stories"
COUNT = "def count(plays):\n    return int(len(plays))\n"
BOTH = "def both(plays, stories):\n    return int(len(plays) + len(stories))\n"
REVIEW_TEXT = """@id("review-text-results") @effect("review") @reason("results with free text are looked at first")
forbid (principal, action == Action::"release", resource) when { context.result.text_values > 0 };"""
SECRET_REASON = """@id("quiet-review") @public("false") @effect("review") @reason("internal: our lawyers look at every request")
forbid (principal, action == Action::"compute", resource);"""


@pytest.fixture
def vault(demo_copy):
    vault = Vault(Workspace.open(demo_copy.root)).start()
    yield vault
    vault.stop()
    vault.ws.close()


def _user(vault, name):
    with vault.ws.db.session() as session:
        return get_user(session, name)


def _submit(vault, source=COUNT, function="count", inputs=None, purpose="research: test"):
    inputs = inputs or {"plays": {"dataset": SCRIPTS}}
    return vault.requests.submit(_user(vault, "dana"), CodeRequest(source=source, function_name=function, inputs=inputs, purpose=purpose))


def _actions(vault, subject):
    with vault.ws.db.session() as session:
        return [e.action for e in audit.entries(session, subjects=[subject])]


def test_allowed_request_runs_without_review(vault):
    view = _submit(vault)
    assert view["decision"]["outcome"] == "allow" and view["state"] == "queued"
    final = vault.requests.wait(_user(vault, "dana"), view["id"], timeout=60)
    assert final["state"] == "released"
    assert _actions(vault, view["id"]) == ["request.submitted", "request.decided", "request.queued", "request.running", "request.checking", "request.released"]
    _, receipt = vault.requests.result(_user(vault, "dana"), view["id"])
    body = verify_receipt(receipt, vault.ws.keys.public_key_b64())
    assert body["decision"]["outcome"] == "allow" and body["release_decision"]["outcome"] == "allow"
    assert body["approvals"] == []


def test_denied_request_is_rejected_with_public_reasons_and_audited(vault):
    view = _submit(vault, purpose="generative-training: a script writer")
    assert view["state"] == "rejected"
    assert "opted this dataset out of generative AI training" in view["public_reason"]
    record = vault.requests.get(_user(vault, "harbor-light"), view["id"])["decision_record"]
    assert {r["policy_id"] for r in record["reasons"]} >= {"deny-generative-opt-out"}
    assert record["bundle_sha256"] and record["context_sha256"] and record["datasets"] == {SCRIPTS: "deny"}
    assert record["code_profile"]["output_kind"] == "aggregate"
    assert _actions(vault, view["id"]) == ["request.submitted", "request.decided", "request.rejected"]


def test_unknown_purpose_is_refused_before_anything_is_recorded(vault):
    with pytest.raises(InvalidInput, match="start the purpose with one of research"):
        _submit(vault, purpose="fun: whatever")


def test_review_waits_only_for_owners_whose_dataset_asked_for_it(vault):
    # scripts allow this aggregate at once; stories (human review required) send it to review
    view = _submit(vault, source=BOTH, function="both", inputs={"plays": {"dataset": SCRIPTS}, "stories": {"dataset": STORIES}})
    assert view["state"] == "pending_review"
    record = vault.requests.get(_user(vault, "tidewater-press"), view["id"])["decision_record"]
    assert record["datasets"] == {SCRIPTS: "allow", STORIES: "review"}
    final = vault.requests.review(_user(vault, "tidewater-press"), view["id"], approve=True, note="fine")
    assert final["state"] == "queued"  # the studio's approval was not needed
    assert vault.requests.wait(_user(vault, "dana"), view["id"], timeout=60)["state"] == "released"
    # each holder sees the run's private record only when they own every dataset it read
    assert "private" in vault.requests.get(_user(vault, "admin"), view["id"])
    assert "private" not in vault.requests.get(_user(vault, "tidewater-press"), view["id"])
    assert [(r["reviewer_name"], r["stage"]) for r in vault.requests.get(_user(vault, "harbor-light"), view["id"])["reviews"]] == [("tidewater-press", "compute")]
    single = _submit(vault)
    vault.requests.wait(_user(vault, "dana"), single["id"], timeout=60)
    assert "private" in vault.requests.get(_user(vault, "harbor-light"), single["id"])


def test_any_owner_can_still_veto_a_multi_owner_request(vault):
    view = _submit(vault, source=BOTH, function="both", inputs={"plays": {"dataset": SCRIPTS}, "stories": {"dataset": STORIES}})
    final = vault.requests.review(_user(vault, "harbor-light"), view["id"], approve=False, note="not with our scripts")
    assert final["state"] == "rejected" and "not with our scripts" in final["public_reason"]


def test_release_review_holds_the_result_until_the_owner_approves(vault):
    studio = _user(vault, "harbor-light")
    vault.attach_policy(studio, SCRIPTS, REVIEW_TEXT)
    source = "def phrases(plays):\n    return {'note': 'five words of my own text'}\n"
    view = _submit(vault, source=source, function="phrases")
    assert view["decision"]["outcome"] == "review"  # it returns text, so it is reviewed before it runs too
    vault.requests.review(studio, view["id"], approve=True, note="run it")
    waiting = vault.requests.wait(_user(vault, "dana"), view["id"], timeout=60)
    assert waiting["state"] == "release_review"
    reviewer_view = vault.requests.get(studio, view["id"])
    assert [r["policy_id"] for r in reviewer_view["release_decision"]["reasons"]] == ["review-text-results"]
    assert reviewer_view["result_preview"] == {"kind": "json", "text": '{"note": "five words of my own text"}', "truncated": False}
    assert "result_preview" not in vault.requests.get(_user(vault, "dana"), view["id"])
    with pytest.raises(Exception):
        vault.requests.result(_user(vault, "dana"), view["id"])
    released = vault.requests.review(studio, view["id"], approve=True, note="that is their own text")
    assert released["state"] == "released"
    value, receipt = vault.requests.result(_user(vault, "dana"), view["id"])
    assert receipt["receipt"]["release_decision"]["outcome"] == "review"
    assert [a["stage"] for a in receipt["receipt"]["approvals"]] == ["compute", "release"]


def test_release_review_deny_withholds(vault):
    studio = _user(vault, "harbor-light")
    vault.attach_policy(studio, SCRIPTS, REVIEW_TEXT)
    view = _submit(vault, source="def phrases(plays):\n    return ['a sentence of five words']\n", function="phrases")
    vault.requests.review(studio, view["id"], approve=True, note="run it")
    vault.requests.wait(_user(vault, "dana"), view["id"], timeout=60)
    final = vault.requests.review(studio, view["id"], approve=False, note="no text please")
    assert final["state"] == "withheld" and "no text please" in final["public_reason"]


def test_revocation_applies_to_the_next_decision_and_to_release(vault):
    studio, dana = _user(vault, "harbor-light"), _user(vault, "dana")
    queued = vault.runner  # stop the worker so a request stays queued across the change
    vault.runner.stop()
    waiting = _submit(vault)
    assert waiting["state"] == "queued"
    vault.update_license(studio, SCRIPTS, {"revoked": True})
    assert _submit(vault)["state"] == "rejected"
    queued.start()  # the queued request now runs; its release decision sees the revocation
    final = vault.requests.wait(dana, waiting["id"], timeout=60)
    assert final["state"] == "withheld" and "revoked" in final["public_reason"]
    entries = [e for e in _entries(vault) if e.action == "license.updated"]
    assert entries and entries[-1].payload["changed"] == {"revoked": [False, True]} and entries[-1].actor == "harbor-light"


def test_expiry_and_opt_out_changes_apply_to_later_requests(vault):
    studio = _user(vault, "harbor-light")
    vault.update_license(studio, SCRIPTS, {"expires": "2020-01-01"})
    assert "expired" in _submit(vault)["public_reason"]
    vault.update_license(studio, SCRIPTS, {"expires": None, "allowed_purposes": ["research"]})
    assert _submit(vault, purpose="education: class")["state"] == "rejected"
    assert _submit(vault)["decision"]["outcome"] == "allow"


def test_attached_policy_changes_decisions_and_is_audited(vault):
    studio = _user(vault, "harbor-light")
    assert _submit(vault)["decision"]["outcome"] == "allow"
    vault.attach_policy(studio, SCRIPTS, SECRET_REASON)
    view = _submit(vault)
    assert view["state"] == "pending_review"
    assert "lawyers" not in str(view) and view["decision"]["reasons"] == []  # hidden from the data scientist
    assert "lawyers" in str(vault.requests.get(studio, view["id"])["decision_record"])
    vault.remove_policy(studio, SCRIPTS, "quiet-review")
    assert _submit(vault)["decision"]["outcome"] == "allow"
    actions = [(e.action, e.payload.get("policy_id")) for e in _entries(vault) if e.action.startswith("policy.")]
    assert actions == [("policy.attached", "quiet-review"), ("policy.removed", "quiet-review")]


@pytest.mark.parametrize("who", ["tidewater-press", "dana", "admin"])
def test_only_the_owner_changes_a_datasets_policies_and_license(vault, who):
    actor = _user(vault, who)
    with pytest.raises(Forbidden):
        vault.attach_policy(actor, SCRIPTS, SECRET_REASON)
    with pytest.raises(Forbidden):
        vault.update_license(actor, SCRIPTS, {"revoked": True})
    assert vault.dataset_policies(SCRIPTS) == [] and vault.dataset(SCRIPTS).license["revoked"] is False
    assert not [e for e in _entries(vault) if e.action in ("policy.attached", "license.updated")]


def test_invalid_policy_is_refused_with_the_validators_message_and_changes_nothing(vault):
    studio = _user(vault, "harbor-light")
    bad = '@id("typo") @effect("deny") @reason("r") forbid (principal, action, resource) when { resource.license.revokd };'
    with pytest.raises(InvalidInput, match="revokd"):
        vault.attach_policy(studio, SCRIPTS, bad)
    with pytest.raises(InvalidInput, match="@effect"):
        vault.attach_policy(studio, SCRIPTS, '@id("x") @reason("r") forbid (principal, action, resource);')
    with pytest.raises(InvalidInput, match="one policy at a time"):
        vault.attach_policy(studio, SCRIPTS, SECRET_REASON + "\n" + REVIEW_TEXT)
    with pytest.raises(InvalidInput, match="revoked"):
        vault.update_license(studio, SCRIPTS, {"revoked": "yes"})
    assert vault.dataset_policies(SCRIPTS) == []
    assert not [e for e in _entries(vault) if e.action.startswith(("policy.", "license."))]


def _entries(vault):
    with vault.ws.db.session() as session:
        return audit.entries(session, limit=10_000)


def test_a_policy_that_no_longer_validates_denies_and_the_error_is_audited(vault):
    """A stored policy that fails at evaluation (here written straight into the database) fails closed."""
    from sealroom.core.store.models import DatasetPolicyRow

    studio = _user(vault, "harbor-light")
    with vault.ws.db.session() as session:
        dataset_id = vault.dataset(SCRIPTS).id
        session.add(DatasetPolicyRow(dataset_id=dataset_id, policy_id="broken", text='@id("broken") @effect("deny") @reason("r")\nforbid (principal, action, resource) when { resource.license.gone };', sha256="0" * 64, author_id=studio.id))
    view = _submit(vault)
    assert view["state"] == "rejected" and "could not evaluate" in view["public_reason"]
    with vault.ws.db.session() as session:
        decided = [e for e in audit.entries(session, subjects=[view["id"]]) if e.action == "request.decided"][0]
    assert decided.payload["decision"]["outcome"] == "deny" and "gone" in " ".join(decided.payload["decision"]["errors"])
