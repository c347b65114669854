"""DisclosureRules and DPSettings refuse nonsense and combine strictly."""

from __future__ import annotations

import dataclasses

import pytest

from sealroom.core.disclosure import DisclosureRules, DPSettings
from sealroom.core.errors import ConfigurationError


def test_defaults_are_acro_and_opensafely():
    rules = DisclosureRules()
    assert (rules.min_items, rules.min_holders, rules.dominance_n, rules.dominance_k, rules.p_ratio, rules.rounding_base, rules.dp) == (10, 1, 2, 0.9, 0.10, 5, None)


@pytest.mark.parametrize(
    "field, value",
    [("min_items", 0), ("min_items", 2.5), ("min_items", True), ("min_holders", 0), ("dominance_n", 3), ("dominance_k", 0),
     ("dominance_k", 1.5), ("p_ratio", -0.1), ("p_ratio", 1), ("rounding_base", 0), ("p_ratio", float("nan")), ("dp", 1.0)],
)
def test_nonsense_is_refused_naming_the_field(field, value):
    with pytest.raises(ConfigurationError, match=field):
        DisclosureRules(**{field: value})


@pytest.mark.parametrize("epsilon", [0, -1, float("inf"), float("nan"), "1"])
def test_epsilon_must_be_positive_and_finite(epsilon):
    with pytest.raises(ConfigurationError, match="epsilon"):
        DPSettings(epsilon=epsilon)


def test_rules_are_frozen_and_keyword_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DisclosureRules().min_items = 3
    with pytest.raises(TypeError):
        DisclosureRules(10)


def test_from_license():
    assert DisclosureRules.from_license(5).min_items == 5
    assert DisclosureRules.from_license(0).min_items == 1
    rules = DisclosureRules.from_license(3, epsilon=0.5, rounding_base=10)
    assert rules.dp == DPSettings(epsilon=0.5) and rules.rounding_base == 10
    with pytest.raises(ConfigurationError):
        DisclosureRules.from_license(-1)


def test_strictest_of_two_licenses():
    a = DisclosureRules(min_items=5, dominance_k=0.8, dp=DPSettings(epsilon=2.0))
    b = DisclosureRules(min_items=10, p_ratio=0.2, rounding_base=10, dp=DPSettings(epsilon=0.5))
    s = a.strictest(b)
    assert (s.min_items, s.dominance_k, s.p_ratio, s.rounding_base, s.dp.epsilon) == (10, 0.8, 0.2, 10, 0.5)
    assert DisclosureRules().strictest(DisclosureRules(dp=DPSettings(epsilon=1.0))).dp.epsilon == 1.0
