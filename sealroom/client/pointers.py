"""Remote pointers: pandas-like expressions on private data that build an operation graph.

``lines = ws.datasets["northwind-scripts"].private`` is a ``RemoteFrame``. Its methods look like
pandas (``lines.assign(n=lines["line"].str.len()).groupby("speaker")["n"].mean()``) but nothing
runs: each call adds one node to a JSON graph (``sealroom.core.graph``), checked at once against
the operation registry. ``.mock()`` evaluates the graph here on the public mock (a plain pandas
answer); ``.get(purpose=...)`` sends it to the vault, which runs it on the private data with
disclosure control at every aggregate. A pointer holds the graph and its session, never data.

Columns are reached with ``frame["line"]`` or ``frame.col("line")``; there is no attribute
access (``frame.line``): every supported operation is one explicit method mapped to one registry
op. ``__getattr__`` exists only to refuse: an undeclared name (``lines.apply``) raises
``AttributeError`` naming the supported methods; it never builds anything.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import numpy as np

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.evaluate import evaluate
from sealroom.core.graph.lineage import infer
from sealroom.core.graph.provenance import SourceData
from sealroom.core.graph.registry import OPS
from sealroom.core.graph.wire import Graph, Node
from sealroom.core.hashing import sha256_json

_NO_DATA = "(no data here; .mock() or .get())"


class PointerSession(Protocol):
    """Where a pointer's mock comes from and where its graph is sent."""

    def mock_source(self, dataset: str, asset: str) -> SourceData: ...

    def run_graph(self, graph: dict, purpose: str | None) -> Any: ...


def source_pointer(session: PointerSession, dataset: str, asset: str, kind: str) -> RemoteFrame | RemoteArray:
    """The pointer to one asset: a ``RemoteArray`` for images, else a ``RemoteFrame``."""
    node = _node("source", [], {"dataset": dataset, "asset": asset})
    graph = {"nodes": [node], "output": node["id"], "kinds": [[dataset, asset, kind]]}
    return (RemoteArray if kind == "images" else RemoteFrame)(graph, session)


def _node(op: str, inputs: list[str], args: dict) -> dict:
    return {"id": "h" + sha256_json([op, inputs, args])[:16], "op": op, "inputs": inputs, "args": args}


