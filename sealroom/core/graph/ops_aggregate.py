"""Aggregates of a whole series or frame: ``agg``, ``value_counts``, ``describe``, ``corr``, ``histogram``.

Values are what pandas (or ``np.histogram``) answers; each handler also says which rows fall in
which cell (``Block``s), from which the evaluator derives the cell facts when it needs them.
Count-like cells count the items of the frame's primary source; value cells count the items of
the sources the column was read from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.facts import Block
from sealroom.core.graph.keys import group_keys
from sealroom.core.graph.ops_groupby import NUMERIC_FUNCS, numeric_values
from sealroom.core.graph.plan import Call, CellPlan, counted, statistics
from sealroom.core.graph.protected import Layout
from sealroom.core.graph.provenance import FrameValue, SeriesValue
from sealroom.core.graph.registry import FUNC_STATISTIC, implements

DESCRIBE_STATISTIC = {"count": Statistic.COUNT, "mean": Statistic.MAGNITUDE, "std": Statistic.MAGNITUDE,
                      "min": Statistic.EXTREME, "25%": Statistic.ORDER, "50%": Statistic.ORDER,
                      "75%": Statistic.ORDER, "max": Statistic.EXTREME}


def _one(series: pd.Series, func: str, q: float, clip: list | None):
    """pandas' answer for one column, and the values (float64) of numeric funcs."""
    if func in NUMERIC_FUNCS:
        data = numeric_values(series, func)
        if clip is not None:
            data = np.clip(data, clip[0], clip[1])
            series = pd.Series(data, index=series.index, name=series.name)
        result = series.quantile(q) if func == "quantile" else getattr(series, func)()
        return result, data
    return getattr(series, func)(), None


def _block(cell: int, series: pd.Series, data: np.ndarray | None, func: str, keys: tuple) -> Block:
    missing = series.isna().to_numpy() if data is None else np.isnan(data)
    cells = np.where(missing, -1, cell)
    measure = data if func in ("sum", "mean", "std") else None
    return Block(cells=cells, counted=keys, measure=measure)


@implements("agg", "series")
def agg_series(call: Call) -> CellPlan:
    value: SeriesValue = call.inputs[0]
    func, q, clip = call.args["func"], call.args["q"], call.args["clip"]
    result, data = _one(value.series, func, q, clip)
    keys = counted(value.prov, None if func == "count" else value.origin)
    return CellPlan(aggregate=func, value=result, layout=Layout("scalar"), statistic=statistics(1, FUNC_STATISTIC[func]),
                    prov=value.prov, blocks=lambda: [_block(0, value.series, data, func, keys)], bounds=_bounds(clip))


@implements("agg", "frame")
def agg_frame(call: Call) -> CellPlan:
    value: FrameValue = call.inputs[0]
    func, q, clip = call.args["func"], call.args["q"], call.args["clip"]
    frame = value.frame
    data = {name: numeric_values(frame[name], func) for name in frame.columns} if func in NUMERIC_FUNCS else {}
    if clip is not None:
        frame = frame.clip(clip[0], clip[1])
        data = {name: np.clip(values, clip[0], clip[1]) for name, values in data.items()}
    result = frame.quantile(q) if func == "quantile" else getattr(frame, func)()

    def blocks():
        return [_block(j, frame[name], data.get(name), func, counted(value.prov, None if func == "count" else value.origin(name)))
                for j, name in enumerate(frame.columns)]

    n = len(result)
    return CellPlan(aggregate=func, value=result, layout=Layout("series", rows=np.arange(n)),
                    statistic=statistics(n, FUNC_STATISTIC[func]), prov=value.prov, blocks=blocks, bounds=_bounds(clip))


def _bounds(clip: list | None) -> tuple[float, float] | None:
    return (float(clip[0]), float(clip[1])) if clip else None


@implements("value_counts", "series", "frame")
def value_counts(call: Call) -> CellPlan:
    value = call.inputs[0]
    normalize, dropna = call.args["normalize"], call.args["dropna"]
    if isinstance(value, SeriesValue):
        columns, names = [value.series], [value.series.name]
    else:
        columns, names = [value.frame[c] for c in value.frame.columns], list(value.frame.columns)
    grouping = group_keys(columns, names, sort=False, dropna=dropna)
    codes = grouping.codes if grouping.complete else grouping.codes[grouping.codes >= 0]
    counts = np.bincount(codes, minlength=grouping.n).astype(np.int64)
    order = np.argsort(-counts, kind="stable")
    index = grouping.index[order]
    if isinstance(value, FrameValue) and not isinstance(index, pd.MultiIndex):
        index = pd.MultiIndex.from_arrays([index], names=names)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))  # cell i (group i) sits at position rank[i] of the sorted counts
    result = pd.Series(counts[order], index=index, name="count")
    prov = value.prov

    def finish(out: pd.Series, protected: bool) -> pd.Series:
        if protected:  # order by the published counts only (ties by label), never by the exact ones
            try:
                out = out.sort_index(kind="stable")
            except TypeError:  # labels of mixed types: ties keep the order of first appearance
                pass
            out = out.sort_values(ascending=False, kind="stable")
        if normalize:
            out = (out / out.sum()).rename("proportion")
        return out

    return CellPlan(aggregate="value_counts", value=result, layout=Layout("series", rows=rank),
                    statistic=statistics(len(result), Statistic.COUNT), prov=prov, finish=finish,
                    blocks=lambda: [Block(cells=grouping.codes, counted=(prov.primary,))])


