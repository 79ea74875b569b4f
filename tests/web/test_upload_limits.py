"""An upload beyond any real file of its kind (a zip bomb, millions of rows) gets a clear error
on the page, in its error summary, at once: never a 500, a worker out of memory or a timeout,
and nothing is stored. Each file is crafted here."""

from __future__ import annotations

import html
import io
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.core.caselist import CANONICAL_COLUMNS
from yjinspect.core.published import COLUMNS
from yjinspect.limits import MB
from yjinspect.web.comparison.models import PublishedResult
from yjinspect.web.comparison.views import SESSION_KEY
from yjinspect.web.inspections.models import Case, EvidenceItem, Inspection
from yjinspect.web.inspections.services import caselists
from yjinspect.web.outcomes.models import IndicatorRun

pytestmark = pytest.mark.django_db


def zipped(parts: dict[str, Iterable[bytes]]) -> bytes:
    """A zip of the parts, each written piece by piece (a 150 MB part is never held)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, pieces in parts.items():
            with package.open(name, "w", force_zip64=True) as member:
                for piece in pieces:
                    member.write(piece)
    return out.getvalue()


def zeros(megabytes: int) -> Iterable[bytes]:
    return (b"0" * MB for _ in range(megabytes))


def timed_post(client: Client, url: str, data: dict[str, object]) -> tuple[int, str, float]:
    started = time.perf_counter()
    response = client.post(url, data)
    seconds = time.perf_counter() - started
    return response.status_code, html.unescape(response.content.decode()), seconds


def error_summary(page: str) -> str:
    start = page.index('class="govuk-error-summary"')
    return page[start : page.index("</div>", page.index("govuk-error-summary__body", start))]


def test_a_zip_bomb_case_list_is_refused_on_the_page_at_once(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(CANONICAL_COLUMNS))
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        parts: dict[str, Iterable[bytes]] = {n: [package.read(n)] for n in package.namelist()}
    cell = b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    parts["xl/worksheets/sheet1.xml"] = [
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        b"<sheetData>" + cell,
        *zeros(150),
        b"</t></is></c></row></sheetData></worksheet>",
    ]
    bomb = zipped(parts)
    url = reverse("inspections:case_import", args=[inspection.pk])
    client = client_as("lead")
    status, page, seconds = timed_post(
        client, url, {"case_list": SimpleUploadedFile("cases.xlsx", bomb)}
    )
    assert status == 200
    assert seconds < 5
    summary = error_summary(page)
    assert "There is a problem" in summary
    assert "The workbook has a part (xl/worksheets/sheet1.xml) compressed" in summary
    assert caselists.pending_token(client.session, inspection) is None
    assert not Case.objects.exists()


def test_a_zip_bomb_case_list_is_explained_in_welsh_on_a_welsh_page(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    bomb = zipped({"xl/worksheets/sheet1.xml": zeros(20), "[Content_Types].xml": [b"<Types/>"]})
    url = reverse("inspections:case_import", args=[inspection.pk])
    client = client_as("lead")
    client.get(f"{url}?lang=cy")
    _status, page, _seconds = timed_post(
        client, url, {"case_list": SimpleUploadedFile("cases.xlsx", bomb)}
    )
    summary = error_summary(page)
    assert "Mae gan y llyfr gwaith ran (xl/worksheets/sheet1.xml) sydd wedi'i chywasgu" in summary


OUTCOME_HEADER = "person_ref,age,offence_date,disposal_date,disposal_type\n"


def test_outcome_records_of_millions_of_rows_are_refused_on_the_page(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    records = (OUTCOME_HEADER + "1\n" * 9_000_000).encode()
    population = "age,population\n" + "".join(f"{a},1000\n" for a in range(10, 18))
    data: dict[str, object] = {
        "cases_file": SimpleUploadedFile("records.csv", records, "text/csv"),
        "population_file": SimpleUploadedFile("pop.csv", population.encode(), "text/csv"),
        "period_start": "2023-04-01",
        "period_end": "2024-03-31",
        "follow_up_months": "12",
        "waiting_months": "6",
    }
    url = reverse("outcomes:upload", args=[inspection.pk])
    status, page, seconds = timed_post(client_as("lead"), url, data)
    assert status == 200
    assert seconds < 10
    assert "cases: The file has more than 100,000 rows, blank ones included" in error_summary(page)
    assert not IndicatorRun.objects.exists()


def test_published_results_of_a_million_blank_lines_are_refused_on_the_page(
    client_as: Callable[[str], Client],
) -> None:
    text = ",".join(COLUMNS) + "\n" + "\n" * 1_900_000
    client = client_as("lead")
    status, page, seconds = timed_post(
        client,
        reverse("comparison:upload"),
        {"results": SimpleUploadedFile("results.csv", text.encode(), "text/csv")},
    )
    assert status == 200
    assert seconds < 5
    assert "There is 1 problem in this file" in page
    assert "the file has more than 21,000 rows, blank ones included" in page
    assert not PublishedResult.objects.exists()
    assert SESSION_KEY not in client.session


def test_a_docx_bomb_is_refused_on_the_page_and_not_stored(
    client_as: Callable[[str], Client], inspection: Inspection, tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"  # type: ignore[attr-defined]
    bomb = zipped({"[Content_Types].xml": [b"<Types/>"], "word/document.xml": zeros(200)})
    assert len(bomb) < 400_000
    data: dict[str, object] = {
        "standard_id": "1.1",
        "kind": "document",
        "title": "Management board minutes",
        "upload": SimpleUploadedFile("minutes.docx", bomb),
    }
    url = reverse("inspections:evidence_add", args=[inspection.pk])
    status, page, seconds = timed_post(client_as("inspector"), url, data)
    assert status == 200
    assert seconds < 5
    assert (
        "'minutes.docx' was not accepted: the document has a part (word/document.xml) "
        "compressed" in error_summary(page)
    )
    assert not EvidenceItem.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "uploads").rglob("*"))


def test_a_stored_preview_part_over_its_cap_is_not_read(
    client_as: Callable[[str], Client], inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_as("lead")
    url = reverse("inspections:case_import", args=[inspection.pk])
    rows = "\n".join(
        f"C{n:03d},court,RO,2024-04-08,,CM1,low,low,,,,," for n in range(1, 40)
    ).encode()
    client.post(
        url,
        {
            "case_list": SimpleUploadedFile(
                "cases.csv", ",".join(CANONICAL_COLUMNS).encode() + b"\n" + rows
            )
        },
    )
    assert "Add 39 cases to the inspection" in client.get(url).content.decode()
    monkeypatch.setattr(caselists, "MAX_PREVIEW_PART", 100)
    assert "Add 39 cases" not in client.get(url).content.decode()
    response = client.post(
        reverse("inspections:case_import_commit", args=[inspection.pk]), follow=True
    )
    assert response.status_code == 200
    assert not Case.objects.exists()
