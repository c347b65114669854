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

from typing import Any

import numpy as np

from sealroom.client.pointer_arrays import RemoteArray, RemoteTensor
from sealroom.client.pointer_base import Pointer, PointerSession, RemoteTensorValue, RemoteValue, _labels, _literal, _node
from sealroom.core.errors import InvalidInput


def source_pointer(session: PointerSession, dataset: str, asset: str, kind: str) -> RemoteFrame | RemoteArray:
    """The pointer to one asset: a ``RemoteArray`` for images, else a ``RemoteFrame``."""
    node = _node("source", [], {"dataset": dataset, "asset": asset})
    graph = {"nodes": [node], "output": node["id"], "kinds": [[dataset, asset, kind]]}
    return (RemoteArray if kind == "images" else RemoteFrame)(graph, session)


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

    def _column_hint(self, name: str) -> str:
        try:
            is_column = name in self.columns
        except Exception:  # the schema could not be read: no hint, still refuse
            is_column = False
        return f' (columns are reached with frame["{name}"])' if is_column else ""

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


def crosstab(index: RemoteSeries, columns: RemoteSeries, values: RemoteSeries | None = None, aggfunc: str | None = None,
             margins: bool = False) -> RemoteFrame:
    """``pd.crosstab`` on series of the same rows: counts, or ``aggfunc`` of ``values``, with optional margins."""
    if not isinstance(index, RemoteSeries) or not isinstance(columns, RemoteSeries):
        raise InvalidInput("crosstab takes RemoteSeries of the same rows (frame['a'], frame['b'])")
    others = (columns,) if values is None else (columns, values)
    return index._then(RemoteFrame, "crosstab", {"margins": margins, "aggfunc": aggfunc}, *others)


__all__ = ["Pointer", "PointerSession", "RemoteArray", "RemoteFrame", "RemoteGroupBy", "RemoteSeries", "RemoteTensor",
           "RemoteTensorValue", "RemoteValue", "StringMethods", "crosstab", "source_pointer"]
