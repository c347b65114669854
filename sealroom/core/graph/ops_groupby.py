"""Group-by: ``frame.groupby(by)``, ``gb[...]`` and the aggregates of a group-by.

The keys are factorized once (``keys.group_keys``); counts, sums, means and standard deviations
are ``bincount``s on those codes (the same answer as pandas, to rounding), and the same codes
are the cells' rows for disclosure control. Medians, quantiles, ``nunique``, ``min`` and ``max``
are computed by pandas and mapped onto the codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.facts import Block
from sealroom.core.graph.keys import Grouping, group_keys
from sealroom.core.graph.ops_frame import require_columns
from sealroom.core.graph.plan import Call, CellPlan, counted, statistics
from sealroom.core.graph.protected import Layout
from sealroom.core.graph.provenance import FrameValue, GroupValue
from sealroom.core.graph.registry import FUNC_STATISTIC, implements

NUMERIC_FUNCS = ("sum", "mean", "std", "median", "quantile", "min", "max")
_FAST = ("count", "sum", "mean", "std")


@implements("groupby", "frame")
def groupby(call: Call) -> GroupValue:
    value: FrameValue = call.inputs[0]
    require_columns(value.frame, call.args["by"])
    return GroupValue(value, list(call.args["by"]), call.args["dropna"])


@implements("gb_column", "groupby")
def gb_column(call: Call) -> GroupValue:
    group: GroupValue = call.inputs[0]
    names = call.args["names"]
    if call.args["single"] and len(names) != 1:
        raise InvalidInput("gb['n'] selects one column; use gb[['n', 'm']] for several")
    require_columns(group.source.frame, names)
    return GroupValue(group.source, group.by, group.dropna, list(names), call.args["single"])


def numeric_values(series: pd.Series, func: str) -> np.ndarray:
    """The column as float64 for a numeric aggregate, or a refusal naming the column."""
    if not (pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)):
        raise InvalidInput(f"{func} needs a numeric column; {series.name!r} holds {series.dtype}. Select numeric columns first")
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


@implements("gb_agg", "groupby")
def gb_agg(call: Call) -> CellPlan:
    group: GroupValue = call.inputs[0]
    func, q, clip = call.args["func"], call.args["q"], call.args["clip"]
    frame, prov = group.source.frame, group.source.prov
    grouping = group_keys([frame[b] for b in group.by], group.by, dropna=group.dropna)
    if func == "size":
        counts = np.bincount(grouping.codes[grouping.codes >= 0], minlength=grouping.n)
        name = group.selection[0] if group.single else None
        value = pd.Series(counts.astype(np.int64), index=grouping.index, name=name)
        return CellPlan(aggregate="size", value=value, layout=Layout("series", rows=np.arange(grouping.n)),
                        statistic=statistics(grouping.n, FUNC_STATISTIC["size"]), prov=prov,
                        blocks=lambda: [Block(cells=grouping.codes, counted=(prov.primary,))])
    names = group.selection or [c for c in frame.columns if c not in group.by]
    results, blocks = [], []
    for j, name in enumerate(names):
        result, cells, measure = _aggregate_column(frame, group, grouping, name, func, q, clip)
        results.append(result)
        origin = None if func == "count" else group.source.origin(name)
        blocks.append((cells, measure, counted(prov, origin), j))
    n = grouping.n
    if group.single:
        value = results[0]
        layout = Layout("series", rows=np.arange(n))
    else:
        value = pd.DataFrame(dict(zip(range(len(names)), results)), index=grouping.index)
        value.columns = pd.Index(names)
        layout = Layout("frame", rows=np.tile(np.arange(n), len(names)), cols=np.repeat(np.arange(len(names)), n))

    def make_blocks():
        return [Block(cells=cells if j == 0 else np.where(cells >= 0, cells + j * n, -1), counted=keys, measure=measure)
                for cells, measure, keys, j in blocks]

    return CellPlan(aggregate=func, value=value, layout=layout, statistic=statistics(n * len(names), FUNC_STATISTIC[func]),
                    prov=prov, blocks=make_blocks, bounds=tuple(clip) if clip else None)


def _aggregate_column(frame: pd.DataFrame, group: GroupValue, grouping: Grouping, name, func: str, q: float,
                      clip: list | None) -> tuple[pd.Series, np.ndarray, np.ndarray | None]:
    """One value column aggregated per group: (pandas Series, cell of each row, measure per row)."""
    series = frame[name]
    codes, n = grouping.codes, grouping.n
    if func in NUMERIC_FUNCS:
        data = numeric_values(series, func)
        if clip is not None:
            data = np.clip(data, clip[0], clip[1])
        missing = np.isnan(data)
    else:
        data, missing = None, series.isna().to_numpy()
    cells = np.where(missing, -1, codes) if missing.any() else codes
    if func in _FAST and (data is not None or func == "count"):
        complete = grouping.complete and not missing.any()
        present = cells if complete else cells[cells >= 0]
        rows = np.bincount(present, minlength=n)
        if func == "count":
            out = rows.astype(np.int64)
        else:
            values = data if complete else data[cells >= 0]
            out = _fast(func, np.bincount(present, weights=values, minlength=n), rows, present, values, n, series.dtype)
        result = pd.Series(out, index=grouping.index, name=name)
    else:
        source = frame[name] if clip is None else pd.Series(data, index=frame.index, name=name)
        grouped = source.groupby([frame[b] for b in group.by], dropna=group.dropna)
        result = grouped.quantile(q) if func == "quantile" else getattr(grouped, func)()
        if not result.index.equals(grouping.index):
            result = result.reindex(grouping.index)
    return result, cells, data if func in ("sum", "mean", "std") else None


def _fast(func: str, sums: np.ndarray, rows: np.ndarray, cells: np.ndarray, values: np.ndarray, n: int, dtype) -> np.ndarray:
    """sum, mean or std per cell from bincounts (``cells``/``values``: the rows that count)."""
    if func == "sum":
        if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            return sums.astype(np.int64)
        return sums
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / rows
        if func == "mean":
            return means
        deviations = np.bincount(cells, weights=(values - means[cells]) ** 2, minlength=n)
        return np.sqrt(np.where(rows > 1, deviations / (rows - 1), np.nan))
