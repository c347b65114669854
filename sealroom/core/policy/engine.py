"""The policy engine contract, and failing closed around it.

``PolicyEngine.decide(action, context)`` answers an action (``compute`` before a job runs,
``release`` after the release gate) for a request context (``entities.py`` documents its shape).
The engine is ``cedar_engine.CedarEngine``. ``decide_safely`` turns anything that goes wrong,
building the context included, into a DENY whose ``errors`` say what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sealroom.core.hashing import sha256_json
from sealroom.core.policy.decision import Decision, Outcome, PolicyReason

ENGINE_ERROR = PolicyReason("engine-error", "the policy engine could not decide, so the request is refused", "deny", source="engine")


class PolicyEngine(Protocol):
    def decide(self, action: str, context: dict) -> Decision: ...


def decide_safely(engine: PolicyEngine, action: str, context: dict | Callable[[], dict]) -> Decision:
    """Ask the engine (``context`` may be a builder); any error becomes a DENY that records it."""
    try:
        decision = engine.decide(action, context() if callable(context) else context)
        if not isinstance(decision, Decision):
            raise TypeError(f"engine returned {type(decision).__name__}, not Decision")
        return decision
    except Exception as exc:  # fail closed on anything the engine or the context builder does
        return Decision(Outcome.DENY, (ENGINE_ERROR,), "", sha256_json({"action": action}), errors=(f"{type(exc).__name__}: {exc}"[:400],))
