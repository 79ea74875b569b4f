"""A population's own case list (the 2025 victims' cases), read from the columns its framework
file gives.

A framework may name populations besides the children's cases (`frameworks.schema.Population`);
each carries the columns of its list as data (`ListColumn`: a reference, text, a date, yes/no,
or a choice of options). This module turns those columns into a `core.lists.ListSpec`, so the
list is read by the same machinery as the children's: headings recognised by the column's id or
label or mapped by the service, references checked by the name guard (a victim's name is never
a reference either), every problem by row and column, title rows and footers skipped. The web
app only calls `parse_population_list`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Final

from ..frameworks.schema import ListColumn, Population
from .caselist import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, CaseListError
from .lists import (
    MAX_REF_LENGTH,
    Column,
    ListPreview,
    ListRow,
    ListSpec,
    Report,
    read_list,
    too_many_cases,
)
from .mapping import Mapping as ColumnMapping
from .tables import UnreadableFile
from .words import gettext as _

__all__ = ["parse_population_list", "population_list"]

_KINDS: Final = {
    "reference": "reference",
    "text": "text",
    "date": "date",
    "yes_no": "yes_no",
    "choice": "code",
}


def _column(column: ListColumn, unique: bool) -> Column:
    kind: Any = _KINDS[column.kind]
    extra: dict[str, Any] = {}
    if column.kind == "choice":
        extra["codes"] = {option: (option,) for option in column.options}
    if column.kind == "reference":
        extra["max_length"] = MAX_REF_LENGTH
    return Column(
        column.id,
        kind=kind,
        required=column.required,
        label=column.label,
        unique=unique,
        **extra,
    )


class _PopulationList(ListSpec[ListRow]):
    """A population's list; a reference to another population's case may be checked
    against the references that population's list holds."""

    def __init__(self, population: Population, known: Mapping[str, Collection[str]]) -> None:
        columns = population.columns
        # The list's own reference: its first reference column that points nowhere else.
        own = next((c.id for c in columns if c.kind == "reference" and c.refers_to is None), None)
        ordered = sorted(columns, key=lambda c: c.id != own)
        super().__init__(population.id, [_column(c, c.id == own) for c in ordered])
        self.refers = {
            c.id: {ref.casefold() for ref in known[c.refers_to]}
            for c in columns
            if c.refers_to is not None and c.refers_to in known
        }

    def builder(self, present: frozenset[str]) -> Any:
        return _Rows(self, present)


class _Rows:
    """`ListRow`s; the default checks (an end date not before a start date), and each
    reference to another list's case found in that list, when its references are given."""

    def __init__(self, spec: _PopulationList, present: frozenset[str]) -> None:
        self.base = ListSpec.builder(spec, present)
        self.notes: list[str] = self.base.notes
        self.checks = [
            (i, column.id, spec.refers[column.id])
            for i, column in enumerate(spec.columns)
            if column.id in spec.refers and column.id in present
        ]

    def _unknown(self, values: Any) -> list[tuple[str, str]]:
        return [
            (column, values[i])
            for i, column, refs in self.checks
            if values[i] is not None and values[i].casefold() not in refs
        ]

    def fast(self, number: int, values: tuple[Any, ...]) -> ListRow | None:
        return None if self._unknown(values) else self.base.fast(number, values)

    def careful(self, number: int, values: list[Any], report: Report) -> ListRow | None:
        unknown = self._unknown(values)
        for column, ref in unknown:
            report(
                column,
                ref,
                _("%(ref)s is not a case reference on the list it refers to") % {"ref": repr(ref)},
            )
        row = self.base.careful(number, values, report)
        return None if unknown else row


def population_list(
    population: Population, known: Mapping[str, Collection[str]] | None = None
) -> ListSpec[ListRow]:
    """The list of a population whose columns the framework gives. `known` maps another
    population's id to the references on its list, for the columns that refer to it."""
    if not population.columns:
        raise ValueError(f"population {population.id!r} has no columns of its own")
    return _PopulationList(population, known or {})


def parse_population_list(
    data: bytes,
    filename: str,
    population: Population,
    *,
    mapping: ColumnMapping | None = None,
    known: Mapping[str, Collection[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ListPreview[ListRow]:
    """Read an uploaded list of one population's cases, as `caselist.parse_case_list` reads
    the children's: every problem in the preview, `CaseListError` only for a file that cannot
    be read at all. Each row is a `ListRow` of the population's column ids."""
    try:
        return read_list(
            population_list(population, known),
            data,
            filename,
            mapping=mapping,
            progress=progress,
            max_bytes=max_bytes,
            max_rows=max_rows,
            too_many=too_many_cases,
            empty=_("the file is empty: it has no headings and no cases"),
        )
    except UnreadableFile as exc:
        raise CaseListError(str(exc)) from None
