"""The published-results CSV loader: every problem named by row and column, and the shipped
example file reproducing the seeds' figures; plus the change-within-noise rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from yjinspect.core.published import COLUMNS, PublishedError, parse_published, service_key
from yjinspect.core.trend import Change, Proportion, compare

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src" / "yjinspect" / "demo" / "published-results.csv"
)
HEADER = ",".join(COLUMNS)
GOOD = (
    "Bexley,hmip-youth-2021,1,2024-07-12,inspection,key_question,2.1.others_safety,,78,7,9,seed 004"
)


def problems(text: str) -> list[str]:
    with pytest.raises(PublishedError) as exc:
        parse_published(text)
    return [str(p) for p in exc.value.problems]


def test_a_clean_row_is_read_with_its_counts() -> None:
    [figure] = parse_published(f"{HEADER}\n{GOOD}\n")
    assert figure.row == 2
    assert (figure.numerator, figure.denominator, figure.percent) == (7, 9, Decimal("78"))
    assert figure.item_kind == "key_question" and not figure.fictitious


def test_a_version_that_only_adds_wording_keeps_the_earlier_versions_figures() -> None:
    """hmip-youth-2021 version 2 adds the report's sentences and rates as version 1 did."""
    for version in ("1", "2"):
        [figure] = parse_published(f"{HEADER}\n{GOOD.replace(',1,2024', f',{version},2024')}\n")
        assert figure.framework_version == int(version)


def test_missing_and_unknown_columns_are_named() -> None:
    found = problems("service,framework_id,colour\nBexley,hmip-sqs,red\n")
    assert any("missing columns" in p and "published" in p for p in found)
    assert any("unknown columns: colour" in p for p in found)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD.replace("hmip-youth-2021", "hmip-youth-2099"), "row 2, column framework_id"),
        (
            GOOD.replace(",1,2024", ",3,2024"),
            "row 2, column framework_version: hmip-youth-2021 version 3 is not shipped",
        ),
        (GOOD.replace("2024-07-12", "12/07/2024"), "row 2, column published"),
        (GOOD.replace(",inspection,", ",review,"), "row 2, column kind"),
        (
            GOOD.replace("2.1.others_safety", "2.9.others_safety"),
            "row 2, column item_id: hmip-youth-2021 has no key question '2.9.others_safety'",
        ),
        (
            GOOD.replace(",78,7,9,", ",90,7,9,"),
            "row 2, column percent: 90% does not agree with 7/9",
        ),
        (
            GOOD.replace(",78,7,9,", ",78,10,9,"),
            "row 2, column numerator: 10 is more than the denominator 9",
        ),
        (
            GOOD.replace(",78,7,9,", ",78,7,,"),
            "row 2, column denominator: numerator and denominator go together",
        ),
        (
            GOOD.replace(",78,7,9,", ",101,,,"),
            "row 2, column percent: 101 is not between 0 and 100",
        ),
        (GOOD.replace(",,78,7,9,", ",Good,78,7,9,"), "row 2, column rating: a key question"),
        (GOOD.replace(",78,7,9,", ",,,,"), "row 2, column rating: the row has no figure"),
        (GOOD.replace("seed 004", ""), "row 2, column source: is empty"),
        (
            GOOD.replace("key_question", "theme"),
            "row 2, column item_kind: hmip-youth-2021 has standards",
        ),
        (
            "Bexley,hmip-youth-2021,1,2024-07-12,inspection,standard,2.2,Adequate,,,,s",
            "row 2, column rating: 'Adequate' is not a rating",
        ),
        (
            "Bromley,hmip-fji,1,2015-05,inspection,theme,RR,Excellent,39,,,s",
            "row 2, column rating: 'Excellent' is not a word hmip-fji gives to RR",
        ),
        (
            "Bexley,hmip-sqs,1,2015-07-01,inspection,question,PP-99,,64,9,14,s",
            "row 2, column item_id: hmip-sqs has no question 'PP-99'",
        ),
        (
            "Bexley,hmip-youth-2021,1,2024-07-12,inspection,overall,overall,Good,75,27,36,s",
            "row 2, column percent: an overall rating takes no percentage",
        ),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(row: str, expected: str) -> None:
    found = problems(f"{HEADER}\n{row}\n")
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_in_the_file_is_reported_not_just_the_first() -> None:
    bad_date = GOOD.replace("2024-07-12", "2024-13-01")
    bad_item = GOOD.replace("2.1.others_safety", "nope").replace("2024-07-12", "2024-07-13")
    found = problems(f"{HEADER}\n{GOOD}\n{bad_date}\n{bad_item}\n")
    assert any(p.startswith("row 3, column published") for p in found)
    assert any(p.startswith("row 4, column item_id") for p in found)


