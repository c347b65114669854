"""The facts disclosure control needs about each cell of an aggregate, computed vectorised.

An aggregate handler describes its cells as ``Block``s: rows (positions in the input's
provenance) and, per row, the cell it falls in (``-1``: none, e.g. a missing value), the
sources whose items count, and for sums/means the per-row ``measure``. ``cell_facts`` turns
them into a ``CellTable``: distinct items and holders per cell, rows, sums and, for MAGNITUDE
cells, each item's total |value| contribution and the largest, second largest (exact where a
cheap screen does not already settle the dominance rules, see ``_magnitudes``) and total of
those. Everything is ``bincount`` / ``ufunc.at`` over integer codes: no loop per row or cell.
Cells of different blocks never overlap. A ``DenseBlock`` is a block whose rows all fall in
every cell of a range (an array reduced over its items), with its magnitudes precomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import CellTable, Statistic
from sealroom.core.graph.provenance import Provenance, SourceKey

_DENSE_HOLDER_TABLE = 50_000_000  # cells x holders above this count pairs by hashing instead
SCREEN = 0.45  # top1 below this share of the total passes dominance (2, 0.9) and p-ratio 0.10 whatever top2 is


@dataclass(frozen=True)
class Block:
    """Rows contributing to some cells: ``cells`` per row, or one cell id for every row."""

    cells: np.ndarray | int
    counted: tuple[SourceKey, ...]
    rows: np.ndarray | None = None      # positions in the provenance; None = all rows
    measure: np.ndarray | None = None   # float64 per row (sums/means/std): magnitudes come from it


@dataclass(frozen=True)
class DenseBlock:
    """Every valid row contributes to every cell in ``span``; magnitudes per cell precomputed."""

    span: tuple[int, int]
    counted: tuple[SourceKey, ...]
    sums: np.ndarray
    total: np.ndarray
    top1: np.ndarray
    top2: np.ndarray
    rows: np.ndarray | None = None


@dataclass(frozen=True)
class CoverageRows:
    """The (item, cell) pairs of one aggregate before disclosure control decided on its cells."""

    items: np.ndarray
    cells: np.ndarray
    spans: tuple[tuple[int, int], ...] = ()  # dense spans: one representative cell stands for each


def cell_facts(aggregate: str, statistic: np.ndarray, values: np.ndarray, blocks: list, prov: Provenance,
               bounds: tuple[float, float] | None = None) -> tuple[CellTable, CoverageRows]:
    """Facts for ``len(values)`` cells from ``blocks`` of rows of ``prov``."""
    n = len(values)
    acc = {name: np.zeros(n) for name in ("items", "holders", "rows", "sum", "total", "top1", "top2")}
    cover_items, cover_cells, spans = [], [], []
    magnitude = statistic == Statistic.MAGNITUDE.value
    for block in blocks:
        if isinstance(block, DenseBlock):
            _dense(block, prov, acc, cover_items, cover_cells)
            spans.append(block.span)
        else:
            _sparse(block, n, prov, magnitude, acc, cover_items, cover_cells)
    for name in ("total", "top1", "top2"):
        acc[name][~magnitude] = np.nan
    table = CellTable(
        aggregate=aggregate, statistic=statistic, value=np.asarray(values, dtype=np.float64),
        items=acc["items"].astype(np.int64), holders=acc["holders"].astype(np.int64), rows=acc["rows"].astype(np.int64),
        sum=acc["sum"], top1=acc["top1"], top2=acc["top2"], total=acc["total"], bounds=bounds,
    )
    cover = CoverageRows(items=_joined(cover_items), cells=_joined(cover_cells), spans=tuple(spans))
    return table, cover


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _sparse(block: Block, n: int, prov: Provenance, magnitude: np.ndarray, acc: dict, cover_items: list, cover_cells: list) -> None:
    n_rows = len(prov.items[prov.primary]) if block.rows is None else len(block.rows)
    constant = np.isscalar(block.cells)
    cells = np.full(n_rows, block.cells, dtype=np.int64) if constant else block.cells
    cells_complete = block.cells >= 0 if constant else not len(cells) or int(cells.min()) >= 0
    items_min = holders_min = None
    for position, source in enumerate(block.counted):
        items = _at(prov.items[source], block.rows)
        holders = _at(prov.holders[source], block.rows)
        if cells_complete and prov.complete[source]:  # the common case: no mask, no copies
            valid, c, it, h = None, cells, items, holders
        else:
            valid = (cells >= 0) & (items >= 0)
            c, it, h = cells[valid], items[valid], None if holders is None else holders[valid]
        rows = np.bincount(c, minlength=n)
        pair_cell, pair_of_row = _distinct_pairs(c, it, prov.unique[source])
        n_items = rows if pair_of_row is None else np.bincount(pair_cell, minlength=n)
        n_holders = (n_items > 0).astype(np.int64) if h is None else _holders(c, h, n)
        items_min = n_items if items_min is None else np.minimum(items_min, n_items)
        holders_min = n_holders if holders_min is None else np.minimum(holders_min, n_holders)
        if position == 0:
            cover_items.append(it)
            cover_cells.append(c)
            acc["rows"] += rows
            if block.measure is not None:
                measure = block.measure if valid is None else block.measure[valid]
                sums = np.bincount(c, weights=measure, minlength=n)
                acc["sum"] += sums
                if magnitude.any():
                    positive = not len(measure) or float(measure.min()) >= 0
                    _magnitudes(pair_cell, pair_of_row, measure, n, acc, total=sums if positive else None)
    acc["items"] += items_min
    acc["holders"] += holders_min


def _dense(block: DenseBlock, prov: Provenance, acc: dict, cover_items: list, cover_cells: list) -> None:
    lo, hi = block.span
    for position, source in enumerate(block.counted):
        items = _at(prov.items[source], block.rows)
        valid = items >= 0
        n_items = len(np.unique(items[valid])) if not prov.unique[source] else int(valid.sum())
        holders = _at(prov.holders[source], block.rows)
        n_holders = (1 if n_items else 0) if holders is None else len(np.unique(holders[valid]))
        if position == 0:
            acc["items"][lo:hi], acc["holders"][lo:hi] = n_items, n_holders
            acc["rows"][lo:hi] = int(valid.sum())
            cover_items.append(items[valid])
            cover_cells.append(np.full(int(valid.sum()), lo, dtype=np.int64))
        else:
            acc["items"][lo:hi] = np.minimum(acc["items"][lo:hi], n_items)
            acc["holders"][lo:hi] = np.minimum(acc["holders"][lo:hi], n_holders)
    acc["sum"][lo:hi], acc["total"][lo:hi] = block.sums, block.total
    acc["top1"][lo:hi], acc["top2"][lo:hi] = block.top1, block.top2


def _at(array: np.ndarray | None, rows: np.ndarray | None) -> np.ndarray | None:
    if array is None or rows is None:
        return array
    return array[rows]


def _distinct_pairs(cells: np.ndarray, items: np.ndarray, unique: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Distinct (cell, item) pairs: the cell of each pair, and each row's pair (None: rows are pairs)."""
    if unique:  # every row is its own item, so every row is its own pair
        return cells, None
    width = int(items.max()) + 1 if len(items) else 1
    codes, uniques = pd.factorize(cells * width + items, sort=False)
    return np.asarray(uniques, dtype=np.int64) // width, np.asarray(codes, dtype=np.int64)


