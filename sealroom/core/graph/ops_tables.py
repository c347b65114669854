"""Two-way tables: ``crosstab`` and ``pivot_table``, with margins.

pandas computes the table; the handler maps each row onto its (row, column) cell by
factorizing the keys and looking the groups up in the table's index and columns. Margins
(``All``) of additive tables (counts, sums) are not cells: after disclosure control they are
recomputed from the cells that remain. Margins of other statistics (a mean over a whole row)
are cells of their own and protected like the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import Statistic
from sealroom.core.errors import InvalidInput
from sealroom.core.graph.facts import Block
from sealroom.core.graph.keys import group_keys, positions
from sealroom.core.graph.ops_frame import require_columns
from sealroom.core.graph.ops_groupby import NUMERIC_FUNCS, numeric_values
from sealroom.core.graph.plan import Call, CellPlan, counted, statistics
from sealroom.core.graph.protected import MARGIN, Layout
from sealroom.core.graph.provenance import FrameValue, Provenance
from sealroom.core.graph.registry import FUNC_STATISTIC, implements

ADDITIVE = (None, "count", "sum")


def _table_layout(result: pd.DataFrame, margin_cols: set[int], additive: bool, margins: bool) -> tuple[Layout, np.ndarray]:
    """Cells of a table (all positions but additive margins) and ``cell_of[row, col]`` (-1: not a cell)."""
    n_rows, n_cols = result.shape
    is_cell = np.ones((n_rows, n_cols), dtype=bool)
    if margins and additive:
        is_cell[-1, :] = False
        is_cell[:, sorted(margin_cols)] = False
    cols, rows = np.nonzero(is_cell.T)  # column-major cell order
    cell_of = np.full((n_rows, n_cols), -1, dtype=np.int64)
    cell_of[rows, cols] = np.arange(len(rows))
    return Layout("frame", rows=rows, cols=cols, margins=margins and additive), cell_of


def _lookup(cell_of: np.ndarray, rows: np.ndarray, cols: np.ndarray | int) -> np.ndarray:
    cols = np.broadcast_to(np.asarray(cols, dtype=np.int64), rows.shape)
    ok = (rows >= 0) & (cols >= 0)
    out = np.full(len(rows), -1, dtype=np.int64)
    out[ok] = cell_of[rows[ok], cols[ok]]
    return out


def _blocks(cell_of: np.ndarray, row_pos: np.ndarray, col_pos: np.ndarray | int, valid: np.ndarray, keys: tuple,
            measure: np.ndarray | None, margin_col: int | None, margins: bool, n_rows: int) -> list[Block]:
    """Inner cells, and with cell margins also the row, column and grand-total margins."""
    row_pos = np.where(valid, row_pos, -1)
    out = [Block(cells=_lookup(cell_of, row_pos, col_pos), counted=keys, measure=measure)]
    if margins:
        last = np.where(row_pos >= 0, n_rows - 1, -1)
        targets = [(last, col_pos)]
        if margin_col is not None:
            targets += [(row_pos, margin_col), (last, margin_col)]
        for rows, cols in targets:
            cells = _lookup(cell_of, rows, cols)
            if (cells >= 0).any():
                out.append(Block(cells=cells, counted=keys, measure=measure))
    return out


def _statistic(aggfunc: str | None) -> Statistic:
    return Statistic.COUNT if aggfunc is None else FUNC_STATISTIC[aggfunc]


@implements("crosstab", "series")
def crosstab(call: Call) -> CellPlan:
    index, columns, *rest = call.inputs
    values = rest[0] if rest else None
    aggfunc, margins = call.args["aggfunc"], call.args["margins"]
    data = numeric_values(values.series, aggfunc) if values is not None and aggfunc in NUMERIC_FUNCS else None
    try:
        result = pd.crosstab(index.series, columns.series, values=None if values is None else values.series,
                             aggfunc=aggfunc, margins=margins)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("crosstab could not be computed for these series; check their types", detail=str(exc)) from None
    additive = aggfunc in ADDITIVE
    margin_col = len(result.columns) - 1 if margins else None
    layout, cell_of = _table_layout(result, {margin_col} if margins else set(), additive, margins)
    prov: Provenance = index.prov

    def blocks():
        rows = positions(result.index, group_keys([index.series], [index.series.name]))
        cols = positions(result.columns, group_keys([columns.series], [columns.series.name]))
        if values is None:
            valid, keys, measure = np.ones(len(rows), bool), (prov.primary,), None
        else:
            valid = ~values.series.isna().to_numpy()
            keys = counted(prov, None if aggfunc == "count" else values.origin)
            measure = data if aggfunc in ("sum", "mean", "std") else None
        return _blocks(cell_of, rows, cols, valid, keys, measure, margin_col, margins and not additive, len(result))

    return CellPlan(aggregate=aggfunc or "count", value=result, layout=layout, prov=prov, blocks=blocks,
                    statistic=statistics(len(layout.rows), _statistic(aggfunc)))


@implements("pivot_table", "frame")
def pivot_table(call: Call) -> CellPlan:
    value: FrameValue = call.inputs[0]
    frame = value.frame
    index, columns, aggfunc, margins = call.args["index"], call.args["columns"], call.args["aggfunc"], call.args["margins"]
    values = call.args["values"]
    names = [values] if isinstance(values, (str, int)) else values
    if names is None:
        names = [c for c in frame.columns if c not in index and c not in (columns or [])]
    require_columns(frame, list(index) + list(columns or []) + list(names))
    data = {name: numeric_values(frame[name], aggfunc) for name in names} if aggfunc in NUMERIC_FUNCS else {}
    try:
        result = frame.pivot_table(values=values, index=index, columns=columns, aggfunc=aggfunc, margins=margins)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("pivot_table could not be computed; give numeric values=[...] for this aggfunc", detail=str(exc)) from None
    where = {label: j for j, label in enumerate(result.columns)}
    listed = isinstance(values, list) or values is None
    margin_label = {name: _margin_label(name, listed, columns, result.columns.nlevels) for name in names}
    additive = aggfunc in ADDITIVE
    margin_cols = {where[label] for label in margin_label.values() if label in where}
    layout, cell_of = _table_layout(result, margin_cols, additive, margins)
    prov = value.prov

    def blocks():
        rows = positions(result.index, group_keys([frame[k] for k in index], list(index)))
        column_groups = group_keys([frame[k] for k in columns], list(columns)) if columns else None
        out = []
        for name in names:
            if columns:
                labels = [_label(name, key, listed, len(columns)) for key in column_groups.index]
                at = np.array([where.get(label, -1) for label in labels], dtype=np.int64)
                cols = np.where(column_groups.codes >= 0, at[column_groups.codes], -1)
            else:
                cols = where.get(name, -1)
            valid = ~frame[name].isna().to_numpy()
            keys = counted(prov, None if aggfunc == "count" else value.origin(name))
            measure = data.get(name) if aggfunc in ("sum", "mean", "std") else None
            margin_col = where.get(margin_label[name])
            out += _blocks(cell_of, rows, cols, valid, keys, measure, margin_col, margins and not additive, len(result))
        return out

    return CellPlan(aggregate=aggfunc, value=result, layout=layout, prov=prov, blocks=blocks,
                    statistic=statistics(len(layout.rows), _statistic(aggfunc)))


def _label(name, key, listed: bool, n_keys: int):
    """The result column of value column ``name`` and column-key group ``key``."""
    parts = key if isinstance(key, tuple) else (key,)
    if listed:
        return (name, *parts)
    return parts[0] if n_keys == 1 else parts


def _margin_label(name, listed: bool, columns: list | None, nlevels: int):
    if not columns:
        return None
    label = ((name,) if listed else ()) + (MARGIN,)
    label = label + ("",) * (nlevels - len(label))
    return label[0] if len(label) == 1 else label
