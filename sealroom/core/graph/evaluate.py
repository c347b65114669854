"""Evaluate an operation graph on decoded assets, with disclosure control at every aggregate.

``evaluate(graph, sources, protector=None)`` runs the graph's nodes in order through the
handlers the registry holds (``sealroom.core.graph.ops_*``), nothing else.

- Without a protector (the mock, tests of pandas parity) the answer is plain pandas/numpy.
- With a protector (the vault, on private data), every aggregate node describes its cells
  (``CellTable``: distinct items and holders per cell, magnitudes), calls
  ``protector.protect(cells)`` and continues with the protected value: suppressed cells NaN
  or dropped, published values substituted, additive margins recomputed. Sorting, ``head`` and
  rounding run on the protected value, so a suppressed cell's rank is never revealed.

Cell facts and ``Coverage`` are computed only when they are used: with a protector, or with
``trace=True`` (they cost a few bincounts per aggregate; without either, the evaluator does not
pay for them). ``Coverage.items`` are dataset-wide item indices (``item_offset + row``).
``deadline`` is a ``time.monotonic()`` value checked between nodes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

import numpy as np

from sealroom.core.disclosure.cells import CellTable, Coverage, Protection
from sealroom.core.errors import InvalidInput
from sealroom.core.graph import ops_aggregate, ops_array, ops_frame, ops_groupby, ops_post, ops_series, ops_tables
from sealroom.core.graph.facts import CoverageRows, cell_facts
from sealroom.core.graph.lineage import infer, output_shape
from sealroom.core.graph.plan import Call, CellPlan
from sealroom.core.graph.protected import cell_values, protect_value
from sealroom.core.graph.provenance import AggregateValue, ArrayValue, FrameValue, GroupValue, SeriesValue, SourceData, SourceKey
from sealroom.core.graph.registry import HANDLERS
from sealroom.core.graph.wire import Graph


#: The op modules: importing them registers their handlers (``registry.HANDLERS``), the only code
#: the evaluator dispatches to.
OP_MODULES = (ops_frame, ops_series, ops_groupby, ops_aggregate, ops_tables, ops_post, ops_array)


class Protector(Protocol):
    """Disclosure control for one aggregate's cells (``sealroom.core.disclosure`` implements it)."""

    def protect(self, cells: CellTable) -> Protection: ...


@dataclass(frozen=True)
class AggregateTrace:
    """One aggregate node: its cells, what disclosure control decided, and what the cells covered."""

    node_id: str
    op: str
    cells: CellTable
    protection: Protection | None
    coverage: Coverage


@dataclass(frozen=True)
class Evaluation:
    """The graph's value, its kind (``aggregate``, ``rows`` or ``metadata``) and the aggregates' traces."""

    value: Any
    shape: str
    aggregates: list[AggregateTrace]


def evaluate(graph: Graph, sources: Mapping[SourceKey, SourceData], *, protector: Protector | None = None,
             deadline: float | None = None, trace: bool = False) -> Evaluation:
    """Run ``graph`` on ``sources`` (see the module docstring for the contract)."""
    started = time.monotonic()
    graph = graph.pruned()
    infos = infer(graph, {key: source.kind for key, source in sources.items()})
    values: dict[str, Any] = {}
    traces: list[AggregateTrace] = []
    for node in graph.nodes:
        if deadline is not None and time.monotonic() > deadline:
            raise InvalidInput(f"the query took longer than {max(deadline - started, 0):.0f} s; narrow it (filter first, fewer groups)")
        info = infos[node.id]
        call = Call(args=info.args, inputs=[values[i] for i in node.inputs], sources=sources, private=protector is not None)
        result = HANDLERS[(info.op.receiver, info.op.name)](call)
        if isinstance(result, CellPlan):
            result = _aggregate(node.id, info.op.name, result, protector, trace, traces)
        values[node.id] = result
    output = infos[graph.output]
    return Evaluation(value=_unwrap(values[graph.output]), shape=output_shape(output), aggregates=traces)


def _aggregate(node_id: str, op: str, plan: CellPlan, protector: Protector | None, trace: bool,
               traces: list[AggregateTrace]) -> AggregateValue:
    value = plan.value
    if protector is not None or trace:
        exact = cell_values(plan.value, plan.layout)
        cells, rows = cell_facts(plan.aggregate, plan.statistic, exact, plan.blocks(), plan.prov, plan.bounds)
        protection = protector.protect(cells) if protector is not None else None
        if protection is not None:
            if len(protection.suppressed) != len(cells) or len(protection.value) != len(cells):
                raise ValueError(f"the protector answered for {len(protection.suppressed)} cells; the table has {len(cells)}")
            value = protect_value(plan.value, plan.layout, protection)
        released = np.ones(len(cells), bool) if protection is None else ~np.asarray(protection.suppressed, bool)
        traces.append(AggregateTrace(node_id=node_id, op=op, cells=cells, protection=protection,
                                     coverage=_coverage(rows, released)))
    if plan.finish is not None:
        value = plan.finish(value, protector is not None)
    return AggregateValue(value)


def _coverage(rows: CoverageRows, released: np.ndarray) -> Coverage:
    """Coverage of released cells; a dense span (every item in every cell) is stood for by one cell."""
    cells = rows.cells
    for low, high in rows.spans:
        out = np.flatnonzero(released[low:high])
        if len(out) and out[0] != 0:
            cells = np.where(cells == low, low + out[0], cells)
    return Coverage(items=rows.items, cells=cells, released=released)


def _unwrap(value: Any) -> Any:
    if isinstance(value, FrameValue):
        return value.frame
    if isinstance(value, SeriesValue):
        return value.series
    if isinstance(value, ArrayValue):
        return value.array
    if isinstance(value, AggregateValue):
        return value.value
    if isinstance(value, GroupValue):
        raise InvalidInput("a groupby is not a value; aggregate it, e.g. gb.mean() or gb.size()")
    return value
