"""The complete inspection archive: export, restore (all or nothing), and the same results."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import translation

from yjinspect.frameworks import fingerprint, parse_framework
from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem, Status
from yjinspect.web.inspections.models import (
    Answer,
    EvidenceItem,
    FrameworkVersion,
    Inspection,
    Membership,
    Recommendation,
    ReportText,
)
from yjinspect.web.inspections.services.archive import (
    FORMAT_VERSION,
    TRACKED,
    ArchiveError,
    _history_scopes,
    _Restorer,
    export_inspection,
    history_model,
    import_inspection,
)
from yjinspect.web.inspections.services.ratings import rate_inspection
from yjinspect.web.inspections.services.report import inspection_report
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator

from .test_report_outcomes import store_indicators

pytestmark = pytest.mark.django_db

# Keys added to the archive with the improvement plan and the outcome indicators.
LATER_LIVE = (
    "improvement_plans",
    "plan_items",
    "plan_actions",
    "indicator_runs",
    "indicator_results",
)
LATER_TRACKED = (
    "improvement_plan",
    "plan_item",
    "plan_action",
    "indicator_run",
    "stored_indicator",
)

# Fields that hold ids (which change on restore); every other value must come back as it was.
ID_FIELDS = {"history_id", "id"}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def demo(media: Path) -> Inspection:
    call_command("load_demo", stdout=io.StringIO())
    # The demo also builds an earlier-programme inspection: these tests need the current one
    # alone (they count inspections and restore into an empty installation).
    inspection = Inspection.objects.get(framework__framework_id="hmip-youth-2021")
    Inspection.objects.exclude(pk=inspection.pk).delete()
    lead = User.objects.get(username="demo-lead")
    item = EvidenceItem(
        inspection=inspection,
        standard_id="1.1",
        kind="document",
        title="Board plan",
        added_by=lead,
    )
    item.upload.save("plan.txt", ContentFile(b"the board plan"), save=False)
    item.upload_name, item.upload_size = "plan.txt", 14
    item._history_user = lead  # type: ignore[attr-defined]
    item.save()
    # A member removed: their membership's history outlives the row.
    gone = Membership.objects.get(inspection=inspection, user__username="demo-viewer")
    gone._history_user = lead  # type: ignore[attr-defined]
    gone.delete()
    _plan_and_indicators(inspection, lead)
    return inspection


def _plan_and_indicators(inspection: Inspection, lead: User) -> None:
    """An improvement plan with history (an edited item, a finished action, a removed one)
    and two indicator runs, the later one with a comparator as an exact decimal."""
    plan = ImprovementPlan(inspection=inspection, created_by=lead)
    plan.save()
    for order, rec in enumerate(Recommendation.objects.filter(inspection=inspection)[:2]):
        PlanItem(
            plan=plan,
            recommendation=rec,
            addressed_to=rec.addressed_to,
            text=rec.text_en,
            addressed_to_cy="Y bwrdd",
            text_cy="Testun Cymraeg",
            order=order,
            updated_by=lead,
        ).save()
    item = PlanItem.objects.filter(plan=plan).first()
    assert item is not None
    item.owner, item.status = "Head of service", Status.IN_PROGRESS
    item.save()
    kept = Action(
        item=item,
        description="Audit ten plans a month",
        owner="Team manager",
        due_date=inspection.fieldwork_start,
        updated_by=lead,
    )
    kept.save()
    kept.status, kept.completed_on, kept.progress_note = Status.DONE, kept.due_date, "Done"
    kept.save()
    dropped = Action(
        item=item, description="Dropped", owner="Board", due_date=kept.due_date, updated_by=lead
    )
    dropped.save()
    dropped.delete()
    store_indicators(inspection, lead, fte=20)
    later = store_indicators(inspection, lead, fte_national="180.25")
    later.at = later.at + dt.timedelta(minutes=5)
    later.save()


def _plan(inspection: Inspection) -> list[tuple[Any, ...]]:
    """The plan, its items and actions as stored, users by username, recommendations by text."""
    plans = ImprovementPlan.objects.filter(inspection=inspection)
    items = PlanItem.objects.filter(plan__inspection=inspection).order_by("order", "pk")
    actions = Action.objects.filter(item__plan__inspection=inspection).order_by("due_date", "pk")
    return [
        *plans.values_list("created_by__username", "created_at"),
        *items.values_list(
            "recommendation__text_en",
            "addressed_to",
            "text",
            "addressed_to_cy",
            "text_cy",
            "owner",
            "status",
            "order",
            "version",
            "updated_by__username",
            "updated_at",
        ),
        *actions.values_list(
            "item__text",
            "description",
            "owner",
            "due_date",
            "status",
            "progress_note",
            "completed_on",
            "version",
            "updated_by__username",
            "updated_at",
        ),
    ]


def _indicators(inspection: Inspection) -> list[tuple[Any, ...]]:
    """Every indicator run and result as stored, ids left out."""
    runs = IndicatorRun.objects.filter(inspection=inspection).order_by("at", "pk")
    run_fields = [
        f.name for f in IndicatorRun._meta.concrete_fields if f.name not in ("id", "inspection")
    ]
    result_fields = [
        f.name for f in StoredIndicator._meta.concrete_fields if f.name not in ("id", "run")
    ]
    out: list[tuple[Any, ...]] = []
    for run in runs:
        out.append(tuple(getattr(run, f) if f != "by" else run.by.username for f in run_fields))
        out.extend(run.results.order_by("position").values_list(*result_fields))
    return out


def _answers(inspection: Inspection) -> list[tuple[Any, ...]]:
    return sorted(
        Answer.objects.filter(assessment__case__inspection=inspection).values_list(
            "assessment__case__case_ref",
            "assessment__kind",
            "key_question",
            "value",
            "evidence",
            "updated_by__username",
            "updated_at",
        )
    )


def _history(inspection_pk: int, new: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every history row of the inspection per model, ids left out, users by username."""
    inspection = Inspection(pk=inspection_pk)
    scopes = _history_scopes(inspection)
    result = {}
    for key, model in TRACKED:
        hmodel = history_model(model)
        fields = [
            f
            for f in hmodel._meta.concrete_fields
            if f.name not in ID_FIELDS
            and not (f.is_relation and f.related_model is not User)
            and f.name != "upload"  # a stored file's name: storage may choose another
        ]
        rows = []
        names = dict(User.objects.values_list("pk", "username"))
        for h in hmodel._default_manager.filter(scopes[key]).order_by("history_id"):
            values = []
            for f in fields:
                value = getattr(h, f.attname)
                if f.is_relation:
                    value = names.get(value)
                values.append(value)
            rows.append(tuple(values))
        result[key] = rows
    return result


