"""The crosswalk from the earlier programmes' areas to the current standards."""

from __future__ import annotations

from pathlib import Path

import pytest

from yjinspect.core.crosswalk import (
    CROSSWALK_PATH,
    Crosswalk,
    CrosswalkError,
    CrosswalkRow,
    check_crosswalk,
    crosswalk_rows,
    load_crosswalk,
    parse_crosswalk,
)
from yjinspect.core.legacy import AreaRating, WordOverride, rate_areas, tally_items
from yjinspect.core.rating_files import read_answers, read_judgements
from yjinspect.core.ratings import Counts, InspectionRating, RatingInputs, rate
from yjinspect.frameworks import get_framework

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def bexley_2024() -> InspectionRating:
    """Bexley 2024 from the shipped example files (court n=9, out of court n=14)."""
    fw = get_framework("hmip-youth-2021")
    counts = read_answers(EXAMPLES / "bexley-2024-answers.csv", fw)
    judgements, discretion = read_judgements(EXAMPLES / "bexley-2024-judgements.csv", fw)
    return rate(fw, RatingInputs(counts, judgements, discretion))


def bexley_2015_sqs() -> AreaRating:
    """A small Bexley 2015 SQS: 14 cases; risk of harm understood in 9, plan good in 10 of 12;
    vulnerability assessed well in 11, reviews done in 8 of the 13 due."""
    sqs = get_framework("hmip-sqs")
    rows = []
    for item, yes, no in [("PP-01", 9, 5), ("PP-03", 10, 2), ("PC-01", 11, 3), ("PC-03", 8, 5)]:
        answers = ["yes"] * yes + ["no"] * no
        answers += ["na"] * (14 - len(answers))
        rows += [(f"C{n:02}", item, a) for n, a in enumerate(answers, 1)]
    return rate_areas(sqs, tally_items(sqs, rows), sample_size=14)


def by_pair(rows: list[CrosswalkRow]) -> dict[tuple[str, str], CrosswalkRow]:
    return {(r.current_id, r.earlier_area): r for r in rows}


def test_the_shipped_crosswalk_is_complete_and_consistent() -> None:
    cw = load_crosswalk()
    assert check_crosswalk(cw) == []
    assert set(cw.earlier) == {"hmip-sqs", "hmip-fji", "hmip-cci"}
    assert cw.current_frameworks == ["hmip-youth-2021", "hmip-youth-2018"]
    assert "measures differ" in cw.note
    for fid, mappings in cw.earlier.items():
        assert [m.area for m in mappings] == [a.id for a in get_framework(fid).areas]
        assert all(m.note.strip() for m in mappings)


def test_mappings_follow_the_brief() -> None:
    cw = load_crosswalk()

    def targets(fid: str, area: str) -> list[str]:
        m = cw.mapping(fid, area)
        assert m is not None
        return m.current

    court = ["2.1", "2.2", "2.3", "2.4"]
    assert targets("hmip-fji", "RR") == [f"{s}.desistance" for s in court]
    assert targets("hmip-fji", "PP") == [f"{s}.others_safety" for s in court]
    assert targets("hmip-fji", "PC") == [f"{s}.child_safety" for s in court]
    assert targets("hmip-fji", "GOV") == ["1.1", "1.2", "1.3", "1.4"]
    assert all(t.endswith(".desistance") for t in targets("hmip-fji", "SS"))
    assert targets("hmip-cci", "ROH") == [f"{s}.others_safety" for s in court]
    assert targets("hmip-cci", "SG") == [f"{s}.child_safety" for s in court]
    assert targets("hmip-cci", "LOR") == [f"{s}.desistance" for s in court]
    assert all(t.endswith(".others_safety") for t in targets("hmip-sqs", "PP"))


def test_bexley_2015_sqs_beside_bexley_2024() -> None:
    rows = crosswalk_rows(bexley_2015_sqs(), bexley_2024())
    pairs = by_pair(rows)
    pp = pairs[("2.1.others_safety", "PP")]
    assert pp.current_label == "2.1 Assessment: keeping other people safe"
    assert (pp.current_figure, pp.current_percent, pp.current_rating) == ("78% (7/9)", 78, "Good")
    # SQS PP pooled by yjinspect: (9 + 10) / (14 + 12) = 73%; no word, not published.
    assert pp.earlier_figure.startswith("73% (19/26) (pooled by yjinspect")
    assert (pp.earlier_percent, pp.earlier_word) == (73, None)
    assert "pooled by yjinspect" in pp.note
    planning = pairs[("2.2.others_safety", "PP")]
    assert (planning.current_figure, planning.current_rating) == (
        "56% (5/9)",
        "Requires improvement",
    )
    pc = pairs[("2.1.child_safety", "PC")]
    assert (pc.current_figure, pc.earlier_figure.split(" (pooled")[0]) == (
        "67% (6/9)",
        "70% (19/27)",
    )
    assert pairs[("2.1.desistance", "RR")].earlier_figure == "no applicable answers"
    om = pairs[("1.2", "OM")]
    assert (om.current_figure, om.earlier_figure) == ("Outstanding", "narrative only (no word)")
    assert om.current_percent is None
    # Rows follow the SQS area order, then the crosswalk's target order.
    assert [r.earlier_area for r in rows][:3] == ["RR", "RR", "RR"]
    assert rows[-1].earlier_area == "OM"
    assert all(r.note for r in rows)
    assert set(rows[0].to_dict()) >= {"current_id", "current_figure", "earlier_area",
                                      "earlier_figure", "note"}  # fmt: skip


