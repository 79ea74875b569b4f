"""The rows of a table someone gives us (CSV or XLSX), read one at a time within limits.

Every list yjinspect imports (the children's case list, a victims' list, outcome records) is
exported from some system as CSV or Excel, so reading the file is one job whatever the list:
find the encoding and the separator of a CSV, stream the first worksheet of a workbook, and
refuse at once a file no real export could be (too large, far more rows than any list, a zip
bomb). What the rows mean is `core.lists`' business.

Each row comes with its spreadsheet row number, so every message names the row a person
finds when they open the file. Cells are text, except an XLSX date cell, which stays a `date`.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from ..limits import MB, CsvLimits, LimitExceeded, WorkbookLimits, ZipLimits, csv_rows
from .words import gettext as _
from .xlsx import open_first_sheet

__all__ = [
    "MAX_COLUMNS",
    "MAX_CSV_LINE",
    "ROWS_BEYOND_CASES",
    "Cell",
    "Table",
    "UnreadableFile",
    "read_table",
]

Cell = str | date
Rows = Iterator[tuple[int, Sequence[Cell]]]

# Rows a file may have beyond its cases: headings, notes above them, blank rows. A file past
# max_rows + this is refused as soon as the reading gets there, whatever its rows hold.
ROWS_BEYOND_CASES: Final = 10_000
# Columns read: any further to the right are not read at all (a case list has 13 of ours), so
# no row, however wide a program wrote it, costs more than this many cells.
MAX_COLUMNS: Final = 200
# One line of a CSV file (a real row is well under 1 KB).
MAX_CSV_LINE: Final = MB
# Excel's widest sheet has 16,384 columns: a CSV row with more is refused.
MAX_CSV_CELLS: Final = 16_384
# How many non-blank rows at the top may be a title or notes before the real headings; the
# separator of a CSV is chosen from these lines too.
HEADER_SEARCH_ROWS: Final = 20
# An XLSX workbook is a zip of XML parts. Measured (docs/RELIABILITY.md, "Limits on files
# people give us"): 200,000 cases written by openpyxl unpack to 131 MB, the sheet compressed
# 12 times over, and need no other part over 11 KB; a zip bomb compresses a thousand times.
XLSX_ZIP_LIMITS: Final = ZipLimits(max_members=1000, max_unpacked=200 * MB, max_ratio=100)
XLSX_MAX_PART: Final = 4 * MB  # styles, the list of sheets, ...: anything but a sheet's cells
XLSX_MAX_SHARED_STRINGS: Final = 16 * MB  # the text of every distinct cell, held whole
XLSX_MAX_SHEETS: Final = 100
XLSX_MAX_ROW_BYTES: Final = MB  # a row of 200 cells of Excel's longest text is under this


class UnreadableFile(ValueError):
    """The file cannot be read at all (wrong type, encoding, damaged, beyond the limits)."""


@dataclass
class Table:
    """A file's rows, ready to stream once.

    `last_row` is an estimate of the last row number, for a progress bar. `finish()` must be
    called once the reader is done with the rows, even when it stopped early: it applies the
    limits to whatever was not read (a workbook with far too many rows is refused even when
    the rows read had enough problems to stop at) and lets go of the file.
    """

    rows: Rows
    last_row: int
    notices: list[str]
    finish: Callable[[], None]


def _decode(data: bytes, notices: list[str]) -> str:
    """UTF-8 (with or without BOM) as exports should be; Windows-1252 as Excel's plain 'CSV'
    often is; UTF-16 with BOM as Excel's 'Unicode text' is."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                _("the file says it is UTF-16 text but cannot be read as it")
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _(
                "the file's text encoding could not be recognised; save it as 'CSV UTF-8' and "
                "upload again"
            )
        ) from exc
    notices.append(
        _(
            "The file is not UTF-8, so it was read as Windows-1252 (Western European); check "
            "that any accented letters look right."
        )
    )
    return text


def _sniff_delimiter(text: str, known_headings: Callable[[Sequence[str]], int]) -> str:
    """Comma, semicolon (Excel in many European locales) or tab. The separator that splits a
    top line into the most recognised headings wins, so separators inside values (a comma file
    with "a; b; c" notes) cannot mislead it; failing that, the one used most; comma on a tie."""
    lines = text[:20_000].splitlines()[:HEADER_SEARCH_ROWS]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        known = max((known_headings(line.split(delimiter)) for line in lines), default=0)
        score = (known, sum(line.count(delimiter) for line in lines))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_table(
    data: bytes, limits: CsvLimits, known_headings: Callable[[Sequence[str]], int]
) -> Table:
    """The rows of a CSV file, read one at a time, and the number of lines as the total."""
    if data.startswith(b"PK\x03\x04"):
        raise UnreadableFile(
            _(
                "this looks like an Excel workbook with a .csv name; rename it to .xlsx, or "
                "save it as CSV and upload again"
            )
        )
    notices: list[str] = []
    text = _decode(data, notices)
    if "\x00" in text:
        raise UnreadableFile(
            _(
                "the file contains NUL characters, so it is not plain CSV text; save it as "
                "'CSV UTF-8' and upload again"
            )
        )
    delimiter = _sniff_delimiter(text, known_headings)
    if delimiter != ",":
        notices.append(
            _("Columns are separated by semicolons.")
            if delimiter == ";"
            else _("Columns are separated by tabs.")
        )
    records = csv_rows(text, replace(limits, max_bytes=len(text)), _("the file"), delimiter)

    def rows() -> Rows:
        try:
            for number, record in enumerate(records, start=1):
                yield number, record[:MAX_COLUMNS]
        except csv.Error as exc:
            raise UnreadableFile(
                _("the CSV file could not be read: %(error)s") % {"error": exc}
            ) from exc

    lines = text.count("\n") + (not text.endswith("\n"))
    reading = rows()

    def finish() -> None:
        for _row in reading:  # the rest, unchecked, within the limits on rows and lines
            pass

    return Table(reading, lines, notices, finish)


