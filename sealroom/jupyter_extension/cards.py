"""Review cards: what the review panel shows of a request, built from the vault's private view.

Pure functions, no I/O. A *card* (the REST contract in docs/jupyter.md)::

    {"id", "state", "stage": "compute"|"release"|None, "function_name", "source", "purpose",
     "requester": {"name", "display_name"}, "datasets": [...],
     "items": [{"dataset", "asset", "items_root", "item_count": int|None}],
     "decision": {"outcome", "reasons": [{"policy", "reason", "effect", "dataset"}], "datasets": {...}},
     "release_decision": same shape or None,
     "reviews": [{"reviewer", "verdict", "note", "at"}], "result_preview": object|None,
     "must_review": bool, "public_reason", "leakage_report": object|None, "created_at", "updated_at"}

``must_review`` mirrors the vault's rule (core/requests.py): at the stage the request waits in,
every owner whose dataset came out REVIEW must decide (all owners, when the record names no
dataset), and a reviewer decides once per stage. The vault's view lists reviews by display name
and without their stage, so a review is this reviewer's when its ``reviewer_name`` (if the vault
sends one) or else its ``reviewer`` equals their name or display name, and it belongs to the
release stage when its ``stage`` says so or else when it is no older than the request's last state
change (a compute review always precedes the run that leads to release review).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sealroom.core.hashing import sha256_json

REVIEW_STAGES = {"pending_review": "compute", "release_review": "release"}
HISTORY_LIMIT = 100


@dataclass(frozen=True)
class Reviewer:
    """Who is looking, and what the catalog says about the datasets (from whoami + /datasets)."""

    name: str
    display_name: str
    role: str
    owners: dict[str, str] = field(default_factory=dict)  # dataset -> owner name
    item_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (dataset, asset, items_root) -> n_items

    @classmethod
    def from_vault(cls, me: dict, datasets: list[dict]) -> "Reviewer":
        counts = {(d["name"], a["name"], a["items_root"]): a["n_items"] for d in datasets for a in d.get("assets", [])}
        return cls(
            name=me["name"], display_name=me.get("display_name") or me["name"], role=me["role"],
            owners={d["name"]: d.get("owner", "") for d in datasets}, item_counts=counts,
        )


def me_view(me: dict, vault_url: str, *, embedded: bool) -> dict:
    """``GET /sealroom/me``: the vault user this server acts as."""
    return {"name": me["name"], "display_name": me.get("display_name") or me["name"], "role": me["role"],
            "org": me.get("org", ""), "vault_url": vault_url, "embedded": embedded}


def stage_of(state: str) -> str | None:
    return REVIEW_STAGES.get(state)


def card(view: dict, reviewer: Reviewer) -> dict:
    """The card for one request from the vault's private view of it."""
    result = view.get("result") or {}
    return {
        "id": view["id"],
        "state": view["state"],
        "stage": stage_of(view["state"]),
        "function_name": view["function_name"],
        "source": view["source"],
        "purpose": view["purpose"],
        "requester": {k: (view.get("requester") or {}).get(k, "") for k in ("name", "display_name")},
        "datasets": list(view.get("datasets", [])),
        "items": _items(view, reviewer),
        "decision": _decision(view.get("decision_record")) or {"outcome": (view.get("decision") or {}).get("outcome"), "reasons": [], "datasets": {}},
        "release_decision": _decision(view.get("release_decision")),
        "reviews": [{k: r.get(k) for k in ("reviewer", "verdict", "note", "at")} for r in view.get("reviews", [])],
        "result_preview": view.get("result_preview"),
        "must_review": must_review(view, reviewer),
        "public_reason": view.get("public_reason") or "",
        "leakage_report": result.get("report"),
        "created_at": view["created_at"],
        "updated_at": view["updated_at"],
    }


def must_review(view: dict, reviewer: Reviewer) -> bool:
    """Whether ``reviewer`` still has to approve or deny ``view`` at the stage it waits in."""
    stage = stage_of(view["state"])
    if stage is None or reviewer.role != "rights_holder":
        return False
    record = view.get("decision_record") if stage == "compute" else view.get("release_decision")
    reviewing = [name for name, outcome in ((record or {}).get("datasets") or {}).items() if outcome == "review"]
    required = {reviewer.owners.get(name) for name in reviewing} if reviewing else {reviewer.owners.get(name) for name in view.get("datasets", [])}
    if reviewer.name not in required:
        return False
    return not any(_is_mine(r, reviewer) and _at_stage(r, stage, view) for r in view.get("reviews", []))


def split(views: list[dict], reviewer: Reviewer) -> tuple[list[dict], list[dict]]:
    """``(pending, history)``: cards this reviewer must decide (oldest first), and the others
    (newest first, at most ``HISTORY_LIMIT``). Views are deduplicated by id."""
    unique = {v["id"]: v for v in views}
    cards = [card(v, reviewer) for v in unique.values()]
    pending = sorted((c for c in cards if c["must_review"]), key=_age)
    history = sorted((c for c in cards if not c["must_review"]), key=_age, reverse=True)
    return pending, history[:HISTORY_LIMIT]


def version(pending: list[dict], history: list[dict]) -> str:
    """SHA-256 of the canonical JSON of both lists: the panel re-renders only when it changes."""
    return sha256_json({"pending": pending, "history": history})


def _decision(record: dict | None) -> dict | None:
    if not record:
        return None
    reasons = [{"policy": r.get("policy_id", ""), "reason": r.get("reason", ""), "effect": r.get("effect", ""), "dataset": r.get("dataset", "")} for r in record.get("reasons", [])]
    return {"outcome": record.get("outcome"), "reasons": reasons, "datasets": dict(record.get("datasets") or {})}


def _items(view: dict, reviewer: Reviewer) -> list[dict]:
    """The content each input read, as bound at submission (one entry per distinct asset version)."""
    bound = view.get("inputs_bound") or {}
    seen: dict[tuple, dict] = {}
    for spec in bound.values():
        key = (spec.get("dataset", ""), spec.get("asset", ""), spec.get("items_root", ""))
        seen.setdefault(key, {"dataset": key[0], "asset": key[1], "items_root": key[2], "item_count": reviewer.item_counts.get(key)})
    return list(seen.values())


def _is_mine(review: dict, reviewer: Reviewer) -> bool:
    if review.get("reviewer_name"):
        return review["reviewer_name"] == reviewer.name
    return review.get("reviewer") in (reviewer.display_name, reviewer.name)


def _at_stage(review: dict, stage: str, view: dict) -> bool:
    if review.get("stage"):
        return review["stage"] == stage
    if stage == "compute":
        return True  # nothing is reviewed at the release stage before the compute stage is over
    try:
        return _utc(review["at"]) >= _utc(view["updated_at"])
    except (KeyError, TypeError, ValueError):
        return True  # unknown: treat as decided rather than ask twice (the vault refuses a second verdict)


def _age(card: dict) -> tuple:
    return (_utc(card["created_at"]), card["id"])


def _utc(stamp: str) -> datetime:
    """The vault writes UTC, with or without an offset (views built while writing carry one)."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