class Pointer:
    """A value in the vault that is not here: a graph and the session to evaluate it with."""

    __array_ufunc__ = None  # numpy defers to our operators and refuses ufuncs

    def __init__(self, graph: dict, session: PointerSession) -> None:
        self._graph = graph
        self._session = session

    def __getattr__(self, name: str):
        """Refuse an undeclared operation with the list of supported ones (never builds a node)."""
        if name.startswith("_"):
            raise AttributeError(name)
        supported = ", ".join(sorted(n for n in dir(type(self)) if not n.startswith("_")))
        try:
            is_column = isinstance(self, RemoteFrame) and name in self.columns
        except Exception:  # the schema could not be read: no hint, still refuse
            is_column = False
        hint = f' (columns are reached with frame["{name}"])' if is_column else ""
        raise AttributeError(f"{name!r} is not a supported operation on a {type(self).__name__}{hint}; supported: {supported}")

    # -- building ---------------------------------------------------------------------------
    def _then(self, cls: type, op: str, args: dict, *others: Pointer) -> Any:
        """A new pointer of ``cls``: this graph (and ``others``') plus one node, type-checked now."""
        args = {k: v for k, v in args.items() if v is not None}
        nodes, kinds = {}, []
        for pointer in (self, *others):
            for node in pointer._graph["nodes"]:
                nodes.setdefault(node["id"], node)
            kinds += [k for k in pointer._graph["kinds"] if k not in kinds]
        node = _node(op, [self._graph["output"], *(o._graph["output"] for o in others)], args)
        nodes.setdefault(node["id"], node)
        graph = {"nodes": list(nodes.values()), "output": node["id"], "kinds": kinds}
        _check(graph)
        return cls(graph, self._session)

    def _type(self) -> str:
        """``frame``, ``series``, ``aggregate``, ... of this pointer's output (from the lineage check)."""
        return _check(self._graph)[self._graph["output"]].type

    # -- evaluating -------------------------------------------------------------------------
    def graph_json(self) -> dict:
        """The wire graph: only the nodes the output depends on, numbered ``n0, n1, ...``."""
        graph = Graph(nodes=tuple(Node(n["id"], n["op"], tuple(n["inputs"]), n["args"]) for n in self._graph["nodes"]),
                      output=self._graph["output"])
        return graph.pruned().renumbered().to_json()

    def mock(self) -> Any:
        """Evaluate here on the public mock: the plain pandas answer, no disclosure control."""
        graph = Graph.from_json(self.graph_json())
        sources = {}
        for node in graph.nodes:
            if node.op == "source":
                key = (node.args["dataset"], node.args["asset"])
                sources[key] = self._session.mock_source(*key)
        return self._convert(evaluate(graph, sources).value)

    def get(self, purpose: str | None = None) -> Any:
        """Send the graph to the vault; the released (protected) answer, or an error saying why not."""
        return self._convert(self._session.run_graph(self.graph_json(), purpose))

    async def aget(self, purpose: str | None = None) -> Any:
        """``get`` without blocking the event loop (runs in a thread)."""
        return await asyncio.to_thread(self.get, purpose)

    def _convert(self, value: Any) -> Any:
        return value

    # -- refusals ---------------------------------------------------------------------------
    def __bool__(self) -> bool:
        raise InvalidInput(f"a {type(self).__name__} has no truth value here (it is not evaluated); "
                           "use .mock() or .get() to get a value, and combine masks with & | ~")

    def __iter__(self):
        raise InvalidInput(f"a {type(self).__name__} cannot be iterated here: it holds no data; "
                           "use .mock() (the mock) or .get() (the released answer)")

    def __len__(self) -> int:
        raise InvalidInput(f"len() of a {type(self).__name__} is not known here; use .shape.get(), .count() or .mock()")

    def __array__(self, *args, **kwargs):
        raise InvalidInput(f"a {type(self).__name__} cannot become a numpy array here; use .mock() or .get()")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {_expression(self._graph)} {_NO_DATA}>"


def _check(graph: dict) -> dict:
    """Run the lineage check (types, args, row bases) on a pointer's graph."""
    nodes = tuple(Node(n["id"], n["op"], tuple(n["inputs"]), n["args"]) for n in graph["nodes"])
    kinds = {(d, a): k for d, a, k in graph["kinds"]}
    return infer(Graph(nodes=nodes, output=graph["output"]), kinds)


def _expression(graph: dict, limit: int = 10) -> str:
    by_id = {n["id"]: n for n in graph["nodes"]}
    chain, node = [], by_id[graph["output"]]
    while True:
        chain.append(node)
        if not node["inputs"]:
            break
        node = by_id[node["inputs"][0]]
    steps = [f"{n['args']['dataset']}/{n['args']['asset']}" if n["op"] == "source" else _step(n) for n in reversed(chain)]
    if len(steps) > limit:
        steps = steps[:2] + ["..."] + steps[-(limit - 3):]
    return " → ".join(steps)


def _step(node: dict) -> str:
    """``op(args)``, showing only the arguments that differ from the op's defaults."""
    spec = next(op for (_, name), op in OPS.items() if name == node["op"]).args
    shown = [",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in node["args"].items()
             if k not in ("single", "literals") and v not in (None, [], {}) and (k not in spec or v != spec[k].default)]
    text = ", ".join(shown)
    text = text if len(text) <= 40 else text[:37] + "..."
    return f"{node['op']}({text})" if text else node["op"]


def _literal(value: Any, what: str) -> Any:
    """A scalar operand as a JSON literal (numpy scalars become Python numbers)."""
    if hasattr(value, "item") and not isinstance(value, Pointer):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise InvalidInput(f"{what} must be a number, string, bool or None, or a pointer of the same rows; got {type(value).__name__}")


