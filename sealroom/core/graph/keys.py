"""Group keys as integer codes: the one factorization every aggregate reuses.

``group_keys`` turns one or more key columns into a code per row (``-1``: the row is in no
group, e.g. a missing key with ``dropna``) and the index of the groups in pandas' order (sorted,
or first appearance), so counts, sums, distinct items and maxima per cell are ``bincount`` /
``ufunc.at`` calls on the same codes. ``positions`` maps rows into the index of a result pandas
computed itself (a crosstab, a pivot table).
"""

from __future__ import annotations

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
    (the same codes, without pandas' extra re-sorting pass over every row)."""
    array = column.array
    if dropna and hasattr(array, "_pa_array") and _is_text(array._pa_array.type):
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(array._pa_array, null_encoding="mask")
        encoded = encoded.combine_chunks() if isinstance(encoded, pa.ChunkedArray) else encoded
        dictionary = encoded.dictionary
        indices = encoded.indices
        indices = (indices.fill_null(-1) if indices.null_count else indices).to_numpy(zero_copy_only=False)
        if not sort:  # the dictionary is in order of first appearance already
            return indices.astype(np.int64), pd.Index(pd.array(dictionary, dtype=column.dtype))
        order = np.asarray(pc.array_sort_indices(dictionary), dtype=np.int64)
        rank = np.empty(len(order) + 1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        rank[-1] = -1  # index -1 (missing) stays -1
        return rank[indices], pd.Index(pd.array(dictionary.take(pa.array(order)), dtype=column.dtype))
    codes, uniques = pd.factorize(column, sort=sort, use_na_sentinel=dropna)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques)


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
