"""The first worksheet of an XLSX workbook as rows of cells, read in one streamed pass.

openpyxl's read-only mode took about 30 s for a 100,000-row case list on the project's machine
(docs/RELIABILITY.md), half of the web worker's timeout: it parses the sheet with defusedxml's
pure-Python parser, builds a cell object for every cell, and the pre-scan the limits needed
before it read the sheet's XML once more. A case list needs none of that, only the values of
one sheet. So this module opens the zip within the same limits (`limits.open_zip`, each part's
declared size, the sheets listed), reads the few small parts with defusedxml, and streams the
shared strings and the sheet's XML once through expat (the standard library's C parser) with
handlers that keep only text, never a tree: building millions of elements kept Python's
garbage collector busy for most of the time (12 s against 3 s, measured). While the sheet's
bytes go by they are scanned (`limits.SheetScan`), so no row past the limit is read and no
row is built bigger than the limit allows. Entity declarations are refused as defusedxml
refuses them.

Cell values follow openpyxl with `data_only=True` (a formula gives the value Excel last saved,
or a blank), turned into what the case-list reader compares: text, or a `date` for a cell
formatted as a date. Whole numbers lose Excel's trailing '.0'.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Final, NoReturn
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from ..limits import (
    LimitExceeded,
    SheetScan,
    WorkbookLimits,
    check_size,
    open_zip,
    too_many_rows,
)
from .words import gettext as _

__all__ = ["Sheet", "UnreadableWorkbook", "open_first_sheet"]

_MAIN: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL: Final = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL: Final = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TYPES: Final = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_SPREADSHEET: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_MACRO: Final = "application/vnd.ms-excel."
_WORKBOOK_TYPES: Final = (
    _MACRO + "template.macroEnabled.main+xml",
    _SPREADSHEET + "template.main+xml",
    _MACRO + "sheet.macroEnabled.main+xml",
    _SPREADSHEET + "sheet.main+xml",
)
_STRINGS_TYPE: Final = _SPREADSHEET + "sharedStrings+xml"
_STYLES_TYPE: Final = _SPREADSHEET + "styles+xml"
_CONTENT_TYPES: Final = "[Content_Types].xml"

# Element names as expat gives them with namespace_separator="}".
_NS: Final = _MAIN[1:]
_ROW: Final = _NS + "row"
_CELL: Final = _NS + "c"
_VALUE: Final = _NS + "v"
_INLINE: Final = _NS + "is"
_TEXT: Final = _NS + "t"
_ITEM: Final = _NS + "si"
_HINT: Final = _NS + "rPh"
_CHUNK: Final = 64 * 1024
_VALUE_CACHE: Final = 50_000  # distinct numbers and dates remembered while reading a sheet
_DIMENSION: Final = re.compile(rb"<(?:\w{1,16}:)?dimension\s+ref=\"[A-Za-z]*\d*:?[A-Za-z]*(\d+)\"")
_LETTERS: Final = re.compile(r"[A-Za-z]+")


class UnreadableWorkbook(ValueError):
    """The file is not a workbook this module can read (damaged, or not XLSX at all)."""


@dataclass
class Sheet:
    """The first worksheet, ready to stream. `rows()` may be iterated once; `finish()`, once
    the rows are no longer wanted, scans whatever was not read against the limits."""

    title: str
    sheet_count: int
    recorded_rows: int  # the size the sheet says it has (0 when it says none); may be wrong
    _rows: Iterator[tuple[int, list[str | date]]]
    _finish: Callable[[], None]

    def rows(self) -> Iterator[tuple[int, list[str | date]]]:
        """(spreadsheet row number, cells) for every row the sheet stores, in order; a row
        with no value is an empty list. Cells are text ('' for blank) or dates."""
        return self._rows

    def finish(self) -> None:
        """Refuse the sheet if its unread rest is beyond the limits (`LimitExceeded`)."""
        self._finish()


def _entities_refused(what: str) -> LimitExceeded:
    return LimitExceeded(
        _("%(what)s declares XML entities, as no real workbook does: it was not read")
        % {"what": what}
    )


def _small_part(package: zipfile.ZipFile, name: str, max_bytes: int, what: str) -> ET.Element:
    """A part read whole (it is small: its declared size is checked first) with defusedxml."""
    check_size(
        package.getinfo(name).file_size,
        max_bytes,
        _("a part of %(what)s (%(name)s)") % {"what": what, "name": name[:100]},
    )
    try:
        root: ET.Element = fromstring(package.read(name))
    except DefusedXmlException:
        raise _entities_refused(what) from None
    return root


def _expat(what: str) -> Any:
    """An expat parser naming elements 'namespace}local', refusing entity declarations and
    references to anything outside the part (defusedxml's rules)."""

    def refuse(*_args: object) -> NoReturn:
        raise _entities_refused(what)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _shared_strings(stream: IO[bytes], what: str) -> list[str]:
    """The text of every shared string, in order: each item's own `t` and the `t` of its
    runs, not its phonetic hints (`rPh`), as openpyxl reads them."""
    strings: list[str] = []
    parts: list[str] = []
    state = {"text": False, "hint": 0}

    def start(name: str, _attributes: dict[str, str]) -> None:
        if name == _TEXT:
            state["text"] = not state["hint"]
        elif name == _ITEM:
            parts.clear()
        elif name == _HINT:
            state["hint"] += 1

    def end(name: str) -> None:
        if name == _TEXT:
            state["text"] = False
        elif name == _ITEM:
            strings.append("".join(parts))
        elif name == _HINT:
            state["hint"] -= 1

    def text(data: str) -> None:
        if state["text"]:
            parts.append(data)

    parser = _expat(what)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return strings


def _date_styles(styles: ET.Element | None) -> tuple[frozenset[int], frozenset[int]]:
    """The cell styles (indexes into cellXfs) that format a number as a date, and those of
    them that format it as a duration, decided as openpyxl decides them."""
    if styles is None:
        return frozenset(), frozenset()
    custom = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in styles.iter(_MAIN + "numFmt")
    }
    dates: set[int] = set()
    durations: set[int] = set()
    cell_xfs = styles.find(_MAIN + "cellXfs")
    for index, xf in enumerate([] if cell_xfs is None else cell_xfs.iter(_MAIN + "xf")):
        number = int(xf.get("numFmtId", "0"))
        fmt = custom.get(number, BUILTIN_FORMATS.get(number))
        if is_date_format(fmt):
            dates.add(index)
            if is_timedelta_format(fmt):
                durations.add(index)
    return frozenset(dates), frozenset(durations)


