"""The demo's FICTITIOUS outcome files: reproducible, readable by the core, plausible in size,
pseudonymous, consistent with the demo inspection (no resettlement cases), comparators marked
illustrative."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from yjinspect.core.caselist import looks_like_a_name
from yjinspect.core.indicators import (
    COMPARATOR_KEYS,
    CUSTODIAL,
    IndicatorResult,
    compute_indicators,
    read_cases,
    read_population,
)
from yjinspect.demo.outcomes import (
    COMPARATOR_SOURCE,
    CUSTODY_QUIET_FROM,
    RECORDS_END,
    DemoOutcomeFiles,
    Sizes,
    generate_outcome_files,
)

FIELDWORK = date(2024, 4, 8)
SEEDS = range(12)


def comparators(files: DemoOutcomeFiles) -> dict[str, Decimal]:
    return {
        r["indicator"]: Decimal(r["value"])
        for r in csv.DictReader(io.StringIO(files.comparators_csv))
    }


def indicators(files: DemoOutcomeFiles) -> dict[str, IndicatorResult]:
    cases = read_cases(io.StringIO(files.records_csv))
    population = read_population(io.StringIO(files.population_csv))
    results = compute_indicators(
        cases,
        population,
        files.period,
        cohort=files.cohort,
        comparators=comparators(files),
        as_of=FIELDWORK,
    )
    return {r.key: r for r in results}


def rows(files: DemoOutcomeFiles) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files.records_csv)))


@pytest.fixture(scope="module")
def demo() -> DemoOutcomeFiles:
    return generate_outcome_files(20240408)


def test_same_seed_same_files_and_another_seed_other_records() -> None:
    assert generate_outcome_files(3) == generate_outcome_files(3)
    assert generate_outcome_files(3).records_csv != generate_outcome_files(4).records_csv


@pytest.mark.parametrize("seed", SEEDS)
def test_sizes_are_those_of_a_mid_sized_county(seed: int) -> None:
    """About 18,000 children, about 60 first-time entrants, a cohort big enough to publish,
    some reoffenders with several reoffences each, and a few custodial sentences."""
    files = generate_outcome_files(seed)
    found = indicators(files)
    assert 17_000 <= found["fte"].denominator <= 19_000
    assert 50 <= found["fte"].numerator <= 70
    assert 1 <= found["custody"].numerator <= 4
    binary = found["reoffending"]
    assert binary.denominator >= 50  # not under the suppression threshold of 30
    assert 0.2 <= binary.numerator / binary.denominator <= 0.5
    assert 1.5 <= found["frequency_per_reoffender"].numerator / binary.numerator <= 5
    # final, not provisional, by the fieldwork: the cohort's follow-up and wait are over
    assert not any("provisional" in note for note in binary.notes)
    assert 800 <= len(rows(files)) <= 3_000


def test_the_indicator_year_has_the_custody_count_asked_for(demo: DemoOutcomeFiles) -> None:
    assert indicators(demo)["custody"].numerator == Sizes().custody_in_period
    none = indicators(generate_outcome_files(20240408, Sizes(custody_in_period=0)))
    assert none["custody"].numerator == 0
    fewer = indicators(generate_outcome_files(20240408, Sizes(entrants_per_year=20)))
    assert 15 <= fewer["fte"].numerator <= 25


@pytest.mark.parametrize("seed", SEEDS)
def test_no_custody_in_the_demo_sample_window_and_nothing_after_the_records_end(
    seed: int,
) -> None:
    """The demo inspection rates no resettlement: no child sentenced to or released from
    custody from CUSTODY_QUIET_FROM on, and no record dated after the records' last day."""
    records = rows(generate_outcome_files(seed))
    custodial = [r for r in records if r["disposal_type"] in CUSTODIAL]
    assert custodial
    for r in custodial:
        assert r["custodial"] == "yes" and r["release_date"]
        assert date.fromisoformat(r["disposal_date"]) < CUSTODY_QUIET_FROM
        assert date.fromisoformat(r["release_date"]) < CUSTODY_QUIET_FROM
    assert max(date.fromisoformat(r["disposal_date"]) for r in records) <= RECORDS_END
    assert {r["custodial"] for r in records if r["disposal_type"] not in CUSTODIAL} == {"no"}


def test_records_are_pseudonymous_and_hold_ages_not_birth_dates(demo: DemoOutcomeFiles) -> None:
    records = rows(demo)
    assert set(records[0]) == {
        "person_ref",
        "age",
        "age_at_offence",
        "offence_date",
        "disposal_date",
        "disposal_type",
        "custodial",
        "release_date",
        "breach",
    }
    for r in records:
        assert re.fullmatch(r"DEMO-P\d{5}", r["person_ref"])
        assert not looks_like_a_name(r["person_ref"])
        assert 10 <= int(r["age_at_offence"]) <= int(r["age"]) <= 21
    # a child's history, not one row each: some children have several records
    per_child: dict[str, int] = {}
    for r in records:
        per_child[r["person_ref"]] = per_child.get(r["person_ref"], 0) + 1
    assert max(per_child.values()) >= 4
    assert any(r["breach"] == "yes" for r in records)  # breaches are in, and not reoffences


def test_population_has_every_age_once(demo: DemoOutcomeFiles) -> None:
    table = list(csv.DictReader(io.StringIO(demo.population_csv)))
    assert [int(r["age"]) for r in table] == list(range(10, 18))
    assert all(1_900 <= int(r["population"]) <= 2_600 for r in table)


def test_comparators_are_marked_illustrative_and_plausible(demo: DemoOutcomeFiles) -> None:
    figures = comparators(demo)
    assert set(figures) == set(COMPARATOR_KEYS)
    assert Decimal(100) <= figures["fte"] <= Decimal(400)  # per 100,000 aged 10-17
    assert Decimal(20) <= figures["reoffending"] <= Decimal(45)  # per cent
    assert Decimal(0) < figures["custody"] < Decimal(1)  # per 1,000 aged 10-17
    per_offender = figures["reoffending"] / 100 * figures["frequency_per_reoffender"]
    assert abs(per_offender - figures["frequency_per_offender"]) < Decimal("0.05")
    assert "ILLUSTRATIVE" in COMPARATOR_SOURCE and demo.comparator_source == COMPARATOR_SOURCE
    assert "ILLUSTRATIVE" in demo.comparators_name
    assert all("ILLUSTRATIVE" in line for line in demo.comparators_csv.splitlines()[1:])
    assert "FICTITIOUS" in demo.records_name and "FICTITIOUS" in demo.population_name
