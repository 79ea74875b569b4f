"""Outcome indicators in the web app: upload, every problem before saving, stored results.

The hand-made files below have answers worked out in the comments; the tests check the page,
the stored rows and `services.indicator_results` against those answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import Inspection
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator
from yjinspect.web.outcomes.services import indicator_results

pytestmark = pytest.mark.django_db

# Period 2023-04-01 to 2024-03-31; population 8 x 1,000 = 8,000 aged 10-17.
# P1 caution 2023-05-10 (first ever, in period)      -> FTE; cohort; reoffends (offence
#    2023-08-01, proven 2023-09-01, inside 12 + 6 months)
# P2 community resolution only                       -> never FTE, never in the cohort
# P3 referral order 2022-12-01, YRO 2023-06-01       -> not FTE (first was earlier); cohort from
#    2023-06-01; offence 2024-07-01 is after the 12-month follow-up: no reoffence
# P4 DTO 2023-10-01, released 2024-01-10             -> FTE; 1 custodial sentence; cohort from
#    release; offence 2024-03-01 proven 2025-08-01, after the waiting period: not counted
# P5 caution 2024-03-31 (period's last day)          -> FTE; cohort
# P6 caution 2024-04-01 (day after)                  -> not FTE, not cohort
# FTE 3/8,000 x 100,000 = 37.5; custody 1/8,000 x 1,000 = 0.125 -> 0.13 (half up);
# reoffending 1/4 = 25.0%; 1 reoffence: 1.00 per reoffender, 0.25 per child in the cohort.
CASES = """person_ref,age,offence_date,disposal_date,disposal_type,release_date
P1,15,2023-05-01,2023-05-10,youth_caution,
P1,15,2023-08-01,2023-09-01,referral_order,
P2,14,2023-04-02,2023-04-15,community_resolution,
P3,13,2022-11-01,2022-12-01,referral_order,
P3,14,2023-05-01,2023-06-01,yro,
P3,15,2024-07-01,2024-08-01,fine,
P4,16,2023-09-01,2023-10-01,dto,2024-01-10
P4,16,2024-03-01,2025-08-01,fine,
P5,17,2024-03-01,2024-03-31,youth_caution,
P6,12,2024-03-20,2024-04-01,youth_caution,
"""
POPULATION = "age,population\n" + "".join(f"{a},1000\n" for a in range(10, 18))
EXPECTED = {
    "fte": ("37.5", 3, 8000),
    "custody": ("0.13", 1, 8000),
    "reoffending": ("25.0", 1, 4),
    "frequency_per_reoffender": ("1.00", 1, 1),
    "frequency_per_offender": ("0.25", 1, 4),
}


def _csv(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _post(
    client: Client,
    inspection: Inspection,
    cases: str = CASES,
    population: str = POPULATION,
    **extra: object,
) -> object:
    data: dict[str, object] = {
        "cases_file": _csv("records.csv", cases),
        "population_file": _csv("pop.csv", population),
        "period_start": "2023-04-01",
        "period_end": "2024-03-31",
        "follow_up_months": "12",
        "waiting_months": "6",
        **extra,
    }
    return client.post(reverse("outcomes:upload", args=[inspection.pk]), data)


def _counts() -> tuple[int, int]:
    return IndicatorRun.objects.count(), StoredIndicator.objects.count()


def test_upload_computes_stores_and_shows_each_indicator(
    inspection: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    response = _post(client_as("lead"), inspection, national_fte="180.5", national_custody="0.1")
    assert response.status_code == 302  # type: ignore[attr-defined]
    run = IndicatorRun.objects.get(inspection=inspection)
    assert run.by == users["lead"]
    assert run.population == 8000 and run.case_rows == 10
    assert run.cases_sha256 == hashlib.sha256(CASES.encode()).hexdigest()
    assert run.population_sha256 == hashlib.sha256(POPULATION.encode()).hexdigest()
    results = {r.key: r for r in indicator_results(inspection)}
    assert [r.key for r in indicator_results(inspection)] == list(EXPECTED)
    for key, (value, numerator, denominator) in EXPECTED.items():
        assert (str(results[key].rounded), results[key].numerator, results[key].denominator) == (
            value,
            numerator,
            denominator,
        ), key
    assert results["fte"].value == Fraction(75, 2)  # stored exactly, not as a float
    fte = results["fte"].comparison
    assert fte is not None and fte.verdict == "better"
    assert fte.national == Decimal("180.5") and fte.difference == Decimal("-143")
    custody = results["custody"].comparison
    assert custody is not None and custody.verdict == "worse"  # 0.13 > 0.1
    assert results["reoffending"].comparison is None
    assert results["reoffending"].period.start.isoformat() == "2023-04-01"

    page = client_as("viewer").get(reverse("outcomes:indicators", args=[inspection.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "37.5" in html and "180.5" in html and "0.13" in html
    assert results["fte"].rule in html  # the rule sentence is shown with the figure
    assert ">8000<" in html and ">Better (-143" in html


def test_every_problem_listed_by_row_and_column_and_nothing_saved(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    bad_cases = (
        "person_ref,age,offence_date,disposal_date,disposal_type\n"
        "P1,15,2023-05-01,2023-05-10,youth_caution\n"
        "P2,15,2023-13-01,2023-05-10,youth_caution\n"  # row 3: no 13th month
        "P3,15,2023-05-01,2023-05-10,youth_caution\n"
        "P4,15,2023-05-01,2023-05-10,telling_off\n"  # row 5: unknown code
        "P5,9,2023-05-01,2023-05-10,fine\n"  # row 6: too young
    )
    bad_population = "age,population\n" + "".join(f"{a},1000\n" for a in range(10, 17))
    response = _post(client_as("lead"), inspection, bad_cases, bad_population)
    assert response.status_code == 200  # type: ignore[attr-defined]
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("cases", 3, "offence_date"),
        ("cases", 5, "disposal_type"),
        ("cases", 6, "age"),
        ("population", None, ""),
    ]
    assert "17" in problems[3].message  # the missing age is named
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "There are 4 problems in the files: nothing was saved" in html
    assert _counts() == (0, 0)


def test_rows_after_a_blank_line_keep_their_spreadsheet_numbers(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    bad_cases = (
        "person_ref,age,offence_date,disposal_date,disposal_type\n"
        "P1,15,2023-05-01,2023-05-10,youth_caution\n"
        "\n"  # row 3 left blank
        "P2,15,2023-05-01,2023-05-10,telling_off\n"  # row 4: unknown code
        "P3,9,2023-05-01,2023-05-10,fine\n"  # row 5: too young
    )
    population = "age,population\n" + "".join(f"{a},1000\n" for a in range(10, 18))
    response = _post(client_as("lead"), inspection, bad_cases, population)
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("cases", 4, "disposal_type"),
        ("cases", 5, "age"),
    ]
    assert _counts() == (0, 0)


@pytest.mark.parametrize("column", ["child_name", "date_of_birth", "DOB", "Postcode"])
def test_name_like_columns_are_refused(
    inspection: Inspection, client_as: Callable[[str], Client], column: str
) -> None:
    lines = CASES.splitlines()
    cases = "\n".join([f"{column},{lines[0]}", *(f"x,{line}" for line in lines[1:])]) + "\n"
    response = _post(client_as("lead"), inspection, cases)
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert len(problems) == 1
    assert column.lower() in problems[0].message and "refusing" in problems[0].message.lower()
    assert _counts() == (0, 0)


def test_comparators_loaded_from_a_file_and_a_disagreement_refused(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    national = "indicator,value\nfte,180.5\nreoffending,32.2\n"
    response = _post(
        client_as("lead"),
        inspection,
        comparators_file=_csv("national.csv", national),
        national_fte="170",
    )
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert len(problems) == 1 and "fte" in problems[0].message
    assert _counts() == (0, 0)

    _post(client_as("lead"), inspection, comparators_file=_csv("national.csv", national))
    results = {r.key: r for r in indicator_results(inspection)}
    reoffending = results["reoffending"].comparison
    assert reoffending is not None and reoffending.national == Decimal("32.2")
    assert reoffending.verdict == "better"  # 25.0 < 32.2
    assert IndicatorRun.objects.get().comparator_source == "national.csv"


def test_bad_comparator_rows_are_named(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    national = "indicator,value\nfte,lots\nsunshine,3\ncustody,0.123456\n"
    response = _post(client_as("lead"), inspection, comparators_file=_csv("national.csv", national))
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert [(p.file, p.row) for p in problems] == [
        ("comparators", 2),
        ("comparators", 3),
        ("comparators", 4),
    ]
    assert _counts() == (0, 0)


def test_latest_run_wins_and_every_run_is_kept_with_history(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    assert indicator_results(inspection) == []
    lead = client_as("lead")
    _post(lead, inspection)
    smaller = POPULATION.replace("10,1000", "10,0")  # 7,000: FTE 3/7,000 x 100,000 = 42.857...
    _post(lead, inspection, population=smaller)
    assert IndicatorRun.objects.count() == 2
    fte = indicator_results(inspection)[0]
    assert (fte.denominator, str(fte.rounded)) == (7000, "42.9")
    assert IndicatorRun.history.filter(history_type="+").count() == 2
    assert StoredIndicator.history.filter(history_user__username="lead").count() == 10
    first = IndicatorRun.objects.order_by("at", "pk").first()
    assert first is not None
    page = lead.get(reverse("outcomes:indicators", args=[inspection.pk]), {"run": first.pk})
    assert page.context["run"] == first  # type: ignore[attr-defined]
    assert (
        lead.get(reverse("outcomes:indicators", args=[inspection.pk]), {"run": "x"}).status_code
        == 404
    )


def test_the_form_keeps_the_last_run_settings(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    _post(
        lead, inspection, national_fte="180.5", cohort_start="2023-01-01", cohort_end="2023-03-31"
    )
    form = lead.get(reverse("outcomes:upload", args=[inspection.pk])).context["form"]  # type: ignore[attr-defined]
    assert form.initial["cohort_start"].isoformat() == "2023-01-01"
    assert form.initial["national_fte"] == Decimal("180.5")


def test_invalid_dates_and_files_are_form_errors(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    response = _post(lead, inspection, period_end="2023-01-01", cohort_start="2023-01-01")
    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert "period_end" in errors and "cohort_end" in errors
    response = lead.post(
        reverse("outcomes:upload", args=[inspection.pk]),
        {
            "cases_file": SimpleUploadedFile("records.xlsx", b"PK\x03\x04"),
            "population_file": SimpleUploadedFile("pop.csv", b"\xff\xfe\x00a"),
            "period_start": "2023-04-01",
            "period_end": "2024-03-31",
            "follow_up_months": "12",
            "waiting_months": "6",
        },
    )
    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert "not a CSV file" in errors["cases_file"][0]
    assert _counts() == (0, 0)


def test_undecodable_and_nul_files_are_problems_not_errors(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    response = lead.post(
        reverse("outcomes:upload", args=[inspection.pk]),
        {
            "cases_file": SimpleUploadedFile("records.csv", b"person_ref\x00,age\n"),
            "population_file": SimpleUploadedFile("pop.csv", b"age,population\n\xff\xfe"),
            "period_start": "2023-04-01",
            "period_end": "2024-03-31",
            "follow_up_months": "12",
            "waiting_months": "6",
        },
    )
    problems = response.context["problems"]  # type: ignore[attr-defined]
    assert [p.file for p in problems] == ["cases", "population"]
    assert "NUL" in problems[0].message and "UTF-8" in problems[1].message
    assert _counts() == (0, 0)


def test_file_names_are_escaped_on_the_page(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead = client_as("lead")
    lead.post(
        reverse("outcomes:upload", args=[inspection.pk]),
        {
            "cases_file": _csv("<img src=x onerror=alert(1)>.csv", CASES),
            "population_file": _csv("pop.csv", POPULATION),
            "period_start": "2023-04-01",
            "period_end": "2024-03-31",
            "follow_up_months": "12",
            "waiting_months": "6",
        },
    )
    html = lead.get(reverse("outcomes:indicators", args=[inspection.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.csv" in html


def test_a_published_inspection_refuses_uploads(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    inspection.state = "published"
    inspection.save()
    assert _post(client_as("lead"), inspection).status_code == 403  # type: ignore[attr-defined]
    assert _counts() == (0, 0)
