"""Differencing checks: trackers and all-but-one are caught, ordinary marginals are not.

The hypothesis property compares ``CoverageTracker`` with an exact brute force (item-level rank
over the rationals) on small random universes, in both directions.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.core.disclosure.cells import Coverage
from sealroom.core.disclosure.coverage import CoverageTracker
from sealroom.core.errors import InvalidInput


def cover(*groups, released=None) -> Coverage:
    """A coverage whose cell ``c`` holds the items of ``groups[c]``."""
    items = [i for group in groups for i in group]
    cells = [c for c, group in enumerate(groups) for _ in group]
    return Coverage(
        items=np.asarray(items, dtype=np.int64),
        cells=np.asarray(cells, dtype=np.int64),
        released=np.ones(len(groups), dtype=bool) if released is None else np.asarray(released, dtype=bool),
    )


def groupby(codes, released=None) -> Coverage:
    codes = np.asarray(codes)
    n_cells = int(codes.max()) + 1
    return Coverage(items=np.arange(len(codes)), cells=codes, released=np.ones(n_cells, bool) if released is None else released)


def run(tracker, *queries):
    """Check then commit each query; the list of results."""
    results = []
    for query in queries:
        results.append(tracker.check(query))
        tracker.commit(query)
    return results


def test_mean_over_all_then_all_but_one_is_flagged():
    names = np.array(["X"] + ["other"] * 39)
    everyone = cover(range(40))
    all_but_x = cover(np.flatnonzero(names != "X"))
    first, second = run(CoverageTracker(40, 10), [everyone], [all_but_x])
    assert not first.flagged
    assert second.flagged and second.smallest_group == 1
    assert "group of 1 content item" in second.message and "at least 10" in second.message


def test_the_same_pair_is_flagged_whichever_comes_first():
    first, second = run(CoverageTracker(40, 10), [cover(range(1, 40))], [cover(range(40))])
    assert not first.flagged and second.flagged and second.smallest_group == 1


def test_denning_individual_tracker_is_flagged():
    a = set(range(0, 30))
    b = {27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39}  # |A and B| = 3
    first, second = run(CoverageTracker(40, 10), [cover(sorted(a))], [cover(sorted(a - b))])
    assert not first.flagged
    assert second.flagged and second.smallest_group == 3


def test_denning_general_tracker_is_flagged_at_the_query_that_completes_it():
    universe, c = set(range(60)), {7}
    t = set(range(0, 30))
    results = run(CoverageTracker(60, 10), [cover(sorted(c | t))], [cover(sorted(c | (universe - t)))], [cover(sorted(universe))])
    assert [r.flagged for r in results] == [False, False, True]
    assert results[2].smallest_group == 1


def marginal_universe(seed=3):
    """Items of a speaker x episode table with 1-5 items in every 2-way cell, >= 10 per margin."""
    rng = np.random.default_rng(seed)
    speakers, episodes = [], []
    for s in range(6):
        for e in range(5):
            k = int(rng.integers(2, 6))
            speakers += [s] * k
            episodes += [e] * k
    return np.array(speakers), np.array(episodes)


def test_two_ordinary_marginal_tables_are_not_flagged_nor_is_repeating_one():
    speaker, episode = marginal_universe()
    assert np.bincount(speaker).min() >= 10 and np.bincount(episode).min() >= 10
    tracker = CoverageTracker(len(speaker), 10)
    results = run(tracker, [groupby(speaker)], [groupby(episode)], [groupby(speaker)], [groupby(episode)])
    assert [r.flagged for r in results] == [False] * 4
    assert tracker.n_atoms == 30 and tracker.queries == 4
    assert tracker.rank == 6 + 5 - 1


def test_a_marginal_with_its_grand_total_is_not_flagged():
    speaker, episode = marginal_universe()
    n = len(speaker)
    results = run(CoverageTracker(n, 10), [groupby(speaker)], [groupby(episode)], [cover(range(n))])
    assert not any(r.flagged for r in results)


def test_a_third_marginal_that_pins_a_cell_is_flagged():
    speaker, episode = marginal_universe()
    n = len(speaker)
    tracker = CoverageTracker(n, 10)
    run(tracker, [groupby(speaker)], [groupby(episode)])
    # speaker 0 in every episode but episode 0: with the speaker margin, gives the (0, 0) cell
    target = np.flatnonzero((speaker == 0) & (episode != 0))
    assert tracker.check([cover(target)]).flagged


def test_suppressed_cells_cover_nothing():
    tracker = CoverageTracker(14, 10)
    everything_suppressed = cover(range(12), range(12, 14), released=[False, False])
    assert not tracker.check([everything_suppressed]).flagged
    tracker.commit([everything_suppressed])
    assert tracker.n_atoms == 0 and tracker.rank == 0

    one_released = cover(range(12), range(12, 14), released=[True, False])
    assert not tracker.check([one_released]).flagged
    tracker.commit([one_released])
    assert tracker.n_atoms == 1  # items 12 and 13 were in a suppressed cell: no atom
    # the grand total minus the released 12 gives the suppressed pair back
    total = tracker.check([cover(range(14))])
    assert total.flagged and total.smallest_group == 2


def test_check_is_pure_and_commit_applies_what_check_saw():
    tracker = CoverageTracker(40, 10)
    tracker.commit([cover(range(40))])
    query = [cover(range(1, 40))]
    assert tracker.check(query).flagged
    assert tracker.check(query).flagged
    assert tracker.n_atoms == 1 and tracker.queries == 1
    tracker.commit(query)
    assert tracker.n_atoms == 2 and tracker.queries == 2
    assert not tracker.check(query).flagged  # already released (and approved): not new


def test_items_repeated_in_a_cell_count_once_and_items_in_several_cells_are_handled():
    tracker = CoverageTracker(30, 10)
    repeated = Coverage(items=np.r_[np.arange(30), np.arange(30)], cells=np.zeros(60, np.int64), released=np.ones(1, bool))
    tracker.commit([repeated])
    assert tracker.n_atoms == 1
    # one query with two cells over overlapping items: cell 1 is all but item 0
    overlapping = Coverage(items=np.r_[np.arange(30), np.arange(1, 30)], cells=np.r_[np.zeros(30, np.int64), np.ones(29, np.int64)], released=np.ones(2, bool))
    result = tracker.check([overlapping])
    assert result.flagged and result.smallest_group == 1


def test_a_released_small_cell_is_itself_flagged():
    assert CoverageTracker(30, 10).check([cover(range(20), range(20, 25))]).smallest_group == 5


def test_message_never_names_items():
    tracker = CoverageTracker(100, 10)
    tracker.commit([cover(range(100))])
    result = tracker.check([cover(range(100)[:-1])])
    assert result.flagged and "99" not in result.message


def test_out_of_range_coverage_is_refused():
    with pytest.raises(InvalidInput):
        CoverageTracker(5, 10).check([cover(range(6))])


def test_a_query_too_large_to_track_is_flagged_and_then_everything_is():
    tracker = CoverageTracker(100, 2, max_cells=10)
    big = groupby(np.arange(100) % 20)
    result = tracker.check([big])
    assert result.flagged and result.smallest_group is None and "too many" in result.message
    tracker.commit([big])
    assert tracker.check([cover(range(100))]).flagged


# -- brute force ----------------------------------------------------------------------------------


def _independent_rows(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """A maximal independent subset of ``rows`` (exact Gaussian elimination)."""
    chosen, reduced = [], []
    for row in rows:
        residue = list(row)
        for pivot_row, col in reduced:
            if residue[col] != 0:
                factor = residue[col] / pivot_row[col]
                residue = [a - factor * b for a, b in zip(residue, pivot_row, strict=True)]
        col = next((c for c, x in enumerate(residue) if x != 0), None)
        if col is not None:
            chosen.append(row)
            reduced.append((residue, col))
    return chosen


def _inverse(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """Exact inverse of a non-singular square matrix (Gauss-Jordan)."""
    n = len(matrix)
    aug = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next(r for r in range(col, n) if aug[r][col] != 0)
        aug[col], aug[pivot] = aug[pivot], aug[col]
        scale = aug[col][col]
        aug[col] = [a / scale for a in aug[col]]
        for r in range(n):
            if r != col and aug[r][col] != 0:
                factor = aug[r][col]
                aug[r] = [a - factor * b for a, b in zip(aug[r], aug[col], strict=True)]
    return [row[n:] for row in aug]


def leverages(cells: list[frozenset], groups: list[frozenset], n: int) -> list[Fraction]:
    """Exact share of each group's indicator inside the row space of the cells' indicators."""
    rows = _independent_rows([[Fraction(int(i in cell)) for i in range(n)] for cell in cells])
    if not rows:
        return [Fraction(0)] * len(groups)
    members = [[i for i in range(n) if row[i]] for row in rows]
    inverse = _inverse([[Fraction(len(set(a) & set(b))) for b in members] for a in members])
    out = []
    for group in groups:
        b = [Fraction(len(group.intersection(m))) for m in members]
        out.append(sum(b[i] * inverse[i][j] * b[j] for i in range(len(b)) for j in range(len(b))) / len(group))
    return out


def derivable(cells: list[frozenset], groups: list[frozenset], n: int) -> list[bool]:
    """Determined by adding and subtracting cells, exactly or to within the tracker's tolerance."""
    return [lev >= 1 - Fraction(1, 10**6) for lev in leverages(cells, groups, n)]