def _column(letters: str, cache: dict[str, int]) -> int:
    """'D' -> 3 (columns from 0), remembered in `cache`."""
    if not _LETTERS.fullmatch(letters):
        raise UnreadableWorkbook(f"cell reference {letters[:20]!r}")
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    cache[letters] = index - 1
    return index - 1


@dataclass(frozen=True)
class _Cells:
    """What turning a sheet's cells into values needs."""

    strings: list[str]
    dates: frozenset[int]
    durations: frozenset[int]
    epoch: datetime
    max_columns: int


def _number(text: str) -> int | float:
    """openpyxl's reading of a number: an int unless it has a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _as_cell(value: object) -> str | date:
    """openpyxl's value as the case-list reader compares it (see `tables._xlsx_cell`)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(text: str, style: int, kind: str, context: _Cells) -> str | date:
    """One cell's value from its kind (`t`), style (`s`) and text (of `v`, or of an inline
    string's `t`), as openpyxl (data_only) would give it, then as text or a date."""
    if not text:
        return ""
    if kind == "s":
        return context.strings[int(text)]
    if kind == "inlineStr" or kind == "str" or kind == "e":
        return text
    if kind == "b":
        return "TRUE" if int(text) else "FALSE"
    if kind == "d":
        return _as_cell(from_ISO8601(text))
    number = _number(text)
    if style in context.dates:
        try:
            return _as_cell(from_excel(number, context.epoch, style in context.durations))
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl marks a date serial no calendar has
    return _as_cell(number)


