"""Small statistics the method needs: intervals, sample sizes and rater agreement.

Written out here (a few lines each) rather than pulling in SciPy, so the core stays light and
every formula can be read next to the method note that asks for it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist


def z_for(confidence: float | Decimal) -> float:
    """Two-sided normal quantile: 0.95 -> 1.96, 0.80 -> 1.2816."""
    return NormalDist().inv_cdf(1 - (1 - float(confidence)) / 2)


def wilson_interval(
    successes: int, trials: int, confidence: float | Decimal
) -> tuple[float, float]:
    """Wilson score interval for a proportion, as fractions in [0, 1].

    Chosen over the textbook normal interval because HMIP samples are small (often 9 to 30
    cases) and percentages sit near 0% or 100%, where the normal interval misbehaves.
    """
    if trials <= 0:
        raise ValueError("an interval needs at least one applicable case")
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie between 0 and trials")
    z = z_for(confidence)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    # At 0 or all successes the bound is exactly 0 or 1; float noise must not nudge it inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def round_half_up(value: Fraction, decimals: int = 0) -> Fraction:
    """Round as people do (78.5 -> 79), not as Python's banker's rounding does."""
    scale = 10**decimals
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def sample_size(
    population: int,
    confidence: float | Decimal,
    margin: float | Decimal,
    proportion: float | Decimal = 0.5,
    finite_population_correction: bool = True,
) -> int:
    """Cases to sample for the given confidence and margin of error.

    n0 = z² p (1 - p) / e², then n = n0 / (1 + (n0 - 1) / N) with the finite-population
    correction, rounded up and never more than the population. With 80% and 5 points this
    gives 91 for 200 cases and 14 for 15, the figures HMIP publishes as its limits.
    """
    if population <= 0:
        return 0
    z = z_for(confidence)
    p = float(proportion)
    e = float(margin)
    n0 = z * z * p * (1 - p) / (e * e)
    n = n0 / (1 + (n0 - 1) / population) if finite_population_correction else n0
    # Guard against float noise turning an exact 91.0 into 91.0000001 and so 92.
    return min(population, math.ceil(round(n, 6)))


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa for two raters' answers to the same items; None when undefined.

    Undefined when there are no pairs, or when chance agreement is total (both raters gave a
    single identical answer throughout), since kappa then divides by zero.
    """
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in first.keys() | second.keys()) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)
