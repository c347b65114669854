"""Where an aggregate's cells sit in its value, and the value rebuilt after disclosure control.

A ``Layout`` maps cell ``i`` to a place in the pandas/numpy value: an entry of a Series, a
(row, column) of a DataFrame, a bin of a histogram, an element of an array, the row count of a
shape. ``cell_values`` reads the exact values out; ``protect_value`` writes a ``Protection``
back: suppressed cells become NaN, published values (rounded or noised) replace the exact ones,
Series entries and DataFrame rows/columns whose every cell is suppressed are dropped (so the
labels of small groups never appear; cells left empty do not keep a row), and additive margins (``All`` of a count crosstab or a
sum/count pivot table) are recomputed from the cells that remain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import Protection

MARGIN = "All"


@dataclass(frozen=True)
class Layout:
    """``kind``: scalar, series, frame, histogram, array or shape. ``rows``/``cols``: positions per cell.

    ``margins``: the frame's last row and the columns labelled ``All`` are additive margins, not
    cells; they are recomputed from the cells after protection.
    """

    kind: str
    rows: np.ndarray | None = None
    cols: np.ndarray | None = None
    margins: bool = False


def cell_values(value: Any, layout: Layout) -> np.ndarray:
    """The exact value of every cell, as float64 (NaN for an empty cell)."""
    if layout.kind == "scalar":
        return np.array([_float(value)])
    if layout.kind == "shape":
        return np.array([float(value[0])])
    if layout.kind == "series":
        return value.to_numpy(dtype=np.float64, na_value=np.nan)[layout.rows]
    if layout.kind == "frame":
        return value.to_numpy(dtype=np.float64, na_value=np.nan)[layout.rows, layout.cols]
    if layout.kind == "histogram":
        return np.asarray(value[0], dtype=np.float64)[layout.rows]
    return np.asarray(value, dtype=np.float64).ravel()[layout.rows]


def protect_value(value: Any, layout: Layout, protection: Protection) -> Any:
    """``value`` with ``protection`` applied (see the module docstring)."""
    shown = np.where(protection.suppressed, np.nan, np.asarray(protection.value, dtype=np.float64))
    if layout.kind == "scalar":
        return _like(shown[0], value)
    if layout.kind == "shape":
        rows = None if np.isnan(shown[0]) else int(shown[0])
        return (rows,) + tuple(value[1:])
    if layout.kind == "histogram":
        counts = np.asarray(value[0], dtype=np.float64).copy()
        counts[layout.rows] = shown
        return _integral(counts, value[0].dtype), value[1]
    if layout.kind == "array":
        flat = np.asarray(value, dtype=np.float64).ravel().copy()
        flat[layout.rows] = shown
        return flat.reshape(np.shape(value))
    if layout.kind == "series":
        data = value.to_numpy(dtype=np.float64, na_value=np.nan).copy()
        data[layout.rows] = shown
        keep = np.ones(len(value), dtype=bool)
        keep[layout.rows[protection.suppressed]] = False
        out = pd.Series(data[keep], index=value.index[keep], name=value.name)
        return _restore_dtype(out, value.dtype)
    return _protect_frame(value, layout, protection.suppressed, shown)


def _protect_frame(frame: pd.DataFrame, layout: Layout, suppressed: np.ndarray, shown: np.ndarray) -> pd.DataFrame:
    data = frame.to_numpy(dtype=np.float64, na_value=np.nan).copy()
    data[layout.rows, layout.cols] = shown
    if not layout.margins:
        _hide_margins_over_suppressed(data, frame, layout, suppressed)
    out = pd.DataFrame(data, index=frame.index, columns=frame.columns)
    dark = np.isnan(shown)
    drop_rows = _all_dark(layout.rows, suppressed, dark, len(frame.index))
    drop_cols = _all_dark(layout.cols, suppressed, dark, len(frame.columns))
    out = out.loc[~drop_rows, ~drop_cols]
    if layout.margins:
        out = recompute_margins(out)
    for column, dtype in zip(frame.columns, frame.dtypes):
        if column in out.columns:
            out[column] = _restore_dtype(out[column], dtype)
    return out


def _hide_margins_over_suppressed(data: np.ndarray, frame: pd.DataFrame, layout: Layout, suppressed: np.ndarray) -> None:
    """Blank a non-additive margin (a mean/median ``All``) that covers a suppressed cell.

    Such a margin is computed over every row of its line, so beside the visible cells it would
    let a suppressed group's value be worked out; it stays only where nothing under it is hidden.
    """
    margin_rows = np.array([_last(label) == MARGIN or _first(label) == MARGIN for label in frame.index])
    margin_cols = np.array([_last(label) == MARGIN for label in frame.columns])
    if not (margin_rows.any() or margin_cols.any()):
        return
    hidden = np.zeros(data.shape, dtype=bool)
    hidden[layout.rows[suppressed], layout.cols[suppressed]] = True
    inner = hidden & ~margin_rows[:, None] & ~margin_cols[None, :]
    row_hidden, col_hidden, any_hidden = inner.any(axis=1), inner.any(axis=0), inner.any()
    for j in np.flatnonzero(margin_cols):
        data[row_hidden, j] = np.nan
    for i in np.flatnonzero(margin_rows):
        data[i, col_hidden] = np.nan
        if any_hidden:
            data[i, margin_cols] = np.nan


def _all_dark(positions: np.ndarray, suppressed: np.ndarray, dark: np.ndarray, n: int) -> np.ndarray:
    """Per row (or column): some cell is suppressed and none shows a value (the rest are empty)."""
    cells = np.bincount(positions, minlength=n)
    hidden = np.bincount(positions, weights=suppressed.astype(np.float64), minlength=n)
    unlit = np.bincount(positions, weights=dark.astype(np.float64), minlength=n)
    return (hidden > 0) & (unlit == cells)


def recompute_margins(frame: pd.DataFrame) -> pd.DataFrame:
    """Margins (last row ``All``, columns labelled ``All``) as sums of the remaining cells."""
    out = frame.copy()
    is_margin_row = np.array([_last(label) == MARGIN or _first(label) == MARGIN for label in out.index])
    is_margin_col = np.array([_last(label) == MARGIN for label in out.columns])
    inner = out.loc[~is_margin_row]
    for j in np.flatnonzero(is_margin_col):
        label = out.columns[j]
        group = [k for k, other in enumerate(out.columns) if not is_margin_col[k] and _prefix(other) == _prefix(label)]
        out.iloc[np.flatnonzero(~is_margin_row), j] = inner.iloc[:, group].sum(axis=1, min_count=1).to_numpy()
    if is_margin_row.any():
        totals = out.loc[~is_margin_row].sum(axis=0, min_count=1).to_numpy()
        out.iloc[np.flatnonzero(is_margin_row), :] = totals
    return out


def _prefix(label: Any) -> tuple:
    return tuple(label[:-1]) if isinstance(label, tuple) else ()


def _last(label: Any) -> Any:
    return label[-1] if isinstance(label, tuple) else label


def _first(label: Any) -> Any:
    return label[0] if isinstance(label, tuple) else label


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def _like(number: float, original: Any) -> Any:
    if np.isnan(number):
        return np.nan
    if isinstance(original, (bool, np.bool_)) or np.issubdtype(type(original), np.integer) or isinstance(original, int):
        return int(round(number))
    return type(original)(number) if isinstance(original, (float, np.floating)) else number


def _integral(data: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if np.issubdtype(dtype, np.integer) and np.isfinite(data).all() and (data == np.round(data)).all():
        return data.astype(dtype)
    return data


def _restore_dtype(series: pd.Series, dtype: Any) -> pd.Series:
    """Back to the original integer dtype when no NaN was introduced and values are whole."""
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        data = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if np.isfinite(data).all() and (data == np.round(data)).all():
            return series.astype(dtype)
    return series
