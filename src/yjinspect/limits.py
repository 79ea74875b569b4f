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

import io
import json
import zipfile
from dataclasses import dataclass
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


def open_zip(data: bytes, limits: ZipLimits, what: str) -> zipfile.ZipFile:
    """Open `data` as a zip package and check it against `limits`; the caller closes it.

    A damaged zip raises `zipfile.BadZipFile` (or OSError, ValueError, EOFError), as
    `zipfile.ZipFile` does, so each reader keeps its own wording for an unreadable file.
    """
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
