"""The provisional 2025 frameworks: what they carry, the schema rules they need, and the engine
rating a 2025 inspection (children's and victims' cases, V1.1 figures beside the V1.2
judgement, an overall rating with no score) from made-up answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from yjinspect.cli import main
from yjinspect.core.ratings import (
    Counts,
    Discretion,
    InspectionRating,
    Judgement,
    RatingInputError,
    RatingInputs,
    rate,
    tally,
)
from yjinspect.frameworks import (
    Framework,
    FrameworkError,
    fingerprint,
    get_framework,
    parse_framework,
    shipped_framework_paths,
)
from yjinspect.frameworks.schema import JudgedKeyQuestions

FW = get_framework("hmip-youth-2025")
FULL = get_framework("hmip-youth-2025-full")
TEXT_2025 = shipped_framework_paths()["hmip-youth-2025"].read_text(encoding="utf-8")

# A figure in each case band (8/10 = 80%, 7/10 = 70%, 5/10 = 50%, 4/10 = 40%).
OUTSTANDING, GOOD, RI, INADEQUATE = Counts(8, 2), Counts(7, 3), Counts(5, 5), Counts(4, 6)


def _counts(**by_standard: Counts) -> dict[str, Counts]:
    """The same counts for every key question of a children's standard; V1 as given."""
    out: dict[str, Counts] = {}
    for std_id, counts in by_standard.items():
        std = FW.standard(std_id.replace("_", "."))
        for kq in std.case_questions():
            out[std.question_id(kq)] = counts
    return out


def _rate(
    fw: Framework,
    counts: dict[str, Counts],
    judgements: Mapping[str, str | None] | None = None,
    discretion: dict[str, Discretion] | None = None,
) -> InspectionRating:
    recorded = {k: Judgement(k, v, "evidence seen") for k, v in (judgements or {}).items()}
    return rate(fw, RatingInputs(counts, recorded, discretion or {}))


# ---------------------------------------------------------------- what the file carries


def test_both_kinds_of_2025_inspection_are_shipped_and_marked_provisional() -> None:
    for fw in (FW, FULL):
        assert fw.provisional is True
        assert fw.provisional_note == (
            "Provisional framework: wording and rules to be checked against the "
            "inspectorate's documents."
        )
    assert [d.name for d in FW.domains] == ["Work with children", "Work with victims"]
    assert [d.name for d in FULL.domains] == [
        "Organisational delivery", "Work with children", "Work with victims",
    ]  # fmt: skip
    assert [s.name for s in FW.domains[0].standards] == [
        "Assessing", "Planning", "Implementation and delivery",
    ]  # fmt: skip
    assert all(s.rating_method == "judgement" for s in FULL.domains[0].standards)
    assert len(FULL.domains[0].standards) == 3


def test_the_victims_standard_carries_the_published_wording() -> None:
    v1 = FW.standard("V1")
    assert v1.statement == (
        "Work with victims is high-quality, individualised and responsive, driving positive "
        "outcomes and safety for victims."
    )
    assert v1.population == "victims"
    by_id = {v1.question_id(kq): kq for kq in v1.key_questions}
    assert by_id["V1.1"].text == (
        "Is work with victims high-quality, individualised, and responsive?"
    )
    assert by_id["V1.1"].rating_method == "cases"
    assert by_id["V1.2"].text == (
        "Do organisational arrangements and activity drive quality, individualised, and "
        "responsive service for victims"
    )
    assert by_id["V1.2"].rating_method == "judgement"
    assert FW.judged_question_ids() == ["V1.2"]
    assert "V1.2" not in FW.case_question_ids() and "V1.1" in FW.case_question_ids()


def test_two_populations_with_the_published_sample_bounds() -> None:
    assert [p.id for p in FW.populations] == ["children", "victims"]
    samples = FW.population_sampling()
    assert (samples["children"].minimum, samples["children"].maximum) == (14, 91)
    assert (samples["victims"].minimum, samples["victims"].maximum) == (9, 24)
    children = FW.population("children")
    assert children.case_domains == ["court", "out_of_court", "resettlement"]
    for std in FW.domains[0].standards:  # across every disposal, not one per disposal type
        assert std.case_domains == ["court", "out_of_court", "resettlement"]
        assert std.population == "children"
    victims = FW.population("victims")
    assert victims.case_domains == []
    columns = {c.id: c for c in victims.columns}
    assert columns["case_ref"].kind == "reference" and columns["case_ref"].required
    assert columns["child_case_ref"].refers_to == "children"
    assert not any("name" in c.id for c in victims.columns)


