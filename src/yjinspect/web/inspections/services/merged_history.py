"""Several django-simple-history tables seen as one timeline, newest first, that pages lazily.

Why: Django's Paginator needs `count()`, `len()` and slicing, and loading every history row
to show 25 of them would not scale. A slice `[start:stop]` asks each table (already filtered
and ordered newest first in the database) for at most `stop` rows, merges those candidates by
time and builds entries only for the rows of the slice. The inspection's history and the
improvement plan's history both page this way; each subclass keeps only its own tables and
its own way of describing a row.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from django.db.models import QuerySet

Tag = TypeVar("Tag")
Entry = TypeVar("Entry")


class MergedHistory(ABC, Generic[Tag, Entry]):
    """A lazy sequence of entries over `parts`: pairs of a tag (what the subclass needs to know
    about a table, e.g. its source) and that table's history rows, ordered newest first."""

    def __init__(self, parts: Sequence[tuple[Tag, QuerySet[Any]]]) -> None:
        self.parts = list(parts)
        self._count: int | None = None

    def count(self) -> int:
        """Rows in all the tables, counted once: the Paginator asks more than once."""
        if self._count is None:
            self._count = sum(qs.count() for _tag, qs in self.parts)
        return self._count

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        # No table can give more than `stop` of the first `stop` rows of the merged timeline.
        gathered = [(tag, row) for tag, qs in self.parts for row in qs[:stop]]
        gathered.sort(key=self.order, reverse=True)
        return self.build(gathered[start:stop])

    def __iter__(self) -> Iterator[Entry]:
        yield from self[0 : self.count()]

    def order(self, pair: tuple[Tag, Any]) -> tuple[Any, ...]:
        """The merge key, largest first: when the change was recorded, then its history id."""
        _tag, row = pair
        return (row.history_date, row.history_id)

    @abstractmethod
    def build(self, rows: list[tuple[Tag, Any]]) -> list[Entry]:
        """The entries for one slice of (tag, history row) pairs, in the order given."""
