"""The inspection's history: who changed what and when, filtered, paged, and as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path

from ..access import Can, get_inspection, signed_in_user
from ..models import Membership
from ..query import query_dict, query_value
from ..services.assessments import hidden_assessments
from ..services.history import (
    KIND_LABELS,
    PAGE_SIZE,
    Filters,
    HistoryRows,
    csv_rows,
    filter_subjects,
)


def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline, newest first; filters by case, standard, user and kind, on the server."""
    inspection, role = get_inspection(request, pk, Can.WORK)
    framework = inspection.framework.framework
    filters, errors = Filters.from_query(query_dict(request), framework)
    hidden = hidden_assessments(inspection, signed_in_user(request), role)
    rows = HistoryRows(inspection, filters, hidden=hidden)
    page = Paginator(rows, PAGE_SIZE).get_page(query_value(request, "page"))
    query = request.GET.copy()
    query.pop("page", None)
    usernames = list(
        Membership.objects.filter(inspection=inspection)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )
    if filters.user and filters.user not in usernames:
        usernames.append(filters.user)  # a former member: still a valid filter
    return render(
        request,
        "inspections/history/list.html",
        {
            "inspection": inspection,
            "role": role,
            "page": page,
            "filters": filters,
            "errors": errors,
            "kinds": [(kind.value, label) for kind, label in KIND_LABELS.items()],
            "standards": filter_subjects(framework),
            "standard_ids": {s.id for s in filter_subjects(framework)},
            "usernames": usernames,
            "query": query.urlencode(),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def history_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The same filtered rows as the page, all of them, one line per changed field."""
    inspection, role = get_inspection(request, pk, Can.WORK)
    filters, _errors = Filters.from_query(query_dict(request), inspection.framework.framework)
    hidden = hidden_assessments(inspection, signed_in_user(request), role)
    rows = HistoryRows(inspection, filters, hidden=hidden)
    entries = rows[0 : rows.count()]  # gathered now, inside the request's transaction
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        for row in csv_rows(entries):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inspection-{pk}-history.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("<int:pk>/history/", history, name="history"),
    path("<int:pk>/history.csv", history_csv, name="history_csv"),
]
