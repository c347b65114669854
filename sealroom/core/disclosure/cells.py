"""The cells of an aggregate, in the form disclosure control reads them.

An aggregate result (a group-by mean, a crosstab, a histogram, ``describe``) is a set of
*cells*. The graph evaluator describes each cell with the facts statistical disclosure control
needs - counted in distinct content items and distinct rights holders, never rows - and hands
them over as one ``CellTable`` (one entry per cell, flat arrays of equal length). ``protect``
(``sealroom.core.disclosure.protect``) answers with a ``Protection``: which cells to suppress
and why, and the values to publish (counts rounded, or noised in DP mode).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Statistic(StrEnum):
    """What a cell's value is, which decides the rules it must pass."""

    COUNT = "count"              # count, size, nunique, value_counts, crosstab counts, histogram bins, len
    MAGNITUDE = "magnitude"      # sum, mean, std (values summed over items): threshold + dominance + p-ratio
    ORDER = "order"              # median, quantile: threshold
    EXTREME = "extreme"          # min, max: one item's own value, always suppressed
    ASSOCIATION = "association"  # corr: threshold


@dataclass(frozen=True)
class CellTable:
    """Facts per cell, as equal-length 1-D arrays (index ``i`` is cell ``i``).

    - ``aggregate``: the operation that made the cell (``"mean"``, ``"size"``, ``"quantile"``, ...).
    - ``statistic``: ``Statistic`` value per cell (a ``describe`` mixes kinds).
    - ``value``: the exact value computed on the private content (float64; NaN = empty cell).
    - ``items``: distinct content items contributing (of the asset the value was read from).
    - ``holders``: distinct rights holders among those items.
    - ``rows``: rows contributing (non-null values) - what DP counts need.
    - ``sum``: sum of the (clipped) values over those rows - what DP sums and means need.
    - ``top1``/``top2``: the largest and second-largest per-item contribution, |value| summed
      per item (NaN where the statistic is not a magnitude); ``total``: sum of all per-item
      contributions. Where ``top1 < 0.45 * total`` the evaluator may give an upper bound
      ``min(top1, total - top1)`` for ``top2`` instead (the cheap screen already settles NK
      n=2 k=0.9 and p-ratio 0.10 there; under stricter rules a bound only suppresses more).
    - ``bounds``: the (low, high) clip the data scientist gave for sums/means (DP needs one).
    """

    aggregate: str
    statistic: np.ndarray
    value: np.ndarray
    items: np.ndarray
    holders: np.ndarray
    rows: np.ndarray
    sum: np.ndarray
    top1: np.ndarray
    top2: np.ndarray
    total: np.ndarray
    bounds: tuple[float, float] | None = None

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def of(
        cls,
        aggregate: str,
        statistic: Statistic | str | Sequence[Statistic | str],
        value: Sequence[float] | np.ndarray,
        items: Sequence[int] | np.ndarray,
        *,
        holders: Sequence[int] | np.ndarray | None = None,
        rows: Sequence[int] | np.ndarray | None = None,
        sum: Sequence[float] | np.ndarray | None = None,  # noqa: A002 - the field's name
        top1: Sequence[float] | np.ndarray | None = None,
        top2: Sequence[float] | np.ndarray | None = None,
        total: Sequence[float] | np.ndarray | None = None,
        bounds: tuple[float, float] | None = None,
    ) -> "CellTable":
        """A table from sequences, with defaults for what a caller does not know.

        ``statistic`` may be one value for every cell. Missing ``holders`` mean one holder per
        cell with items (0 for none); missing ``rows`` equal ``items``; missing ``sum`` is
        ``value * rows``; missing ``top1``/``top2``/``total`` are NaN (which fails the dominance
        rules of a MAGNITUDE cell: give them for magnitudes).
        """
        value_a = np.asarray(value, dtype=np.float64)
        n = len(value_a)
        items_a = np.asarray(items, dtype=np.int64)
        if isinstance(statistic, str):
            stat_a = np.full(n, str(statistic))
        else:
            stat_a = np.asarray(statistic).astype(str)
        rows_a = items_a.copy() if rows is None else np.asarray(rows, dtype=np.int64)
        nan = np.full(n, np.nan)

        def floats(x):
            return nan.copy() if x is None else np.asarray(x, dtype=np.float64)

        return cls(
            aggregate=aggregate,
            statistic=stat_a,
            value=value_a,
            items=items_a,
            holders=(items_a > 0).astype(np.int64) if holders is None else np.asarray(holders, dtype=np.int64),
            rows=rows_a,
            sum=value_a * rows_a if sum is None else np.asarray(sum, dtype=np.float64),
            top1=floats(top1),
            top2=floats(top2),
            total=floats(total),
            bounds=bounds,
        )


@dataclass(frozen=True)
class Protection:
    """What disclosure control decided for each cell of one ``CellTable``.

    ``suppressed[i]`` hides cell ``i``; ``reasons[i]`` lists the rule ids that failed (empty when
    it passed): ``min-items``, ``min-holders``, ``dominance``, ``p-ratio``, ``extreme-value``.
    ``value`` is what may be published for the cells that remain (counts rounded to the base,
    or noised in DP mode; NaN where suppressed). ``epsilon_spent`` is the DP budget this table
    used (0 outside DP mode).
    """

    suppressed: np.ndarray
    reasons: tuple[tuple[str, ...], ...]
    value: np.ndarray
    rounded: bool = False
    noised: bool = False
    epsilon_spent: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_suppressed(self) -> int:
        return int(np.count_nonzero(self.suppressed))

    def reason_counts(self) -> dict[str, int]:
        """How many cells each rule suppressed (a cell failing two rules counts for both)."""
        counts: dict[str, int] = {}
        for index in np.flatnonzero(self.suppressed):
            for rule in self.reasons[index]:
                counts[rule] = counts.get(rule, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict:
        """A public-safe summary for reports: counts of cells and rules, never cell values."""
        return {
            "cells": len(self.suppressed),
            "suppressed": self.n_suppressed,
            "reasons": self.reason_counts(),
            "rounded": self.rounded,
            "noised": self.noised,
            "epsilon_spent": self.epsilon_spent,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Coverage:
    """Which content items each cell of one aggregate covered (what differencing checks read).

    One entry per contributing row: ``items[j]`` is the dataset-wide index of the content item
    (an asset's rows are numbered after the assets before it, in catalog order) and ``cells[j]``
    the cell it fell in (``0 <= cells[j] < len(released)``). Items may repeat (a merge repeats a
    row); a cell counts each item once. ``released[c]`` is False for a suppressed cell, which
    reveals nothing and so covers nothing.
    """

    items: np.ndarray
    cells: np.ndarray
    released: np.ndarray
