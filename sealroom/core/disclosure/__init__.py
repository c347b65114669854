"""Statistical disclosure control for aggregate results.

- ``cells``: the shared vocabulary (``CellTable`` in, ``Protection`` out, ``Coverage`` for differencing).
- ``rules``: ``DisclosureRules`` and ``DPSettings`` (thresholds, dominance, rounding, epsilon).
- ``protect``: ``protect(cells, rules)`` / ``Protector``: suppress, round or noise one table.
- ``coverage``: ``CoverageTracker``: differencing across a user's released results (atoms in ``atoms``).
- ``dp``: the OpenDP Laplace mechanisms ``protect`` uses in DP mode.
"""

from sealroom.core.disclosure.cells import CellTable, Coverage, Protection, Statistic
from sealroom.core.disclosure.coverage import CoverageTracker, DifferencingCheck
from sealroom.core.disclosure.protect import RULE_IDS, Protector, protect, round_counts
from sealroom.core.disclosure.rules import DisclosureRules, DPSettings

__all__ = [
    "RULE_IDS",
    "CellTable",
    "Coverage",
    "CoverageTracker",
    "DPSettings",
    "DifferencingCheck",
    "DisclosureRules",
    "Protection",
    "Protector",
    "Statistic",
    "protect",
    "round_counts",
]
