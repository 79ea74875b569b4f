"""The report in Welsh: every fixed string translated, chosen with ?lang=cy, HTML and PDF."""

from __future__ import annotations

import datetime as dt
import gettext as gnu_gettext
import html as html_lib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yjinspect.core.caselist import VALUE_LABELS
from yjinspect.frameworks.loader import load_framework_file, shipped_framework_paths
from yjinspect.reports.pdf import render_document
from yjinspect.reports.welsh import (
    TEXT,
    WELSH_DIR,
    WelshTextError,
    framework_text,
    load_welsh,
    read_welsh_file,
    wording_of,
)
from yjinspect.web import standalone
from yjinspect.web.inspections.models import (
    Discretion,
    Inspection,
    Judgement,
    ReportText,
)
from yjinspect.web.inspections.views.report import report_css_path, standalone_html

from .conftest import answered_court_cases

LOCALE = Path(__file__).resolve().parents[2] / "src/yjinspect/web/locale/cy/LC_MESSAGES"
REPORT_FILES = ("inspections/report/", "reports/content.py")
ANSWERS = {"2.1.desistance": 9, "2.1.child_safety": 6, "2.1.others_safety": 7}


# ---------------------------------------------------------------- the catalogue


def _unquote(lines: str) -> str:
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines))
    return text.encode("latin-1", "backslashreplace").decode("unicode_escape")


def _entries() -> Iterator[tuple[str, str | None, str, str]]:
    """(references, msgctxt, msgid, msgstr) of every singular entry in the Welsh .po."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid_plural" in block:
            continue
        match = re.search(
            r'(?:^msgctxt (?P<ctx>".*")\n)?^msgid (?P<id>(?:".*"\n)+)^msgstr (?P<str>(?:".*"\n?)+)',
            block + "\n",
            re.M,
        )
        if not match:
            continue
        refs = " ".join(line for line in block.splitlines() if line.startswith("#:"))
        ctx = _unquote(match["ctx"]) if match["ctx"] else None
        yield refs, ctx, _unquote(match["id"]), _unquote(match["str"])


def report_messages() -> list[tuple[str | None, str, str]]:
    """(msgctxt, msgid, msgstr) for the msgids the report's templates and content.py use."""
    return [
        (ctx, msgid, msgstr)
        for refs, ctx, msgid, msgstr in _entries()
        if msgid and any(name in refs for name in REPORT_FILES)
    ]


def test_every_report_string_has_a_welsh_translation() -> None:
    messages = report_messages()
    assert len(messages) > 70  # the extraction found the report's strings
    untranslated = [msgid for _ctx, msgid, msgstr in messages if not msgstr.strip()]
    assert not untranslated, "Untranslated report strings in cy/django.po:\n" + "\n".join(
        untranslated
    )


def test_compiled_catalogue_matches_the_po() -> None:
    """The committed .mo holds every report translation (a fresh machine needs no gettext)."""
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gnu_gettext.GNUTranslations(handle)
    stale = [
        msgid
        for ctx, msgid, msgstr in report_messages()
        if (catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)) != msgstr
    ]
    assert not stale, "Recompile the catalogue (compilemessages); stale:\n" + "\n".join(stale)


@pytest.mark.parametrize("framework_id", sorted(shipped_framework_paths()))
def test_every_shipped_framework_has_welsh_for_all_it_shows(framework_id: str) -> None:
    framework = load_framework_file(shipped_framework_paths()[framework_id])
    missing = [text for text in wording_of(framework) if text not in TEXT]
    assert not missing, f"No Welsh in frameworks/welsh/ for {framework_id}:\n" + "\n".join(missing)
    own = WELSH_DIR / f"{framework_id}.yaml"  # each framework's Welsh travels with it
    assert set(wording_of(framework)) <= dict(read_welsh_file(own)).keys(), own


def test_welsh_lookup() -> None:
    assert framework_text("Good") == "Da"
    assert framework_text("no resettlement cases in the inspection timescale") == (
        "dim achosion adsefydlu yn amserlen yr arolygiad"
    )
    assert framework_text("Something typed by a user") == "Something typed by a user"