@implements("describe", "series", "frame")
def describe(call: Call) -> CellPlan:
    value = call.inputs[0]
    frame = value.series.to_frame() if isinstance(value, SeriesValue) else value.frame
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)]
    if not numeric:
        raise InvalidInput("describe() summarises numeric columns and there are none here; for text use value_counts()")
    if isinstance(value, SeriesValue):
        result = value.series.describe()
        stats = list(result.index)
        layout = Layout("series", rows=np.arange(len(stats)))
        cols = [value.series.name]
    else:
        result = frame.describe()
        stats, cols = list(result.index), list(result.columns)
        layout = Layout("frame", rows=np.tile(np.arange(len(stats)), len(cols)), cols=np.repeat(np.arange(len(cols)), len(stats)))
    statistic = np.array([DESCRIBE_STATISTIC[s].value for _ in cols for s in stats])

    def blocks():
        out = []
        for j, name in enumerate(cols):
            series = value.series if isinstance(value, SeriesValue) else frame[name]
            data = series.to_numpy(dtype=np.float64, na_value=np.nan)
            origin = value.origin if isinstance(value, SeriesValue) else value.origin(name)
            for i, stat in enumerate(stats):
                func = {"mean": "mean", "std": "std"}.get(stat, "count")
                keys = counted(value.prov, None if stat == "count" else origin)
                out.append(_block(j * len(stats) + i, series, data, func, keys))
        return out

    return CellPlan(aggregate="describe", value=result, layout=layout, statistic=statistic, prov=value.prov, blocks=blocks)


@implements("corr", "series", "frame")
def corr(call: Call) -> CellPlan:
    if len(call.inputs) == 2:
        left, right = call.inputs
        a, b = numeric_values(left.series, "corr"), numeric_values(right.series, "corr")
        result = left.series.corr(right.series)
        keys = counted(left.prov, left.origin | right.origin)
        return CellPlan(aggregate="corr", value=result, layout=Layout("scalar"), statistic=statistics(1, Statistic.ASSOCIATION),
                        prov=left.prov, blocks=lambda: [Block(cells=np.where(np.isnan(a) | np.isnan(b), -1, 0), counted=keys)])
    value: FrameValue = call.inputs[0]
    data = {name: numeric_values(value.frame[name], "corr") for name in value.frame.columns}
    result = value.frame.corr()
    names, k = list(value.frame.columns), len(value.frame.columns)

    def blocks():
        out = []
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                keys = counted(value.prov, value.origin(a) | value.origin(b))
                cells = np.where(np.isnan(data[a]) | np.isnan(data[b]), -1, j * k + i)
                out.append(Block(cells=cells, counted=keys))
        return out

    layout = Layout("frame", rows=np.tile(np.arange(k), k), cols=np.repeat(np.arange(k), k))
    return CellPlan(aggregate="corr", value=result, layout=layout, statistic=statistics(k * k, Statistic.ASSOCIATION),
                    prov=value.prov, blocks=blocks)


@implements("histogram", "series")
def histogram(call: Call) -> CellPlan:
    value: SeriesValue = call.inputs[0]
    bins, bounds = call.args["bins"], call.args["range"]
    if call.private and isinstance(bins, int) and bounds is None:
        raise InvalidInput("np.histogram on private data needs range=(low, high) with a number of bins: "
                           "edges computed from the data would reveal its minimum and maximum")
    data = numeric_values(value.series, "histogram")
    present = data[~np.isnan(data)]
    try:
        counts, edges = np.histogram(present, bins=bins, range=tuple(bounds) if bounds else None)
    except ValueError as exc:
        raise InvalidInput("np.histogram could not bin these values; give range=(low, high)", detail=str(exc)) from None
    n_bins = len(counts)
    prov = value.prov

    def blocks():
        cell = np.searchsorted(edges, data, side="right") - 1
        cell[data == edges[-1]] = n_bins - 1
        cell[np.isnan(data) | (data < edges[0]) | (data > edges[-1])] = -1
        return [Block(cells=cell.astype(np.int64), counted=(prov.primary,))]

    return CellPlan(aggregate="histogram", value=(counts, edges), layout=Layout("histogram", rows=np.arange(n_bins)),
                    statistic=statistics(n_bins, Statistic.COUNT), prov=prov, blocks=blocks)
