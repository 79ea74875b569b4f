"""The case-list importer's problems follow the page language.

`core.caselist` writes its problems through `yjinspect.core.words`, which the inspections app
points at Django's gettext, so a case list uploaded from a Welsh page is explained in Welsh and
the same file uploaded from an English page in the English the core has always written. The
preview is parsed during the upload request and its problems stored as text, so the stored
copy (the problems download) is in the language of that upload.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.core.caselist import CANONICAL_COLUMNS, parse_case_list
from yjinspect.web.inspections.models import Case, Inspection

pytestmark = pytest.mark.django_db

ROW = {
    "case_ref": "YJ001",
    "domain": "court",
    "disposal_type": "referral_order",
    "start_date": "2023-09-04",
    "case_manager": "CM01",
    "risk_of_harm": "low",
    "safety_wellbeing": "medium",
}
# Row 2 has an impossible date, row 3 an unknown domain and a blank required cell, row 4
# repeats row 3's reference; the "Child name" column is refused as personal data.
ROWS = [
    {**ROW, "case_ref": "YJ001", "start_date": "31/02/2024"},
    {**ROW, "case_ref": "YJ002", "domain": "crt", "risk_of_harm": ""},
    {**ROW, "case_ref": "YJ002"},
]
NAMES = ["Jane Smith", "Robert Oduya", "Ann Jones"]

# Each problem as the English pages have always shown it, and as a Welsh page must show it.
EN = [
    "31/02/2024 is not a real date",
    "not a recognised domain; use one of: court, out_of_court, resettlement",
    "risk_of_harm is required but is blank",
    "duplicate case_ref: the same reference is on row 3 and row 4; each case must appear once",
    "this column looks like personal data (a name); remove it and upload again — yjinspect "
    "stores case references only",
]
CY = [
    "nid yw 31/02/2024 yn ddyddiad go iawn",
    "nid yw hwn yn werth domain a adnabyddir; defnyddiwch un o'r rhain: court, out_of_court, "
    "resettlement",
    "mae angen risk_of_harm ond mae'r gell yn wag",
    "case_ref dyblyg: mae'r un cyfeirnod ar res 3 ac ar res 4; rhaid i bob achos ymddangos "
    "unwaith yn unig",
    "mae'n edrych fel bod data personol yn y golofn hon (enw); tynnwch hi ac uwchlwythwch y "
    "ffeil eto — dim ond cyfeirnodau achosion y mae yjinspect yn eu cadw",
]


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]


def _bad_case_list() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([*CANONICAL_COLUMNS, "Child name"])
    for row, name in zip(ROWS, NAMES, strict=True):
        writer.writerow([row.get(column, "") for column in CANONICAL_COLUMNS] + [name])
    return out.getvalue().encode("utf-8")


def _upload(
    client: Client, inspection: Inspection, lang: str, data: bytes, name: str = "cases.csv"
) -> str:
    """Choose the language on the import page, upload, and return the page shown after."""
    url = reverse("inspections:case_import", args=[inspection.pk])
    assert f'<html lang="{lang}"' in client.get(f"{url}?lang={lang}").content.decode()
    response = client.post(url, {"case_list": SimpleUploadedFile(name, data)}, follow=True)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _problems_download(client: Client, inspection: Inspection) -> str:
    url = reverse("inspections:case_import_problems", args=[inspection.pk])
    return client.get(url).content.decode()


def test_a_bad_case_list_on_a_welsh_page_is_explained_in_welsh(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    page = _upload(client, inspection, "cy", _bad_case_list())
    for welsh, english in zip(CY, EN, strict=True):
        assert welsh in page
        assert english not in page
    stored = _problems_download(client, inspection)
    assert all(welsh in stored for welsh in CY)  # stored in the language of the upload
    for name in NAMES:  # the refused column's cells are never echoed, in either language
        assert all(part not in page and part not in stored for part in name.split())
    assert not Case.objects.exists()


def test_the_same_upload_on_an_english_page_is_unchanged(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("lead")
    page = _upload(client, inspection, "en", _bad_case_list())
    assert all(english in page for english in EN)
    assert not any(welsh in page for welsh in CY)
    assert all(english in _problems_download(client, inspection) for english in EN)


# An old-style Excel file saved with an .xlsx name passes the form and is refused by the core.
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        (
            "cy",
            "Ffeil Excel hen fath (.xls) yw hon; cadwch hi fel .xlsx neu CSV ac uwchlwythwch "
            "hi eto",
            "old-style Excel",
        ),
        (
            "en",
            "This is an old-style Excel (.xls) file; save it as .xlsx or CSV and upload again",
            "Excel hen fath",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_the_page_language(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    lang: str,
    expected: str,
    absent: str,
) -> None:
    page = _upload(client_as("lead"), inspection, lang, OLD_EXCEL, name="cases.xlsx")
    assert expected in page
    assert absent not in page


def test_too_many_rows_is_refused_in_welsh(
    client_as: Callable[[str], Client], inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit on rows (lowered to 1 here) is explained in Welsh too."""
    monkeypatch.setattr(
        "yjinspect.web.inspections.views.cases.parse_case_list",
        lambda data, name, **kw: parse_case_list(data, name, **kw, max_rows=1),
    )
    rows = [{**ROW, "case_ref": f"YJ{n:03d}"} for n in range(1, 4)]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CANONICAL_COLUMNS)
    writer.writerows([row.get(column, "") for column in CANONICAL_COLUMNS] for row in rows)
    page = _upload(client_as("lead"), inspection, "cy", out.getvalue().encode())
    assert "Mae mwy na 1 o achosion yn y ffeil" in page
    assert "more than 1 cases" not in page


def test_the_preview_notices_are_welsh(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    """A title row above the headings and semicolons between columns are both pointed out."""
    lines = ["Case list export", ";".join(CANONICAL_COLUMNS)]
    lines.append(";".join(ROW.get(column, "") for column in CANONICAL_COLUMNS))
    page = _upload(client_as("lead"), inspection, "cy", "\n".join(lines).encode())
    assert "Roedd rhes 1 uwchben penawdau'r colofnau, felly cafodd ei hepgor." in page
    assert "Mae'r colofnau wedi'u gwahanu gan hanner colonau." in page
    assert "above the column headings" not in page and "separated by" not in page