def test_one_english_string_never_gets_two_welsh_renderings(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("text:\n- {en: Good, cy: Da}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("text:\n- {en: Poor, cy: Gwael}\n- {en: Good, cy: Iawn}\n")
    with pytest.raises(WelshTextError, match=r"b.yaml entry 2: 'Good' is already 'Da' in a.yaml"):
        load_welsh(tmp_path)


def test_a_blank_welsh_entry_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("text:\n- {en: Good, cy: Da}\n- {en: Poor, cy: ' '}\n")
    with pytest.raises(WelshTextError, match="a.yaml entry 2: needs 'en' and a non-empty 'cy'"):
        load_welsh(tmp_path)


# ---------------------------------------------------------------- the rendered report


@pytest.fixture
def figures(inspection: Inspection, users: dict[str, Any]) -> Inspection:
    inspection.fieldwork_end = dt.date(2024, 4, 12)
    inspection.save()
    answered_court_cases(inspection, users["inspector"], ANSWERS)
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.1",
        rating="good",
        rationale="Strong board",
        strengths="Bwrdd cryf",
        areas_for_improvement="Cynnig i ddioddefwyr",
        decided_by=users["lead"],
    )
    Discretion.objects.create(
        inspection=inspection,
        standard_id="2.1",
        rating="outstanding",
        reason="All the evidence",
        decided_by=users["lead"],
    )
    return inspection


def _article(page: str) -> str:
    return page.split('<article class="yj-report"')[1].split("</article>")[0]


def _visible(markup: str) -> str:
    """Text and the attributes a reader hears (aria-label, title), tags removed."""
    attrs = " ".join(re.findall(r'(?:aria-label|title)="([^"]*)"', markup))
    text = re.sub(r"<[^>]+>", " ", markup)
    return re.sub(r"\s+", " ", html_lib.unescape(f"{text} {attrs}"))


def _fragments(msgid: str) -> list[str]:
    """A msgid's fixed words: the parts between its placeholders."""
    parts = re.split(r"%\(\w+\)s|%%|\{\{.*?\}\}", msgid)
    return [p.strip(" .,:;()'") for p in parts if re.search(r"[A-Za-z]{2}", p)]


def _has(text: str, fragment: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(fragment)}(?![\w'])", text) is not None


def _get(client: Client, name: str, pk: int, lang: str | None) -> str:
    url = reverse(name, args=[pk]) + (f"?lang={lang}" if lang is not None else "")
    response = client.get(url)
    assert response.status_code == 200
    return str(response.content.decode())


def test_welsh_report_has_no_english_fixed_strings(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    english = _visible(_article(_get(client, "inspections:report", figures.pk, None)))
    welsh = _visible(_article(_get(client, "inspections:report", figures.pk, "cy")))
    checked, left = [], []
    for _ctx, msgid, _msgstr in report_messages():
        for fragment in _fragments(msgid):
            if fragment and _has(english, fragment):
                checked.append(fragment)
                if _has(welsh, fragment):
                    left.append(fragment)
    assert len(checked) > 40  # the English report does show the strings checked
    assert not left, "English left in the Welsh report:\n" + "\n".join(left)
    # Framework wording is Welsh too (standard names, key questions, ratings).
    for english_text in ("Governance and leadership", "Keeping the child safe", "Requires"):
        assert english_text in english or english_text == "Requires"
        assert english_text not in welsh


def test_welsh_report_words_dates_and_lang(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = _get(client_as("lead"), "inspections:report", figures.pk, "cy")
    assert '<html lang="cy"' in page
    assert '<article class="yj-report" lang="cy">' in page
    text = _visible(_article(page))
    assert "Arolygiad o wasanaethau cyfiawnder ieuenctid yn Testshire" in text
    assert "Arolygiaeth Prawf EF, Ebrill 2024" in text
    assert "1.1 Llywodraethu ac arweinyddiaeth Da" in text  # Good -> Da
    assert "Rhagorol" in text  # 2.1 raised to Outstanding by discretion
    assert (
        "Cynhaliwyd gwaith maes gennym yn Testshire YJS rhwng 8 Ebrill 2024 a 12 Ebrill 2024"
        in (text)
    )
    assert "Parth dau: Gwarediadau llys" in text
    assert "A yw'r asesu'n dadansoddi'n ddigonol sut i gadw'r plentyn yn ddiogel?" in text
    assert (
        "Defnyddiwyd disgresiwn proffesiynol i godi'r radd ar gyfer asesu o Da i Rhagorol" in text
    )
    assert "Gorchymyn atgyfeirio" in text
    assert "April" not in text and "Pat Example" not in page
    # The PDF link keeps the language.
    assert reverse("inspections:report_pdf", args=[figures.pk]) + "?lang=cy" in page
    # No words of the inspectors' in English yet: no notice that some are untranslated.
    assert "Nid yw rhai o eiriau'r arolygwyr wedi'u cyfieithu eto" not in text


def test_a_welsh_report_says_when_some_words_are_still_english(
    figures: Inspection, client_as: Callable[[str], Client], users: dict[str, Any]
) -> None:
    ReportText.objects.create(
        inspection=figures, key="foreword", text_en="English only", updated_by=users["lead"]
    )
    text = _visible(_article(_get(client_as("lead"), "inspections:report", figures.pk, "cy")))
    assert "Nid yw rhai o eiriau'r arolygwyr wedi'u cyfieithu eto" in text
    english = _visible(_article(_get(client_as("lead"), "inspections:report", figures.pk, "en")))
    assert "not translated yet" not in english


@pytest.mark.parametrize("lang", [None, "en", "fr", "CY", ""])
def test_other_languages_give_english(
    figures: Inspection, client_as: Callable[[str], Client], lang: str | None
) -> None:
    page = _get(client_as("lead"), "inspections:report", figures.pk, lang)
    text = _visible(_article(page))
    assert "An inspection of youth justice services in Testshire" in text
    assert "1.1 Governance and leadership Good" in text
    assert "HM Inspectorate of Probation, April 2024" in text
    assert '<article class="yj-report" lang="en' in page


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_welsh_pdf_renders(figures: Inspection, client_as: Callable[[str], Client]) -> None:
    response = client_as("lead").get(
        reverse("inspections:report_pdf", args=[figures.pk]) + "?lang=cy"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "-cy.pdf" in response["Content-Disposition"]
    html = standalone_html(figures, lang="cy")
    assert '<html lang="cy">' in html
    document = render_document(html, report_css_path().parent.parent)
    texts = [
        " ".join(b.text for b in _boxes(page._page_box) if hasattr(b, "text"))
        for page in document.pages
    ]
    everything = " ".join(texts)
    assert "Cynnwys" in everything and "Graddau" in everything
    assert "Llywodraethu ac arweinyddiaeth" in everything
    assert f"Tudalen 2 o {len(texts)}" in texts[1]
    assert "Page 2" not in everything
    titles: list[str] = []

    def walk(tree: Any) -> None:
        for label, _target, children, _state in tree:
            titles.append(label)
            walk(children)

    walk(document.make_bookmark_tree())
    assert "Parth dau: Gwarediadau llys" in titles


def test_standalone_writes_welsh(figures: Inspection, tmp_path: Path) -> None:
    standalone._check_options("html", "cy")
    with pytest.raises(standalone.StandaloneError):
        standalone._check_options("html", "fr")
    out = standalone._write(figures, "html", tmp_path / "report.html", "cy")
    written = out.read_text(encoding="utf-8")
    assert '<html lang="cy">' in written and "Arolygiad o wasanaethau" in written
    english = standalone._write(figures, "html", tmp_path / "report-en.html")
    assert "An inspection of youth justice services" in english.read_text(encoding="utf-8")


def test_welsh_wording_keeps_the_placeholders() -> None:
    """A score sentence's {percent} and {work_phrase} must survive translation."""
    fields = re.compile(r"\{\w+\}")
    wrong = [
        en for en, cy in TEXT.items() if sorted(fields.findall(en)) != sorted(fields.findall(cy))
    ]
    assert not wrong, wrong
    assert any("{work_phrase}" in en for en in TEXT)  # the check has something to check


def test_every_case_list_value_label_has_welsh() -> None:
    """Pages and the data annex show a case's codes by their labels (disposal type, risk
    level, sex...); their Welsh is in frameworks/welsh/common.yaml."""
    labels = {label for column in VALUE_LABELS.values() for label in column.values()}
    missing = sorted(label for label in labels if label not in TEXT)
    assert not missing, missing
    assert "Detention and training order" in labels and "Very high" in labels


def test_every_outcome_indicator_name_and_unit_has_welsh() -> None:
    """Indicator results carry English names and units (core/indicators.py); pages show them
    through the Welsh wording in frameworks/welsh/common.yaml."""
    source = (Path(__file__).resolve().parents[2] / "src/yjinspect/core/indicators.py").read_text()
    words = set(re.findall(r'\b(?:name|unit)="([^"]+)"', source))
    assert "First-time entrants" in words
    missing = sorted(w for w in words if w not in TEXT and w != "%")
    assert not missing, missing