class _SheetReader:
    """expat handlers turning a sheet's XML into rows: (row number, cells up to the last one
    with a value within `max_columns`). Only the text of `v` and of inline strings is kept;
    a formula's own text (`f`) and phonetic hints are not."""

    def __init__(self, context: _Cells, max_rows: int, what: str) -> None:
        self.context, self.max_rows, self.what = context, max_rows, what
        self.ready: list[tuple[int, list[str | date]]] = []
        self.number = 0
        self.cells: list[str | date] = []
        self.position = -1
        self.style = 0
        self.kind = "n"
        self.parts: list[str] = []
        self.collecting = False
        self.inline = False
        self.hint = 0
        self.columns: dict[str, int] = {}
        self.digits = 1
        self.values: dict[tuple[str, int, str], str | date] = {}
        self.max_columns = context.max_columns

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _CELL:
            reference = attributes.get("r")
            if reference is None:
                self.position += 1
            else:  # 'AB12' in row 12: the letters are what comes before the row's number
                letters = reference[: len(reference) - self.digits]
                position = self.columns.get(letters)
                self.position = _column(letters, self.columns) if position is None else position
            style = attributes.get("s")
            self.style = int(style) if style else 0
            self.kind = attributes.get("t", "n")
            self.parts.clear()
        elif name == _VALUE:
            self.collecting = not self.inline
        elif name == _TEXT:
            self.collecting = self.inline and not self.hint
        elif name == _ROW:
            given = attributes.get("r")
            self.number = int(given) if given else self.number + 1
            if self.number > self.max_rows:
                raise too_many_rows(self.max_rows, self.what)
            self.digits = len(str(self.number))
            self.cells = []
            self.position = -1
        elif name == _INLINE:
            self.inline = True
        elif name == _HINT:
            self.hint += 1

    def end(self, name: str) -> None:
        if name in (_VALUE, _TEXT):
            self.collecting = False
        elif name == _CELL:
            self.inline = False
            if self.position >= self.max_columns or not self.parts:
                return
            text = "".join(self.parts)
            kind = self.kind
            if kind == "s" or kind == "inlineStr":
                value = _value(text, self.style, kind, self.context)
            else:  # numbers and dates repeat down a column: each is worked out once
                key = (text, self.style, kind)
                value = self.values.get(key, "")
                if value == "":
                    value = _value(text, self.style, kind, self.context)
                    if len(self.values) < _VALUE_CACHE:
                        self.values[key] = value
            if value == "":
                return
            cells = self.cells
            if self.position >= len(cells):
                cells.extend([""] * (self.position - len(cells) + 1))
            cells[self.position] = value
        elif name == _ROW:
            self.ready.append((self.number, self.cells))
        elif name == _HINT:
            self.hint -= 1

    def text(self, data: str) -> None:
        if self.collecting:
            self.parts.append(data)


def _sheet_rows(
    chunks: Iterable[bytes], context: _Cells, max_rows: int, what: str
) -> Iterator[tuple[int, list[str | date]]]:
    """The rows of a sheet's XML, as each chunk of it is parsed."""
    reader = _SheetReader(context, max_rows, what)
    parser = _expat(what)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    for chunk in itertools.chain(chunks, [b""]):
        parser.Parse(chunk, not chunk)
        yield from reader.ready
        reader.ready.clear()


def _checked_chunks(
    stream: IO[bytes], scan: SheetScan, first: bytes, max_row_bytes: int
) -> Iterator[bytes]:
    """The sheet's bytes for the parser, each chunk scanned first. Once a row's XML is longer
    than allowed the parser gets no more: the scan reads on to that row's end and refuses it
    with its whole size (or the sheet ends and `finish` does)."""
    chunk = first
    while chunk:
        scan.feed(chunk)
        if scan.open_stretch > max_row_bytes:
            while more := stream.read(_CHUNK):
                scan.feed(more)
            scan.finish()
        yield chunk
        chunk = stream.read(_CHUNK)
    scan.finish()


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name inside the zip."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(folder, target))


def _rels_name(part: str) -> str:
    folder, _slash, file = part.rpartition("/")
    return f"{folder}/_rels/{file}.rels" if folder else f"_rels/{file}.rels"