def atoms_of(cells: list[frozenset], n: int) -> list[frozenset]:
    signature: dict[tuple, set] = {}
    for i in range(n):
        key = tuple(i in cell for cell in cells)
        if any(key):
            signature.setdefault(key, set()).add(i)
    return [frozenset(a) for a in signature.values()]


def brute_force(before: list[frozenset], new: list[frozenset], n: int, min_cell: int) -> int | None:
    """Size of the smallest atom derivable after ``new`` but not before (None if none)."""
    after = before + new
    small = [a for a in atoms_of(after, n) if len(a) < min_cell]
    exposed = [len(a) for a, now, then in zip(small, derivable(after, small, n), derivable(before, small, n), strict=True) if now and not then]
    return min(exposed) if exposed else None


coverage_cell = st.tuples(st.frozensets(st.integers(0, 9), min_size=0, max_size=10), st.booleans() | st.just(True))
query = st.lists(st.lists(coverage_cell, min_size=1, max_size=3), min_size=1, max_size=2)


@settings(max_examples=300, deadline=None)
@given(st.lists(query, min_size=1, max_size=5), st.integers(2, 5))
def test_check_agrees_with_an_exact_brute_force(queries, min_cell):
    n = 10
    tracker = CoverageTracker(n, min_cell)
    released: list[frozenset] = []
    for q in queries:
        coverages = [cover(*[sorted(cell) for cell, _ in cells], released=[ok for _, ok in cells]) for cells in q]
        new = [frozenset(cell) for cells in q for cell, ok in cells if ok and cell]
        expected = brute_force(released, new, n, min_cell)
        result = tracker.check(coverages)
        assert result.flagged == (expected is not None)
        assert result.smallest_group == expected
        tracker.commit(coverages)
        released += new