def _counts() -> dict[str, int]:
    counts = {
        "inspections": Inspection.objects.count(),
        "frameworks": FrameworkVersion.objects.count(),
        "users": User.objects.count(),
    }
    for key, model in TRACKED:
        counts[key] = history_model(model)._default_manager.count()
    return counts


def _words(inspection: Inspection) -> list[tuple[Any, ...]]:
    """The report's edited texts and recommendations, as stored, users by username."""
    texts = ReportText.objects.filter(inspection=inspection).order_by("key")
    recs = Recommendation.objects.filter(inspection=inspection).order_by("order", "pk")
    return [
        *texts.values_list(
            "key", "text_en", "text_cy", "version", "updated_by__username", "updated_at"
        ),
        *recs.values_list(
            "addressed_to",
            "addressed_to_cy",
            "text_en",
            "text_cy",
            "order",
            "version",
            "updated_by__username",
            "updated_at",
        ),
    ]


def _reports(inspection: Inspection) -> tuple[Any, Any]:
    with translation.override("en"):
        english = inspection_report(inspection)
    with translation.override("cy"):
        welsh = inspection_report(inspection)
    return english, welsh


def test_round_trip_keeps_everything(demo: Inspection, media: Path) -> None:
    rating = rate_inspection(demo).to_dict()
    answers = _answers(demo)
    words = _words(demo)
    assert len(words) > 15, "the demo should have report texts and recommendations"
    reports = _reports(demo)
    assert reports[0].foreword.blocks and reports[0].recommendations
    assert [s.key for s in reports[0].outcomes] == ["fte", "reoffending", "custody"]
    plan, indicators = _plan(demo), _indicators(demo)
    # indicators: the demo's own run (a run and 5 results) and this test's (8 rows)
    assert len(plan) == 4 and len(indicators) == 14
    history = _history(demo.pk)
    assert all(history[key] for key, _m in TRACKED), "the demo should have history everywhere"
    old_pk = demo.pk
    data = export_inspection(demo)

    Inspection.objects.all().delete()
    for _key, model in TRACKED:
        history_model(model)._default_manager.all().delete()
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()

    restored = import_inspection(data, people=same_people(data))
    assert restored.pk != old_pk
    assert restored.service_name == demo.service_name
    assert restored.state == demo.state
    assert restored.created_at == demo.created_at
    assert rate_inspection(restored).to_dict() == rating
    assert _answers(restored) == answers
    assert _words(restored) == words
    assert _plan(restored) == plan
    assert _indicators(restored) == indicators
    # The whole report, every word and figure of it, in both languages.
    assert _reports(restored) == reports
    again = _history(restored.pk)
    for key, _model in TRACKED:
        assert len(again[key]) == len(history[key]), key
        assert again[key] == history[key], key
    # The uploaded file is back, readable through the restored item.
    item = EvidenceItem.objects.get(inspection=restored, title="Board plan")
    with item.upload.open("rb") as handle:
        assert handle.read() == b"the board plan"
    # No placeholder users were needed: every username was known.
    assert not User.objects.filter(is_active=False).exists()


