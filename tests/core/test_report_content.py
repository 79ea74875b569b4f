"""The report's content on the Bexley 2024 figures (examples/), and its SVG chart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from yjinspect.core.rating_files import read_answers, read_judgements
from yjinspect.core.ratings import RatingInputs, rate
from yjinspect.frameworks import get_framework
from yjinspect.reports.charts import Bar, bands_from, key_question_chart
from yjinspect.reports.content import (
    InspectionFacts,
    Report,
    StandardText,
    build_report,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BANDING = (
    "The rating for the standard is driven by the lowest score on each of the key questions, "
    "which is placed in a rating band, indicated in bold in the table."
)


@pytest.fixture(scope="module")
def report() -> Report:
    fw = get_framework("hmip-youth-2021")
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", fw)
    result = rate(
        fw,
        RatingInputs(
            counts, judgements, discretion, {"court": 9, "out_of_court": 14, "resettlement": 0}
        ),
    )
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        window_start=dt.date(2023, 4, 10),
        window_end=dt.date(2024, 2, 2),
        interviews=23,
        cases_by_domain={"court": 9, "out_of_court": 14},
        texts={"1.1": StandardText(("Strong board",), ("Victim offer",))},
    )
    return build_report(fw, result, facts)


def test_title_score_and_overall(report: Report) -> None:
    assert report.title == "An inspection of youth justice services in Bexley"
    assert report.month_year == "April 2024"
    assert report.service_label == "Bexley YJS"
    assert report.score == 27 and report.score_text == "Score 27/36"
    assert report.overall_rating == "Good"


def test_ratings_table_stars_and_unrated_resettlement(report: Report) -> None:
    standards = {r.id: r for r in report.ratings if r.kind == "standard"}
    assert list(standards) == [f"{d}.{s}" for d in (1, 2, 3) for s in (1, 2, 3, 4)]
    assert {sid for sid, r in standards.items() if r.outstanding} == {"1.2", "1.4", "2.3", "3.3"}
    assert standards["2.2"].rating == "Requires improvement"
    assert "4" not in {r.id for r in report.ratings if r.kind == "domain"}
    assert report.ratings_notes == (
        "4.1 Resettlement policy and provision was not rated: "
        "no resettlement cases in the inspection timescale.",
    )


def test_bold_row_is_the_lowest(report: Report) -> None:
    for domain in report.domains:
        for std in domain.standards:
            if not std.case_based:
                continue
            values = [int(kq.percent.rstrip("%")) for kq in std.key_questions]
            bold = [kq for kq in std.key_questions if kq.bold]
            assert len(bold) == 1
            assert int(bold[0].percent.rstrip("%")) == min(values)
    rows = report.standard("2.2").key_questions
    assert [(kq.percent, kq.bold) for kq in rows] == [("89%", False), ("67%", False), ("56%", True)]
    assert report.standard("2.2").intro == (
        "Our rating for planning is based on the following key questions:"
    )


def test_discretion_footnotes_in_the_seed_wording(report: Report) -> None:
    texts = [f.text for f in report.footnotes if f.text.startswith("Professional discretion")]
    assert texts == [
        "Professional discretion was used to increase the rating for implementation and delivery "
        "from Good to Outstanding following the consideration of all evidence.",
        "Professional discretion was used to increase the rating for planning "
        "from Requires improvement to Good following the consideration of all evidence.",
        "Professional discretion was used to increase the rating for implementation and delivery "
        "from Good to Outstanding following the consideration of all evidence.",
    ]
    # Each is attached to the driving (bold) row of its standard, and numbering is continuous.
    for sid in ("2.3", "3.2", "3.3"):
        std = report.standard(sid)
        marked = [kq for kq in std.key_questions if kq.footnotes]
        assert len(marked) == 1 and marked[0].bold
        assert marked[0].id == f"{sid}.others_safety"
        assert std.footnotes == (std.intro_footnote, marked[0].footnotes[0])
    numbers = [f.number for f in report.footnotes]
    assert numbers == list(range(1, len(numbers) + 1))
    assert sum(f.text == BANDING for f in report.footnotes) == 7


def test_judgement_standards_and_background(report: Report) -> None:
    gov = report.standard("1.1")
    assert not gov.case_based and gov.key_questions == ()
    assert [w.text for w in gov.strengths] == ["Strong board"]
    assert [w.text for w in gov.areas] == ["Victim offer"]
    assert report.standard("4.1").rating == "Not rated"
    assert "We also conducted 23 interviews with case managers." in report.background
    assert any("10 April 2023 and 2 February 2024" in s for s in report.background)


def test_annex_lists_every_key_question_with_interval(report: Report) -> None:
    rows = {r.id: r for r in report.annex.key_questions}
    assert len(rows) == 21
    row = rows["3.2.others_safety"]
    assert (row.yes, row.applicable, row.percent) == (9, 14, "64%")
    assert re.fullmatch(r"\d+%–\d+%", row.interval)
    assert report.annex.confidence == "95%"


def test_domain_chart_has_text_alternative_and_one_bar_per_key_question(report: Report) -> None:
    charts = [d.chart for d in report.domains if d.chart is not None]
    assert len(charts) == 2  # court and out-of-court; judgement-only domains have none
    court = charts[0]
    assert re.search(r"<title id=\"chart-2-title\">[^<]+</title>", court.svg)
    assert "<desc" in court.svg and "2.2 Planning, Keeping other people safe: 56%" in court.svg
    assert court.svg.count('class="yj-bar"') == 12 == len(court.rows)
    assert court.svg.count('class="yj-band"') == 4


def test_chart_bands_follow_the_framework_and_escape_text() -> None:
    fw = get_framework("hmip-youth-2021")
    bands = bands_from(fw)
    assert [(b.label, b.low, b.high) for b in bands] == [
        ("Outstanding", 80, 100),
        ("Good", 65, 80),
        ("Requires improvement", 50, 65),
        ("Inadequate", 0, 50),
    ]
    svg = key_question_chart(
        "c", "A <b> & title", "desc", [Bar("x", 50.0, "50%"), Bar("y", None, "n/a")], bands
    )
    assert '<title id="c-title">A &lt;b&gt; &amp; title</title>' in svg
    assert svg.count('class="yj-bar"') == 1


def test_a_domain_counts_only_the_meetings_held_for_its_standards() -> None:
    fw = get_framework("hmip-youth-2021")
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", fw)
    result = rate(fw, RatingInputs(counts, judgements, discretion, {"court": 9}))
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        meetings={"1.1": 2, "1.3": 1, "3.4": 1},  # 3.4 is domain three's; none for 4.1
    )
    intros = {d.id: d.intro for d in build_report(fw, result, facts).domains}
    assert intros["1"] == (
        "We reviewed written evidence submitted in advance by the YJS and conducted 3 meetings."
    )
    assert "meeting" not in intros["3"] and intros.get("4", "") == ""
    one = InspectionFacts(
        service_name="X", fieldwork_start=dt.date(2024, 4, 8), meetings={"1.2": 1}
    )
    assert build_report(fw, result, one).domains[0].intro.endswith("conducted 1 meeting.")


def test_acknowledgements_name_the_lead_and_come_first_in_the_contents(report: Report) -> None:
    assert report.acknowledgements == ""  # no name given: no section, and not in the contents
    assert "acknowledgements" not in {c.anchor for c in report.contents}
    fw = get_framework("hmip-youth-2021")
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    result = rate(fw, RatingInputs(counts))
    named = build_report(
        fw,
        result,
        InspectionFacts(
            service_name="Bexley YJS", fieldwork_start=dt.date(2024, 4, 8), lead_name="Sam Lee"
        ),
    )
    assert named.acknowledgements.startswith("This inspection was led by Sam Lee, with a team")
    assert named.contents[0].anchor == "acknowledgements"


def test_the_background_does_not_count_practice_examples(report: Report) -> None:
    assert not any("examples of practice" in line for line in report.background)
