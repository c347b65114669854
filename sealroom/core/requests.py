"""The request orchestrator: submit, decide, review, wait, and read results — with authorization.

Every surface (HTTP API, CLI, kernel) goes through ``Requests``; it checks who may do what, so no
route can forget. Rules (architecture §1):

- data scientists submit requests and see only their own requests, results and receipts;
- rights holders see and review only requests that read a dataset they own; a request that
  reads several owners' datasets runs only when every owner has approved, and any deny rejects it;
- admins see every request but cannot approve or deny (nobody bypasses review);
- nobody reads private content: a released result is the only content that leaves, and only to
  the data scientist who asked for it.

Running queued requests is ``jobs.JobRunner``'s work; this module only queues them.
"""

from __future__ import annotations

import ast
import threading
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from sealroom.core.catalog.catalog import DatasetInfo, get_dataset
from sealroom.core.catalog.license import check_purpose
from sealroom.core.errors import Forbidden, InvalidInput, NotFound, NotReleased
from sealroom.core.hashing import binding_hash
from sealroom.core.graph_requests import submit_graph
from sealroom.core.graph_runner import GraphAnswer
from sealroom.core.ledger import audit
from sealroom.core.lifecycle import TERMINAL, State, record_compute_decision, transition
from sealroom.core.policy.context import compute_context, profile_request
from sealroom.core.policy.engine import PolicyEngine, decide_safely
from sealroom.core.release import release_result
from sealroom.core.request_views import private_view, public_view, result_preview
from sealroom.core.results import EncodedResult
from sealroom.core.sealed_results import open_payload
from sealroom.core.store.models import ApprovalRow, DatasetRow, RequestDatasetRow, RequestRow, ResultRow
from sealroom.core.users import Role, User
from sealroom.core.workspace import Workspace

MAX_SOURCE_BYTES = 200_000
WAITING_ENDS = TERMINAL | {State.PENDING_REVIEW, State.RELEASE_REVIEW}


@dataclass(frozen=True, kw_only=True)
class CodeRequest:
    """What a data scientist submits: function source, its name, and dataset arguments."""

    source: str
    function_name: str
    inputs: dict[str, dict] = field(default_factory=dict)  # param -> {"dataset": name, "asset": name|None}
    purpose: str


class Notifier:
    """Wakes threads waiting for a request to change state."""

    def __init__(self) -> None:
        self._condition = threading.Condition()

    def notify(self) -> None:
        with self._condition:
            self._condition.notify_all()

    def wait(self, seconds: float) -> None:
        with self._condition:
            self._condition.wait(timeout=seconds)