def test_history_points_at_the_restored_rows(demo: Inspection) -> None:
    data = export_inspection(demo)
    Inspection.objects.all().delete()
    restored = import_inspection(data, people=same_people(data))
    answer_history = history_model(Answer)._default_manager.filter(
        assessment__case__inspection=restored
    )
    live_answers = set(
        Answer.objects.filter(assessment__case__inspection=restored).values_list("pk", flat=True)
    )
    assert live_answers
    assert set(answer_history.values_list("id", flat=True)) == live_answers
    # The removed member's history keeps one id of its own, which no live row can take.
    memberships = history_model(Membership)._default_manager.filter(inspection=restored)
    ghost = memberships.filter(history_type="-")
    assert ghost.count() == 1
    ghost_id = ghost.get().id
    assert ghost_id < 0
    assert memberships.filter(id=ghost_id).count() >= 2  # created, then deleted
    # History rows keep their order: history_id rises with the original sequence.
    dates = list(memberships.order_by("history_id").values_list("history_date", flat=True))
    assert dates == sorted(dates)


def test_import_alongside_the_original(demo: Inspection) -> None:
    """Importing into the installation it came from gives a second, separate inspection."""
    data = export_inspection(demo)
    copy = import_inspection(data, people=same_people(data))
    assert Inspection.objects.count() == 2
    assert copy.framework_id == demo.framework_id  # the stored framework is reused
    assert rate_inspection(copy).to_dict() == rate_inspection(demo).to_dict()
    assert _history(copy.pk) == _history(demo.pk)


def test_placeholders_never_take_a_local_account_of_the_same_name(demo: Inspection) -> None:
    """With `placeholders`, every archived person gets an inactive placeholder of their own,
    keeping their team role, even where an account of the same username exists here."""
    data = export_inspection(demo)
    Inspection.objects.all().delete()
    restored = import_inspection(data, placeholders=True)
    local = User.objects.get(username="demo-inspector2")
    assert not Membership.objects.filter(inspection=restored, user=local).exists()
    placeholder = User.objects.get(username="archived:demo-inspector2")
    assert not placeholder.is_active
    assert not placeholder.has_usable_password()
    assert Membership.objects.get(inspection=restored, user=placeholder).role == "inspector"
    assert Answer.objects.filter(
        assessment__case__inspection=restored, updated_by=placeholder
    ).exists()
    # Nobody here gained access to the restored inspection.
    assert not Membership.objects.filter(inspection=restored, user__is_active=True).exists()


def _rewrite(data: bytes, change: Any) -> bytes:
    """The archive with inspection.json changed by `change(content)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    content = json.loads(source.read("inspection.json"))
    change(content)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            body = json.dumps(content).encode() if name == "inspection.json" else source.read(name)
            target.writestr(name, body)
    return out.getvalue()


def same_people(data: bytes) -> dict[str, str | None]:
    """Each person the archive names mapped to the local account of the same username."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = json.loads(package.read("inspection.json"))["users"]
    return {name: name for name in names}


def _refused(
    data: bytes, media: Path, *, match: str, people: dict[str, str | None] | None = None
) -> None:
    before = _counts()
    files_before = sorted(p for p in media.rglob("*") if p.is_file())
    with pytest.raises(ArchiveError, match=match):
        import_inspection(data, people=people or {}, placeholders=people is None)
    assert _counts() == before
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files_before


