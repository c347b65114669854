"""What the policy engine answers: an outcome, the reasons, and what it was computed from.

``Decision`` is a value (never an exception). Its record keeps the ids and human-readable
reasons of the rules that determined it, the hash of the policy bundle and the hash of the
request context, so any decision can be explained and re-checked later. A request that reads
several datasets is decided per dataset; ``datasets`` keeps each one's outcome (the rights
holders whose dataset came out REVIEW are the ones who must approve).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Outcome(str, Enum):
    ALLOW = "allow"
    REVIEW = "review"
    DENY = "deny"


@dataclass(frozen=True)
class PolicyReason:
    policy_id: str
    reason: str
    effect: str  # "permit" | "review" | "deny"
    public: bool = True  # shown to the data scientist
    dataset: str = ""  # the dataset whose evaluation produced it ("" = the whole request)
    source: str = "workspace"  # "workspace" pack, "dataset:<name>" policy, or "engine"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[PolicyReason, ...]
    bundle_sha256: str
    context_sha256: str
    errors: tuple[str, ...] = field(default=())
    datasets: tuple[tuple[str, str], ...] = field(default=())  # (dataset, its own outcome)

    def outcome_for(self, dataset: str) -> Outcome | None:
        return next((Outcome(o) for name, o in self.datasets if name == dataset), None)

    def public_reasons(self) -> list[str]:
        return public_reason_lines(self.to_dict())

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "reasons": [r.__dict__ for r in self.reasons],
            "bundle_sha256": self.bundle_sha256,
            "context_sha256": self.context_sha256,
            "errors": list(self.errors),
            "datasets": {name: outcome for name, outcome in self.datasets},
        }


def public_reason_lines(record: dict | None) -> list[str]:
    """The reasons a data scientist may read, from a stored decision record, each naming its dataset."""
    lines: list[str] = []
    for reason in (record or {}).get("reasons", []):
        if reason.get("public", True):
            line = f"{reason['reason']} ({reason['dataset']})" if reason.get("dataset") else reason["reason"]
            if line not in lines:
                lines.append(line)
    return lines