def _xlsx_table(data: bytes, row_limit: int) -> Table:
    """The rows of the first worksheet, streamed, and the row count the workbook records."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("this is an old-style Excel (.xls) file; save it as .xlsx or CSV and upload again")
        )
    limits = WorkbookLimits(
        zip=XLSX_ZIP_LIMITS,
        max_part=XLSX_MAX_PART,
        max_shared_strings=XLSX_MAX_SHARED_STRINGS,
        max_sheets=XLSX_MAX_SHEETS,
        max_rows=row_limit,
        max_row_bytes=XLSX_MAX_ROW_BYTES,
    )
    unreadable = _("the file could not be read as an Excel .xlsx workbook")
    try:
        sheet, package = open_first_sheet(data, limits, MAX_COLUMNS, _("the workbook"))
    except LimitExceeded:
        raise
    except Exception as exc:  # zipfile and the XML parser raise many types for a damaged file
        raise UnreadableFile(unreadable) from exc
    if sheet.sheet_count == 0:
        package.close()
        raise UnreadableFile(_("the workbook has no worksheets"))
    notices: list[str] = []
    if sheet.sheet_count > 1:
        # Only ever two or more sheets here, so one plural wording serves every count.
        notices.append(
            _("The workbook has %(n)s sheets; only the first, %(title)s, was read.")
            % {"n": sheet.sheet_count, "title": repr(sheet.title)}
        )

    def rows() -> Rows:
        try:
            yield from sheet.rows()
        except (UnreadableFile, LimitExceeded):
            raise
        except Exception as exc:  # a damaged sheet can fail part-way through
            raise UnreadableFile(unreadable) from exc

    def finish() -> None:
        try:
            sheet.finish()
        except LimitExceeded:
            raise
        except Exception as exc:  # a damaged rest of the sheet
            raise UnreadableFile(unreadable) from exc
        finally:
            package.close()

    # Some programs write a wrong size into the file: it is only the progress bar's first
    # total, at most the rows allowed, and no row is cut off by it.
    return Table(rows(), min(sheet.recorded_rows, row_limit), notices, finish)


def read_table(
    data: bytes,
    filename: str,
    row_limit: int,
    known_headings: Callable[[Sequence[str]], int],
    max_bytes: int,
    max_line: int = MAX_CSV_LINE,
    max_cells: int = MAX_CSV_CELLS,
) -> Table:
    """The rows of an uploaded .csv or .xlsx file, at most `row_limit` of them (blank ones
    included) and `max_bytes` in all; a CSV line at most `max_line` characters and a CSV row
    `max_cells` cells (a row with fewer is cut to MAX_COLUMNS, as a workbook's rows are).
    `known_headings(cells)` says how many of a row's cells are headings the reader knows,
    which picks a CSV's separator.

    Raises `UnreadableFile` (with `LimitExceeded`'s sentence for a file beyond a limit) when the
    file cannot be read at all; reading the rows can raise it too, for a file damaged further on.
    """
    extension = filename.rpartition(".")[2].casefold() if "." in filename else ""
    if extension not in ("csv", "xlsx"):
        raise UnreadableFile(
            _(
                "%(name)s is not a .csv or .xlsx file; export the case list as CSV or Excel "
                "(.xlsx) and upload again"
            )
            % {"name": repr(filename)}
        )
    if len(data) > max_bytes:
        raise UnreadableFile(
            _("the file is %(size)s MB; the largest accepted is %(limit)s MB")
            % {"size": f"{len(data) / 1_048_576:.1f}", "limit": f"{max_bytes / 1_048_576:.1f}"}
        )
    if not data.strip():
        raise UnreadableFile(_("the file is empty"))
    try:
        if extension == "csv":
            limits = CsvLimits(max_bytes, row_limit, max_cells, max_line)
            return _csv_table(data, limits, known_headings)
        return _xlsx_table(data, row_limit)
    except LimitExceeded as exc:
        raise UnreadableFile(str(exc)) from None