def test_many_commits_stay_exact_against_the_brute_force():
    """Random overlapping cells until everything is pinned: the numerics must not drift."""
    rng = np.random.default_rng(7)
    n, min_cell = 20, 4
    tracker = CoverageTracker(n, min_cell)
    released: list[frozenset] = []
    flags = 0
    for _ in range(20):
        cells = [frozenset(np.flatnonzero(rng.random(n) < p).tolist()) for p in rng.uniform(0.3, 0.9, size=rng.integers(1, 4))]
        cells = [c for c in cells if c]
        expected = brute_force(released, cells, n, min_cell)
        coverages = [cover(*[sorted(c) for c in cells])] if cells else []
        assert tracker.check(coverages).smallest_group == expected
        flags += expected is not None
        tracker.commit(coverages)
        released += cells
    assert flags and tracker.rank == n


def test_a_session_of_filtered_groupbys_agrees_with_the_brute_force():
    """Group-bys over three attributes with filters, two aggregates per query at times."""
    rng = np.random.default_rng(11)
    n, min_cell = 36, 3
    attributes = [rng.integers(0, k, n) for k in (3, 4, 3)]
    tracker = CoverageTracker(n, min_cell)
    released: list[frozenset] = []
    outcomes = []
    for _ in range(14):
        coverages, new = [], []
        for _ in range(rng.integers(1, 3)):
            by = attributes[rng.integers(0, 3)]
            where = attributes[rng.integers(0, 3)] != rng.integers(0, 4) if rng.random() < 0.6 else np.ones(n, bool)
            groups = [np.flatnonzero(where & (by == value)) for value in range(by.max() + 1)]
            ok = [len(g) >= min_cell for g in groups]  # small cells suppressed, as disclosure control would
            coverages.append(cover(*groups, released=ok))
            new += [frozenset(g.tolist()) for g, keep in zip(groups, ok, strict=True) if keep and len(g)]
        expected = brute_force(released, new, n, min_cell)
        assert tracker.check(coverages).smallest_group == expected
        outcomes.append(expected)
        tracker.commit(coverages)
        released += new
    assert any(o is not None for o in outcomes) and any(o is None for o in outcomes)


