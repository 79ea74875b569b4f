"""The report's content on the Bexley 2024 figures (examples/), and its SVG chart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from yjinspect.core.rating_files import read_answers, read_judgements
from yjinspect.core.ratings import RatingInputs, rate
from yjinspect.frameworks import Framework, get_framework, parse_framework
from yjinspect.frameworks.loader import shipped_framework_paths
from yjinspect.reports.charts import Bar, bands_from, key_question_chart
from yjinspect.reports.content import (
    InspectionFacts,
    Passage,
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
        interviews_by_domain={"court": 9, "out_of_court": 14},
        cases_by_domain={"court": 9, "out_of_court": 14},
        texts={
            "1.1": StandardText(("Strong board",), ("Victim offer",)),
            "3.4": StandardText(("Clear policy",)),
            "4.1": StandardText(("Use of custody minimised",)),
        },
    )
    return build_report(fw, result, facts)


def without_sentences(framework_id: str = "hmip-youth-2021") -> Framework:
    """The shipped framework as version 1 was: the same rules, no report sentences."""
    text = shipped_framework_paths()[framework_id].read_text(encoding="utf-8")
    text = text.split("\nreport_sentences:")[0].replace(
        "version: 2\nsame_rules_since: 1\n", "version: 1\n"
    )
    return parse_framework(text, "v1")


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


# ---------------------------------------------------------------- the fixed parts (seed 004)


def _text(passage: Passage) -> str:
    return "\n\n".join(
        block.text if block.kind == "paragraph" else "\n".join(f"- {i.text}" for i in block.items)
        for block in passage.blocks
    )


def test_the_inspectorates_own_page_licence_publisher_and_copyright(report: Report) -> None:
    assert report.about_heading == "The role of HM Inspectorate of Probation"
    about = _text(report.about)
    assert about.startswith(
        "HM Inspectorate of Probation is the independent inspector of youth justice and "
        "probation services in England and Wales. We report on the effectiveness of probation "
        "and youth justice service work with adults and children."
    )
    assert "\n\nWe inspect these services and publish inspection reports.\n\n" in about
    assert about.endswith("We are independent of government and speak independently.")
    assert _text(report.licence).startswith(
        "You may re-use this information (excluding logos) free of charge in any format or "
        "medium, under the terms of the Open Government Licence."
    )
    assert _text(report.publisher).startswith(
        "Published by:\n\nHM Inspectorate of Probation 1st Floor Civil Justice Centre 1 Bridge "
        "Street West Manchester M3 3FX"
    )
    assert report.copyright == "© Crown copyright 2024"  # the fieldwork's year until published


def test_further_information_lists_what_is_published_and_this_reports_annex(
    report: Report,
) -> None:
    assert _text(report.further_information) == (
        "The following can be found on our website:\n\n"
        "- inspection data, including methodology and contextual facts about the YJS\n"
        "- a glossary of terms used in this report."
    )
    assert [e.anchor for e in report.annexes] == ["annex-sample", "annex-key-questions"]
    assert [c.anchor for c in report.contents][-2:] == ["further-information", "annex"]


def test_the_lead_ins_evidence_sentences_and_interviews_in_the_seeds_words(
    report: Report,
) -> None:
    domains = {d.id: d for d in report.domains}
    assert (
        domains["1"].findings_lead_in
        == "Key findings about organisational delivery were as follows."
    )
    assert all(domains[d].findings_lead_in == "" for d in ("2", "3", "4"))
    assert report.standard("3.4").evidence == (
        "We also inspected the quality of policy and provision in place for out-of-court "
        "disposals, using evidence from documents, meetings, and interviews. Our key findings "
        "were as follows:"
    )
    assert report.standard("4.1").evidence == (
        "We inspected the quality of policy and provision in place for resettlement work, using "
        "evidence from documents, meetings, and interviews. This standard has not been rated "
        "because there were no resettlement cases that fell within the inspection timescale."
    )
    assert report.standard("4.1").not_rated_text == ""  # said once, within the evidence
    assert domains["2"].intro.endswith("We interviewed the case managers in all cases.")
    assert domains["3"].intro.endswith("We interviewed the case managers in all cases.")


def test_some_case_managers_interviewed_and_none() -> None:
    fw = get_framework("hmip-youth-2021")
    result = rate(fw, RatingInputs(read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)))
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        cases_by_domain={"court": 9, "out_of_court": 14},
        interviews_by_domain={"court": 6},
    )
    intros = {d.id: d.intro for d in build_report(fw, result, facts).domains}
    assert intros["2"].endswith("We interviewed the case managers in 6 of the 9 cases.")
    assert "interviewed" not in intros["3"]


def test_a_framework_without_sentences_prints_our_own_neutral_wording_and_no_publishing_parts(
    report: Report,
) -> None:
    fw = without_sentences()
    assert fw.version == 1 and fw.report_sentences == {}
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", fw)
    result = rate(fw, RatingInputs(counts, judgements, discretion, {"court": 9, "resettlement": 0}))
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        cases_by_domain={"court": 9},
        interviews_by_domain={"court": 9},
        texts={"3.4": StandardText(("Clear policy",))},
    )
    plain = build_report(fw, result, facts)
    assert (plain.about_heading, plain.copyright) == ("", "")
    assert not (plain.about.blocks or plain.licence.blocks or plain.publisher.blocks)
    assert not plain.further_information.blocks and plain.annexes  # the annex is still listed
    assert plain.standard("3.4").evidence == "" and plain.domains[0].findings_lead_in == ""
    assert plain.standard("4.1").not_rated_text == (
        "This standard has not been rated: no resettlement cases in the inspection timescale."
    )
    notes = {f.text for f in plain.footnotes}
    assert (
        "A standard takes the rating band of its lowest-scoring key question, shown in bold "
        "in the table." in notes
    )
    assert (
        "The inspectors used professional discretion to raise the rating for implementation and "
        "delivery from Good to Outstanding, having weighed all the evidence." in notes
    )
    assert not notes & {f.text for f in report.footnotes}  # none of the inspectorate's words
    assert plain.domains[1].intro.endswith(
        "The case manager was interviewed in every one of these cases."
    )
    # The ratings are the same: version 2 only adds wording.
    v2 = get_framework("hmip-youth-2021")
    same = rate(v2, RatingInputs(counts, judgements, discretion, {"court": 9, "resettlement": 0}))
    assert [(s.id, s.rating) for s in same.standards] == [
        (s.id, s.rating) for s in result.standards
    ]
    assert (same.score, same.overall_rating) == (result.score, result.overall_rating)


def test_an_internal_audit_prints_none_of_the_inspectorates_publishing_parts() -> None:
    fw = get_framework("hmip-youth-2021")
    result = rate(fw, RatingInputs(read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)))
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        internal_audit=True,
        texts={"3.4": StandardText(("Clear policy",))},
    )
    audit = build_report(fw, result, facts)
    assert audit.about_heading == "" and audit.copyright == "" and not audit.licence.blocks
    assert not audit.publisher.blocks and not audit.further_information.blocks
    assert audit.standard("3.4").evidence == ""  # 'We also inspected...' is the inspectorate's
    assert audit.audit_note.startswith("An internal audit by Bexley YJS against HM Inspectorate")
    assert audit.inspectorate == "Bexley YJS"
