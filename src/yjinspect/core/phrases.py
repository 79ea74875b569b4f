"""How the earlier HMIP letters put a count into words ('9 of the 14 cases', 'almost all').

The SQS and FJI reports (2012-17) gave question-level findings either as exact counts or as a
proportion phrase. Neither rule was published; the one here is the house style of the legacy
spec §6.2, fitted to the seed reports, and its settings are the framework's
(`Framework.report_phrases`, the defaults below when a file gives none):

* up to `counts_up_to` relevant cases, or when the caller marks the finding as a weakness, give
  the exact count, in the seeds' manner: '9 of the 14 cases' when every case in the sample was
  relevant, '12 out of 14 relevant cases' when some were not; in words while both numbers are
  at most `numbers_in_words_up_to` ('five out of eight relevant cases', Bedfordshire 2014);
* otherwise 'all' / 'all but one' (counts), then the first band of the framework's `scale` the
  share falls in: almost all / the great majority / ... / less than half by default; a band
  may print the share itself ('{percent}%': '75% of cases') or a fraction phrase ('well over
  three-quarters').

Counts are whole numbers and shares are exact fractions, so no boundary moves with rounding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from yjinspect.frameworks.schema import DEFAULT_PHRASE_SCALE, PhraseBand, ReportPhrases

# The seeds print exact counts for every denominator up to 14 and phrases from 20 upwards.
COUNTS_UP_TO = ReportPhrases().counts_up_to

# The singular of what the shipped frameworks count (`Item.counted`); anything else is left as
# it is written.
_ONE = {"cases": "case", "case managers interviewed": "case manager interviewed"}

NUMBER_WORDS = (
    "none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip


def _check(yes: int, relevant: int) -> None:
    if yes < 0 or relevant < 0:
        raise ValueError("counts cannot be negative")
    if yes > relevant:
        raise ValueError(f"{yes} yes answers cannot exceed {relevant} relevant cases")


def _whole_percent(share: Fraction) -> int:
    """The share as a whole percentage, half up (as the reports print them)."""
    return math.floor(share * 100 + Fraction(1, 2))


def band_phrase(yes: int, relevant: int, scale: Sequence[PhraseBand] = DEFAULT_PHRASE_SCALE) -> str:
    """The quantifier for yes out of relevant: 'all', 'all but one', then the scale's band."""
    _check(yes, relevant)
    if relevant == 0:
        raise ValueError("no relevant cases: there is no proportion to describe")
    if yes == relevant:
        return "all"
    # 'all but one of two' reads oddly; from three cases up it is how the seeds put it.
    if yes == relevant - 1 and relevant >= 3:
        return "all but one"
    share = Fraction(yes, relevant)
    for band in scale:
        if band.matches(share):
            return band.phrase.format(percent=_whole_percent(share))
    raise ValueError(f"the phrase scale has no band for {yes} of {relevant}")


def _count(n: int, in_words: bool) -> str:
    return NUMBER_WORDS[n] if in_words else str(n)


def counts_sentence(
    yes: int, relevant: int, whole_sample: bool, counted: str = "cases", words_up_to: int = 0
) -> str:
    """Exact counts as the seeds write them.

    `whole_sample` says every case in the sample was relevant to the question (Bexley 2015:
    '9 of the 14 cases'); otherwise the denominator is the relevant cases only (Bedfordshire
    2014: '12 out of 14 relevant cases'). While both numbers are at most `words_up_to` they
    are words (Bedfordshire 2014: 'five out of eight relevant cases').
    """
    _check(yes, relevant)
    if relevant == 0:
        return f"no relevant {counted}"
    if relevant == 1:  # '1 out of 1 relevant case', never '... relevant cases'
        one = _ONE.get(counted, counted)
        return f"{yes} of 1 {one}" if whole_sample else f"{yes} out of 1 relevant {one}"
    words = relevant <= min(words_up_to, len(NUMBER_WORDS) - 1)
    of, out_of = _count(yes, words), _count(relevant, words)
    if words and yes == 0:  # 'none of the eight cases', not 'none out of eight'
        return f"none of the {out_of} {'' if whole_sample else 'relevant '}{counted}"
    if whole_sample:
        return f"{of} of the {out_of} {counted}"
    return f"{of} out of {out_of} relevant {counted}"


def proportion_phrase(
    yes: int,
    relevant: int,
    whole_sample: bool = False,
    weakness: bool = False,
    counted: str = "cases",
    counts_up_to: int | None = None,
    phrases: ReportPhrases | None = None,
) -> str:
    """The noun phrase a report would print for yes out of relevant (spec §6.2 house style).

    Exact counts when `relevant` is at most the framework's `counts_up_to` (or the one given)
    or the finding is a weakness (the inspector's call, so the caller says so); a band phrase
    otherwise, e.g. 'all but one of the cases', 'almost all relevant cases', 'just over half
    of relevant cases', '75% of cases'. `phrases` are the framework's settings.
    """
    settings = phrases or ReportPhrases()
    limit = settings.counts_up_to if counts_up_to is None else counts_up_to
    _check(yes, relevant)
    if relevant == 0:
        return f"no relevant {counted}"
    if weakness or relevant <= limit:
        return counts_sentence(
            yes, relevant, whole_sample, counted, settings.numbers_in_words_up_to
        )
    quantifier = band_phrase(yes, relevant, settings.scale)
    if quantifier in {"all", "almost all"}:
        return f"{quantifier} {counted}" if whole_sample else f"{quantifier} relevant {counted}"
    if quantifier == "all but one":
        return f"all but one of the {'' if whole_sample else 'relevant '}{counted}"
    return f"{quantifier} of {'' if whole_sample else 'relevant '}{counted}"
