"""Group keys as integer codes: the one factorization every aggregate reuses.

``group_keys`` turns one or more key columns into a code per row (``-1``: the row is in no
group, e.g. a missing key with ``dropna``) and the index of the groups in pandas' order (sorted,
or first appearance), so counts, sums, distinct items and maxima per cell are ``bincount`` /
``ufunc.at`` calls on the same codes. ``positions`` maps rows into the index of a result pandas
computed itself (a crosstab, a pivot table).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

_MAX_COMBINED = 1 << 40  # above this product of key counts, compress codes between keys


@dataclass(frozen=True)
class Grouping:
    """``codes[r]``: the group of row ``r`` (``-1``: none); ``index``: the groups, in result order."""

    codes: np.ndarray
    index: pd.Index

    @property
    def n(self) -> int:
        return len(self.index)

    @property
    def complete(self) -> bool:
        """Every row is in a group (no ``-1`` code)."""
        return not len(self.codes) or int(self.codes.min()) >= 0


def group_keys(columns: list[pd.Series], names: list, *, sort: bool = True, dropna: bool = True) -> Grouping:
    """Factorize key columns the way ``groupby(sort=sort, dropna=dropna)`` orders its groups."""
    level_codes, level_uniques = [], []
    for column in columns:
        codes, uniques = factorize(column, sort=sort, dropna=dropna)
        level_codes.append(codes)
        level_uniques.append(uniques)
    if len(columns) == 1:
        return Grouping(level_codes[0], pd.Index(level_uniques[0], name=names[0]))
    combined, width = level_codes[0].copy(), len(level_uniques[0])
    for codes, uniques in zip(level_codes[1:], level_uniques[1:]):
        if width * max(len(uniques), 1) > _MAX_COMBINED:
            combined, width = _compress(combined, sort)
        missing = (combined < 0) | (codes < 0)
        combined = np.where(missing, -1, combined * len(uniques) + codes)
        width *= max(len(uniques), 1)
    combined, n_groups = _compress(combined, sort)
    valid = np.flatnonzero(combined >= 0)
    representative = np.zeros(n_groups, dtype=np.int64)
    representative[combined[valid]] = valid  # any row of each group gives its level codes
    arrays = [uniques.take(codes[representative]) for codes, uniques in zip(level_codes, level_uniques)]
    return Grouping(combined, pd.MultiIndex.from_arrays(arrays, names=names))


def factorize(column: pd.Series, *, sort: bool, dropna: bool) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize`` semantics; Arrow-backed text with ``dropna`` takes Arrow's dictionary encoding
    (the same codes, without pandas' extra re-sorting pass over every row), remembered for the
    column's Arrow array (``TEXT_CODES``) so the next query on a cached source skips it."""
    array = column.array
    if dropna and hasattr(array, "_pa_array") and _is_text(array._pa_array.type):
        codes, uniques = TEXT_CODES.encode(array._pa_array, sort=sort)
        return codes, pd.Index(pd.array(uniques, dtype=column.dtype))
    codes, uniques = pd.factorize(column, sort=sort, use_na_sentinel=dropna)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


class TextCodes:
    """Arrow dictionary codes of large text columns, by array identity (thread-safe, LRU).

    An Arrow array never changes, and a source frame held in the vault's frame cache hands the
    same array to every query, so its codes are computed once. Entries hold a weak reference to
    the array: when the frame leaves the cache, its codes are dropped. Columns under ``min_rows``
    are encoded each time (it is cheap); ``max_bytes`` bounds the codes kept.
    """

    def __init__(self, *, min_rows: int = 4096, max_bytes: int = 256 * 1024**2) -> None:
        self.min_rows, self.max_bytes = min_rows, max_bytes
        self._entries: OrderedDict[tuple[int, bool], tuple[weakref.ref, np.ndarray, object]] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, chunked, *, sort: bool) -> tuple[np.ndarray, object]:
        """``(codes, uniques)`` of ``chunked``: int64 codes (``-1``: null, read-only) into the
        distinct values (an Arrow array), sorted or in order of first appearance."""
        if len(chunked) < self.min_rows:
            return _dictionary_codes(chunked, sort)
        key = (id(chunked), sort)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is chunked:
                self._entries.move_to_end(key)
                return entry[1], entry[2]
        codes, uniques = _dictionary_codes(chunked, sort)
        codes.setflags(write=False)  # shared between queries
        with self._lock:
            self._entries[key] = (weakref.ref(chunked), codes, uniques)
            for stale in [k for k, (ref, _, _) in self._entries.items() if ref() is None]:
                del self._entries[stale]
            while sum(e[1].nbytes for e in self._entries.values()) > self.max_bytes and len(self._entries) > 1:
                self._entries.popitem(last=False)
        return codes, uniques


TEXT_CODES = TextCodes()


def _dictionary_codes(chunked, sort: bool) -> tuple[np.ndarray, object]:
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(chunked, null_encoding="mask")
    encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
    indices = encoded.indices
    indices = (indices.fill_null(-1) if indices.null_count else indices).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    dictionary = encoded.dictionary
    if not sort:  # the dictionary is in order of first appearance already
        return indices, dictionary
    order = np.asarray(pc.array_sort_indices(dictionary), dtype=np.int64)
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # index -1 (missing) stays -1
    return rank[indices], dictionary.take(pa.array(order))


def _is_text(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _compress(combined: np.ndarray, sort: bool) -> tuple[np.ndarray, int]:
    """Renumber combined codes ``0..k-1`` (in sorted or first-appearance order), keeping ``-1``."""
    valid = combined >= 0
    codes, uniques = pd.factorize(combined[valid], sort=sort)
    out = np.full(len(combined), -1, dtype=np.int64)
    out[valid] = codes
    return out, len(uniques)


def positions(result_index: pd.Index, grouping: Grouping) -> np.ndarray:
    """Per row, the position of its group in ``result_index`` (``-1``: row in no group or group absent)."""
    where = np.asarray(result_index.get_indexer(grouping.index), dtype=np.int64)
    out = np.full(len(grouping.codes), -1, dtype=np.int64)
    valid = grouping.codes >= 0
    out[valid] = where[grouping.codes[valid]]
    return out