def _labels(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    return list(value)


class RemoteValue(Pointer):
    """A scalar, tuple or array answer (a mean, a shape, a histogram) that is not here yet."""


class RemoteTensorValue(RemoteValue):
    """An answer from a ``RemoteTensor``: ``.mock()``/``.get()`` return ``torch.Tensor``."""

    def _convert(self, value: Any) -> Any:
        return _to_torch(value)


def _to_torch(value: Any) -> Any:
    import torch  # only when a tensor is asked for

    if isinstance(value, tuple):
        return value
    return torch.as_tensor(np.asarray(value))


_AGG_DOC = "an aggregate: disclosure control applies to its cells on .get()"


def _agg(func: str, *, clip: bool = False, q: bool = False):
    """The method ``func`` of a frame, series or group-by: ``agg(func)`` (with ``clip=``/``q=`` where they apply)."""
    if q:
        def method(self, q: float = 0.5):
            return self.agg(func, q=q)
    elif clip:
        def method(self, clip: Any = None):
            return self.agg(func, clip=clip)
    else:
        def method(self):
            return self.agg(func)
    method.__name__ = method.__qualname__ = func
    method.__doc__ = f"``{func}`` as a pointer ({_AGG_DOC})."
    return method


def _reduction(func: str):
    """``array.func(axis=None)``; on a ``RemoteTensor`` also ``dim=`` (an alias of ``axis``)."""
    def method(self, axis: Any = None, dim: Any = None):
        return self._reduce(func, dim if dim is not None else axis)
    method.__name__ = method.__qualname__ = func
    return method


def _pair(value: Any) -> list | None:
    if value is None:
        return None
    low, high = value
    return [_literal(low, "clip low"), _literal(high, "clip high")]


def _compare(op: str):
    def method(self: RemoteSeries, other: Any) -> RemoteSeries:
        if isinstance(other, RemoteSeries):
            return self._then(RemoteSeries, "compare", {"op": op}, other)
        return self._then(RemoteSeries, "compare", {"op": op, "value": _literal(other, "the value compared")})

    method.__name__ = f"__{op}__"
    return method


def _arith(op: str, reverse: bool = False):
    def method(self: RemoteSeries, other: Any) -> RemoteSeries:
        if isinstance(other, RemoteSeries):
            return (other if reverse else self)._then(RemoteSeries, "arith", {"op": op}, self if reverse else other)
        args = {"op": op, "value": _literal(other, "the operand"), "reverse": reverse or None}
        return self._then(RemoteSeries, "arith", args)

    method.__name__ = f"__{'r' if reverse else ''}{op}__"
    return method


def _logical(op: str):
    def method(self: RemoteSeries, other: Any) -> RemoteSeries:
        if not isinstance(other, RemoteSeries):
            raise InvalidInput("& | ^ combine two boolean RemoteSeries of the same rows")
        return self._then(RemoteSeries, "logical", {"op": op}, other)

    return method


class RemoteFrame(Pointer):
    """A frame in the vault: its rows (``ds.private``), or an aggregate table (a pivot, a describe)."""

    # -- columns and rows -------------------------------------------------------------------
    def col(self, name: str | int) -> RemoteSeries:
        """One column (``frame["name"]`` does the same)."""
        return self._then(RemoteSeries, "column", {"name": name})

    def __getitem__(self, key: Any) -> Any:
        """``frame["a"]`` a column, ``frame[["a", "b"]]`` columns, ``frame[mask]`` the rows where mask is True."""
        if isinstance(key, RemoteSeries):
            return self._then(RemoteFrame, "filter", {}, key)
        if isinstance(key, (str, int)):
            return self.col(key)
        if isinstance(key, (list, tuple)):
            return self._then(RemoteFrame, "columns", {"names": list(key)})
        raise InvalidInput(f"frame[...] takes a column name, a list of names or a boolean RemoteSeries, not {type(key).__name__}")

    def assign(self, **columns: Any) -> RemoteFrame:
        """New columns from series of the same rows (``n=f["line"].str.len()``) or scalars."""
        frame, names, others, literals = self, [], [], {}
        for name, value in columns.items():
            if isinstance(value, RemoteSeries):
                if literals:  # keep pandas' column order: flush the literals assigned before this series
                    frame, names, others, literals = frame._assign(names, others, literals), [], [], {}
                names.append(name)
                others.append(value)
            else:
                literals[name] = _literal(value, f"assign({name}=...)")
        return frame._assign(names, others, literals)

    def _assign(self, names: list, others: list, literals: dict) -> RemoteFrame:
        return self._then(RemoteFrame, "assign", {"names": names, "literals": literals}, *others)

    def groupby(self, by: Any, dropna: bool = True) -> RemoteGroupBy:
        return self._then(RemoteGroupBy, "groupby", {"by": _labels(by), "dropna": dropna})

    def merge(self, other: RemoteFrame, on: Any = None, left_on: Any = None, right_on: Any = None, how: str = "inner") -> RemoteFrame:
        """Join another asset of the same dataset (``how``: inner or left)."""
        if not isinstance(other, RemoteFrame):
            raise InvalidInput("merge joins two RemoteFrames (another asset of the same dataset)")
        args = {"on": _labels(on), "left_on": _labels(left_on), "right_on": _labels(right_on), "how": how}
        return self._then(RemoteFrame, "merge", args, other)

    def head(self, n: int = 5) -> RemoteFrame:
        """The first ``n`` rows (row-shaped), or the first ``n`` cells of an aggregate table."""
        return self._then(RemoteFrame, "head", {"n": n})

    # -- aggregates -------------------------------------------------------------------------
    def pivot_table(self, values: Any = None, index: Any = None, columns: Any = None, aggfunc: str = "mean",
                    margins: bool = False) -> RemoteFrame:
        return self._then(RemoteFrame, "pivot_table", {"values": _labels(values), "index": _labels(index),
                                                       "columns": _labels(columns), "aggfunc": aggfunc, "margins": margins})

    def value_counts(self, normalize: bool = False, dropna: bool = True) -> RemoteSeries:
        return self._then(RemoteSeries, "value_counts", {"normalize": normalize, "dropna": dropna})

    def describe(self) -> RemoteFrame:
        return self._then(RemoteFrame, "describe", {})

    def corr(self, method: str = "pearson") -> RemoteFrame:
        return self._then(RemoteFrame, "corr", {"method": method})

    def agg(self, func: str, q: float | None = None, clip: Any = None) -> RemoteSeries:
        """One aggregate per column: ``func`` is count, sum, mean, median, std, nunique, quantile, min or max."""
        return self._then(RemoteSeries, "agg", {"func": func, "q": q, "clip": _pair(clip)})

    count, nunique, median, std, min, max = (_agg(f) for f in ("count", "nunique", "median", "std", "min", "max"))
    sum, mean, quantile = _agg("sum", clip=True), _agg("mean", clip=True), _agg("quantile", q=True)

    # -- on aggregates ----------------------------------------------------------------------
    def sort_values(self, by: str | int, ascending: bool = True) -> RemoteFrame:
        """Sort an aggregate table's rows (after disclosure control: suppressed cells have no rank)."""
        return self._then(RemoteFrame, "sort_values", {"by": by, "ascending": ascending})

    def round(self, decimals: int = 0) -> RemoteFrame:
        return self._then(RemoteFrame, "round", {"decimals": decimals})

    # -- metadata ---------------------------------------------------------------------------
    @property
    def shape(self) -> RemoteValue:
        """``(rows, columns)`` as a pointer: the row count is a count, protected like one."""
        return self._then(RemoteValue, "shape", {})

    @property
    def columns(self):
        """The column names, answered here from the mock (the schema is public)."""
        return self.mock().columns if self._type() == "aggregate" else self._then(RemoteValue, "dtypes", {}).mock().index

    @property
    def dtypes(self):
        """The column dtypes, answered here from the mock (the schema is public)."""
        return self._then(RemoteValue, "dtypes", {}).mock()


class RemoteSeries(Pointer):
    """A column (row-shaped) or a one-dimensional aggregate (a group-by mean, value counts)."""

    __eq__ = _compare("eq")
    __ne__ = _compare("ne")
    __lt__ = _compare("lt")
    __le__ = _compare("le")
    __gt__ = _compare("gt")
    __ge__ = _compare("ge")
    __hash__ = None  # like a pandas Series: == builds a mask, so a pointer is not hashable
    __add__, __radd__ = _arith("add"), _arith("add", True)
    __sub__, __rsub__ = _arith("sub"), _arith("sub", True)
    __mul__, __rmul__ = _arith("mul"), _arith("mul", True)
    __truediv__, __rtruediv__ = _arith("truediv"), _arith("truediv", True)
    __floordiv__, __rfloordiv__ = _arith("floordiv"), _arith("floordiv", True)
    __mod__, __rmod__ = _arith("mod"), _arith("mod", True)
    __pow__, __rpow__ = _arith("pow"), _arith("pow", True)
    __and__, __or__, __xor__ = _logical("and"), _logical("or"), _logical("xor")

    def __invert__(self) -> RemoteSeries:
        return self._then(RemoteSeries, "invert", {})

    def __neg__(self) -> RemoteSeries:
        return self._then(RemoteSeries, "arith", {"op": "mul", "value": -1})

    @property
    def str(self) -> StringMethods:
        """Text methods (``.str.len()``, ``.str.count(regex)``, ``.str.contains(regex)``, ``.str.lower()``)."""
        return StringMethods(self)

    def isin(self, values: Any) -> RemoteSeries:
        return self._then(RemoteSeries, "isin", {"values": [_literal(v, "isin values") for v in values]})

    def isna(self) -> RemoteSeries:
        return self._then(RemoteSeries, "isna", {})

    def notna(self) -> RemoteSeries:
        return self._then(RemoteSeries, "notna", {})

    # -- aggregates -------------------------------------------------------------------------
    def value_counts(self, normalize: bool = False, dropna: bool = True) -> RemoteSeries:
        return self._then(RemoteSeries, "value_counts", {"normalize": normalize, "dropna": dropna})

    def describe(self) -> RemoteSeries:
        return self._then(RemoteSeries, "describe", {})

    def agg(self, func: str, q: float | None = None, clip: Any = None) -> RemoteValue:
        """One number: ``func`` is count, sum, mean, median, std, nunique, quantile, min or max."""
        return self._then(RemoteValue, "agg", {"func": func, "q": q, "clip": _pair(clip)})

    count, nunique, median, std, min, max = (_agg(f) for f in ("count", "nunique", "median", "std", "min", "max"))
    sum, mean, quantile = _agg("sum", clip=True), _agg("mean", clip=True), _agg("quantile", q=True)

    def corr(self, other: RemoteSeries, method: str = "pearson") -> RemoteValue:
        return self._then(RemoteValue, "corr", {"method": method}, other)

    # -- on aggregates ----------------------------------------------------------------------
    def sort_values(self, ascending: bool = True) -> RemoteSeries:
        return self._then(RemoteSeries, "sort_values", {"ascending": ascending})

    def head(self, n: int = 5) -> RemoteSeries:
        return self._then(RemoteSeries, "head", {"n": n})

    def round(self, decimals: int = 0) -> RemoteSeries:
        return self._then(RemoteSeries, "round", {"decimals": decimals})

    def __array_function__(self, func, types, args, kwargs):
        """Only ``np.histogram(series, bins=..., range=...)``; other numpy functions are refused."""
        if func is not np.histogram:
            raise InvalidInput(f"numpy.{func.__name__} does not work on a RemoteSeries; supported: "
                               "np.histogram(series, bins=..., range=(low, high)); otherwise use the series' "
                               "own methods (.mean(), .sum(), .quantile(), ...)")
        return self._histogram(*args[1:], **kwargs)

    def _histogram(self, bins: Any = 10, range: Any = None, density: Any = None, weights: Any = None) -> RemoteValue:  # noqa: A002
        if density or weights is not None:
            raise InvalidInput("np.histogram on a RemoteSeries supports bins= and range= only (no density, no weights)")
        bins = bins if isinstance(bins, int) else [float(edge) for edge in bins]
        return self._then(RemoteValue, "histogram", {"bins": bins, "range": _pair(range)})


class StringMethods:
    """``series.str``: text methods of a RemoteSeries (regular expressions run as RE2 in the vault)."""

    def __init__(self, series: RemoteSeries) -> None:
        self._series = series

    def len(self) -> RemoteSeries:
        return self._series._then(RemoteSeries, "str_len", {})

    def lower(self) -> RemoteSeries:
        return self._series._then(RemoteSeries, "str_lower", {})

    def count(self, pat: str) -> RemoteSeries:
        return self._series._then(RemoteSeries, "str_count", {"pattern": pat})

    def contains(self, pat: str, case: bool = True, regex: bool = True) -> RemoteSeries:
        pattern = pat if regex else _escape(pat)
        return self._series._then(RemoteSeries, "str_contains", {"pattern": pattern, "case": case})


def _escape(text: str) -> str:
    """A literal string as an RE2 pattern."""
    return "".join("\\" + ch if ch in ".^$*+?()[]{}|\\" else ch for ch in text)


class RemoteGroupBy(Pointer):
    """``frame.groupby(by)``: select columns with ``gb["n"]`` / ``gb[["n", "m"]]``, then aggregate."""

    def __getitem__(self, key: Any) -> RemoteGroupBy:
        if isinstance(key, (str, int)):
            return self._then(RemoteGroupBy, "gb_column", {"names": [key], "single": True})
        return self._then(RemoteGroupBy, "gb_column", {"names": list(key), "single": False})

    def _single(self) -> bool:
        node = next(n for n in self._graph["nodes"] if n["id"] == self._graph["output"])
        return node["op"] == "gb_column" and node["args"]["single"]

    def agg(self, func: str, q: float | None = None, clip: Any = None) -> RemoteSeries | RemoteFrame:
        """``func``: size, count, sum, mean, median, std, nunique, quantile, min or max."""
        cls = RemoteSeries if func == "size" or self._single() else RemoteFrame
        return self._then(cls, "gb_agg", {"func": func, "q": q, "clip": _pair(clip)})

    size, count, nunique, median, std, min, max = (_agg(f) for f in ("size", "count", "nunique", "median", "std", "min", "max"))
    sum, mean, quantile = _agg("sum", clip=True), _agg("mean", clip=True), _agg("quantile", q=True)


class RemoteArray(Pointer):
    """An images asset as a uint8 array ``(N, H, W, 3)``: reductions, shape and dtype."""

    _value_class: type = RemoteValue

    def _reduce(self, func: str, axis: Any) -> Any:
        axis = axis if axis is None or isinstance(axis, int) else [int(a) for a in axis]
        keeps_items = axis is not None and 0 not in ([axis] if isinstance(axis, int) else axis)
        return self._then(type(self) if keeps_items else self._value_class, "reduce", {"func": func, "axis": axis})

    sum, mean, std, min, max = (_reduction(f) for f in ("sum", "mean", "std", "min", "max"))

    @property
    def shape(self) -> RemoteValue:
        """``(N, H, W, 3)`` as a pointer: N is a count, protected like one."""
        return self._then(RemoteValue, "shape", {})

    @property
    def dtype(self) -> str:
        """The element type, answered here from the mock (public metadata)."""
        return self._then(RemoteValue, "dtype", {}).mock()

    def as_tensor(self) -> RemoteTensor:
        """The same pointer, answering with ``torch.Tensor``s."""
        return RemoteTensor(self._graph, self._session)


class RemoteTensor(RemoteArray):
    """``RemoteArray`` whose answers are ``torch.Tensor``s; reductions also take ``dim=``."""

    _value_class = RemoteTensorValue

    def _convert(self, value: Any) -> Any:
        return _to_torch(value)


def crosstab(index: RemoteSeries, columns: RemoteSeries, values: RemoteSeries | None = None, aggfunc: str | None = None,
             margins: bool = False) -> RemoteFrame:
    """``pd.crosstab`` on series of the same rows: counts, or ``aggfunc`` of ``values``, with optional margins."""
    if not isinstance(index, RemoteSeries) or not isinstance(columns, RemoteSeries):
        raise InvalidInput("crosstab takes RemoteSeries of the same rows (frame['a'], frame['b'])")
    others = (columns,) if values is None else (columns, values)
    return index._then(RemoteFrame, "crosstab", {"margins": margins, "aggfunc": aggfunc}, *others)


__all__ = ["Pointer", "PointerSession", "RemoteArray", "RemoteFrame", "RemoteGroupBy", "RemoteSeries", "RemoteTensor",
           "RemoteTensorValue", "RemoteValue", "StringMethods", "crosstab", "source_pointer"]