class Requests:
    """The one orchestrator of request state on the trusted side."""

    def __init__(self, ws: Workspace, policy: PolicyEngine, notifier: Notifier, enqueue, graphs) -> None:
        """``enqueue(request_id)`` hands a queued request to the job runner; ``graphs`` (the job
        runner: ``prepare_graph``, ``run_graph``) runs allowed pointer queries in the caller's
        thread."""
        self.ws = ws
        self.policy = policy
        self.notifier = notifier
        self._enqueue = enqueue
        self.graphs = graphs

    # -- data scientist -------------------------------------------------------------------
    def submit(self, actor: User, code: CodeRequest) -> dict:
        if actor.role is not Role.DATA_SCIENTIST:
            raise Forbidden("only data scientists submit computations")
        _validate_code(code)
        with self.ws.db.session() as session:
            datasets = {param: get_dataset(session, spec["dataset"]) for param, spec in code.inputs.items()}
            inputs = {param: _bound_input(datasets[param], spec.get("asset")) for param, spec in code.inputs.items()}
            binding = binding_hash(code.source, code.function_name, inputs)
            unique = list({d.id: d for d in datasets.values()}.values())
            row = RequestRow(
                id=uuid.uuid4().hex[:16], owner_id=actor.id, kind="code", function_name=code.function_name, source=code.source,
                inputs=inputs, purpose=code.purpose.strip(), binding_sha256=binding, state=State.SUBMITTED.value,
            )
            session.add(row)
            session.flush()
            for dataset in unique:
                session.add(RequestDatasetRow(request_id=row.id, dataset_id=dataset.id))
            audit.append(session, actor=actor.name, action="request.submitted", subject=row.id, payload={"binding_sha256": binding, "datasets": sorted(d.name for d in unique), "purpose": row.purpose})
            profile = profile_request(code.source, code.function_name, inputs, unique).to_dict()
            decision = decide_safely(self.policy, "compute", lambda: compute_context(session, actor, row.purpose, profile, unique))
            record_compute_decision(session, row, decision, profile)
            view = self._view(session, row, actor)
        if view["state"] == State.QUEUED.value:
            self._enqueue(view["id"])
        self.notifier.notify()
        return view

    def submit_graph(self, actor: User, graph: dict, purpose: str) -> GraphAnswer:
        """Submit a pointer query (an operation graph; see ``graph_requests``); runs it at once when
        allowed. The answer holds the request's view and, when released at once, the value."""
        return submit_graph(self, actor, graph, purpose)

    def result(self, actor: User, request_id: str) -> tuple[EncodedResult, dict]:
        """The released result and its signed receipt (requesting data scientist only)."""
        with self.ws.db.reading() as session:
            row = self._visible(session, actor, request_id)
            if row.owner_id != actor.id:
                raise Forbidden("only the data scientist who submitted a request can read its result")
            state = State(row.state)
            if state is not State.RELEASED:
                raise NotReleased(_not_released_message(row))
            stored = session.get(ResultRow, row.id)
            payload = open_payload(self.ws.keys.master_key, stored)
            return EncodedResult(stored.kind, payload), stored.receipt

    # -- rights holder --------------------------------------------------------------------
    def review(self, actor: User, request_id: str, *, approve: bool, note: str = "") -> dict:
        """Approve or deny at the stage the request waits in: ``compute`` (may it run) or ``release``
        (may its result leave). Every rights holder whose dataset the policy sent to review must
        approve; any owner's deny ends the request."""
        if actor.role is not Role.RIGHTS_HOLDER:
            raise Forbidden("only the rights holder of a dataset a request reads can approve or deny it")
        note = note.strip()[:4000]
        with self.ws.db.session() as session:
            row = self._visible(session, actor, request_id)
            owners = _owner_ids(session, row.id)
            if actor.id not in owners:
                raise Forbidden("you can review only requests that read a dataset you own")
            state = State(row.state)
            stage = _REVIEW_STAGES.get(state) or _last_stage(session, row.id, actor.id)
            existing = session.execute(select(ApprovalRow).where(ApprovalRow.request_id == row.id, ApprovalRow.reviewer_id == actor.id, ApprovalRow.stage == stage)).scalar_one_or_none()
            if existing is not None:
                if (existing.verdict == "approve") == approve:
                    return self._view(session, row, actor)  # idempotent repeat
                raise InvalidInput(f"you already {existing.verdict}d this request; a verdict cannot be changed")
            if state not in _REVIEW_STAGES:
                raise InvalidInput(f"request {row.id} is {state.value}, not waiting for review")
            verdict = "approve" if approve else "deny"
            session.add(ApprovalRow(request_id=row.id, reviewer_id=actor.id, stage=stage, verdict=verdict, note=note, binding_sha256=row.binding_sha256))
            session.flush()
            audit.append(session, actor=actor.name, action=f"review.{verdict}", subject=row.id, payload={"stage": stage, "note": note, "binding_sha256": row.binding_sha256})
            approved = set(session.execute(select(ApprovalRow.reviewer_id).where(ApprovalRow.request_id == row.id, ApprovalRow.stage == stage, ApprovalRow.verdict == "approve")).scalars())
            required = _required_reviewers(session, row, stage) or owners
            if not approve and stage == "compute":
                transition(session, row, State.REJECTED, actor=actor.name, public_reason=f"denied by the rights holder: {note or 'no note given'}")
            elif not approve:
                transition(session, row, State.WITHHELD, actor=actor.name, public_reason=f"the rights holder did not release the result: {note or 'no note given'}")
            elif approved >= required and stage == "compute":
                transition(session, row, State.QUEUED, actor=actor.name)
            elif approved >= required:
                release_result(session, self.ws, row, actor=actor.name)
            view = self._view(session, row, actor)
        if view["state"] == State.QUEUED.value:
            self._enqueue(view["id"])
        self.notifier.notify()
        return view

    # -- everyone (scoped) ------------------------------------------------------------------
    def list(self, actor: User, *, state: str | None = None, limit: int = 200) -> list[dict]:
        with self.ws.db.reading() as session:
            query = visible_requests(actor).order_by(RequestRow.created_at.desc()).limit(limit)
            if state is not None:
                query = query.where(RequestRow.state == State(state).value)
            return [self._view(session, row, actor) for row in session.execute(query).scalars()]

    def get(self, actor: User, request_id: str) -> dict:
        with self.ws.db.reading() as session:
            return self._view(session, self._visible(session, actor, request_id), actor)

    def wait(self, actor: User, request_id: str, *, timeout: float) -> dict:
        """Block until the request is terminal or waiting for a review, or ``timeout`` passes."""
        deadline = time.monotonic() + max(0.0, min(timeout, 300.0))
        while True:
            view = self.get(actor, request_id)
            remaining = deadline - time.monotonic()
            if State(view["state"]) in WAITING_ENDS or remaining <= 0:
                return view
            self.notifier.wait(min(remaining, 1.0))

    # -- helpers ----------------------------------------------------------------------------
    def _visible(self, session: Session, actor: User, request_id: str) -> RequestRow:
        row = session.get(RequestRow, request_id)
        if row is None or not self._may_see(session, actor, row):
            raise NotFound(f"no request {request_id!r} that you can see")
        return row

    @staticmethod
    def _may_see(session: Session, actor: User, row: RequestRow) -> bool:
        if actor.role is Role.ADMIN:
            return True
        if actor.role is Role.DATA_SCIENTIST:
            return row.owner_id == actor.id
        return actor.id in _owner_ids(session, row.id)

    def _view(self, session: Session, row: RequestRow, actor: User) -> dict:
        if actor.role is Role.DATA_SCIENTIST:
            return public_view(session, row)
        view = private_view(session, row, self.ws.keys.master_key)
        if actor.role is not Role.RIGHTS_HOLDER:
            return view
        if _owner_ids(session, row.id) != {actor.id}:
            # The run's output (stdout, stderr, error text) may derive from another holder's content.
            view.pop("private", None)
        elif row.state == State.RELEASE_REVIEW.value:
            view["result_preview"] = result_preview(session, row, self.ws.keys.master_key)  # their own content only
        return view


