"""The Cedar policy engine: three outcomes from annotated policies, decided per dataset.

For an action (``compute`` or ``release``) and a request context (``entities.py``), the engine asks
Cedar once per dataset the request reads, with the workspace pack plus *that* dataset's own
policies (so a rights holder's policy can only ever judge requests on their own dataset). Each
answer maps to an outcome:

- any matching ``forbid`` with ``@effect("deny")``                  -> DENY
- else any matching ``forbid`` with ``@effect("review")``           -> REVIEW
- else a matching ``permit``                                        -> ALLOW
- else                                                              -> DENY ("no-permit")
- Cedar errors, NoDecision, a missing attribute, a bad context      -> DENY ("policy-error")

The request's outcome is the strictest over its datasets (DENY > REVIEW > ALLOW). The schema is
passed on every evaluation, so a missing attribute is an error, never a dropped forbid. Policy
sets are parsed once per (pack, dataset policies) and cached; a policy that no longer validates
fails closed at evaluation too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import cedarpy

from sealroom.core.errors import InvalidInput
from sealroom.core.hashing import sha256_hex, sha256_json
from sealroom.core.policy.decision import Decision, Outcome, PolicyReason
from sealroom.core.policy.entities import cedar_request, entities_json
from sealroom.core.policy.pack import PolicyMeta, PolicyPack, read_policies

ACTIONS = ("compute", "release")
_STRICTNESS = {Outcome.ALLOW: 0, Outcome.REVIEW: 1, Outcome.DENY: 2}
POLICY_ERROR = PolicyReason("policy-error", "the policy engine could not evaluate this request, so it is refused", "deny", source="engine")
NO_PERMIT = PolicyReason("no-permit", "no rule permits this", "deny", source="engine")
MAX_ERROR_CHARS = 400


@dataclass(frozen=True)
class _Compiled:
    key: str
    policy_set: object  # cedarpy.PolicySet
    metas: dict[str, PolicyMeta]


@dataclass(frozen=True)
class _Verdict:
    dataset: str
    outcome: Outcome
    reasons: tuple[PolicyReason, ...]
    errors: tuple[str, ...] = ()


class CedarEngine:
    """Implements ``PolicyEngine`` with Cedar (``cedarpy``) and the shipped policy pack."""

    def __init__(self, pack: PolicyPack | None = None, *, cache_size: int = 256) -> None:
        self.pack = pack or PolicyPack.load()
        self._schema = cedarpy.Schema.from_str(self.pack.schema_text)
        self._cache: OrderedDict[str, _Compiled] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # -- rights holders' policies -------------------------------------------------------------
    def read_dataset_policy(self, text: str, dataset: str, *, existing_ids: set[str] = frozenset()) -> list[PolicyMeta]:
        """Validate a policy a rights holder attaches to ``dataset`` (raises InvalidInput)."""
        metas = read_policies(text, self.pack.schema_text, source=f"dataset:{dataset}")
        for meta in metas:
            if meta.policy_id in self.pack.metas or meta.policy_id in existing_ids:
                raise InvalidInput(f"the @id {meta.policy_id!r} is already used by another policy on {dataset}; choose another")
        return metas

    # -- decisions ---------------------------------------------------------------------------
    def decide(self, action: str, context: dict) -> Decision:
        return self.decide_many(action, [context])[0]

    def decide_many(self, action: str, contexts: list[dict]) -> list[Decision]:
        """Decide several contexts with as few Cedar calls as possible (one per policy set)."""
        if action not in ACTIONS:
            reason = PolicyReason("unknown-action", f"no rule covers the action {action!r}", "deny", source="engine")
            return [Decision(Outcome.DENY, (reason,), self.pack.sha256, _context_sha256(action, c)) for c in contexts]
        verdicts: list[list[_Verdict]] = [[] for _ in contexts]
        bundles: list[dict[str, str]] = [{} for _ in contexts]
        groups: dict[tuple[str, str], list[tuple[int, str, dict]]] = {}
        compiled_sets: dict[str, _Compiled] = {}  # held here: the cache may evict while we plan
        for index, context in enumerate(contexts):
            try:
                if not context["datasets"]:
                    raise ValueError("the request reads no dataset")
                entities = entities_json(context)
                planned = []
                for dataset in context["datasets"]:
                    compiled = self._compiled(dataset["name"], _policy_texts(dataset["policies"]))
                    compiled_sets[compiled.key] = compiled
                    planned.append(((compiled.key, entities), (index, dataset["name"], cedar_request(action, context, dataset))))
                    bundles[index][dataset["name"]] = compiled.key
            except Exception as exc:  # a malformed context or policy: this request is refused
                verdicts[index].append(_Verdict("", Outcome.DENY, (POLICY_ERROR,), (_error(exc),)))
                continue
            for group, item in planned:
                groups.setdefault(group, []).append(item)
        for (key, entities), items in groups.items():
            compiled = compiled_sets[key]
            try:
                results = cedarpy.is_authorized_batch([request for _, _, request in items], compiled.policy_set, entities, self._schema)
            except Exception as exc:
                results = [exc] * len(items)
            for (index, dataset, _), result in zip(items, results):
                verdicts[index].append(_verdict(dataset, result, compiled.metas))
        return [self._combine(action, context, v, b) for context, v, b in zip(contexts, verdicts, bundles)]

    def _combine(self, action: str, context: dict, verdicts: list[_Verdict], bundles: dict[str, str]) -> Decision:
        outcome = max((v.outcome for v in verdicts), key=_STRICTNESS.__getitem__)
        reasons: list[PolicyReason] = []
        for verdict in verdicts:
            if verdict.outcome is outcome:
                reasons.extend(r for r in verdict.reasons if r not in reasons)
        errors = tuple(e for v in verdicts for e in v.errors)
        bundle = sha256_json({"pack": self.pack.sha256, "datasets": bundles})
        per_dataset = tuple((v.dataset, v.outcome.value) for v in verdicts if v.dataset)
        return Decision(outcome, tuple(reasons), bundle, _context_sha256(action, context), errors=errors, datasets=per_dataset)

    # -- compiled policy sets ------------------------------------------------------------------
    def _compiled(self, dataset: str, texts: tuple[str, ...]) -> _Compiled:
        # datasets without policies of their own share the pack's set (one Cedar call for all)
        key = sha256_json({"pack": self.pack.sha256, "dataset": dataset if texts else "", "policies": list(texts)})
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        metas = dict(self.pack.metas)
        for text in texts:
            for meta in self.read_dataset_policy(text, dataset, existing_ids=set(metas)):
                metas[meta.policy_id] = meta
        policy_set = cedarpy.PolicySet.from_str("\n".join((self.pack.policies_text, *texts)))
        compiled = _Compiled(key, policy_set, metas)
        with self._lock:
            self._cache[key] = compiled
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return compiled


def _verdict(dataset: str, result, metas: dict[str, PolicyMeta]) -> _Verdict:
    """Map one Cedar answer to an outcome (see the module docstring); anything odd is DENY."""
    if isinstance(result, Exception):
        return _Verdict(dataset, Outcome.DENY, (_tag(POLICY_ERROR, dataset),), (_error(result),))
    errors = tuple(str(e)[:MAX_ERROR_CHARS] for e in result.diagnostics.errors)
    if errors or result.decision is cedarpy.Decision.NoDecision:
        return _Verdict(dataset, Outcome.DENY, (_tag(POLICY_ERROR, dataset),), errors or ("Cedar reached no decision",))
    by_reason = result.diagnostics.id_annotations_by_reason
    fired = [metas.get(by_reason.get(cedar_id, "")) for cedar_id in result.diagnostics.reasons]
    if any(meta is None for meta in fired):
        return _Verdict(dataset, Outcome.DENY, (_tag(POLICY_ERROR, dataset),), ("a matching policy has no known @id",))
    fired.sort(key=lambda meta: meta.policy_id)
    reasons = {effect: tuple(_reason(m, dataset) for m in fired if m.effect == effect) for effect in ("permit", "review", "deny")}
    if result.decision is cedarpy.Decision.Allow:
        return _Verdict(dataset, Outcome.ALLOW, reasons["permit"])
    if reasons["deny"]:
        return _Verdict(dataset, Outcome.DENY, reasons["deny"])
    if reasons["review"]:
        return _Verdict(dataset, Outcome.REVIEW, reasons["review"])
    return _Verdict(dataset, Outcome.DENY, (_tag(NO_PERMIT, dataset),))


def _policy_texts(policies) -> tuple[str, ...]:
    if not isinstance(policies, list) or not all(isinstance(p, str) for p in policies):
        raise TypeError("a dataset's policies must be a list of Cedar texts")
    return tuple(policies)


def _reason(meta: PolicyMeta, dataset: str) -> PolicyReason:
    return PolicyReason(meta.policy_id, meta.reason, meta.effect, meta.public, dataset, meta.source)


def _tag(reason: PolicyReason, dataset: str) -> PolicyReason:
    return PolicyReason(reason.policy_id, reason.reason, reason.effect, reason.public, dataset, reason.source)


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]


def _context_sha256(action: str, context: dict) -> str:
    """Hash of what was decided on; dataset policies enter by hash (they are in the bundle hash)."""
    try:
        datasets = [{**d, "policies": [sha256_hex(p.encode()) for p in d["policies"]]} for d in context["datasets"]]
        return sha256_json({"action": action, **context, "datasets": datasets})
    except Exception:
        return sha256_json({"action": action, "unhashable": repr(context)[:10_000]})
