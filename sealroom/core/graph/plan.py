"""What an op handler sees (``Call``) and what an aggregate handler returns (``CellPlan``).

Row-shaped handlers return the next ``FrameValue``/``SeriesValue``/``ArrayValue``. Aggregate
handlers return a ``CellPlan``: the exact value (what pandas answers), where each cell sits in
it (``Layout``), the statistic of each cell and, lazily, the ``Block``s of rows behind the
cells. The evaluator turns a plan into facts, asks the protector, and rebuilds the value; a
plan's ``finish`` then runs on the (protected) value, e.g. to normalise counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from sealroom.core.errors import InvalidInput
from sealroom.core.graph.protected import Layout
from sealroom.core.graph.provenance import Provenance, SourceData, SourceKey


@dataclass
class Call:
    """One node being evaluated: its bound args, input values and the evaluation's settings."""

    args: dict
    inputs: list
    sources: Mapping[SourceKey, SourceData]
    private: bool  # True when a protector runs (the vault on private data)

    def source(self, key: SourceKey) -> SourceData:
        try:
            return self.sources[key]
        except KeyError:
            raise InvalidInput(f"no asset {key[1]!r} in dataset {key[0]!r} was provided to this query") from None


@dataclass
class CellPlan:
    """An aggregate before disclosure control: value, cell layout, statistics, rows behind cells."""

    aggregate: str
    value: Any
    layout: Layout
    statistic: np.ndarray
    prov: Provenance
    blocks: Callable[[], list]
    bounds: tuple[float, float] | None = None
    finish: Callable[[Any, bool], Any] | None = None  # (value, protected) -> value


def statistics(n: int, statistic: Any) -> np.ndarray:
    """A statistic per cell (``Statistic`` values as a unicode array)."""
    return np.full(n, str(getattr(statistic, "value", statistic)))


def counted(prov: Provenance, origin: frozenset[SourceKey] | None) -> tuple[SourceKey, ...]:
    """The sources whose items count for a cell: ``origin`` in provenance order, or the primary."""
    if not origin:
        return (prov.primary,)
    found = tuple(key for key in prov.order if key in origin)
    return found or (prov.primary,)
