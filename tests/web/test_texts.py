"""The report text pages: edited words in English and Welsh, recommendations, conflicts, history."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.http import HttpResponse, QueryDict
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import Inspection, Recommendation, ReportText, State
from yjinspect.web.inspections.services.history import Filters, HistoryRows, Kind

pytestmark = pytest.mark.django_db


def _edit_url(inspection: Inspection, key: str) -> str:
    return reverse("inspections:report_text_edit", args=[inspection.pk, key])


def _report(client: Client, inspection: Inspection, lang: str = "en") -> str:
    response = client.get(reverse("inspections:report", args=[inspection.pk]) + f"?lang={lang}")
    assert response.status_code == 200
    return str(response.content.decode())


def _save(
    client: Client, inspection: Inspection, key: str, en: str, cy: str = "", version: int = 0
) -> HttpResponse:
    return client.post(
        _edit_url(inspection, key), {"text_en": en, "text_cy": cy, "version": version}
    )


def test_saving_a_text_changes_the_report(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("inspector")
    assert "A fictional foreword" not in _report(client, inspection)
    response = _save(client, inspection, "foreword", "A fictional foreword.\n\nSecond part.")
    assert response.status_code == 302
    text = ReportText.objects.get(inspection=inspection, key="foreword")
    assert text.version == 1 and text.updated_by.username == "inspector"
    page = _report(client, inspection)
    foreword = page.split('id="foreword"')[1].split("</section>")[0]
    assert '<p class="govuk-body">A fictional foreword.</p>' in foreword
    assert '<p class="govuk-body">Second part.</p>' in foreword
    assert 'href="#foreword"' in page  # in the contents
    # Changing it again changes the report again.
    _save(client, inspection, "foreword", "Rewritten foreword.", version=1)
    page = _report(client, inspection)
    assert "Rewritten foreword." in page and "A fictional foreword." not in page


def test_standard_narrative_with_bullets_and_escaping(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    narrative = "Planning was strong.\n- <script>alert(1)</script>\n- second & last point"
    assert _save(client, inspection, "standard:2.2", narrative).status_code == 302
    page = _report(client, inspection)
    section = page.split('id="standard-2-2"')[1].split("</section>")[0]
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert re.search(
        r'<ul class="govuk-list govuk-list--bullet"><li>&lt;script&gt;.*?</li>'
        r"<li>second &amp; last point</li></ul>",
        section,
    )


def test_welsh_report_uses_welsh_text_and_marks_english_fallback(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    _save(client, inspection, "foreword", "English foreword.", "Rhagair Cymraeg.")
    _save(client, inspection, "background", "Only English background.")
    page = _report(client, inspection, "cy")
    foreword = page.split('id="foreword"')[1].split("</section>")[0]
    assert "Rhagair Cymraeg." in foreword and "English foreword." not in foreword
    assert 'lang="en"' not in foreword
    background = page.split('id="background"')[1].split("</section>")[0]
    assert re.search(
        r'<div class="yj-text" lang="en">\s*<p class="govuk-body">Only English', background
    )
    # The text page lists what has no Welsh yet.
    listing = (
        client_as("lead")
        .get(reverse("inspections:report_texts", args=[inspection.pk]))
        .content.decode()
    )
    missing = listing.split('id="missing-welsh"')[1].split("</ul>")[0]
    assert "Background" in missing and "Foreword" not in missing


def test_welsh_without_english_is_refused(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = _save(client_as("lead"), inspection, "foreword", "", "Rhagair yn unig.")
    assert response.status_code == 200
    assert "Write the English text too" in response.content.decode()
    assert not ReportText.objects.exists()


def test_unknown_key_is_not_found(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    assert client_as("lead").get(_edit_url(inspection, "standard:9.9")).status_code == 404


def test_stale_text_save_shows_both_versions_and_saves_nothing(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    first, second = client_as("lead"), client_as("inspector")
    _save(first, inspection, "involvement", "Version one.")
    _save(first, inspection, "involvement", "Version two by the lead.", version=1)
    response = _save(second, inspection, "involvement", "Stale edit by the inspector.", version=1)
    assert response.status_code == 409
    page = html_lib.unescape(response.content.decode())
    table = page.split('id="conflict-table"')[1].split("</table>")[0]
    assert "Stale edit by the inspector." in table and "Version two by the lead." in table
    text = ReportText.objects.get(key="involvement")
    assert text.text_en == "Version two by the lead." and text.version == 2
    # The retry form carries the current version, so saving it knowingly works.
    assert 'name="version" value="2"' in page
    assert _save(second, inspection, "involvement", "Mine.", version=2).status_code == 302
    assert ReportText.objects.get(key="involvement").text_en == "Mine."


def _add(client: Client, inspection: Inspection, body: str, text: str, **extra: str) -> None:
    response = client.post(
        reverse("inspections:recommendation_add", args=[inspection.pk]),
        {"addressed_to": body, "text_en": text, "version": 0, **extra},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def test_recommendations_grouped_by_body_numbered_and_reordered(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("inspector")
    _add(client, inspection, "The management board", "review the victim offer")
    _add(client, inspection, "Testshire YJS", "strengthen contingency planning")
    _add(client, inspection, "The management board", "agree a disproportionality strategy")
    page = _report(client, inspection)
    section = page.split('id="recommendations"')[1].split("</section>")[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "three recommendations" in text
    assert re.search(
        r"The management board should: 1\. review the victim offer\s+2\. agree a "
        r"disproportionality strategy\s+Testshire YJS should: 3\. strengthen contingency planning",
        text,
    ), text
    # Move the YJS's one up to the top: its group now comes first.
    yjs = Recommendation.objects.get(addressed_to="Testshire YJS")
    move = reverse("inspections:recommendation_move", args=[inspection.pk, yjs.pk])
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})
    assert list(Recommendation.objects.order_by("order").values_list("addressed_to", "order")) == [
        ("Testshire YJS", 1),
        ("The management board", 2),
        ("The management board", 3),
    ]
    section = _report(client, inspection).split('id="recommendations"')[1].split("</section>")[0]
    assert (
        '<span class="yj-recommendations__number">1.</span> strengthen contingency planning</li>'
        in section
    )
    assert client.post(move, {"direction": "sideways"}).status_code == 400


def test_recommendation_edit_conflict_and_delete(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    lead, inspector = client_as("lead"), client_as("inspector")
    _add(lead, inspection, "The board", "do one thing")
    rec = Recommendation.objects.get()
    url = reverse("inspections:recommendation_edit", args=[inspection.pk, rec.pk])
    data = {"addressed_to": "The board", "text_en": "do the thing well", "version": 1}
    assert lead.post(url, data).status_code == 302
    stale = inspector.post(url, {**data, "text_en": "do something else"})
    assert stale.status_code == 409
    rec.refresh_from_db()
    assert rec.text_en == "do the thing well" and rec.version == 2
    delete = reverse("inspections:recommendation_delete", args=[inspection.pk, rec.pk])
    page = inspector.get(delete)
    assert page.status_code == 200 and 'name="version" value="2"' in page.content.decode()
    # Deleting what was on screen before a change is refused, and shows the current words.
    refused = inspector.post(delete, {"version": 1})
    assert refused.status_code == 409 and "do the thing well" in refused.content.decode()
    assert Recommendation.objects.exists()
    assert inspector.post(delete, {"version": 2}).status_code == 302
    assert not Recommendation.objects.exists()


def test_changes_appear_in_the_history(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    _save(client, inspection, "standard:2.1", "First words.")
    _save(client, inspection, "standard:2.1", "Second words.", version=1)
    _add(client, inspection, "The board", "act")
    Recommendation.objects.get().delete()
    framework = inspection.framework.framework
    texts = list(HistoryRows(inspection, Filters(kind=Kind.REPORT_TEXT), hidden=()))
    assert [e.who for e in texts] == ["lead", "lead"]
    assert (
        texts[0].changes[0].before == "First words."
        and texts[0].changes[0].after == "Second words."
    )
    by_standard = list(
        HistoryRows(inspection, Filters.from_query(_query("standard=2.1"), framework)[0], hidden=())
    )
    assert any(e.kind == Kind.REPORT_TEXT for e in by_standard)
    recs = list(HistoryRows(inspection, Filters(kind=Kind.RECOMMENDATION), hidden=()))
    assert recs[0].what.endswith("removed") and recs[0].who == ""  # deleted outside a request
    page = client.get(reverse("inspections:history", args=[inspection.pk])).content.decode()
    assert "Report text &#x27;standard:2.1&#x27;" in page or "Report text 'standard:2.1'" in page


def _query(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.mark.parametrize("name", ["moderator", "viewer"])
def test_only_lead_and_inspectors_write(
    inspection: Inspection, client_as: Callable[[str], Client], name: str
) -> None:
    response = _save(client_as(name), inspection, "foreword", "Not allowed.")
    assert response.status_code == 403
    assert not ReportText.objects.exists()


def test_published_inspection_refuses_writes(
    inspection: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    inspection.state = State.PUBLISHED
    inspection.save()
    assert _save(client_as("lead"), inspection, "foreword", "Too late.").status_code == 403
    listing = client_as("lead").get(reverse("inspections:report_texts", args=[inspection.pk]))
    assert listing.status_code == 200
    assert "Add a recommendation" not in listing.content.decode()
