"""Improvement plans: made from the recommendations (once, then only new ones), overdue actions,
version conflicts, history, the board exports' contents and who may do what."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

import yjinspect.web
from yjinspect.reports.pdf import render_document
from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem, Status
from yjinspect.web.improvement.services.exports import board_html
from yjinspect.web.improvement.services.plans import create_plan
from yjinspect.web.inspections.models import Case, Inspection, Recommendation, State

from .conftest import framework_version

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overdue depends on today: pin it so the tests mean the same every day."""
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def published(inspection: Inspection, users: dict[str, AbstractUser]) -> Inspection:
    inspection.state = State.PUBLISHED
    inspection.save()
    for n, (body, text) in enumerate(
        [
            ("The YJS management board", "Make sure plans address risk of harm to others."),
            ("The head of service", "Check the quality of out-of-court assessments."),
        ]
    ):
        Recommendation.objects.create(
            inspection=inspection,
            addressed_to=body,
            text_en=text,
            order=n,
            updated_by=users["lead"],
        )
    return inspection


def _url(name: str, inspection: Inspection, **kwargs: int) -> str:
    return reverse(f"improvement:{name}", kwargs={"pk": inspection.pk, **kwargs})


def _start(client: Client, inspection: Inspection) -> Any:
    return client.post(_url("plan_create", inspection))


def _action(item: PlanItem, user: AbstractUser, **fields: Any) -> Action:
    values: dict[str, Any] = {
        "description": "Audit ten plans a month",
        "owner": "Head of service",
        "due_date": TODAY + dt.timedelta(days=30),
        "status": Status.IN_PROGRESS,
        **fields,
    }
    action = Action(item=item, updated_by=user, **values)
    action.save()
    return action


def _action_post(action: Action | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "description": "Audit ten plans a month",
        "owner": "Head of service",
        "due_date": "2025-07-01",
        "status": "in_progress",
        "progress_note": "",
        "completed_on": "",
        "version": action.version if action else 0,
    }
    data.update(fields)
    return data


# ---------------------------------------------------------------- creation


def test_plan_is_made_from_the_recommendations(
    published: Inspection, client_as: Callable[[str], Client]
) -> None:
    response = _start(client_as("lead"), published)
    assert response.status_code == 302
    plan = ImprovementPlan.objects.get(inspection=published)
    items = list(plan.items.order_by("order"))
    assert [(i.addressed_to, i.text, i.status) for i in items] == [
        (
            "The YJS management board",
            "Make sure plans address risk of harm to others.",
            "not_started",
        ),
        ("The head of service", "Check the quality of out-of-court assessments.", "not_started"),
    ]
    page = client_as("viewer").get(_url("plan", published)).content.decode()
    assert "Check the quality of out-of-court assessments." in page


