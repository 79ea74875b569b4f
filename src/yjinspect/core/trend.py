"""Is a change between two inspections more than sampling noise?

Inspections read small samples (9 to 40 cases), so a key question can move 20 points between
two inspections with no change in practice at all. Before a page says a service got better or
worse, it compares the two figures' Wilson intervals (core/stats.py): only when the intervals
do not overlap is the change called clear. Overlap is a deliberately cautious test (two 95%
intervals that just touch correspond to a difference test at about the 0.5% level), chosen
because a service or board may act on the word 'worse', and because 'the ranges overlap' can
be explained to a reader without statistics. A figure published without its counts cannot be
tested, and is said to be so rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .stats import wilson_interval


class Change(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NO_CLEAR_CHANGE = "no_clear_change"
    UNKNOWN = "unknown"  # one of the figures has no counts (or no applicable cases)


@dataclass(frozen=True)
class Proportion:
    """A 'yes' count out of the applicable cases (or answers, for pooled earlier scores)."""

    yes: int
    applicable: int

    def interval(self, confidence: float | Decimal) -> tuple[float, float]:
        return wilson_interval(self.yes, self.applicable, confidence)


@dataclass(frozen=True)
class Comparison:
    change: Change
    earlier: tuple[float, float] | None  # interval as fractions in [0, 1]
    later: tuple[float, float] | None


def compare(
    earlier: Proportion | None, later: Proportion | None, confidence: float | Decimal
) -> Comparison:
    """HIGHER or LOWER only when the later interval lies wholly above or below the earlier
    one; NO_CLEAR_CHANGE when they overlap; UNKNOWN when either figure has no counts."""
    if earlier is None or later is None or earlier.applicable == 0 or later.applicable == 0:
        return Comparison(Change.UNKNOWN, None, None)
    before = earlier.interval(confidence)
    after = later.interval(confidence)
    if after[0] > before[1]:
        return Comparison(Change.HIGHER, before, after)
    if after[1] < before[0]:
        return Comparison(Change.LOWER, before, after)
    return Comparison(Change.NO_CLEAR_CHANGE, before, after)
