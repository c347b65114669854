"""Running queued requests: sandbox, release gate, release decision, sealed storage, receipt.

``JobRunner`` owns one worker thread that takes request ids from a queue. For each it:

1. checks the request is ``queued`` and that every approval is bound to the request's current
   binding hash (code + entry point + content versions); a mismatch fails the request;
2. moves it to ``running``, decrypts its inputs in memory, and runs it on the ``Executor``;
3. on failure stores the private record (sealed) and moves it to ``failed`` with the
   executor's public message only;
4. otherwise moves it to ``checking``, runs the release gate, asks the policy engine the
   ``release`` question with the findings (context rebuilt from the database now, so license
   changes made while it ran apply), and moves it to ``released`` (payload sealed, receipt signed
   by ``release.release_result``), ``release_review`` (a rights holder looks first) or
   ``withheld`` (payload sealed and kept; public reasons only).

Operation graphs (pointer queries) take the same path with ``GraphRunner`` in place of the
sandbox (``graph_runner.py``): no job code runs, so their result is not re-encoded, ``checking``
and the release are one transaction, and ``run_graph`` serves the ``.get()`` fast path: a graph
its submission moved to ``running`` (and prepared in the same transaction) is evaluated, checked
and released in the caller's thread, which gets the view and the value back without reading
them again. The disclosure-control findings join the gate's report, and a released graph's
coverage is committed for differencing.

Every step commits state + audit before acting. ``recover()`` at start re-queues requests that
were queued, running or checking when the vault stopped, so none is lost.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import queue
import threading
import time

from sqlalchemy import select

from sealroom.core.catalog.catalog import DatasetInfo, get_dataset
from sealroom.core.catalog.private import PrivateContent
from sealroom.core.errors import InvalidInput
from sealroom.core.graph_runner import GraphAnswer, GraphJob, GraphRunner
from sealroom.core.hashing import binding_hash, sha256_hex
from sealroom.core.leakage import CheckContext, GateConfig, ReleaseGate
from sealroom.core.leakage.findings import GateReport
from sealroom.core.lifecycle import State, transition
from sealroom.core.policy.context import release_context, result_facts
from sealroom.core.policy.decision import Outcome
from sealroom.core.policy.engine import PolicyEngine, decide_safely
from sealroom.core.private_frames import PrivateFrames
from sealroom.core.release import release_result
from sealroom.core.request_views import public_view
from sealroom.core.requests import Notifier
from sealroom.core.results import canonicalize
from sealroom.core.sandbox import Executor, Job, JobInput, JobOutcome, Limits
from sealroom.core.sealed_results import seal_payload, seal_private
from sealroom.core.store.models import ApprovalRow, AssetRow, RequestRow, ResultRow
from sealroom.core.store.request_rows import detached, insert_result, update_request
from sealroom.core.users import User
from sealroom.core.workspace import Workspace

log = logging.getLogger("sealroom.jobs")

_STOP = object()


class JobRunner:
    """Runs queued requests one at a time on a worker thread."""

    def __init__(self, ws: Workspace, executor: Executor, policy: PolicyEngine, notifier: Notifier, *, gate: ReleaseGate | None = None,
                 limits: Limits = Limits(), graphs: GraphRunner | None = None) -> None:
        self.ws = ws
        self.executor = executor
        self.policy = policy
        self.notifier = notifier
        self.gate = gate or ReleaseGate(GateConfig())
        self.limits = limits
        self.private = PrivateContent(ws)
        self.graphs = graphs or GraphRunner(PrivateFrames(self.private))
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.recover()
        self._thread = threading.Thread(target=self._loop, name="sealroom-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            self._thread = None

    def enqueue(self, request_id: str) -> None:
        self._queue.put(request_id)

    def recover(self) -> list[str]:
        """Re-queue every request the previous vault process left queued, running or checking."""
        requeued = []
        with self.ws.db.session() as session:
            rows = session.execute(select(RequestRow).where(RequestRow.state.in_([State.QUEUED.value, State.RUNNING.value, State.CHECKING.value]))).scalars().all()
            for row in rows:
                if row.state != State.QUEUED.value:
                    transition(session, row, State.QUEUED, actor="vault", payload={"recovered": True})
                requeued.append(row.id)
        for request_id in requeued:
            self.enqueue(request_id)
        return requeued

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self.run_one(item)
            except Exception:  # never let one request kill the worker; the request is failed below
                log.exception("job runner error")
                self._fail_unexpectedly(item)
            finally:
                self.notifier.notify()

    def run_one(self, request_id: str) -> None:
        started = time.perf_counter()
        with self.ws.db.session() as session:
            row = session.get(RequestRow, request_id)
            if row is None or row.state != State.QUEUED.value:
                return
            problem = _binding_problem(session, row)
            if problem:
                self._store(session, row, None, {"error": problem}, {}, {}, None)
                transition(session, row, State.FAILED, actor="vault", public_reason=problem)
                return
            transition(session, row, State.RUNNING, actor="vault")
            job = None
            if row.kind != "graph":
                job = Job(job_id=row.id, source=row.source, function_name=row.function_name, inputs=tuple(self._inputs(session, row.inputs)), limits=self.limits)
            bound_inputs = dict(row.inputs)
        self.notifier.notify()
        self._run_and_release(request_id, job, bound_inputs, started)

    def prepare_graph(self, session, row: RequestRow, dataset: DatasetInfo) -> GraphJob:
        """What ``run_graph`` needs for a graph request its submission moves to ``running``, read in
        the submission's transaction (``dataset``: the dataset it already loaded)."""
        return self.graphs.prepare(session, row, dataset)

    def run_graph(self, job: GraphJob, row: RequestRow, requester: User) -> GraphAnswer:
        """Evaluate, check and release a prepared graph request in the caller's thread (the
        ``.get()`` fast path; ``row``: the request as its submission wrote it, not read again);
        the requester's view and, when released, the value."""
        started = time.perf_counter()
        return self._check_and_release(job.request_id, self.graphs.run(job), job.inputs, started, is_graph=True, known=(row, requester))

    def _run_and_release(self, request_id: str, job: Job | None, bound_inputs: dict, started: float) -> None:
        """Run a ``running`` request (``job`` None: an operation graph), check its result, decide and release."""
        if job is None:  # a graph: evaluated by the vault on cached frames, no job code, no sandbox
            with self.ws.db.reading() as session:
                row = session.get(RequestRow, request_id)
                graph_job = self.graphs.prepare(session, row, get_dataset(session, next(iter(row.inputs.values()))["dataset"]))
            outcome = self.graphs.run(graph_job)
        else:
            outcome = self.executor.run(job)
        self._check_and_release(request_id, outcome, bound_inputs, started, is_graph=job is None)

    def _check_and_release(self, request_id: str, outcome: JobOutcome, bound_inputs: dict, started: float, *, is_graph: bool,
                           known: tuple[RequestRow, User] | None = None) -> GraphAnswer | None:
        """Check a run's outcome, ask the release question and release, hold or withhold it.
        ``known``: the request row and its requester, held by a caller that answers at once (the
        ``.get()`` fast path: neither is read again); it gets the requester's view back, and the
        released value when released."""
        answer = known is not None
        if outcome.status != "succeeded" or outcome.result is None:
            with self.ws.db.session() as session:
                row = session.get(RequestRow, request_id)
                self._store(session, row, None, _private_record(outcome), outcome.isolation, outcome.timings_ms, None)
                transition(session, row, State.FAILED, actor="sandbox", public_reason=outcome.public_error or "the job failed")
                view = public_view(session, row) if answer else None
            self._graph_done(request_id, is_graph, released=False)
            return GraphAnswer(view) if answer else None
        if not is_graph:  # job code wrote these bytes: commit `checking` first, then re-encode them canonically
            with self.ws.db.session() as session:
                transition(session, session.get(RequestRow, request_id), State.CHECKING, actor="vault")
            try:
                outcome = dataclasses.replace(outcome, result=canonicalize(outcome.result))
            except InvalidInput as exc:
                with self.ws.db.session() as session:
                    row = session.get(RequestRow, request_id)
                    self._store(session, row, None, {**_private_record(outcome), "canonicalize": exc.detail or exc.public_message}, outcome.isolation, outcome.timings_ms, None)
                    transition(session, row, State.FAILED, actor="vault", public_reason="the result could not be re-encoded for release (malformed payload)")
                return None
        context = CheckContext(text_indexes=tuple(self.private.text_index(spec["dataset_id"], spec["asset"]) for spec in bound_inputs.values()), config=self.gate.config)
        report, subject = self.gate.inspect_decoded(outcome.result, context)
        facts = result_facts(outcome.result, subject.value) if subject.decoded else None  # decoded once, for the gate and the policy
        if is_graph:
            report = GateReport(report.findings + tuple(outcome.findings), report.checks_run + ("disclosure-control",))
        timings = {**outcome.timings_ms, "vault_total": round((time.perf_counter() - started) * 1000, 2)}
        released = False
        with self.ws.db.session() as session:  # the request and result rows are written with Core statements (store/request_rows.py)
            row, requester = known if known is not None else (detached(session, session.get(RequestRow, request_id)), None)
            was = row.state
            transition(session, row, State.CHECKING, actor="vault")  # a graph's (pure) gate ran above: one commit
            release = decide_safely(self.policy, "release", lambda: release_context(session, row, gate=report.policy_facts(), result=outcome.result,
                                                                                    facts=facts, requester=requester))
            row.release_decision = release.to_dict()
            private = {**_private_record(outcome), "findings": report.to_private_dict(), "release_decision": release.to_dict()}
            stored = self._sealed(row, outcome, private, outcome.isolation, timings, report)
            if release.outcome is Outcome.ALLOW and report.released:
                release_result(session, self.ws, row, actor="release-gate", report=report, payload=outcome.result.payload, stored=stored,
                               reviewed=known is None)
                released = True
            elif release.outcome is Outcome.REVIEW and report.released:
                transition(session, row, State.RELEASE_REVIEW, actor="policy", payload={"decision": release.to_dict()})
            else:
                reasons = list(dict.fromkeys(report.public_reasons + release.public_reasons())) or ["the result was withheld"]
                transition(session, row, State.WITHHELD, actor="release-gate", payload={"checks": [f.check_id for f in report.findings], "decision": release.to_dict()}, public_reason="; ".join(reasons))
            insert_result(session, stored)
            update_request(session, row, was=was)
            view = public_view(session, row, reviews=[], result=stored) if answer else None  # answered at once: it never waited for a review
        self._graph_done(request_id, is_graph, released=released)
        return GraphAnswer(view, outcome.result if released else None) if answer else None

    def _graph_done(self, request_id: str, is_graph: bool, *, released: bool) -> None:
        """What a released query covered counts for differencing from now on; otherwise forget it."""
        if is_graph:
            (self.graphs.released if released else self.graphs.discard)(request_id)

    def _inputs(self, session, inputs: dict) -> list[JobInput]:
        """Inputs keyed by content hash; the executor loads (decrypts) one only if it lacks it decoded."""
        return [JobInput(name=param, kind=spec["kind"], cache_key=f"{spec['kind']}:{_content_sha256(session, spec)}",
                         loader=functools.partial(self.private.asset_ipc, spec["dataset_id"], spec["asset"])) for param, spec in inputs.items()]

    def _store(self, session, row: RequestRow, outcome: JobOutcome | None, private: dict, isolation: dict, timings: dict, report) -> None:
        """Seal and store a run's result and private record (a request has at most one)."""
        insert_result(session, self._sealed(row, outcome, private, isolation, timings, report))

    def _sealed(self, row: RequestRow, outcome: JobOutcome | None, private: dict, isolation: dict, timings: dict, report) -> ResultRow:
        """A run's result row, sealed, not yet written (``insert_result`` writes it)."""
        key = self.ws.keys.master_key
        result = outcome.result if outcome else None
        return ResultRow(
            request_id=row.id, receipt=None, kind=result.kind if result else "", result_sha256=sha256_hex(result.payload) if result else "",
            payload_sealed=seal_payload(key, row.id, result.payload) if result else None, private_sealed=seal_private(key, row.id, private),
            public_report={**(report.to_public_dict() if report is not None else {}), **(outcome.report if outcome else {})},
            isolation=isolation, timings_ms=timings,
        )

    def _fail_unexpectedly(self, request_id: str) -> None:
        try:
            with self.ws.db.session() as session:
                row = session.get(RequestRow, request_id)
                if row is not None and row.state in (State.QUEUED.value, State.RUNNING.value, State.CHECKING.value):
                    transition(session, row, State.FAILED, actor="vault", public_reason="the vault hit an internal error running this request; the operator has the details")
        except Exception:
            log.exception("could not mark request failed")


def _content_sha256(session, spec: dict) -> str:
    query = select(AssetRow.content_sha256).where(AssetRow.dataset_id == spec["dataset_id"], AssetRow.name == spec["asset"])
    return session.execute(query).scalar_one()


def _binding_problem(session, row: RequestRow) -> str:
    expected = binding_hash(row.source, row.function_name, row.inputs)
    if row.binding_sha256 != expected:
        return "the request's code or inputs changed after submission; submit it again"
    for approval in session.execute(select(ApprovalRow).where(ApprovalRow.request_id == row.id)).scalars():
        if approval.binding_sha256 != expected:
            return "an approval was given for different code or inputs than this request holds; submit it again for review"
    return ""


def _private_record(outcome: JobOutcome) -> dict:
    return {
        "error": outcome.private_error,
        "public_error": outcome.public_error,
        "stdout": outcome.stdout.decode("utf-8", errors="replace"),
        "stderr": outcome.stderr.decode("utf-8", errors="replace"),
    }
