"""The inspection report page and its PDF, on figures made through the ORM."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from yjinspect.frameworks.loader import shipped_framework_paths
from yjinspect.reports.pdf import render_document
from yjinspect.web.inspections.models import (
    Answer,
    Case,
    Discretion,
    FrameworkVersion,
    Inspection,
    Judgement,
    State,
    StateTransition,
)
from yjinspect.web.inspections.services.report import inspection_report
from yjinspect.web.inspections.views.report import report_css_path

from .conftest import answered_court_cases

pytestmark = pytest.mark.django_db

# 2.1 in Bexley 2024: desistance 9/9, child safety 6/9 (lowest: Good), others' safety 7/9.
ANSWERS = {"2.1.desistance": 9, "2.1.child_safety": 6, "2.1.others_safety": 7}


@pytest.fixture
def figures(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    answered_court_cases(inspection, users["inspector"], ANSWERS)
    Case.objects.create(
        inspection=inspection,
        case_ref="C999",
        domain="court",
        disposal_type="Referral order",
        start_date=dt.date(2023, 6, 1),
        case_manager="Pat Example",
        risk_of_harm="low",
        safety_wellbeing="low",
    )
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.1",
        rating="good",
        rationale="Strong board",
        strengths="The board knows its children well\nLeaders are visible",
        areas_for_improvement="The victim offer needs review",
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


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_page_shows_ratings_and_key_question_tables(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("lead").get(reverse("inspections:report", args=[figures.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ratings-table"' in html
    text = _text(html)
    assert "An inspection of youth justice services in Testshire" in text
    assert "1.1 Governance and leadership Good" in text
    # 2.1 is Outstanding by discretion: the star mark has a text alternative.
    assert re.search(r'2\.1 Assessment.*?aria-label="Outstanding"', html, re.S)
    table = html.split('id="standard-2-1-key-questions"')[1].split("</table>")[0]
    assert "<strong>67%</strong>" in table and "100%" in table and "78%" in table
    assert (
        "Professional discretion was used to increase the rating for assessment from Good to "
        "Outstanding following the consideration of all evidence." in text
    )
    assert "Our rating for assessment is based on the following key questions:" in text
    assert "Strengths:" in text and "The board knows its children well" in text
    assert "The victim offer needs review" in text
    assert "We also conducted 7 interviews with case managers." in text
    # Sample composition: 9 of the 10 listed referral orders.
    annex = html.split('id="annex-composition"')[1].split("</table>")[0]
    assert re.search(r"Referral order</td>\s*<td[^>]*>9</td>\s*<td[^>]*>10</td>", annex)
    assert ">Court disposals</td>" in annex and ">court</td>" not in annex  # labels, not codes
    assert "<svg" in html and '<title id="chart-2-title">' in html
    assert "Pat Example" not in html  # case references only, never names
    # The data annex names key questions by standard and lens, never by internal id.
    annex_kq = html.split('id="annex-kq"')[1].split("</table>")[0]
    assert "2.1 Keeping other people safe</span>" in annex_kq
    assert "Does assessment sufficiently analyse how to keep other people safe?" in annex_kq
    article = html.split("<article")[1].split("</article>")[0]
    assert not re.search(r"\d\.\d\.(desistance|child_safety|others_safety)", _text(article))


def test_figures_come_from_the_engine(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    answer = Answer.objects.get(assessment__case__case_ref="C009", key_question="2.1.child_safety")
    assert answer.value == "no"
    answer.value = "yes"
    answer.save()
    html = client_as("inspector").get(reverse("inspections:report", args=[figures.pk])).content
    table = html.decode().split('id="standard-2-1-key-questions"')[1].split("</table>")[0]
    assert "78%" in table and "67%" not in table  # 7/9 now, for child safety and others' safety


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _page_texts(html: str) -> tuple[list[str], Any]:
    document = render_document(html, report_css_path().parent.parent)
    texts = [
        " ".join(b.text for b in _boxes(page._page_box) if hasattr(b, "text"))
        for page in document.pages
    ]
    return texts, document


def test_pdf_is_a4_with_page_numbers_contents_and_bookmarks(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = client_as("lead").get(reverse("inspections:report_pdf", args=[figures.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    # The same HTML the view lays out, read back through WeasyPrint's document API.
    html = render_to_string(
        "inspections/report/pdf.html",
        {
            "inspection": figures,
            "report": inspection_report(figures),
            "css": report_css_path().read_text(encoding="utf-8"),
        },
    )
    texts, document = _page_texts(html)
    everything = " ".join(texts)
    assert "Score" in everything
    for name in ("Governance and leadership", "Assessment", "Implementation and delivery"):
        assert name in everything
    pages = len(document.pages)
    assert f"Page 2 of {pages}" in texts[1]
    assert f"Page {pages} of {pages}" in texts[-1]
    # Not published yet: every page says it is a draft, so a forwarded copy cannot pass as final.
    assert all("Draft: not for publication" in t for t in texts)
    width, height = document.pages[0].width, document.pages[0].height
    assert round(width * 25.4 / 96) == 210 and round(height * 25.4 / 96) == 297
    # Contents page numbers come from target-counter: the ratings section's page is printed.
    ratings_page = next(i for i, t in enumerate(texts) if t.strip().startswith("Ratings")) + 1
    assert re.search(rf"Ratings[\s.]*{ratings_page}\b", texts[1])
    titles = []

    def walk(tree: Any) -> None:
        for label, _target, children, _state in tree:
            titles.append(label)
            walk(children)

    walk(document.make_bookmark_tree())
    assert "Ratings" in titles and "2.1. Assessment" in titles
    assert "Domain two: Court disposals" in titles


@pytest.mark.parametrize("name", ["inspections:report", "inspections:report_pdf"])
def test_access(figures: Inspection, client_as: Callable[[str], Client], name: str) -> None:
    url = reverse(name, args=[figures.pk])
    assert client_as("moderator").get(url).status_code == 200
    assert client_as("viewer").get(url).status_code == 403  # not released
    assert client_as("stranger").get(url).status_code == 404
    figures.released_to_service = True
    figures.save()
    assert client_as("viewer").get(url).status_code == 200


def test_a_draft_is_marked_until_the_inspection_is_published(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    url = reverse("inspections:report", args=[figures.pk])
    page = _text(client_as("lead").get(url).content.decode())
    assert "Draft: not for publication. The inspection is not published yet" in page
    welsh = _text(client_as("lead").get(url + "?lang=cy").content.decode())
    assert "Drafft: nid i'w gyhoeddi" in welsh
    Inspection.objects.filter(pk=figures.pk).update(state=State.PUBLISHED)
    moved = StateTransition.objects.create(
        inspection=figures,
        from_state=State.FACTUAL_ACCURACY,
        to_state=State.PUBLISHED,
        by=figures.created_by,
    )
    published = dt.datetime(2024, 7, 10, 9, 0, tzinfo=dt.UTC)
    StateTransition.objects.filter(pk=moved.pk).update(at=published)
    figures.refresh_from_db()
    published_page = client_as("lead").get(url).content.decode()
    assert "Draft: not for publication" not in published_page
    # Dated by publication on the cover (seed 004: fieldwork April, report July 2024).
    assert "HM Inspectorate of Probation, July 2024" in _text(published_page)
    html = render_to_string(
        "inspections/report/pdf.html",
        {
            "inspection": figures,
            "report": inspection_report(figures),
            "css": report_css_path().read_text(encoding="utf-8"),
        },
    )
    assert "Draft" not in " ".join(_page_texts(html)[0])


def test_the_fixed_parts_print_from_the_framework_and_a_version_1_inspection_prints_none(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    url = reverse("inspections:report", args=[figures.pk])
    page = client_as("lead").get(url).content.decode()
    about = page.split('id="about"')[1].split("</section>")[0]
    assert "The role of HM Inspectorate of Probation" in about
    assert "Open Government Licence" in about and "© Crown copyright 2024" in about
    assert re.search(r'id="further-information".*href="#annex-key-questions"', page, re.S)
    assert 'href="#further-information"' in page  # in the contents
    welsh = _text(client_as("lead").get(url + "?lang=cy").content.decode())
    assert "Rôl Arolygiaeth Prawf EF" in welsh and "© Hawlfraint y Goron 2024" in welsh
    # An installation that stored version 1 keeps it beside version 2, and its inspections
    # print the report as before: no inspectorate's page, our own wording for the notes.
    source = shipped_framework_paths()["hmip-youth-2021"].read_text(encoding="utf-8")
    v1 = source.split("\nreport_sentences:")[0].replace(
        "version: 2\nsame_rules_since: 1\n", "version: 1\n"
    )
    older = FrameworkVersion.store(v1, "v1")
    assert older.version == 1 and older.pk != figures.framework.pk
    Inspection.objects.filter(pk=figures.pk).update(framework=older)
    before = _text(
        client_as("lead").get(url).content.decode().split("<article")[1].split("</article>")[0]
    )
    assert "The role of HM Inspectorate of Probation" not in before
    assert "Crown copyright" not in before and "Further information" in before
    assert "A standard takes the rating band of its lowest-scoring key question" in before
    assert (
        "The inspectors used professional discretion to raise the rating for assessment" in before
    )


def test_ratings_are_gov_uk_tags_that_differ_in_greyscale_print(
    figures: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = client_as("lead").get(reverse("inspections:report", args=[figures.pk])).content.decode()
    table = page.split('id="ratings-table"')[1].split("</table>")[0]
    assert re.search(r'<strong class="govuk-tag govuk-tag--turquoise">\s*Good\s*</strong>', table)
    assert re.search(r'class="govuk-tag govuk-tag--green">\s*Outstanding\s*<', table)
    assert re.search(r'class="govuk-tag govuk-tag--grey">\s*Not rated\s*<', table)
    standard = page.split('id="standard-2-1-rating"')[1].split("</span>")[0]
    assert "govuk-tag--green" in standard and "Outstanding" in standard
    # In print every rating's tag has its own border, so the tags differ without colour.
    tags = "".join(
        f'<p><strong class="govuk-tag {css}">{rating}</strong></p>'
        for rating, css in (
            ("Outstanding", "govuk-tag--green"),
            ("Good", "govuk-tag--turquoise"),
            ("Requires improvement", "govuk-tag--orange"),
            ("Inadequate", "govuk-tag--red"),
            ("Not rated", "govuk-tag--grey"),
        )
    )
    css = report_css_path().read_text(encoding="utf-8")
    html = f'<html><head><style>{css}</style></head><body class="yj-print"><article class="yj-report">{tags}</article></body></html>'
    document = render_document(html, report_css_path().parent.parent)
    found = {}
    for box in _boxes(document.pages[0]._page_box):
        if getattr(box, "element_tag", "") == "strong":
            text = " ".join(b.text for b in _boxes(box) if hasattr(b, "text"))
            style = box.style
            found.setdefault(text, (style["border_top_style"], round(style["border_top_width"], 1)))
    assert len(found) == 5 and len(set(found.values())) == 5, found
    assert all(style != "none" and width > 0 for style, width in found.values()), found
