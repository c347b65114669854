"""Disclosure control for one table of cells: suppress, then round (or noise) what remains.

``protect(cells, rules)`` is a pure function of a ``CellTable`` and the ``DisclosureRules``; the
graph evaluator calls it once per aggregate node through a ``Protector``. Every rule is a
vectorised test over the whole table (tables can have 100 000 cells), so there is no loop per cell.

Rules by statistic (rule ids as ``Protection.reasons`` names them):

- every statistic: ``min-items`` (distinct content items < ``min_items``) and ``min-holders``.
- COUNT: published rounded to the nearest multiple of ``rounding_base``, ties up; a passing cell
  with a positive count is never published as 0 (it becomes one base).
- MAGNITUDE: also ``dominance`` (top n contributions >= k * total; a total of 0 passes) and
  ``p-ratio`` ((total - top1 - top2) < p * top1; top1 == 0 passes). Missing top1/top2/total
  fail both (fail closed). Values are published unrounded.
- ORDER, ASSOCIATION: the thresholds only.
- EXTREME: always suppressed (``extreme-value``): a min or max is one item's own value.
- Empty cells (NaN value) are left as they are: not suppressed, not counted, published as NaN.

DP mode (``rules.dp`` set): COUNT cells and MAGNITUDE ``sum``/``mean`` cells get Laplace noise
(``sealroom.core.disclosure.dp``) instead of rounding, and the dominance/p-ratio rules are not
applied (clipping bounds what one item contributes and the noise hides it). The ``min-items`` and
``min-holders`` thresholds *are* still applied, on the exact counts, because the license asks for
a minimum aggregation size: that suppression decision is itself outside the DP guarantee (as in
non-DP mode, it reveals only that a group is small). Epsilon is spent per table: COUNT cells are
disjoint (one item falls in one cell), so the whole vector has L1 sensitivity 1 (parallel
composition); a mean spends half on its noisy sum and half on its noisy count; a table mixing
counts with sums or means splits epsilon evenly between them. Other statistics are refused.
"""

from __future__ import annotations

import numpy as np

from sealroom.core.disclosure import dp as dp_noise
from sealroom.core.disclosure.cells import CellTable, Protection, Statistic
from sealroom.core.disclosure.rules import DisclosureRules
from sealroom.core.errors import ConfigurationError, InvalidInput

RULE_IDS = ("min-items", "min-holders", "dominance", "p-ratio", "extreme-value")
DP_MAGNITUDE_AGGREGATES = ("sum", "mean")
_DP_SUPPORTED = "counts (count, size, nunique, value_counts, crosstab, histogram, shape) and sum or mean with clip=(low, high)"
_STATISTICS = tuple(s.value for s in Statistic)


class Protector:
    """Disclosure control bound to one set of rules: what the evaluator is handed."""

    def __init__(self, rules: DisclosureRules) -> None:
        self.rules = rules

    def protect(self, cells: CellTable) -> Protection:
        return protect(cells, self.rules)

    def __repr__(self) -> str:
        return f"Protector({self.rules!r})"


def protect(cells: CellTable, rules: DisclosureRules) -> Protection:
    """Decide every cell of ``cells`` under ``rules``; see the module docstring for the rules."""
    stat = _statistics(cells)
    value = np.asarray(cells.value, dtype=np.float64)
    active = ~np.isnan(value)
    is_count = stat == Statistic.COUNT.value
    is_magnitude = stat == Statistic.MAGNITUDE.value
    if rules.dp is not None:
        _check_dp_supported(cells, stat, value, active, is_magnitude)

    fails = np.zeros((len(RULE_IDS), len(value)), dtype=bool)
    fails[0] = active & (np.asarray(cells.items) < rules.min_items)
    fails[1] = active & (np.asarray(cells.holders) < rules.min_holders)
    if rules.dp is None:
        fails[2], fails[3] = _dominance_failures(cells, rules, active & is_magnitude)
    fails[4] = active & (stat == Statistic.EXTREME.value)
    suppressed = fails.any(axis=0)

    published = np.where(suppressed, np.nan, value)
    release = active & ~suppressed
    if rules.dp is None:
        counts = release & is_count
        published[counts] = round_counts(value[counts], rules.rounding_base)
        rounded = rules.rounding_base > 1 and bool(counts.any())
        epsilon, notes = 0.0, _notes(rules, rounded)
    else:
        epsilon, dp_notes = _add_noise(cells, rules, published, release & is_count, release & is_magnitude, bool(is_count.any()), bool(is_magnitude.any()))
        rounded, notes = False, _notes(rules, False) + dp_notes
    return Protection(
        suppressed=suppressed,
        reasons=_reasons(fails),
        value=published,
        rounded=rounded,
        noised=rules.dp is not None,
        epsilon_spent=epsilon,
        notes=notes,
    )


def round_counts(counts: np.ndarray, base: int) -> np.ndarray:
    """Round to the nearest multiple of ``base``, ties up; a positive count never becomes 0."""
    counts = np.asarray(counts, dtype=np.float64)
    rounded = base * np.floor(counts / base + 0.5)
    return np.where(counts > 0, np.maximum(rounded, base), rounded)


def _statistics(cells: CellTable) -> np.ndarray:
    n = len(cells.value)
    lengths = {name: len(getattr(cells, name)) for name in ("statistic", "items", "holders", "rows", "sum", "top1", "top2", "total")}
    if any(length != n for length in lengths.values()):
        raise ConfigurationError("disclosure control received a malformed cell table", detail=f"value has {n} cells, other arrays: {lengths}")
    stat = np.asarray(cells.statistic).astype(str)
    unknown = ~np.isin(stat, _STATISTICS)
    if unknown.any():
        raise ConfigurationError("disclosure control received a cell of an unknown kind", detail=f"statistics {sorted(set(stat[unknown]))}")
    return stat