def test_the_same_figure_twice_is_refused_naming_the_first_row() -> None:
    found = problems(f"{HEADER}\n{GOOD}\n{GOOD.replace('Bexley', 'Bexley YJS')}\n")
    assert found == ["row 3, column item_id: the same figure is already given in row 2"]


def test_a_framework_path_is_never_read() -> None:
    found = problems(f"{HEADER}\n{GOOD.replace('hmip-youth-2021', '/etc/passwd')}\n")
    assert any("is not a shipped framework" in p for p in found)


def test_month_only_dates_and_short_words_are_accepted() -> None:
    row = "Bexley YOT,hmip-cci,1,2012-01,inspection,area,ROH,SUBSTANTIAL,51,,,press"
    [figure] = parse_published(f"{HEADER}\n{row}\n")
    assert figure.date_precision == "month"
    assert figure.rating == "Substantial improvement required"
    assert figure.service_key == "bexley"


def test_service_key_matches_one_service_across_its_names() -> None:
    assert service_key("Bexley YOT") == service_key("Bexley Youth Justice Service") == "bexley"
    assert service_key("Richmond upon Thames YJS") == "richmond-upon-thames"


def test_shipped_example_holds_the_seed_figures() -> None:
    figures = parse_published(EXAMPLE.read_text(encoding="utf-8"))
    by = {(f.service, f.framework_id, f.item_id): f for f in figures}
    assert by[("Bexley", "hmip-youth-2021", "overall")].rating == "Good"
    assert by[("Bexley", "hmip-youth-2021", "overall")].numerator == 27
    assert by[("Bexley", "hmip-youth-2021", "2.2")].rating == "Requires improvement"
    assert by[("Bexley", "hmip-youth-2021", "2.2.others_safety")].percent == 56
    assert by[("Bexley", "hmip-sqs", "PP-01")].numerator == 9
    assert by[("Bexley", "hmip-cci", "ROH")].percent == 51
    assert by[("Bromley", "hmip-fji", "PC")].rating == "Unsatisfactory"
    assert by[("Bromley", "hmip-fji", "RR")].percent == 39
    assert by[("Bedfordshire", "hmip-sqs", "SS-06")].denominator == 11
    fictitious = [f for f in figures if f.fictitious]
    assert fictitious and all(f.service.startswith("Fictitious") for f in fictitious)
    assert all(not f.fictitious for f in figures if not f.service.startswith("Fictitious"))


# ---------------------------------------------------------------- change within the noise


def test_six_of_nine_to_nine_of_nine_is_no_clear_change() -> None:
    # 6/9: Wilson 95% [35.4%, 87.9%]; 9/9: [70.1%, 100%]: they overlap.
    result = compare(Proportion(6, 9), Proportion(9, 9), 0.95)
    assert result.change == Change.NO_CLEAR_CHANGE
    assert result.earlier is not None and result.later is not None
    assert round(result.earlier[1], 3) == 0.879 and round(result.later[0], 3) == 0.701


def test_two_of_twenty_to_eighteen_of_twenty_is_clearly_higher() -> None:
    # 2/20: [2.8%, 30.1%]; 18/20: [69.9%, 97.2%]: no overlap.
    assert compare(Proportion(2, 20), Proportion(18, 20), 0.95).change == Change.HIGHER
    assert compare(Proportion(18, 20), Proportion(2, 20), 0.95).change == Change.LOWER


def test_a_lower_confidence_can_turn_noise_into_a_clear_change() -> None:
    # 10/20 against 17/20: 95% intervals overlap ([29.9, 70.1] and [64.0, 94.8]); 80% do not.
    assert compare(Proportion(10, 20), Proportion(17, 20), 0.95).change == Change.NO_CLEAR_CHANGE
    assert compare(Proportion(10, 20), Proportion(17, 20), 0.80).change == Change.HIGHER


def test_a_figure_without_counts_cannot_be_tested() -> None:
    assert compare(None, Proportion(9, 9), 0.95).change == Change.UNKNOWN
    assert compare(Proportion(0, 0), Proportion(9, 9), 0.95).change == Change.UNKNOWN
