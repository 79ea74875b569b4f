"""Outcome indicators: small hand-made cohorts whose answers are worked out in the comments."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yjinspect.cli import main
from yjinspect.core.indicators import (
    CAUTIONS,
    COURT_NON_CUSTODIAL,
    CUSTODIAL,
    NON_SUBSTANTIVE,
    Case,
    IndicatorInputError,
    Period,
    Rules,
    add_months,
    compute_indicators,
    custody_rate,
    first_time_entrants,
    parse_comparators,
    parse_period,
    read_cases,
    read_population,
    reoffending,
)

HEADER = "person_ref,age,age_at_offence,offence_date,disposal_date,disposal_type,custodial,release_date,breach"
YEAR = parse_period("2023-04-01:2024-03-31")
COHORT = parse_period("2023-01-01:2023-03-31")


def cases(*rows: str) -> list[Case]:
    return read_cases([HEADER, *rows])


# ---------------------------------------------------------------- first-time entrants

FTE_ROWS = (
    # A: youth caution on the period's first day -> FTE; a second conviction later in the
    # same period must not count A twice.
    "A,14,14,2023-03-01,2023-04-01,youth_caution,no,,",
    "A,14,14,2023-08-01,2023-09-01,referral_order,no,,",
    # B: a community resolution first (not formal entry), then a youth caution on the
    # period's last day -> FTE (first formal outcome on 2024-03-31, inclusive).
    "B,13,13,2023-04-20,2023-05-01,community_resolution,no,,",
    "B,13,13,2024-03-01,2024-03-31,youth_caution,no,,",
    # C: first caution the day before the period -> entered earlier, not an FTE this year.
    "C,15,15,2023-03-01,2023-03-31,youth_caution,no,,",
    "C,15,15,2023-05-01,2023-06-01,fine,no,,",
    # D: first conviction the day after the period -> not an FTE this year.
    "D,16,16,2024-03-01,2024-04-01,fine,no,,",
    # E: only diversion -> never an FTE.
    "E,12,12,2023-06-01,2023-06-02,community_resolution,no,,",
    "E,12,12,2023-07-01,2023-07-02,outcome_22,no,,",
    # F: first formal outcome at 18 -> outside 10-17, not a youth FTE.
    "F,18,17,2023-06-01,2023-07-01,youth_conditional_caution,no,,",
)


def test_fte_counts_first_formal_outcome_in_period_once() -> None:
    # FTEs = A and B = 2; population 16,000; 2 * 100,000 / 16,000 = 12.5 per 100,000.
    result = first_time_entrants(cases(*FTE_ROWS), 16_000, YEAR)
    assert (result.numerator, result.denominator) == (2, 16_000)
    assert result.value == Fraction(25, 2)
    assert result.rounded == Decimal("12.5")
    assert "local-records" in result.rule
    assert any("small count" in n for n in result.notes)


def test_community_resolution_is_not_first_entry() -> None:
    # B alone without the caution: just a community resolution -> 0 FTEs.
    result = first_time_entrants(cases(FTE_ROWS[2]), 16_000, YEAR)
    assert result.numerator == 0
    # and if the configuration counted community resolutions, B would be an FTE on 2023-05-01.
    wider = Rules(substantive=Rules().substantive | {"community_resolution"})
    assert first_time_entrants(cases(FTE_ROWS[2]), 16_000, YEAR, wider).numerator == 1


def test_fte_rate_per_100000_rounds_half_up() -> None:
    # 1 FTE / 16,000 * 100,000 = 6.25 exactly: half-up gives 6.3 (banker's rounding would give 6.2).
    result = first_time_entrants(cases(FTE_ROWS[0]), 16_000, YEAR)
    assert result.rounded == Decimal("6.3")
    # 3 / 17,100 * 100,000 = 17.5438... -> 17.5
    three = cases(FTE_ROWS[0], FTE_ROWS[3], "G,11,11,2023-10-01,2023-10-02,fine,no,,")
    assert first_time_entrants(three, 17_100, YEAR).rounded == Decimal("17.5")


def test_fte_age_at_offence_rule() -> None:
    # F was 17 at the offence and 18 at the outcome: counted only under the age-at-offence rule.
    rows = cases(FTE_ROWS[-1])
    assert first_time_entrants(rows, 16_000, YEAR).numerator == 0
    assert first_time_entrants(rows, 16_000, YEAR, Rules(fte_age_at="offence")).numerator == 1


# ---------------------------------------------------------------- custody

CUSTODY_ROWS = (
    # G: two offences sentenced together to a DTO on 2023-10-01 -> one sentencing occasion;
    # a further s250 sentence on 2024-01-15 -> a second occasion.
    "G,16,16,2023-08-01,2023-10-01,dto,yes,2024-01-01,",
    "G,16,16,2023-08-02,2023-10-01,dto,yes,2024-01-01,",
    "G,16,16,2023-11-01,2024-01-15,s250,yes,,",
    # H: DTO the day after the period -> not counted.
    "H,17,17,2024-02-01,2024-04-01,dto,yes,,",
    # I: a referral order is not custody.
    "I,15,15,2023-05-01,2023-06-01,referral_order,no,,",
)


def test_custody_rate_arithmetic() -> None:
    # 2 occasions / 16,000 * 1,000 = 0.125 per 1,000 -> 0.13 (half-up, 2 places).
    result = custody_rate(cases(*CUSTODY_ROWS), 16_000, YEAR)
    assert (result.numerator, result.denominator) == (2, 16_000)
    assert result.value == Fraction(1, 8)
    assert result.rounded == Decimal("0.13")
    # Bexley-style: no custodial sentences -> 0.00
    assert custody_rate(cases(CUSTODY_ROWS[-1]), 16_000, YEAR).rounded == Decimal("0.00")


# ---------------------------------------------------------------- proven reoffending

# Cohort 2023-01-01..2023-03-31, 12 months' follow-up, 6 months' wait.
REOFFENDING_ROWS = (
    # P1: caution on the cohort's first day (start s = 2023-01-01). Reoffences:
    #   offence 2023-06-01 proven 2023-08-01 -> counts;
    #   offence 2023-12-31 (last day before s + 12m = 2024-01-01) proven 2024-07-01 (= s + 18m,
    #   the last day of the waiting period) -> counts.  P1: reoffender, 2 reoffences.
    "P1,15,15,2022-12-01,2023-01-01,youth_caution,no,,",
    "P1,15,15,2023-06-01,2023-08-01,fine,no,,",
    "P1,16,15,2023-12-31,2024-07-01,referral_order,no,,",
    # P2: referral order on the cohort's last day (s = 2023-03-31, window to 2024-03-31
    # exclusive, proven by 2024-09-30).
    #   offence 2024-03-30 (in the follow-up) proven 2024-10-01 -> after the wait: NOT counted;
    #   offence 2024-03-31 (the day the follow-up ends) -> NOT counted.  P2: not a reoffender.
    "P2,14,14,2023-02-01,2023-03-31,referral_order,no,,",
    "P2,15,15,2024-03-30,2024-10-01,fine,no,,",
    "P2,15,15,2024-03-31,2024-05-01,fine,no,,",
    # P3: caution at 17 on 2023-02-01; reoffence committed at 18 on 2023-11-01, proven
    # 2023-12-01 -> counts by default (the spec keeps offences after 18).  1 reoffence.
    "P3,17,17,2023-01-15,2023-02-01,youth_caution,no,,",
    "P3,18,18,2023-11-01,2023-12-01,fine,no,,",
    # P4: community resolution in the cohort period (not a qualifying disposal), caution after
    # it -> not in the cohort.
    "P4,13,13,2023-01-15,2023-02-01,community_resolution,no,,",
    "P4,13,13,2023-04-15,2023-05-01,youth_caution,no,,",
    # P5: DTO given 2022-10-01, released 2023-02-15 -> start s = release date, in the cohort.
    #   offence 2023-03-01 dealt with by community resolution -> not proven, not counted;
    #   breach (yes) proven 2023-04-15 -> breaches excluded;
    #   offence 2022-09-01 (before s) proven 2023-05-01 -> not a reoffence.  P5: not a reoffender.
    "P5,16,16,2022-08-01,2022-10-01,dto,yes,2023-02-15,",
    "P5,16,16,2023-03-01,2023-03-10,community_resolution,no,,",
    "P5,16,16,2023-04-01,2023-04-15,yro,no,,yes",
    "P5,16,16,2022-09-01,2023-05-01,fine,no,,",
    # P6: caution 2023-01-10 and YRO 2023-02-20 both in the cohort period: the earliest is the
    # index event; the YRO's offence (2023-01-20) falls in the follow-up -> 1 reoffence.
    "P6,12,12,2023-01-01,2023-01-10,youth_caution,no,,",
    "P6,12,12,2023-01-20,2023-02-20,yro,no,,",
    # P7 and P8: cautions the day after and the day before the cohort -> not in the cohort.
    "P7,14,14,2023-03-15,2023-04-01,youth_caution,no,,",
    "P8,14,14,2022-12-15,2022-12-31,youth_caution,no,,",
)


def test_reoffending_worked_cohort() -> None:
    # N = P1, P2, P3, P5, P6 = 5; R = P1, P3, P6 = 3; F = 2 + 1 + 1 = 4.
    # binary = 3/5 = 60.0%; per reoffender = 4/3 = 1.33; per offender = 4/5 = 0.80.
    binary, per_reoffender, per_offender = reoffending(cases(*REOFFENDING_ROWS), COHORT)
    assert (binary.numerator, binary.denominator) == (3, 5)
    assert binary.rounded == Decimal("60.0")
    assert (per_reoffender.numerator, per_reoffender.denominator) == (4, 3)
    assert per_reoffender.rounded == Decimal("1.33")
    assert (per_offender.numerator, per_offender.denominator) == (4, 5)
    assert per_offender.rounded == Decimal("0.80")
    assert any("under 30" in n for n in binary.notes)
    assert "12 months" in binary.rule and "6 months" in binary.rule


def test_reoffending_after_18_can_be_excluded() -> None:
    # Without P3's adult reoffence: R = 2 (P1, P6), F = 3, N still 5 -> 40.0%.
    binary, _, per_offender = reoffending(
        cases(*REOFFENDING_ROWS), COHORT, Rules(count_reoffences_after_18=False)
    )
    assert (binary.numerator, binary.denominator, per_offender.numerator) == (2, 5, 3)
    assert binary.rounded == Decimal("40.0")


def test_longer_wait_counts_the_late_proof() -> None:
    # With a 7-month wait, P2's offence of 2024-03-30 proven 2024-10-01 (<= 2024-10-31) counts:
    # R = 4, F = 5.  The P1 and P3 results are unchanged.
    binary, _, per_offender = reoffending(cases(*REOFFENDING_ROWS), COHORT, Rules(waiting_months=7))
    assert (binary.numerator, per_offender.numerator) == (4, 5)


def test_custodial_sentence_without_release_is_noted_not_indexed() -> None:
    rows = cases("Q,16,16,2023-01-01,2023-02-01,dto,yes,,")
    binary, per_reoffender, _ = reoffending(rows, COHORT)
    assert binary.denominator == 0 and binary.value is None and per_reoffender.value is None
    assert any("no release_date" in n for n in binary.notes)


def test_provisional_until_wait_is_over() -> None:
    # The cohort ends 2023-03-31; follow-up + wait end 2024-09-30.
    early, *_ = reoffending(cases(*REOFFENDING_ROWS), COHORT, as_of=date(2024, 9, 30))
    late, *_ = reoffending(cases(*REOFFENDING_ROWS), COHORT, as_of=date(2024, 10, 1))
    assert any("provisional" in n for n in early.notes)
    assert not any("provisional" in n for n in late.notes)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2023, 3, 31), 18) == date(2024, 9, 30)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# ---------------------------------------------------------------- comparators


def test_comparison_better_and_worse() -> None:
    rows = cases(*FTE_ROWS, *CUSTODY_ROWS)
    comparators = parse_comparators("fte=180.5,custody=0.07,reoffending=100.0")
    results = {r.key: r for r in compute_indicators(rows, 16_000, YEAR, COHORT, comparators)}
    # FTEs: A, B, G (DTO 2023-10-01), I (referral order 2023-06-01) = 4 -> 25.0 per 100,000;
    # 25.0 - 180.5 = -155.5: lower is better.
    fte = results["fte"].comparison
    assert fte is not None and fte.verdict == "better" and fte.difference == Decimal("-155.5")
    assert "better than the comparator 180.5 per 100,000 aged 10-17 by 155.5" in fte.sentence(
        results["fte"].unit
    )
    custody = results["custody"].comparison
    assert custody is not None and custody.verdict == "worse"
    assert custody.difference == Decimal("0.06")  # 0.13 - 0.07
    # Reoffending cohort (Jan-Mar 2023): only C (caution 2023-03-31), fined for an offence of
    # 2023-05-01 -> 1/1 = 100.0%, the same as the comparator.
    reoff = results["reoffending"].comparison
    assert reoff is not None and reoff.verdict == "same" and reoff.difference == 0
    # a comparator for a figure with no value (no reoffenders -> no frequency) is left out
    empty = compute_indicators(
        cases(FTE_ROWS[0]), 16_000, YEAR, COHORT, {"frequency_per_reoffender": Decimal(1)}
    )
    assert all(r.comparison is None for r in empty)


def test_comparators_from_csv_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "national.csv"
    path.write_text("indicator,value\nfte,180.5\nreoffending,32.2\n")
    assert parse_comparators(str(path)) == {"fte": Decimal("180.5"), "reoffending": Decimal("32.2")}
    with pytest.raises(IndicatorInputError, match="unknown indicator"):
        parse_comparators("ftes=1")
    with pytest.raises(IndicatorInputError, match="not a number"):
        parse_comparators("fte=abc")


# ---------------------------------------------------------------- input checks


@pytest.mark.parametrize(
    "header",
    ["person_ref,date_of_birth,age", "person_ref,child_name,age", "person_ref,DOB,age"],
)
def test_identifying_columns_refused(header: str) -> None:
    bad = header.split(",")[1].lower()
    with pytest.raises(IndicatorInputError, match=f"refusing column.*{bad}"):
        read_cases([header + ",offence_date,disposal_date,disposal_type"])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("A,14,14,2023-13-01,2023-04-01,youth_caution,no,,", "row 3, column offence_date"),
        ("A,14,14,2023-03-01,2023-04-01,caution,no,,", "row 3, column disposal_type"),
        ("A,9,9,2023-03-01,2023-04-01,youth_caution,no,,", "row 3, column age"),
        ("A,14,14,2023-03-01,2023-04-01,youth_caution,yes,,", "row 3, column custodial"),
        ("A,14,14,2023-05-01,2023-04-01,youth_caution,no,,", "row 3, column offence_date"),
        ("A,14,14,2023-03-01,2023-04-01,dto,yes,2023-01-01,", "row 3, column release_date"),
        (",14,14,2023-03-01,2023-04-01,fine,no,,", "row 3, column person_ref"),
    ],
)
def test_bad_rows_named(row: str, message: str) -> None:
    with pytest.raises(IndicatorInputError, match=message):
        cases(FTE_ROWS[0], row)


def test_every_bad_row_is_collected_when_asked_and_the_good_rows_read() -> None:
    rows = [
        HEADER,
        FTE_ROWS[0],
        "A,14,14,2023-13-01,2023-04-01,youth_caution,no,,",  # row 3: no 13th month
        "A,14,14,2023-03-01,2023-04-01,caution,no,,",  # row 4: unknown code
        FTE_ROWS[1],
    ]
    found: list[IndicatorInputError] = []
    read = read_cases(rows, problems=found)
    assert [c.row for c in read] == [2, 5]
    assert [str(e).split(":")[0] for e in found] == [
        "row 3, column offence_date",
        "row 4, column disposal_type",
    ]
    # Without the list the first problem raises, as before.
    with pytest.raises(IndicatorInputError, match="row 3, column offence_date"):
        read_cases(rows)


def test_column_problems_raise_even_when_row_problems_are_collected() -> None:
    with pytest.raises(IndicatorInputError, match="missing column"):
        read_cases(["person_ref,age", "A,14"], problems=[])


def test_row_numbers_are_the_spreadsheets_even_after_blank_rows() -> None:
    rows = [HEADER, FTE_ROWS[0], "", ",,,,,,,,", "A,14,14,2023-03-01,2023-04-01,caution,no,,"]
    with pytest.raises(IndicatorInputError, match="row 5, column disposal_type"):
        read_cases(rows)
    population = ["age,population", "", *(f"{a},1000" for a in range(10, 17)), "17,lots"]
    with pytest.raises(IndicatorInputError, match="row 10, column population"):
        read_population(population)


def test_population_files() -> None:
    by_age = ["age,population", "9,999", *(f"{a},1000" for a in range(10, 18)), "18,999"]
    assert read_population(by_age) == 8_000  # ages 9 and 18 ignored
    assert read_population(["area,population_10_17", "E09000004,20000", "E09000006,30000"]) == (
        50_000
    )
    with pytest.raises(IndicatorInputError, match="no row for age"):
        read_population(["age,population", "10,5"])
    with pytest.raises(IndicatorInputError, match="row 3, column population_10_17"):
        read_population(["area,population_10_17", "X,5", "Y,lots"])
    with pytest.raises(IndicatorInputError, match="repeats row 2"):
        read_population(["area,population_10_17", "X,5", "X,6"])


def test_period_parsing() -> None:
    assert parse_period("2023-04-01:2024-03-31") == Period(date(2023, 4, 1), date(2024, 3, 31))
    for bad in ("2023-04-01", "2024-01-01:2023-01-01", "2023-04-01:soon"):
        with pytest.raises(IndicatorInputError):
            parse_period(bad)


# ---------------------------------------------------------------- properties

_DAY0 = date(2022, 1, 1)
_case = st.builds(
    lambda ref, age, off, gap, code, rel: Case(
        0,
        ref,
        age,
        age,
        _DAY0 + timedelta(days=off),
        _DAY0 + timedelta(days=off + gap),
        code,
        _DAY0 + timedelta(days=off + gap + rel) if code in CUSTODIAL and rel >= 0 else None,
        False,
    ),
    st.sampled_from("ABCDEF"),
    st.integers(10, 19),
    st.integers(0, 900),
    st.integers(0, 200),
    st.sampled_from(sorted(CAUTIONS | COURT_NON_CUSTODIAL | CUSTODIAL | NON_SUBSTANTIVE)),
    st.integers(-1, 300),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_case, max_size=25), st.lists(_case, max_size=10))
def test_diversion_never_changes_any_indicator(base: list[Case], extra: list[Case]) -> None:
    diversions = [
        Case(
            c.row,
            c.person_ref,
            c.age,
            c.age,
            c.offence_date,
            c.disposal_date,
            "community_resolution",
            None,
            False,
        )
        for c in extra
    ]
    period = Period(date(2022, 6, 1), date(2023, 5, 31))
    before = compute_indicators(base, 10_000, period)
    after = compute_indicators(base + diversions, 10_000, period)
    assert [(r.numerator, r.denominator) for r in before] == [
        (r.numerator, r.denominator) for r in after
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(_case, max_size=25), st.integers(0, 12))
def test_reoffending_counts_are_consistent(rows: list[Case], wait: int) -> None:
    cohort = Period(date(2022, 4, 1), date(2022, 9, 30))
    binary, per_reoffender, per_offender = reoffending(rows, cohort, Rules(waiting_months=wait))
    n, r, f = binary.denominator, binary.numerator, per_offender.numerator
    assert 0 <= r <= n <= len({c.person_ref for c in rows})
    assert r <= f and (f == 0) == (r == 0)
    assert per_reoffender.numerator == f and per_reoffender.denominator == r
    # a longer wait can only let more reoffences be proven
    longer, _, longer_f = reoffending(rows, cohort, Rules(waiting_months=wait + 1))
    assert longer.numerator >= r and longer_f.numerator >= f
    # FTEs: each child at most once
    assert first_time_entrants(rows, 1_000, cohort).numerator <= len({c.person_ref for c in rows})


# ---------------------------------------------------------------- CLI


def _files(tmp_path: Path, *rows: str) -> tuple[str, str]:
    case_file = tmp_path / "cases.csv"
    case_file.write_text("\n".join([HEADER, *rows]) + "\n")
    pop = tmp_path / "pop.csv"
    pop.write_text("area,population_10_17\nE09000004,16000\n")
    return str(case_file), str(pop)


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_file, pop = _files(tmp_path, *FTE_ROWS, *CUSTODY_ROWS, *REOFFENDING_ROWS)
    code = main(
        [
            "indicators", case_file, "--population", pop,
            "--period", "2023-04-01:2024-03-31", "--cohort", "2023-01-01:2023-03-31",
            "--format", "json", "--compare", "fte=180.5,reoffending=32.2,custody=0.07",
            "--as-of", "2025-01-01",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    # FTE: A and B (as above), G (first outcome the DTO of 2023-10-01), I (referral order
    # 2023-06-01), P4 (caution 2023-05-01) and P7 (caution 2023-04-01) = 6; the P-children's
    # other first outcomes fall before the period.  6 * 100,000 / 16,000 = 37.5.
    assert (data["fte"]["numerator"], data["fte"]["value"]) == (6, "37.5")
    assert data["fte"]["comparison"] == {
        "national": "180.5", "difference": "-143.0", "verdict": "better"
    }  # fmt: skip
    assert (data["custody"]["numerator"], data["custody"]["value"]) == (2, "0.13")
    # Reoffending: the worked cohort (N 5, R 3) plus C, cautioned on 2023-03-31 (in the cohort)
    # and fined for an offence of 2023-05-01: N 6, R 4 -> 66.7%, worse than 32.2 by 34.5.
    assert (data["reoffending"]["numerator"], data["reoffending"]["denominator"]) == (4, 6)
    assert data["reoffending"]["value"] == "66.7"
    assert data["reoffending"]["comparison"]["difference"] == "34.5"
    assert data["reoffending"]["comparison"]["verdict"] == "worse"


def test_cli_text_and_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case_file, pop = _files(tmp_path, *FTE_ROWS)
    assert (
        main(["indicators", case_file, "--population", pop, "--period", "2023-04-01:2024-03-31"])
        == 0
    )
    out = capsys.readouterr().out
    assert "First-time entrants: 12.5 per 100,000 aged 10-17  (2/16000" in out
    bad_file, _ = _files(tmp_path, FTE_ROWS[0], "Z,14,14,2023-03-01,2023-04-01,warning,no,,")
    code = main(["indicators", bad_file, "--population", pop, "--period", "2023-04-01:2024-03-31"])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 3, column disposal_type" in err


def test_index_offence_is_not_its_own_reoffence() -> None:
    # Offence and caution on the same day (s = 2023-02-01): the offence date equals the start
    # point, but it is the index offence, so N = 1, R = 0.  A second offence committed that same
    # day and cautioned later does count: R = 1, F = 1.
    same_day = "S,14,14,2023-02-01,2023-02-01,youth_caution,no,,"
    binary, *_ = reoffending(cases(same_day), COHORT)
    assert (binary.numerator, binary.denominator) == (0, 1)
    later = "S,14,14,2023-02-01,2023-06-01,youth_conditional_caution,no,,"
    binary, _, per_offender = reoffending(cases(same_day, later), COHORT)
    assert (binary.numerator, per_offender.numerator) == (1, 1)
