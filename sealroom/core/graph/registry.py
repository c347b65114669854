"""The operation registry: every operation a graph may use, declared once.

An ``Op`` says what it applies to (``receiver``: the type of its first input), what it makes
(``result``), which further inputs it takes, its arguments (``Arg`` specs: type, required,
allowed values), its ``kind``, its effect on *items* (how rows map to content items) and, for
aggregates, the disclosure ``statistic`` of its cells. The evaluator runs only ops found here,
through the handler each op module registers with ``@implements``; the client's pointers have
one explicit method per op. Anything else is refused with ``UnknownOperation``, whose message
lists what is supported for that type.

Types: ``frame``, ``series`` and ``array`` are *row-shaped* (one row per row of a frame);
``groupby`` is a frame with keys; ``aggregate`` is the result of an aggregate (cells);
``shape`` is metadata; ``none`` is the (absent) input of ``source``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.errors import InvalidInput, UnknownOperation
from sealroom.core.graph.args import Arg, check_arg

KINDS = ("source", "column", "transform", "filter", "aggregate", "join", "post_aggregate", "shape")
ITEMS = ("rows", "same", "subset", "union", "cells", "none")
RECEIVERS = ("none", "frame", "series", "groupby", "aggregate", "array", "shape")
AGG_FUNCS = ("count", "sum", "mean", "median", "std", "nunique", "quantile", "min", "max")
FUNC_STATISTIC = {
    "count": Statistic.COUNT, "size": Statistic.COUNT, "nunique": Statistic.COUNT,
    "sum": Statistic.MAGNITUDE, "mean": Statistic.MAGNITUDE, "std": Statistic.MAGNITUDE,
    "median": Statistic.ORDER, "quantile": Statistic.ORDER,
    "min": Statistic.EXTREME, "max": Statistic.EXTREME,
}
_POINTER_NAMES = {
    "none": "the start of a graph", "frame": "a RemoteFrame", "series": "a RemoteSeries",
    "groupby": "a RemoteGroupBy", "aggregate": "an aggregate result", "array": "a RemoteArray",
    "shape": "a metadata value",
}


@dataclass(frozen=True)
class Op:
    """One operation, as the graph, the lineage check, the evaluator and the pointers see it.

    ``inputs`` are the types of the inputs after the receiver (``optional`` of them may be left
    out, from the end); ``variadic`` allows any number more of that type (``assign``).
    ``same_rows``: every row-shaped input must have the receiver's rows (same *row base*).
    ``statistic``: a ``Statistic``, ``"func"`` (decided by the ``func``/``aggfunc`` argument)
    or ``"mixed"`` (``describe``), for aggregates only.
    """

    name: str
    receiver: str
    kind: str
    result: str
    items: str
    args: Mapping[str, Arg] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    optional: int = 0
    variadic: str | None = None
    same_rows: bool = False
    statistic: Statistic | str | None = None
    doc: str = ""

    def bind(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """Validated arguments with defaults filled in; ``InvalidInput`` names the bad one."""
        unknown = sorted(set(args) - set(self.args))
        if unknown:
            allowed = ", ".join(sorted(self.args)) or "none"
            raise InvalidInput(f"{self.name} takes no argument {unknown[0]!r}; its arguments: {allowed}")
        bound = {}
        for name, spec in self.args.items():
            if name not in args:
                if spec.required:
                    raise InvalidInput(f"{self.name} needs the argument {name!r}")
                bound[name] = spec.default
            else:
                bound[name] = check_arg(self.name, name, spec, args[name])
        return bound


Handler = Callable[..., Any]
OPS: dict[tuple[str, str], Op] = {}
HANDLERS: dict[tuple[str, str], Handler] = {}


def declare(name: str, receivers: str | tuple[str, ...], kind: str, result: str, items: str, **fields: Any) -> None:
    for receiver in (receivers,) if isinstance(receivers, str) else receivers:
        if kind not in KINDS or items not in ITEMS or receiver not in RECEIVERS:
            raise ValueError(f"bad declaration of {name}: kind {kind}, items {items}, receiver {receiver}")
        OPS[(receiver, name)] = Op(name=name, receiver=receiver, kind=kind, result=result, items=items, **fields)


def implements(name: str, *receivers: str) -> Callable[[Handler], Handler]:
    """Register the evaluator's handler for ``name`` on each of ``receivers``."""

    def register(fn: Handler) -> Handler:
        for receiver in receivers:
            if (receiver, name) not in OPS:
                raise KeyError(f"{name} on {receiver} is not declared in the registry")
            HANDLERS[(receiver, name)] = fn
        return fn

    return register


