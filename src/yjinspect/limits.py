"""How much work a file someone gives us may cause: the checks every reader of a user's file makes.

A file from outside (a case list, an archive, a framework, outcome records, published results,
an evidence document) can be small on the wire and enormous once read: a zip whose members
unpack a thousandfold, YAML whose aliases multiply one list into millions of entries, JSON
nested until the parser recurses. Each reader checks its input here before it does anything
costly, so an oversized file is refused at once with one plain sentence, and no worker runs out
of memory or time on it. The figures each reader passes are stated in `docs/RELIABILITY.md`.

Zip members are trusted only as far as their declared sizes: Python's `zipfile` never hands
out more bytes than a member's declared size (it cuts the stream there and then fails the CRC),
so checking the central directory is enough to bound what reading a member can produce.

Pure Python (standard library and PyYAML); the messages go through the core's translator.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .core.words import gettext as _

MB = 1024 * 1024


class LimitExceeded(ValueError):
    """The file asks for more work than any real file of its kind: refused whole, unread."""


def megabytes(size: int) -> str:
    """A size as people read it in a message: '2.5 MB'."""
    return f"{size / MB:.1f} MB"


def check_size(size: int, max_bytes: int, what: str) -> None:
    """Refuse a file (or a part of one) larger than `max_bytes` before it is read."""
    if size > max_bytes:
        raise LimitExceeded(
            _("%(what)s is %(size)s; the largest accepted is %(limit)s")
            % {"what": what, "size": megabytes(size), "limit": megabytes(max_bytes)}
        )


def read_file(path: str | Path, max_bytes: int, what: str) -> bytes:
    """A file named on the command line, refused unread when it is larger than `max_bytes`.

    A regular file is refused by its size on disk; anything else (a pipe, /dev/zero) is read
    no further than one byte past the limit, so no file makes the reader hold more than that.
    Raises OSError as `open` does for a file that cannot be opened.
    """
    with open(path, "rb") as handle:
        check_size(os.fstat(handle.fileno()).st_size, max_bytes, what)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitExceeded(
            _("%(what)s is larger than %(limit)s, the largest accepted")
            % {"what": what, "limit": megabytes(max_bytes)}
        )
    return data


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------

# Python's csv module refuses one cell longer than this (csv.field_size_limit, left at its
# default for the whole process); a file within `CsvLimits.max_line` reaches it only through
# a quoted cell running over many lines.
CSV_CELL_LIMIT = csv.field_size_limit()


@dataclass(frozen=True)
class CsvLimits:
    """What one CSV file may hold.

    `max_bytes` bounds the text (counted in characters, of which a file of that many bytes
    has no more); `max_rows` the records, blank ones included, so a file of millions of empty
    lines is refused at the first one past the limit instead of being read to its end;
    `max_line` one line of the file, so a file that is one enormous line is refused when that
    line is reached and no row can hold more cells than a line's worth; `max_cells` the cells
    of one row.
    """

    max_bytes: int
    max_rows: int
    max_cells: int = 1000
    max_line: int = MB


def too_many_rows(max_rows: int, what: str) -> LimitExceeded:
    """The refusal of a file with more than `max_rows` rows (CSV records or sheet rows)."""
    return LimitExceeded(
        _("%(what)s has more than %(n)s rows, blank ones included; no real one has so many")
        % {"what": what, "n": f"{max_rows:,}"}
    )


# One line of CSV text and its ending, as io.StringIO(newline="") splits them (\n, \r\n, \r);
# found by the regex engine, so a line is measured before any copy of it is made.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str, max_line: int, what: str) -> Iterator[str]:
    for number, match in enumerate(_LINE.finditer(text), start=1):
        if match.end() - match.start() > max_line:
            raise LimitExceeded(
                _("%(what)s has a line of more than %(n)s characters (line %(line)s)")
                % {"what": what, "n": f"{max_line:,}", "line": f"{number:,}"}
            )
        yield match.group()


def _bounded_lines(lines: Iterable[str], limits: CsvLimits, what: str) -> Iterator[str]:
    """Lines from a file object (or any iterable), counted against the size as they come."""
    total = 0
    for number, line in enumerate(lines, start=1):
        total += len(line)
        if total > limits.max_bytes:
            raise LimitExceeded(
                _("%(what)s is larger than %(limit)s, the largest accepted")
                % {"what": what, "limit": megabytes(limits.max_bytes)}
            )
        if len(line) > limits.max_line:
            raise LimitExceeded(
                _("%(what)s has a line of more than %(n)s characters (line %(line)s)")
                % {"what": what, "n": f"{limits.max_line:,}", "line": f"{number:,}"}
            )
        yield line


def csv_rows(
    source: str | Iterable[str], limits: CsvLimits, what: str, delimiter: str = ","
) -> Iterator[list[str]]:
    """The rows of CSV text (or of an open text file's lines), read one at a time in `limits`.

    The size of a text is checked at once, that of a file's lines as they are read; the rest
    as the rows are read, so a caller that stops early never pays for the remainder. Raises
    `LimitExceeded` naming the line or row, and lets `csv.Error` through for text that is not
    CSV, so each reader keeps its own wording for it.
    """
    if isinstance(source, str):
        check_size(len(source), limits.max_bytes, what)
        lines = _lines(source, limits.max_line, what)
    else:
        lines = _bounded_lines(source, limits, what)
    return _csv_rows(lines, limits, what, delimiter)


def _csv_rows(
    lines: Iterator[str], limits: CsvLimits, what: str, delimiter: str
) -> Iterator[list[str]]:
    reader = csv.reader(lines, delimiter=delimiter)
    count = 0
    try:
        for row in reader:
            count += 1
            if count > limits.max_rows:
                raise too_many_rows(limits.max_rows, what)
            if len(row) > limits.max_cells:
                raise LimitExceeded(
                    _("%(what)s has %(n)s cells in row %(row)s; the most accepted is %(limit)s")
                    % {
                        "what": what,
                        "n": f"{len(row):,}",
                        "row": f"{count:,}",
                        "limit": f"{limits.max_cells:,}",
                    }
                )
            yield row
    except csv.Error as exc:
        if not str(exc).startswith("field larger than field limit"):
            raise
        raise LimitExceeded(
            _("%(what)s has a cell of more than %(n)s characters (line %(line)s)")
            % {"what": what, "n": f"{CSV_CELL_LIMIT:,}", "line": f"{reader.line_num:,}"}
        ) from None


# ---------------------------------------------------------------------------------------------
# Zip packages (XLSX workbooks, inspection archives, Office documents)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """What a zip package of one kind may hold.

    `max_ratio` is how many times larger than its compressed bytes a member may unpack to. Real
    XLSX sheets and JSON compress 5 to 20 times; a zip bomb compresses a thousand times. Small
    members (under `ratio_from` bytes unpacked) are exempt: a short run of one character can
    compress very well without costing anything.
    """

    max_members: int
    max_unpacked: int
    max_ratio: int = 100
    ratio_from: int = MB


def check_zip(package: zipfile.ZipFile, limits: ZipLimits, what: str) -> None:
    """Refuse a zip whose members, taken together or one by one, are beyond `limits`."""
    members = package.infolist()
    if len(members) > limits.max_members:
        raise LimitExceeded(
            _("%(what)s holds %(n)s files; no real one holds more than %(limit)s")
            % {"what": what, "n": f"{len(members):,}", "limit": f"{limits.max_members:,}"}
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked:
        raise LimitExceeded(
            _("%(what)s unpacks to %(size)s; the most accepted is %(limit)s")
            % {
                "what": what,
                "size": megabytes(unpacked),
                "limit": megabytes(limits.max_unpacked),
            }
        )
    for member in members:
        packed = max(member.compress_size, 1)
        if member.file_size >= limits.ratio_from and member.file_size / packed > limits.max_ratio:
            raise LimitExceeded(
                _(
                    "%(what)s has a part (%(name)s) compressed %(ratio)s times over, as no real "
                    "file is: it was not opened"
                )
                % {
                    "what": what,
                    "name": member.filename,
                    "ratio": f"{member.file_size // packed:,}",
                }
            )


_END = b"PK\x05\x06"
_END64 = b"PK\x06\x06"
_LOCATOR64 = b"PK\x06\x07"
# The end of a zip that holds its end records: the end record (22 bytes), the longest comment
# it may have, and before them the zip64 locator (20) and zip64 end record (56).
ZIP_TAIL = 22 + 65_535 + 20 + 56
# Bytes of central directory allowed per member: an entry is 46 bytes, its name and extras.
DIRECTORY_BYTES_PER_MEMBER = 1024


def _directory_size(tail: bytes) -> int:
    """The size of the zip's central directory as zipfile will find it in the end records of
    `tail` (the file's last ZIP_TAIL bytes); 0 when there are none (zipfile refuses the file)."""
    end = len(tail) - 22
    if end < 0 or tail[end : end + 4] != _END or tail[-2:] != b"\0\0":
        end = tail.rfind(_END, max(0, len(tail) - 22 - 65_535))
        if end < 0:
            return 0
    size = int.from_bytes(tail[end + 12 : end + 16], "little")
    locator, record = end - 20, end - 76
    if (
        record >= 0
        and tail[locator : locator + 4] == _LOCATOR64
        and tail[record : record + 4] == _END64
    ):
        size = int.from_bytes(tail[record + 40 : record + 48], "little")
    return size


def check_directory(tail: bytes, limits: ZipLimits, what: str) -> None:
    """Refuse a zip whose list of members is too long to read, before zipfile reads it.

    zipfile builds an object for every entry of the central directory when it opens a zip:
    for 300,000 empty members (a 25 MB file) that took 3.9 s and 156 MB. So the directory's
    size, from the end records, is checked first.
    """
    size = _directory_size(tail)
    limit = limits.max_members * DIRECTORY_BYTES_PER_MEMBER
    if size > limit:
        raise LimitExceeded(
            _("%(what)s lists its contents in %(size)s; no zip of %(n)s files needs %(limit)s")
            % {
                "what": what,
                "size": megabytes(size),
                "n": f"{limits.max_members:,}",
                "limit": megabytes(limit),
            }
        )


def open_zip(data: bytes, limits: ZipLimits, what: str) -> zipfile.ZipFile:
    """Open `data` as a zip package and check it against `limits`; the caller closes it.

    A damaged zip raises `zipfile.BadZipFile` (or OSError, ValueError, EOFError), as
    `zipfile.ZipFile` does, so each reader keeps its own wording for an unreadable file.
    """
    check_directory(data[-ZIP_TAIL:], limits, what)
    package = zipfile.ZipFile(io.BytesIO(data))
    try:
        check_zip(package, limits, what)
    except LimitExceeded:
        package.close()
        raise
    return package


def read_member(package: zipfile.ZipFile, name: str, max_bytes: int, what: str) -> bytes:
    """One member's bytes, refused unread if it declares more than `max_bytes`."""
    check_size(package.getinfo(name).file_size, max_bytes, what)
    return package.read(name)


# ---------------------------------------------------------------------------------------------
# XLSX workbooks (a zip of XML parts)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbookLimits:
    """What an XLSX workbook may hold, beyond the limits of its zip (the case list's reader,
    `core/xlsx.py`, applies them).

    The shared strings (held whole: the text of every distinct cell) and every other part but
    a worksheet are refused by their declared sizes; a worksheet may be listed once only, and
    `max_sheets` of them at most; and a worksheet's XML is scanned as it is read
    (`SheetScan`): at most `max_rows` rows, and no stretch of XML between two row starts
    longer than `max_row_bytes`, which bounds the cells and text of one row and anything
    outside the rows.
    """

    zip: ZipLimits
    max_part: int
    max_shared_strings: int
    max_sheets: int
    max_rows: int
    max_row_bytes: int


_ROW_START = re.compile(rb"<(?:\w{1,16}:)?row[\s/>]")


class SheetScan:
    """A worksheet's rows counted and the XML between them measured, as its bytes stream past.

    Fed the sheet's XML in pieces of any size; refuses (`LimitExceeded`) as soon as a row past
    `max_rows` starts or a stretch between two row starts has ended longer than
    `max_row_bytes`; `finish` checks the last stretch. `open_stretch` is the length of the
    stretch still open, so a reader parsing the same bytes can stop feeding its parser once it
    is too long and let the scan name the whole stretch.
    """

    def __init__(self, name: str, limits: WorkbookLimits, what: str) -> None:
        self.name, self.limits, self.what = name, limits, what
        self.rows = self.last = self.offset = 0
        self.tail = b""

    @property
    def open_stretch(self) -> int:
        """Bytes since the start of the last row (or of the sheet)."""
        return self.offset - self.last

    def feed(self, chunk: bytes) -> None:
        """Count the rows starting in `chunk` and check the stretches they close."""
        block = self.tail + chunk
        base = self.offset - len(self.tail)
        for match in _ROW_START.finditer(block):
            if match.end() <= len(self.tail):
                continue  # wholly in the previous chunk: counted there
            self.rows += 1
            if self.rows > self.limits.max_rows:
                raise too_many_rows(self.limits.max_rows, self.what)
            _check_stretch(
                base + match.start() - self.last,
                max(self.rows - 1, 1),
                self.name,
                self.limits,
                self.what,
            )
            self.last = base + match.start()
        self.offset += len(chunk)
        self.tail = block[-32:]

    def finish(self) -> None:
        """Check the stretch from the last row start to the end of the sheet."""
        _check_stretch(self.offset - self.last, self.rows, self.name, self.limits, self.what)


def _check_stretch(size: int, row: int, name: str, limits: WorkbookLimits, what: str) -> None:
    if size > limits.max_row_bytes:
        raise LimitExceeded(
            _(
                "%(what)s has %(size)s of data in one row of its sheet %(name)s (row %(row)s "
                "as stored); the most accepted is %(limit)s"
            )
            % {
                "what": what,
                "size": megabytes(size),
                "name": name[:100],
                "row": f"{row:,}",
                "limit": megabytes(limits.max_row_bytes),
            }
        )


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def load_json(data: bytes | str, max_bytes: int, what: str) -> Any:
    """Parse JSON no larger than `max_bytes`; nesting too deep for the parser is refused too.

    Raises `json.JSONDecodeError` (a ValueError) for text that is not JSON.
    """
    check_size(len(data), max_bytes, what)
    try:
        return json.loads(data)
    except RecursionError:
        raise LimitExceeded(_("%(what)s is nested too deeply to read") % {"what": what}) from None


# ---------------------------------------------------------------------------------------------
# YAML (framework files, the crosswalk)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YamlLimits:
    """What one YAML document may hold.

    Aliases (`*name`, repeating an anchored `&name` part) are allowed because the shipped
    frameworks use them to share prompts between standards, but each alias repeats its whole
    part: `max_nodes` counts the document as its readers see it, with every alias expanded, so a
    few hundred bytes of nested aliases (a "billion laughs") cannot become millions of entries.
    """

    max_bytes: int = 2 * MB
    max_aliases: int = 200
    max_nodes: int = 200_000
    max_depth: int = 40


class _Walk:
    """Counts a composed YAML graph as it will be read: aliases expanded, depth, cycles."""

    def __init__(self, limits: YamlLimits, what: str) -> None:
        self.limits = limits
        self.what = what
        self.sizes: dict[int, int] = {}  # id(node) -> expanded size, for nodes already counted
        self.open: set[int] = set()  # nodes on the current path: an alias back to one is a loop
        self.aliases = 0

    def size(self, node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in self.open:
            raise LimitExceeded(
                _("%(what)s has an alias that contains itself (line %(line)s)")
                % {"what": self.what, "line": node.start_mark.line + 1}
            )
        if key in self.sizes:
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                raise LimitExceeded(
                    _("%(what)s repeats parts (aliases) more than %(n)s times")
                    % {"what": self.what, "n": self.limits.max_aliases}
                )
            return self.sizes[key]
        if depth > self.limits.max_depth:
            raise LimitExceeded(
                _("%(what)s is nested more than %(n)s levels deep (line %(line)s)")
                % {"what": self.what, "n": self.limits.max_depth, "line": node.start_mark.line + 1}
            )
        self.open.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self.size(item, depth + 1) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(self.size(k, depth + 1) + self.size(v, depth + 1) for k, v in node.value)
        self.open.discard(key)
        self.sizes[key] = total
        if total > self.limits.max_nodes:
            raise LimitExceeded(
                _("%(what)s expands to more than %(n)s entries once its aliases are repeated")
                % {"what": self.what, "n": f"{self.limits.max_nodes:,}"}
            )
        return total


def compose_yaml(text: str, limits: YamlLimits, what: str) -> yaml.Node | None:
    """The document's node graph (lines and all), checked against `limits`; None if empty.

    Raises `yaml.YAMLError` for text that is not YAML, `LimitExceeded` for one beyond the limits.
    """
    check_size(len(text.encode("utf-8")), limits.max_bytes, what)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise LimitExceeded(_("%(what)s is nested too deeply to read") % {"what": what}) from None
    if node is not None:
        _Walk(limits, what).size(node, 0)
    return node


def construct_yaml(node: yaml.Node) -> Any:
    """The Python data of a node graph from `compose_yaml`, built once (aliases shared)."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, limits: YamlLimits, what: str) -> Any:
    """`yaml.safe_load` within `limits`."""
    node = compose_yaml(text, limits, what)
    return None if node is None else construct_yaml(node)
