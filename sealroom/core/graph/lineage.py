"""Static checks of a graph: types, arguments, row bases, datasets - before any data is read.

``infer(graph, kinds)`` walks the nodes in order and gives each a ``NodeInfo``: its type (from
the registry), its *row base* and the sources it reads. A row-shaped value's row base is the
node whose rows it has: a source, a filter, a merge or a row ``head`` start new rows; columns,
transforms and groupbys keep their input's. Ops that combine row-shaped inputs (``filter``,
``assign``, binary series ops, ``crosstab``, ``corr``) need equal row bases, so a mask can
only filter the frame it was computed from. ``merge`` joins only sources of one dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.provenance import SourceKey
from sealroom.core.graph.registry import Op, lookup
from sealroom.core.graph.wire import Graph, Node

ROW_TYPES = ("frame", "series", "array", "groupby")
NEW_ROWS = ("rows", "subset", "union")


@dataclass(frozen=True)
class NodeInfo:
    """What the lineage check knows about one node (nothing here depends on data)."""

    op: Op
    args: dict
    type: str                        # frame | series | groupby | aggregate | array | shape
    base: str | None                 # row base for row-shaped types, else None
    sources: tuple[SourceKey, ...]   # sources read, left-most first (the first is the primary)
    aggregated: bool                 # an aggregate is upstream (or this is one)


def infer(graph: Graph, kinds: Mapping[SourceKey, str] | None = None) -> dict[str, NodeInfo]:
    """Type-check every node; ``kinds`` maps a source to its asset kind (table, texts, images).

    A source missing from ``kinds`` is taken to be a table. Raises ``UnknownOperation`` or
    ``InvalidInput`` with a message for the data scientist.
    """
    kinds = kinds or {}
    infos: dict[str, NodeInfo] = {}
    for node in graph.nodes:
        inputs = [infos[i] for i in node.inputs]
        receiver = inputs[0].type if inputs else "none"
        op = lookup(node.op, receiver)
        args = op.bind(node.args)
        _check_inputs(node, op, inputs)
        _check_args(node, op, args, len(inputs))
        sources = _sources(node, args, inputs)
        result = _result_type(op, args, sources, kinds)
        base = None
        if result in ROW_TYPES:
            base = node.id if op.items in NEW_ROWS else inputs[0].base
        aggregated = op.kind == "aggregate" and result == "aggregate" or any(i.aggregated for i in inputs)
        infos[node.id] = NodeInfo(op=op, args=args, type=result, base=base, sources=sources, aggregated=aggregated)
    return infos


def output_shape(info: NodeInfo) -> str:
    """``aggregate``, ``metadata`` or ``rows``: what kind of value the output is."""
    if info.op.name == "shape":
        return "aggregate"
    if info.type == "shape":
        return "metadata"
    return "aggregate" if info.aggregated else "rows"


def _check_inputs(node: Node, op: Op, inputs: list[NodeInfo]) -> None:
    extra = inputs[1:]
    lowest = len(op.inputs) - op.optional
    if op.receiver == "none":
        if inputs:
            raise InvalidInput(f"node {node.id!r}: {op.name} takes no inputs")
        return
    if len(extra) < lowest or (op.variadic is None and len(extra) > len(op.inputs)):
        raise InvalidInput(f"node {node.id!r}: {op.name} takes {_count_text(op)} after its receiver, not {len(extra)}")
    for position, info in enumerate(extra):
        expected = op.inputs[position] if position < len(op.inputs) else op.variadic
        if info.type != expected:
            raise InvalidInput(f"node {node.id!r}: input {position + 2} of {op.name} must be a {expected}, not a {info.type}")
    if op.same_rows:
        base = inputs[0].base
        if any(info.base != base for info in extra):
            what = "the mask" if op.name == "filter" else "a series"
            raise InvalidInput(
                f"node {node.id!r}: {what} given to {op.name} was built from a different frame (other rows); "
                "build it from the same frame, e.g. f[f['n'] > 3] rather than f[g['n'] > 3]"
            )


def _count_text(op: Op) -> str:
    if op.variadic:
        return f"any number of {op.variadic} inputs"
    low, high = len(op.inputs) - op.optional, len(op.inputs)
    return f"{low} input(s)" if low == high else f"{low} to {high} inputs"


def _check_args(node: Node, op: Op, args: dict, n_inputs: int) -> None:
    where = f"node {node.id!r} ({op.name})"
    if op.name == "assign":
        if len(args["names"]) != n_inputs - 1:
            raise InvalidInput(f"{where}: give one name per series input ({n_inputs - 1}), not {len(args['names'])}")
        if set(args["names"]) & set(args["literals"]):
            raise InvalidInput(f"{where}: a name is assigned twice")
    if op.name in ("compare", "arith"):
        if n_inputs == 1 and args["value"] is None and op.name == "arith":
            raise InvalidInput(f"{where}: give a value or a second series")
        if n_inputs == 2 and args["value"] is not None:
            raise InvalidInput(f"{where}: give a value or a second series, not both")
    if op.name == "crosstab":
        if (n_inputs == 3) != (args["aggfunc"] is not None):
            raise InvalidInput(f"{where}: values and aggfunc go together: crosstab(a, b, values=v, aggfunc='mean')")
    if op.name == "merge":
        on, left_on, right_on = args["on"], args["left_on"], args["right_on"]
        if on is not None and (left_on is not None or right_on is not None):
            raise InvalidInput(f"{where}: give on= or left_on=/right_on=, not both")
        if on is None and (left_on is None or right_on is None or len(left_on) != len(right_on)):
            raise InvalidInput(f"{where}: give on= or both left_on= and right_on= (of equal length)")
    if op.name in ("head",) and args["n"] < 0:
        raise InvalidInput(f"{where}: n must be 0 or more")
    if op.name == "gb_agg" and args["func"] == "quantile" or op.name == "agg" and args["func"] == "quantile":
        if not 0 <= args["q"] <= 1:
            raise InvalidInput(f"{where}: q must be between 0 and 1")
    if args.get("clip") is not None and args.get("func") not in ("sum", "mean"):
        raise InvalidInput(f"{where}: clip applies to sum and mean only")


def _sources(node: Node, args: dict, inputs: list[NodeInfo]) -> tuple[SourceKey, ...]:
    if node.op == "source":
        return ((args["dataset"], args["asset"]),)
    found: list[SourceKey] = []
    for info in inputs:
        found += [s for s in info.sources if s not in found]
    if node.op == "merge" and len({dataset for dataset, _ in found}) > 1:
        raise InvalidInput(
            f"node {node.id!r}: merge joins assets of one dataset only; these come from "
            f"{', '.join(sorted({d for d, _ in found}))}. Ask for each dataset separately"
        )
    return tuple(found)


def _result_type(op: Op, args: dict, sources: tuple[SourceKey, ...], kinds: Mapping[SourceKey, str]) -> str:
    if op.name == "source":
        return "array" if kinds.get(sources[0], "table") == "images" else "frame"
    if op.name == "reduce":
        axis = args["axis"]
        axes = [axis] if isinstance(axis, int) else axis
        return "aggregate" if axes is None or 0 in axes else "array"
    return op.result
