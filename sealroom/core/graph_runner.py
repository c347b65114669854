"""Running a pointer query (an operation graph) on private content, inside the vault.

An operation graph is data, not code: every node names an operation from the registry
(``sealroom.core.graph.registry``) with literal arguments, and the evaluator dispatches only
through that registry. So graphs need no sandboxed interpreter: ``GraphRunner`` evaluates them
in the vault process on frames decoded once and kept in memory (``PrivateFrames``), which is
what makes a pointer query take milliseconds. What the sandbox gives code, the runner gives
graphs: a deadline between nodes, size limits checked before a merge, RE2 regexes (linear time),
and errors that say what went wrong without quoting private values.

Per query the runner:

1. builds the disclosure rules from the dataset's license (``min_aggregation_size`` items per
   cell; dominance n=2 k=0.9; p-ratio 0.10; counts rounded to 5; DP mode when the license sets
   ``dp_epsilon_per_user``, refusing once that data scientist's budget is spent);
2. evaluates the graph: every aggregate node suppresses failing cells and rounds (or noises)
   what remains before anything downstream sees it;
3. checks the released cells against what this data scientist already received from the dataset
   (``CoverageTracker``: differencing and tracker attacks go to review);
4. returns a ``JobOutcome`` whose findings the job runner adds to the release gate's report:
   ``disclosure-suppressed`` (info), ``disclosure-differencing`` (review), ``row-shaped-result``
   (review: records never leave without a person looking), ``dp-noise`` (info).

The coverage of a released query is committed with ``released()``; trackers are rebuilt by
replaying released queries when the vault restarts or a query was released through review.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from sealroom.core.catalog.catalog import DatasetInfo
from sealroom.core.catalog.license import LicenseTerms
from sealroom.core.disclosure.coverage import CoverageTracker
from sealroom.core.disclosure.protect import Protector
from sealroom.core.disclosure.rules import DisclosureRules, DPSettings
from sealroom.core.errors import SealroomError
from sealroom.core.graph.evaluate import evaluate
from sealroom.core.graph.values import encode_value
from sealroom.core.graph.wire import Graph
from sealroom.core.leakage.findings import Finding
from sealroom.core.private_frames import FrameRef, PrivateFrames
from sealroom.core.results import EncodedResult
from sealroom.core.sandbox import JobOutcome
from sealroom.core.store.models import RequestDatasetRow, RequestRow, ResultRow
from sealroom.core.usage import usage

log = logging.getLogger("sealroom.graphs")

GRAPH_SECONDS = 60.0


@dataclass(frozen=True)
class GraphJob:
    """Everything a graph run needs, read from the database before it starts."""

    request_id: str
    owner_id: str
    dataset_id: str
    graph: dict
    inputs: dict           # the request's bound inputs (source node -> dataset, asset, content root)
    sources: dict          # (dataset, asset) -> FrameRef (decoded by ``run``, outside any transaction)
    rules: DisclosureRules
    n_items: int
    released_before: int   # released graph queries of this owner on this dataset (tracker generation)
    replay: tuple[dict, ...] | None = None  # released graphs to rebuild the tracker from (None: it is current)
    dp_refusal: str = ""


@dataclass(frozen=True)
class GraphAnswer:
    """What running a pointer query gives its requester: the request's public ``view`` and, when it
    was released at once, the released ``result`` (its decoding hint is in the view's report)."""

    view: dict
    result: EncodedResult | None = None

    @property
    def hint(self) -> dict | None:
        return ((self.view.get("result") or {}).get("report") or {}).get("value")


class GraphRunner:
    """Evaluates graph requests on cached private frames; owns the differencing trackers."""

    def __init__(self, frames: PrivateFrames, *, max_seconds: float = GRAPH_SECONDS) -> None:
        self.frames = frames
        self.max_seconds = max_seconds
        self._trackers: dict[tuple[str, str], tuple[int, CoverageTracker]] = {}
        self._pending: dict[str, tuple[tuple[str, str], list]] = {}
        self._lock = threading.Lock()

    def prepare(self, session: Session, row: RequestRow, dataset: DatasetInfo) -> GraphJob:
        """Read the license, the content versions and the budget for ``row`` (a graph request about
        to run) from ``dataset`` (as ``get_dataset`` read it in this transaction) and ``session``."""
        specs = list(row.inputs.values())
        dataset_id = dataset.id
        terms = LicenseTerms.from_dict(dataset.license)
        dp = DPSettings(epsilon=terms.dp_epsilon_per_query) if terms.dp_epsilon_per_user is not None else None
        refusal = ""
        if dp is not None:
            spent = epsilon_spent(session, row.owner_id, dataset_id)
            if spent + terms.dp_epsilon_per_query > terms.dp_epsilon_per_user + 1e-9:
                refusal = (f"your differential-privacy budget on {specs[0]['dataset']} is spent ({spent:g} of "
                           f"{terms.dp_epsilon_per_user:g} epsilon); ask the rights holder for more")
        sources = {} if refusal else {(s["dataset"], s["asset"]): FrameRef.of(dataset, s["asset"]) for s in specs}
        n_items = sum(asset.n_items for asset in dataset.assets)
        rules = DisclosureRules(min_items=terms.min_aggregation_size, dp=dp)
        released = usage(session, row.owner_id, dataset_id).graphs_released
        with self._lock:
            generation, _ = self._trackers.get((row.owner_id, dataset_id), (None, None))
        replay = None
        if generation != released:
            replay = tuple(json.loads(text) for text in session.execute(_RELEASED_SOURCES, {"owner": row.owner_id, "dataset": dataset_id}).scalars())
        return GraphJob(row.id, row.owner_id, dataset_id, json.loads(row.source), dict(row.inputs), sources, rules, n_items, released, replay, refusal)

    def run(self, job: GraphJob) -> JobOutcome:
        """Evaluate ``job``; never raises for the query's own failure (a failed outcome says why)."""
        started = time.perf_counter()
        if job.dp_refusal:
            return JobOutcome(status="failed", result=None, public_error=job.dp_refusal)
        try:
            graph = Graph.from_json(job.graph)
            sources = {key: self.frames.load(ref) for key, ref in job.sources.items()}
            evaluation = evaluate(graph, sources, protector=Protector(job.rules), deadline=time.monotonic() + self.max_seconds)
            encoded, hint = encode_value(evaluation.value)
        except SealroomError as exc:
            return JobOutcome(status="failed", result=None, public_error=exc.public_message, private_error=exc.detail or "")
        except Exception as exc:  # a pandas error on private data may quote it: keep it private
            log.exception("graph evaluation failed")
            return JobOutcome(status="failed", result=None, public_error="the query could not be evaluated (internal error); the operator has the details",
                              private_error=f"{type(exc).__name__}: {exc}")
        coverages = [trace.coverage for trace in evaluation.aggregates]
        tracker = self._tracker(job, sources)
        check = tracker.check(coverages)
        with self._lock:
            self._pending[job.request_id] = ((job.owner_id, job.dataset_id), coverages)
        findings, report = _findings(evaluation, check, job.rules)
        report["value"] = hint
        timings = {"evaluate": round((time.perf_counter() - started) * 1000, 2)}
        return JobOutcome(status="succeeded", result=encoded, timings_ms=timings, findings=tuple(findings), report=report,
                          isolation={"executor": "vault graph evaluator (registry operations only, no job code)"})

    def released(self, request_id: str) -> None:
        """A query's result left the vault: what it covered now counts for differencing."""
        with self._lock:
            pending = self._pending.pop(request_id, None)
            if pending is None:
                return
            key, coverages = pending
            generation, tracker = self._trackers.get(key, (None, None))
            if tracker is not None:
                tracker.commit(coverages)
                self._trackers[key] = (generation + 1, tracker)

    def discard(self, request_id: str) -> None:
        with self._lock:
            self._pending.pop(request_id, None)

    def _tracker(self, job: GraphJob, sources: dict) -> CoverageTracker:
        """This owner's tracker on the dataset, rebuilt by replaying released graphs when it is not current."""
        key = (job.owner_id, job.dataset_id)
        with self._lock:
            generation, tracker = self._trackers.get(key, (None, None))
        if tracker is not None and job.replay is None:
            return tracker
        tracker = CoverageTracker(job.n_items, job.rules.min_items)
        for graph in job.replay or ():
            try:  # the coverage of each released graph, re-evaluated on the current content
                evaluation = evaluate(Graph.from_json(graph), sources, protector=Protector(job.rules))
            except Exception:  # a graph that no longer evaluates covers nothing now
                log.exception("could not replay a released graph")
                continue
            tracker.commit([trace.coverage for trace in evaluation.aggregates])
        with self._lock:
            self._trackers[key] = (job.released_before, tracker)
        return tracker


def _findings(evaluation, check, rules: DisclosureRules) -> tuple[list[Finding], dict]:
    cells = sum(len(t.cells) for t in evaluation.aggregates)
    suppressed = sum(t.protection.n_suppressed for t in evaluation.aggregates if t.protection is not None)
    epsilon = sum(t.protection.epsilon_spent for t in evaluation.aggregates if t.protection is not None)
    findings = []
    if suppressed:
        findings.append(Finding("disclosure-suppressed", "info",
                                f"{suppressed} of {cells} cells had fewer than {rules.min_items} content items or were dominated by one or two items, "
                                f"so they were suppressed and totals recomputed from the cells that remain"))
    if check.flagged:
        findings.append(Finding("disclosure-differencing", "review", check.message))
    if evaluation.shape == "rows":
        findings.append(Finding("row-shaped-result", "review",
                                "the query returns records rather than aggregates, so the rights holder looks at it before anything is released"))
    if epsilon:
        findings.append(Finding("dp-noise", "info", f"answered with differential-privacy noise; this query spent {epsilon:g} epsilon"))
    report = {"shape": evaluation.shape, "cells": cells, "suppressed_cells": suppressed, "differencing": bool(check.flagged),
              "epsilon": epsilon, "rounding_base": rules.rounding_base, "min_items": rules.min_items}
    return findings, {"disclosure": report}


# The sources of this data scientist's released graph requests on a dataset, oldest first (read to rebuild a tracker).
_RELEASED_SOURCES = (select(RequestRow.source).join(RequestDatasetRow, RequestDatasetRow.request_id == RequestRow.id)
                     .where(RequestRow.owner_id == bindparam("owner"), RequestRow.kind == "graph", RequestRow.state == "released",
                            RequestDatasetRow.dataset_id == bindparam("dataset")).order_by(RequestRow.updated_at))


def epsilon_spent(session: Session, owner_id: str, dataset_id: str) -> float:
    """Epsilon this data scientist's graph queries on this dataset have spent (released or not)."""
    query = (select(ResultRow.public_report).join(RequestRow, RequestRow.id == ResultRow.request_id)
             .join(RequestDatasetRow, RequestDatasetRow.request_id == RequestRow.id)
             .where(RequestRow.owner_id == owner_id, RequestRow.kind == "graph", RequestDatasetRow.dataset_id == dataset_id))
    return float(sum(((report or {}).get("disclosure") or {}).get("epsilon", 0.0) for report in session.execute(query).scalars()))
