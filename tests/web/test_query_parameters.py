"""Query parameters with control characters: every view ignores them, never an error 500.

PostgreSQL refuses a NUL in a query, so a `?q=%00` that reached the database was a 500 there
(SQLite does not mind, which is why this module must also run on PostgreSQL:
`scripts/with-postgres.sh`). Every view reads its parameters through
`yjinspect.web.inspections.query`; the first test keeps it that way, the others send every
parameter any view reads, holding a control character, to every page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from tests.web.test_access_matrix import MATRIX, _url, all_url_names, objects  # noqa: F401
from yjinspect.web.comparison.forms import DistributionForm, ServiceSearchForm
from yjinspect.web.inspections.forms.cases import CaseFilterForm
from yjinspect.web.inspections.query import query_dict, query_value

pytestmark = pytest.mark.django_db

WEB = Path(__file__).resolve().parents[2] / "src" / "yjinspect" / "web"
# Reading the query string is fine only to rebuild links to the same page (never the database).
LINK_BUILDING = re.compile(r"request\.GET\.(copy|urlencode)\(\)")
# The sign-in app is another part's (its `lang` and `next` never reach the database).
NOT_OURS = ("accounts",)


def _read_parameters() -> set[str]:
    """Every parameter name a view reads: through `query_value`, the history filters, and the
    filter forms bound to `query_dict`."""
    names: set[str] = set()
    for path in WEB.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r'query_value\(\s*request,\s*"(\w+)"', text))
        names.update(re.findall(r'query\.get\("(\w+)"', text))
    for form in (CaseFilterForm, ServiceSearchForm, DistributionForm):
        names.update(form.base_fields)
    return names


PARAMETERS = sorted(_read_parameters())


def test_no_view_reads_the_query_string_but_through_the_helper() -> None:
    direct = []
    for path in sorted(WEB.rglob("*.py")):
        relative = path.relative_to(WEB)
        if relative.parts[0] in NOT_OURS or relative == Path("inspections/query.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "request.GET" in LINK_BUILDING.sub("", line):
                direct.append(f"{relative}:{number}: {line.strip()}")
    assert direct == [], "read query parameters with inspections.query: " + "; ".join(direct)
    # The parameters the pages are known to filter on are all found, so the next tests send them.
    assert {"q", "case", "user", "standard", "kind", "page", "state", "run"} <= set(PARAMETERS)


def test_the_helper_ignores_control_characters_and_keeps_the_rest() -> None:
    request = RequestFactory().get("/", {"q": "Leeds", "case": "C\x001", "user": ["\x7f", "ann"]})
    assert query_value(request, "q") == "Leeds"
    assert query_value(request, "case") == "" and query_value(request, "case", "x") == "x"
    assert query_value(request, "nothing", "d") == "d"
    clean = query_dict(request)
    assert clean.get("q") == "Leeds" and "case" not in clean and clean.getlist("user") == ["ann"]
    with pytest.raises(AttributeError):
        clean.setlist("q", ["x"])  # read-only, like request.GET
    for bad in ("\x00", "\t", "\n", "\x1b[31m", "\x7f"):
        assert query_value(RequestFactory().get("/", {"q": bad}), "q", "-") == "-"
    assert isinstance(clean, QueryDict)


def _get_urls(objects: dict[str, object]) -> list[tuple[str, str]]:  # noqa: F811
    return [
        (name, _url(name, objects))
        for name in all_url_names()
        if MATRIX[name][0] == "GET" and name != "accounts:logout"
    ]


def test_every_page_ignores_a_control_character_in_every_parameter(
    client_as: Callable[[str], Client],
    objects: dict[str, object],  # noqa: F811
) -> None:
    """Every GET page, as the site administrator (who reaches them all), with every parameter
    any view reads set to a bad value: the same answer as with no parameters at all. (A page
    that answers as it does without them has read them all: none stopped it early.)"""
    wrong = []
    for name, url in _get_urls(objects):
        client = client_as("admin")
        plain = client.get(url).status_code
        for bad in ("a\x00b", "\x1f", "x\x7f"):
            got = client.get(url, dict.fromkeys(PARAMETERS, bad)).status_code
            if got != plain:
                wrong.append(f"{name} with {bad!r}: {got}, not {plain}")
    assert wrong == []


def test_a_control_character_in_a_text_part_of_the_path_is_not_found(
    client_as: Callable[[str], Client],
    objects: dict[str, object],  # noqa: F811
) -> None:
    """Path parts that are text (a standard's id, a report text's key) are looked up in the
    framework before the database, so a NUL there is a 404, not a 500."""
    resolver = get_resolver()
    checked = []
    for name in all_url_names():
        ns, _sep, short = name.rpartition(":")
        patterns = (
            resolver.namespace_dict[ns][1].reverse_dict.getlist(short)
            if ns
            else resolver.reverse_dict.getlist(short)
        )
        converters = patterns[0][3] if patterns else {}
        texts = [p for p, c in converters.items() if type(c).__name__ == "StringConverter"]
        if not texts or MATRIX[name][0] != "GET":
            continue
        kwargs = {p: objects[p] for p in converters if p not in texts}
        url = reverse(name, kwargs={**kwargs, **dict.fromkeys(texts, "a\x00b")})
        checked.append(name)
        assert client_as("admin").get(url).status_code == 404, name
    assert checked, "no path with a text part was checked"


def test_a_run_number_that_is_a_digit_but_not_a_number_is_not_found(
    client_as: Callable[[str], Client],
    objects: dict[str, object],  # noqa: F811
) -> None:
    """'²' passes str.isdigit but int() refuses it: it was an error 500."""
    url = _url("outcomes:indicators", objects)
    assert client_as("admin").get(url, {"run": "²"}).status_code == 404
