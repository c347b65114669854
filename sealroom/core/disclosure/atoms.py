"""Atoms: the partition of content items by the released cells covering them (vectorised).

``CoverageTracker`` (``coverage.py``) keeps, per item, the id of its atom (-1: never covered by a
released cell). A query's released cells arrive as *layers*: per layer, distinct items and the
one cell of that layer covering each. An item in k distinct cells of one query is in k layers,
its cells in increasing order, so equal sets of cells give equal layers.

``refine`` splits atoms by a layer touching only the layer's items: the pieces ``(atom, cell)``
get new ids after the existing ones (one ``bincount`` over a compact key space, or pandas' hash
``factorize`` when it is sparse; never a sort or ``np.unique``), and each split atom keeps its id
for what the layer left of it (size 0 if nothing). A query over a few thousand items costs a few
thousand operations, not one per item of the dataset.

``in_short_cycle`` is a cheap, exact certificate that a new atom cannot be computed from the
released cells; see its docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sealroom.core.disclosure.cells import Coverage
from sealroom.core.errors import InvalidInput

_NONE = np.iinfo(np.int32).max


@dataclass(frozen=True)
class Layer:
    """Distinct ``items`` (int64) and the cell (int32) of this layer covering each."""

    items: np.ndarray
    cells: np.ndarray


@dataclass(frozen=True)
class Refinement:
    """Atoms after a query. Atoms ``0 .. n_old-1`` keep their ids (``size``: what the query left of
    them, 0 if nothing); pieces follow. Per atom: ``size``, ``origin`` (its atom before the query,
    -1 for items covered for the first time) and ``cells[l]`` (its cell in layer ``l``, -1 none).
    ``updates``: per layer, the items and how to get their new atom ids (``lookup[key]``,
    computed only when applied: a check does not need them)."""

    n_old: int
    size: np.ndarray
    origin: np.ndarray
    cells: list[np.ndarray]
    updates: list[tuple[np.ndarray, np.ndarray, np.ndarray]]

    def apply(self, atom: np.ndarray) -> None:
        """Write the new atom ids into ``atom`` (per item), in place; later layers win."""
        for items, lookup, key in self.updates:
            atom[items] = lookup[key]


def release_layers(coverages: Sequence[Coverage], n_items: int) -> tuple[list[Layer], int]:
    """A query's released cells as layers, numbered across its coverages, and how many there are.
    Suppressed cells cover nothing and get no number."""
    layers: list[Layer] = []
    offset = 0
    for coverage in coverages:
        released = np.asarray(coverage.released, dtype=bool)
        items = np.asarray(coverage.items, dtype=np.int64)
        cells = np.asarray(coverage.cells, dtype=np.int32)
        if len(items) != len(cells):
            raise InvalidInput("coverage items and cells must have the same length")
        if len(items) and (cells.min() < 0 or cells.max() >= len(released)):
            raise InvalidInput("coverage refers to cells outside the result")
        if not released.all():  # number the released cells only
            keep = released[cells]
            items, cells = items[keep], (np.cumsum(released, dtype=np.int32) - 1)[cells[keep]]
        if len(items):
            if offset:
                cells = cells + np.int32(offset)
            layers += _split(items, cells, n_items)
        offset += int(np.count_nonzero(released))
    return layers, offset


def _last_occurrence(items: np.ndarray, n_items: int) -> np.ndarray:
    """Mask keeping one occurrence of each item (``np.empty``: only touched pages are written)."""
    position = np.empty(n_items, dtype=np.int64)
    order = np.arange(len(items))
    position[items] = order
    return position[items] == order


def _split(items: np.ndarray, cells: np.ndarray, n_items: int) -> list[Layer]:
    if items[0] < 0 or items[-1] >= n_items or (len(items) > 1 and not (items[1:] > items[:-1]).all()):
        if items.min() < 0 or items.max() >= n_items:
            raise InvalidInput("coverage refers to items outside the dataset")
    else:  # rows in item order (the usual case): distinct, in range, one cell each
        return [Layer(items, cells)]
    cell_of = np.empty(n_items, dtype=np.int32)
    cell_of[items] = cells
    if (cell_of[items] == cells).all():  # each item in one cell (maybe repeated): one layer
        keep = _last_occurrence(items, n_items)
        return [Layer(items[keep], cells[keep])]
    layers = []  # layer k: each item's k-th smallest cell (ufunc.at, no sort)
    while len(items):
        cell_of[items] = _NONE
        np.minimum.at(cell_of, items, cells)
        smallest = cell_of[items]
        keep = _last_occurrence(items, n_items)
        layers.append(Layer(items[keep], smallest[keep]))
        later = cells > smallest
        items, cells = items[later], cells[later]
    return layers


def refine(atom: np.ndarray, size: np.ndarray, layers: list[Layer], n_cells: int) -> Refinement:
    """Split the atoms (``atom`` per item, ``size`` per atom) by each layer in turn; ``atom`` is
    not modified."""
    n_old = len(size)
    size = size.astype(np.int64)
    origin = np.arange(n_old, dtype=np.int64)
    cells_of: list[np.ndarray] = []
    work = atom.copy() if len(layers) > 1 else atom  # later layers must see earlier pieces
    updates = []
    for layer in layers:
        n_atoms = len(size)
        current = work[layer.items]
        current += np.int32(1)  # a copy; 0 now means first-covered
        if (n_atoms + 1) * n_cells <= 4 * len(current) + (1 << 16):  # dense keys: (atom + 1, cell)
            key = current
            key *= np.int32(n_cells)
            key += layer.cells
            counts = np.bincount(key, minlength=(n_atoms + 1) * n_cells)
            per_atom = counts.reshape(n_atoms + 1, n_cells).sum(axis=1)
            present = np.flatnonzero(counts)
            lookup = np.empty(len(counts), dtype=np.int32)
            lookup[present] = np.arange(n_atoms, n_atoms + len(present), dtype=np.int32)
            parent, piece_size = present // n_cells - 1, counts[present]
        else:  # sparse: compact the touched atoms, then hash the keys
            per_atom = np.bincount(current, minlength=n_atoms + 1)
            touched = np.flatnonzero(per_atom)
            local = np.zeros(n_atoms + 1, dtype=np.int64)
            local[touched] = np.arange(len(touched))
            piece, present = pd.factorize(local[current] * n_cells + layer.cells)
            piece_size = np.bincount(piece, minlength=len(present))
            lookup, key = np.arange(n_atoms, n_atoms + len(present), dtype=np.int32), piece
            parent = touched[present // n_cells] - 1
        has_parent = parent >= 0
        safe = np.where(has_parent, parent, 0)
        size = np.concatenate([size - per_atom[1:], piece_size])
        origin = np.concatenate([origin, np.where(has_parent, origin[safe], -1) if n_atoms else np.full(len(present), -1)])
        cells_of = [np.concatenate([c, np.where(has_parent, c[safe], -1)]) for c in cells_of]
        cells_of.append(np.concatenate([np.full(n_atoms, -1, dtype=np.int32), (present % n_cells).astype(np.int32)]))
        if len(layers) > 1:
            work[layer.items] = lookup[key]
        updates.append((layer.items, lookup, key))
    return Refinement(n_old, size, origin, cells_of, updates)


def overlaps(rows: list[np.ndarray], cols: list[np.ndarray], size: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Items shared by each (row cell, column cell): atom sizes summed over atoms in both.

    ``rows``/``cols`` are per-atom cell arrays (one per layer, -1 none)."""
    width = n_cols + 1  # column 0 collects "no cell" and is dropped
    out = np.zeros(n_rows * width)
    weight = size.astype(np.float64)
    for r in rows:
        covered = np.flatnonzero(r >= 0)
        base = r[covered].astype(np.int64) * width + 1
        for c in cols:
            out += np.bincount(base + c[covered], weights=weight[covered], minlength=n_rows * width)
    return out.reshape(n_rows, width)[:, 1:]


