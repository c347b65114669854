"""Laplace noise through OpenDP: the one module that knows OpenDP's API.

Each function takes a whole vector of cells and adds independent Laplace noise calibrated to the
vector's L1 sensitivity (OpenDP's ``make_laplace`` on a vector domain with the ``l1_distance``
metric), so one call is one epsilon-DP release of a whole table. Counts use OpenDP's discrete
Laplace on integers; sums use its float Laplace (itself sampled exactly on a fine grid). The
epsilon returned is OpenDP's own privacy map of the measurement at the given sensitivity, not our
arithmetic, so what is reported is what OpenDP proves.

OpenDP samples with a cryptographically secure generator and cannot be seeded; tests check the
noise statistically. Sampling costs about 7 us per integer and 20 us per float cell.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1)
def _opendp():
    """Import OpenDP and enable its ``contrib`` features once, on first use (not at import)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def laplace_counts(counts: np.ndarray, *, epsilon: float) -> tuple[np.ndarray, float]:
    """Noisy integer counts: discrete Laplace with scale 1/epsilon (L1 sensitivity 1: one content
    item moves one count by one). Returns ``(noisy counts as int64, epsilon spent)``."""
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")
    measurement = dp.m.make_laplace(*space, scale=1.0 / epsilon)
    values = np.asarray(counts, dtype=np.int64)
    noisy = np.asarray(measurement(values.tolist()), dtype=np.int64) if len(values) else np.zeros(0, np.int64)
    return noisy, float(measurement.map(1))


def laplace_sums(sums: np.ndarray, *, sensitivity: float, epsilon: float) -> tuple[np.ndarray, float]:
    """Noisy sums of clipped values: Laplace with scale sensitivity/epsilon, where ``sensitivity``
    is the most one content item can move the vector in L1 (``max(|low|, |high|)`` for a clip).
    Returns ``(noisy sums, epsilon spent)``."""
    if not (math.isfinite(sensitivity) and sensitivity > 0):
        raise ValueError(f"sensitivity must be positive and finite, got {sensitivity!r}")
    dp = _opendp()
    space = dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l1_distance(T=float)
    measurement = dp.m.make_laplace(*space, scale=sensitivity / epsilon)
    values = np.asarray(sums, dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError("sums must be finite before noise is added")
    noisy = np.asarray(measurement(values.tolist()), dtype=np.float64) if len(values) else np.zeros(0)
    return noisy, float(measurement.map(float(sensitivity)))
