"""The cached report PDF: served again while nothing changes, rendered afresh after any edit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from yjinspect.reports.welsh import WELSH_DIR
from yjinspect.web.inspections.models import (
    Answer,
    Case,
    Discretion,
    EvidenceItem,
    Inspection,
    Judgement,
    Recommendation,
    ReportText,
)
from yjinspect.web.inspections.services import report_cache
from yjinspect.web.inspections.services.report_cache import change_stamp
from yjinspect.web.outcomes.models import StoredIndicator

from .conftest import answered_court_cases
from .test_report_outcomes import store_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def answered(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    answered_court_cases(inspection, users["inspector"], {"2.1.desistance": 9})
    return inspection


def _pdf(client: Client, inspection: Inspection, lang: str = "en") -> tuple[str, bytes]:
    response = client.get(reverse("inspections:report_pdf", args=[inspection.pk]) + f"?lang={lang}")
    assert response.status_code == 200
    return response["X-Report-Cache"], response.content


def test_second_request_is_served_from_the_cache_and_an_edit_renders_afresh(
    answered: Inspection, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    state, first = _pdf(client, answered)
    assert state == "miss"
    state, again = _pdf(client, answered)
    assert state == "hit" and again == first
    # Each language has its own entry.
    assert _pdf(client, answered, "cy")[0] == "miss"
    # Editing a text through the page changes the PDF.
    url = reverse("inspections:report_text_edit", args=[answered.pk, "foreword"])
    client.post(url, {"text_en": "A new foreword.", "text_cy": "", "version": 0})
    state, after = _pdf(client, answered)
    assert state == "miss" and after != first
    assert _pdf(client, answered)[0] == "hit"


def _changes(inspection: Inspection, users: dict[str, AbstractUser]) -> list[Callable[[], None]]:
    lead = users["lead"]

    def answer() -> None:
        a = Answer.objects.filter(assessment__case__inspection=inspection).first()
        assert a is not None
        a.value = "no"
        a.save()

    def judgement() -> None:
        Judgement.objects.create(
            inspection=inspection, standard_id="1.1", rating="good", rationale="r", decided_by=lead
        )

    def discretion() -> None:
        Discretion.objects.create(
            inspection=inspection, standard_id="2.1", rating="good", reason="r", decided_by=lead
        )

    def text() -> None:
        ReportText.objects.create(
            inspection=inspection, key="background", text_en="b", updated_by=lead
        )

    def text_edit() -> None:
        t = ReportText.objects.get(inspection=inspection, key="background")
        t.text_cy = "c"
        t.save()

    def recommendation() -> None:
        Recommendation.objects.create(
            inspection=inspection, addressed_to="x", text_en="y", updated_by=lead
        )

    def recommendation_gone_without_history() -> None:
        Recommendation.objects.filter(inspection=inspection).delete()  # bypasses history

    def evidence() -> None:
        EvidenceItem.objects.create(
            inspection=inspection, standard_id="1.1", kind="meeting", title="t", added_by=lead
        )

    def case() -> None:
        c = Case.objects.filter(inspection=inspection).first()
        assert c is not None
        c.case_manager_interviewed = not c.case_manager_interviewed
        c.save()

    def inspection_dates() -> None:
        inspection.fieldwork_end = inspection.fieldwork_start
        inspection.save()

    return [
        answer,
        judgement,
        discretion,
        text,
        text_edit,
        recommendation,
        recommendation_gone_without_history,
        evidence,
        case,
        inspection_dates,
    ]


def test_every_kind_of_change_changes_the_stamp(
    answered: Inspection, users: dict[str, AbstractUser]
) -> None:
    seen = {change_stamp(answered)}
    for change in _changes(answered, users):
        change()
        stamp = change_stamp(answered)
        assert stamp not in seen, change.__name__
        seen.add(stamp)
    assert change_stamp(answered) == change_stamp(answered)  # stable while nothing changes


def test_outcome_indicators_change_the_stamp(
    answered: Inspection, users: dict[str, AbstractUser]
) -> None:
    """The background states the stored indicators: a first run, a newer run and a changed
    comparator (even one written without history) each give a new key."""
    seen = {change_stamp(answered)}
    store_indicators(answered, users["lead"])
    seen.add(change_stamp(answered))
    assert len(seen) == 2
    store_indicators(answered, users["lead"], fte=30)
    seen.add(change_stamp(answered))
    assert len(seen) == 3
    StoredIndicator.objects.filter(run__inspection=answered, key="custody").update(
        national=Decimal("0.3")
    )
    seen.add(change_stamp(answered))
    assert len(seen) == 4


def test_with_a_cache_table_every_app_server_shares_the_rendered_pdf(
    answered: Inspection, client_as: Callable[[str], Client], settings: Any
) -> None:
    code = "import json; from yjinspect.web import settings; print(json.dumps(settings.CACHES))"
    env = {**os.environ, "YJ_CACHE_TABLE": "yj_cache"}
    shipped = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    settings.CACHES = json.loads(shipped.stdout)
    call_command("createcachetable", verbosity=0)
    client = client_as("lead")
    assert _pdf(client, answered)[0] == "miss"
    with connection.cursor() as cursor:  # in the database, where every server looks
        cursor.execute("SELECT COUNT(*) FROM yj_cache")
        assert cursor.fetchone()[0] >= 1
    assert _pdf(client, answered)[0] == "hit"


def test_a_changed_welsh_wording_file_changes_the_stamp(
    answered: Inspection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frameworks' Welsh is read from files: a cached Welsh PDF must not outlive an edit."""
    assert (WELSH_DIR, "*.yaml") in report_cache._LAYOUT_GLOBS
    copy = tmp_path / "welsh"
    shutil.copytree(WELSH_DIR, copy)
    globs = [(copy, p) if f == WELSH_DIR else (f, p) for f, p in report_cache._LAYOUT_GLOBS]
    monkeypatch.setattr(report_cache, "_LAYOUT_GLOBS", tuple(globs))
    before = change_stamp(answered)
    edited = copy / "common.yaml"
    stat = edited.stat()
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert change_stamp(answered) != before
