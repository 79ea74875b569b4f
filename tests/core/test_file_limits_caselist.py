"""Case lists beyond any real one are refused at once, in little memory: each file is crafted
here (zip bombs, huge shared strings, sheets listed twice, rows that reach column XFD, a
wrong recorded size, one enormous CSV line, millions of blank lines)."""

from __future__ import annotations

import io
import random
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import openpyxl
import pytest

from yjinspect.core.caselist import (
    CANONICAL_COLUMNS,
    DEFAULT_MAX_ROWS,
    MAX_COLUMNS,
    MAX_PROBLEMS,
    ROWS_BEYOND_CASES,
    CaseListError,
    ImportPreview,
    parse_case_list,
)
from yjinspect.limits import MB

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
GOOD_ROW = ["C001", "court", "RO", "2024-04-08", "", "CM1", "low", "low", "", "", "", "", ""]


@dataclass
class Cost:
    seconds: float
    peak: int


def cost_of(run: Callable[[], object], memory: bool = True) -> Cost:
    """The seconds one run takes, then the peak Python memory of a second run (tracemalloc
    slows every allocation, so it is not on while timing)."""
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    if not memory:
        return Cost(seconds, 0)
    tracemalloc.start()
    try:
        run()
        return Cost(seconds, tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def refused(data: bytes, filename: str, pattern: str, memory: bool = True, **kwargs: int) -> Cost:
    """What refusing the file costs; the refusal must match `pattern`."""

    def run() -> None:
        with pytest.raises(CaseListError, match=pattern):
            parse_case_list(data, filename, **kwargs)

    return cost_of(run, memory)


def _template() -> dict[str, bytes]:
    """The parts of a real one-row workbook written by openpyxl."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(CANONICAL_COLUMNS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        return {name: package.read(name) for name in package.namelist()}


def workbook(
    sheet: Iterable[bytes] | None = None, changes: dict[str, Iterable[bytes]] | None = None
) -> bytes:
    """A workbook whose first sheet's XML is `sheet` (streamed in pieces, so a test can write
    a 150 MB part without holding it) and whose other parts are changed or added."""
    parts: dict[str, Iterable[bytes]] = {name: [data] for name, data in _template().items()}
    if sheet is not None:
        parts[SHEET] = sheet
    parts.update(changes or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, pieces in parts.items():
            with package.open(name, "w", force_zip64=True) as member:
                for piece in pieces:
                    member.write(piece)
    return out.getvalue()


def sheet_xml(rows: Iterable[bytes], before_rows: bytes = b"") -> Iterator[bytes]:
    yield f'<worksheet xmlns="{MAIN_NS}">'.encode() + before_rows + b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def cells(row: int, values: Iterable[str]) -> bytes:
    inner = "".join(
        f'<c r="{openpyxl.utils.get_column_letter(n)}{row}" t="inlineStr"><is><t>{v}</t></is></c>'
        for n, v in enumerate(values, start=1)
    )
    return f'<row r="{row}">{inner}</row>'.encode()


def heading_row() -> bytes:
    return cells(1, CANONICAL_COLUMNS)


def noise(size: int, seed: int = 1) -> bytes:
    """Digits that compress about twice, so no ratio check stops them."""
    return random.Random(seed).randbytes(size // 2).hex().encode()[:size]


# --- XLSX ---------------------------------------------------------------------------------------


def test_the_largest_real_workbooks_are_well_within_the_zip_limits() -> None:
    # Fitted to openpyxl's own output: 200,000 cases unpack to 131 MB, 12 times compressed
    # (measured; docs/RELIABILITY.md). Here 2,000 rows, whose sheet compresses alike.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(CANONICAL_COLUMNS))
    for n in range(2000):
        sheet.append([f"C{n:06d}", *GOOD_ROW[1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as package:
        info = package.getinfo(SHEET)
    assert info.file_size / info.compress_size < 30
    assert len(parse_case_list(buffer.getvalue(), "cases.xlsx").rows) == 2000


def test_a_zip_bomb_sheet_is_refused_unread_in_little_time_and_memory() -> None:
    # 150 MB of zeros in one cell, about 150 KB on the wire: the shape the security test used.
    text = (b"0" * MB for _ in range(150))
    bomb = workbook(
        sheet_xml([b'<row r="1"><c r="A1" t="inlineStr"><is><t>', *text, b"</t></is></c></row>"])
    )
    assert len(bomb) < 300_000
    cost = refused(bomb, "cases.xlsx", r"sheet1\.xml\) compressed [0-9,]+ times over")
    assert cost.seconds < 5
    assert cost.peak < 5 * MB


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s unpacked size in the central directory changed to `size`."""
    out = bytearray(data)
    entry = out.index(b"PK\x01\x02")
    while True:
        length = int.from_bytes(out[entry + 28 : entry + 30], "little")
        if out[entry + 46 : entry + 46 + length] == name.encode():
            out[entry + 24 : entry + 28] = size.to_bytes(4, "little")
            return bytes(out)
        entry = out.index(b"PK\x01\x02", entry + 4)


