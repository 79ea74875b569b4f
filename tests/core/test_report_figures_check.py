"""A standard's narrative against its figures: count phrases the key questions contradict."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from yjinspect.core.rating_files import read_answers
from yjinspect.core.ratings import RatingInputs, rate
from yjinspect.frameworks import get_framework
from yjinspect.reports.content import EditedText, InspectionFacts, build_report
from yjinspect.reports.figures_check import KeyQuestionCount, count_warnings, number

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Seed 004, 2.2 Planning (court): 89% (8 of 9), 67% (6 of 9), 56% (5 of 9).
PLANNING = (
    KeyQuestionCount("desistance", "Desistance", 8, 1),
    KeyQuestionCount("child_safety", "Keeping the child safe", 6, 3),
    KeyQuestionCount("others_safety", "Keeping other people safe", 5, 4),
)
SEED_CHILD_SAFETY = (
    "Planning for children's safety was generally sufficient. It reflected collaborative work "
    "with other agencies and there was evidence of alignment with key partners, including "
    "children's social care and community safety. There were examples of well-coordinated and "
    "responsive planning to address exploitation, which promoted children's safety. However, "
    "in four of the nine cases inspected there was insufficient planning of interventions to "
    "meet safety needs, such as the impact of key personal relationships."
)


def test_seed_004s_four_of_the_nine_beside_six_of_nine_is_flagged() -> None:
    [warning] = count_warnings([SEED_CHILD_SAFETY], PLANNING)
    assert warning.phrase == "four of the nine cases" and warning.stated == (4, 9)
    assert warning.message == (
        "'four of the nine cases': 4 is neither the Yes nor the No count of 9. The figures "
        "are: Keeping the child safe 6 Yes and 3 No of 9."
    )


def test_the_lens_is_read_from_the_sentence_then_the_paragraph() -> None:
    # Four is keeping other people safe's No count: in its own paragraph, no warning.
    assert (
        count_warnings(
            ["Planning to keep other people safe fell short in four of the nine cases."], PLANNING
        )
        == ()
    )
    # A sentence that names no lens, in a paragraph that names none: any key question will do.
    assert count_warnings(["Plans fell short in 4 out of 9 cases."], PLANNING) == ()
    # The sentence's own lens wins over the paragraph's.
    text = "Desistance planning was strong. Keeping other people safe fell short in 3 of the 9."
    [warning] = count_warnings([text], PLANNING)
    assert "Keeping other people safe 5 Yes and 4 No of 9" in warning.message
    # Three is the child's No count, so the same words in its paragraph are fine.
    assert (
        count_warnings(["Planning kept the child safe except in three of the nine."], PLANNING)
        == ()
    )


@pytest.mark.parametrize(
    ("text", "stated"),
    [
        ("in 3 of the 12 cases", (3, 12)),
        ("six out of ten relevant cases", (6, 10)),
        ("Twenty-one of the thirty cases", (21, 30)),
    ],
)
def test_a_count_of_cases_no_key_question_has_is_flagged(
    text: str, stated: tuple[int, int]
) -> None:
    [warning] = count_warnings([f"We found this {text}."], PLANNING)
    assert warning.stated == stated
    assert f"no key question here has {stated[1]} applicable cases" in warning.message
    assert "Desistance 8 Yes and 1 No of 9" in warning.message  # all the figures, to compare


def test_counts_that_agree_and_words_that_are_not_counts_pass() -> None:
    fine = [
        "Desistance planning was good in eight of the nine cases.",
        "Planning for the child's safety was sufficient in 6 out of 9 cases.",
        "Two-thirds of the plans were good; one team of the service led it.",
    ]
    assert count_warnings(fine, PLANNING) == ()
    assert count_warnings(["four of the nine"], ()) == ()  # nothing to compare with
    assert [number(t) for t in ("9", "nine", "Nineteen", "twenty-one", "forty two")] == [
        9,
        9,
        19,
        21,
        42,
    ]


def test_the_report_carries_the_warnings_of_each_standard() -> None:
    fw = get_framework("hmip-youth-2021")
    result = rate(fw, RatingInputs(read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)))
    narrative = f"Planning for desistance was of high quality.\n\n{SEED_CHILD_SAFETY}[^a note]"
    facts = InspectionFacts(
        service_name="Bexley YJS",
        fieldwork_start=dt.date(2024, 4, 8),
        edited={
            "standard:2.2": EditedText(narrative, "Cymraeg yn unig."),
            "standard:2.1": EditedText("Desistance was assessed well in 9 of the 9 cases."),
        },
    )
    for lang in ("en", "cy"):  # checked in the English the inspectors wrote
        report = build_report(fw, result, facts, lang=lang)
        [(standard, warning)] = report.count_warnings
        assert standard == "2.2"
        assert warning.startswith("The narrative and the figures disagree, check before ")
        assert "'four of the nine cases': 4 is neither the Yes nor the No count of 9" in warning
        assert report.standard("2.1").count_warnings == ()
