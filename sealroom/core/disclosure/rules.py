"""The rules disclosure control applies to every released cell, as one frozen value.

Defaults are ACRO's and OpenSAFELY's (see the policy survey): at least 10 distinct content items
per cell, NK dominance with n=2 and k=0.9, p-ratio 0.10, counts rounded to the nearest 5. A
dataset's license sets ``min_items`` (``min_aggregation_size``); ``DPSettings`` switches counts,
sums and means to Laplace noise with a per-table epsilon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sealroom.core.errors import ConfigurationError


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, kw_only=True)
class DPSettings:
    """Differential privacy for one aggregate table: ``epsilon`` is spent per table (per aggregate
    node of a query), using pure epsilon-DP Laplace noise; a query with several aggregates spends
    the sum, which ``Protection.epsilon_spent`` reports table by table."""

    epsilon: float

    def __post_init__(self) -> None:
        if not _is_number(self.epsilon) or self.epsilon <= 0:
            raise ConfigurationError(
                "differential privacy needs a positive, finite epsilon (e.g. DPSettings(epsilon=1.0))",
                detail=f"epsilon={self.epsilon!r}",
            )


@dataclass(frozen=True, kw_only=True)
class DisclosureRules:
    """What a released cell must satisfy (rule ids in brackets, as ``Protection.reasons`` names them).

    - ``min_items`` [``min-items``]: distinct content items per cell; fewer is suppressed.
    - ``min_holders`` [``min-holders``]: distinct rights holders per cell.
    - ``dominance_n``/``dominance_k`` [``dominance``]: a magnitude cell fails when its largest
      ``n`` item contributions make up ``k`` of its total or more (``n`` is 1 or 2: the evaluator
      reports the top two contributions only).
    - ``p_ratio`` [``p-ratio``]: a magnitude cell fails when (total - top1 - top2) / top1 < p,
      i.e. the second-largest contributor could estimate the largest to within p.
    - ``rounding_base``: published counts are rounded to the nearest multiple (1 = whole counts).
    - ``dp``: when set, counts and sums/means get Laplace noise instead (see ``DPSettings``).
    """

    min_items: int = 10
    min_holders: int = 1
    dominance_n: int = 2
    dominance_k: float = 0.9
    p_ratio: float = 0.10
    rounding_base: int = 5
    dp: DPSettings | None = None

    def __post_init__(self) -> None:
        problems = []
        if not _is_int(self.min_items) or self.min_items < 1:
            problems.append(f"min_items must be a whole number >= 1 (got {self.min_items!r})")
        if not _is_int(self.min_holders) or self.min_holders < 1:
            problems.append(f"min_holders must be a whole number >= 1 (got {self.min_holders!r})")
        if self.dominance_n not in (1, 2) or not _is_int(self.dominance_n):
            problems.append(f"dominance_n must be 1 or 2 (got {self.dominance_n!r})")
        if not _is_number(self.dominance_k) or not 0 < self.dominance_k <= 1:
            problems.append(f"dominance_k must be in (0, 1] (got {self.dominance_k!r})")
        if not _is_number(self.p_ratio) or not 0 <= self.p_ratio < 1:
            problems.append(f"p_ratio must be in [0, 1) (got {self.p_ratio!r})")
        if not _is_int(self.rounding_base) or self.rounding_base < 1:
            problems.append(f"rounding_base must be a whole number >= 1 (got {self.rounding_base!r})")
        if self.dp is not None and not isinstance(self.dp, DPSettings):
            problems.append("dp must be DPSettings(epsilon=...) or None")
        if problems:
            raise ConfigurationError("invalid disclosure rules: " + "; ".join(problems))

    @classmethod
    def from_license(cls, min_aggregation_size: int, *, epsilon: float | None = None, **overrides: Any) -> "DisclosureRules":
        """The rules a dataset's license asks for: its ``min_aggregation_size`` as ``min_items``
        (never below 1), DP with ``epsilon`` when given, and any other field overridden by name."""
        if not _is_int(min_aggregation_size) or min_aggregation_size < 0:
            raise ConfigurationError("license term min_aggregation_size must be a non-negative integer", detail=f"got {min_aggregation_size!r}")
        dp = DPSettings(epsilon=epsilon) if epsilon is not None else overrides.pop("dp", None)
        return cls(min_items=max(1, min_aggregation_size), dp=dp, **overrides)

    def strictest(self, other: "DisclosureRules") -> "DisclosureRules":
        """The rules that satisfy both (a query reading two datasets must honour both licenses).

        Thresholds take the larger value, dominance the smaller ``k`` with the larger ``n``,
        p-ratio the larger, rounding the larger base, DP the smaller epsilon (DP if either has it).
        """
        dps = [r.dp for r in (self, other) if r.dp is not None]
        return DisclosureRules(
            min_items=max(self.min_items, other.min_items),
            min_holders=max(self.min_holders, other.min_holders),
            dominance_n=max(self.dominance_n, other.dominance_n),
            dominance_k=min(self.dominance_k, other.dominance_k),
            p_ratio=max(self.p_ratio, other.p_ratio),
            rounding_base=max(self.rounding_base, other.rounding_base),
            dp=min(dps, key=lambda d: d.epsilon) if dps else None,
        )