def _dominance_failures(cells: CellTable, rules: DisclosureRules, magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    top1 = np.asarray(cells.top1, dtype=np.float64)
    top2 = np.asarray(cells.top2, dtype=np.float64)
    total = np.asarray(cells.total, dtype=np.float64)
    top_n = top1 + top2 if rules.dominance_n == 2 else top1
    with np.errstate(invalid="ignore"):
        nk_passes = (total == 0) | (top_n < rules.dominance_k * total)
        p_passes = (top1 == 0) | ((total - top1 - top2) >= rules.p_ratio * top1)
    return magnitude & ~nk_passes, magnitude & ~p_passes


def _reasons(fails: np.ndarray) -> tuple[tuple[str, ...], ...]:
    codes = (fails.astype(np.int64) << np.arange(len(RULE_IDS))[:, None]).sum(axis=0)
    lookup = np.empty(1 << len(RULE_IDS), dtype=object)
    for code in range(len(lookup)):
        lookup[code] = tuple(rule for bit, rule in enumerate(RULE_IDS) if code >> bit & 1)
    return tuple(lookup[codes])


def _notes(rules: DisclosureRules, rounded: bool) -> tuple[str, ...]:
    notes = [f"cells with fewer than {rules.min_items} content items are suppressed"]
    if rules.min_holders > 1:
        notes.append(f"cells with fewer than {rules.min_holders} rights holders are suppressed")
    if rounded:
        notes.append(f"counts are rounded to the nearest {rules.rounding_base}")
    return tuple(notes)


def _check_dp_supported(cells: CellTable, stat: np.ndarray, value: np.ndarray, active: np.ndarray, is_magnitude: np.ndarray) -> None:
    refused = np.isin(stat, (Statistic.ORDER.value, Statistic.ASSOCIATION.value))
    if refused.any() or (is_magnitude.any() and cells.aggregate not in DP_MAGNITUDE_AGGREGATES):
        raise InvalidInput(f"differential privacy mode supports {_DP_SUPPORTED}; {cells.aggregate!r} is not supported (ask for one of those)")
    counts = value[active & (stat == Statistic.COUNT.value)]
    if (counts != np.round(counts)).any() or (counts < 0).any():
        raise InvalidInput(
            f"differential privacy mode noises whole counts; {cells.aggregate!r} gave fractions (normalize=True): "
            "ask for the counts and divide them yourself"
        )
    if not is_magnitude.any():
        return
    if cells.bounds is None:
        raise InvalidInput(f"differential privacy needs bounds for a {cells.aggregate}: give clip=(low, high), e.g. .{cells.aggregate}(clip=(0, 100)), so one item's effect is limited")
    low, high = (float(b) for b in cells.bounds)
    if not (np.isfinite(low) and np.isfinite(high) and low <= high and max(abs(low), abs(high)) > 0):
        raise InvalidInput(f"clip=(low, high) must be finite numbers with low <= high, not both 0; got clip=({low}, {high})")


def _add_noise(
    cells: CellTable,
    rules: DisclosureRules,
    published: np.ndarray,
    counts: np.ndarray,
    magnitudes: np.ndarray,
    has_counts: bool,
    has_magnitudes: bool,
) -> tuple[float, tuple[str, ...]]:
    """Noise the released ``counts`` and ``magnitudes`` cells of ``published`` in place.

    Epsilon is charged for every kind of cell the table has (``has_*``), released or not, so
    what is spent does not depend on which cells the data let through. Returns (epsilon, notes)."""
    parts = int(has_counts) + int(has_magnitudes)
    if parts == 0:
        return 0.0, ()
    epsilon = rules.dp.epsilon / parts
    spent = 0.0
    notes = [f"Laplace noise (OpenDP), epsilon {rules.dp.epsilon:g} for this table"]
    if has_counts:
        noisy, eps = dp_noise.laplace_counts(np.asarray(cells.value)[counts], epsilon=epsilon)
        published[counts] = np.maximum(noisy, 0)
        spent += eps
        notes.append(f"counts: noise scale {1 / epsilon:.3g}")
    if has_magnitudes:
        low, high = (float(b) for b in cells.bounds)
        bound = max(abs(low), abs(high))
        sums = np.asarray(cells.sum, dtype=np.float64)[magnitudes]
        if cells.aggregate == "sum":
            noisy_sum, eps = dp_noise.laplace_sums(sums, sensitivity=bound, epsilon=epsilon)
            published[magnitudes] = np.clip(noisy_sum, -np.inf if low < 0 else 0.0, np.inf if high > 0 else 0.0)
            spent += eps
            notes.append(f"sums of values clipped to [{low:g}, {high:g}]: noise scale {bound / epsilon:.3g}")
        else:
            noisy_sum, eps_sum = dp_noise.laplace_sums(sums, sensitivity=bound, epsilon=epsilon / 2)
            noisy_rows, eps_rows = dp_noise.laplace_counts(np.asarray(cells.rows)[magnitudes], epsilon=epsilon / 2)
            published[magnitudes] = np.clip(noisy_sum / np.maximum(noisy_rows, 1), low, high)
            spent += eps_sum + eps_rows
            notes.append(f"means of values clipped to [{low:g}, {high:g}]: noisy sum / noisy count, epsilon split in half")
    return spent, tuple(notes)
