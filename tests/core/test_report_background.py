"""The report's background: outcome indicators beside England and Wales with numbered footnotes,
and the sample worded naturally (plurals included) there and in each domain's introduction."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from yjinspect.core.indicators import Comparison, IndicatorResult, Period
from yjinspect.core.rating_files import read_answers, read_judgements
from yjinspect.core.ratings import InspectionRating, RatingInputs, rate
from yjinspect.frameworks import get_framework
from yjinspect.frameworks.schema import Framework
from yjinspect.reports.content import (
    CompositionRow,
    InspectionFacts,
    OutcomeIndicators,
    Report,
    build_report,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
YEAR = Period(dt.date(2023, 4, 1), dt.date(2024, 3, 31))
COHORT = Period(dt.date(2022, 1, 1), dt.date(2022, 12, 31))


@pytest.fixture(scope="module")
def framework() -> Framework:
    return get_framework("hmip-youth-2021")


@pytest.fixture(scope="module")
def result(framework: Framework) -> InspectionRating:
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", framework)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", framework)
    return rate(
        framework,
        RatingInputs(
            counts, judgements, discretion, {"court": 9, "out_of_court": 14, "resettlement": 0}
        ),
    )


def _result(
    key: str,
    numerator: int,
    denominator: int,
    value: Fraction | None,
    places: int,
    period: Period,
    national: str | None,
) -> IndicatorResult:
    base = IndicatorResult(
        key=key,
        name=key,
        numerator=numerator,
        denominator=denominator,
        value=value,
        places=places,
        unit="unit",
        rule="rule",
        period=period,
    )
    if national is None or base.rounded is None:
        return base
    difference = base.rounded - Decimal(national)
    verdict = "same" if difference == 0 else "better" if difference < 0 else "worse"
    return IndicatorResult(
        **{**base.__dict__, "comparison": Comparison(Decimal(national), difference, verdict)}  # type: ignore[arg-type]
    )


def indicators(
    fte_national: str | None = "180.2", source: str = "Youth justice statistics 2023 to 2024"
) -> OutcomeIndicators:
    """12 first-time entrants and 3 custodial sentences in 20,000 children; 7 of 40 reoffended."""
    return OutcomeIndicators(
        (
            _result("fte", 12, 20_000, Fraction(12 * 100_000, 20_000), 1, YEAR, fte_national),
            _result("custody", 3, 20_000, Fraction(3 * 1_000, 20_000), 2, YEAR, "0.15"),
            _result("reoffending", 7, 40, Fraction(7 * 100, 40), 1, COHORT, "2E+1"),
            _result("frequency_per_offender", 9, 40, Fraction(9, 40), 2, COHORT, None),
        ),
        follow_up_months=12,
        waiting_months=6,
        comparator_source=source,
    )


def _report(framework: Framework, result: InspectionRating, **facts: object) -> Report:
    values: dict[str, object] = {
        "service_name": "Bexley YJS",
        "fieldwork_start": dt.date(2024, 4, 8),
        "cases_by_domain": {"court": 9, "out_of_court": 14},
        **facts,
    }
    return build_report(framework, result, InspectionFacts(**values))  # type: ignore[arg-type]


def test_indicators_stand_beside_england_and_wales_in_the_seeds_order(
    framework: Framework, result: InspectionRating
) -> None:
    report = _report(framework, result, indicators=indicators())
    assert [s.key for s in report.outcomes] == ["fte", "reoffending", "custody"]
    fte, reoffending, custody = report.outcomes
    assert fte.text == (
        "The rate of first-time entrants to the youth justice system in Bexley was 60.0 per "
        "100,000 children aged 10 to 17."
    )
    assert fte.after == "This was lower than the England and Wales figure of 180.2 per 100,000."
    assert reoffending.text == (
        "The binary proven reoffending rate in Bexley was 17.5%: 7 of the 40 children in the "
        "cohort were proven to have reoffended."
    )
    # A comparator typed as 2E+1 is written out as digits.
    assert reoffending.after == "This was lower than the England and Wales figure of 20%."
    assert custody.text == (
        "The use of custody in Bexley was 0.15 custodial sentences per 1,000 children aged 10 "
        "to 17."
    )
    assert custody.after == "This was the same as the England and Wales figure of 0.15 per 1,000."


def test_each_indicator_has_a_footnote_with_its_period_and_cohort(
    framework: Framework, result: InspectionRating
) -> None:
    report = _report(framework, result, indicators=indicators())
    notes = {n.number: n.text for n in report.background_footnotes}
    assert [s.footnote.number for s in report.outcomes] == [1, 2, 3] == list(notes)
    assert [s.footnote for s in report.outcomes] == list(report.background_footnotes)
    assert notes[1].startswith(
        "First-time entrants from 1 April 2023 to 31 March 2024: 12 children received their "
        "first caution or conviction, out of 20,000 children aged 10 to 17"
    )
    assert "from 1 January 2022 to 31 December 2022, each followed for 12 months" in notes[2]
    assert "proven within a further 6 months" in notes[2]
    assert notes[3].startswith("Custodial sentences from 1 April 2023 to 31 March 2024: 3,")
    for text in notes.values():
        assert "Calculated by the service from its own records." in text
        assert text.endswith("England and Wales figure: Youth justice statistics 2023 to 2024.")


def test_background_notes_come_first_and_the_standards_number_on(
    framework: Framework, result: InspectionRating
) -> None:
    plain = _report(framework, result)
    report = _report(framework, result, indicators=indicators())
    numbers = [f.number for f in report.footnotes]
    assert numbers == list(range(1, len(plain.footnotes) + 4))
    assert report.footnotes[3:] == tuple(type(f)(f.number + 3, f.text) for f in plain.footnotes)
    moved, first = report.standard("2.1").intro_footnote, plain.standard("2.1").intro_footnote
    assert moved is not None and first is not None and moved.number == first.number + 3


def test_no_comparator_no_comparison_and_an_empty_cohort_is_left_out(
    framework: Framework, result: InspectionRating
) -> None:
    base = indicators(fte_national=None, source="")
    empty_cohort = OutcomeIndicators(
        tuple(
            _result("reoffending", 0, 0, None, 1, COHORT, None) if r.key == "reoffending" else r
            for r in base.results
        ),
        12,
        6,
    )
    report = _report(framework, result, indicators=empty_cohort)
    assert [s.key for s in report.outcomes] == ["fte", "custody"]
    assert report.outcomes[0].after == ""
    assert [n.number for n in report.background_footnotes] == [1, 2]
    assert "England and Wales figure:" not in report.background_footnotes[0].text


def test_without_indicators_the_background_has_no_figures(
    framework: Framework, result: InspectionRating
) -> None:
    report = _report(framework, result)
    assert report.outcomes == () and report.background_footnotes == ()
    assert report.footnotes[0].number == 1


def test_the_sample_is_worded_naturally_with_plurals(
    framework: Framework, result: InspectionRating
) -> None:
    report = _report(framework, result, cases_by_domain={"court": 40, "out_of_court": 30})
    assert "We inspected 40 court disposals and 30 out-of-court disposals." in report.background
    one = _report(framework, result, cases_by_domain={"out_of_court": 1, "court": 1})
    assert "We inspected 1 court disposal and 1 out-of-court disposal." in one.background
    three = _report(
        framework, result, cases_by_domain={"resettlement": 2, "court": 5, "out_of_court": 4}
    )
    assert (
        "We inspected 5 court disposals, 4 out-of-court disposals and 2 resettlement cases."
        in three.background
    )
    assert not any("sample held" in s for s in three.background)


def test_domain_intro_lists_the_disposals_with_plurals(
    framework: Framework, result: InspectionRating
) -> None:
    composition = (
        CompositionRow("court", "detention_and_training_order", 6, 8),
        CompositionRow("court", "other_court", 3, 3),
        CompositionRow("court", "referral_order", 30, 70),
        CompositionRow("court", "youth_rehabilitation_order", 1, 5),
        CompositionRow("court", "reparation_order", 0, 2),  # listed, none sampled
        CompositionRow("out_of_court", "youth_caution", 1, 4),
    )
    report = _report(
        framework,
        result,
        cases_by_domain={"court": 40, "out_of_court": 1},
        composition=composition,
    )
    intros = {d.id: d.intro for d in report.domains}
    assert intros["2"] == (
        "We looked closely at 40 court disposals: 6 detention and training orders, 3 other "
        "court orders, 30 referral orders and 1 youth rehabilitation order."
    )
    assert intros["3"] == "We looked closely at 1 out-of-court disposal: 1 youth caution."


def test_wording_goes_through_the_translation_callables(
    framework: Framework, result: InspectionRating
) -> None:
    """Singular and plural reach `ngettext` as pairs, and the joins and figures reach `gettext`,
    so the Welsh catalogue can word them all."""
    plurals: list[tuple[str, str, int]] = []

    def ngettext(singular: str, plural: str, n: int) -> str:
        plurals.append((singular, plural, n))
        return "[" + (singular if n == 1 else plural) + "]"

    def gettext(text: str) -> str:
        return re.sub(r"\band\b", "a", text).replace("lower than", "yn is na")

    report = build_report(
        framework,
        result,
        InspectionFacts(
            service_name="Bexley YJS",
            fieldwork_start=dt.date(2024, 4, 8),
            cases_by_domain={"court": 2, "out_of_court": 1},
            composition=(CompositionRow("court", "referral_order", 2, 2),),
            indicators=indicators(),
        ),
        gettext,
        ngettext=ngettext,
    )
    assert ("%(n)s court disposal", "%(n)s court disposals", 2) in plurals
    assert ("%(n)s referral order", "%(n)s referral orders", 2) in plurals
    assert "We inspected [2 court disposals] a [1 out-of-court disposal]." in report.background
    assert (
        report.domains[1].intro == "We looked closely at [2 court disposals]: [2 referral orders]."
    )
    assert report.outcomes[0].after.startswith("This was yn is na the Engl")