def test_a_million_items_refine_in_milliseconds():
    n = 1_000_000
    rng = np.random.default_rng(0)
    speaker, episode = rng.integers(0, 50, n), rng.integers(0, 200, n)
    tracker = CoverageTracker(n, 10)
    tracker.commit([groupby(speaker)])
    tracker.commit([groupby(episode // 4)])
    assert tracker.n_atoms == 2500 and tracker.rank == 99
    query = [groupby(episode % 50)]
    tracker.check(query)
    tracker._pending = None
    start = time.perf_counter()
    result = tracker.check(query)
    elapsed = time.perf_counter() - start
    assert not result.flagged
    assert elapsed < 1.0  # about 30 ms on a 2-core machine; generous against a busy CI runner


def test_a_query_that_splits_no_atom_keeps_every_item_in_its_atom_and_stays_exact():
    """Repeats and unions of known atoms commit without renumbering items, new directions included."""
    n, min_cell = 12, 2
    a, b = [0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]
    c, d = [0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]
    sequence = [
        [cover(a, b)], [cover(c, d)],  # four atoms of three items
        [cover(a, b)],  # a repeat: nothing new
        [cover([0, 1, 2])],  # a union of atoms (here one atom) that adds a direction: pins it, size 3 >= min_cell
        [cover([0, 1, 2, 9, 10, 11])],  # two atoms together: a union again
    ]
    tracker = CoverageTracker(n, min_cell)
    released: list[frozenset] = []
    for step, coverages in enumerate(sequence):
        new = [frozenset(items.tolist()) for cov in coverages for items in _cells_of(cov)]
        expected = brute_force(released, new, n, min_cell)
        assert tracker.check(coverages).smallest_group == expected
        atoms_before = tracker._atom.copy()
        tracker.commit(coverages)
        released += new
        if step >= 2:  # no atom split: every item keeps its atom id
            assert np.array_equal(tracker._atom, atoms_before)
    assert tracker.n_atoms == 4 and tracker.rank == 4
    # and it still catches what it should: with {0, 1, 2} pinned, {0, 1, 2, 3} reveals item 3
    split = [cover([0, 1, 2, 3])]
    assert tracker.check(split).smallest_group == brute_force(released, [frozenset({0, 1, 2, 3})], n, min_cell) == 1


def _cells_of(coverage: Coverage) -> list[np.ndarray]:
    return [coverage.items[coverage.cells == cell] for cell in range(len(coverage.released)) if coverage.released[cell]]