def test_every_rule_the_spec_leaves_unknown_is_a_setting_tagged_unconfirmed() -> None:
    for key in (
        "judged_key_questions.combine",
        "overall.method",
        "overall.bands",
        "overall.when_scored_standard_unrated",
        "case_bands",
        "percentages.banding_basis",
        "ratings.points",
        "sampling",
        "sampling.windows",
        "populations.victims.columns",
    ):
        assert "U:" in FW.provenance[key], key
    assert FW.overall_table.method == "points_average"
    assert FW.overall_table.max_score is None
    for std in FW.domains[0].standards:  # the children's wording is ours
        assert std.provenance == "U"
        assert all(kq.prompts_provenance == "U" for kq in std.key_questions)
    assert all(s.provenance == "U" for s in FULL.domains[0].standards)
    assert "U:" in FULL.provenance["domains.1"]


def test_the_full_inspection_repeats_the_children_and_victims_parts_word_for_word() -> None:
    """Two files (see docs/frameworks.md): what they share must not drift apart."""
    own = {"id", "title", "programme", "description", "domains", "provenance"}
    assert FULL.model_dump(exclude=own) == FW.model_dump(exclude=own)
    assert [d.model_dump() for d in FULL.domains[1:]] == [d.model_dump() for d in FW.domains]
    shared = {k: v for k, v in FULL.provenance.items() if k not in {"kinds", "domains.1"}}
    assert shared == {k: v for k, v in FW.provenance.items() if k != "kinds"}


def test_frameworks_show_prints_the_provisional_note_and_both_key_question_kinds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["frameworks", "show", "hmip-youth-2025"]) == 0
    out = capsys.readouterr().out
    assert "Provisional framework: wording and rules" in out
    assert "V1.1: Is work with victims" in out
    assert "V1.2 (judged): Do organisational arrangements" in out
    assert "victims (Victims' cases, 9–24 cases)" in out
    assert "Overall (average points of the rated standards, no score)" in out


# ---------------------------------------------------------------- the engine


def test_lambeths_published_set_gives_good_overall_and_no_score() -> None:
    """Lambeth 2025: Assessing Good, Planning and Implementation Outstanding, victims
    Requires improvement; overall Good. The average of the 2021 points fits it."""
    counts = _counts(**{"2_1": GOOD, "2_2": OUTSTANDING, "2_3": OUTSTANDING})
    counts["V1.1"] = Counts(6, 4)  # 60%: Requires improvement
    result = _rate(FW, counts, {"V1.2": "good"})
    assert [s.rating.label if s.rating else None for s in result.standards] == [
        "Good", "Outstanding", "Outstanding", "Requires improvement",
    ]  # fmt: skip
    assert result.overall_rating is not None and result.overall_rating.label == "Good"
    assert result.score is None and not result.has_score
    assert result.average is not None and float(result.average) == 2.25
    assert result.overall_explanation == (
        "4 standards rated: their ratings average 2.25 points (2 + 3 + 3 + 1); 1.5 or more "
        "gives Good; an average of 2.5 would make it Outstanding"
    )
    data = result.to_dict()
    assert "score" not in data and "max_score" not in data
    assert (data["overall_method"], data["average"], data["overall_rating"]) == (
        "points_average", 2.25, "Good",
    )  # fmt: skip


