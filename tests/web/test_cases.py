"""The case list, and importing it: preview with every problem, then an all-or-nothing commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.core.caselist import CANONICAL_COLUMNS, parse_case_list
from yjinspect.web.inspections.models import Case, CaseListImport, Inspection, State
from yjinspect.web.inspections.services import caselists
from yjinspect.web.inspections.services.caselists import ImportRefused

pytestmark = pytest.mark.django_db

GOOD = {
    "case_ref": "YJ001",
    "domain": "court",
    "disposal_type": "referral_order",
    "start_date": "2023-09-04",
    "end_date": "",
    "case_manager": "CM01",
    "risk_of_harm": "low",
    "safety_wellbeing": "medium",
    "sex": "male",
    "ethnicity_group": "white",
    "age": "15",
    "looked_after": "no",
    "custody": "no",
}


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def good(n: int, **changes: str) -> dict[str, str]:
    return {**GOOD, "case_ref": f"YJ{n:05d}", **changes}


def make_csv(
    rows: Sequence[dict[str, str]], extra: dict[str, Sequence[str]] | None = None
) -> bytes:
    """Canonical headings (plus any extra columns, with one value per row)."""
    extra = extra or {}
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([*CANONICAL_COLUMNS, *extra])
    for i, row in enumerate(rows):
        writer.writerow(
            [row.get(c, "") for c in CANONICAL_COLUMNS] + [v[i] for v in extra.values()]
        )
    return out.getvalue().encode("utf-8")


def upload(client: Client, inspection: Inspection, data: bytes, name: str = "cases.csv") -> str:
    """Upload a file, follow the redirect, and return the preview page's HTML."""
    response = client.post(
        reverse("inspections:case_import", args=[inspection.pk]),
        {"case_list": _file(data, name)},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def _file(data: bytes, name: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def commit(client: Client, inspection: Inspection) -> str:
    response = client.post(
        reverse("inspections:case_import_commit", args=[inspection.pk]), follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def commit_in(client: Client, inspection: Inspection, lang: str) -> str:
    url = reverse("inspections:case_import_commit", args=[inspection.pk])
    response = client.post(f"{url}?lang={lang}", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def problem_cells(html: str) -> list[tuple[str, str]]:
    """(row, column) of each problem in the preview's problems table."""
    table = html[html.index('id="problems"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">([^<]*)</td>\s*'
        r'<td class="govuk-table__cell">(?:<code>)?([^<]*)',
        table,
    )
    return [(row.strip(), column.strip()) for row, column in cells]


def test_errors_are_listed_by_row_and_column_and_nothing_is_saved_until_fixed(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    rows = [
        good(1),
        good(2, domain="crown court"),  # row 3: unknown domain
        good(3, start_date="31/02/2024"),  # row 4: not a real date
        good(4, risk_of_harm=""),  # row 5: required but blank
        good(5, age="25"),  # row 6: outside the age range
        good(6, disposal_type="youth_caution"),  # row 7: disposal not in the court domain
    ]
    html = upload(client, inspection, make_csv(rows))
    assert set(problem_cells(html)) == {
        ("3", "domain"),
        ("4", "start_date"),
        ("5", "risk_of_harm"),
        ("6", "age"),
        ("7", "disposal_type"),
    }
    assert "There are 5 problems in this file" in html
    assert "Nothing has been added to the inspection" in html
    assert reverse("inspections:case_import_commit", args=[inspection.pk]) not in html
    # Committing anyway is refused and writes nothing.
    commit(client, inspection)
    assert not Case.objects.exists() and not CaseListImport.objects.exists()

    fixed = [
        good(1),
        good(2),
        good(3, start_date="01/02/2024"),
        good(4),
        good(5, age="15"),
        good(6, domain="out_of_court", disposal_type="youth_caution"),
    ]
    html = upload(client, inspection, make_csv(fixed))
    assert "The file has 6 cases and no problems" in html
    assert "Add 6 cases to the inspection" in html
    assert not Case.objects.exists()  # the preview saves nothing
    page = commit(client, inspection)
    assert "Added 6 cases from cases.csv" in page
    assert sorted(Case.objects.values_list("case_ref", flat=True)) == [
        f"YJ{n:05d}" for n in range(1, 7)
    ]
    record = CaseListImport.objects.get()
    assert (record.rows, record.filename, record.by.username) == (6, "cases.csv", "lead")
    case = Case.objects.get(case_ref="YJ00003")
    assert case.start_date == dt.date(2024, 2, 1) and case.imported_by == record
    assert Case.objects.get(case_ref="YJ00006").domain == "out_of_court"
    # The preview is gone once committed: committing twice adds nothing.
    commit(client, inspection)
    assert Case.objects.count() == 6


def test_preview_shows_counts_mapping_ignored_columns_and_notices(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    text = (
        "Export from CMS\n"
        "Case reference;Court/OOCD;Order;Start date;Worker;RoSH;SaW;Team\n"
        "AB1;court;YRO;08/09/2023;CM1;high;low;North\n"
        "AB2;OOCD;Triage;09/09/2023;CM2;low;low;South\n"
        "AB3;court;RO;10/09/2023;CM2;medium;medium;South\n"
    )
    html = upload(client_as("lead"), inspection, text.encode())
    assert "Court disposals" in html and "Out-of-court disposals" in html
    assert re.search(r"Court disposals</td><td[^>]*>2<", html)
    assert 'Case reference</td><td class="govuk-table__cell"><code>case_ref</code>' in html
    assert "<li>Team</li>" in html  # ignored column, listed by heading only
    assert "North" not in html  # ... and its contents never shown
    assert "Columns are separated by semicolons." in html
    assert "above the column headings" in html  # the title row was skipped, with a notice


def test_xlsx_upload_works(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Case ref", "Domain", "Disposal", "Start date", "Case manager", "RoSH", "SaW"])
    sheet.append(["X100", "Court", "Referral order", dt.date(2023, 10, 2), "CM9", "Low", "High"])
    sheet.append(["X101", "OOCD", "Youth caution", dt.date(2023, 10, 3), "CM9", "Med", "Low"])
    out = io.BytesIO()
    book.save(out)
    client = client_as("lead")
    html = upload(client, inspection, out.getvalue(), "list.xlsx")
    assert "Add 2 cases to the inspection" in html
    commit(client, inspection)
    case = Case.objects.get(case_ref="X100")
    assert (case.domain, case.disposal_type, case.start_date, case.safety_wellbeing) == (
        "court",
        "referral_order",
        dt.date(2023, 10, 2),
        "high",
    )
    assert Case.objects.get(case_ref="X101").risk_of_harm == "medium"


def test_a_name_column_is_refused_and_its_values_never_appear(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, at its most talkative
    client = client_as("lead")
    names = ["Jane Smith", "Robert Oduya"]
    data = make_csv([good(1), good(2)], extra={"Child name": names})
    html = upload(client, inspection, data)
    assert "Child name" in html and "looks like personal data" in html
    assert reverse("inspections:case_import_commit", args=[inspection.pk]) not in html
    problems = client.get(reverse("inspections:case_import_problems", args=[inspection.pk]))
    stored = "".join(p.read_text() for p in (tmp_path / "imports").iterdir())
    for name in names:
        for part in name.split():
            assert part not in html
            assert part not in problems.content.decode()
            assert part not in stored
            assert part not in caplog.text
    assert not Case.objects.exists()


def test_a_name_in_any_cell_is_masked_in_the_problems(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    html = upload(
        client, inspection, make_csv([good(1, case_ref="Jane Smith"), good(2, sex="Robert Oduya")])
    )
    assert "J*** S****" in html and "R***** O****" in html
    assert "Jane" not in html and "Oduya" not in html
    csv_text = client.get(
        reverse("inspections:case_import_problems", args=[inspection.pk])
    ).content.decode()
    assert "Jane" not in csv_text and "Oduya" not in csv_text and "J*** S****" in csv_text


def _existing(inspection: Inspection, ref: str) -> Case:
    return Case.objects.create(
        inspection=inspection,
        case_ref=ref,
        domain="court",
        disposal_type="referral_order",
        start_date=dt.date(2023, 9, 1),
        case_manager="CM1",
        risk_of_harm="low",
        safety_wellbeing="low",
    )


def test_references_already_on_the_list_are_refused_in_the_preview(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    _existing(inspection, "YJ00002")
    html = upload(client_as("lead"), inspection, make_csv([good(1), good(2), good(3)]))
    assert ("3", "case_ref") in problem_cells(html)
    assert "already on the inspection" in html
    assert Case.objects.count() == 1


def test_duplicates_found_at_commit_are_refused_with_the_rows_and_nothing_written(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    html = upload(client, inspection, make_csv([good(1), good(2), good(3)]))
    assert "Add 3 cases" in html
    _existing(inspection, "yj00003")  # added meanwhile (references compare ignoring case)
    page = commit(client, inspection)
    assert "Nothing was added: 1 case reference is already on this" in page
    assert "row 4 (YJ00003)" in page and "Remove that row" in page
    welsh = client_as("lead")
    upload(welsh, inspection, make_csv([good(5)]))
    _existing(inspection, "YJ00005")
    page = commit_in(welsh, inspection, "cy")
    assert "Ni ychwanegwyd dim: mae 1 cyfeirnod achos eisoes" in page
    assert "rhes 2 (YJ00005)" in page and "Nothing was added" not in page
    Case.objects.filter(case_ref="YJ00005").delete()
    assert list(Case.objects.values_list("case_ref", flat=True)) == ["yj00003"]
    assert not CaseListImport.objects.exists()


def test_commit_is_all_or_nothing(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    users: dict[str, AbstractUser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(n) for n in range(1, 6)]))
    stored = caselists.load_preview(
        inspection,
        caselists.pending_token(client.session, inspection),
        users["lead"],  # type: ignore[arg-type]
    )
    assert stored is not None and stored.ok

    real_insert = caselists.insert_cases

    def fail_half_way(inspection: Inspection, record: CaseListImport, rows: list[object]) -> None:
        real_insert(inspection, record, rows[:2])  # type: ignore[arg-type]
        assert Case.objects.count() == 2
        raise RuntimeError("database went away")

    monkeypatch.setattr(caselists, "insert_cases", fail_half_way)
    with pytest.raises(RuntimeError):
        caselists.commit_preview(inspection, stored, users["lead"])  # type: ignore[arg-type]
    assert not Case.objects.exists() and not CaseListImport.objects.exists()


def test_a_damaged_stored_preview_is_refused(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    users: dict[str, AbstractUser],
    tmp_path: Path,
) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(1), good(2)]))
    token = caselists.pending_token(client.session, inspection)
    rows_file = tmp_path / "imports" / f"{token}.rows.json"
    rows_file.write_text(rows_file.read_text().replace('"YJ00002"', '"Jane Smith"'))
    page = commit(client, inspection)
    assert "could not be read back" in page
    assert not Case.objects.exists()


def test_ten_thousand_rows_commit(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    rows = [
        good(n, domain="out_of_court", disposal_type="triage") if n % 3 == 0 else good(n)
        for n in range(10_000)
    ]
    html = upload(client, inspection, make_csv(rows))
    assert "Add 10000 cases to the inspection" in html
    commit(client, inspection)
    assert Case.objects.filter(inspection=inspection).count() == 10_000
    assert Case.objects.filter(domain="out_of_court").count() == 3334
    assert CaseListImport.objects.get().rows == 10_000


def test_many_problems_are_paginated_with_the_total_and_all_downloadable(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    rows = [good(n, risk_of_harm="=cmd|' /C calc'!A0") for n in range(250)]
    html = upload(client, inspection, make_csv(rows))
    assert "Problems 1 to 100 of 250" in html and "There are 250 problems" in html
    assert len(problem_cells(html)) == 100
    page3 = client.get(reverse("inspections:case_import", args=[inspection.pk]), {"page": 3})
    assert "Problems 201 to 250 of 250" in page3.content.decode()
    download = client.get(reverse("inspections:case_import_problems", args=[inspection.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="case-list-problems.csv"'
    table = list(csv.reader(io.StringIO(download.content.decode())))
    assert table[0] == ["row", "column", "value", "problem"] and len(table) == 251
    assert table[1][:3] == ["2", "risk_of_harm", "'=cmd|' /C calc'!A0"]  # no formula


def test_unreadable_files_are_explained(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    url = reverse("inspections:case_import", args=[inspection.pk])
    response = client.post(url, {"case_list": _file(b"\xd0\xcf\x11\xe0 old", "list.xlsx")})
    assert response.status_code == 200
    assert "old-style Excel (.xls) file" in response.content.decode()
    response = client.post(url, {"case_list": _file(b"a,b\n", "list.pdf")})
    assert "is not a CSV or Excel (.xlsx) file" in response.content.decode()
    response = client.post(url, {})
    assert "Choose the case list file to upload" in response.content.decode()


def test_files_over_the_size_limit_are_refused(
    client_as: Callable[[str], Client], inspection: Inspection, settings: object
) -> None:
    settings.YJ_MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    data = make_csv([good(n) for n in range(50)])
    response = client_as("lead").post(
        reverse("inspections:case_import", args=[inspection.pk]),
        {"case_list": _file(data, "cases.csv")},
    )
    assert "the largest file allowed is 1000" in response.content.decode()
    assert not Case.objects.exists()


def test_the_upload_form_has_the_progress_bar(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    html = (
        client_as("lead")
        .get(reverse("inspections:case_import", args=[inspection.pk]))
        .content.decode()
    )
    form = re.search(r"<form[^>]*enctype=\"multipart/form-data\"[^>]*>", html)
    assert form is not None and 'data-upload-progress="upload-progress"' in form.group(0)
    assert re.search(
        r'<progress id="upload-progress" class="yj-progress" max="100"[^>]* hidden>', html
    )
    assert 'type="file"' in html and 'name="case_list"' in html


def test_the_template_has_the_canonical_header_and_parses_cleanly(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    response = client_as("viewer").get(
        reverse("inspections:case_import_template", args=[inspection.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",") == list(CANONICAL_COLUMNS) and len(lines) == 3
    preview = parse_case_list(response.content, "template.csv")
    assert preview.ok and len(preview.rows) == 2


def test_a_preview_belongs_to_its_uploader(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    users: dict[str, AbstractUser],
) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(1)]))
    token = caselists.pending_token(client.session, inspection)
    assert caselists.load_preview(inspection, token, users["admin"]) is None  # type: ignore[arg-type]
    assert caselists.load_preview(inspection, "../../etc/passwd", users["lead"]) is None  # type: ignore[arg-type]
    assert caselists.load_preview(inspection, token, users["lead"]) is not None  # type: ignore[arg-type]


def test_discarding_an_upload(client_as: Callable[[str], Client], inspection: Inspection) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(1)]))
    response = client.post(
        reverse("inspections:case_import_discard", args=[inspection.pk]), follow=True
    )
    assert "was discarded" in response.content.decode()
    assert "Add 1 case" not in response.content.decode()
    commit(client, inspection)
    assert not Case.objects.exists()


def test_import_is_refused_once_a_sample_is_drawn(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(n) for n in range(1, 11)]))
    commit(client, inspection)
    client.post(reverse("inspections:sample", args=[inspection.pk]), {"seed": "42"})
    assert Case.objects.filter(in_sample=True).exists()
    page = client.get(reverse("inspections:case_import", args=[inspection.pk])).content.decode()
    assert "A sample has been drawn from the current case list" in page
    assert "Clear the sample first (on the Sample page)" in page  # the lead can: no 'ask'
    assert 'name="case_list"' not in page
    response = client.post(
        reverse("inspections:case_import", args=[inspection.pk]),
        {"case_list": _file(make_csv([good(20)]), "more.csv")},
        follow=True,
    )
    assert "A sample has been drawn" in response.content.decode()
    assert Case.objects.count() == 10
    # Once the lead clears the sample, importing works again.
    client.post(reverse("inspections:sample_clear", args=[inspection.pk]))
    html = upload(client, inspection, make_csv([good(20)]))
    assert "Add 1 case to the inspection" in html
    commit(client, inspection)
    assert Case.objects.count() == 11


def test_a_commit_is_refused_if_a_sample_was_drawn_after_the_preview(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    _existing(inspection, "OLD1")
    upload(client, inspection, make_csv([good(1)]))
    client.post(reverse("inspections:sample", args=[inspection.pk]), {"seed": "7"})
    page = commit(client, inspection)
    assert "A sample has been drawn" in page
    assert Case.objects.count() == 1


# ---- the case list ----


def _cases(inspection: Inspection, n: int) -> None:
    Case.objects.bulk_create(
        Case(
            inspection=inspection,
            case_ref=f"R{i:04d}",
            domain="court" if i % 2 else "out_of_court",
            disposal_type="referral_order" if i % 2 else "triage",
            start_date=dt.date(2023, 9, 1) + dt.timedelta(days=i),
            case_manager="CM Secret",
            risk_of_harm="high" if i % 5 == 0 else "low",
            safety_wellbeing="medium",
            in_sample=i < 10,
        )
        for i in range(n)
    )


def test_the_case_list_is_paginated_and_filtered_on_the_server(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    _cases(inspection, 120)
    Case.objects.filter(case_ref="R0003").update(assessor=users["inspector"])
    client = client_as("inspector")
    url = reverse("inspections:cases", args=[inspection.pk])

    def refs(**query: str) -> list[str]:
        html = client.get(url, query).content.decode()
        return re.findall(r'<td class="govuk-table__cell yj-nowrap">(R\d{4})</td>', html)

    assert refs() == [f"R{i:04d}" for i in range(50)]
    assert refs(page="3") == [f"R{i:04d}" for i in range(100, 120)]
    assert refs(domain="court") == [f"R{i:04d}" for i in range(1, 100, 2)]
    assert refs(disposal_type="triage", in_sample="yes") == [
        "R0000",
        "R0002",
        "R0004",
        "R0006",
        "R0008",
    ]
    assert refs(in_sample="no")[0] == "R0010"
    assert refs(q="r011") == [f"R{i:04d}" for i in range(110, 120)]
    assert refs(assessor=str(users["inspector"].pk)) == ["R0003"]
    assert "R0003" not in refs(assessor="none")
    assert refs(domain="nonsense")[:2] == ["R0000", "R0001"]  # an unknown filter is ignored
    html = client.get(url).content.decode()
    assert "120 cases on the list, 10 in the sample." in html
    assert "Referral order" in html and "High" in html
    assert "CM Secret" not in html  # the case manager is not shown


def test_the_case_list_offers_import_only_to_the_lead(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    url = reverse("inspections:cases", args=[inspection.pk])
    import_url = reverse("inspections:case_import", args=[inspection.pk])
    assert import_url in client_as("lead").get(url).content.decode()
    assert import_url not in client_as("inspector").get(url).content.decode()


# ---- permissions ----

CASE_URLS = [
    ("inspections:cases", "get", "work"),
    ("inspections:case_import", "get", "manage"),
    ("inspections:case_import", "post", "manage"),
    ("inspections:case_import_commit", "post", "manage"),
    ("inspections:case_import_discard", "post", "manage"),
    ("inspections:case_import_problems", "get", "manage"),
    ("inspections:case_import_template", "get", "view"),
]
EXPECTED: dict[str, dict[str, object]] = {
    # who -> {needs: status}; 'ok' means allowed (200 or a redirect back into the feature)
    "anonymous": {"view": "login", "work": "login", "manage": "login"},
    "stranger": {"view": 404, "work": 404, "manage": 404},
    "viewer": {"view": "ok", "work": 403, "manage": 403},
    "moderator": {"view": "ok", "work": "ok", "manage": 403},
    "inspector": {"view": "ok", "work": "ok", "manage": 403},
    "lead": {"view": "ok", "work": "ok", "manage": "ok"},
    "admin": {"view": "ok", "work": "ok", "manage": "ok"},
}


@pytest.mark.parametrize(("name", "method", "needs"), CASE_URLS)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_case_urls_check_the_role(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    who: str,
    name: str,
    method: str,
    needs: str,
) -> None:
    url = reverse(name, args=[inspection.pk])
    response = getattr(client_as(who), method)(url)
    expected = EXPECTED[who][needs]
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
    elif expected == "ok":
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert response["Location"].startswith(f"/inspections/{inspection.pk}/cases/")
    else:
        assert response.status_code == expected
    assert not Case.objects.exists()


def test_case_urls_refuse_changes_once_published(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    inspection.state = State.PUBLISHED
    inspection.save()
    client = client_as("lead")
    assert client.get(reverse("inspections:cases", args=[inspection.pk])).status_code == 200
    for name in ("case_import", "case_import_commit", "case_import_problems"):
        url = reverse(f"inspections:{name}", args=[inspection.pk])
        assert client.post(url).status_code == 403, name


def test_commit_refuses_a_stored_preview_without_rows(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    client = client_as("lead")
    upload(client, inspection, make_csv([good(1)]))
    stored = caselists.load_preview(
        inspection,
        caselists.pending_token(client.session, inspection),
        users["lead"],  # type: ignore[arg-type]
    )
    assert stored is not None
    caselists.discard(stored.token)
    with pytest.raises(ImportRefused):
        caselists.commit_preview(inspection, stored, users["lead"])  # type: ignore[arg-type]
    assert not Case.objects.exists()


def test_a_problem_names_the_heading_as_written_in_the_file(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    rows = make_csv([good(1), good(2, disposal_type="no_such_order")]).decode()
    text = rows.replace("disposal_type", "Legal outcome", 1)
    html = upload(client_as("lead"), inspection, text.encode())
    table = html.split('id="problems"')[1].split("</table>")[0]
    assert "Legal outcome" in table and "<code>disposal_type</code>" in table
