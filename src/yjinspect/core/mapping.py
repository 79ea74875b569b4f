"""How one service's export maps onto one of our lists: data, kept and re-used.

Every case-management system exports its own headings and its own words for the same things
("Outcome Tier" for the domain, "YRO with ISS" for a youth rehabilitation order). The first
time a service uploads a list, the person says what each unrecognised heading and value is; the
answer is a `Mapping`, saved for the service and offered on its next import, so the same export
is read again with no questions asked. It is plain data with a small versioned JSON form
(`to_json` / `from_json`), so the web app stores it per service and a person can download it
and give it to `yjinspect caselist check --mapping FILE`.

A mapping holds, for one list (`list_id`, such as "children"):

- `columns`: our column -> the file's heading, or None for "not in this file" (not needed);
- `values`: per coded column, the file's value -> our code, or None for "out of scope" (the
  value names something that is not a case for this list, such as a prevention programme:
  rows with it are left out, with a note);
- `ignored`: the file's headings the person said are not needed, so a reader that refuses
  unknown columns (the outcome records) accepts them.

What a mapping may name is checked against the list it is used with (`core.lists`), so a
mapping is refused with a problem rather than half applied. The file itself is checked here,
within `MAPPING_LIMITS`: no reader holds more than a small file's worth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any, Final

from ..limits import LimitExceeded, load_json
from .words import gettext as _

__all__ = ["FORMAT", "MAPPING_LIMITS", "VERSION", "Mapping", "MappingError", "MappingLimits"]

FORMAT: Final = "yjinspect-mapping"
VERSION: Final = 1
_ID: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class MappingLimits:
    """What a mapping file may hold: a list has tens of columns and a coded column a few
    dozen local spellings, so these are generous and still keep a file small."""

    max_bytes: int = 256 * 1024
    max_columns: int = 100
    max_values: int = 1000  # per coded column
    max_ignored: int = 500
    max_text: int = 200  # a heading or a value


MAPPING_LIMITS: Final = MappingLimits()


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Mapping:
    """Our columns and codes in one service's export of one list. Empty: nothing is mapped."""

    list_id: str
    columns: MappingType[str, str | None] = field(default_factory=dict)
    values: MappingType[str, MappingType[str, str | None]] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()

    def heading_of(self, column: str) -> str | None:
        """The file's heading for our column, or None (not mapped, or not needed)."""
        return self.columns.get(column)

    def not_needed(self, column: str) -> bool:
        """True when the mapping says our column is not in the file."""
        return column in self.columns and self.columns[column] is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: keys sorted, so the same mapping always gives the same file."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "list": self.list_id,
            "columns": dict(sorted(self.columns.items())),
            "values": {
                column: dict(sorted(values.items()))
                for column, values in sorted(self.values.items())
            },
            "ignored": sorted(self.ignored),
        }

    def to_json(self) -> str:
        """The mapping as a small JSON document (UTF-8 text, one key a line)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str, limits: MappingLimits = MAPPING_LIMITS) -> Mapping:
        """A mapping from its JSON form, checked field by field within `limits`.

        Raises MappingError naming what is wrong. What the mapping names (columns, codes) is
        checked by the list reader it is used with, which knows the list's columns.
        """
        try:
            raw = load_json(data, limits.max_bytes, _("the mapping file"))
        except LimitExceeded as exc:
            raise MappingError(str(exc)) from None
        except (ValueError, UnicodeDecodeError):
            raise MappingError(_("the mapping file is not JSON")) from None
        return cls.from_dict(raw, limits)

    @classmethod
    def from_dict(cls, raw: object, limits: MappingLimits = MAPPING_LIMITS) -> Mapping:
        """A mapping from the JSON form already parsed (a stored mapping, say)."""
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise MappingError(
                _("this is not a yjinspect mapping file (its format should be %(format)s)")
                % {"format": repr(FORMAT)}
            )
        if raw.get("version") != VERSION:
            raise MappingError(
                _("the mapping file is version %(found)s; this yjinspect reads version %(v)s")
                % {"found": repr(raw.get("version")), "v": VERSION}
            )
        unknown = sorted(set(raw) - {"format", "version", "list", "columns", "values", "ignored"})
        if unknown:
            raise MappingError(
                _("the mapping file has a field yjinspect does not know: %(field)s")
                % {"field": repr(unknown[0])[: limits.max_text]}
            )
        list_id = raw.get("list")
        if not isinstance(list_id, str) or not _ID.match(list_id):
            raise MappingError(_("the mapping file's 'list' must name a list, such as children"))
        columns = _text_map(raw.get("columns", {}), "columns", limits.max_columns, limits)
        values_raw = raw.get("values", {})
        if not isinstance(values_raw, dict) or len(values_raw) > limits.max_columns:
            raise MappingError(
                _("the mapping file's %(field)s must be an object of at most %(n)s entries")
                % {"field": "'values'", "n": limits.max_columns}
            )
        values = {
            _id(column, "values"): _text_map(codes, f"values.{column}", limits.max_values, limits)
            for column, codes in values_raw.items()
        }
        ignored_raw = raw.get("ignored", [])
        if (
            not isinstance(ignored_raw, list)
            or len(ignored_raw) > limits.max_ignored
            or not all(isinstance(h, str) and 0 < len(h) <= limits.max_text for h in ignored_raw)
        ):
            raise MappingError(
                _("the mapping file's 'ignored' must be a list of at most %(n)s headings")
                % {"n": limits.max_ignored}
            )
        for column in columns:
            _id(column, "columns")
        return cls(list_id, columns, values, tuple(ignored_raw))


def _id(name: str, where: str) -> str:
    if not _ID.match(name):
        raise MappingError(
            _("the mapping file's %(field)s names %(name)s, which is not a column name")
            % {"field": repr(where), "name": repr(name[:100])}
        )
    return name


def _text_map(raw: object, where: str, most: int, limits: MappingLimits) -> dict[str, str | None]:
    """An object of text -> text or null, of at most `most` entries of short text."""
    if not isinstance(raw, dict) or len(raw) > most:
        raise MappingError(
            _("the mapping file's %(field)s must be an object of at most %(n)s entries")
            % {"field": repr(where), "n": most}
        )
    out: dict[str, str | None] = {}
    for key, value in raw.items():
        if not (0 < len(key) <= limits.max_text) or not (
            value is None or (isinstance(value, str) and 0 < len(value) <= limits.max_text)
        ):
            raise MappingError(
                _(
                    "the mapping file's %(field)s holds an entry that is not text of at most "
                    "%(n)s characters (or null): %(key)s"
                )
                % {"field": repr(where), "n": limits.max_text, "key": repr(key[:100])}
            )
        out[key] = value
    return out