def test_the_victims_standard_takes_the_lower_of_the_v11_figure_and_the_v12_judgement() -> None:
    base = _counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": GOOD})
    figure_low = _rate(FW, {**base, "V1.1": Counts(5, 4)}, {"V1.2": "outstanding"})
    v1 = figure_low.standard("V1")
    assert v1.rating is not None and v1.rating.id == "requires_improvement"
    assert v1.driving_key_question == "V1.1"
    assert v1.explanation == (
        "V1 Requires improvement, the lowest of: V1.1 56% (5/9), in the 50–64% band "
        "(Requires improvement) and V1.2 judged Outstanding"
    )
    assert v1.next_band == "one more Yes on V1.1 would make the figures give Good"
    judged_low = _rate(FW, {**base, "V1.1": Counts(9, 1)}, {"V1.2": "inadequate"})
    v1 = judged_low.standard("V1")
    assert v1.rating is not None and v1.rating.id == "inadequate"
    assert v1.driving_key_question == "V1.2"
    kq = {k.id: k for k in v1.key_questions}["V1.2"]
    assert kq.rating_method == "judgement" and kq.band is not None and kq.band.id == "inadequate"
    assert judged_low.to_dict()["standards"]["V1"]["key_questions"]["V1.2"] == {
        "rating_method": "judgement",
        "judgement": "Inadequate",
        "judgement_reason": "evidence seen",
    }


def test_the_judgement_may_instead_move_the_figures_band_by_the_setting() -> None:
    moves = FW.model_copy(
        update={"judged_key_questions": JudgedKeyQuestions(combine="judgement_moves", max_bands=1)}
    )
    base = _counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": GOOD})
    down = _rate(moves, {**base, "V1.1": Counts(9, 1)}, {"V1.2": "inadequate"}).standard("V1")
    assert down.rating is not None and down.rating.id == "good"  # Outstanding, one band down
    assert down.explanation == (
        "V1 Good: V1.1 90% (9/10), in the 80% or more band (Outstanding), moved 1 band towards "
        "the judgement on V1.2 (Inadequate)"
    )
    up = _rate(moves, {**base, "V1.1": Counts(5, 5)}, {"V1.2": "outstanding"}).standard("V1")
    assert up.rating is not None and up.rating.id == "good"
    same = _rate(moves, {**base, "V1.1": Counts(7, 3)}, {"V1.2": "good"}).standard("V1")
    assert same.rating is not None and same.rating.id == "good"
    assert same.explanation.endswith("the judgement on V1.2 (Good) leaves it there")
    nothing = _rate(moves, base, {"V1.2": "good"}).standard("V1")
    assert nothing.rating is None  # no figure to move