def in_short_cycle(origin: np.ndarray, cell: np.ndarray, n_cells: int, candidates: np.ndarray) -> np.ndarray:
    """Mask of ``candidates`` (new atoms of a one-layer query) provably not derivable.

    Each new atom is an edge between its parent (its origin, an old atom, or "first": items covered
    for the first time) and its new cell (or "none"). If the edge ``a = (P, j)`` closes a 4-cycle
    ``(P, j), (P, j'), (P', j'), (P', j)``, the vector ``+a -b +c -d`` (each atom's items divided by
    its size) sums to zero over every old atom and every new cell, hence over every released cell,
    but not over ``a``: ``a``'s total is not determined, and its leverage is at most
    ``1 - 1/(1 + 3 size)``, far from 1. "first" and "none" carry no constraint, so they act as one
    free node: 3-cycles through it certify too (``(P, j), (P, none), (first, j)`` and rotations).
    """
    width = n_cells + 1
    none = n_cells
    parent = origin + 1  # 0: "first"
    column = np.where(cell >= 0, cell, none)
    degree = np.bincount(parent, minlength=int(parent.max(initial=0)) + 1)
    multi = np.flatnonzero(degree >= 2)  # only parents with two edges close a 4-cycle
    if len(multi) * width > 20_000_000:  # too large to certify cheaply: certify nothing (safe)
        return np.zeros(len(candidates), dtype=bool)
    row = np.full(len(degree), -1, dtype=np.int64)
    row[multi] = np.arange(len(multi))
    adjacency = np.zeros((len(multi), width), dtype=np.float32)
    edge = row[parent] >= 0
    adjacency[row[parent[edge]], column[edge]] = 1.0
    shared = adjacency.T @ adjacency  # parents adjacent to both cells
    linked = shared >= 2
    np.fill_diagonal(linked, False)

    cand_parent, cand_column = parent[candidates], column[candidates]
    cand_row = row[cand_parent]
    closes = adjacency @ linked.astype(np.float32)  # per (parent, cell): other cells of the parent linked to it
    certified = np.zeros(len(candidates), dtype=bool)
    four = cand_row >= 0
    certified[four] = closes[cand_row[four], cand_column[four]] > 0

    first_cell = np.zeros(width, dtype=bool)  # cells holding first-covered items
    first_cell[column[parent == 0]] = True
    has_none = np.zeros(len(degree), dtype=bool)  # parents partly outside the new cells
    has_none[parent[column == none]] = True
    near_first = np.zeros(len(degree), dtype=bool)  # parents sharing a cell with first-covered items
    near_first[parent[(column != none) & first_cell[column]]] = True
    real_parent, real_cell = cand_parent != 0, cand_column != none
    certified |= real_parent & real_cell & has_none[cand_parent] & first_cell[cand_column]
    certified |= ~real_parent & real_cell & (shared[cand_column, none] >= 1)
    certified |= real_parent & ~real_cell & near_first[cand_parent]
    return certified