def lookup(name: str, receiver: str) -> Op:
    """The op ``name`` for a first input of type ``receiver``, or ``UnknownOperation``."""
    op = OPS.get((receiver, name))
    if op is None:
        supported = ", ".join(supported_ops(receiver)) or "none"
        raise UnknownOperation(f"{name!r} is not a supported operation on {_POINTER_NAMES.get(receiver, receiver)}; supported: {supported}")
    return op


def supported_ops(receiver: str) -> list[str]:
    return sorted(name for (r, name) in OPS if r == receiver)


# --- declarations ------------------------------------------------------------------------------
_FUNC = Arg("str", required=True, choices=AGG_FUNCS)
_AGG_ARGS = {"func": _FUNC, "q": Arg("number", default=0.5), "clip": Arg("pair")}

declare("source", "none", "source", "frame|array", "rows",
        args={"dataset": Arg("str", required=True), "asset": Arg("str", required=True)},
        doc="an asset's rows: a frame (tables, texts as item_id/text) or a uint8 array (images)")
declare("column", "frame", "column", "series", "same", args={"name": Arg("label", required=True)}, doc="frame[name]")
declare("column", "aggregate", "post_aggregate", "aggregate", "cells", args={"name": Arg("label", required=True)},
        doc="one column of an aggregate table")
declare("columns", "frame", "column", "frame", "same", args={"names": Arg("labels", required=True)}, doc="frame[[names]]")
declare("filter", "frame", "filter", "frame", "subset", inputs=("series",), same_rows=True, doc="frame[mask]")
declare("assign", "frame", "transform", "frame", "same", variadic="series", same_rows=True,
        args={"names": Arg("names", default=[]), "literals": Arg("literals", default={})},
        doc="frame.assign(name=series, ...); one name per series input, literals for scalars")
declare("compare", "series", "transform", "series", "same", inputs=("series",), optional=1, same_rows=True,
        args={"op": Arg("str", required=True, choices=("eq", "ne", "lt", "le", "gt", "ge")), "value": Arg("scalar")},
        doc="series == value (or another series of the same rows)")
declare("logical", "series", "transform", "series", "same", inputs=("series",), same_rows=True,
        args={"op": Arg("str", required=True, choices=("and", "or", "xor"))}, doc="mask & mask, mask | mask, mask ^ mask")
declare("invert", "series", "transform", "series", "same", doc="~mask")
declare("arith", "series", "transform", "series", "same", inputs=("series",), optional=1, same_rows=True,
        args={"op": Arg("str", required=True, choices=("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")),
              "value": Arg("number"), "reverse": Arg("bool", default=False)},
        doc="series + value, value - series (reverse), series * series, ...")
declare("isin", "series", "transform", "series", "same", args={"values": Arg("scalars", required=True)}, doc="series.isin([...])")
declare("isna", "series", "transform", "series", "same", doc="series.isna()")
declare("notna", "series", "transform", "series", "same", doc="series.notna()")
declare("str_len", "series", "transform", "series", "same", doc="series.str.len()")
declare("str_count", "series", "transform", "series", "same", args={"pattern": Arg("pattern", required=True)},
        doc="series.str.count(regex), run as RE2")
declare("str_contains", "series", "transform", "series", "same",
        args={"pattern": Arg("pattern", required=True), "case": Arg("bool", default=True)}, doc="series.str.contains(regex), run as RE2")
declare("str_lower", "series", "transform", "series", "same", doc="series.str.lower()")
declare("groupby", "frame", "transform", "groupby", "same",
        args={"by": Arg("labels", required=True), "dropna": Arg("bool", default=True)}, doc="frame.groupby(by)")
declare("gb_column", "groupby", "column", "groupby", "same",
        args={"names": Arg("labels", required=True), "single": Arg("bool", default=True)}, doc="gb['n'] or gb[['n', 'm']]")
