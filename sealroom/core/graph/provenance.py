"""Runtime lineage: which content items (and rights holders) every row of a value came from.

The evaluator carries, beside each row-shaped pandas/numpy value, a ``Provenance``: for each
source the rows derive from, the dataset-wide item index of every row (``item_offset + r`` at
the source; ``-1`` where a left merge found no match) and the holder code. Filters take a
subset, merges take both sides' positions (a merged row carries the items of both), so an
aggregate can count *distinct items* per cell however rows were repeated. ``unique[s]`` records
that no item of ``s`` appears twice (true at a source and after filters), which lets the cell
facts skip a distinct-count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from sealroom.core.errors import InvalidInput

SourceKey = tuple[str, str]  # (dataset, asset)


@dataclass(frozen=True)
class SourceData:
    """A decoded asset (private or mock), as the evaluator reads it.

    ``kind``: ``table`` (a DataFrame), ``texts`` (a DataFrame with ``item_id`` and ``text``) or
    ``images`` (a uint8 array ``(N, H, W, 3)``). Row ``r`` is content item ``item_offset + r``
    of its dataset; ``holders[r]`` is a small int code of that item's rights holder (``None``:
    one holder for all).
    """

    kind: str
    value: Any
    item_offset: int = 0
    holders: np.ndarray | None = None

    @classmethod
    def from_input(cls, kind: str, decoded: Any, *, item_offset: int = 0, holders: np.ndarray | None = None) -> SourceData:
        """From a decoded asset: a frame (tables), a list of str or a frame with ``text`` (texts; ``item_id``
        is the row number unless given), a list of image arrays or one array (images)."""
        import pandas as pd

        if kind == "texts":
            texts = decoded["text"] if isinstance(decoded, pd.DataFrame) else list(decoded)
            ids = decoded["item_id"] if isinstance(decoded, pd.DataFrame) and "item_id" in decoded else np.arange(len(texts))
            decoded = pd.DataFrame({"item_id": np.asarray(ids), "text": pd.Series(list(texts), dtype="str")})
        elif kind == "images" and not isinstance(decoded, np.ndarray):
            if len({np.shape(image) for image in decoded}) > 1:
                raise InvalidInput("the images of this asset differ in size; a RemoteArray needs images of one size")
            decoded = np.stack(decoded).astype(np.uint8) if len(decoded) else np.zeros((0, 0, 0, 3), np.uint8)
        return cls(kind=kind, value=decoded, item_offset=item_offset, holders=holders)

    def __len__(self) -> int:
        return len(self.value)

    @cached_property
    def items(self) -> np.ndarray:
        """The dataset-wide item index of every row (read-only; made once per decoded asset)."""
        items = np.arange(self.item_offset, self.item_offset + len(self), dtype=np.int64)
        items.flags.writeable = False
        return items


@dataclass(frozen=True)
class Provenance:
    """Per-row item indices and holder codes for each source, positionally aligned with the rows."""

    items: dict[SourceKey, np.ndarray]
    holders: dict[SourceKey, np.ndarray | None]
    unique: dict[SourceKey, bool]
    order: tuple[SourceKey, ...]  # left-most first; order[0] is the primary source
    complete: dict[SourceKey, bool]  # False: some rows have no item (-1, after a left merge)

    @classmethod
    def of_source(cls, key: SourceKey, source: SourceData) -> Provenance:
        n = len(source)
        holders = None if source.holders is None else np.asarray(source.holders, dtype=np.int64)
        if holders is not None and len(holders) != n:
            raise ValueError(f"holders of {key} has {len(holders)} entries for {n} rows")
        return cls(items={key: source.items}, holders={key: holders}, unique={key: True}, order=(key,), complete={key: True})

    @property
    def primary(self) -> SourceKey:
        return self.order[0]

    def __len__(self) -> int:
        return len(self.items[self.primary])

    def take(self, positions: np.ndarray, *, distinct: bool) -> Provenance:
        """Rows at ``positions`` (``distinct``: no position repeats, so uniqueness is kept)."""
        return Provenance(
            items={k: v[positions] for k, v in self.items.items()},
            holders={k: (None if h is None else h[positions]) for k, h in self.holders.items()},
            unique={k: u and distinct for k, u in self.unique.items()},
            order=self.order,
            complete=dict(self.complete),
        )

    def mask(self, keep: np.ndarray) -> Provenance:
        return self.take(np.flatnonzero(keep), distinct=True)

    @staticmethod
    def joined(left: Provenance, right: Provenance, left_pos: np.ndarray, right_pos: np.ndarray) -> tuple[Provenance, dict]:
        """Rows of a merge: row ``j`` joins ``left[left_pos[j]]`` and ``right[right_pos[j]]`` (``-1``: none).

        A source on both sides (a self-merge) keeps its left name; the right side's copy is
        renamed ``(dataset, asset + "#2")`` so each row keeps both items. Returns the provenance
        and the renaming of the right side's sources (for its columns' origins).
        """
        items, holders, unique, complete, rename = {}, {}, {}, {}, {}
        for side, positions in ((left, left_pos), (right, right_pos)):
            missing = positions < 0
            safe = np.where(missing, 0, positions)
            repeats = _has_repeats(positions[~missing], len(side))
            for key in side.order:
                name = key
                while name in items:
                    name = (key[0], f"{key[1]}#{len(items) + 1}")
                rename[key] = name
                got = side.items[key][safe] if len(side.items[key]) else np.zeros(len(safe), np.int64)
                items[name] = np.where(missing, -1, got)
                h = side.holders[key]
                holders[name] = None if h is None else np.where(missing, 0, h[safe] if len(h) else 0)
                unique[name] = side.unique[key] and not repeats
                complete[name] = side.complete[key] and not missing.any()
        right_names = {key: rename[key] for key in right.order}
        order = tuple(items)
        return Provenance(items=items, holders=holders, unique=unique, order=order, complete=complete), right_names


def _has_repeats(positions: np.ndarray, n: int) -> bool:
    return bool(len(positions)) and int(np.bincount(positions, minlength=n).max()) > 1


@dataclass
class FrameValue:
    """A row-shaped DataFrame, its provenance and the sources each column was read from."""

    frame: Any
    prov: Provenance
    origins: dict[Any, frozenset[SourceKey]] = field(default_factory=dict)

    def origin(self, column: Any) -> frozenset[SourceKey]:
        return self.origins.get(column, frozenset({self.prov.primary}))


@dataclass
class SeriesValue:
    """A row-shaped Series with its provenance and the sources its values were read from."""

    series: Any
    prov: Provenance
    origin: frozenset[SourceKey]


@dataclass
class GroupValue:
    """A frame with grouping keys and, after ``gb[...]``, the selected value columns."""

    source: FrameValue
    by: list
    dropna: bool
    selection: list | None = None
    single: bool = False


@dataclass
class ArrayValue:
    """A row-shaped numpy array (axis 0 = items)."""

    array: np.ndarray
    prov: Provenance


@dataclass
class AggregateValue:
    """An aggregate's value, after disclosure control when there is a protector."""

    value: Any