def visible_requests(actor: User):
    """A query for the requests ``actor`` may see (see the module docstring)."""
    query = select(RequestRow)
    if actor.role is Role.DATA_SCIENTIST:
        return query.where(RequestRow.owner_id == actor.id)
    if actor.role is Role.RIGHTS_HOLDER:
        owned = select(RequestDatasetRow.request_id).join(DatasetRow, DatasetRow.id == RequestDatasetRow.dataset_id).where(DatasetRow.owner_id == actor.id)
        return query.where(RequestRow.id.in_(owned))
    return query


def _bound_input(dataset: DatasetInfo, asset: str | None) -> dict:
    chosen = dataset.asset(asset)
    return {"dataset": dataset.name, "dataset_id": dataset.id, "asset": chosen.name, "kind": chosen.kind, "items_root": chosen.items_root}


def _owner_ids(session: Session, request_id: str) -> set[str]:
    query = select(DatasetRow.owner_id).join(RequestDatasetRow, RequestDatasetRow.dataset_id == DatasetRow.id).where(RequestDatasetRow.request_id == request_id)
    return set(session.execute(query).scalars())


_REVIEW_STAGES = {State.PENDING_REVIEW: "compute", State.RELEASE_REVIEW: "release"}


def _last_stage(session: Session, request_id: str, reviewer_id: str) -> str:
    """The stage of the reviewer's latest verdict (to answer a repeated verdict idempotently)."""
    query = select(ApprovalRow.stage).where(ApprovalRow.request_id == request_id, ApprovalRow.reviewer_id == reviewer_id).order_by(ApprovalRow.id.desc())
    return session.execute(query).scalars().first() or "compute"


def _required_reviewers(session: Session, row: RequestRow, stage: str) -> set[str]:
    """Owners of the datasets whose own outcome was REVIEW at this stage (empty if not recorded)."""
    record = (row.decision if stage == "compute" else row.release_decision) or {}
    names = [name for name, outcome in (record.get("datasets") or {}).items() if outcome == "review"]
    if not names:
        return set()
    return set(session.execute(select(DatasetRow.owner_id).where(DatasetRow.name.in_(names))).scalars())


def _not_released_message(row: RequestRow) -> str:
    state = State(row.state)
    if state in (State.REJECTED, State.WITHHELD, State.FAILED):
        return f"request {row.id} was {state.value}: {row.public_reason or 'no reason recorded'}"
    return f"request {row.id} is {state.value}; its result is not released yet (use req.wait())"


def _validate_code(code: CodeRequest) -> None:
    if not isinstance(code.source, str) or not code.source.strip():
        raise InvalidInput("the request has no source code")
    if len(code.source.encode()) > MAX_SOURCE_BYTES:
        raise InvalidInput(f"the source is larger than {MAX_SOURCE_BYTES} bytes; submit one function, not a module")
    check_purpose(code.purpose, missing="say what the computation is for: purpose=\"research: ...\" is required")
    if not code.inputs:
        raise InvalidInput("the function reads no dataset; pass one, e.g. @ws.remote(plays=ds)")
    try:
        tree = ast.parse(code.source)
    except SyntaxError as exc:
        raise InvalidInput(f"the source does not parse: {exc.msg} (line {exc.lineno})") from None
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if code.function_name not in functions:
        raise InvalidInput(f"the source defines no top-level function named {code.function_name!r}")
    fn = functions[code.function_name]
    accepted = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
    for param, spec in code.inputs.items():
        if not param.isidentifier() or (param not in accepted and fn.args.kwarg is None):
            raise InvalidInput(f"{code.function_name}() has no parameter named {param!r} for dataset input")
        if not isinstance(spec, dict) or not isinstance(spec.get("dataset"), str):
            raise InvalidInput(f"input {param!r} must name a dataset: {{'dataset': 'name', 'asset': optional}}")
    missing = [a.arg for a in fn.args.args[: len(fn.args.args) - len(fn.args.defaults)] if a.arg not in code.inputs]
    if missing:
        raise InvalidInput(f"{code.function_name}() needs {missing}, which no dataset input provides")