def test_second_start_adds_only_new_recommendations(
    published: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    lead = client_as("lead")
    _start(lead, published)
    item = PlanItem.objects.filter(plan__inspection=published).first()
    assert item is not None
    item.owner = "Board chair"
    item.save()
    _start(lead, published)
    assert PlanItem.objects.filter(plan__inspection=published).count() == 2
    Recommendation.objects.create(
        inspection=published,
        addressed_to="The local authority",
        text_en="Provide enough education places.",
        order=5,
        updated_by=users["lead"],
    )
    _start(lead, published)
    items = PlanItem.objects.filter(plan__inspection=published).order_by("order")
    assert [i.addressed_to for i in items] == [
        "The YJS management board",
        "The head of service",
        "The local authority",
    ]
    item.refresh_from_db()
    assert item.owner == "Board chair"  # existing items are left as the service made them
    assert ImprovementPlan.objects.filter(inspection=published).count() == 1


def test_plan_items_copy_the_welsh_words_too(
    published: Inspection, users: dict[str, AbstractUser]
) -> None:
    """A service in Wales reports to its board in both languages: the Welsh body and text are
    copied with the English, and a recommendation without Welsh gives blank Welsh words."""
    welsh = Recommendation.objects.get(inspection=published, order=0)
    welsh.addressed_to_cy = "Bwrdd rheoli'r GCI"
    welsh.text_cy = "Sicrhau bod cynlluniau'n ymdrin â'r risg o niwed i eraill."
    welsh.save()
    plan = create_plan(published, users["lead"]).plan  # type: ignore[arg-type]
    items = list(plan.items.order_by("order"))
    assert [(i.addressed_to_cy, i.text_cy) for i in items] == [
        ("Bwrdd rheoli'r GCI", "Sicrhau bod cynlluniau'n ymdrin â'r risg o niwed i eraill."),
        ("", ""),
    ]
    assert items[0].history.earliest().text_cy == welsh.text_cy  # in the 'created' history row


def test_welsh_pages_and_board_export_show_the_welsh_words(
    published: Inspection, users: dict[str, AbstractUser], client_as: Any
) -> None:
    """On Welsh pages and in a Welsh board export the copied Welsh is shown; an item without
    Welsh falls back to its English, and English pages keep the English."""
    welsh = Recommendation.objects.get(inspection=published, order=0)
    welsh.addressed_to_cy = "Bwrdd rheoli'r GCI"
    welsh.text_cy = "Sicrhau bod cynlluniau'n ymdrin â'r risg o niwed i eraill."
    welsh.save()
    create_plan(published, users["lead"])  # type: ignore[arg-type]
    english_only = Recommendation.objects.get(inspection=published, order=1).text_en
    client = client_as("lead")
    cy = client.get(_url("plan", published) + "?lang=cy").content.decode()
    assert "Bwrdd rheoli&#x27;r GCI" in cy and "Sicrhau bod cynlluniau" in cy
    assert escape(english_only) in cy
    workbook = load_workbook(io.BytesIO(client.get(_url("plan_xlsx", published)).content))
    cells = {str(c.value) for row in workbook.active.iter_rows() for c in row}
    assert welsh.text_cy in cells and english_only in cells
    en = client.get(_url("plan", published) + "?lang=en").content.decode()
    assert "Sicrhau bod cynlluniau" not in en and escape(welsh.text_en) in en


def test_plan_waits_for_the_factual_accuracy_check(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    inspection.state = State.DRAFTING
    inspection.save()
    response = _start(client_as("lead"), inspection)
    assert response.status_code == 409
    assert not ImprovementPlan.objects.filter(inspection=inspection).exists()
    inspection.state = State.FACTUAL_ACCURACY
    inspection.save()
    assert _start(client_as("lead"), inspection).status_code == 302
    assert ImprovementPlan.objects.filter(inspection=inspection).exists()


# ---------------------------------------------------------------- access


def test_who_may_start_and_edit(
    published: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    assert _start(client_as("viewer"), published).status_code == 403
    assert _start(client_as("inspector"), published).status_code == 403
    assert not ImprovementPlan.objects.exists()
    _start(client_as("lead"), published)
    item = PlanItem.objects.filter(plan__inspection=published).first()
    assert item is not None
    add = _url("action_add", published, plan_item_pk=item.pk)
    assert client_as("inspector").post(add, _action_post()).status_code == 403
    assert client_as("stranger").post(add, _action_post()).status_code == 404
    assert not Action.objects.exists()
    # The service runs its plan although the inspection is published (read-only).
    assert client_as("viewer").post(add, _action_post()).status_code == 302
    assert Action.objects.get().updated_by == users["viewer"]


# ---------------------------------------------------------------- actions and overdue


def test_overdue_actions_stand_out_and_filter(
    published: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    _start(client_as("lead"), published)
    first, second = PlanItem.objects.filter(plan__inspection=published).order_by("order")
    _action(first, users["lead"], description="Late work", due_date=TODAY - dt.timedelta(days=1))
    _action(
        second,
        users["lead"],
        description="Finished late",
        due_date=TODAY - dt.timedelta(days=10),
        status=Status.DONE,
        completed_on=TODAY - dt.timedelta(days=2),
    )
    _action(second, users["lead"], description="Due today", due_date=TODAY)
    viewer = client_as("viewer")
    page = viewer.get(_url("plan", published)).content.decode()
    assert page.count("govuk-tag--red") == 2  # item heading and the late action only
    assert "1 action is overdue." in page
    filtered = viewer.get(_url("plan", published) + "?show=overdue").content.decode()
    assert "Late work" in filtered and "Finished late" not in filtered
    done = viewer.get(_url("plan", published) + "?show=done").content.decode()
    assert "No items match this filter." in done
    board = viewer.get(_url("dashboard", published)).content.decode()
    overdue_table = board.split('id="overdue-actions"')[1].split("</table>")[0]
    assert "Late work" in overdue_table and "Due today" not in overdue_table


@pytest.fixture
def with_case(published: Inspection) -> Inspection:
    Case.objects.create(
        inspection=published,
        case_ref="C001",
        domain="court",
        disposal_type="Referral order",
        start_date=dt.date(2023, 6, 1),
        case_manager="CM1",
        risk_of_harm="medium",
        safety_wellbeing="low",
    )
    return published


def test_done_action_gets_a_completed_date_and_bad_input_saves_nothing(
    with_case: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    _start(client_as("lead"), with_case)
    item = PlanItem.objects.filter(plan__inspection=with_case).first()
    assert item is not None
    action = _action(item, users["lead"])
    url = _url("action", with_case, action_pk=action.pk)
    viewer = client_as("viewer")
    bad = viewer.post(url, _action_post(action, completed_on="2025-05-30"))
    assert bad.status_code == 200
    assert "Only a done action has a completed date" in bad.content.decode()
    refused = viewer.post(url, _action_post(action, progress_note="Discussed C001 at panel"))
    assert "Remove the case reference C001" in refused.content.decode()
    action.refresh_from_db()
    assert action.version == 1 and action.progress_note == ""
    ok = viewer.post(url, _action_post(action, status="done", progress_note="Audit shows 9/10"))
    assert ok.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.version) == ("done", TODAY, 2)


def test_case_reference_in_a_description_is_refused(
    with_case: Inspection, client_as: Callable[[str], Client]
) -> None:
    _start(client_as("lead"), with_case)
    item = PlanItem.objects.filter(plan__inspection=with_case).first()
    assert item is not None
    response = client_as("lead").post(
        _url("action_add", with_case, plan_item_pk=item.pk),
        _action_post(description="Review (C001) again"),
    )
    assert response.status_code == 200
    assert "Remove the case reference C001" in response.content.decode()
    assert not Action.objects.exists()


# ---------------------------------------------------------------- conflicts and history


def test_stale_action_save_shows_both_versions(
    published: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    _start(client_as("lead"), published)
    item = PlanItem.objects.filter(plan__inspection=published).first()
    assert item is not None
    action = _action(item, users["lead"])
    url = _url("action", published, action_pk=action.pk)
    loaded = action.version
    first = client_as("viewer").post(url, _action_post(action, progress_note="Theirs"))
    assert first.status_code == 302
    stale = client_as("lead").post(
        url, {**_action_post(action, progress_note="Mine"), "version": loaded}
    )
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Mine" in body and "Theirs" in body and "viewer saved a different version" in body
    action.refresh_from_db()
    assert (action.progress_note, action.version) == ("Theirs", 2)
    # The conflict page's form carries the new version: saving it knowingly works.
    again = client_as("lead").post(url, _action_post(action, progress_note="Mine"))
    assert again.status_code == 302
    action.refresh_from_db()
    assert action.progress_note == "Mine"


def test_stale_item_save_is_refused(
    published: Inspection, client_as: Callable[[str], Client]
) -> None:
    _start(client_as("lead"), published)
    item = PlanItem.objects.filter(plan__inspection=published).first()
    assert item is not None
    url = _url("plan_item", published, plan_item_pk=item.pk)
    ok = client_as("viewer").post(url, {"owner": "Board", "status": "in_progress", "version": 1})
    assert ok.status_code == 302
    stale = client_as("lead").post(url, {"owner": "Someone else", "status": "done", "version": 1})
    assert stale.status_code == 409
    assert "Someone else" in stale.content.decode()
    item.refresh_from_db()
    assert (item.owner, item.status, item.version) == ("Board", "in_progress", 2)


def test_history_says_who_changed_what(
    published: Inspection, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    _start(client_as("lead"), published)
    item = PlanItem.objects.filter(plan__inspection=published).order_by("order").first()
    assert item is not None
    action = _action(item, users["lead"], description="Train case managers")
    client_as("viewer").post(
        _url("action", published, action_pk=action.pk), _action_post(action, status="done")
    )
    page = client_as("inspector").get(_url("plan_history", published)).content.decode()
    rows = page.split('id="plan-history"')[1].split("<tbody")[1].split("</tr>")
    newest = rows[0]
    assert "viewer" in newest and "Action &#x27;Audit ten plans a month&#x27; on item 1" in newest
    assert "In progress → Done" in newest and "Completed on" in newest
    assert "The plan created" in page and "Item 2 created" in page


# ---------------------------------------------------------------- exports


@pytest.fixture
def board_plan(with_case: Inspection, users: dict[str, AbstractUser]) -> ImprovementPlan:
    """A plan whose words include a formula and a case reference copied from a recommendation."""
    Recommendation.objects.create(
        inspection=with_case,
        addressed_to="The YJS board",
        text_en="Learn from case C001 and others.",
        order=9,
        updated_by=users["lead"],
    )
    plan = create_plan(with_case, users["lead"]).plan  # type: ignore[arg-type]
    first = plan.items.order_by("order").first()
    assert first is not None
    first.owner = "Head of service"
    first.save()
    _action(
        first, users["lead"], description='=HYPERLINK("x")', due_date=TODAY - dt.timedelta(days=3)
    )
    _action(
        first,
        users["lead"],
        description="Refresh the risk training",
        owner="Learning team",
        status=Status.DONE,
        completed_on=TODAY,
    )
    return plan


def test_board_xlsx_has_every_action_and_no_case_reference(
    board_plan: ImprovementPlan, client_as: Callable[[str], Client]
) -> None:
    response = client_as("viewer").get(_url("plan_xlsx", board_plan.inspection))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:5] == ["Item", "Addressed to", "Recommendation", "Item owner", "Item status"]
    by_action = {r[header.index("Action")]: r for r in rows[1:]}
    late = by_action['\'=HYPERLINK("x")']  # neutralised: read as text, never run
    assert late[header.index("Overdue")] == "Yes"
    # Real dates, so the board can sort and filter them (openpyxl reads them as datetimes).
    due = late[header.index("Due date")]
    assert isinstance(due, dt.datetime) and due.date() == TODAY - dt.timedelta(days=3)
    due_cell = next(c for c in sheet.iter_rows(min_row=2) if c[5].value == late[5])[7]
    assert due_cell.number_format == "dd/mm/yyyy"
    assert late[header.index("Item owner")] == "Head of service"
    done = by_action["Refresh the risk training"]
    assert (done[header.index("Action status")], done[header.index("Overdue")]) == ("Done", "No")
    assert done[header.index("Completed on")] == dt.datetime.combine(TODAY, dt.time())
    assert done[header.index("Action owner")] == "Learning team"
    assert len(rows) == 1 + 2 + 2  # two actions on item 1, items 2 and 3 without actions
    everything = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "C001" not in everything and "[case reference removed]" in everything


def _pdf_text(html: str) -> str:
    def boxes(box: Any) -> Iterator[Any]:
        yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    document = render_document(html, Path(yjinspect.web.__file__).parent / "static")
    return " ".join(
        b.text for page in document.pages for b in boxes(page._page_box) if hasattr(b, "text")
    )


def test_board_pdf_has_every_action_and_no_case_reference(
    board_plan: ImprovementPlan, client_as: Callable[[str], Client]
) -> None:
    response = client_as("viewer").get(_url("plan_pdf", board_plan.inspection))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(board_html(board_plan, TODAY))
    for expected in (
        "Refresh the risk training",
        "Learning team",
        "Head of service",
        (TODAY - dt.timedelta(days=3)).isoformat(),
        "Overdue",
        "Done",
        "Item 3",
    ):
        assert expected in text, expected
    assert "C001" not in text and "[case reference removed]" in text


# ---------------------------------------------------------------- dashboard


def test_dashboard_counts_ratings_and_indicators(
    board_plan: ImprovementPlan, client_as: Callable[[str], Client]
) -> None:
    inspection = board_plan.inspection
    page = client_as("lead").get(_url("dashboard", inspection)).content.decode()
    progress = page.split('id="plan-progress"')[1].split("</table>")[0]
    assert "3 items, 2 actions" in progress
    cells = [c.split(">")[-1] for c in progress.split("</td>")]
    # (items, actions) per status: not started, in progress, done, blocked
    assert cells[:8] == ["3", "0", "0", "1", "0", "1", "0", "0"]
    assert 'id="ratings-summary"' in page and "Governance and leadership" in page
    assert "Outcome indicators" in page
    # A service viewer sees the ratings only once they are released to the service.
    viewer = client_as("viewer").get(_url("dashboard", inspection)).content.decode()
    assert 'id="ratings-summary"' not in viewer and 'id="plan-progress"' in viewer
    inspection.released_to_service = True
    inspection.save()
    released = client_as("viewer").get(_url("dashboard", inspection)).content.decode()
    assert 'id="ratings-summary"' in released


def test_dashboard_leaves_ratings_out_for_an_earlier_programme(
    inspection: Inspection, client_as: Callable[[str], Client]
) -> None:
    """SQS results are areas, not standards: no standards summary is invented for them."""
    inspection.framework = framework_version("hmip-sqs")
    inspection.save()
    response = client_as("lead").get(_url("dashboard", inspection))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="ratings-summary"' not in page
    assert "There is no improvement plan yet." in page
