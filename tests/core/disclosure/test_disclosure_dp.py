"""DP mode: OpenDP Laplace noise on counts, sums and means; what it refuses and why.

The statistical checks use bounds far outside their sampling error (the mean absolute noise of
2000 draws lies within 30 % of the Laplace scale; its standard error is about 2 %), so they
cannot flake in practice.
"""

from __future__ import annotations

import numpy as np
import pytest

from sealroom.core.disclosure import CellTable, DisclosureRules, DPSettings, Statistic, protect
from sealroom.core.disclosure import dp as dp_noise
from sealroom.core.errors import InvalidInput


def dp_rules(epsilon=1.0, **kw) -> DisclosureRules:
    return DisclosureRules(dp=DPSettings(epsilon=epsilon), **kw)


def test_counts_get_laplace_noise_of_scale_one_over_epsilon():
    n = 2000
    true = np.full(n, 500.0)
    p = protect(CellTable.of("size", Statistic.COUNT, true, np.full(n, 500)), dp_rules(epsilon=0.1))
    noise = p.value - true
    assert p.noised and not p.rounded
    assert len(np.unique(noise)) > 30  # it varies (integer noise of scale 10 takes about 100 values over 2000 draws)
    assert (p.value == np.round(p.value)).all() and (p.value >= 0).all()
    assert 0.7 * 10 < np.abs(noise).mean() < 1.3 * 10  # Laplace(b): E|X| = b = 1/epsilon
    assert abs(noise.mean()) < 2.0  # centred (standard error about 0.3)
    assert p.epsilon_spent == pytest.approx(0.1)


def test_noise_differs_between_runs():
    cells = CellTable.of("size", Statistic.COUNT, np.full(50, 100.0), np.full(50, 100))
    a, b = protect(cells, dp_rules()), protect(cells, dp_rules())
    assert not np.array_equal(a.value, b.value)


def test_small_cells_are_still_suppressed_and_noised_counts_are_never_negative():
    cells = CellTable.of("size", Statistic.COUNT, [3.0, 0.0, 12.0], [3, 0, 12])
    p = protect(cells, dp_rules(epsilon=0.01))
    assert p.suppressed.tolist() == [True, True, False]
    assert p.value[2] >= 0 and np.isnan(p.value[:2]).all()


def test_sums_need_bounds_and_get_noise_scaled_by_the_largest_bound():
    n = 2000
    sums = np.full(n, 1000.0)
    cells = CellTable.of("sum", Statistic.MAGNITUDE, sums, np.full(n, 50), sum=sums, bounds=(-20.0, 40.0))
    p = protect(cells, dp_rules(epsilon=2.0))
    noise = p.value - sums
    assert 0.7 * 20 < np.abs(noise).mean() < 1.3 * 20  # scale max(|lo|, |hi|) / epsilon = 40 / 2
    assert p.epsilon_spent == pytest.approx(2.0)


def test_means_are_noisy_sum_over_noisy_count_within_the_clip():
    n = 2000
    rows = np.full(n, 400)
    sums = rows * 25.0
    cells = CellTable.of("mean", Statistic.MAGNITUDE, sums / rows, rows, rows=rows, sum=sums, bounds=(0.0, 50.0))
    p = protect(cells, dp_rules(epsilon=1.0))
    assert ((p.value >= 0) & (p.value <= 50)).all()
    # sum noise scale 50 / 0.5 = 100 over a count of 400: about 0.25 per cell on the mean
    error = np.abs(p.value - 25.0).mean()
    assert 0.1 < error < 0.5
    assert p.epsilon_spent == pytest.approx(1.0)  # half on the sum, half on the count


def test_dominance_is_not_applied_in_dp_mode():
    cells = CellTable.of("sum", Statistic.MAGNITUDE, [10_550.0], [12], sum=[10_550.0], top1=[10_000], top2=[50], total=[10_550], bounds=(0, 100))
    assert not protect(cells, dp_rules()).suppressed[0]


def test_missing_bounds_are_refused_with_how_to_give_them():
    cells = CellTable.of("mean", Statistic.MAGNITUDE, [3.0], [50])
    with pytest.raises(InvalidInput, match=r"clip=\(low, high\)"):
        protect(cells, dp_rules())
    with pytest.raises(InvalidInput, match="clip"):
        protect(CellTable.of("sum", Statistic.MAGNITUDE, [3.0], [50], bounds=(0, 0)), dp_rules())


@pytest.mark.parametrize(
    "aggregate, statistic",
    [("median", Statistic.ORDER), ("quantile", Statistic.ORDER), ("corr", Statistic.ASSOCIATION), ("std", Statistic.MAGNITUDE), ("describe", Statistic.MAGNITUDE)],
)
def test_unsupported_statistics_are_refused_naming_what_is_supported(aggregate, statistic):
    cells = CellTable.of(aggregate, statistic, [3.0], [50], bounds=(0, 10))
    with pytest.raises(InvalidInput, match="supports counts") as info:
        protect(cells, dp_rules())
    assert aggregate in info.value.public_message and "sum or mean" in info.value.public_message


def test_fractional_counts_are_refused():
    with pytest.raises(InvalidInput, match="whole counts"):
        protect(CellTable.of("value_counts", Statistic.COUNT, [0.25, 0.75], [20, 60]), dp_rules())


def test_extremes_are_suppressed_and_spend_nothing():
    p = protect(CellTable.of("max", Statistic.EXTREME, [9.0], [50]), dp_rules())
    assert p.suppressed[0] and p.epsilon_spent == 0.0


def test_the_opendp_wrapper_reports_opendp_epsilon():
    noisy, eps = dp_noise.laplace_counts(np.zeros(5, dtype=np.int64), epsilon=0.5)
    assert eps == pytest.approx(0.5) and noisy.dtype == np.int64
    noisy, eps = dp_noise.laplace_sums(np.zeros(0), sensitivity=3.0, epsilon=1.5)
    assert eps == pytest.approx(1.5) and len(noisy) == 0
    with pytest.raises(ValueError):
        dp_noise.laplace_sums(np.array([np.inf]), sensitivity=1.0, epsilon=1.0)
