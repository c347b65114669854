"""What the policy engine answers: an outcome, the reasons, and what it was computed from.

``Decision`` is a value (never an exception). Its record keeps the ids and human-readable
reasons of the rules that determined it, the hash of the policy bundle and the hash of the
request context, so any decision can be explained and re-checked later.
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


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[PolicyReason, ...]
    bundle_sha256: str
    context_sha256: str
    errors: tuple[str, ...] = field(default=())

    def public_reasons(self) -> list[str]:
        return [r.reason for r in self.reasons if r.public]

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "reasons": [r.__dict__ for r in self.reasons],
            "bundle_sha256": self.bundle_sha256,
            "context_sha256": self.context_sha256,
            "errors": list(self.errors),
        }