def test_a_workbook_declaring_more_than_the_ceiling_is_refused_unread() -> None:
    # 210 MB declared for the sheet: refused by the declared size alone, before any ratio
    # (zipfile never hands out more than a part declares, so the declaration is the bound).
    data = declare_size(workbook(), SHEET, 210 * MB)
    cost = refused(data, "cases.xlsx", "unpacks to 210.0 MB; the most accepted is 200.0 MB")
    assert cost.seconds < 5


def test_a_huge_shared_strings_table_is_refused_by_its_declared_size() -> None:
    # openpyxl reads the shared strings whole: 1.1 million short strings, 17 MB of XML,
    # compressing under ten times, so only its declared size stops it.
    entries = (f"<si><t>S{n:07d}</t></si>".encode() for n in range(1_100_000))
    strings = [f'<sst xmlns="{MAIN_NS}">'.encode(), *entries, b"</sst>"]
    types = _template()["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    data = workbook(changes={STRINGS: strings, "[Content_Types].xml": [types]})
    cost = refused(data, "cases.xlsx", r"the text of the workbook \(xl/sharedStrings\.xml\)")
    assert cost.seconds < 5
    assert cost.peak < 30 * MB


def test_xml_entities_are_refused_before_they_are_expanded() -> None:
    # A 1,000-character entity used 100,000 times in one shared string: 100 MB of text from a
    # file of 2 MB, which the standard library's XML parser would build (its own guard lets
    # through a hundred times the file's size). openpyxl uses defusedxml when installed.
    assert openpyxl.DEFUSEDXML is True
    dtd = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY e "' + b"x" * 1000 + b'">]>'
    padding = b"<!--" + noise(2 * MB) + b"-->"
    body = f'<sst xmlns="{MAIN_NS}"><si><t>'.encode() + b"&e;" * 100_000 + b"</t></si></sst>"
    types = _template()["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    data = workbook(changes={STRINGS: [dtd, padding, body], "[Content_Types].xml": [types]})
    cost = refused(data, "cases.xlsx", "the workbook declares XML entities")
    assert cost.seconds < 5
    assert cost.peak < 20 * MB


def test_a_large_part_that_openpyxl_reads_whole_is_refused() -> None:
    # styles.xml padded with a 5 MB comment of digits.
    styles = _template()["xl/styles.xml"].replace(
        b"<numFmts", b"<!--" + noise(5 * MB) + b"--><numFmts", 1
    )
    data = workbook(changes={"xl/styles.xml": [styles]})
    cost = refused(data, "cases.xlsx", r"a part of the workbook \(xl/styles\.xml\) is 5\.0 MB")
    assert cost.seconds < 5


def _workbook_listing_sheets(count: int) -> bytes:
    template = _template()
    sheets = "".join(
        f'<sheet name="S{n}" sheetId="{n + 1}" r:id="rId1"/>' for n in range(count)
    ).encode()
    listed = re.sub(
        rb"<sheets>.*</sheets>", b"<sheets>" + sheets + b"</sheets>", template["xl/workbook.xml"]
    )
    return workbook(changes={"xl/workbook.xml": [listed]})


def test_one_sheet_listed_twice_is_refused_so_no_part_is_read_twice() -> None:
    # openpyxl reads every listed sheet on opening: one large sheet listed a thousand
    # times would be read a thousand times over.
    refused(_workbook_listing_sheets(2), "cases.xlsx", "lists one worksheet as two sheets")


def test_a_workbook_listing_too_many_sheets_is_refused() -> None:
    cost = refused(_workbook_listing_sheets(5000), "cases.xlsx", "has 5,000 sheets")
    assert cost.seconds < 5


def test_too_many_rows_in_a_sheet_are_refused_before_openpyxl_reads_it() -> None:
    # 300,000 rows with one short cell each: 12 MB of XML compressing about nine times.
    rows = (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode() for n in range(2, 300_002))
    data = workbook(sheet_xml([heading_row(), *rows]))
    cost = refused(data, "cases.xlsx", "has more than 210,000 rows")
    assert cost.seconds < 5
    assert cost.peak < 20 * MB


def test_rows_skipped_to_the_last_row_of_a_sheet_are_refused() -> None:
    # Two stored rows, the second numbered 1,048,576: openpyxl yields every row between.
    data = workbook(sheet_xml([heading_row(), cells(1_048_576, GOOD_ROW)]))
    refused(data, "cases.xlsx", "has more than 2,000 rows", max_rows=2000 - ROWS_BEYOND_CASES)
    cost = refused(data, "cases.xlsx", "has more than 210,000 rows")
    assert cost.seconds < 5
    assert cost.peak < 20 * MB


def test_one_row_with_megabytes_of_xml_is_refused() -> None:
    # A 2 MB cell (of digits, so no ratio check stops it): openpyxl would build it whole.
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + noise(2 * MB) + b"</t></is></c></row>"
    data = workbook(sheet_xml([heading_row(), row]))
    cost = refused(data, "cases.xlsx", r"2\.0 MB of data in one row of its sheet .*row 2")
    assert cost.seconds < 5
    assert cost.peak < 10 * MB
    # The same before the rows (a sheet header openpyxl parses whole) is refused too.
    padding = b"<!--" + noise(2 * MB) + b"-->"
    data = workbook(sheet_xml([heading_row()], before_rows=padding))
    refused(data, "cases.xlsx", r"2\.0 MB of data in one row of its sheet .*row 1", memory=False)


def shared_strings_workbook(rows: list[list[str | int]], tail: Callable[[int], bytes]) -> bytes:
    """Rows of text (in a shared strings table, as Excel writes them) and whole numbers;
    `tail(row)` is added to the end of each row's XML."""
    table: dict[str, int] = {}
    body = []
    for number, row in enumerate(rows, start=1):
        xml = []
        for column, value in enumerate(row, start=1):
            ref = f"{openpyxl.utils.get_column_letter(column)}{number}"
            if isinstance(value, int):
                xml.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                index = table.setdefault(value, len(table))
                xml.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{number}">{"".join(xml)}'.encode() + tail(number) + b"</row>")
    strings = "".join(f"<si><t>{text}</t></si>" for text in table)
    types = _template()["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    sst = f'<sst xmlns="{MAIN_NS}">{strings}</sst>'.encode()
    return workbook(sheet_xml(body), {STRINGS: [sst], "[Content_Types].xml": [types]})


def test_rows_reaching_column_xfd_cost_no_more_than_narrow_ones() -> None:
    # Each row's last cell is an empty one in column XFD, the 16,384th: read whole, every row
    # would be 16,384 cells. Columns past MAX_COLUMNS are not read.
    rows: list[list[str | int]] = [list(CANONICAL_COLUMNS)]
    rows += [[10_000 + n, *GOOD_ROW[1:]] for n in range(5000)]
    narrow = shared_strings_workbook(rows, lambda n: b"")
    wide = shared_strings_workbook(rows, lambda n: f'<c r="XFD{n}" s="0"/>'.encode())
    assert len(parse_case_list(wide, "cases.xlsx").rows) == 5000
    baseline = cost_of(lambda: parse_case_list(narrow, "cases.xlsx"))
    cost = cost_of(lambda: parse_case_list(wide, "cases.xlsx"))
    assert cost.seconds < 2 * baseline.seconds + 1
    assert cost.peak < 2 * baseline.peak + 5 * MB


def test_a_wrong_recorded_size_costs_nothing() -> None:
    # The sheet says it spans A1:XFD1048576 but holds three rows: no padding to that size, no
    # million-row progress total.
    dimension = b'<dimension ref="A1:XFD1048576"/>'
    rows = [heading_row(), cells(2, GOOD_ROW), cells(3, ["C002", *GOOD_ROW[1:]])]
    data = workbook(sheet_xml(rows, before_rows=dimension))
    calls: list[tuple[int, int]] = []
    preview = parse_case_list(data, "cases.xlsx", progress=lambda d, t: calls.append((d, t)))
    assert len(preview.rows) == 2, preview.problems
    assert calls[0][1] <= DEFAULT_MAX_ROWS + ROWS_BEYOND_CASES
    cost = cost_of(lambda: parse_case_list(data, "cases.xlsx"))
    assert cost.seconds < 2
    assert cost.peak < 10 * MB


# --- CSV ----------------------------------------------------------------------------------------


def _csv(lines: Iterable[str]) -> bytes:
    return ("\n".join([",".join(CANONICAL_COLUMNS), *lines]) + "\n").encode()


def test_one_enormous_csv_line_is_refused_when_reached_not_split_into_cells() -> None:
    # 19 MB of two-letter cells on one line: as one row it would be 6.5 million strings.
    data = _csv([",".join(GOOD_ROW), "ab," * (19 * MB // 3)])
    cost = refused(data, "cases.csv", "has a line of more than 1,048,576 characters")
    assert cost.seconds < 5
    assert cost.peak < 3 * len(data)


def test_a_50_mb_cell_is_refused_with_a_clear_message() -> None:
    data = _csv([",".join(GOOD_ROW), "C002," + "x" * (50 * MB)])
    cost = refused(data, "cases.csv", "has a line of more than", max_bytes=60 * MB)
    assert cost.seconds < 5
    # A quoted cell running over many short lines meets the csv module's own cell limit.
    data = _csv([",".join(GOOD_ROW), 'C002,"' + "x\n" * 200_000 + '"'])
    refused(data, "cases.csv", "has a cell of more than 131,072 characters")


def test_millions_of_blank_lines_are_refused_without_reading_them_all() -> None:
    data = _csv([",".join(GOOD_ROW)] + [","] * 3_000_000)
    cost = refused(data, "cases.csv", "has more than 210,000 rows, blank ones included")
    assert cost.seconds < 5
    assert cost.peak < 2 * len(data) + 10 * MB


def test_a_row_wider_than_any_spreadsheet_is_refused_and_wide_rows_are_cut() -> None:
    refused(_csv(["C001," + "," * 16_384]), "cases.csv", "has 16,386 cells in row 2")
    wide = _csv([",".join([*GOOD_ROW, *["x"] * 300])])
    preview = parse_case_list(wide, "cases.csv")
    assert len(preview.rows) == 1
    assert preview.ignored_columns == []  # the columns past MAX_COLUMNS have no heading here
    assert MAX_COLUMNS == 200


def test_a_file_wrong_in_every_cell_lists_the_first_problems_and_stops() -> None:
    rows = (
        f"x-{n},d{n},t{n},s{n},e{n},,r{n},w{n},x{n},g{n},a{n},l{n},c{n}" for n in range(150_000)
    )
    data = _csv(rows)
    preview: ImportPreview = parse_case_list(data, "cases.csv")
    assert len(preview.problems) == MAX_PROBLEMS + 1
    assert preview.problems[-1].message.startswith("checking stopped at row ")
    cost = cost_of(lambda: parse_case_list(data, "cases.csv"))
    assert cost.seconds < 5
    assert cost.peak < 40 * MB
