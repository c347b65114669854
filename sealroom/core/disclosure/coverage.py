"""Differencing: would a new result, with everything released before, reveal a small group?

Each released cell is a sum over the content items it covers (a count, a sum; a mean is a sum
once its count is known). Suppressing small cells is not enough: ``mean(all) - mean(all but X)``,
Denning's individual tracker ``q(A) - q(A and not B)`` and his general tracker
``q(C or T) + q(C or not T) - q(all)`` each compute a small group from large, released cells.

The model. Items covered by exactly the same released cells form an *atom* (items never covered
form none; ``atoms.py``); every released cell is a union of atoms. A group's total can be computed
by adding and subtracting released cells when its indicator lies in the row space of the released
cells' indicators. ``CoverageTracker.check`` flags a query when, with its released cells added,
some atom with ``0 < size < min_cell`` becomes derivable that was not before (so repeating a
query, or an ordinary second marginal, flags nothing).

The linear algebra never builds an item-by-cell matrix. With ``B`` the released cells' indicators
over items, each scaled to unit norm, and ``G = B B^T`` (their overlaps), the share of atom ``a``
(``s`` items, covered by the cells ``c``) inside the row space is its leverage ``s c^T G^+ c``:
1 exactly when the atom is derivable. "Derivable" here means leverage >= 1 - 1e-6: the group's
total is then pinned to within about 0.1 % of one item's range, which is as disclosive as exact.
The tracker keeps a basis of the released cells (a cell inside the span of others adds nothing),
``M = L^-1`` for the Cholesky factor ``G = L L^T`` of the basis and ``W = M^T M = G^-1``. A query's
cells ``N`` enter through ``X = G_NB M^T`` and the Schur complement ``S = G_NN - X X^T`` (accurate:
no ``G^-1`` in it); an atom's leverage grows by ``s u^T S^+ u`` with ``u = c_N - X M c_B``. Only
small atoms are tested: a graph certificate (``atoms.in_short_cycle``) clears most new pieces; a
small atom the query does not touch is cleared by a cached upper bound on its leverage plus a
bound on the growth; the rest are computed with gathers from ``W`` and ``S^+``, and the few near
the threshold again through ``M``.

Costs: refinement O(items the query covers) per layer of cells; overlaps O(atoms in the new cells
x stored layers); O(|N| r^2) for ``X`` (r basis cells); O(tested atoms x layers x |N|). Memory: the
item-to-atom map (4 bytes per item), per atom one int per stored layer, and 16 r^2 bytes for
``M`` and ``W``. A query with over ``max_cells`` released cells, or a basis beyond ``max_rank``, is
flagged as too large to verify, and once such a query is committed every later one is (fail
closed). ``check`` and ``commit`` hold the tracker's lock, so request threads may share one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sealroom.core.disclosure.atoms import Refinement, in_short_cycle, overlaps, refine, release_layers
from sealroom.core.disclosure.cells import Coverage

_DERIVABLE = 1.0 - 1e-6  # leverage at or above this: the atom's total is determined
_RECHECK = 1.0 - 1e-3  # screened leverage above this: recompute precisely through M
_INDEPENDENT = 1e-10  # eigenvalue of S (unit-norm cells) below this: no new direction
_REFRESH_EVERY = 16  # commits between recomputing W = M^T M from M


@dataclass(frozen=True)
class DifferencingCheck:
    """What ``CoverageTracker.check`` found. ``message`` is public-safe: it may say how small the
    group is, never which items are in it."""

    flagged: bool
    smallest_group: int | None
    message: str


@dataclass
class _Plan:
    """What ``check`` computed, kept so ``commit`` applies it without recomputing."""

    coverages: tuple[Coverage, ...]
    version: int
    result: DifferencingCheck
    refinement: Refinement | None = None
    norm: np.ndarray | None = None  # per new cell: sqrt(items)
    x: np.ndarray | None = None  # G_NB M^T (new cells x basis)
    h: np.ndarray | None = None  # G_NB W
    s: np.ndarray | None = None  # Schur complement
    root: np.ndarray | None = None  # S^+ = root root^T
    t: np.ndarray | None = None  # root^T G_NB W: how the query moves each basis cell
    q_hi: np.ndarray | None = None  # per atom after the query: upper bound on c^T G^+ c (inf: unknown)


class CoverageTracker:
    """The cells released to one user from one dataset, summarised as atoms (see module doc).

    ``check`` is pure; ``commit`` records a query's released cells. Commit what is actually
    released, flagged or not (a reviewer may approve a flagged query); a refused query reveals
    nothing and is not committed.
    """

    def __init__(self, n_items: int, min_cell: int, *, max_cells: int = 1000, max_rank: int = 2000) -> None:
        if n_items < 0 or min_cell < 1:
            raise ValueError("a coverage tracker needs n_items >= 0 and min_cell >= 1")
        self.n_items, self.min_cell = int(n_items), int(min_cell)
        self.max_cells, self.max_rank = max_cells, max_rank
        self._atom = np.full(self.n_items, -1, dtype=np.int32)
        self._size = np.zeros(0, dtype=np.int64)
        self._sig: list[np.ndarray] = []  # per stored layer: the basis cell covering each atom (-1 none), then -1
        self._norm = np.zeros(0)  # per basis cell: sqrt(items)
        self._m = np.zeros((0, 0))  # inverse Cholesky factor of the basis' Gram matrix
        self._w = np.zeros((0, 0))  # its inverse: M^T M
        self._q_hi = np.zeros(0)  # per atom: an upper bound on c^T G^-1 c (inf: unknown)
        self._queries = self._version = 0
        self._untracked = False  # a committed query was too large to track
        self._pending: _Plan | None = None
        self._lock = threading.Lock()  # check and commit may come from different request threads

    @property
    def queries(self) -> int:
        """How many queries have been committed."""
        return self._queries

    @property
    def n_atoms(self) -> int:
        return len(self._size)

    @property
    def rank(self) -> int:
        """Dimension of the span of every released cell."""
        return len(self._norm)

    def check(self, coverages: Sequence[Coverage]) -> DifferencingCheck:
        """Would releasing these cells (one query's aggregates) reveal a small group? Pure."""
        with self._lock:
            return self._plan(coverages).result

    def commit(self, coverages: Sequence[Coverage]) -> None:
        """Record these released cells as known to the user."""
        with self._lock:
            self._commit(self._plan(coverages))

    def _commit(self, plan: _Plan) -> None:
        self._pending = None
        self._queries += 1
        self._version += 1
        if plan.refinement is None:  # nothing released, or too large to track
            self._untracked |= plan.result.flagged
            return
        ref = plan.refinement
        chosen = _independent(plan.s)
        if len(chosen):
            l_inv = np.linalg.inv(np.linalg.cholesky(plan.s[np.ix_(chosen, chosen)]))
            bottom = np.hstack([-l_inv @ plan.x[chosen] @ self._m, l_inv])
            r = len(self._norm)
            m = np.zeros((r + len(chosen), r + len(chosen)))
            m[:r, :r], m[r:] = self._m, bottom
            if (self._queries % _REFRESH_EVERY) == 0:
                w = m.T @ m
            else:
                w = np.empty_like(m)
                w[:r, :r] = self._w + bottom[:, :r].T @ bottom[:, :r]
                w[:r, r:] = bottom[:, :r].T @ bottom[:, r:]
                w[r:, :r] = w[:r, r:].T
                w[r:, r:] = bottom[:, r:].T @ bottom[:, r:]
            self._m, self._w = m, (w + w.T) / 2
        position = np.full(len(plan.norm), -1, dtype=np.int64)
        position[chosen] = len(self._norm) + np.arange(len(chosen))
        self._norm = np.concatenate([self._norm, plan.norm[chosen]])
        # per atom of the refinement, then only the atoms left with items, renumbered
        alive = np.flatnonzero(ref.size > 0)
        origin = ref.origin[alive]
        same_partition = len(alive) == len(self._size) and bool((origin >= 0).all())  # no atom split, no item newly covered
        if same_partition:  # each old atom is one atom still: keep its id (no pass over the items)
            alive = alive[np.argsort(origin)]
        sig = self._old_basis(ref.origin)
        for layer in ref.cells:
            mapped = np.where(layer >= 0, position[np.maximum(layer, 0)], -1)
            if (mapped >= 0).any():
                sig.append(mapped)
        self._sig = [np.append(c[alive], -1) for c in sig]  # trailing -1: what origin -1 reads
        self._q_hi = plan.q_hi[alive]
        if not same_partition:
            renumber = np.full(len(ref.size), -1, dtype=np.int32)
            renumber[alive] = np.arange(len(alive), dtype=np.int32)
            ref.apply(self._atom)
            covered = self._atom >= 0
            self._atom[covered] = renumber[self._atom[covered]]
        self._size = ref.size[alive]

    # -- planning -------------------------------------------------------------------------------

    def _plan(self, coverages: Sequence[Coverage]) -> _Plan:
        coverages = tuple(coverages)
        pending = self._pending
        if pending is not None and pending.version == self._version and len(pending.coverages) == len(coverages):
            if all(a is b for a, b in zip(pending.coverages, coverages, strict=True)):
                return pending
        self._pending = self._compute(coverages)
        return self._pending

    def _compute(self, coverages: tuple[Coverage, ...]) -> _Plan:
        layers, n_cells = release_layers(coverages, self.n_items)
        if not layers:  # nothing released, or released cells covering no item
            return _Plan(coverages, self._version, DifferencingCheck(False, None, ""))
        if self._untracked or n_cells > self.max_cells or len(self._norm) + n_cells > self.max_rank:
            return _Plan(coverages, self._version, _too_large(n_cells, self._untracked))
        ref = refine(self._atom, self._size, layers, n_cells)
        covered = np.flatnonzero(np.logical_or.reduce([c >= 0 for c in ref.cells]) & (ref.size > 0))
        new_cells = [c[covered] for c in ref.cells]
        g_nn = overlaps(new_cells, new_cells, ref.size[covered], n_cells, n_cells)
        norm = np.sqrt(np.maximum(np.diag(g_nn), 1.0))
        g_nn /= np.outer(norm, norm)
        r = len(self._norm)
        g_nb = overlaps(new_cells, self._old_basis(ref.origin[covered]), ref.size[covered], n_cells, r) / np.outer(norm, self._norm)
        x = g_nb @ self._m.T
        s = g_nn - x @ x.T
        s = (s + s.T) / 2
        values, vectors = np.linalg.eigh(s)
        keep = values > _INDEPENDENT
        root = vectors[:, keep] / np.sqrt(values[keep])
        h = x @ self._m
        plan = _Plan(coverages, self._version, DifferencingCheck(False, None, ""), ref, norm, x, h, s, root, root.T @ h)
        plan.q_hi = np.full(len(ref.size), np.inf)  # bounds grow with new cells: only those recomputed now stay
        plan.result = self._verdict(plan, len(layers))
        return plan

    def _old_basis(self, origin: np.ndarray) -> list[np.ndarray]:
        """Per stored layer: the basis cell covering each given old atom (-1 for none or origin -1)."""
        return [sig[origin] for sig in self._sig]

    def _basis_weights(self, origin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per atom: its old basis cells (atoms x layers, -1 none, clipped to 0) and their weights
        1/sqrt(cell items) (0 for none): the unit-norm cells' indicator ``c`` of each atom."""
        basis = self._old_basis(origin)
        idx = np.stack(basis, axis=1) if basis else np.zeros((len(origin), 0), dtype=np.int64)
        weight = np.where(idx >= 0, 1.0 / np.concatenate([self._norm, [1.0]])[idx], 0.0)
        return np.maximum(idx, 0), weight

    def _verdict(self, plan: _Plan, n_layers: int) -> DifferencingCheck:
        ref = plan.refinement
        if plan.root.shape[1] == 0:  # every new cell is a sum of old ones: nothing new is revealed
            plan.q_hi = np.where(ref.origin >= 0, np.append(self._q_hi, np.inf)[ref.origin], np.inf)
            return DifferencingCheck(False, None, "")
        small = np.flatnonzero((ref.size > 0) & (ref.size < self.min_cell))
        if n_layers == 1 and len(small):
            alive = np.flatnonzero(ref.size > 0)
            certified = in_short_cycle(ref.origin[alive], ref.cells[0][alive], len(plan.norm), np.searchsorted(alive, small))
            small = small[~certified]
        untouched = np.logical_and.reduce([c[small] < 0 for c in ref.cells])
        exact = np.concatenate([small[~untouched], self._screen(plan, small[untouched])])
        chunk = max(1, 2_000_000 // max(len(plan.norm), len(self._sig) ** 2, 1))
        exposed = np.concatenate([np.zeros(0, np.int64)] + [exact[i : i + chunk][self._exposed(plan, exact[i : i + chunk])] for i in range(0, len(exact), chunk)])
        if len(exposed) == 0:
            return DifferencingCheck(False, None, "")
        smallest = int(ref.size[exposed].min())
        return DifferencingCheck(
            True,
            smallest,
            f"together with {self._queries} earlier released result(s), this result would let the total of a group of "
            f"{smallest} content item(s) be computed by adding and subtracting released cells (groups must have at least "
            f"{self.min_cell}); it needs a reviewer's approval",
        )

    def _screen(self, plan: _Plan, atoms: np.ndarray) -> np.ndarray:
        """Of small atoms the query does not cover, those whose leverage could reach 1: the rest
        are cleared by the bound q_new <= q_hi + (sum over its cells of |column of S^+/2 G_NB W|)^2,
        which becomes their new ``q_hi``."""
        if len(atoms) == 0:
            return atoms
        idx, weight = self._basis_weights(plan.refinement.origin[atoms])
        column_norm = np.sqrt((plan.t**2).sum(axis=0)) if len(self._norm) else np.zeros(1)
        bound = self._q_hi[atoms] + ((column_norm[idx] * weight).sum(axis=1)) ** 2  # untouched: old ids
        cleared = plan.refinement.size[atoms] * bound < _DERIVABLE - 1e-9
        plan.q_hi[atoms[cleared]] = bound[cleared]
        return atoms[~cleared]

    def _exposed(self, plan: _Plan, atoms: np.ndarray) -> np.ndarray:
        """Mask of ``atoms`` derivable with the query's cells but not without them."""
        ref = plan.refinement
        size = ref.size[atoms].astype(np.float64)
        idx, weight = self._basis_weights(ref.origin[atoms])
        q_old = np.einsum("ap,aq,apq->a", weight, weight, self._w[idx[:, :, None], idx[:, None, :]]) if idx.shape[1] else np.zeros(len(atoms))
        t, rt = plan.t, plan.root.T / plan.norm  # S^+/2 G_NB W, S^+/2 per unit-norm new cell
        v = np.zeros((t.shape[0], len(atoms)))
        for p in range(idx.shape[1]):
            v -= t[:, idx[:, p]] * weight[:, p]
        for layer in ref.cells:
            cells = layer[atoms]
            hit = np.flatnonzero(cells >= 0)
            v[:, hit] += rt[:, cells[hit]]
        q_new = q_old + (v**2).sum(axis=0)
        recheck = np.flatnonzero(size * q_new >= _RECHECK)
        if len(recheck):  # the screen's rounding grows with W; decide these through M
            q_old[recheck], q_new[recheck] = self._precise(plan, atoms[recheck], idx[recheck], weight[recheck])
        plan.q_hi[atoms] = q_new * (1 + 1e-6) + 1e-9
        return (size * q_new >= _DERIVABLE) & (size * q_old < _DERIVABLE)

    def _precise(self, plan: _Plan, atoms: np.ndarray, idx: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        y = np.zeros((len(self._norm), len(atoms)))
        for p in range(idx.shape[1]):
            y += self._m[:, idx[:, p]] * weight[:, p]
        u = -(plan.x @ y)
        for layer in plan.refinement.cells:
            cells = layer[atoms]
            hit = np.flatnonzero(cells >= 0)
            u[cells[hit], hit] += 1.0 / plan.norm[cells[hit]]
        q_old = (y**2).sum(axis=0)
        return q_old, q_old + ((plan.root.T @ u) ** 2).sum(axis=0)


def _too_large(n_cells: int, untracked: bool) -> DifferencingCheck:
    if untracked:
        message = "an earlier released result was too large to track, so this result cannot be checked automatically for differencing"
    else:
        message = f"this result releases {n_cells} cells on top of earlier results, too many to check automatically for differencing"
    return DifferencingCheck(True, None, message + "; it needs a reviewer's approval")


def _independent(s: np.ndarray) -> np.ndarray:
    """Indices of new cells adding independent directions (greedy pivoted Cholesky on ``s``)."""
    if len(s) == 0 or np.linalg.eigvalsh(s)[0] > _INDEPENDENT:
        return np.arange(len(s), dtype=np.int64)
    residual = s.copy()
    chosen: list[int] = []
    for _ in range(len(s)):
        diag = np.diag(residual).copy()
        diag[chosen] = -np.inf
        j = int(np.argmax(diag))
        if diag[j] <= _INDEPENDENT:
            break
        chosen.append(j)
        column = residual[:, j] / np.sqrt(residual[j, j])
        residual -= np.outer(column, column)
    return np.array(sorted(chosen), dtype=np.int64)