def open_first_sheet(
    data: bytes, limits: WorkbookLimits, max_columns: int, what: str
) -> tuple[Sheet, zipfile.ZipFile]:
    """The workbook's first worksheet, checked against `limits` (`limits.WorkbookLimits`),
    and its zip, which the caller closes once done with the rows.

    Raises `LimitExceeded` for a workbook beyond the limits, `UnreadableWorkbook` (or what
    zipfile and the XML parser raise, many types) for one that cannot be read.
    """
    package = open_zip(data, limits.zip, what)
    try:
        return _first_sheet(package, limits, max_columns, what), package
    except BaseException:
        package.close()
        raise


def _first_sheet(
    package: zipfile.ZipFile, limits: WorkbookLimits, max_columns: int, what: str
) -> Sheet:
    """`open_first_sheet` once the zip is open and within its limits."""
    sizes = {info.filename: info.file_size for info in package.infolist()}
    types = _small_part(package, _CONTENT_TYPES, limits.max_part, what)
    by_type: dict[str, str] = {}
    for override in types.iter(_TYPES + "Override"):
        by_type.setdefault(override.get("ContentType", ""), override.get("PartName", "")[1:])
    workbook_part = next((by_type[t] for t in _WORKBOOK_TYPES if t in by_type), None)
    if workbook_part is None:
        raise UnreadableWorkbook("no workbook part")
    strings_part = by_type.get(_STRINGS_TYPE, "")
    styles_part = by_type.get(_STYLES_TYPE, "")
    workbook = _small_part(package, workbook_part, limits.max_part, what)
    folder = workbook_part.rpartition("/")[0]
    rels_part = _rels_name(workbook_part)
    rels = _small_part(package, rels_part, limits.max_part, what)
    targets = {
        rel.get("Id"): (_resolve(folder, rel.get("Target", "")), rel.get("Type", ""))
        for rel in rels.iter(_PKG_REL + "Relationship")
    }
    listed = [
        (sheet.get("name", ""), targets[rid])
        for sheet in workbook.iter(_MAIN + "sheet")
        if (rid := sheet.get(_DOC_REL + "id")) in targets
    ]
    if len(listed) > limits.max_sheets:
        raise LimitExceeded(
            _("%(what)s has %(n)s sheets; the most accepted is %(limit)s")
            % {"what": what, "n": f"{len(listed):,}", "limit": f"{limits.max_sheets:,}"}
        )
    sheet_parts = [target for _name, (target, _type) in listed]
    if len(set(sheet_parts)) < len(sheet_parts):
        raise LimitExceeded(
            _("%(what)s lists one worksheet as two sheets, as no real workbook does")
            % {"what": what}
        )
    for name, size in sizes.items():
        if name in (*sheet_parts, strings_part):
            continue
        check_size(
            size,
            limits.max_part,
            _("a part of %(what)s (%(name)s)") % {"what": what, "name": name[:100]},
        )
    worksheets = [(n, t) for n, (t, kind) in listed if kind.endswith("/worksheet")]
    if not worksheets:
        return Sheet("", 0, 0, iter(()), lambda: None)
    title, part = worksheets[0]
    strings: list[str] = []
    if strings_part in sizes:
        check_size(
            sizes[strings_part],
            limits.max_shared_strings,
            _("the text of %(what)s (%(name)s)") % {"what": what, "name": strings_part},
        )
        with package.open(strings_part) as stream:
            strings = _shared_strings(stream, what)
    styles = None
    if styles_part in sizes:
        styles = _small_part(package, styles_part, limits.max_part, what)
    dates, durations = _date_styles(styles)
    properties = workbook.find(_MAIN + "workbookPr")
    in_1904 = properties is not None and properties.get("date1904", "") in ("1", "true")
    epoch = CALENDAR_MAC_1904 if in_1904 else CALENDAR_WINDOWS_1900
    context = _Cells(strings, dates, durations, epoch, max_columns)
    stream = package.open(part)
    first = stream.read(_CHUNK)
    found = _DIMENSION.search(first)
    recorded = int(found[1]) if found else 0
    scan = SheetScan(part, limits, what)
    chunks = _checked_chunks(stream, scan, first, limits.max_row_bytes)
    rows = _sheet_rows(chunks, context, limits.max_rows, what)

    def finish() -> None:
        while more := stream.read(_CHUNK):
            scan.feed(more)
        scan.finish()

    return Sheet(title, len(worksheets), recorded, rows, finish)
