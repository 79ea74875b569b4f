"""MergedHistory: several history tables paged as one timeline, newest first, lazily.

The tables are stand-ins that record what was asked of them, so the tests can say that a
slice asks each table for no more rows than the slice could need and describes only the
slice's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.core.paginator import Paginator
from django.db.models import QuerySet

from yjinspect.web.inspections.services.merged_history import MergedHistory

T0 = dt.datetime(2024, 4, 8, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Row:
    history_date: dt.datetime
    history_id: int


class Table:
    """A queryset stand-in: rows newest first; counts and slices are recorded."""

    def __init__(self, minutes: list[int], first_id: int = 1) -> None:
        self.rows = [
            Row(T0 + dt.timedelta(minutes=m), first_id + i)
            for i, m in enumerate(sorted(minutes, reverse=True))
        ]
        self.counts = 0
        self.stops: list[int] = []

    def count(self) -> int:
        self.counts += 1
        return len(self.rows)

    def __getitem__(self, index: slice) -> list[Row]:
        self.stops.append(index.stop)
        return self.rows[index]


class Timeline(MergedHistory[str, str]):
    def __init__(self, tables: dict[str, Table]) -> None:
        # A Table does what MergedHistory asks of a queryset: count() and [:stop].
        super().__init__(cast("list[tuple[str, QuerySet[Any]]]", list(tables.items())))
        self.built: list[tuple[str, Any]] = []

    def build(self, rows: list[tuple[str, Any]]) -> list[str]:
        self.built += rows
        return [f"{tag}@{(row.history_date - T0).seconds // 60}" for tag, row in rows]


def test_slices_merge_the_tables_newest_first_and_build_only_the_slice() -> None:
    tables = {"a": Table([1, 5, 9]), "b": Table([2, 3, 10, 11])}
    timeline = Timeline(tables)
    assert timeline[0:3] == ["b@11", "b@10", "a@9"]
    assert timeline[3:5] == ["a@5", "b@3"]
    assert len(timeline.built) == 5  # only the rows of the two slices were described
    assert tables["a"].stops == [3, 5] and tables["b"].stops == [3, 5]
    assert list(timeline) == ["b@11", "b@10", "a@9", "a@5", "b@3", "b@2", "a@1"]


def test_same_moment_falls_back_to_the_history_id() -> None:
    timeline = Timeline({"a": Table([4], first_id=7), "b": Table([4], first_id=8)})
    assert list(timeline) == ["b@4", "a@4"]


def test_count_is_asked_of_each_table_once_and_indexes_work() -> None:
    tables = {"a": Table([1, 2]), "b": Table([3])}
    timeline = Timeline(tables)
    assert timeline.count() == len(timeline) == 3
    assert tables["a"].counts == 1 and tables["b"].counts == 1
    assert timeline[0] == "b@3" and timeline[2] == "a@1"
    with pytest.raises(IndexError):
        timeline[3]
    assert timeline[2:2] == []


def test_django_paginator_pages_it() -> None:
    timeline = Timeline({"a": Table(list(range(0, 60, 2))), "b": Table(list(range(1, 60, 2)))})
    page = Paginator(timeline, 25).get_page(3)
    assert page.paginator.num_pages == 3
    assert list(page.object_list) == [f"{'b' if m % 2 else 'a'}@{m}" for m in range(9, -1, -1)]
