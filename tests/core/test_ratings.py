"""The rating engine against the published method and its own invariants."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjinspect.core.ratings import (
    Answer,
    Counts,
    Discretion,
    Judgement,
    RatingInputError,
    RatingInputs,
    rate,
    tally,
)
from yjinspect.frameworks import Framework, get_framework, parse_framework, shipped_framework_paths

FW = get_framework("hmip-youth-2021")
CASE_STANDARDS = ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
JUDGED = ["1.1", "1.2", "1.3", "1.4", "3.4"]
LENSES = ["desistance", "child_safety", "others_safety"]

# Bexley 2024 (seed 004): court n=9, out-of-court n=14, yes counts per key question.
BEXLEY_YES = {
    "2.1": (9, 6, 7), "2.2": (8, 6, 5), "2.3": (9, 8, 7), "2.4": (8, 8, 7),
    "3.1": (11, 12, 10), "3.2": (13, 10, 9), "3.3": (14, 12, 11),
}  # fmt: skip


def bexley_inputs() -> RatingInputs:
    counts = {}
    for std, yeses in BEXLEY_YES.items():
        n = 9 if std.startswith("2") else 14
        for lens, yes in zip(LENSES, yeses, strict=True):
            counts[f"{std}.{lens}"] = Counts(yes, n - yes)
    judgements = {
        sid: Judgement(sid, rating, "evidence")
        for sid, rating in [
            ("1.1", "good"), ("1.2", "outstanding"), ("1.3", "good"),
            ("1.4", "outstanding"), ("3.4", "good"),
        ]
    }  # fmt: skip
    discretion = {
        "2.3": Discretion("2.3", "outstanding", "all evidence considered"),
        "3.2": Discretion("3.2", "good", "all evidence considered"),
        "3.3": Discretion("3.3", "outstanding", "all evidence considered"),
    }
    return RatingInputs(
        counts, judgements, discretion, {"court": 9, "out_of_court": 14, "resettlement": 0}
    )


def test_bexley_2024_is_reproduced() -> None:
    result = rate(FW, bexley_inputs())
    final = {s.id: s.rating.label if s.rating else None for s in result.standards}
    assert final == {
        "1.1": "Good", "1.2": "Outstanding", "1.3": "Good", "1.4": "Outstanding",
        "2.1": "Good", "2.2": "Requires improvement", "2.3": "Outstanding", "2.4": "Good",
        "3.1": "Good", "3.2": "Good", "3.3": "Outstanding", "3.4": "Good", "4.1": None,
    }  # fmt: skip
    computed = {s.id: s.computed_rating.label for s in result.standards if s.computed_rating}
    assert computed["2.3"] == "Good" and computed["3.2"] == "Requires improvement"
    assert computed["3.3"] == "Good"
    assert result.score == 27 and result.max_score == 36
    assert result.overall_rating is not None and result.overall_rating.label == "Good"
    assert (
        result.standard("4.1").not_rated_reason
        == "no resettlement cases in the inspection timescale"
    )
    # The published percentages, rounded as printed.
    kq = {k.id: k.percent for s in result.standards for k in s.key_questions}
    assert kq["3.3.others_safety"] == 79 and kq["3.2.others_safety"] == 64
    assert kq["2.2.others_safety"] == 56 and kq["2.1.child_safety"] == 67


def test_explanation_and_distance_to_the_next_band() -> None:
    s = rate(FW, bexley_inputs()).standard("2.2")
    assert s.explanation == (
        "2.2 Requires improvement: lowest key question 2.2.others_safety 56% (5/9) "
        "is in the 50–64% band"
    )
    assert s.next_band == "one more Yes on 2.2.others_safety would make it Good"
    assert s.driving_key_question == "2.2.others_safety"
    multi = rate(FW, bexley_inputs()).standard("2.1")
    assert multi.next_band == (
        "2 more Yes answers on 2.1.child_safety and one more Yes on 2.1.others_safety "
        "would make it Outstanding"
    )


def test_discretion_is_shown_beside_the_computed_rating() -> None:
    s = rate(FW, bexley_inputs()).standard("3.2")
    assert s.computed_rating is not None and s.computed_rating.label == "Requires improvement"
    assert s.rating is not None and s.rating.label == "Good"
    assert s.discretion is not None and s.discretion.reason == "all evidence considered"
    assert "professional discretion moved it from Requires improvement to Good" in s.explanation
    # The next band is the figures' (Good), not the standard's final rating (already Good).
    assert s.next_band is not None and s.next_band.endswith("would make the figures give Good")
    plain = rate(FW, bexley_inputs()).standard("2.1")
    assert plain.discretion is None and plain.next_band is not None
    assert "figures" not in plain.next_band


def one_standard(
    yes: int, no: int, na: int = 0, std: str = "2.1", fw: Framework = FW
) -> str | None:
    counts = {f"{std}.{lens}": Counts(yes, no, na) for lens in LENSES}
    result = rate(fw, RatingInputs(counts)).standard(std)
    return result.rating.label if result.rating else None


@pytest.mark.parametrize(
    ("yes", "no", "expected"),
    [
        (4, 1, "Outstanding"),  # exactly 80%
        (79, 21, "Good"),  # just under 80
        (13, 7, "Good"),  # exactly 65%
        (64, 36, "Requires improvement"),
        (1, 1, "Requires improvement"),  # exactly 50%
        (49, 51, "Inadequate"),
        (0, 5, "Inadequate"),
        (5, 0, "Outstanding"),
    ],
)
def test_band_edges_are_inclusive_at_the_lower_end(yes: int, no: int, expected: str) -> None:
    assert one_standard(yes, no) == expected


def test_banding_is_on_the_exact_fraction_and_rounding_is_flagged() -> None:
    # 159/200 = 79.5%: shown as 80% but below the 80% line.
    counts = {f"2.1.{lens}": Counts(159, 41) for lens in LENSES}
    s = rate(FW, RatingInputs(counts)).standard("2.1")
    assert s.rating is not None and s.rating.label == "Good"
    kq = s.key_questions[0]
    assert kq.percent == 80
    assert any("exact 79.50% is in the Good band" in note for note in kq.notes)
    # A framework that bands the rounded figure rates the same answers Outstanding.
    text = shipped_framework_paths()["hmip-youth-2021"].read_text()
    rounded = parse_framework(text.replace("banding_basis: exact", "banding_basis: rounded"))
    assert one_standard(159, 41, fw=rounded) == "Outstanding"


def test_not_applicable_answers_leave_the_denominator() -> None:
    counts = {
        "2.1.desistance": Counts(4, 1, 10),
        "2.1.child_safety": Counts(4, 1),
        "2.1.others_safety": Counts(4, 1),
    }
    s = rate(FW, RatingInputs(counts)).standard("2.1")
    kq = s.key_questions[0]
    assert (kq.yes, kq.applicable, kq.na, kq.percent) == (4, 5, 10, 80)
    assert s.rating is not None and s.rating.label == "Outstanding"


def test_a_key_question_with_no_applicable_answers_is_left_out() -> None:
    counts = {
        "2.1.desistance": Counts(0, 0, 9),
        "2.1.child_safety": Counts(9, 0),
        "2.1.others_safety": Counts(6, 3),
    }
    s = rate(FW, RatingInputs(counts)).standard("2.1")
    assert s.rating is not None and s.rating.label == "Good"
    assert "2.1.desistance had no applicable answers" in s.explanation
    assert s.key_questions[0].percent is None


def test_standard_without_answers_is_unrated_and_overall_is_withheld() -> None:
    inputs = bexley_inputs()
    counts = {k: v for k, v in inputs.counts.items() if not k.startswith("3.")}
    result = rate(FW, RatingInputs(counts, inputs.judgements, {"2.3": inputs.discretion["2.3"]}))
    assert result.standard("3.1").rating is None
    assert result.overall_rating is None and result.score is None
    assert result.overall_explanation.startswith(
        "No overall rating: scored standard(s) 3.1, 3.2, 3.3"
    )


def test_missing_judgement_leaves_the_standard_unrated() -> None:
    inputs = bexley_inputs()
    judgements = {k: v for k, v in inputs.judgements.items() if k != "1.3"}
    result = rate(FW, RatingInputs(inputs.counts, judgements, inputs.discretion))
    assert result.standard("1.3").not_rated_reason == "no judgement recorded yet"
    assert result.overall_rating is None
    assert "1.3" in result.overall_explanation


def test_resettlement_is_rated_but_never_scored() -> None:
    inputs = bexley_inputs()
    judgements = dict(inputs.judgements) | {"4.1": Judgement("4.1", "outstanding", "good policy")}
    with_cases = rate(
        FW, RatingInputs(inputs.counts, judgements, inputs.discretion, {"resettlement": 2})
    )
    assert with_cases.standard("4.1").rating is not None
    assert with_cases.score == 27  # unchanged: 4.1 is not in the /36 total
    without = rate(
        FW, RatingInputs(inputs.counts, judgements, inputs.discretion, {"resettlement": 0})
    )
    s = without.standard("4.1")
    assert s.rating is None and "set aside" in s.explanation


def test_discretion_limits() -> None:
    counts = bexley_inputs().counts
    cases = [
        (Discretion("2.2", "outstanding", "why"), "at most 1 band"),
        (Discretion("2.2", "good", "   "), "needs a written reason"),
        (Discretion("2.2", "requires_improvement", "why"), "same as the computed rating"),
        (Discretion("1.1", "good", "why"), "applies only to cases standards"),
    ]
    for discretion, message in cases:
        s = rate(FW, RatingInputs(counts, discretion={discretion.standard_id: discretion}))
        std = s.standard(discretion.standard_id)
        assert std.discretion_problem is not None and message in std.discretion_problem
        assert std.discretion is None
    down = rate(
        FW,
        RatingInputs(counts, discretion={"2.1": Discretion("2.1", "requires_improvement", "weak")}),
    )
    assert down.standard("2.1").rating is not None
    assert down.standard("2.1").rating.label == "Requires improvement"  # type: ignore[union-attr]


def test_framework_policy_can_forbid_downgrades() -> None:
    text = shipped_framework_paths()["hmip-youth-2021"].read_text()
    up_only = parse_framework(text.replace("directions: [up, down]", "directions: [up]"))
    s = rate(
        up_only,
        RatingInputs(
            bexley_inputs().counts,
            discretion={"2.1": Discretion("2.1", "requires_improvement", "x")},
        ),
    )
    assert (
        s.standard("2.1").discretion_problem
        == "the framework does not allow discretion to move a rating down"
    )


RATING_COUNTS = {
    "outstanding": (9, 0),
    "good": (6, 3),
    "requires_improvement": (5, 4),
    "inadequate": (1, 8),
}
POINTS = {"outstanding": 3, "good": 2, "requires_improvement": 1, "inadequate": 0}


def inputs_with(ratings: list[str]) -> RatingInputs:
    """Twelve scored standards given chosen ratings, by answers or by judgement."""
    scored = ["1.1", "1.2", "1.3", "1.4", *CASE_STANDARDS, "3.4"]
    counts, judgements = {}, {}
    for sid, rating in zip(scored, ratings, strict=True):
        if sid in CASE_STANDARDS:
            for lens in LENSES:
                counts[f"{sid}.{lens}"] = Counts(*RATING_COUNTS[rating])
        else:
            judgements[sid] = Judgement(sid, rating)
    return RatingInputs(counts, judgements)


def expected_overall(score: int) -> str:
    if score >= 31:
        return "Outstanding"
    if score >= 19:
        return "Good"
    if score >= 7:
        return "Requires improvement"
    return "Inadequate"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list(POINTS)), min_size=12, max_size=12))
def test_score_and_overall_follow_the_band_table(ratings: list[str]) -> None:
    result = rate(FW, inputs_with(ratings))
    assert result.score == sum(POINTS[r] for r in ratings)
    assert result.overall_rating is not None
    assert result.overall_rating.label == expected_overall(result.score)


@pytest.mark.parametrize(
    ("score", "word"),
    [
        (6, "Inadequate"),
        (7, "Requires improvement"),
        (18, "Requires improvement"),
        (19, "Good"),
        (30, "Good"),
        (31, "Outstanding"),
        (36, "Outstanding"),
    ],
)
def test_overall_band_edges(score: int, word: str) -> None:
    ratings = ["outstanding"] * (score // 3) + (
        ["good"] if score % 3 == 2 else ["requires_improvement"] if score % 3 == 1 else []
    )
    ratings += ["inadequate"] * (12 - len(ratings))
    result = rate(FW, inputs_with(ratings))
    assert result.score == score
    assert result.overall_rating is not None and result.overall_rating.label == word


def test_pro_rata_setting_scales_the_score() -> None:
    text = shipped_framework_paths()["hmip-youth-2021"].read_text()
    fw = parse_framework(
        text.replace(
            "when_scored_standard_unrated: withhold", "when_scored_standard_unrated: pro_rata"
        )
    )
    inputs = inputs_with(["good"] * 12)
    judgements = {k: v for k, v in inputs.judgements.items() if k != "3.4"}
    result = rate(fw, RatingInputs(inputs.counts, judgements))
    assert result.score == 24  # 22 of 33 scaled to 36
    assert result.overall_rating is not None and result.overall_rating.label == "Good"
    assert "pro rata" in result.overall_explanation


counts_st = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 5))


@settings(max_examples=300, deadline=None)
@given(st.lists(counts_st, min_size=3, max_size=3), st.integers(0, 2))
def test_adding_a_yes_never_lowers_a_rating(
    triples: list[tuple[int, int, int]], which: int
) -> None:
    counts = {f"2.1.{lens}": Counts(*t) for lens, t in zip(LENSES, triples, strict=True)}
    before = rate(FW, RatingInputs(counts)).standard("2.1")
    y, n, na = triples[which]
    more = dict(counts)
    more[f"2.1.{LENSES[which]}"] = Counts(y + 1, n, na)
    after = rate(FW, RatingInputs(more)).standard("2.1")
    if before.rating is not None:
        assert after.rating is not None
        assert FW.rating_rank(after.rating.id) >= FW.rating_rank(before.rating.id)
    if n > 0:  # turning a No into a Yes never lowers it either
        swapped = dict(counts)
        swapped[f"2.1.{LENSES[which]}"] = Counts(y + 1, n - 1, na)
        after2 = rate(FW, RatingInputs(swapped)).standard("2.1")
        assert after2.rating is not None and before.rating is not None
        assert FW.rating_rank(after2.rating.id) >= FW.rating_rank(before.rating.id)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60))
def test_percent_and_interval_invariants(yes: int, no: int) -> None:
    counts = {f"2.1.{lens}": Counts(yes, no) for lens in LENSES}
    kq = rate(FW, RatingInputs(counts)).standard("2.1").key_questions[0]
    if yes + no == 0:
        assert kq.percent is None and kq.interval is None
        return
    assert kq.percent is not None and kq.interval is not None and kq.fraction is not None
    assert 0 <= kq.percent <= 100
    assert abs(kq.percent - kq.fraction * 100) <= Fraction(1, 2)
    low, high = kq.interval
    assert 0 <= low <= float(kq.fraction) <= high <= 1


def test_interval_flag_marks_ratings_a_different_sample_could_change() -> None:
    wide = rate(FW, RatingInputs({f"2.1.{lens}": Counts(7, 2) for lens in LENSES})).standard("2.1")
    assert wide.key_questions[0].interval_crosses_band
    narrow = rate(FW, RatingInputs({f"2.1.{lens}": Counts(1000, 0) for lens in LENSES})).standard(
        "2.1"
    )
    assert not narrow.key_questions[0].interval_crosses_band


def test_tally_counts_and_refuses_duplicates_and_unknown_questions() -> None:
    counts = tally(
        FW,
        [
            ("C1", "2.1.desistance", Answer.YES),
            ("C2", "2.1.desistance", Answer.NA),
            ("C3", "2.1.desistance", Answer.NO),
        ],
    )
    assert counts["2.1.desistance"] == Counts(1, 1, 1)
    with pytest.raises(RatingInputError, match="case C1 answers 2.1.desistance twice"):
        tally(FW, [("C1", "2.1.desistance", Answer.YES), ("C1", "2.1.desistance", Answer.NO)])
    with pytest.raises(RatingInputError, match="unknown key question '2.9.desistance'"):
        tally(FW, [("C1", "2.9.desistance", Answer.YES)])


def test_engine_refuses_inputs_that_do_not_fit_the_framework() -> None:
    with pytest.raises(RatingInputError, match="record a professional-discretion override"):
        rate(FW, RatingInputs(judgements={"2.1": Judgement("2.1", "good")}))
    with pytest.raises(RatingInputError, match="unknown standard '5.1'"):
        rate(FW, RatingInputs(judgements={"5.1": Judgement("5.1", "good")}))
    with pytest.raises(RatingInputError, match="negative"):
        Counts(-1, 0)


def test_2018_framework_rates_joint_working_from_cases() -> None:
    fw = get_framework("hmip-youth-2018")
    counts = {f"3.4.{lens}": Counts(8, 2) for lens in LENSES}
    s = rate(fw, RatingInputs(counts)).standard("3.4")
    assert s.rating is not None and s.rating.label == "Outstanding"
    assert s.scored


def test_json_shape() -> None:
    data = rate(FW, bexley_inputs()).to_dict()
    assert data["framework"] == "hmip-youth-2021"
    assert data["score"] == 27 and data["max_score"] == 36 and data["overall_rating"] == "Good"
    std = data["standards"]["3.3"]
    assert std["rating"] == "Outstanding" and std["computed_rating"] == "Good"
    assert std["discretion_reason"] == "all evidence considered"
    kq = std["key_questions"]["3.3.others_safety"]
    assert (kq["yes"], kq["applicable"], kq["percent"]) == (11, 14, 79)
    assert len(kq["interval"]) == 2
    assert data["standards"]["4.1"]["rating"] == "Not rated"


def test_a_single_applicable_case_is_singular() -> None:
    result = rate(FW, RatingInputs({"2.1.desistance": Counts(1, 0, 0)}))
    notes = result.standard("2.1").key_questions[0].notes
    assert "only 1 applicable case: treat the figure with care" in notes