def _holders(cells: np.ndarray, holders: np.ndarray, n: int) -> np.ndarray:
    """Distinct holders per cell."""
    if not len(holders):
        return np.zeros(n, np.int64)
    width = int(holders.max()) + 1
    if n * width <= _DENSE_HOLDER_TABLE:
        pairs = np.multiply(cells, width)
        pairs += holders
        present = np.bincount(pairs, minlength=n * width).reshape(n, width) > 0
        return present.sum(axis=1)
    _, uniques = pd.factorize(cells * width + holders, sort=False)
    return np.bincount(np.asarray(uniques, dtype=np.int64) // width, minlength=n)


def _magnitudes(pair_cell: np.ndarray, pair_of_row: np.ndarray | None, measure: np.ndarray, n: int, acc: dict,
                total: np.ndarray | None = None) -> None:
    """Per cell: total, largest and second-largest per-item contribution (|value| summed per item).

    ``total`` may be passed in when it is already known (the sum of non-negative values). The
    second largest is computed exactly only for cells that fail the screen ``top1 < SCREEN *
    total``; a cell that passes gets the bound ``min(top1, total - top1)`` instead, which decides
    dominance (n=2, k>=0.9) and p-ratio (p<=0.10) exactly as the true value would and is never
    smaller than it (any stricter rule can only suppress more, never less).
    """
    contribution = np.abs(measure) if total is None else measure
    if pair_of_row is not None:
        contribution = np.bincount(pair_of_row, weights=contribution, minlength=len(pair_cell))
        total = None
    if total is None:
        total = np.bincount(pair_cell, weights=contribution, minlength=n)
    top1 = np.zeros(n)
    np.maximum.at(top1, pair_cell, contribution)
    top2 = np.minimum(top1, total - top1)
    exact = ~(top1 < SCREEN * total)
    if exact.any():
        rows = np.flatnonzero(exact[pair_cell]) if not exact.all() else np.arange(len(pair_cell))
        top2[exact] = _second_largest(pair_cell[rows], contribution[rows], top1, n)[exact]
    acc["total"] += total
    acc["top1"] += top1
    acc["top2"] += top2


def _second_largest(cells: np.ndarray, contribution: np.ndarray, top1: np.ndarray, n: int) -> np.ndarray:
    """Drop one occurrence of each cell's largest contribution and take the largest again."""
    is_top = contribution == top1[cells]
    first = np.full(n, len(contribution), dtype=np.int64)
    np.minimum.at(first, cells[is_top], np.flatnonzero(is_top))
    rest = contribution.copy()
    rest[first[first < len(contribution)]] = -1.0
    top2 = np.zeros(n)
    np.maximum.at(top2, cells, rest)
    return top2
