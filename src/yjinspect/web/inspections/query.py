"""Reading a page's query string safely.

Every view reads its query parameters here, never `request.GET` directly
(`tests/web/test_query_parameters.py` fails otherwise). A value holding a control character
(NUL, the other C0 characters, DEL) is treated as if it had not been given: PostgreSQL
cannot hold a NUL in a query, so such a value used to reach the database as an error 500,
and no person types one into a search box or gets one from our own links; only a damaged or
crafted link carries it. Ignoring it shows the page as it is without that filter, never an
error page.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, QueryDict

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def query_value(request: HttpRequest, name: str, default: str = "") -> str:
    """The query string's `name` (its last value), or `default` when it is absent or holds a
    control character."""
    value = request.GET.get(name)
    if value is None or has_control_characters(value):
        return default
    return value


def query_dict(request: HttpRequest) -> QueryDict:
    """The query string without the values that hold a control character, for a form or a
    set of filters that reads several parameters (each such value is as if not given)."""
    clean = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        kept = [v for v in values if not has_control_characters(v)]
        if kept and not has_control_characters(name):
            clean.setlist(name, kept)
    return QueryDict(clean.urlencode())  # read-only, like request.GET
