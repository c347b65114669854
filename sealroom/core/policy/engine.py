"""The policy engine contract and the interim engine that sends every code request to review.

``PolicyEngine.decide(action, context)`` answers an action (``compute`` before a job runs,
``release`` after the release gate) for a request context. Issue #3 replaces
``ReviewEveryCodeRequest`` with the Cedar engine; callers do not change. Fail closed: an engine
that raises is turned into DENY by ``decide_safely``.
"""

from __future__ import annotations

from typing import Protocol

from sealroom.core.hashing import sha256_json
from sealroom.core.policy.decision import Decision, Outcome, PolicyReason


class PolicyEngine(Protocol):
    def decide(self, action: str, context: dict) -> Decision: ...


class ReviewEveryCodeRequest:
    """Until rules exist: every ``compute`` goes to the rights holder; ``release`` follows the gate."""

    BUNDLE = {"engine": "review-every-code-request", "version": 1}

    def decide(self, action: str, context: dict) -> Decision:
        bundle = sha256_json(self.BUNDLE)
        digest = sha256_json(context)
        if action == "compute":
            reason = PolicyReason("review-all-code", "every code request is reviewed by the rights holder of each dataset it reads", "review")
            return Decision(Outcome.REVIEW, (reason,), bundle, digest)
        if action == "release":
            if context.get("gate_released") is True:
                reason = PolicyReason("release-after-gate", "the result passed every leakage check", "permit")
                return Decision(Outcome.ALLOW, (reason,), bundle, digest)
            reason = PolicyReason("withhold-on-findings", "a leakage check withheld the result", "deny")
            return Decision(Outcome.DENY, (reason,), bundle, digest)
        return Decision(Outcome.DENY, (PolicyReason("unknown-action", f"no rule covers the action {action!r}", "deny"),), bundle, digest)


def decide_safely(engine: PolicyEngine, action: str, context: dict) -> Decision:
    """Ask the engine; any error becomes a DENY whose errors list says what went wrong."""
    try:
        decision = engine.decide(action, context)
        if not isinstance(decision, Decision):
            raise TypeError(f"engine returned {type(decision).__name__}, not Decision")
        return decision
    except Exception as exc:  # fail closed on anything the engine does
        reason = PolicyReason("engine-error", "the policy engine could not decide, so the request is refused", "deny")
        return Decision(Outcome.DENY, (reason,), "", sha256_json({"action": action}), errors=(f"{type(exc).__name__}: {exc}",))
