"""The edited words in the report page and the PDF: order, escaping, outline, practice examples."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse

from yjinspect.reports.pdf import render_document
from yjinspect.web.inspections.models import (
    Assessment,
    Inspection,
    Judgement,
    Mode,
    Recommendation,
    ReportText,
    State,
)
from yjinspect.web.inspections.views.report import report_css_path, standalone_html

from .conftest import answered_court_cases

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def written(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    lead = users["lead"]
    lead.first_name, lead.last_name = "Lee", "Lead"
    lead.save()
    cases = answered_court_cases(
        inspection, users["inspector"], {"2.1.desistance": 9, "2.1.child_safety": 6}
    )
    example = Assessment.objects.get(case=cases[2])
    example.practice_example = True
    example.practice_example_note = "Sam's case manager found a sports mentor."
    example.save()
    for key, text in {
        "foreword": "Foreword words.",
        "background": "Local context words.",
        "involvement": "Children told us things.",
        "diversity": "- The board tracks over-representation",
        "standard:2.1": f"Assessment narrative. {SCRIPT}\n\n- a bullet point",
    }.items():
        ReportText.objects.create(inspection=inspection, key=key, text_en=text, updated_by=lead)
    Recommendation.objects.create(
        inspection=inspection, addressed_to="The board", text_en="act now", updated_by=lead
    )
    return inspection


def _visible(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def test_sections_in_the_order_of_the_seed(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    article = page.split('<article class="yj-report"')[1]
    ids = [
        "acknowledgements",
        "foreword",
        "ratings",
        "recommendations",
        "background",
        "domain-1",
        "involvement",
        "diversity",
        "domain-2",
        "standard-2-1",
        "summary-2",
        "domain-3",
        "annex",
    ]
    positions = [article.index(f'id="{i}"') for i in ids]
    assert positions == sorted(positions)
    # The narrative follows the key-question table of its standard.
    section = article.split('id="standard-2-1"')[1].split("</section>")[0]
    assert section.index("key-questions") < section.index("Assessment narrative.")
    assert "The board should:" in _visible(article)
    assert 'href="#involvement"' in article and 'href="#summary-2"' in article
    assert 'href="#diversity"' in article and "The board tracks over-representation" in article
    assert "This inspection was led by Lee Lead, with a team of inspectors" in _visible(article)


def test_text_is_escaped_in_html_and_printed_as_text_in_the_pdf(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    document = render_document(standalone_html(written), report_css_path().parent.parent)
    texts = " ".join(
        b.text for page in document.pages for b in _boxes(page._page_box) if hasattr(b, "text")
    )
    assert "<script>alert('x')</script>" in texts
    titles: list[str] = []

    def walk(tree: Any) -> None:
        for label, _target, children, _state in tree:
            titles.append(label)
            walk(children)

    walk(document.make_bookmark_tree())
    for wanted in (
        "Foreword",
        "Recommendations",
        "Involvement of children and their parents or carers",
        "Case data summary: court disposals",
        "Practice example",
    ):
        assert wanted in titles, titles


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def test_practice_examples_never_show_the_case(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    examples = page.split('id="domain-2-examples"')[1].split("</section>")[0]
    assert "Sam&#x27;s case manager found a sports mentor." in examples
    assert "govuk-inset-text" in examples
    assert not re.search(r"C0\d\d", examples)
    assert "Pat Example" not in page  # the case manager's name, from the case list
    assert "names in the practice examples have been changed" in page


def test_summary_chart_has_text_alternative_and_table(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    summary = page.split('id="summary-2"')[1].split("</section>")[0]
    assert '<title id="summary-2-chart-title">' in summary
    assert '<desc id="summary-2-chart-desc">' in summary
    assert page.count('id="summary-2"') == 1
    table = summary.split('id="summary-2-table"')[1].split("</table>")[0]
    # Child safety: 6 Yes and 3 No of 9 cases.
    assert re.search(r"2\.1 Keeping the child safe</td>\s*<td[^>]*>6</td>\s*<td[^>]*>3</td>", table)


def test_an_internal_audit_thanks_nobody_by_name(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    Inspection.objects.filter(pk=written.pk).update(mode=Mode.INTERNAL_AUDIT)
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    assert 'id="acknowledgements"' not in page and "Lee Lead" not in page


def test_an_internal_audit_report_is_the_services_own_not_hmips(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    Inspection.objects.filter(pk=written.pk).update(mode=Mode.INTERNAL_AUDIT)
    url = reverse("inspections:report", args=[written.pk])
    text = html.unescape(_visible(client_as("lead").get(url).content.decode()))
    assert "An internal audit of youth justice services in Testshire" in text
    assert "An inspection of youth justice services" not in text
    assert (
        "against HM Inspectorate of Probation's standards: the ratings are the service's own"
        in text
    )
    assert "We audited" in text
    assert "We inspected" not in text
    cover = text.split("Contents")[0]
    assert "HM Inspectorate of Probation," not in cover  # the byline names the service


NOTE_SCRIPT = "<b>bold</b>"


def test_footnotes_typed_in_texts_link_on_the_page_and_sit_at_the_foot_of_the_pdf_page(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    ReportText.objects.filter(inspection=written, key="foreword").update(
        text_en=f"Words with a note[^What the term means {NOTE_SCRIPT}] in them."
    )
    Recommendation.objects.filter(inspection=written).update(
        text_en="review Outcome 22[^A deferred prosecution.] soon"
    )
    page = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content.decode()
    foreword = page.split('id="foreword"')[1].split("</section>")[0]
    assert "[^" not in page
    assert 'Words with a note<sup class="yj-fn-ref"><a href="#fn-1" id="fnref-1"' in foreword
    assert '<li id="fn-1" value="1" class="govuk-body-s">What the term means &lt;b&gt;' in foreword
    recs = page.split('id="recommendations"')[1].split("</section>")[0]
    assert '<span class="yj-recommendations__number">1.</span> review Outcome 22<sup' in recs
    assert 'href="#fn-2"' in recs and "A deferred prosecution." in recs
    # The standards' rating notes number on from the inspectors' two.
    assert '<li id="fn-3" value="3"' in page.split('id="standard-2-1"')[1]
    # In the PDF the note's words float to the foot of the page, escaped, never as markup.
    source = standalone_html(written)
    assert (
        '<span class="yj-fn" data-n="1">What the term means &lt;b&gt;bold&lt;/b&gt;</span>'
        in source
    )
    assert 'class="yj-footnotes"' not in source  # no lists after the sections in print
    document = render_document(source, report_css_path().parent.parent)
    texts = [
        " ".join(b.text for b in _boxes(p._page_box) if hasattr(b, "text")) for p in document.pages
    ]
    page_of_note = next(i for i, t in enumerate(texts) if f"What the term means {NOTE_SCRIPT}" in t)
    assert "Words with a note" in texts[page_of_note]


@pytest.mark.parametrize(
    ("url_name", "data", "field"),
    [
        (
            "report_text_edit",
            {"text_en": "An open [^note that never ends", "version": 0},
            "text_en",
        ),
        (
            "recommendation_add",
            {"addressed_to": "The board", "text_en": "act [^] now", "version": 0},
            "text_en",
        ),
    ],
)
def test_a_broken_footnote_is_refused_naming_the_field_and_nothing_is_saved(
    written: Inspection,
    client_as: Callable[[str], Client],
    url_name: str,
    data: dict[str, object],
    field: str,
) -> None:
    args = [written.pk, "foreword"] if url_name == "report_text_edit" else [written.pk]
    before = (
        list(ReportText.objects.values_list("text_en", flat=True)),
        Recommendation.objects.count(),
    )
    response = client_as("lead").post(reverse(f"inspections:{url_name}", args=args), data)
    assert response.status_code == 200
    text = html.unescape(_visible(response.content.decode()))
    assert "has no closing ']'" in text or "A footnote has no words" in text
    assert f'href="#id_{field}"' in response.content.decode()  # the error summary names it
    after = (
        list(ReportText.objects.values_list("text_en", flat=True)),
        Recommendation.objects.count(),
    )
    assert after == before


def test_a_broken_footnote_in_a_judgements_strengths_is_refused(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    url = reverse("inspections:judgement", args=[written.pk, "1.3"])
    data = {
        "rating": "good",
        "rationale": "Evidence.",
        "strengths": "A panel for the NRM[^a national process\nAnother strength",
        "areas_for_improvement": "",
        "version": 0,
    }
    response = client_as("lead").post(url, data)
    assert response.status_code == 200
    assert "has no closing" in html.unescape(response.content.decode())
    assert not Judgement.objects.filter(inspection=written, standard_id="1.3").exists()
    data["strengths"] = "A panel for the NRM[^a national process]\nAnother strength"
    assert client_as("lead").post(url, data).status_code == 302
    report = client_as("lead").get(reverse("inspections:report", args=[written.pk])).content
    section = report.decode().split('id="standard-1-3"')[1].split("</section>")[0]
    assert "A panel for the NRM<sup" in section and "a national process" in section


def test_the_team_sees_a_warning_when_the_narrative_contradicts_the_figures(
    written: Inspection, client_as: Callable[[str], Client]
) -> None:
    # 2.1 child safety is 6 Yes and 3 No of 9; the narrative says four of the nine.
    ReportText.objects.filter(inspection=written, key="standard:2.1").update(
        text_en="Assessment of the child's safety fell short in four of the nine cases."
    )
    url = reverse("inspections:report", args=[written.pk])
    page = client_as("lead").get(url).content.decode()
    section = page.split('id="standard-2-1"')[1].split("</section>")[0]
    assert "govuk-warning-text" in section
    text = html.unescape(_visible(section))
    assert "The narrative and the figures disagree, check before publication." in text
    assert "'four of the nine cases': 4 is neither the Yes nor the No count of 9." in text
    assert "Keeping the child safe 6 Yes and 3 No of 9" in text
    assert "four of the nine cases" in standalone_html(written)  # the narrative is printed...
    assert "govuk-warning-text yj-figures-warning" not in standalone_html(written)  # ...not this
    written.released_to_service = True
    written.save()
    viewer = client_as("viewer").get(url).content.decode()
    assert "yj-figures-warning" not in viewer  # the service's readers do not see it
    Inspection.objects.filter(pk=written.pk).update(state=State.PUBLISHED)
    assert "yj-figures-warning" not in client_as("lead").get(url).content.decode()
