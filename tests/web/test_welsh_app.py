"""The whole app in Welsh: a complete catalogue, `?lang=` on every page, Welsh pages.

The catalogue tests read the committed `cy/django.po` (no polib: a small parser below), so a
string marked for translation but left without Welsh, marked fuzzy, or with placeholders that
do not match the English fails here, and so does a marked string that nobody extracted.
"""

from __future__ import annotations

import gettext as gnu_gettext
import html as html_lib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from yjinspect.reports.welsh import framework_text, wording_of
from yjinspect.web.inspections.models import Case, Inspection, Judgement

from .conftest import answered_court_cases

SRC = Path(__file__).resolve().parents[2] / "src/yjinspect"
LOCALE = SRC / "web/locale"
PO = LOCALE / "cy/LC_MESSAGES/django.po"
MO = LOCALE / "cy/LC_MESSAGES/django.mo"


# ---------------------------------------------------------------- reading a .po


@dataclass
class Entry:
    """One message of a .po file; `strs` has one item, or one per plural form."""

    msgid: str
    ctx: str | None = None
    plural: str | None = None
    strs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    refs: str = ""

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.ctx, self.msgid)


def _unquote(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return body.encode("latin-1", "backslashreplace").decode("unicode_escape")


def parse_po(path: Path) -> list[Entry]:
    """Every live (not obsolete) entry of a .po file, header excluded."""
    entries: list[Entry] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, target = Entry(msgid=""), ""
        parts: dict[str, str] = {}
        live = False
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                entry.refs += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                parts[target] += _unquote(line)
            else:
                keyword, _, value = line.partition(" ")
                target = keyword
                parts[target] = _unquote(value)
                live = True
        if not live or not parts.get("msgid"):
            continue
        entry.msgid = parts["msgid"]
        entry.ctx = parts.get("msgctxt")
        entry.plural = parts.get("msgid_plural")
        entry.strs = [v for k, v in sorted(parts.items()) if k.startswith("msgstr")]
        entries.append(entry)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


# ---------------------------------------------------------------- the catalogue


def test_every_message_has_welsh_and_none_is_fuzzy() -> None:
    entries = parse_po(PO)
    assert len(entries) > 700  # the app's strings are in the catalogue, not only the report's
    empty = [e.msgid for e in entries if not e.strs or not all(s.strip() for s in e.strs)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not empty, "No Welsh in cy/django.po for:\n" + "\n".join(empty)
    assert not fuzzy, "Fuzzy (guessed) Welsh to check in cy/django.po:\n" + "\n".join(fuzzy)


def test_placeholders_match_the_english() -> None:
    wrong = []
    for entry in parse_po(PO):
        wanted = placeholders(entry.plural or entry.msgid)
        if entry.plural and placeholders(entry.msgid) != wanted:
            wanted = sorted(set(wanted) | set(placeholders(entry.msgid)))
        for text in entry.strs:
            if text and placeholders(text) != wanted:
                wrong.append(f"{entry.msgid!r}: {text!r}")
    assert not wrong, "Placeholders differ from the English:\n" + "\n".join(wrong)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext (msgfmt)")
def test_gettext_accepts_the_catalogue() -> None:
    """msgfmt's own check (what compilemessages runs): format directives agree, and so on."""
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_plural_messages_have_the_four_welsh_forms() -> None:
    header = PO.read_text(encoding="utf-8").split("\n\n")[0]
    assert "nplurals=4;" in header
    short = [e.msgid for e in parse_po(PO) if e.plural and len(e.strs) != 4]
    assert not short, "Plural messages without four Welsh forms:\n" + "\n".join(short)


def test_compiled_catalogue_matches_the_po() -> None:
    """The committed .mo is what Django reads: it must hold every translation of the .po."""
    with MO.open("rb") as handle:
        catalogue = gnu_gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(PO):
        if not entry.strs[0]:
            continue  # no Welsh yet: test_every_message_has_welsh_and_none_is_fuzzy says so
        if entry.plural:
            got = catalogue.ngettext(entry.msgid, entry.plural, 1)
        elif entry.ctx:
            got = catalogue.pgettext(entry.ctx, entry.msgid)
        else:
            got = catalogue.gettext(entry.msgid)
        if got != entry.strs[0]:
            stale.append(entry.msgid)
    assert not stale, "Run compilemessages; the .mo lacks:\n" + "\n".join(stale)


def test_one_catalogue_for_the_whole_app() -> None:
    """An app-level locale dir would split the Welsh and escape the checks above."""
    found = sorted(
        str(p.relative_to(SRC)) for p in SRC.rglob("locale") if p.is_dir() and p != LOCALE
    )
    assert found == [], f"Keep every message in web/locale, not in {found}"


def _copy_sources(target: Path) -> None:
    shutil.copytree(
        SRC,
        target,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.mo", "*.yaml"),
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_makemessages_finds_nothing_missing_from_the_po(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Extract afresh, from a copy of the sources into a scratch catalogue: every marked string
    must already be in the committed .po (with Welsh, by the tests above)."""
    sources = tmp_path / "src"
    _copy_sources(sources)
    scratch = tmp_path / "locale"
    settings.LOCALE_PATHS = [scratch]
    monkeypatch.chdir(sources)
    call_command("makemessages", locale=["cy"], verbosity=0, no_obsolete=True)
    fresh = {e.key: e for e in parse_po(scratch / "cy/LC_MESSAGES/django.po")}
    committed = {e.key for e in parse_po(PO)}
    assert len(fresh) > 700
    missing = sorted(
        f"{e.msgid!r} ({e.refs.strip()})" for key, e in fresh.items() if key not in committed
    )
    assert not missing, (
        "Marked strings missing from cy/django.po: run makemessages and translate them:\n"
        + "\n".join(missing)
    )


# ---------------------------------------------------------------- the pages in Welsh


@pytest.fixture
def worked(inspection: Inspection, users: dict[str, Any]) -> Inspection:
    """An inspection with answered cases and a judgement, so the pages have content."""
    answered_court_cases(inspection, users["inspector"], {"2.1.desistance": 6})
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.1",
        rating="good",
        rationale="Board minutes",
        decided_by=users["lead"],
    )
    return inspection


def _texts(page: str) -> set[str]:
    """Each text node and spoken attribute of a page, spaces normalised."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attrs = re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page)
    nodes = re.sub(r"<[^>]+>", "\n", page).splitlines() + attrs
    return {re.sub(r"\s+", " ", html_lib.unescape(n)).strip() for n in nodes} - {""}


# (url name, needs the inspection, Welsh that must show, English that must not)
PAGES = [
    ("inspections:home", False, ["Arolygiadau ac archwiliadau"], ["Inspections and audits"]),
    (
        "inspections:detail",
        True,
        ["Symud yr arolygiad ymlaen", "Arolygydd arweiniol", "Eich rôl"],
        ["Move the inspection on", "Lead inspector", "Your role"],
    ),
    (
        "inspections:cases",
        True,
        ["Cyfeirnod yr achos", "Gwarediadau llys"],
        ["Case reference", "Court disposals"],
    ),
    ("inspections:sample", True, ["Achosion cymwys", "Maint y sampl"], ["Eligible cases"]),
    ("inspections:assessments", True, ["Asesiadau achosion"], ["Case assessments"]),
    ("inspections:ratings", True, ["Graddau fesul safon"], ["Ratings by standard"]),
    (
        "inspections:evidence",
        True,
        ["Tystiolaeth sefydliadol", "1.1 Llywodraethu ac arweinyddiaeth", "Da"],
        ["Organisational evidence", "1.1 Governance and leadership", "Good"],
    ),
    ("inspections:history", True, ["Math o newid"], ["Kind of change"]),
]


def _url(name: str, inspection: Inspection | None) -> str:
    return reverse(name, args=[inspection.pk]) if inspection else reverse(name)


def _english_messages() -> set[str]:
    """msgids whose Welsh differs from them (so seeing one on a Welsh page means English)."""
    return {
        e.msgid
        for e in parse_po(PO)
        if not e.plural and not placeholders(e.msgid) and e.strs[0] != e.msgid
    }


@pytest.mark.parametrize(("name", "scoped", "welsh", "english"), PAGES)
def test_main_pages_in_welsh(
    worked: Inspection,
    client_as: Callable[[str], Client],
    name: str,
    scoped: bool,
    welsh: list[str],
    english: list[str],
) -> None:
    url = _url(name, worked if scoped else None)
    client = client_as("lead")
    english_page = client.get(url + "?lang=en").content.decode()
    welsh_page = client.get(url + "?lang=cy").content.decode()
    assert '<html lang="cy"' in welsh_page and '<html lang="en"' in english_page
    en_texts, cy_texts = _texts(english_page), _texts(welsh_page)
    for text in welsh:
        assert text in cy_texts, f"{text!r} missing from the Welsh {name}"
    for text in english:
        assert text in en_texts, f"{text!r} is no longer on the English {name}: update the test"
        assert text not in cy_texts, f"{text!r} left in English on the Welsh {name}"
    # Any whole text that is a translated message on the English page is Welsh on the Welsh one.
    left = sorted((en_texts & cy_texts) & _english_messages())
    assert not left, f"English left on the Welsh {name}: {left}"
    # GOV.UK's own words (skip link, footer, menu) are Welsh too.
    for text in ("Neidio i'r prif gynnwys", "© Hawlfraint y Goron", "Dewislen"):
        assert text in cy_texts


def test_sign_in_page_in_welsh(client_as: Callable[[str], Client]) -> None:
    page = client_as("anonymous").get(reverse("accounts:login") + "?lang=cy").content.decode()
    texts = _texts(page)
    assert '<html lang="cy"' in page
    assert {"Mewngofnodi", "Cyfrinair"} <= texts  # ours, and Django's own Welsh for "Password"
    assert not {"Sign in", "Password", "Skip to main content"} & texts


def test_form_errors_are_welsh(client_as: Callable[[str], Client]) -> None:
    """Error summary, the hidden "Error:" before each message (crispy-forms-gds's template,
    overridden) and Django's own "required" message."""
    page = client_as("anonymous").post(reverse("accounts:login") + "?lang=cy", {"username": "x"})
    texts = _texts(page.content.decode())
    assert {"Mae problem", "Gwall:"} <= texts
    assert not {"There is a problem", "Error:", "This field is required."} & texts


def test_messages_from_python_are_welsh(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    client.get(reverse("inspections:detail", args=[inspection.pk]) + "?lang=cy")
    response = client.post(
        reverse("inspections:release", args=[inspection.pk]), {"released": "1"}, follow=True
    )
    texts = _texts(response.content.decode())
    assert {"Llwyddiant", "Gall gwylwyr o'r gwasanaeth weld y graddau nawr."} <= texts
    assert "Service viewers can now see the ratings." not in texts


def test_pagination_is_welsh(worked: Inspection, client_as: Callable[[str], Client]) -> None:
    page = client_as("lead").get(reverse("inspections:history", args=[worked.pk]) + "?lang=cy")
    texts = _texts(page.content.decode())
    assert {"Nesaf", "Tudalennu", "Tudalen 2"} <= texts
    assert not {"Next", "Pagination", "Page 2"} & texts


# ---------------------------------------------------------------- the language switch


def _links(page: str) -> dict[str, dict[str, str]]:
    """Each link's text -> its attributes."""
    links = {}
    for attrs, text in re.findall(r"<a\b([^>]*)>(.*?)</a>", page, flags=re.S):
        pairs = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        links[re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", text))).strip()] = {
            k: html_lib.unescape(v) for k, v in pairs.items()
        }
    return links


def test_every_page_links_to_the_other_language(client_as: Callable[[str], Client]) -> None:
    client = client_as("lead")
    home = reverse("inspections:home")
    english = _links(client.get(home + "?state=planning&lang=en").content.decode())
    assert english["Cymraeg"] == {
        "class": "govuk-service-navigation__link",
        "href": f"{home}?state=planning&lang=cy",  # the filter is kept
        "lang": "cy",
        "hreflang": "cy",
    }
    assert "English" not in english
    welsh = _links(client.get(home + "?lang=cy").content.decode())
    assert welsh["English"]["href"] == f"{home}?lang=en"
    assert welsh["English"]["lang"] == "en"
    anonymous = _links(client_as("anonymous").get(reverse("accounts:login")).content.decode())
    assert anonymous["Cymraeg"]["href"].endswith("lang=cy")


def test_the_choice_is_kept_until_changed(client_as: Callable[[str], Client]) -> None:
    client = client_as("lead")
    home = reverse("inspections:home")
    assert '<html lang="en"' in client.get(home).content.decode()
    assert '<html lang="cy"' in client.get(home + "?lang=cy").content.decode()
    assert '<html lang="cy"' in client.get(home).content.decode()  # no parameter: kept
    assert '<html lang="en"' in client.get(home + "?lang=en").content.decode()
    assert '<html lang="en"' in client.get(home).content.decode()


@pytest.mark.parametrize("value", ["fr", "CY", "", "cy-evil"])
def test_other_values_are_ignored(client_as: Callable[[str], Client], value: str) -> None:
    response = client_as("lead").get(reverse("inspections:home") + f"?lang={value}")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert "django_language" not in response.cookies


@pytest.mark.parametrize("page", ["assess", "ratings"])
def test_the_framework_wording_is_welsh_on_welsh_pages(
    worked: Inspection, client_as: Callable[[str], Client], page: str
) -> None:
    """Key questions, prompts, lens labels and standard names come from frameworks/welsh/."""
    case = Case.objects.filter(inspection=worked).order_by("case_ref").first()
    assert case is not None
    args = [worked.pk, case.pk] if page == "assess" else [worked.pk]
    url = reverse(f"inspections:{page}", args=args)
    client = client_as("lead")
    english = _texts(client.get(url + "?lang=en").content.decode())
    welsh = _texts(client.get(url + "?lang=cy").content.decode())
    framework = worked.framework.framework
    shown = [text for text in wording_of(framework) if text in english]
    assert "Does assessment sufficiently analyse how to keep the child safe?" in shown
    left = [text for text in shown if text in welsh and framework_text(text) != text]
    assert not left, f"framework wording left in English on the Welsh {page} page: {left}"
    assert "A yw'r asesu'n dadansoddi'n ddigonol sut i gadw'r plentyn yn ddiogel?" in welsh
    if page == "assess":
        prompts = [
            p for s in framework.all_standards() for kq in s.key_questions for p in kq.prompts
        ]
        assert any(framework_text(p) in welsh for p in prompts if p in english)


def test_no_percent_sign_in_a_translated_tag_argument() -> None:
    """`text=_("95% ...")` in a template tag prints "95%%" and misses its Welsh (Django looks
    the message up with the % doubled); `{% translate "..." as name %}` does not."""
    templates = Path(__file__).resolve().parents[2] / "src/yjinspect/web"
    found = [
        f"{path.relative_to(templates)}: {match}"
        for path in templates.rglob("*.html")
        for match in re.findall(r'_\("[^"]*%[^"]*"\)', path.read_text(encoding="utf-8"))
    ]
    assert not found, found