def test_damaged_zip_is_refused(demo: Inspection, media: Path) -> None:
    data = export_inspection(demo)
    _refused(data[: len(data) // 2], media, match="not a zip")
    _refused(b"not a zip at all", media, match="not a zip")


def test_unknown_format_version_is_refused(demo: Inspection, media: Path) -> None:
    data = export_inspection(demo)

    def bump(content: dict[str, Any]) -> None:
        content["format_version"] = FORMAT_VERSION + 1

    _refused(_rewrite(data, bump), media, match="format version 2")


def test_framework_not_matching_its_fingerprint_is_refused(demo: Inspection, media: Path) -> None:
    data = export_inspection(demo)

    def tamper(content: dict[str, Any]) -> None:
        content["framework"]["fingerprint"] = "0" * 64

    _refused(_rewrite(data, tamper), media, match="does not match its recorded fingerprint")


def test_conflicting_framework_is_refused(demo: Inspection, media: Path) -> None:
    """Same id and version as a stored framework, different content: never silently merged."""
    data = export_inspection(demo)

    def change(content: dict[str, Any]) -> None:
        source = content["framework"]["source"]
        changed = source.replace("\ntitle: ", "\ntitle: Changed ", 1)
        assert changed != source, "the framework YAML should have a top-level title"
        content["framework"]["source"] = changed
        content["framework"]["fingerprint"] = fingerprint(parse_framework(changed, "x"))

    _refused(_rewrite(data, change), media, match="already holds framework")


def test_late_error_writes_nothing(
    demo: Inspection, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after every row, placeholder and the first file were written (storing the
    files is the last step) rolls all of it back and removes the file."""
    data = export_inspection(demo)
    original = _Restorer.save_file

    def fail_after_writing(self: _Restorer, member: str, name: str) -> None:
        original(self, member, name)
        assert (media / name).is_file()
        raise OSError("the storage went away")

    monkeypatch.setattr(_Restorer, "save_file", fail_after_writing)
    before = _counts()
    files_before = sorted(p for p in media.rglob("*") if p.is_file())
    with pytest.raises(OSError, match="went away"):
        import_inspection(data, people={"demo-lead": "demo-lead"}, placeholders=True)
    assert _counts() == before
    assert sorted(p for p in media.rglob("*") if p.is_file()) == files_before
    assert not User.objects.filter(username__startswith="archived:").exists()


def test_management_commands(demo: Inspection, tmp_path: Path) -> None:
    target = tmp_path / "out.zip"
    call_command("export_inspection", str(demo.pk), "-o", str(target), stdout=io.StringIO())
    assert zipfile.is_zipfile(target)
    with pytest.raises(CommandError, match="exists already"):
        call_command("export_inspection", str(demo.pk), "-o", str(target), stdout=io.StringIO())
    out = io.StringIO()
    maps = [f"--map={name}={name}" for name in same_people(target.read_bytes())]
    call_command("import_inspection", str(target), *maps, stdout=out)
    assert "Imported" in out.getvalue()
    assert Inspection.objects.count() == 2
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"rubbish")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_inspection", str(bad), stdout=io.StringIO())
    assert Inspection.objects.count() == 2


def test_upload_names_in_the_file_are_not_trusted(demo: Inspection, media: Path) -> None:
    data = export_inspection(demo)

    def escape(content: dict[str, Any]) -> None:
        item = next(e for e in content["evidence"] if e["upload"])
        for row in [item, *content["history"]["evidence"]]:
            if row["upload"] == item["upload"] and row is not item:
                row["upload"] = "../../outside.txt"
        item["upload"] = "../../outside.txt"

    Inspection.objects.all().delete()
    restored = import_inspection(_rewrite(data, escape), people=same_people(data))
    item = EvidenceItem.objects.get(inspection=restored, title="Board plan")
    assert item.upload.name.startswith("evidence/")
    assert item.upload.name.endswith(".txt")
    assert not (media.parent / "outside.txt").exists()
    assert Path(item.upload.path).resolve().is_relative_to(media.resolve())
    # The item's history names the restored file, not the archived name.
    names = set(
        history_model(EvidenceItem)
        ._default_manager.filter(id=item.pk)
        .exclude(upload="")
        .values_list("upload", flat=True)
    )
    assert names <= {item.upload.name}


def test_two_people_mapped_onto_one_account_is_refused(demo: Inspection, media: Path) -> None:
    data = export_inspection(demo)
    people = same_people(data)
    people["demo-inspector"] = "demo-lead"
    _refused(
        data,
        media,
        match=r"demo-lead: is given the same account \(demo-lead\) as demo-inspector",
        people=people,
    )


def test_archive_from_before_report_texts_restores_without_them(
    demo: Inspection, media: Path
) -> None:
    """Archives written before texts and recommendations existed lack those keys: not an error.
    (Such archives predate the improvement plan and the indicators too.)"""

    def drop(content: dict[str, Any]) -> None:
        for key in ("report_texts", "recommendations", *LATER_LIVE):
            del content[key]
        for key in ("report_text", "recommendation", *LATER_TRACKED):
            del content["history"][key]

    data = _rewrite(export_inspection(demo), drop)
    Inspection.objects.all().delete()
    restored = import_inspection(data, people=same_people(data))
    assert not ReportText.objects.filter(inspection=restored).exists()
    assert not Recommendation.objects.filter(inspection=restored).exists()
    assert rate_inspection(restored).overall_rating is not None


def test_archive_from_before_plans_and_indicators_restores_without_them(
    demo: Inspection, media: Path
) -> None:
    """Archives written before the plan and the indicators were carried lack those keys."""

    def drop(content: dict[str, Any]) -> None:
        for key in LATER_LIVE:
            del content[key]
        for key in LATER_TRACKED:
            del content["history"][key]

    data = _rewrite(export_inspection(demo), drop)
    Inspection.objects.all().delete()
    restored = import_inspection(data, people=same_people(data))
    assert _plan(restored) == [] and _indicators(restored) == []
    assert inspection_report(restored).outcomes == ()
    assert _words(restored) and rate_inspection(restored).overall_rating is not None
