"""The earlier programmes (SQS, FJI, CCI): framework files, engine, CLI, against the seeds."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjinspect.cli import main
from yjinspect.core.legacy import (
    AreaRating,
    ItemCounts,
    OptionCounts,
    WordOverride,
    rate_areas,
    tally_items,
)
from yjinspect.core.ratings import Counts, RatingInputError
from yjinspect.core.stats import wilson_interval
from yjinspect.frameworks import (
    Framework,
    FrameworkError,
    get_framework,
    parse_framework,
    shipped_framework_paths,
)

SQS = get_framework("hmip-sqs")
FJI = get_framework("hmip-fji")
CCI = get_framework("hmip-cci")
EARLIER = [SQS, FJI, CCI]


def pooled(
    fw: Framework, area_id: str, yes: int, applicable: int, na: int = 0
) -> dict[str, Counts]:
    """Item counts spread as evenly as possible over an area's pooled items, summing exactly
    to `yes` out of `applicable` (and `na` not-applicable answers)."""
    items = fw.area(area_id).items
    k = len(items)
    no = applicable - yes

    def share(total: int, i: int) -> int:
        return total // k + (1 if i < total % k else 0)

    return {item: Counts(share(yes, i), share(no, i), share(na, i)) for i, item in enumerate(items)}


def answers_for(counts: dict[str, tuple[int, int, int]], cases: int) -> list[tuple[str, str, str]]:
    """Per-case (case_ref, item, answer) rows giving these yes / no / na counts."""
    rows = []
    for item, (yes, no, na) in counts.items():
        assert yes + no + na <= cases
        answers = ["yes"] * yes + ["no"] * no + ["na"] * na
        rows += [(f"C{n + 1:02}", item, a) for n, a in enumerate(answers)]
    return rows


# ---------------------------------------------------------------- framework files


def test_the_three_earlier_frameworks_are_shipped_as_areas_frameworks() -> None:
    assert {"hmip-sqs", "hmip-fji", "hmip-cci"} <= set(shipped_framework_paths())
    assert "crosswalk" not in shipped_framework_paths()  # data beside them, not a framework
    for fw in EARLIER:
        assert fw.scoring_model == "areas"
        assert ("court", "Court disposals") in [(d.id, d.label) for d in fw.case_domains]
        assert fw.word_banding_basis == "rounded"
        assert fw.word_override_requires_reason
        assert fw.sampling.windows["court"].from_weeks_before > 0
        assert not fw.domains
    assert [a.id for a in SQS.areas] == ["RR", "PP", "PC", "SS", "OM"]
    assert [a.id for a in FJI.areas] == ["RR", "PP", "PC", "SS", "GOV", "INT", "CWR"]
    assert [(a.id, a.name) for a in CCI.areas] == [
        ("SG", "Safeguarding"),
        ("ROH", "Risk of Harm to others"),
        ("LOR", "Likelihood of Reoffending"),
    ]


def test_areas_follow_the_spec() -> None:
    om = SQS.area("OM")
    assert (om.name, om.rating_method, om.word_scale) == (
        "Operational management",
        "judgement",
        None,
    )
    assert all(not a.score_published and a.word_scale is None for a in SQS.areas[:4])
    gov = FJI.area("GOV")
    assert (gov.rating_method, gov.word_scale, gov.items) == ("judgement", "fji_2014", [])
    assert len(gov.themes) == 4
    assert [a.id for a in FJI.areas if a.optional] == ["INT", "CWR"]
    assert FJI.area("CWR").items == ["RR-02", "RR-03", "RR-04", "CWR-01"]
    # CCI criteria sections (spec §5.8): headline = assessment section + interventions section.
    sections = {a.id: [(s.id, s.items) for s in a.sections] for a in CCI.areas}
    assert sections["ROH"] == [
        ("1.1", ["PP-01", "PP-03"]),
        ("2.1", ["PP-04", "PP-05", "PP-06", "PP-07", "PP-08", "PP-09"]),
    ]
    assert sections["SG"][0] == ("1.3", ["PC-01", "PC-04"])
    assert sections["LOR"][1] == ("2.2", ["RR-06", "RR-08", "RR-12"])
    for area in CCI.areas:
        in_sections = [i for s in area.sections[:2] for i in s.items]
        assert sorted(area.items) == sorted(in_sections)


def test_item_mappings_follow_spec_5_8() -> None:
    def rng(prefix: str, lo: int, hi: int) -> list[str]:
        return [f"{prefix}-{n:02}" for n in range(lo, hi + 1)]

    assert FJI.area("RR").items == [*rng("RR", 2, 10), "RR-12", "RR-13"]
    assert FJI.area("PP").items == ["PP-01", *rng("PP", 3, 10)]
    assert FJI.area("PC").items == ["PC-01", *rng("PC", 3, 9)]
    assert FJI.area("SS").items == rng("SS", 1, 6)
    assert FJI.area("INT").items == rng("INT", 1, 8)
    # SQS: the SQS column of the working set.
    assert SQS.area("RR").items == rng("RR", 2, 10)
    assert SQS.area("PP").items == ["PP-01", *rng("PP", 3, 8)]
    assert SQS.area("PC").items == ["PC-01", *rng("PC", 3, 7)]
    assert SQS.area("SS").items == rng("SS", 1, 6)
    recorded = {i.id: i.options for i in SQS.items if i.kind == "recorded"}
    assert recorded == {
        "RR-01": ["yes", "no"],
        "PP-02": ["accurate", "under", "over", "na"],
        "PC-02": ["accurate", "under", "over", "na"],
        "SS-07": ["yes", "no"],
    }
    assert [i.id for i in SQS.items if i.area == "OM"] == rng("OM", 1, 7)
    assert all(i.counted == "case managers interviewed" for i in SQS.items if i.area == "OM")
    assert SQS.item("PC-03").na_when


def test_word_scales_are_the_spec_defaults() -> None:
    def scale(fw: Framework, name: str) -> list[tuple[str, int]]:
        return [(b.word, int(b.min_percent)) for b in fw.word_scales[name]]

    assert scale(FJI, "fji_2014") == [
        ("Good", 80), ("Satisfactory", 65), ("Unsatisfactory", 55), ("Poor", 0),
    ]  # fmt: skip
    assert scale(CCI, "cci") == [
        ("Minimum improvement required", 80),
        ("Moderate improvement required", 60),
        ("Substantial improvement required", 40),
        ("Drastic improvement required", 0),
    ]
    assert SQS.word_scales == {}


def test_unconfirmed_rules_are_settings_with_provenance() -> None:
    for fw, keys in [
        (FJI, ["word_scales.fji_2014", "word_banding_basis", "scoring.pooled", "areas.items",
               "sampling.size", "items"]),
        (CCI, ["word_scales.cci", "areas.sections", "scoring.pooled", "sampling.size"]),
        (SQS, ["scoring.pooled", "sampling.size", "items", "areas.items"]),
    ]:  # fmt: skip
        for key in keys:
            assert fw.provenance[key].startswith(("U", "D")), (fw.id, key)
    assert (SQS.sampling.minimum, SQS.sampling.maximum) == (20, 20)
    assert (FJI.sampling.minimum, FJI.sampling.maximum) == (34, 34)
    assert (CCI.sampling.minimum, CCI.sampling.maximum) == (38, 62)


# ---------------------------------------------------------------- loader refuses broken files


def _fji_text() -> str:
    return shipped_framework_paths()["hmip-fji"].read_text()


def _line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


@pytest.mark.parametrize(
    ("old", "new", "after", "field", "message"),
    [
        ("word_scale: fji_2014", "word_scale: fji_2041", "- id: PP\n", "areas[1].word_scale",
         "unknown word scale 'fji_2041'"),
        ("rating_method: judgement", "rating_method: judgment", "- id: GOV", "areas[4].rating_method",
         "Input should be 'cases' or 'judgement'"),
        ("items: [SS-01,", "items: [SS-99,", "- id: SS\n", "areas[3].items",
         "'SS-99' is not a scored item"),
        ("items: [RR-02, RR-03, RR-04, CWR-01]", "items: [RR-01, RR-03, RR-04, CWR-01]", "",
         "areas[6].items", "'RR-01' is not a scored item"),
        ("    area: PC\n", "    area: PX\n", "- id: PC-05", "items[",
         "unknown area 'PX'"),
        ("{word: Satisfactory, min_percent: 65}", "{word: Satisfactory, min_percent: 85}", "",
         "word_scales.fji_2014", "highest min_percent down to 0"),
        ("{percent}% of {work_phrase} was", "{percent}% of {work} was", "", "areas[0].score_sentence",
         "unknown field {work}"),
    ],
)  # fmt: skip
def test_loader_names_line_and_field_of_a_broken_areas_file(
    old: str, new: str, after: str, field: str, message: str
) -> None:
    text = _fji_text()
    start = text.index(after) if after else 0
    at = text.index(old, start)
    broken = text[:at] + new + text[at + len(old) :]
    with pytest.raises(FrameworkError) as info:
        parse_framework(broken, "fji.yaml")
    line = _line_of(broken, new, after)
    if field.endswith("score_sentence"):  # a folded value: the error points at its key
        line = _line_of(broken, "score_sentence:", after)
    problems = [str(p.field) + ": " + p.message for p in info.value.problems]
    assert any(field in p and message in p for p in problems), problems
    hit = next(p for p in info.value.problems if field in p.field and message in p.message)
    if field != "word_scales.fji_2014":  # a whole-table rule points at the table's line
        assert hit.line == line, (hit, line)
    assert f"fji.yaml:{hit.line}: {hit.field}: " in str(info.value)


def test_loader_refuses_a_judgement_area_that_pools_items() -> None:
    text = _fji_text().replace(
        "    rating_method: judgement\n", "    rating_method: judgement\n    items: [RR-02]\n", 1
    )
    with pytest.raises(FrameworkError, match=r"areas\[4\]\.items: a judgement area"):
        parse_framework(text, "fji.yaml")


# ---------------------------------------------------------------- FJI: Bromley 2015 (seed 002)

# Pooled yes / applicable giving the published case assessment scores.
BROMLEY = {"RR": (98, 251), "PP": (120, 235), "PC": (121, 220), "SS": (130, 200), "INT": (104, 242)}


def bromley_counts() -> dict[str, ItemCounts]:
    counts: dict[str, ItemCounts] = {}
    for area_id, (yes, applicable) in BROMLEY.items():
        counts.update(pooled(FJI, area_id, yes, applicable, na=20))
    return counts


def bromley() -> AreaRating:
    judged = {"GOV": WordOverride("Poor", "boards not working; little strategic partnership")}
    return rate_areas(FJI, bromley_counts(), judged_words=judged, chosen_optional_areas={"INT"})


def test_bromley_2015_fji_scores_and_words_are_reproduced() -> None:
    result = bromley()
    got = {a.id: (a.percent_text, a.word) for a in result.areas}
    assert got == {
        "RR": ("39%", "Poor"),
        "PP": ("51%", "Poor"),
        "PC": ("55%", "Unsatisfactory"),
        "SS": ("65%", "Satisfactory"),
        "GOV": ("n/a", "Poor"),
        "INT": ("43%", "Poor"),
    }
    # CYPNow: 'its lowest judgement of poor in four out of six categories'.
    assert sum(a.word == "Poor" for a in result.areas) == 4
    assert result.optional_areas_left_out == ("CWR",)
    assert all(a.word == a.default_word for a in result.areas if a.rating_method == "cases")


def test_bromley_score_sentences_match_the_report() -> None:
    result = bromley()
    sentence = {a.id: a.score_sentence for a in result.areas}
    assert sentence["RR"] == (
        "Within the case assessment, overall 39% of work to reduce reoffending was done well enough."
    )
    assert sentence["PP"] == (
        "Within the case assessment, overall 51% of work to protect the public was done well enough."
    )
    assert sentence["PC"] == (
        "Within the case assessment, overall 55% of work to protect children and young people "
        "and reduce their vulnerability was done well enough."
    )
    assert sentence["INT"] == (
        "Within the case assessment overall 43% of interventions to reduce reoffending were done "
        "well enough."
    )
    assert sentence["SS"] is not None
    assert "65% of work to ensure the sentence was served was done well enough" in sentence["SS"]
    assert sentence["GOV"] is None


def test_explanation_and_distance_to_the_next_word() -> None:
    rr = rate_areas(FJI, {"RR-02": Counts(45, 70)}).area("RR")
    assert rr.explanation == (
        "RR Poor: 39% (45/115) of work to reduce reoffending was done well enough, "
        "in the below-55% band"
    )
    # 63/115 = 54.8%, shown as 55%: Unsatisfactory; 62/115 = 53.9% is still Poor.
    assert rr.next_word == "18 more Yes answers would make it Unsatisfactory"
    ss = rate_areas(FJI, {"SS-01": Counts(13, 7)}).area("SS")
    assert ss.explanation.endswith("in the 65–79% band")
    assert ss.next_word == "3 more Yes answers would make it Good"
    top = rate_areas(FJI, {"SS-01": Counts(9, 1)}).area("SS")
    assert (top.word, top.next_word) == ("Good", "Good is the highest word")
    assert top.explanation.endswith("in the 80%-or-more band")


def test_the_word_goes_on_the_rounded_published_figure() -> None:
    # 109/200 = 54.5%, published as 55%: Unsatisfactory, with a note that the exact is Poor.
    pc = rate_areas(FJI, {"PC-01": Counts(109, 91)}).area("PC")
    assert (pc.percent_text, pc.word, pc.fraction) == ("55%", "Unsatisfactory", Fraction(109, 200))
    assert any("exact 54.50% is in the Poor band" in n for n in pc.notes)
    exact = parse_framework(
        _fji_text().replace("word_banding_basis: rounded", "word_banding_basis: exact")
    )
    assert rate_areas(exact, {"PC-01": Counts(109, 91)}).area("PC").word == "Poor"


def test_wilson_interval_and_word_boundary_flag() -> None:
    pp = rate_areas(FJI, {"PP-01": Counts(51, 49)}).area("PP")
    assert pp.interval == wilson_interval(51, 100, 0.95)
    assert pp.interval_crosses_word  # about 41-61%: spans 55
    rr = rate_areas(FJI, {"RR-02": Counts(30, 70)}).area("RR")
    assert rr.interval is not None and rr.interval[1] < 0.55
    assert not rr.interval_crosses_word


def test_na_answers_are_left_out_of_the_score() -> None:
    a = rate_areas(FJI, {"RR-02": Counts(3, 1, 30), "RR-03": Counts(0, 0, 34)}).area("RR")
    assert (a.yes, a.applicable, a.na, a.percent_text) == (3, 4, 64, "75%")
    assert a.item("RR-03").percent is None


# ---------------------------------------------------------------- CCI (seed 001 and spec §2.8)


@pytest.mark.parametrize(
    ("area_id", "yes", "applicable", "percent", "word", "who"),
    [
        ("ROH", 38, 75, 51, "Substantial improvement required", "Bexley 2012 (seed 001)"),
        ("ROH", 36, 100, 36, "Drastic improvement required", "Bournemouth & Poole 2011"),
        ("ROH", 47, 100, 47, "Substantial improvement required", "Hounslow; Wandsworth"),
        ("SG", 51, 100, 51, "Substantial improvement required", "Hounslow"),
        ("SG", 58, 100, 58, "Substantial improvement required", "Wandsworth"),
        ("SG", 64, 100, 64, "Moderate improvement required", "Bexley ('less development')"),
        ("LOR", 66, 100, 66, "Moderate improvement required", "Bexley ('less development')"),
    ],
)
def test_cci_published_score_word_pairs(
    area_id: str, yes: int, applicable: int, percent: int, word: str, who: str
) -> None:
    result = rate_areas(CCI, pooled(CCI, area_id, yes, applicable, na=5))
    area = result.area(area_id)
    assert (area.percent, area.word) == (percent, word), who


def test_cci_sentence_and_sections() -> None:
    counts = pooled(CCI, "ROH", 38, 75)
    roh = rate_areas(CCI, counts).area("ROH")
    assert (
        roh.score_sentence == "'Risk of Harm to others' work was done well enough 51% of the time."
    )
    s11, s21 = roh.sections
    assert (s11.id, s21.id) == ("1.1", "2.1")
    assert s11.yes + s21.yes == 38 and s11.applicable + s21.applicable == 75
    # LOR's outcome section is reported but not pooled into the headline.
    lor = rate_areas(CCI, {"RR-10": Counts(5, 5), "RR-02": Counts(3, 1)}).area("LOR")
    assert (lor.yes, lor.applicable) == (3, 4)
    assert lor.sections[2].applicable == 10
    assert not lor.item("RR-10").pooled


def test_a_cci_word_can_be_given_as_hmip_wrote_it() -> None:
    counts = pooled(CCI, "ROH", 38, 75)
    result = rate_areas(CCI, counts, {"ROH": ("DRASTIC", "serious concerns about MAPPA work")})
    roh = result.area("ROH")
    assert (roh.default_word, roh.word) == (
        "Substantial improvement required",
        "Drastic improvement required",
    )
    assert roh.override_reason == "serious concerns about MAPPA work"
    assert "the inspectors chose Drastic improvement required" in roh.explanation


# ---------------------------------------------------------------- words chosen by inspectors


def test_an_override_changes_the_word_and_keeps_the_computed_one() -> None:
    result = rate_areas(
        FJI, {"PP-01": Counts(51, 49)}, word_overrides={"PP": WordOverride("unsatisfactory", "x")}
    )
    pp = result.area("PP")
    assert (pp.default_word, pp.word, pp.override_reason) == ("Poor", "Unsatisfactory", "x")
    data = result.to_dict()["areas"]["PP"]
    assert (data["default_word"], data["word"], data["override_reason"]) == (
        "Poor",
        "Unsatisfactory",
        "x",
    )


@pytest.mark.parametrize(
    ("overrides", "judged", "message"),
    [
        ({"PP": ("Good", "")}, {}, "PP: a word other than the score's needs a written reason"),
        ({"PP": ("Excellent", "why")}, {}, "PP: 'Excellent' is not one of Good, Satisfactory"),
        ({"PP": ("Poor", "why")}, {}, "'Poor' is already the word for 51%"),
        ({"GOV": ("Good", "why")}, {}, "GOV is judged, not scored"),
        ({}, {"PP": ("Good", "why")}, "PP is scored from cases"),
        ({}, {"GOV": ("Adequate", "")}, "GOV: 'Adequate' is not one of"),
        ({"XX": ("Good", "why")}, {}, "unknown area 'XX'"),
        ({"RR": ("Good", "why")}, {}, "RR has no score yet"),
        ({"CWR": ("Good", "why")}, {}, "CWR is not chosen for this inspection"),
    ],
)
def test_bad_words_are_refused(
    overrides: dict[str, tuple[str, str]], judged: dict[str, tuple[str, str]], message: str
) -> None:
    with pytest.raises(RatingInputError, match=message):
        rate_areas(FJI, {"PP-01": Counts(51, 49)}, overrides, judged, chosen_optional_areas=set())


def test_an_sqs_area_takes_no_word() -> None:
    with pytest.raises(RatingInputError, match="PP takes no word in hmip-sqs@2"):
        rate_areas(SQS, {"PP-01": Counts(9, 5)}, {"PP": ("Good", "why")})
    with pytest.raises(RatingInputError, match="OM takes no word"):
        rate_areas(SQS, {}, judged_words={"OM": ("Good", "")})


def test_a_judgement_area_without_a_word_says_so() -> None:
    gov = rate_areas(FJI, {}).area("GOV")
    assert (gov.word, gov.percent, gov.explanation) == (
        None,
        None,
        "GOV: no judgement recorded yet",
    )
    om = rate_areas(SQS, {}).area("OM")
    assert om.word is None and "reported as narrative" in om.explanation


# ---------------------------------------------------------------- optional areas


def test_optional_areas_come_in_with_their_answers_or_by_choice() -> None:
    assert rate_areas(FJI, {}).optional_areas_left_out == ("INT", "CWR")
    with_int = rate_areas(FJI, {"INT-01": Counts(1, 1)})
    assert [a.id for a in with_int.areas][-1] == "INT"
    assert with_int.optional_areas_left_out == ("CWR",)
    # CWR pools RR-02..RR-04 but is only in when chosen, its own item is answered, or a word is.
    assert "CWR" not in [a.id for a in rate_areas(FJI, {"RR-02": Counts(3, 1)}).areas]
    chosen = rate_areas(FJI, {"RR-02": Counts(3, 1)}, chosen_optional_areas={"CWR"})
    assert chosen.area("CWR").applicable == 4
    with pytest.raises(RatingInputError, match="INT-01 is answered, but its area INT is not"):
        rate_areas(FJI, {"INT-01": Counts(1, 1)}, chosen_optional_areas={"CWR"})
    with pytest.raises(RatingInputError, match="RR is not an optional area"):
        rate_areas(FJI, {}, chosen_optional_areas={"RR"})


# ---------------------------------------------------------------- counting answers


def test_tally_counts_scored_and_recorded_items() -> None:
    counts = tally_items(
        SQS,
        [("C1", "PP-01", "yes"), ("C2", "PP-01", "No"), ("C3", "PP-01", "n/a"),
         ("C1", "PP-02", "Under"), ("C2", "PP-02", "accurate"), ("C1", "RR-01", "yes")],
    )  # fmt: skip
    assert counts["PP-01"] == Counts(1, 1, 1)
    pp02 = counts["PP-02"]
    assert isinstance(pp02, OptionCounts)
    assert dict(pp02.counts) == {"accurate": 1, "under": 1, "over": 0, "na": 0}
    assert counts["PC-01"] == Counts()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([("C1", "PP-99", "yes")], "unknown item 'PP-99'"),
        ([("C1", "PP-01", "yes"), ("C1", "PP-01", "no")], "case C1 answers PP-01 twice"),
        ([("C1", "PP-01", "maybe")], "'maybe' for PP-01 is not yes, no or na"),
        ([("C1", "PP-02", "yes")], "'yes' for PP-02 is not one of accurate, under, over, na"),
    ],
)
def test_tally_refuses_bad_answers(answers: list[tuple[str, str, str]], message: str) -> None:
    with pytest.raises(RatingInputError, match=message):
        tally_items(SQS, answers)


def test_rate_areas_checks_the_counts_it_is_given() -> None:
    with pytest.raises(RatingInputError, match="PP-02 is a recorded item"):
        rate_areas(SQS, {"PP-02": Counts(1, 1)})
    with pytest.raises(RatingInputError, match="PP-01 is scored"):
        rate_areas(SQS, {"PP-01": OptionCounts({"yes": 1})})
    with pytest.raises(RatingInputError, match="'maybe' is not one of"):
        rate_areas(SQS, {"PP-02": OptionCounts({"maybe": 1})})
    with pytest.raises(RatingInputError, match="unknown item 'ZZ-01'"):
        rate_areas(SQS, {"ZZ-01": Counts(1, 1)})
    with pytest.raises(RatingInputError, match="rates standards, not areas"):
        rate_areas(get_framework("hmip-youth-2021"), {})


# ---------------------------------------------------------------- SQS letters (seeds 000, 003)

# Bexley 2015, 14 cases: PSRs in ten (the great majority good); risk of harm understood in 9 of
# 14, level underestimated in two; further vulnerability assessment needed in only three;
# reviews due in 13, missing in five. Other counts are made up but fit the narrative.
BEXLEY_2015 = {
    "RR-02": (9, 1, 4), "RR-05": (13, 1, 0), "RR-06": (7, 4, 3), "RR-07": (12, 2, 0),
    "PP-01": (9, 5, 0), "PP-03": (9, 3, 2), "PP-08": (1, 0, 13),
    "PC-01": (11, 3, 0), "PC-03": (8, 5, 1), "PC-04": (12, 2, 0),
    "SS-01": (11, 3, 0), "SS-06": (5, 0, 9),
}  # fmt: skip


def bexley_2015() -> AreaRating:
    answers = answers_for(BEXLEY_2015, 14)
    answers += [(f"C{n:02}", "RR-01", "yes" if n <= 10 else "no") for n in range(1, 15)]
    answers += [(f"C{n:02}", "PP-02", "under" if n <= 2 else "accurate") for n in range(1, 15)]
    return rate_areas(SQS, tally_items(SQS, answers), sample_size=14)


def test_bexley_2015_sqs_counts_read_as_the_letter_does() -> None:
    result = bexley_2015()
    phrases = {i.id: i.phrase for a in result.areas for i in a.items if i.phrase}
    assert phrases["PP-01"] == "9 of the 14 cases"  # letter 2.1
    assert phrases["PC-01"] == "11 of the 14 cases"  # 3.1: 'further assessment in only three'
    assert phrases["PC-03"] == "8 out of 13 relevant cases"  # 3.2: 13 due, five missing
    rr01 = result.area("RR").item("RR-01")
    assert rr01.options is not None and rr01.options["yes"] == 10  # 'a PSR ... in ten'
    pp02 = result.area("PP").item("PP-02")
    assert pp02.options is not None and pp02.options["under"] == 2  # 'underestimated' in two


def test_bexley_2015_sqs_areas_have_no_published_score_or_word() -> None:
    pp = bexley_2015().area("PP")
    assert (pp.word, pp.default_word, pp.score_sentence, pp.next_word) == (None, None, None, None)
    assert pp.percent_text == "70%"  # (9 + 9 + 1) / (14 + 12 + 1), pooled by yjinspect
    assert "hmip-sqs published no area score" in pp.explanation


# Bedfordshire 2014, 20 cases.
BEDFORDSHIRE_2014 = {
    "PP-01": (19, 1, 0),  # 2.1 'all but one of the cases in the sample'
    "PP-03": (12, 2, 6),  # 2.2 '12 out of 14 relevant cases'
    "PP-05": (5, 3, 12),  # 2.3 'five out of eight relevant cases'
    "PC-05": (7, 3, 10),  # 3.4 'seven out of the ten relevant cases'
    "SS-01": (19, 1, 0),  # 4.2 'all but one case'
    "SS-02": (20, 0, 0),  # 4.2 'all cases in the planning process'
    "SS-06": (8, 3, 9),  # 4.4 '8 out of 11 relevant cases'
}


def test_bedfordshire_2014_sqs_counts_and_phrases() -> None:
    answers = answers_for(BEDFORDSHIRE_2014, 20)
    result = rate_areas(SQS, tally_items(SQS, answers), sample_size=20)
    phrases = {i.id: i.phrase for a in result.areas for i in a.items if i.phrase}
    assert phrases == {
        "PP-01": "all but one of the cases",
        "PP-03": "12 out of 14 relevant cases",
        "PP-05": "five out of eight relevant cases",  # as the letter writes it
        "PC-05": "seven out of ten relevant cases",  # the letter: 'seven out of the ten'
        "SS-01": "all but one of the cases",
        "SS-02": "all cases",
        "SS-06": "8 out of 11 relevant cases",
    }
    item = result.area("PP").item("PP-03")
    assert (item.yes, item.relevant, item.na, item.percent) == (12, 14, 6, 86)


def test_without_a_sample_size_no_na_reads_as_the_whole_sample() -> None:
    result = rate_areas(SQS, {"PP-01": Counts(9, 5), "PP-03": Counts(12, 2, 6)})
    assert result.area("PP").item("PP-01").phrase == "9 of the 14 cases"
    assert result.area("PP").item("PP-03").phrase == "12 out of 14 relevant cases"


def test_staff_interview_items_count_case_managers() -> None:
    answers = [(f"CM{n}", "OM-06", "no" if n == 1 else "yes") for n in range(1, 7)]
    answers.append(("C01", "PP-01", "yes"))
    counts = tally_items(SQS, answers)
    # The number of cases read (14) says nothing about how many staff were interviewed.
    om = rate_areas(SQS, counts, sample_size=14).area("OM")
    assert om.item("OM-06").phrase == "five of the six case managers interviewed"
    assert "narrative" in om.explanation


# ---------------------------------------------------------------- JSON shape


def test_to_dict_shape() -> None:
    data = json.loads(json.dumps(bromley().to_dict()))
    assert data["framework"] == "hmip-fji" and data["scoring_model"] == "areas"
    rr = data["areas"]["RR"]
    for key in ("name", "score_percent", "yes", "applicable", "interval", "default_word", "word",
                "override_reason", "explanation", "next_word", "items"):  # fmt: skip
        assert key in rr
    assert (rr["score_percent"], rr["yes"], rr["applicable"], rr["word"]) == (39, 98, 251, "Poor")
    item = rr["items"]["RR-02"]
    assert set(item) >= {"yes", "no", "relevant", "percent", "phrase", "text"}
    assert data["areas"]["GOV"]["judgement_reason"].startswith("boards")
    assert data["optional_areas_left_out"] == ["CWR"]
    assert data["areas"]["PP"]["items"]["PP-02"]["options"] == {
        "accurate": 0, "under": 0, "over": 0, "na": 0,
    }  # fmt: skip


# ---------------------------------------------------------------- properties


def _rank(fw: Framework, area_id: str, word: str | None) -> int:
    scale = fw.word_scales[fw.area(area_id).word_scale or ""]
    return [b.word for b in reversed(scale)].index(word or "")


scored_area = st.sampled_from(
    [(FJI, a.id) for a in FJI.areas if a.items] + [(CCI, a.id) for a in CCI.areas]
)


@settings(max_examples=300, deadline=None)
@given(scored_area, st.data())
def test_adding_a_yes_never_lowers_a_word(
    where: tuple[Framework, str], data: st.DataObject
) -> None:
    fw, area_id = where
    items = fw.area(area_id).items
    counts = {
        i: Counts(*data.draw(st.tuples(*[st.integers(0, 40)] * 3)))
        for i in data.draw(st.lists(st.sampled_from(items), min_size=1, unique=True))
    }
    target = data.draw(st.sampled_from(items))
    chosen = {area_id} if fw.area(area_id).optional else set()
    before = rate_areas(fw, counts, chosen_optional_areas=chosen).area(area_id)
    c = counts.get(target, Counts())
    added = {**counts, target: Counts(c.yes + 1, c.no, c.na)}
    after = rate_areas(fw, added, chosen_optional_areas=chosen).area(area_id)
    assert after.word is not None
    if before.word is not None:
        assert _rank(fw, area_id, after.word) >= _rank(fw, area_id, before.word)
    if c.no:  # a No turned into a Yes never lowers it either
        swapped = {**counts, target: Counts(c.yes + 1, c.no - 1, c.na)}
        turned = rate_areas(fw, swapped, chosen_optional_areas=chosen).area(area_id)
        assert before.word is not None and turned.word is not None
        assert _rank(fw, area_id, turned.word) >= _rank(fw, area_id, before.word)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(1, 60))
def test_next_word_count_is_exactly_enough(yes: int, no: int) -> None:
    area = rate_areas(FJI, {"PP-01": Counts(yes, no)}).area("PP")
    assert area.next_word is not None
    if area.word == "Good":
        return
    n = int(area.next_word.split()[0]) if area.next_word[0].isdigit() else 1
    up = rate_areas(FJI, {"PP-01": Counts(yes + n, no - n)}).area("PP")
    short = rate_areas(FJI, {"PP-01": Counts(yes + n - 1, no - n + 1)}).area("PP")
    assert up.word is not None and area.word is not None
    # With few answers one Yes can jump a band; the text names the word actually reached.
    assert _rank(FJI, "PP", up.word) > _rank(FJI, "PP", area.word)
    assert area.next_word.endswith(f"would make it {up.word}")
    assert short.word == area.word


# ---------------------------------------------------------------- CLI


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def counts_csv(counts: dict[str, ItemCounts]) -> str:
    rows = ["item,yes,no,na"]
    for item, c in counts.items():
        assert isinstance(c, Counts)
        rows.append(f"{item},{c.yes},{c.no},{c.na}")
    return "\n".join(rows) + "\n"


def test_cli_rates_fji_from_counts_json_and_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write(tmp_path, "a.csv", counts_csv(bromley_counts()))
    judgements = write(tmp_path, "j.csv", "area,word,reason\nGOV,poor,boards not working\n")
    code, out, _ = run(capsys, "rate", "hmip-fji", answers, "--judgements", judgements,
                       "--format", "json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    words = {k: (v["score_percent"], v["word"]) for k, v in data["areas"].items()}
    assert words == {
        "RR": (39, "Poor"), "PP": (51, "Poor"), "PC": (55, "Unsatisfactory"),
        "SS": (65, "Satisfactory"), "GOV": (None, "Poor"), "INT": (43, "Poor"),
    }  # fmt: skip
    code, out, _ = run(capsys, "rate", "hmip-fji", answers, "--judgements", judgements)
    assert code == 0
    assert "RR   Reducing reoffending" in out and "39% (98/251)" in out
    assert "Within the case assessment, overall 39% of work to reduce reoffending" in out
    assert "GOV  Governance and partnerships" in out and "Optional areas not covered: CWR" in out


def test_cli_rates_sqs_per_case_answers_in_the_letters_manner(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["case_ref,key_question,answer"]  # the current files' column name works too
    rows += [",".join(r) for r in answers_for(BEXLEY_2015, 14)]
    rows += [f"C{n:02},PP-02,{'Under' if n <= 2 else 'accurate'}" for n in range(1, 15)]
    answers = write(tmp_path, "a.csv", "\n".join(rows) + "\n")
    code, out, _ = run(capsys, "rate", "hmip-sqs", answers)
    assert code == 0
    assert "9 of the 14 cases" in out and "8 out of 13 relevant cases" in out
    assert "PP-02   recorded: accurate 12, under 2, over 0, na 0" in out
    code, out, _ = run(capsys, "rate", "hmip-sqs", answers, "--format", "json")
    data = json.loads(out)
    assert data["sample_size"] == 14
    assert data["areas"]["PP"]["items"]["PP-01"]["phrase"] == "9 of the 14 cases"
    assert data["areas"]["PP"]["word"] is None


def test_cli_rates_cci(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts: dict[str, ItemCounts] = {}
    for area_id, (yes, applicable) in {"SG": (64, 100), "ROH": (38, 75), "LOR": (66, 100)}.items():
        counts.update(pooled(CCI, area_id, yes, applicable))
    answers = write(tmp_path, "a.csv", counts_csv(counts))
    code, out, _ = run(capsys, "rate", "hmip-cci", answers, "--format", "json")
    assert code == 0
    data = json.loads(out)["areas"]
    assert data["ROH"]["score_percent"] == 51
    assert data["ROH"]["word"] == "Substantial improvement required"
    assert data["SG"]["word"] == data["LOR"]["word"] == "Moderate improvement required"
    code, out, _ = run(capsys, "rate", "hmip-cci", answers)
    assert code == 0 and "ROH  Risk of Harm to others" in out
    assert "'Risk of Harm to others' work was done well enough 51% of the time." in out


@pytest.mark.parametrize(
    ("framework", "answers", "judgements", "extra", "message"),
    [
        ("hmip-fji", "case_ref,item,answer\nC1,RR-99,yes\n", None, [],
         "row 2: unknown item 'RR-99' for hmip-fji@2"),
        ("hmip-fji", "case_ref,item,answer\nC1,RR-02,maybe\n", None, [],
         "row 2: answer 'maybe' is not yes, no or na"),
        ("hmip-sqs", "case_ref,item,answer\nC1,PP-02,yes\n", None, [],
         "row 2: answer 'yes' for PP-02 is not one of accurate, under, over, na"),
        ("hmip-fji", "case_ref,item,answer\nC1,RR-02,yes\nC1,RR-02,no\n", None, [],
         "row 3: case C1 already answered RR-02 at row 2"),
        ("hmip-fji", "case_ref,item,answer\n,RR-02,yes\n", None, [], "row 2: case_ref is blank"),
        ("hmip-sqs", "item,yes,no\nPP-02,3,1\n", None, [],
         "row 2: PP-02 is a recorded item"),
        ("hmip-cci", "item,yes,no\nPP-01,3,x\n", None, [], "row 2: no 'x' is not a whole number"),
        ("hmip-cci", "item,yes,no\nPP-01,3,1\nPP-01,3,1\n", None, [],
         "row 3: PP-01 is listed twice"),
        ("hmip-cci", "ref,q,a\n", None, [], "header must be 'case_ref,item,answer'"),
        ("hmip-fji", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nPP,Good,\n", [],
         "row 2: a word for PP other than its score's needs a reason"),
        ("hmip-fji", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nPP,Brilliant,x\n", [],
         "row 2: word 'Brilliant' is not one of Good, Satisfactory, Unsatisfactory, Poor"),
        ("hmip-fji", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nZZ,Good,x\n", [],
         "row 2: unknown area 'ZZ'"),
        ("hmip-fji", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nGOV,Good,\nGOV,Poor,\n", [],
         "row 3: area GOV is listed twice"),
        ("hmip-sqs", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nOM,Good,x\n", [],
         "row 2: OM takes no word in hmip-sqs@2"),
        ("hmip-fji", "item,yes,no\nPP-01,5,5\n", "area,word,reason\nPP,Poor,x\n", [],
         "PP: 'Poor' is already the word for 50%"),
        ("hmip-fji", "item,yes,no\nINT-01,5,5\n", None, ["--optional-areas", "CWR"],
         "INT-01 is answered, but its area INT is not chosen"),
        ("hmip-youth-2021", "key_question,yes,no\n2.1.desistance,3,1\n", None,
         ["--optional-areas", "INT"], "has no optional areas"),
    ],
)  # fmt: skip
def test_cli_errors_name_the_row_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    framework: str,
    answers: str,
    judgements: str | None,
    extra: list[str],
    message: str,
) -> None:
    args = ["rate", framework, write(tmp_path, "a.csv", answers), *extra]
    if judgements:
        args += ["--judgements", write(tmp_path, "j.csv", judgements)]
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_cli_lists_and_shows_the_earlier_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frameworks")
    assert code == 0
    for fid in ("hmip-sqs", "hmip-fji", "hmip-cci", "hmip-youth-2021"):
        assert fid in out
    assert "(7 areas, 49 items" in out
    code, out, _ = run(capsys, "frameworks", "show", "hmip-fji")
    assert code == 0
    assert "Words (fji_2014): Good >= 80%, Satisfactory >= 65%" in out
    assert "INT Interventions to reduce reoffending  (cases, optional, words: fji_2014)" in out
    assert "GOV Governance and partnerships  (judgement, words: fji_2014)" in out
    assert "    * Learning organisation" in out
    assert "    PP-02: " in out and "(recorded: accurate / under / over / na)" in out
    code, out, _ = run(capsys, "frameworks", "show", "hmip-cci")
    assert (
        code == 0 and "§ 1.1 Risk of Harm to others - assessment and planning: PP-01, PP-03" in out
    )
