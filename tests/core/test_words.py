"""The core's words go through the translator a host installs, and stay English without one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yjinspect.core import words
from yjinspect.core.legacy import Counts as LegacyCounts
from yjinspect.core.legacy import rate_areas
from yjinspect.core.ratings import Counts, RatingInputs, rate
from yjinspect.core.sampling import size_basis
from yjinspect.frameworks import get_framework

FW = get_framework("hmip-youth-2021")
LENSES = ("desistance", "child_safety", "others_safety")
EXPLANATION = "%(id)s %(rating)s: lowest key question %(kq)s %(percent)s (%(yes)s/%(applicable)s) "
EXPLANATION += "is in the %(range)s band"


def _inputs() -> RatingInputs:
    """2.2 with 5/9 on its lowest key question: Requires improvement, one Yes from Good."""
    counts = {
        f"2.2.{lens}": Counts(yes, 9 - yes) for lens, yes in zip(LENSES, (8, 6, 5), strict=True)
    }
    return RatingInputs(counts=counts)


@pytest.fixture
def english() -> Iterator[None]:
    """No translator at all (as in the CLI), whatever an earlier test or Django installed."""
    previous = words.install(*words.Translator())
    yield
    words.restore(previous)


@pytest.fixture
def fake() -> Iterator[dict[str, str]]:
    """A translator that knows a few messages; puts the previous one back afterwards."""
    catalogue: dict[str, str] = {
        EXPLANATION: "[%(id)s] %(rating)s / %(kq)s / %(percent)s / %(range)s",
        "one more Yes": "ONE-MORE-YES",
        "%(needs)s would make it %(rating)s": "%(rating)s <- %(needs)s",
        "%(low)s%% or more": "%(low)s%%+",
    }

    def plural(singular: str, plural_: str, n: int) -> str:
        return catalogue.get(singular if n == 1 else plural_, singular if n == 1 else plural_)

    previous = words.install(
        lambda m: catalogue.get(m, m), plural, lambda text: {"Good": "GOOD"}.get(text, text)
    )
    yield catalogue
    words.restore(previous)


def test_without_a_translator_the_sentences_are_english(english: None) -> None:
    s = rate(FW, _inputs()).standard("2.2")
    assert s.explanation == (
        "2.2 Requires improvement: lowest key question 2.2.others_safety 56% (5/9) "
        "is in the 50–64% band"
    )
    assert s.next_band == "one more Yes on 2.2.others_safety would make it Good"
    assert words.gettext("anything") == "anything"
    assert words.ngettext("a case", "cases", 2) == "cases"
    assert words.wording("Good") == "Good"


def test_an_installed_translator_words_the_explanation(fake: dict[str, str]) -> None:
    s = rate(FW, _inputs()).standard("2.2")
    assert s.explanation == ("[2.2] Requires improvement / 2.2.others_safety / 56% / 50–64%")
    # ngettext for the count, the framework's label through the wording function.
    assert s.next_band == "GOOD <- ONE-MORE-YES on 2.2.others_safety"


def test_an_installed_translator_reaches_the_overall_legacy_and_sample_words(
    fake: dict[str, str],
) -> None:
    fake["no eligible cases, so nothing to sample"] = "NOTHING"
    fake[
        "No overall rating: scored standard(s) %(ids)s not rated (%(points)s points from the others)"
    ] = "NO-OVERALL %(ids)s"
    fake["%(id)s: no applicable answers yet"] = "%(id)s: NONE"
    assert rate(FW, _inputs()).overall_explanation.startswith("NO-OVERALL ")
    assert size_basis(0, FW.sampling).explain() == "NOTHING"
    sqs = get_framework("hmip-sqs")
    area = rate_areas(sqs, {item: LegacyCounts() for item in sqs.areas[0].items}).areas[0]
    assert area.explanation == f"{area.id}: NONE"


def test_restore_puts_english_back(fake: dict[str, str]) -> None:
    words.restore(words.Translator())
    assert rate(FW, _inputs()).standard("2.2").next_band == (
        "one more Yes on 2.2.others_safety would make it Good"
    )
