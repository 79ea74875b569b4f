"""The streamed XLSX reader gives the values openpyxl gives, for the shapes real workbooks
take: shared and inline strings, rich text, sparse rows, date cells in both calendars, booleans,
formulas' saved values, and refuses entities in the parts it streams. Workbooks are built here."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yjinspect.core.caselist import CaseListError, parse_case_list
from yjinspect.core.tables import (
    XLSX_MAX_PART,
    XLSX_MAX_ROW_BYTES,
    XLSX_MAX_SHARED_STRINGS,
    XLSX_ZIP_LIMITS,
)
from yjinspect.core.xlsx import open_first_sheet
from yjinspect.limits import WorkbookLimits

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LIMITS = WorkbookLimits(
    zip=XLSX_ZIP_LIMITS,
    max_part=XLSX_MAX_PART,
    max_shared_strings=XLSX_MAX_SHARED_STRINGS,
    max_sheets=100,
    max_rows=10_000,
    max_row_bytes=XLSX_MAX_ROW_BYTES,
)


def read(data: bytes) -> list[tuple[int, list[str | date]]]:
    sheet, package = open_first_sheet(data, LIMITS, 200, "the workbook")
    try:
        return list(sheet.rows())
    finally:
        sheet.finish()
        package.close()


def openpyxl_cells(data: bytes) -> list[list[str | date]]:
    """What the case-list reader used to make of a workbook: openpyxl read-only, data_only,
    each value as text except dates, trailing blanks dropped."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = []
    for values in book.worksheets[0].iter_rows(values_only=True):
        cells: list[str | date] = []
        for value in values:
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("TRUE" if value else "FALSE")
            elif isinstance(value, datetime):
                cells.append(value.date())
            elif isinstance(value, date):
                cells.append(value)
            elif isinstance(value, float) and value.is_integer():
                cells.append(str(int(value)))
            else:
                cells.append(str(value))
        while cells and cells[-1] == "":
            cells.pop()
        rows.append(cells)
    book.close()
    return rows