def test_an_fji_beside_a_current_inspection_carries_words() -> None:
    fji = get_framework("hmip-fji")
    earlier = rate_areas(
        fji,
        {"PP-01": Counts(51, 49), "INT-01": Counts(43, 57)},
        judged_words={"GOV": WordOverride("Poor", "")},
    )
    rows = crosswalk_rows(earlier, bexley_2024())
    pairs = by_pair(rows)
    assert pairs[("2.3.others_safety", "PP")].earlier_figure == "51% (51/100), Poor"
    assert pairs[("2.3.others_safety", "PP")].current_rating == "Outstanding"
    gov = pairs[("1.1", "GOV")]
    assert (gov.earlier_figure, gov.current_figure) == ("Poor", "Good")
    assert ("2.3.desistance", "INT") in pairs
    assert not [r for r in rows if r.earlier_area == "CWR"]  # not covered by this FJI


def test_a_cci_beside_a_2018_inspection() -> None:
    cci = get_framework("hmip-cci")
    earlier = rate_areas(cci, {"PP-01": Counts(38, 37)})
    fw2018 = get_framework("hmip-youth-2018")
    current = rate(fw2018, RatingInputs({"2.1.others_safety": Counts(7, 2)}))
    rows = crosswalk_rows(earlier, current)
    roh = by_pair(rows)[("2.1.others_safety", "ROH")]
    assert roh.earlier_figure == "51% (38/75), Substantial improvement required"
    assert roh.current_figure == "78% (7/9)"
    assert by_pair(rows)[("2.2.others_safety", "ROH")].current_figure == "no applicable answers"


def test_results_the_crosswalk_does_not_cover_are_refused() -> None:
    earlier = bexley_2015_sqs()
    current = bexley_2024()
    narrow = Crosswalk.model_validate(
        {**load_crosswalk().model_dump(), "current_frameworks": ["hmip-youth-2018"]}
    )
    with pytest.raises(CrosswalkError, match="covers hmip-youth-2018, not hmip-youth-2021"):
        crosswalk_rows(earlier, current, narrow)
    with pytest.raises(CrosswalkError, match="no mappings for hmip-youth-2021"):
        fake = AreaRating("hmip-youth-2021", 1, (), (), None)
        crosswalk_rows(fake, current)


def test_a_broken_crosswalk_names_line_and_field(tmp_path: Path) -> None:
    text = CROSSWALK_PATH.read_text()
    start = text.index("  hmip-fji:")
    at = text.index("      note: >-", start)
    end = text.index("    - area: PP", at)
    broken = text[:at] + text[end:]  # the FJI RR mapping loses its note
    with pytest.raises(CrosswalkError) as info:
        parse_crosswalk(broken, "cw.yaml")
    line = broken[: broken.index("    - area: RR", start)].count("\n") + 1
    assert f"cw.yaml:{line}: earlier.hmip-fji[0].note: Field required" in str(info.value)


def test_check_finds_unknown_targets_areas_and_gaps(tmp_path: Path) -> None:
    text = CROSSWALK_PATH.read_text()
    text = text.replace(
        "current: [2.1.desistance, 2.2.desistance, 2.4.desistance]",
        "current: [2.9.desistance, 2.2.desistance, 2.4.desistance]",
        1,
    )
    text = text.replace("    - area: OM\n", "    - area: ZZ\n", 1)
    path = tmp_path / "cw.yaml"
    path.write_text(text)
    with pytest.raises(CrosswalkError) as info:
        load_crosswalk(path)
    message = str(info.value)
    assert "earlier.hmip-sqs[0]: '2.9.desistance' is not in hmip-youth-2021" in message
    assert "earlier.hmip-sqs: area OM is not mapped" in message
    assert "unknown area 'ZZ'" in message