declare("gb_agg", "groupby", "aggregate", "aggregate", "cells",
        args={**_AGG_ARGS, "func": Arg("str", required=True, choices=("size",) + AGG_FUNCS)}, statistic="func",
        doc="gb.mean(), gb.size(), gb.quantile(q), gb.sum(clip=(lo, hi)), ...")
declare("agg", ("series", "frame"), "aggregate", "aggregate", "cells", args=_AGG_ARGS, statistic="func",
        doc="series.mean() (a scalar), frame.mean() (one per column), ...")
declare("value_counts", ("series", "frame"), "aggregate", "aggregate", "cells",
        args={"normalize": Arg("bool", default=False), "dropna": Arg("bool", default=True)}, statistic=Statistic.COUNT,
        doc="value_counts(normalize=False, dropna=True)")
declare("describe", ("series", "frame"), "aggregate", "aggregate", "cells", statistic="mixed",
        doc="count (COUNT), mean/std (MAGNITUDE), quartiles (ORDER), min/max (EXTREME) of numeric columns")
declare("corr", "frame", "aggregate", "aggregate", "cells", args={"method": Arg("str", default="pearson", choices=("pearson",))},
        statistic=Statistic.ASSOCIATION, doc="frame.corr() of numeric columns")
declare("corr", "series", "aggregate", "aggregate", "cells", inputs=("series",), same_rows=True,
        args={"method": Arg("str", default="pearson", choices=("pearson",))}, statistic=Statistic.ASSOCIATION, doc="series.corr(other)")
declare("crosstab", "series", "aggregate", "aggregate", "cells", inputs=("series", "series"), optional=1, same_rows=True,
        args={"margins": Arg("bool", default=False), "aggfunc": Arg("str", choices=AGG_FUNCS)}, statistic="func",
        doc="crosstab(index, columns[, values, aggfunc], margins)")
declare("pivot_table", "frame", "aggregate", "aggregate", "cells", statistic="func",
        args={"values": Arg("label_or_labels"), "index": Arg("labels", required=True), "columns": Arg("labels"),
              "aggfunc": Arg("str", default="mean", choices=AGG_FUNCS), "margins": Arg("bool", default=False)},
        doc="frame.pivot_table(values, index, columns, aggfunc, margins)")
declare("merge", "frame", "join", "frame", "union", inputs=("frame",),
        args={"on": Arg("labels"), "left_on": Arg("labels"), "right_on": Arg("labels"),
              "how": Arg("str", default="inner", choices=("inner", "left"))},
        doc="frame.merge(other, on=...) within one dataset; at most 5 000 000 rows")
declare("histogram", "series", "aggregate", "aggregate", "cells", statistic=Statistic.COUNT,
        args={"bins": Arg("bins", default=10), "range": Arg("pair")},
        doc="np.histogram(series, bins, range): (counts, edges); private data needs range with an int bins")
declare("sort_values", "aggregate", "post_aggregate", "aggregate", "cells",
        args={"by": Arg("label"), "ascending": Arg("bool", default=True)}, doc="sort an aggregate's cells")
declare("head", "aggregate", "post_aggregate", "aggregate", "cells", args={"n": Arg("int", default=5)}, doc="first n cells")
declare("head", "frame", "filter", "frame", "subset", args={"n": Arg("int", default=5)}, doc="first n rows (row-shaped)")
declare("round", "aggregate", "post_aggregate", "aggregate", "cells", args={"decimals": Arg("int", default=0)}, doc="round(decimals)")
declare("shape", ("frame", "array"), "shape", "shape", "none", statistic=Statistic.COUNT, doc="shape; the row count is a COUNT cell")
declare("dtypes", "frame", "shape", "shape", "none", doc="column dtypes (metadata)")
declare("dtype", "array", "shape", "shape", "none", doc="array dtype (metadata)")
declare("reduce", "array", "aggregate", "aggregate|array", "cells", statistic="func",
        args={"func": Arg("str", required=True, choices=("sum", "mean", "std", "min", "max")), "axis": Arg("axis")},
        doc="array.mean(axis=...): over axis 0 (items) an aggregate, else row-shaped")
