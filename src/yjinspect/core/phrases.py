"""How the earlier HMIP letters put a count into words ('9 of the 14 cases', 'almost all').

The SQS and FJI reports (2012-17) gave question-level findings either as exact counts or as a
proportion phrase. Neither rule was published; the one here is the house style of the legacy
spec §6.2, fitted to the seed reports:

* up to `COUNTS_UP_TO` relevant cases, or when the caller marks the finding as a weakness, give
  the exact count, in the seeds' manner: '9 of the 14 cases' when every case in the sample was
  relevant, '12 out of 14 relevant cases' when some were not;
* otherwise a band phrase: all / all but one / almost all / the great majority / the large
  majority / over two-thirds / almost two-thirds / just over half / half / less than half.

Counts are whole numbers and shares are exact fractions, so no boundary moves with rounding.
"""

from __future__ import annotations

from fractions import Fraction

# The seeds print exact counts for every denominator up to 14 and phrases from 20 upwards.
COUNTS_UP_TO = 15

# The singular of what the shipped frameworks count (`Item.counted`); anything else is left as
# it is written.
_ONE = {"cases": "case", "case managers interviewed": "case manager interviewed"}

# (lowest share, phrase), checked from the top; 'all' and 'all but one' are tested on counts.
_BANDS: tuple[tuple[Fraction, str], ...] = (
    (Fraction(90, 100), "almost all"),
    (Fraction(80, 100), "the great majority"),
    (Fraction(75, 100), "the large majority"),
)


def _check(yes: int, relevant: int) -> None:
    if yes < 0 or relevant < 0:
        raise ValueError("counts cannot be negative")
    if yes > relevant:
        raise ValueError(f"{yes} yes answers cannot exceed {relevant} relevant cases")


def band_phrase(yes: int, relevant: int) -> str:
    """The quantifier for yes out of relevant: 'all', 'all but one', ..., 'less than half'."""
    _check(yes, relevant)
    if relevant == 0:
        raise ValueError("no relevant cases: there is no proportion to describe")
    if yes == relevant:
        return "all"
    # 'all but one of two' reads oddly; from three cases up it is how the seeds put it.
    if yes == relevant - 1 and relevant >= 3:
        return "all but one"
    share = Fraction(yes, relevant)
    for lowest, phrase in _BANDS:
        if share >= lowest:
            return phrase
    if share > Fraction(2, 3):
        return "over two-thirds"
    if share == Fraction(2, 3):
        return "two-thirds"  # not in the seeds; 'almost two-thirds' would be wrong here
    if share >= Fraction(60, 100):
        return "almost two-thirds"
    if share > Fraction(1, 2):
        return "just over half"
    if share == Fraction(1, 2):
        return "half"
    return "less than half"


def counts_sentence(yes: int, relevant: int, whole_sample: bool, counted: str = "cases") -> str:
    """Exact counts as the seeds write them.

    `whole_sample` says every case in the sample was relevant to the question (Bexley 2015:
    '9 of the 14 cases'); otherwise the denominator is the relevant cases only (Bedfordshire
    2014: '12 out of 14 relevant cases').
    """
    _check(yes, relevant)
    if relevant == 0:
        return f"no relevant {counted}"
    if relevant == 1:  # '1 out of 1 relevant case', never '... relevant cases'
        one = _ONE.get(counted, counted)
        return f"{yes} of 1 {one}" if whole_sample else f"{yes} out of 1 relevant {one}"
    if whole_sample:
        return f"{yes} of the {relevant} {counted}"
    return f"{yes} out of {relevant} relevant {counted}"


def proportion_phrase(
    yes: int,
    relevant: int,
    whole_sample: bool = False,
    weakness: bool = False,
    counted: str = "cases",
    counts_up_to: int = COUNTS_UP_TO,
) -> str:
    """The noun phrase a report would print for yes out of relevant (spec §6.2 house style).

    Exact counts when `relevant` is at most `counts_up_to` or the finding is a weakness (the
    inspector's call, so the caller says so); a band phrase otherwise, e.g. 'all but one of the
    cases', 'almost all relevant cases', 'just over half of relevant cases'.
    """
    _check(yes, relevant)
    if relevant == 0:
        return f"no relevant {counted}"
    if weakness or relevant <= counts_up_to:
        return counts_sentence(yes, relevant, whole_sample, counted)
    quantifier = band_phrase(yes, relevant)
    if quantifier in {"all", "almost all"}:
        return f"{quantifier} {counted}" if whole_sample else f"{quantifier} relevant {counted}"
    if quantifier == "all but one":
        return f"all but one of the {'' if whole_sample else 'relevant '}{counted}"
    return f"{quantifier} of {'' if whole_sample else 'relevant '}{counted}"