def test_v1_waits_for_its_judgement_and_then_the_overall_rating_is_withheld() -> None:
    counts = {**_counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": GOOD}), "V1.1": Counts(7, 3)}
    result = _rate(FW, counts)
    v1 = result.standard("V1")
    assert v1.rating is None and v1.computed_rating is None
    assert v1.not_rated_reason == "no judgement recorded yet for V1.2"
    assert result.overall_rating is None
    assert result.overall_explanation == "No overall rating: standard(s) V1 not rated"


def test_a_judgement_recorded_as_not_rated_is_left_out_and_named() -> None:
    counts = {**_counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": GOOD}), "V1.1": Counts(7, 3)}
    v1 = _rate(FW, counts, {"V1.2": None}).standard("V1")
    assert v1.rating is not None and v1.rating.id == "good"
    assert v1.explanation.endswith("(V1.2 recorded as not rated and left out)")
    only_judged = _rate(FW, _counts(**{"2_1": GOOD}), {"V1.2": "good"}).standard("V1")
    assert only_judged.rating is not None and only_judged.rating.id == "good"
    assert only_judged.explanation == (
        "V1 Good, the lowest of: V1.2 judged Good (V1.1 had no applicable answers and is left out)"
    )


def test_discretion_moves_the_combined_rating_of_the_victims_standard() -> None:
    counts = {**_counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": GOOD}), "V1.1": Counts(7, 3)}
    moved = Discretion("V1", "outstanding", "strong victim work seen in interviews")
    v1 = _rate(FW, counts, {"V1.2": "good"}, {"V1": moved}).standard("V1")
    assert v1.computed_rating is not None and v1.computed_rating.id == "good"
    assert v1.rating is not None and v1.rating.id == "outstanding"
    assert "professional discretion moved it from Good to Outstanding" in v1.explanation


def test_the_full_inspection_averages_all_seven_standards() -> None:
    """South Tees 2025: 'good in five out of seven areas', Good overall."""
    counts = {**_counts(**{"2_1": GOOD, "2_2": GOOD, "2_3": RI}), "V1.1": Counts(7, 3)}
    judged = {"1.1": "good", "1.2": "good", "1.3": "requires_improvement", "V1.2": "good"}
    result = _rate(FULL, counts, judged)
    ratings = [s.rating.id if s.rating else None for s in result.standards]
    assert ratings.count("good") == 5 and len(ratings) == 7
    assert result.overall_rating is not None and result.overall_rating.label == "Good"
    assert result.overall_explanation.startswith(
        "7 standards rated: their ratings average 1.71 points (2 + 2 + 1 + 2 + 2 + 1 + 2)"
    )


def test_the_average_bands_from_the_file_decide_the_overall_rating() -> None:
    counts = _counts(**{"2_1": OUTSTANDING, "2_2": OUTSTANDING, "2_3": GOOD})
    counts["V1.1"] = Counts(8, 2)
    top = _rate(FW, counts, {"V1.2": "good"})  # 3 + 3 + 2 + 2 = 2.5
    assert top.overall_rating is not None and top.overall_rating.label == "Outstanding"
    low = _rate(FW, _counts(**{"2_1": INADEQUATE, "2_2": INADEQUATE, "2_3": RI})
                | {"V1.1": Counts(1, 9)}, {"V1.2": "requires_improvement"})  # fmt: skip
    assert low.overall_rating is not None and low.overall_rating.label == "Inadequate"


def test_answers_for_the_judged_key_question_are_refused() -> None:
    with pytest.raises(RatingInputError, match="V1.2 is judged by the inspectors"):
        tally(FW, [("VIC-1", "V1.2", "yes")])  # type: ignore[list-item]
    with pytest.raises(RatingInputError, match="V1.2 is judged by the inspectors"):
        rate(FW, RatingInputs({"V1.2": Counts(1, 0)}))
    with pytest.raises(RatingInputError, match="V1.2: unknown rating 'great'"):
        rate(FW, RatingInputs({}, {"V1.2": Judgement("V1.2", "great")}))


# ---------------------------------------------------------------- yjinspect rate


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_yjinspect_rate_a_2025_inspection_from_both_populations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["case_ref,key_question,answer"]
    for i in range(10):  # children's cases: 7 of 10 Yes on every children's key question
        answer = "yes" if i < 7 else "no"
        rows += [f"YJ-{i:03d},{kq},{answer}" for kq in FW.case_question_ids() if kq != "V1.1"]
    rows += [f"VIC-{i:02d},V1.1,{'yes' if i < 5 else 'no'}" for i in range(9)]  # 5/9
    answers = _write(tmp_path, "answers.csv", "\n".join(rows) + "\n")
    judgements = _write(
        tmp_path, "j.csv", "standard,rating,reason\nV1.2,Good,victims' policy and staffing seen\n"
    )
    args = ["rate", "hmip-youth-2025", answers, "--judgements", judgements]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Score" not in out
    assert "V1.2                     judged: Good" in out
    assert "Overall rating: Good" in out
    assert "Provisional framework: wording and rules" in out
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["standards"]["V1"]["rating"] == "Requires improvement"
    assert data["standards"]["V1"]["key_questions"]["V1.1"]["percent"] == 56
    assert data["overall_rating"] == "Good" and "score" not in data


def test_yjinspect_rate_refuses_a_judged_key_question_in_the_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = _write(tmp_path, "a.csv", "case_ref,key_question,answer\nVIC-1,V1.2,yes\n")
    assert main(["rate", "hmip-youth-2025", answers]) == 2
    err = capsys.readouterr().err
    assert "row 2: V1.2 is judged by the inspectors, not answered per case" in err
    counts = _write(tmp_path, "c.csv", "key_question,yes,no\nV1.2,3,1\n")
    assert main(["rate", "hmip-youth-2025", counts]) == 2
    assert "give its rating in JUDGEMENTS.csv" in capsys.readouterr().err


# ---------------------------------------------------------------- the schema's rules


def _broken(replace: str, by: str) -> str:
    assert replace in TEXT_2025, replace
    return TEXT_2025.replace(replace, by, 1)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        (
            "        population: victims\n",
            "        population: witnesses\n",
            "population: unknown population 'witnesses'",
        ),
        (
            "    case_domains: [court, out_of_court, resettlement]\n  - id: victims",
            "    case_domains: [court, out_of_court]\n  - id: victims",
            "populations: case domain 'resettlement' is in no population",
        ),
        (
            "    label: Victims' cases\n",
            "    label: Victims' cases\n    case_domains: [court]\n",
            "populations[1].case_domains: case domain 'court' is already in 'children'",
        ),
        (
            "        rating_method: cases\n        population: victims\n",
            "        rating_method: cases\n        population: victims\n        case_domains: [court]\n",
            "population 'victims' has no case domains",
        ),
        (
            "          - id: V1.1\n",
            '          - id: "2.1"\n',
            "key question id '2.1' is already used",
        ),
        (
            "          - id: V1.1\n",
            '          - lens: ""\n',
            "a key question needs a lens or its own id",
        ),
        (
            "            text: Is work with victims high-quality, individualised, and responsive?\n",
            "            text: Is work with victims high-quality, individualised, and responsive?\n"
            "            rating_method: judgement\n",
            "a case-rated standard needs a key question answered per case",
        ),
        (
            "  method: points_average       # no score is published\n",
            "  method: points_average\n  max_score: 12\n",
            "method 'points_average' publishes no score: remove it",
        ),
        (
            "    - {rating: good, min_average: 1.5}\n",
            "    - {rating: good, min_score: 15}\n",
            "overall.bands[1].min_average: a 'points_average' band needs min_average",
        ),
        (
            "    - {rating: good, min_average: 1.5}\n",
            "    - {rating: good, min_average: 2.7}\n",
            "bands must run from the highest min_average down to 0",
        ),
        (
            "    - {rating: outstanding, min_average: 2.5}\n",
            "    - {rating: outstanding, min_average: 3.5}\n",
            "is above the most points a rating gives (3)",
        ),
        (
            "  method: points_average       # no score is published\n",
            "  method: score\n",
            "a 'score' overall needs max_score",
        ),
        (
            "provisional: true\n",
            "provisional: false\n",
            "provisional: a note for a provisional framework, but provisional is false",
        ),
        (
            "      - id: contact_date\n        label: Date contact was offered\n",
            "      - id: victim_name\n        label: Date contact was offered\n",
            "a case list holds references, never names",
        ),
        (
            "        label: Consent to contact\n",
            "        label: Surname of the victim\n",
            "a case list holds references, never names",
        ),
        (
            '        options: ["yes", "no", not asked]\n',
            "",
            "a 'choice' column needs its options",
        ),
        (
            "        refers_to: children\n",
            "        refers_to: parents\n",
            "refers_to: unknown population 'parents'",
        ),
        (
            "        victims: {from_weeks_before: 52",
            "        court: {from_weeks_before: 52",
            "populations[1].sampling.windows.court: unknown case domain 'court'",
        ),
        (
            "      minimum: 9\n",
            "      minimum: 30\n",
            "the minimum (30) is above the maximum (24)",
        ),
    ],
)
def test_the_schema_refuses_a_broken_2025_file_by_line_and_field(
    replace: str, by: str, message: str
) -> None:
    with pytest.raises(FrameworkError) as info:
        parse_framework(_broken(replace, by), "local-2025.yaml")
    assert message in str(info.value)
    assert "local-2025.yaml:" in str(info.value)


def test_a_provisional_framework_needs_its_note() -> None:
    text = _broken(
        "provisional_note: >-\n  Provisional framework: wording and rules to be checked "
        "against the inspectorate's documents.\n",
        "",
    )
    with pytest.raises(FrameworkError, match="a provisional framework needs a note"):
        parse_framework(text)


def test_the_2025_file_has_a_stable_fingerprint_of_its_own() -> None:
    assert fingerprint(FW) != fingerprint(FULL)
    assert fingerprint(parse_framework(TEXT_2025)) == fingerprint(FW)
