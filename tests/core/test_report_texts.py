"""The report's edited words (pure core): plain-text markup, Welsh fallback, recommendations
grouped by body, practice examples, and the case-data summary chart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from yjinspect.core.rating_files import read_answers, read_judgements
from yjinspect.core.ratings import RatingInputs, rate
from yjinspect.frameworks import get_framework
from yjinspect.reports.charts import CountBar, answer_counts_chart
from yjinspect.reports.content import (
    EditedText,
    Footnote,
    InspectionFacts,
    PracticeExampleInput,
    RecommendationInput,
    Report,
    StandardText,
    build_report,
)
from yjinspect.reports.markup import Block, Note, note_problems, parse, split_notes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_markup_paragraphs_and_bullets() -> None:
    text = "First line\nsame paragraph.\n\n- one\n- two\n  wrapped\n\n\nLast <b>para</b>.\r\n"
    assert parse(text) == (
        Block("paragraph", ("First line same paragraph.",)),
        Block("bullets", ("one", "two wrapped")),
        Block("paragraph", ("Last <b>para</b>.",)),
    )
    # A list straight after a paragraph line, with no blank line, still starts a list.
    assert parse("Intro:\n- a\n- b") == (
        Block("paragraph", ("Intro:",)),
        Block("bullets", ("a", "b")),
    )
    assert parse("") == () and parse(" \n\n ") == ()
    # A hyphen without a space is text, not a bullet.
    assert parse("-5 degrees") == (Block("paragraph", ("-5 degrees",)),)


def _build(lang: str = "en", **facts: object) -> Report:
    fw = get_framework("hmip-youth-2021")
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", fw)
    result = rate(
        fw,
        RatingInputs(
            counts, judgements, discretion, {"court": 9, "out_of_court": 14, "resettlement": 0}
        ),
    )
    return build_report(
        fw,
        result,
        InspectionFacts(
            service_name="Testshire YJS",
            fieldwork_start=dt.date(2024, 4, 8),
            cases_by_domain={"court": 9, "out_of_court": 14},
            **facts,  # type: ignore[arg-type]
        ),
        lang=lang,
    )


EDITED = {
    "foreword": EditedText("An English foreword.", "Rhagair."),
    "background": EditedText("Context in English only."),
    "standard:2.2": EditedText("Planning words.\n\n- a point"),
    "involvement": EditedText("Children were heard."),
}
RECS = (
    RecommendationInput("The board", "do a", "Y bwrdd", "gwneud a"),
    RecommendationInput("Testshire YJS", "do b"),
    RecommendationInput("the  Board", "do c"),  # same body, spelt with other spacing and case
)


def test_texts_placed_in_the_report_and_contents() -> None:
    report = _build(edited=EDITED, recommendations=RECS)
    assert report.foreword.blocks[0].text == "An English foreword."
    assert report.background_text.blocks[0].text == "Context in English only."
    narrative = report.standard("2.2").narrative
    assert [b.kind for b in narrative.blocks] == ["paragraph", "bullets"]
    assert not report.standard("2.1").narrative.blocks
    assert report.involvement.blocks and report.involvement_after == "1"
    anchors = [c.anchor for c in report.contents]
    assert anchors[:4] == ["foreword", "ratings", "recommendations", "background"]
    assert anchors.index("involvement") < anchors.index("domain-2")
    assert anchors[-1] == "annex"


def test_no_texts_means_no_empty_sections() -> None:
    report = _build()
    assert not report.foreword.blocks and not report.recommendations
    assert report.recommendations_intro == "" and report.examples_note == ""
    assert "foreword" not in [c.anchor for c in report.contents]


def test_recommendations_grouped_by_body_and_numbered_across_groups() -> None:
    report = _build(recommendations=RECS)
    groups = [(g.body, [(i.number, i.text) for i in g.items]) for g in report.recommendations]
    assert groups == [
        ("The board", [(1, "do a"), (2, "do c")]),
        ("Testshire YJS", [(3, "do b")]),
    ]
    group = report.recommendations[0]
    assert f"{group.before}{group.body}{group.after}" == "The board should:"
    assert "three recommendations" in report.recommendations_intro


def test_welsh_uses_welsh_text_and_marks_english_fallback() -> None:
    report = _build("cy", edited=EDITED, recommendations=RECS)
    assert report.foreword.blocks[0].text == "Rhagair." and report.foreword.lang == ""
    assert report.background_text.lang == "en"
    first = report.recommendations[0]
    assert first.body == "Y bwrdd" and first.body_lang == ""
    assert first.items[0].text == "gwneud a" and first.items[0].lang == ""
    assert first.items[1].lang == "en"  # 'do c' has no Welsh
    assert report.recommendations[1].body_lang == "en"


def test_practice_examples_go_to_their_domain_without_case_references() -> None:
    examples = (
        PracticeExampleInput("court", "Sam rebuilt a routine."),
        PracticeExampleInput("out_of_court", "Alex repaired the fence."),
        PracticeExampleInput("out_of_court", "   "),
    )
    report = _build(examples=examples)
    by_domain = {d.id: [p.blocks[0].text for p in d.examples] for d in report.domains}
    assert by_domain == {
        "1": [],
        "2": ["Sam rebuilt a routine."],
        "3": ["Alex repaired the fence."],
        "4": [],
    }
    assert "names" in report.examples_note


def test_case_data_summary_counts_yes_and_no_per_key_question() -> None:
    report = _build()
    court = report.domains[1].summary
    assert court is not None and report.domains[0].summary is None
    row = next(r for r in court.rows if r.standard == "2.1" and r.lens == "Keeping the child safe")
    assert (row.yes, row.no) == (6, 3)  # Bexley 2024: 67% of 9
    assert "9 cases were inspected" in court.note
    assert court.svg.count('class="yj-bar yj-bar--yes"') == sum(1 for r in court.rows if r.yes)
    assert re.search(r"<desc[^>]*>.*2\.1 Keeping the child safe: Yes 6, No 3", court.svg)


def test_count_chart_escapes_text_and_scales_to_the_largest_bar() -> None:
    svg = answer_counts_chart(
        "c", "<T>", "d & e", [CountBar("<x>", 3, 1), CountBar("y", 0, 10)], "Yes", "No"
    )
    assert "<T>" not in svg and "&lt;T&gt;" in svg and "d &amp; e" in svg and "&lt;x&gt;" in svg
    widths = [
        float(w) for w in re.findall(r'yj-bar--no" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    ]
    assert widths[1] == pytest.approx(widths[0] * 10)


def test_a_footnote_is_typed_in_brackets_after_a_caret() -> None:
    assert split_notes("use of Outcome 22 [^Outcome 22 is a deferred prosecution.] or") == (
        "use of Outcome 22",
        Note("Outcome 22 is a deferred prosecution."),
        " or",
    )
    # Brackets inside a note nest; a line break inside it is a space.
    assert split_notes("a[^see [1]\n above] b") == ("a", Note("see [1] above"), " b")
    # Nothing typed is lost: an empty or unclosed note stays as text.
    assert split_notes("x [^] y [^never closed") == ("x [^] y [^never closed",)
    assert split_notes("[x] and [^]") == ("[x] and [^]",)
    assert note_problems("fine[^a note] and [^another]") == []
    assert note_problems("bad [^]") == ["A footnote has no words: write them between '[^' and ']'"]
    assert note_problems("x [^Outcome 22 is a deferred prosecution involving activity") == [
        "The footnote starting '[^Outcome 22 is a deferred prosecution i...' has no closing ']'"
    ]


def test_the_inspectors_notes_are_numbered_with_the_reports_own_in_reading_order() -> None:
    edited = {
        "foreword": EditedText("Words[^foreword note]."),
        "background": EditedText("Context[^background note]."),
        "standard:1.3": EditedText("Narrative[^narrative note]."),
        "standard:2.1": EditedText("- a point[^bullet note]"),
        "involvement": EditedText("Heard[^involvement note]."),
        "diversity": EditedText("- Tracked[^diversity note]"),
    }
    report = _build(
        edited=edited,
        recommendations=(RecommendationInput("Police", "review Outcome 22[^what it is]"),),
        texts={"1.3": StandardText(("Panel for the NRM[^strength note]",), ("Gap[^area note]",))},
        examples=(PracticeExampleInput("court", "Sam[^example note] did well."),),
    )
    numbered = {note.text: note.number for note in report.footnotes}
    order = [
        "foreword note",
        "what it is",
        "background note",
        "strength note",
        "area note",
        "narrative note",
        "involvement note",
        "diversity note",
    ]
    assert [numbered[t] for t in order] == list(range(1, 9))
    # Domain two's rating notes come next, the bullet's after 2.1's own, the example's last.
    assert report.standard("2.1").intro_footnote == Footnote(9, report.footnotes[8].text)
    court = report.domains[1]
    assert numbered["bullet note"] == 10  # after 2.1's rating note
    assert numbered["example note"] == court.standards[-1].footnotes[-1].number + 1
    assert court.examples_notes == (Footnote(numbered["example note"], "example note"),)
    assert [f.number for f in report.footnotes] == list(range(1, len(report.footnotes) + 1))
    # Each note is where it was typed, and the words keep no brackets.
    rec = report.recommendations[0].items[0]
    assert rec.text == "review Outcome 22" and rec.words.notes == (Footnote(2, "what it is"),)
    gov = report.standard("1.3")
    assert [n.number for n in gov.footnotes] == [4, 5, 6]  # strengths, areas, narrative
    assert report.domains[0].id == report.involvement_after