def package(sheet: str, strings: str = "", styles: str = "", workbook_pr: str = "") -> bytes:
    """A workbook of hand-written parts, as Excel lays them out (shared strings, styles)."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        + (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if strings
            else ""
        )
        + (
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            if styles
            else ""
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        f'<workbook xmlns="{MAIN_NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"{workbook_pr}<sheets>"
        '<sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings:
            archive.writestr("xl/sharedStrings.xml", strings)
        if styles:
            archive.writestr("xl/styles.xml", styles)
    return out.getvalue()


def sheet_of(rows: str, prefix: str = "") -> str:
    ns = f'xmlns:{prefix[:-1]}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    return (
        f"<{prefix}worksheet {ns}><{prefix}sheetData>{rows}</{prefix}sheetData></{prefix}worksheet>"
    )


STYLES = (
    f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="1">'
    '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
    '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/>'
    '<xf numFmtId="2"/></cellXfs></styleSheet>'
)


def test_shared_strings_with_rich_text_and_phonetic_hints() -> None:
    strings = (
        f'<sst xmlns="{MAIN_NS}">'
        "<si><t>Court</t></si>"
        '<si><r><rPr><b/></rPr><t>Detention </t></r><r><t xml:space="preserve">&amp; training</t></r>'
        "<rPh><t>HINT</t></rPh></si>"
        "</sst>"
    )
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    assert read(package(sheet_of(rows), strings)) == [(1, ["Court", "Detention & training"])]


def test_sparse_cells_sit_in_their_columns_and_rows_keep_their_numbers() -> None:
    rows = (
        '<row r="3"><c r="A3" t="inlineStr"><is><t>YJ1</t></is></c>'
        '<c r="D3"><v>15</v></c><c><v>16</v></c></row>'
        '<row r="7"/>'
        '<row><c r="AB8" t="inlineStr"><is><t>far</t></is></c></row>'
    )
    result = read(package(sheet_of(rows)))
    assert result[0] == (3, ["YJ1", "", "", "15", "16"])
    assert result[1] == (7, [])
    assert result[2][0] == 8 and result[2][1][27] == "far"


def test_prefixed_element_names_are_read() -> None:
    rows = '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>YJ1</x:t></x:is></x:c></x:row>'
    assert read(package(sheet_of(rows, prefix="x:"))) == [(1, ["YJ1"])]


def test_dates_numbers_booleans_errors_and_formulas() -> None:
    rows = (
        '<row r="1">'
        '<c r="A1" s="1"><v>45390</v></c>'  # custom date format: 8 April 2024
        '<c r="B1" s="2"><v>45390.75</v></c>'  # built-in 14, with a time: the day
        '<c r="C1" s="3"><v>15.0</v></c>'  # 0.00: a number, not a date
        '<c r="D1"><v>15.5</v></c>'
        '<c r="E1" t="b"><v>1</v></c>'
        '<c r="F1" t="e"><v>#N/A</v></c>'
        '<c r="G1" t="str"><f>A1&amp;"x"</f><v>saved</v></c>'
        '<c r="H1"><f>1+1</f></c>'  # never calculated: blank
        '<c r="I1" t="d"><v>2024-04-09T00:00:00</v></c>'
        '<c r="J1" s="1"><v>99999999</v></c>'  # beyond any calendar
        "</row>"
    )
    (row,) = read(package(sheet_of(rows), styles=STYLES))
    assert row[1] == [
        date(2024, 4, 8),
        date(2024, 4, 8),
        "15",
        "15.5",
        "TRUE",
        "#N/A",
        "saved",
        "",
        date(2024, 4, 9),
        "#VALUE!",
    ]


def test_the_1904_calendar() -> None:
    rows = '<row r="1"><c r="A1" s="1"><v>43928</v></c></row>'
    data = package(sheet_of(rows), styles=STYLES, workbook_pr='<workbookPr date1904="1"/>')
    assert read(data) == [(1, [date(2024, 4, 8)])]


def test_entities_in_the_sheet_are_refused_unread() -> None:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "'
        + "x" * 1000
        + '">]>'
        + sheet_of('<row r="1"><c r="A1" t="inlineStr"><is><t>&e;&e;&e;</t></is></c></row>')
    )
    with pytest.raises(CaseListError, match="declares XML entities"):
        parse_case_list(package(sheet), "cases.xlsx")


def test_entities_in_the_shared_strings_are_refused() -> None:
    strings = f'<!DOCTYPE sst [<!ENTITY e "boom">]><sst xmlns="{MAIN_NS}"><si><t>&e;</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    with pytest.raises(CaseListError, match="declares XML entities"):
        parse_case_list(package(sheet_of(rows), strings), "cases.xlsx")


def test_a_shared_string_index_out_of_range_is_an_unreadable_workbook() -> None:
    strings = f'<sst xmlns="{MAIN_NS}"><si><t>a</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>5</v></c></row>'
    with pytest.raises(CaseListError, match="could not be read as an Excel"):
        parse_case_list(package(sheet_of(rows), strings), "cases.xlsx")


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=12),
    st.dates(date(1990, 1, 1), date(2099, 12, 31)),
    st.datetimes(datetime.fromisoformat("1990-01-01"), datetime.fromisoformat("2099-12-31")),
    st.times(),
    st.timedeltas(timedelta(0), timedelta(days=3)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(VALUES, max_size=8), min_size=1, max_size=12))
def test_the_same_values_as_openpyxl_for_any_workbook_openpyxl_writes(
    rows: list[list[object]],
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([v.strip() if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    expected = openpyxl_cells(data)
    ours = {number: cells for number, cells in read(data)}
    for number, cells in enumerate(expected, start=1):
        assert ours.get(number, []) == cells, number


def test_time_cells_are_text_as_openpyxl_gives_them() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([time(10, 30)])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read(buffer.getvalue()) == [(1, ["10:30:00"])]
