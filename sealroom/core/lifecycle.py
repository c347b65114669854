"""The request lifecycle: states and the only transitions between them.

::

    submitted -> decided --ALLOW--> queued -> running -> checking --ALLOW--> released
                   |  \\--REVIEW--> pending_review --approve--> queued   |  \\--DENY--> withheld
                   |                         \\--deny--> rejected        \\--REVIEW--> release_review
                   \\--DENY--> rejected                                   release_review --approve--> released
                                                                        release_review --deny--> withheld
    running --error/timeout--> failed

The first decision (``compute``) is the policy engine's answer before anything runs; the second
(``release``) its answer after the release gate inspected the result. REVIEW at either stage waits
for the rights holders whose dataset came out REVIEW.

``transition`` persists the new state, appends the audit entry (and keeps the usage counters,
``usage.py``) in the same transaction, and is
idempotent: asking for the state a request is already in is a no-op that returns None
(otherwise the audit entry, whose ``seq`` is the transition's log index). Any
other move not in ``ALLOWED`` raises ``InvalidTransition``.
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy.orm import Session

from sealroom.core.errors import InvalidTransition
from sealroom.core import usage
from sealroom.core.ledger import audit
from sealroom.core.policy.decision import Decision, Outcome
from sealroom.core.store.models import RequestRow, utcnow


class State(str, Enum):
    SUBMITTED = "submitted"
    DECIDED = "decided"
    PENDING_REVIEW = "pending_review"
    RELEASE_REVIEW = "release_review"
    QUEUED = "queued"
    RUNNING = "running"
    CHECKING = "checking"
    RELEASED = "released"
    WITHHELD = "withheld"
    REJECTED = "rejected"
    FAILED = "failed"


TERMINAL = frozenset({State.RELEASED, State.WITHHELD, State.REJECTED, State.FAILED})

ALLOWED: dict[State, frozenset[State]] = {
    State.SUBMITTED: frozenset({State.DECIDED}),
    State.DECIDED: frozenset({State.QUEUED, State.PENDING_REVIEW, State.REJECTED}),
    State.PENDING_REVIEW: frozenset({State.QUEUED, State.REJECTED}),
    State.QUEUED: frozenset({State.RUNNING, State.FAILED}),
    State.RUNNING: frozenset({State.CHECKING, State.FAILED, State.QUEUED}),
    State.CHECKING: frozenset({State.RELEASED, State.WITHHELD, State.RELEASE_REVIEW, State.FAILED, State.QUEUED}),
    State.RELEASE_REVIEW: frozenset({State.RELEASED, State.WITHHELD}),
    State.RELEASED: frozenset(),
    State.WITHHELD: frozenset(),
    State.REJECTED: frozenset(),
    State.FAILED: frozenset(),
}


def transition(session: Session, request: RequestRow, to: State, *, actor: str, payload: dict | None = None, public_reason: str | None = None) -> audit.AuditEntry | None:
    """Move ``request`` to ``to`` (persist + audit). Returns None if it was already there."""
    current = State(request.state)
    if current is to:
        return None
    if to not in ALLOWED[current]:
        raise InvalidTransition(f"request {request.id} is {current.value}; it cannot become {to.value}")
    request.state = to.value
    request.updated_at = utcnow()
    if public_reason is not None:
        request.public_reason = public_reason
    if to is State.QUEUED and current in (State.DECIDED, State.PENDING_REVIEW):  # a re-queue after a restart is the same job
        usage.add(session, request, jobs=1)
    elif to is State.RELEASED and request.kind == "graph":
        usage.add(session, request, graphs_released=1)
    return audit.append(session, actor=actor, action=f"request.{to.value}", subject=request.id, payload={"from": current.value, **(payload or {})})


def record_compute_decision(session: Session, request: RequestRow, decision: Decision, code_profile: dict) -> State:
    """Store the ``compute`` decision (with the profile it read) and move the request on: ALLOW ->
    ``queued``, REVIEW -> ``pending_review``, anything else -> ``rejected`` with the public reasons.
    Returns the state reached."""
    request.decision = {**decision.to_dict(), "code_profile": code_profile}
    transition(session, request, State.DECIDED, actor="policy", payload={"decision": decision.to_dict()})
    if decision.outcome is Outcome.ALLOW:
        transition(session, request, State.QUEUED, actor="policy")
    elif decision.outcome is Outcome.REVIEW:
        transition(session, request, State.PENDING_REVIEW, actor="policy")
    else:
        transition(session, request, State.REJECTED, actor="policy", public_reason="refused by policy: " + "; ".join(decision.public_reasons()))
    return State(request.state)
