"""Proportion phrases (legacy spec §6.2) against the seed SQS letters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yjinspect.core.phrases import (
    COUNTS_UP_TO,
    band_phrase,
    counts_sentence,
    proportion_phrase,
)
from yjinspect.frameworks import FrameworkError, get_framework, parse_framework
from yjinspect.frameworks.loader import shipped_framework_paths
from yjinspect.frameworks.schema import ReportPhrases

# (yes, relevant, whole sample?, the seed's wording, where): printed as counts in the seeds.
SEED_COUNTS = [
    (9, 14, True, "9 of the 14 cases", "Bexley 2015 SQS 2.1"),
    (11, 14, True, "11 of the 14 cases", "Bexley 2015 SQS 3.1 (further work in only three)"),
    (8, 13, False, "8 out of 13 relevant cases", "Bexley 2015 SQS 3.2 (13 due, five missing)"),
    (12, 14, False, "12 out of 14 relevant cases", "Bedfordshire 2014 SQS 2.2"),
    (5, 8, False, "5 out of 8 relevant cases", "Bedfordshire 2014 SQS 2.3 ('five out of eight')"),
    (7, 10, False, "7 out of 10 relevant cases", "Bedfordshire 2014 SQS 3.4 ('seven ... ten')"),
    (8, 11, False, "8 out of 11 relevant cases", "Bedfordshire 2014 SQS 4.4"),
]


@pytest.mark.parametrize(("yes", "relevant", "whole", "expected", "where"), SEED_COUNTS)
def test_counts_are_written_in_the_seeds_manner(
    yes: int, relevant: int, whole: bool, expected: str, where: str
) -> None:
    assert counts_sentence(yes, relevant, whole) == expected, where
    # At most 15 relevant cases the house rule always gives the exact count.
    assert proportion_phrase(yes, relevant, whole_sample=whole) == expected, where


# (yes, relevant, quantifier): the seed phrases with a share that fits the spec's table.
SEED_BANDS = [
    (20, 20, "all"),  # Bedfordshire 1.1: all PSRs of good quality
    (19, 20, "all but one"),  # Bedfordshire 2.1 and 4.2: 19/20
    (19, 21, "almost all"),  # 'almost all relevant cases' (4.3), 90-99%
    (17, 20, "the great majority"),  # 80-95% (1.2, 1.4, 3.3)
    (16, 21, "the large majority"),  # 75-90% (3.1, 4.3): 76%
    (14, 20, "over two-thirds"),  # 67-74% (2.3): 70%
    (12, 19, "almost two-thirds"),  # 60-66% (1.3, 3.2): 63%
    (11, 20, "just over half"),  # 51-59% (2.5): 55%
    (10, 20, "half"),
    (9, 20, "less than half"),  # 3.5
]


@pytest.mark.parametrize(("yes", "relevant", "expected"), SEED_BANDS)
def test_band_phrases_fit_the_seed_proportions(yes: int, relevant: int, expected: str) -> None:
    assert band_phrase(yes, relevant) == expected


@pytest.mark.parametrize(
    ("yes", "relevant", "expected"),
    [
        (18, 20, "almost all"),  # exactly 90%
        (16, 20, "the great majority"),  # exactly 80%
        (15, 20, "the large majority"),  # exactly 75%
        (20, 30, "two-thirds"),  # exactly 2/3: 'almost two-thirds' would be wrong
        (21, 30, "over two-thirds"),
        (18, 30, "almost two-thirds"),  # exactly 60%
        (17, 30, "just over half"),
        (1, 2, "half"),  # 'all but one' is kept for three cases or more
        (2, 3, "all but one"),
    ],
)
def test_band_boundaries_are_inclusive_at_the_lower_end(
    yes: int, relevant: int, expected: str
) -> None:
    assert band_phrase(yes, relevant) == expected


def test_above_fifteen_relevant_cases_a_band_phrase_is_used() -> None:
    assert COUNTS_UP_TO == 15
    assert proportion_phrase(15, 15, whole_sample=True) == "15 of the 15 cases"
    assert proportion_phrase(19, 20, whole_sample=True) == "all but one of the cases"
    assert proportion_phrase(19, 20) == "all but one of the relevant cases"
    assert proportion_phrase(20, 20, whole_sample=True) == "all cases"
    assert proportion_phrase(19, 21) == "almost all relevant cases"
    assert proportion_phrase(17, 20, whole_sample=True) == "the great majority of cases"
    assert proportion_phrase(14, 20) == "over two-thirds of relevant cases"
    assert proportion_phrase(11, 20) == "just over half of relevant cases"
    assert proportion_phrase(9, 20) == "less than half of relevant cases"


def test_a_weakness_is_given_as_exact_counts_whatever_the_size() -> None:
    assert proportion_phrase(9, 20, weakness=True) == "9 out of 20 relevant cases"
    assert proportion_phrase(9, 20, whole_sample=True, weakness=True) == "9 of the 20 cases"


def test_what_is_counted_can_be_named() -> None:
    # Bedfordshire's operational management section counts case managers interviewed.
    counted = "case managers interviewed"
    assert counts_sentence(5, 6, True, counted) == "5 of the 6 case managers interviewed"
    assert band_phrase(5, 6) == "all but one"
    assert proportion_phrase(0, 0, counted=counted) == "no relevant case managers interviewed"


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot exceed"):
        counts_sentence(5, 4, False)
    with pytest.raises(ValueError, match="negative"):
        proportion_phrase(-1, 4)
    with pytest.raises(ValueError, match="no relevant cases"):
        band_phrase(0, 0)


ORDER = [
    "less than half", "half", "just over half", "almost two-thirds", "two-thirds",
    "over two-thirds", "the large majority", "the great majority", "almost all",
    "all but one", "all",
]  # fmt: skip


@given(st.integers(min_value=3, max_value=400).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1))
))  # fmt: skip
def test_one_more_yes_never_gives_a_weaker_phrase(case: tuple[int, int]) -> None:
    relevant, yes = case
    before, after = band_phrase(yes, relevant), band_phrase(yes + 1, relevant)
    # 'all but one' sits on a count, not a share, so it may follow 'almost all' or precede it.
    if "all but one" not in (before, after):
        assert ORDER.index(after) >= ORDER.index(before)


def test_one_relevant_case_is_singular() -> None:
    assert counts_sentence(1, 1, False) == "1 out of 1 relevant case"
    assert counts_sentence(0, 1, True) == "0 of 1 case"
    assert counts_sentence(1, 1, False, "case managers interviewed") == (
        "1 out of 1 relevant case manager interviewed"
    )
    assert proportion_phrase(1, 1) == "1 out of 1 relevant case"


# ---------------------------------------------------------------- the letters' own phrase forms

SQS_PHRASES = get_framework("hmip-sqs").report_phrases


@pytest.mark.parametrize(
    ("yes", "relevant", "whole", "expected", "seed"),
    [
        # Bedfordshire 2014 writes small counts in words, larger ones in digits.
        (5, 8, False, "five out of eight relevant cases", "2.3 'five out of eight relevant cases'"),
        (7, 10, False, "seven out of ten relevant cases", "3.4 'seven out of the ten relevant'"),
        (12, 14, False, "12 out of 14 relevant cases", "2.2 '12 out of 14 relevant cases'"),
        (8, 11, False, "8 out of 11 relevant cases", "4.4 '8 out of 11 relevant cases'"),
        (9, 14, True, "9 of the 14 cases", "Bexley 2015 2.1 '9 of the 14 cases'"),
        (0, 8, True, "none of the eight cases", "words for none"),
        # Above 15 relevant cases, the scale: a percentage and a fraction phrase among them.
        (15, 20, True, "75% of cases", "2.4 'effectively managed in 75% of cases'"),
        (16, 20, True, "well over three-quarters of cases", "4.3 'well over three-quarters'"),
        (17, 20, True, "the great majority of cases", "1.2 'the great majority of cases'"),
        (16, 21, True, "the large majority of cases", "3.1 'the large majority of cases'"),
        (19, 21, False, "almost all relevant cases", "4.3 'almost all relevant cases'"),
        (12, 19, True, "almost two-thirds of cases", "1.3 'almost two-thirds of cases'"),
        (14, 20, False, "over two-thirds of relevant cases", "2.3 'over two-thirds of relevant'"),
        (11, 20, False, "just over half of relevant cases", "2.5 'just over half of relevant'"),
        (9, 20, False, "less than half of relevant cases", "3.5 'less than half of relevant'"),
        (19, 20, True, "all but one of the cases", "2.1 'all but one of the cases'"),
    ],
)
def test_the_sqs_framework_words_counts_as_the_letters_do(
    yes: int, relevant: int, whole: bool, expected: str, seed: str
) -> None:
    assert proportion_phrase(yes, relevant, whole_sample=whole, phrases=SQS_PHRASES) == expected, (
        seed
    )


def test_the_default_scale_is_unchanged_for_frameworks_that_give_none() -> None:
    fji = get_framework("hmip-fji").report_phrases
    assert fji == ReportPhrases()
    assert (
        proportion_phrase(15, 20, whole_sample=True, phrases=fji) == "the large majority of cases"
    )
    assert proportion_phrase(5, 8, phrases=fji) == "5 out of 8 relevant cases"


def test_a_scale_with_a_gap_or_a_bad_template_is_refused_by_line() -> None:
    text = shipped_framework_paths()["hmip-sqs"].read_text(encoding="utf-8")
    gap = text.replace('    - {at_least: "0", phrase: less than half}\n', "")
    with pytest.raises(
        FrameworkError, match=r"report_phrases.scale: the last band must be 'at_least: 0'"
    ):
        parse_framework(gap, "sqs.yaml")
    bad = text.replace('phrase: "{percent}%"', 'phrase: "{share}%"')
    with pytest.raises(
        FrameworkError,
        match=r"sqs.yaml:\d+: report_phrases.scale\[3\].phrase: unknown placeholder \{share\}",
    ):
        parse_framework(bad, "sqs.yaml")
    two = text.replace("{exactly: 3/4, phrase:", "{exactly: 3/4, above: 1/2, phrase:")
    with pytest.raises(FrameworkError, match="give exactly one of at_least, above or exactly"):
        parse_framework(two, "sqs.yaml")
    share = text.replace("{at_least: 9/10,", "{at_least: 9/0,")
    with pytest.raises(FrameworkError, match="'9/0' is not a share"):
        parse_framework(share, "sqs.yaml")
