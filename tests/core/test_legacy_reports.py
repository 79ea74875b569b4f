"""The earlier programmes' report content (SQS letter, FJI report) and the SQS demo answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yjinspect.core.legacy import (
    AreaRating,
    ItemCounts,
    OptionCounts,
    WordOverride,
    rate_areas,
    tally_items,
)
from yjinspect.core.ratings import Counts
from yjinspect.demo import legacy as demo
from yjinspect.frameworks import Framework, get_framework
from yjinspect.reports.charts import CountBar, answer_counts_chart
from yjinspect.reports.legacy import (
    LetterFacts,
    PlaceholderError,
    fill_counts,
    fji_report,
    group_recommendations,
    item_phrases,
    reoffending_sentence,
    sqs_letter,
    unknown_placeholders,
)

SQS = get_framework("hmip-sqs")
FJI = get_framework("hmip-fji")


def demo_rating() -> AreaRating:
    refs = [f"C{i:02d}" for i in range(demo.SAMPLED)]
    answers = demo.demo_answers(SQS, refs)
    triples = [
        (ref, item, value) for ref, items in answers.items() for item, value in items.items()
    ]
    return rate_areas(SQS, tally_items(SQS, triples), sample_size=demo.SAMPLED)


def test_the_demo_answers_give_the_counts_they_promise() -> None:
    rating = demo_rating()
    pp01 = rating.area("PP").item("PP-01")
    assert (pp01.yes, pp01.no, pp01.na) == demo.SCORED["PP-01"]
    for item_id, (yes, no, na) in demo.SCORED.items():
        area = rating.area(SQS.item(item_id).area)
        got = area.item(item_id)
        assert (got.yes, got.no, got.na) == (yes, no, na), item_id
    assert rating.area("OM").item("OM-06").phrase == "five of the eight case managers interviewed"


def test_placeholders_become_the_seeds_counts_and_unknown_ones_are_refused() -> None:
    phrases = item_phrases(demo_rating())
    assert fill_counts("in {PP-01} we looked at", phrases) == "in 9 of the 14 cases we looked at"
    assert fill_counts("good in {RR-02}", phrases) == "good in nine out of ten relevant cases"
    with pytest.raises(PlaceholderError, match="PP-99"):
        fill_counts("{PP-99}", phrases)
    assert unknown_placeholders("{PP-01} and {XX-1} and {RR-01}", set(phrases)) == [
        "RR-01",  # a recorded question: it has options, not a count
        "XX-1",
    ]
    assert fill_counts("no braces here", phrases) == "no braces here"


def test_reoffending_sentence_compares_lower_as_better() -> None:
    facts = LetterFacts(
        "Testshire YOT",
        dt.date(2015, 6, 8),
        reoffending_rate=Decimal("31.4"),
        previous_rate=Decimal("33.0"),
        average_rate=Decimal("36.1"),
    )
    assert reoffending_sentence(facts) == (
        "The published reoffending rate for Testshire YOT was 31.4%. This was better than the "
        "previous year and better than the England and Wales average of 36.1%."
    )
    worse = LetterFacts("T", dt.date(2015, 6, 8), reoffending_rate=Decimal("40"),
                        average_rate=Decimal("36.1"))  # fmt: skip
    assert reoffending_sentence(worse).endswith(
        "worse than the England and Wales average of 36.1%."
    )
    assert reoffending_sentence(LetterFacts("T", dt.date(2015, 6, 8))) == ""


def test_the_letter_numbers_its_areas_and_keeps_operational_management_apart() -> None:
    rating = demo_rating()
    facts = LetterFacts(
        demo.SERVICE_NAME,
        demo.FIELDWORK_START,
        demo.FIELDWORK_END,
        cohort_footnote="Cohort note",
        reoffending_rate=Decimal("30.2"),
    )
    letter = sqs_letter(SQS, rating, facts, demo.TEXTS)
    assert [(a.number, a.id) for a in letter.areas] == [(1, "RR"), (2, "PP"), (3, "PC"), (4, "SS")]
    assert letter.management is not None and letter.management.id == "OM"
    assert "8–10 June 2015" in letter.opening
    assert "We looked at 14 cases" in letter.context
    pp = letter.areas[1]
    assert "well enough in 9 of the 14 cases we looked at" in pp.blocks[0].text
    assert next(c for c in pp.counts if c.item_id == "PP-01").phrase == "9 of the 14 cases"
    assert "For comparison with later inspections only" in pp.pooled_note
    assert letter.strengths[0].startswith("Case managers understood")
    assert letter.footnote == "Cohort note"


def test_fji_report_judgements_scores_recommendations_and_charts() -> None:
    counts: dict[str, ItemCounts] = {
        i.id: Counts(13, 21, 0) for i in FJI.items if i.area == "RR" and i.kind == "scored"
    }
    counts["RR-01"] = OptionCounts({"yes": 30, "no": 4})
    rating = rate_areas(
        FJI,
        counts,
        word_overrides={"RR": WordOverride("Unsatisfactory", "Strong court work")},
        judged_words={"GOV": WordOverride("Poor", "Boards did not meet")},
        sample_size=34,
    )
    report = fji_report(
        FJI,
        rating,
        "Testshire YOS",
        {"area:RR": "Reoffending work was weak.", "findings:RR": "- Plans were not reviewed"},
        [("Chair of the Board", "a"), ("Head of Service", "b"), ("Chair of the Board", "c")],
    )
    judgements = {j.id: (j.word, j.chosen) for j in report.key_judgements}
    assert judgements["RR"] == ("Unsatisfactory", True)
    assert judgements["GOV"] == ("Poor", False)
    rr = report.themes[0]
    assert rr.score_sentence == (
        "Within the case assessment, overall 38% of work to reduce reoffending was done well "
        "enough."
    )
    assert rr.summary[0].text == "Reoffending work was weak."
    assert rr.findings[0].kind == "bullets"
    first = rr.chart_rows[0]
    assert (first.item_id, first.yes, first.no, first.na) == ("RR-02", 13, 21, 0)
    assert "34 cases were inspected" in rr.chart_note
    gov = next(t for t in report.themes if t.id == "GOV")
    assert gov.score_sentence == "" and gov.chart_svg == ""  # judged: no case score, no chart
    assert [(g.lead_in, g.items) for g in report.recommendations] == [
        ("The Chair of the Board should ensure that:", ("a", "c")),
        ("The Head of Service should ensure that:", ("b",)),
    ]
    assert group_recommendations([("The YOS board", "x")])[0].lead_in == (
        "The YOS board should ensure that:"
    )


def test_the_data_summary_chart_has_a_text_alternative_and_counts_in_words() -> None:
    # The FJI data summary is the same chart as the current report's case-data summary.
    svg = answer_counts_chart(
        "chart-RR",
        "Data summary: Reducing reoffending",
        "RR-02: 13 yes, 21 no",
        [CountBar("RR-02", 13, 21, 0), CountBar("RR-03", 5, 2, 27)],
        "Yes",
        "No",
        "n/a",
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg and 'aria-labelledby="chart-RR-title chart-RR-desc"' in svg
    assert '<desc id="chart-RR-desc">RR-02: 13 yes, 21 no</desc>' in svg
    # Each segment prints its count; a not-applicable count is printed after its bar only.
    assert ">13</text>" in svg and ">21</text>" in svg and ">5</text>" in svg
    assert svg.count('class="yj-na"') == 1 and ">27 n/a</text>" in svg
    assert svg.count('class="yj-bar yj-bar--yes"') == 2
    # Without the n/a label (the current report) nothing about not-applicable is drawn.
    plain = answer_counts_chart("c", "t", "d", [CountBar("RR-03", 5, 2, 27)], "Yes", "No")
    assert "yj-na" not in plain and "27" not in plain


CCI = get_framework("hmip-cci")


def _pooled(
    areas: set[str], yes: int, no: int, framework: Framework = FJI
) -> dict[str, ItemCounts]:
    return {
        i.id: Counts(yes, no, 0) for i in framework.items if i.area in areas and i.kind == "scored"
    }


def test_each_fji_theme_opens_its_summary_with_the_seeds_sentence_from_its_word() -> None:
    """Bromley 2015: 'Overall work to reduce reoffending was poor.' and so on, per theme."""
    counts = _pooled({"RR", "PP"}, 13, 21) | _pooled({"PC"}, 19, 15) | _pooled({"SS"}, 22, 12)
    rating = rate_areas(
        FJI,
        counts,
        judged_words={"GOV": WordOverride("Poor", "Boards did not meet")},
        sample_size=34,
    )
    report = fji_report(FJI, rating, "Bromley YOS", {}, [])
    sentences = {t.id: t.summary_sentence for t in report.themes}
    assert sentences == {
        "RR": "Overall work to reduce reoffending was poor.",
        "PP": "Overall work to protect the public and actual or potential victims was poor.",
        "PC": (
            "Overall work to protect children and young people and reduce their vulnerability "
            "was unsatisfactory."
        ),
        "SS": "Overall work to ensure that the sentence was served was satisfactory.",
        "GOV": "Overall, the effectiveness of governance and partnership arrangements was poor.",
    }
    # No word yet, no sentence: the sentence is made from the word, never invented.
    unjudged = fji_report(FJI, rate_areas(FJI, counts, sample_size=34), "Bromley YOS", {}, [])
    assert next(t for t in unjudged.themes if t.id == "GOV").summary_sentence == ""


def test_the_core_case_inspection_compares_each_score_with_the_average_given() -> None:
    """Bexley's CCI scores were 'below average' (seed 001): each headline beside the average
    entered for the report, compared on the published figure."""
    counts = (
        _pooled({"SG"}, 13, 7, CCI) | _pooled({"ROH"}, 51, 49, CCI) | _pooled({"LOR"}, 3, 2, CCI)
    )
    rating = rate_areas(CCI, counts, sample_size=38)
    averages = {"SG": Decimal("70"), "ROH": Decimal("51"), "LOR": Decimal("58.5")}
    report = fji_report(CCI, rating, "Bexley YOT", {}, [], averages=averages)
    by_id = {t.id: t for t in report.themes}
    assert by_id["SG"].score_sentence == "'Safeguarding' work was done well enough 65% of the time."
    assert by_id["SG"].comparison == "This was below the average of 70%."
    assert by_id["ROH"].comparison == "This was the same as the average of 51%."
    assert by_id["LOR"].comparison == "This was above the average of 58.5%."  # 60% published
    plain = fji_report(CCI, rating, "Bexley YOT", {}, [])
    assert all(t.comparison == "" for t in plain.themes)  # no average given, no comparison
    # The FJI has no such sentences: an average given to it says nothing.
    assert all(
        t.comparison == ""
        for t in fji_report(
            FJI, rate_areas(FJI, {}), "x", {}, [], averages={"RR": Decimal(50)}
        ).themes
    )
