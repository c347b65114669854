"""The Cedar policy engine: the shipped examples, deny rules that always win, failing closed, records."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime

import cedarpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.core.catalog.license import PURPOSES, LicenseTerms
from sealroom.core.errors import InvalidInput
from sealroom.core.policy.cedar_engine import NO_PERMIT, POLICY_ERROR, CedarEngine
from sealroom.core.policy.decision import Outcome
from sealroom.core.policy.engine import ENGINE_ERROR, decide_safely
from sealroom.core.policy.entities import cedar_request, entities_json
from sealroom.core.policy.examples import load_request, run_examples
from sealroom.core.policy.pack import PolicyPack, read_policies

PACK = PolicyPack.load()
EXAMPLES = PACK.example_files()
DATASET_POLICIES = {p.stem: p.read_text() for p in sorted((PACK.directory / "dataset").glob("*.cedar"))}
CATCH_ALL = "permit (principal, action, resource);"


@pytest.fixture(scope="module")
def engine() -> CedarEngine:
    return CedarEngine(PACK)


def policy(pid: str, body: str, *, effect: str | None = "deny", reason: str = "a test rule", public: str | None = None) -> str:
    notes = [f'@id("{pid}")', f'@reason("{reason}")']
    if effect is not None:
        notes.append(f'@effect("{effect}")')
    if public is not None:
        notes.append(f'@public("{public}")')
    return "\n".join(notes) + "\n" + body


def license_terms(**changes) -> dict:
    base = {"allowed_purposes": ("research",), "human_review_required": False, "expires": "2028-12-31", "max_jobs": 500}
    return LicenseTerms(**{**base, **changes}).to_dict()


def dataset(name: str = "northwind-scripts", *, owner: str = "harbor-light", policies=(), jobs_used: int = 0, **license_changes) -> dict:
    return {
        "name": name,
        "kind": "table",
        "owner": {"name": owner, "role": "rights_holder", "org": "Harbor Light Studios"},
        "license": license_terms(**license_changes),
        "jobs_used": jobs_used,
        "policies": list(policies),
    }


def request(action: str = "compute", *, datasets=None, org: str = "Aurora Lab", purpose: str = "research") -> dict:
    """A well-formed request context that the pack ALLOWs (aggregate research, no review asked)."""
    context = {
        "requester": {"name": "dana", "role": "data_scientist", "org": org},
        "purpose": purpose,
        "code": {"parses": True, "output_kind": "aggregate", "flags": [], "imports": ["pandas"], "unlisted_imports": []},
        "now": "2026-11-21T12:00:00Z",
        "datasets": datasets if datasets is not None else [dataset()],
    }
    if action == "release":
        context["gate"] = {"released": True, "needs_review": False, "findings": []}
        context["result"] = {"kind": "json", "bytes": 420, "rows": 16, "text_values": 0, "max_words": 2}
    return context


# --- the shipped examples ----------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_shipped_example_decides_as_expected(engine: CedarEngine, path) -> None:
    document, action, context = load_request(path)
    decision = engine.decide(action, context)
    assert decision.errors == ()
    assert decision.outcome.value == document["expect"]
    assert set(document["expect_policies"]) <= {r.policy_id for r in decision.reasons}


def test_every_policy_is_triggered_by_some_example() -> None:
    expected = set()
    for path in EXAMPLES:
        expected |= set(json.loads(path.read_text()).get("expect_policies", ()))
    dataset_ids = {m.policy_id for text in DATASET_POLICIES.values() for m in read_policies(text, PACK.schema_text, source="dataset:x")}
    assert set(PACK.metas) - expected == set()
    assert dataset_ids - expected == set()


def test_run_examples_reports_every_example_ok(engine: CedarEngine) -> None:
    results = run_examples(engine)
    assert [r.path.name for r in results] == [p.name for p in EXAMPLES]
    assert [r.path.name for r in results if not r.ok] == []


# --- property: a matching deny rule always wins ------------------------------------------------

ESCAPE_FLAGS = {"process", "network", "introspection", "dynamic-code"}
FLAGS = ("io", *sorted(ESCAPE_FLAGS))
OUTPUT_KINDS = ("aggregate", "table", "text", "image", "model", "unknown")
IMPORT_NAMES = ("requests", "torch", "socket", "sklearn")
ROLES = ("data_scientist", "rights_holder", "admin")
ORGS = ("Aurora Lab", "Northwind University", "Elsewhere Inc")


def _deny_only(text: str) -> str:
    """``text`` without its permits and review forbids: only the forbids annotated @effect("deny")."""
    document = json.loads(cedarpy.policies_to_json_str(text))
    kept = {k: p for k, p in document["staticPolicies"].items() if p["effect"] == "forbid" and p["annotations"].get("effect") == "deny"}
    return cedarpy.policies_from_json_str(json.dumps({**document, "staticPolicies": kept}))


def _ids(text: str) -> set[str]:
    return {p["annotations"]["id"] for p in json.loads(cedarpy.policies_to_json_str(text))["staticPolicies"].values()}


DENY_ONLY = {text: _deny_only(text) for text in (PACK.policies_text, *DATASET_POLICIES.values())}


def test_oracle_keeps_exactly_the_deny_forbids() -> None:
    assert _ids(DENY_ONLY[PACK.policies_text]) == {pid for pid, m in PACK.metas.items() if m.effect == "deny"}
    assert _ids(DENY_ONLY[DATASET_POLICIES["partners-only"]]) == {"partners-only"}
    assert DENY_ONLY[DATASET_POLICIES["training-needs-approval"]].strip() == ""


def oracle_denials(action: str, context: dict) -> set[tuple[str, str]]:
    """(dataset, policy id) of every deny forbid Cedar finds matching, asked without the engine."""
    entities = entities_json(context)
    fired = set()
    for ds in context["datasets"]:
        text = "\n".join([DENY_ONLY[PACK.policies_text], *(DENY_ONLY[t] for t in ds["policies"]), CATCH_ALL])
        result = cedarpy.is_authorized(cedar_request(action, context, ds), text, entities, PACK.schema_text)
        assert result.diagnostics.errors == []
        if result.decision is cedarpy.Decision.Deny:
            ids = result.diagnostics.id_annotations_by_reason
            fired |= {(ds["name"], ids[r]) for r in result.diagnostics.reasons}
        else:
            assert result.decision is cedarpy.Decision.Allow
    return fired


def plain_denials(action: str, context: dict) -> set[str]:
    """A few deny rules, in plain Python: the ids that must be among the reasons."""
    code, purpose = context["code"], context["purpose"]
    ids = set()
    if context["requester"]["role"] != "data_scientist":
        ids.add("deny-not-a-data-scientist")
    if not code["parses"]:
        ids.add("deny-unparsable-code")
    if set(code["flags"]) & ESCAPE_FLAGS:
        ids.add("deny-escape-attempt")
    for ds in context["datasets"]:
        terms = ds["license"]
        if terms["revoked"]:
            ids.add("deny-license-revoked")
        if action == "compute" and purpose not in terms["allowed_purposes"]:
            ids.add("deny-purpose-not-licensed")
        if purpose == "generative-training" and terms["generative_training_opt_out"]:
            ids.add("deny-generative-opt-out")
    return ids


def subset(values) -> st.SearchStrategy[list]:
    return st.lists(st.sampled_from(values), unique=True).map(sorted)


def mostly(usual, *rare) -> st.SearchStrategy:
    """``usual`` four times in five: enough requests get past the deny rules to reach review and allow."""
    return st.sampled_from((usual,) * (4 * len(rare)) + rare)


timestamps = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31))


@st.composite
def random_terms(draw, purpose: str) -> dict:
    allowed = set(draw(subset(PURPOSES)))
    if draw(mostly(True, False)):
        allowed.add(purpose)
    expiry = st.dates(min_value=datetime(2025, 1, 1).date(), max_value=datetime(2032, 12, 31).date())
    return LicenseTerms(
        allowed_purposes=tuple(sorted(allowed)),
        commercial_use=draw(mostly(True, False)),
        training_allowed=draw(mostly(True, False)),
        generative_training_opt_out=draw(mostly(False, True)),
        revoked=draw(mostly(False, True)),
        expires=draw(st.none() | expiry.map(lambda d: d.isoformat())),
        max_jobs=draw(st.none() | st.integers(0, 8)),
        human_review_required=draw(st.booleans()),
    ).to_dict()


@st.composite
def random_requests(draw) -> tuple[str, dict]:
    action = draw(st.sampled_from(("compute", "release")))
    purpose = draw(st.sampled_from(PURPOSES))
    datasets = []
    for name in ("ds-a", "ds-b")[: draw(st.integers(1, 2))]:
        datasets.append({
            "name": name,
            "kind": draw(st.sampled_from(("table", "texts"))),
            "owner": {"name": draw(st.sampled_from(("harbor-light", "tidewater"))), "role": "rights_holder", "org": "Owners Ltd"},
            "license": draw(random_terms(purpose)),
            "jobs_used": draw(st.integers(0, 3)),
            "policies": [DATASET_POLICIES[n] for n in draw(subset(sorted(DATASET_POLICIES)))],
        })
    flags = draw(mostly((), ("io",), tuple(draw(subset(FLAGS)))))
    context = {
        "requester": {"name": "dana", "role": draw(mostly(*ROLES)), "org": draw(st.sampled_from(ORGS))},
        "purpose": purpose,
        "code": {
            "parses": draw(mostly(True, False)),
            "output_kind": draw(mostly(*OUTPUT_KINDS)),
            "flags": list(flags),
            "imports": ["pandas"],
            "unlisted_imports": draw(mostly([], draw(subset(IMPORT_NAMES)))),
        },
        "now": draw(timestamps).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datasets": datasets,
    }
    if action == "release":
        context["gate"] = {"released": draw(mostly(True, False)), "needs_review": draw(st.booleans()), "findings": draw(subset(("k-anonymity", "verbatim-text")))}
        context["result"] = {
            "kind": draw(st.sampled_from(("json", "table", "text"))),
            "bytes": draw(st.integers(0, 10_000)),
            "rows": draw(st.integers(0, 100)),
            "text_values": draw(st.integers(0, 3)),
            "max_words": draw(st.integers(0, 20)),
        }
    return action, context


EFFECT_OF = {Outcome.ALLOW: {"permit"}, Outcome.REVIEW: {"review"}, Outcome.DENY: {"deny"}}


@settings(max_examples=250, deadline=None)
@given(random_requests(), st.data())
def test_a_matching_deny_rule_always_wins(engine: CedarEngine, drawn: tuple[str, dict], data) -> None:
    action, context = drawn
    decision = engine.decide(action, context)
    assert decision.errors == ()  # a well-formed context never errors
    assert {r.effect for r in decision.reasons} == EFFECT_OF[decision.outcome]
    assert {name for name, _ in decision.datasets} == {d["name"] for d in context["datasets"]}

    denials = oracle_denials(action, context)
    fired = {(r.dataset, r.policy_id) for r in decision.reasons if r.policy_id != NO_PERMIT.policy_id}
    if denials:
        assert decision.outcome is Outcome.DENY
        assert fired == denials
    elif decision.outcome is Outcome.DENY:
        assert fired == set()  # no deny rule matched: only a missing permit can refuse

    plain = plain_denials(action, context)
    if plain:
        assert decision.outcome is Outcome.DENY
        assert plain <= {r.policy_id for r in decision.reasons}

    # the same request with one attribute missing is refused, whatever it was
    broken = copy.deepcopy(context)
    path = data.draw(st.sampled_from(policy_inputs(broken)))
    _delete(broken, path)
    damaged = engine.decide(action, broken)
    assert damaged.errors != ()
    assert damaged.outcome is Outcome.DENY


# --- failing closed on a missing or mistyped attribute -----------------------------------------

NOT_POLICY_INPUTS = ("attribution", "payment", "dp_epsilon_per_user", "dp_epsilon_per_query")  # license terms no rule reads (DP terms: the graph runner)


def leaf_paths(value, prefix=()) -> list[tuple]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in leaf_paths(item, (*prefix, key))]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [p for index, item in enumerate(value) for p in leaf_paths(item, (*prefix, index))]
    return [prefix]


def policy_inputs(context: dict) -> list[tuple]:
    return [p for p in leaf_paths(context) if not (len(p) > 3 and p[2] == "license" and p[3] in NOT_POLICY_INPUTS)]


def _parent(context: dict, path: tuple):
    node = context
    for key in path[:-1]:
        node = node[key]
    return node


def _delete(context: dict, path: tuple) -> None:
    del _parent(context, path)[path[-1]]


def _get(context: dict, path: tuple):
    return _parent(context, path)[path[-1]]


def _set(context: dict, path: tuple, value) -> None:
    _parent(context, path)[path[-1]] = value


BASES = {
    "compute-allowed": ("compute", request("compute")),
    "compute-revoked": ("compute", request("compute", datasets=[dataset(revoked=True)])),
    "release-allowed": ("release", request("release")),
    "release-revoked": ("release", request("release", datasets=[dataset(revoked=True)])),
}
MISSING = [(base, path) for base, (_, ctx) in BASES.items() for path in policy_inputs(ctx)]
OPTIONAL = {"expires", "max_jobs"}  # None is a valid value for these


def wrong_values(value, key) -> list:
    if isinstance(value, bool):
        wrong = ["true" if value else "false", int(value)]
    elif isinstance(value, int):
        wrong = [str(value), float(value)]
    elif isinstance(value, str):
        wrong = [5, [value]]
    else:
        wrong = [",".join(value) or "io", {}] if value else ["io"]
    return wrong if key in OPTIONAL else [*wrong, None]


MISTYPED = [
    (base, path, bad)
    for base, (_, ctx) in BASES.items()
    for path in policy_inputs(ctx)
    for bad in wrong_values(_get(ctx, path), path[-1])
]


def test_base_contexts_decide_as_intended(engine: CedarEngine) -> None:
    seen = {}
    for base, (action, context) in BASES.items():
        decision = engine.decide(action, context)
        seen[base] = (decision.outcome, {r.policy_id for r in decision.reasons})
    assert seen == {
        "compute-allowed": (Outcome.ALLOW, {"permit-licensed-purpose"}),
        "compute-revoked": (Outcome.DENY, {"deny-license-revoked"}),
        "release-allowed": (Outcome.ALLOW, {"permit-release-after-gate"}),
        "release-revoked": (Outcome.DENY, {"deny-license-revoked"}),
    }
    assert len(MISSING) > 60 and ("datasets", 0, "license", "revoked") in policy_inputs(BASES["compute-allowed"][1])


@pytest.mark.parametrize(("base", "path"), MISSING, ids=[f"{b}-{'.'.join(map(str, p))}" for b, p in MISSING])
def test_a_missing_attribute_is_refused(engine: CedarEngine, base: str, path: tuple) -> None:
    action, context = copy.deepcopy(BASES[base])
    _delete(context, path)
    decision = engine.decide(action, context)
    assert decision.outcome is Outcome.DENY
    assert decision.errors != ()


@pytest.mark.parametrize(("base", "path", "bad"), MISTYPED, ids=[f"{b}-{'.'.join(map(str, p))}-{v!r}" for b, p, v in MISTYPED])
def test_a_mistyped_attribute_is_refused(engine: CedarEngine, base: str, path: tuple, bad) -> None:
    action, context = copy.deepcopy(BASES[base])
    _set(context, path, bad)
    decision = engine.decide(action, context)
    assert decision.outcome is Outcome.DENY
    assert decision.errors != ()


@pytest.mark.parametrize(("path", "bad"), [(("now",), "yesterday"), (("datasets", 0, "license", "expires"), "someday")])
def test_an_unreadable_date_is_refused(engine: CedarEngine, path: tuple, bad: str) -> None:
    context = request()
    _set(context, path, bad)
    decision = engine.decide("compute", context)
    assert decision.outcome is Outcome.DENY
    assert decision.errors != ()


def test_license_terms_no_rule_reads_may_be_absent(engine: CedarEngine) -> None:
    # why NOT_POLICY_INPUTS are left out above: no rule reads them, so dropping them changes nothing
    context = request()
    for key in NOT_POLICY_INPUTS:
        del context["datasets"][0]["license"][key]
    full, trimmed = engine.decide("compute", request()), engine.decide("compute", context)
    assert (trimmed.outcome, trimmed.reasons, trimmed.errors, trimmed.bundle_sha256) == (Outcome.ALLOW, full.reasons, (), full.bundle_sha256)


# --- other ways to fail closed -----------------------------------------------------------------


def test_an_unknown_action_is_refused(engine: CedarEngine) -> None:
    decision = engine.decide("delete", request())
    assert decision.outcome is Outcome.DENY
    assert [r.policy_id for r in decision.reasons] == ["unknown-action"]


def test_a_request_that_reads_no_dataset_is_refused(engine: CedarEngine) -> None:
    decision = engine.decide("compute", request(datasets=[]))
    assert decision.outcome is Outcome.DENY
    assert [r.policy_id for r in decision.reasons] == [POLICY_ERROR.policy_id]
    assert "no dataset" in decision.errors[0]


def test_a_request_no_rule_permits_is_refused(tmp_path) -> None:
    # the shipped pack pairs every permit with a forbid; a pack with only the permit shows the default
    (tmp_path / "default").mkdir()
    (tmp_path / "schema.cedarschema").write_text(PACK.schema_text)
    permit = policy("permit-licensed-purpose", 'permit (principal, action == Action::"compute", resource) when { resource.license.allowed_purposes.contains(context.purpose) };', effect=None)
    (tmp_path / "default" / "only-permit.cedar").write_text(permit)
    bare = CedarEngine(PolicyPack.load(tmp_path))

    assert bare.decide("compute", request()).outcome is Outcome.ALLOW
    refused = bare.decide("compute", request(purpose="education"))
    assert refused.outcome is Outcome.DENY
    assert refused.reasons == (replace(NO_PERMIT, dataset="northwind-scripts"),)
    assert refused.errors == ()


class _BrokenEngine:
    def decide(self, action: str, context: dict):
        raise RuntimeError("the policy store is unreachable")


def test_decide_safely_turns_an_engine_failure_into_deny() -> None:
    decision = decide_safely(_BrokenEngine(), "compute", request())
    assert decision.outcome is Outcome.DENY
    assert decision.reasons == (ENGINE_ERROR,)
    assert "RuntimeError: the policy store is unreachable" in decision.errors[0]


def test_decide_safely_turns_a_failing_context_builder_into_deny(engine: CedarEngine) -> None:
    def build() -> dict:
        raise KeyError("datasets")

    decision = decide_safely(engine, "compute", build)
    assert decision.outcome is Outcome.DENY
    assert decision.reasons == (ENGINE_ERROR,)
    assert "KeyError" in decision.errors[0]


@pytest.mark.parametrize(
    "text",
    [
        policy("bad-attribute", "forbid (principal, action, resource) when { resource.license.nope };"),
        policy("bad-syntax", "forbid (principal, action, resource) when { context.purpose == };"),
        "permit (principal, action, resource);",  # no annotations: would permit everything
    ],
    ids=["schema-invalid", "syntax-error", "unannotated-permit"],
)
def test_an_invalid_dataset_policy_in_the_context_is_refused(engine: CedarEngine, text: str) -> None:
    # the same request on the allowed base, with the policy smuggled past read_dataset_policy
    decision = engine.decide("compute", request(datasets=[dataset(policies=[text])]))
    assert decision.outcome is Outcome.DENY
    assert [r.policy_id for r in decision.reasons] == [POLICY_ERROR.policy_id]
    assert decision.errors != ()


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ('@reason("r")\n@effect("deny")\nforbid (principal, action, resource);', "@id"),
        ('@id("x")\n@effect("deny")\nforbid (principal, action, resource);', "@reason"),
        ('@id("x")\n@reason("r")\nforbid (principal, action, resource);', "@effect"),
    ],
)
def test_read_dataset_policy_names_the_missing_annotation(engine: CedarEngine, text: str, missing: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        engine.read_dataset_policy(text, "northwind-scripts")
    assert missing in caught.value.public_message


def test_read_dataset_policy_refuses_a_schema_invalid_policy_with_the_validators_message(engine: CedarEngine) -> None:
    text = policy("bad-attribute", "forbid (principal, action, resource) when { resource.license.nope };")
    validator = [e.error for e in cedarpy.validate_policies(text, PACK.schema_text).errors]
    assert validator
    with pytest.raises(InvalidInput) as caught:
        engine.read_dataset_policy(text, "northwind-scripts")
    assert all(message in caught.value.public_message for message in validator)


def test_read_dataset_policy_refuses_a_reused_id(engine: CedarEngine) -> None:
    reused = policy("deny-license-revoked", "forbid (principal, action, resource) when { false };")
    with pytest.raises(InvalidInput, match="deny-license-revoked"):
        engine.read_dataset_policy(reused, "northwind-scripts")
    own = policy("house-rule", "forbid (principal, action, resource);")
    assert [m.policy_id for m in engine.read_dataset_policy(own, "northwind-scripts")] == ["house-rule"]
    with pytest.raises(InvalidInput, match="house-rule"):
        engine.read_dataset_policy(own, "northwind-scripts", existing_ids={"house-rule"})


# --- a dataset's policies judge only that dataset ----------------------------------------------


def test_a_dataset_policy_judges_only_its_own_dataset(engine: CedarEngine) -> None:
    a = dataset("A", owner="owner-a", policies=[DATASET_POLICIES["partners-only"]])
    b = dataset("B", owner="owner-b")
    outsider = "Elsewhere Inc"

    only_b = engine.decide("compute", request(datasets=[b], org=outsider))
    assert only_b.outcome is Outcome.ALLOW

    both = engine.decide("compute", request(datasets=[a, b], org=outsider))
    assert both.outcome is Outcome.DENY
    assert [(r.dataset, r.policy_id, r.source) for r in both.reasons] == [("A", "partners-only", "dataset:A")]
    assert both.datasets == (("A", "deny"), ("B", "allow"))
    assert (both.outcome_for("A"), both.outcome_for("B")) == (Outcome.DENY, Outcome.ALLOW)

    partner = engine.decide("compute", request(datasets=[a, b], org="Northwind University"))
    assert partner.outcome is Outcome.ALLOW


# --- decision records --------------------------------------------------------------------------


def test_bundle_hash_follows_the_policies_and_context_hash_the_request(engine: CedarEngine) -> None:
    plain = engine.decide("compute", request())
    again = engine.decide("compute", request())
    other_purpose = engine.decide("compute", request(purpose="education"))
    with_policy = engine.decide("compute", request(datasets=[dataset(policies=[DATASET_POLICIES["no-line-export"]])]))

    assert again.bundle_sha256 == plain.bundle_sha256
    assert other_purpose.bundle_sha256 == plain.bundle_sha256
    assert with_policy.bundle_sha256 != plain.bundle_sha256

    assert again.context_sha256 == plain.context_sha256
    assert other_purpose.context_sha256 != plain.context_sha256


def test_a_private_reason_is_kept_in_the_record_but_not_shown(engine: CedarEngine) -> None:
    secret = policy("house-check", "forbid (principal, action, resource);", effect="review", reason="our lawyer reads every request", public="false")
    ds = dataset(policies=[secret], human_review_required=True)
    decision = engine.decide("compute", request(datasets=[ds]))

    assert decision.outcome is Outcome.REVIEW
    record = {r["policy_id"]: r for r in decision.to_dict()["reasons"]}
    assert set(record) == {"house-check", "review-human-review-required"}
    assert record["house-check"]["public"] is False
    assert record["house-check"]["reason"] == "our lawyer reads every request"
    shown = decision.public_reasons()
    assert shown == [f"{PACK.metas['review-human-review-required'].reason} (northwind-scripts)"]
    assert not any("lawyer" in line for line in shown)


# --- decide_many -------------------------------------------------------------------------------


def test_decide_many_matches_decide_one_by_one(engine: CedarEngine) -> None:
    two = [dataset("A", owner="owner-a", policies=[DATASET_POLICIES["partners-only"]]), dataset("B", owner="owner-b")]
    missing_purpose = request()
    del missing_purpose["purpose"]
    contexts = [
        request(),
        request(datasets=[dataset(revoked=True)]),
        request(datasets=two, org="Elsewhere Inc"),
        request(datasets=two),
        request(datasets=list(reversed(two)), org="Elsewhere Inc"),
        request(purpose="model-training", datasets=[dataset(allowed_purposes=("model-training",), training_allowed=True, policies=[DATASET_POLICIES["training-needs-approval"]])]),
        request(),
        missing_purpose,
        request(datasets=[]),
        request(datasets=[dataset(policies=["not cedar"])]),
    ]
    for action in ("compute", "release"):
        batch = [copy.deepcopy(c) for c in contexts]
        if action == "release":
            for context in batch:
                context.update({k: v for k, v in request("release").items() if k in ("gate", "result")})
            batch[5]["gate"]["needs_review"] = True
        together = engine.decide_many(action, batch)
        one_by_one = [engine.decide(action, context) for context in batch]
        assert together == one_by_one
        assert {d.outcome for d in together} == {Outcome.ALLOW, Outcome.REVIEW, Outcome.DENY}


def test_a_user_described_twice_must_be_described_the_same_way(engine: CedarEngine) -> None:
    """Every owner record is checked: a second, incomplete or conflicting one is refused."""
    same_owner = request(datasets=[dataset("a"), dataset("b")])
    assert engine.decide("compute", same_owner).outcome is Outcome.ALLOW
    incomplete = copy.deepcopy(same_owner)
    del incomplete["datasets"][1]["owner"]["org"]
    conflicting = copy.deepcopy(same_owner)
    conflicting["datasets"][1]["owner"]["org"] = "Someone Else"
    for context in (incomplete, conflicting):
        decision = engine.decide("compute", context)
        assert decision.outcome is Outcome.DENY and decision.errors


@pytest.mark.parametrize("policies", ["", {}, "permit (principal, action, resource);", [1]])
def test_dataset_policies_must_be_a_list_of_texts(engine: CedarEngine, policies) -> None:
    context = request()
    context["datasets"][0]["policies"] = policies
    decision = engine.decide("compute", context)
    assert decision.outcome is Outcome.DENY and decision.errors


def test_decide_many_does_not_depend_on_the_policy_set_cache_holding_everything() -> None:
    """More distinct policy sets than the cache holds, in one batch: each is still evaluated."""
    small = CedarEngine(cache_size=1)
    contexts = [request(datasets=[dataset(f"d{i}", policies=[DATASET_POLICIES["partners-only"]])], org="Elsewhere Inc") for i in range(3)]
    decisions = small.decide_many("compute", contexts)
    assert [d.outcome for d in decisions] == [Outcome.DENY] * 3
    assert all(d.errors == () and {r.policy_id for r in d.reasons} == {"partners-only"} for d in decisions)
