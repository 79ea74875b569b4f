"""A complete inspection as one zip file, and its restore into another installation.

The zip holds `inspection.json` and the uploaded evidence files under `uploads/`. The JSON
carries a format version, the framework file exactly as stored (with its fingerprint), every
row of the inspection (team, state changes, case-list imports, cases, sample draws,
replacements, assessments, answers, judgements, discretion, evidence, the report's edited texts
and recommendations, the improvement plan with its items and actions, and the stored outcome
indicator runs with their results) and every history row of the tracked models, with its date,
its user (by username) and its values. Archives written before the plan and the indicators
were carried simply have none of them, and restore as before.

Restoring happens in one transaction: any problem and nothing is written (uploaded files
already copied into storage are removed again). Rows get new ids; every reference, in the
live rows and in the history, is mapped from the old id to the new one. History of rows that
no longer exist (a removed team member, say) keeps pointing at one id per old row, a negative
id that no live row can ever take. People are matched by username; a username the installation
does not know becomes an inactive placeholder account with an unusable password, so nobody
can sign in as it until an administrator decides otherwise.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from yjinspect.frameworks import fingerprint, parse_framework
from yjinspect.frameworks.loader import FrameworkVersionConflict
from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator

from ..models import (
    Answer,
    Assessment,
    Case,
    CaseListImport,
    Discretion,
    EvidenceItem,
    FrameworkVersion,
    Inspection,
    Judgement,
    Membership,
    Recommendation,
    Replacement,
    ReportText,
    SampleDraw,
    StateTransition,
)

FORMAT = "yjinspect-inspection"
FORMAT_VERSION = 1
JSON_NAME = "inspection.json"
UPLOADS = "uploads"


class ArchiveError(ValueError):
    """The file cannot be restored; the message says why."""


# The inspection's rows, in the order they must be created (references point backwards).
# key -> (model, how to select this inspection's rows)
LIVE: tuple[tuple[str, type[models.Model], Callable[[Inspection], models.Q]], ...] = (
    ("inspection", Inspection, lambda i: models.Q(pk=i.pk)),
    ("memberships", Membership, lambda i: models.Q(inspection=i)),
    ("transitions", StateTransition, lambda i: models.Q(inspection=i)),
    ("imports", CaseListImport, lambda i: models.Q(inspection=i)),
    ("cases", Case, lambda i: models.Q(inspection=i)),
    ("draws", SampleDraw, lambda i: models.Q(inspection=i)),
    ("replacements", Replacement, lambda i: models.Q(inspection=i)),
    ("assessments", Assessment, lambda i: models.Q(case__inspection=i)),
    ("answers", Answer, lambda i: models.Q(assessment__case__inspection=i)),
    ("judgements", Judgement, lambda i: models.Q(inspection=i)),
    ("discretions", Discretion, lambda i: models.Q(inspection=i)),
    ("evidence", EvidenceItem, lambda i: models.Q(inspection=i)),
    ("report_texts", ReportText, lambda i: models.Q(inspection=i)),
    ("recommendations", Recommendation, lambda i: models.Q(inspection=i)),
    ("improvement_plans", ImprovementPlan, lambda i: models.Q(inspection=i)),
    ("plan_items", PlanItem, lambda i: models.Q(plan__inspection=i)),
    ("plan_actions", Action, lambda i: models.Q(item__plan__inspection=i)),
    ("indicator_runs", IndicatorRun, lambda i: models.Q(inspection=i)),
    ("indicator_results", StoredIndicator, lambda i: models.Q(run__inspection=i)),
)
# Added after the first archives were written: an archive without them has none (not an error).
OPTIONAL = frozenset(
    {
        "report_texts",
        "recommendations",
        "improvement_plans",
        "plan_items",
        "plan_actions",
        "indicator_runs",
        "indicator_results",
    }
)
# Fields added after the first archives were written: a row without one takes its default.
LATER_FIELDS: Mapping[str, frozenset[str]] = {"Inspection": frozenset({"optional_areas"})}
# Models with simple-history tables, parents before children.
TRACKED: tuple[tuple[str, type[models.Model]], ...] = (
    ("inspection", Inspection),
    ("membership", Membership),
    ("case", Case),
    ("assessment", Assessment),
    ("answer", Answer),
    ("judgement", Judgement),
    ("discretion", Discretion),
    ("evidence", EvidenceItem),
    ("report_text", ReportText),
    ("recommendation", Recommendation),
    ("improvement_plan", ImprovementPlan),
    ("plan_item", PlanItem),
    ("plan_action", Action),
    ("indicator_run", IndicatorRun),
    ("stored_indicator", StoredIndicator),
)


def history_model(model: type[models.Model]) -> type[models.Model]:
    found: type[models.Model] = model.history.model  # type: ignore[attr-defined]
    return found


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.Field)]


# ---------------------------------------------------------------- export


class _Users:
    """Usernames by id, looked up once each; ids of deleted users come back as None."""

    def __init__(self) -> None:
        self.names: dict[int, str | None] = {}

    def __call__(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.names:
            self.names[user_id] = (
                get_user_model().objects.filter(pk=user_id).values_list("username", flat=True)
            ).first()
        return self.names[user_id]

    def used(self) -> list[str]:
        return sorted({n for n in self.names.values() if n})


def _dump(
    obj: models.Model, fields: Iterable[models.Field[Any, Any]], users: _Users
) -> dict[str, Any]:
    user_model = get_user_model()
    row: dict[str, Any] = {}
    for f in fields:
        value = getattr(obj, f.attname)
        if f.is_relation:
            if f.related_model is user_model:
                value = users(value)
        elif isinstance(f, models.FileField):
            value = getattr(value, "name", value) or ""
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = str(value)  # exact: a float would change the stored figure
        row[f.name] = value
    return row


def _history_scopes(inspection: Inspection) -> dict[str, models.Q]:
    """Which history rows belong to the inspection, deleted rows' history included."""
    pk = inspection.pk
    case_ids = set(Case.objects.filter(inspection=inspection).values_list("pk", flat=True))
    case_ids |= set(
        history_model(Case).objects.filter(inspection_id=pk).values_list("id", flat=True)  # type: ignore[attr-defined]
    )
    assessment_ids = set(
        history_model(Assessment)
        .objects.filter(case_id__in=case_ids)  # type: ignore[attr-defined]
        .values_list("id", flat=True)
    )
    assessment_ids |= set(
        Assessment.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)
    )
    plan_ids = _ids(ImprovementPlan, models.Q(inspection_id=pk))
    item_ids = _ids(PlanItem, models.Q(plan_id__in=plan_ids))
    run_ids = _ids(IndicatorRun, models.Q(inspection_id=pk))
    return {
        "inspection": models.Q(id=pk),
        "membership": models.Q(inspection_id=pk),
        "case": models.Q(id__in=case_ids),
        "assessment": models.Q(id__in=assessment_ids),
        "answer": models.Q(assessment_id__in=assessment_ids),
        "judgement": models.Q(inspection_id=pk),
        "discretion": models.Q(inspection_id=pk),
        "evidence": models.Q(inspection_id=pk),
        "report_text": models.Q(inspection_id=pk),
        "recommendation": models.Q(inspection_id=pk),
        "improvement_plan": models.Q(inspection_id=pk),
        "plan_item": models.Q(plan_id__in=plan_ids),
        "plan_action": models.Q(item_id__in=item_ids),
        "indicator_run": models.Q(inspection_id=pk),
        "stored_indicator": models.Q(run_id__in=run_ids),
    }


def _ids(model: type[models.Model], scope: models.Q) -> set[int]:
    """Ids of the rows in scope, live or only in history (deleted since)."""
    live = set(model._default_manager.filter(scope).values_list("pk", flat=True))
    gone = set(history_model(model)._default_manager.filter(scope).values_list("id", flat=True))
    return live | gone


def export_inspection(inspection: Inspection) -> bytes:
    """The whole inspection as a zip: `inspection.json` and the files under `uploads/`."""
    users = _Users()
    fv = inspection.framework
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "framework": {
            "framework_id": fv.framework_id,
            "version": fv.version,
            "title": fv.title,
            "fingerprint": fv.fingerprint,
            "source": fv.source,
        },
    }
    files: dict[str, bytes] = {}
    for key, model, scope in LIVE:
        rows = []
        for obj in model._default_manager.filter(scope(inspection)).order_by("pk"):
            row = _dump(obj, _fields(model), users)
            if isinstance(obj, EvidenceItem) and obj.upload:
                member = f"{UPLOADS}/{obj.pk}/{PurePosixPath(obj.upload.name or '').name}"
                with obj.upload.open("rb") as handle:
                    files[member] = handle.read()
                row["archive_file"] = member
            rows.append(row)
        data[key] = rows
    history: dict[str, list[dict[str, Any]]] = {}
    scopes = _history_scopes(inspection)
    for key, model in TRACKED:
        hmodel = history_model(model)
        fields = _fields(hmodel)
        history[key] = [
            _dump(h, fields, users)
            for h in hmodel._default_manager.filter(scopes[key]).order_by("history_id")
        ]
    data["history"] = history
    data["users"] = users.used()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=1))
        for member, content in files.items():
            archive.writestr(member, content)
    return out.getvalue()


# ---------------------------------------------------------------- import


def _read(data: bytes) -> tuple[dict[str, Any], zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        raw = archive.read(JSON_NAME)
    except zipfile.BadZipFile:
        raise ArchiveError("The file is not a zip archive (or it is damaged)") from None
    except KeyError:
        raise ArchiveError(f"The archive holds no {JSON_NAME}") from None
    try:
        content = json.loads(raw)
    except ValueError as exc:
        raise ArchiveError(f"{JSON_NAME} is not valid JSON: {exc}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ArchiveError("The archive is not an exported inspection")
    version = content.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(
            f"Unknown archive format version {version!r}: this installation reads version "
            f"{FORMAT_VERSION}"
        )
    for key in OPTIONAL:
        content.setdefault(key, [])
    missing = [k for k, _m, _s in LIVE if not isinstance(content.get(k), list)]
    if missing or len(content["inspection"]) != 1:
        raise ArchiveError(f"The archive is incomplete: {', '.join(missing) or 'inspection'}")
    return content, archive


def _framework(content: Mapping[str, Any]) -> FrameworkVersion:
    meta = content.get("framework") or {}
    source = meta.get("source")
    if not isinstance(source, str):
        raise ArchiveError("The archive holds no framework")
    ref = f"{meta.get('framework_id')}@{meta.get('version')}"
    try:
        digest = fingerprint(parse_framework(source, f"archived framework {ref}"))
    except Exception as exc:  # a malformed framework: say which, refuse
        raise ArchiveError(f"The archived framework {ref} cannot be read: {exc}") from None
    if digest != meta.get("fingerprint"):
        raise ArchiveError(
            f"The archived framework {ref} does not match its recorded fingerprint "
            f"({meta.get('fingerprint')!r} recorded, {digest!r} computed): the file is damaged"
        )
    try:
        return FrameworkVersion.store(source, f"archived framework {ref}")
    except FrameworkVersionConflict as exc:
        raise ArchiveError(
            f"This installation already holds framework {ref} with different content: {exc}"
        ) from None


class _Restorer:
    def __init__(self, archive: zipfile.ZipFile, users: Mapping[str, Any], fv: FrameworkVersion):
        self.archive = archive
        self.users = users
        self.fv = fv
        self.maps: dict[str, dict[int, int]] = {}
        self.ghosts: dict[str, dict[int, int]] = {}
        self.ghost_next: dict[str, int] = {}
        self.files: dict[str, str] = {}  # old storage name -> new
        self.saved: list[str] = []

    def user(self, username: str | None) -> Any:
        if username is None:
            return None
        try:
            return self.users[username]
        except KeyError:
            raise ArchiveError(f"Unknown user {username!r} referenced") from None

    def ref(self, model: type[models.Model], old: int | None, *, ghost: bool) -> int | None:
        if old is None:
            return None
        label = _label(model)
        found = self.maps.get(label, {}).get(old)
        if found is not None:
            return found
        if not ghost:
            raise ArchiveError(f"A row refers to {model._meta.verbose_name} {old}, not in the file")
        ghosts = self.ghosts.setdefault(label, {})
        if old not in ghosts:
            if label not in self.ghost_next:
                lowest = (
                    history_model(model)
                    .objects.aggregate(m=models.Min("id"))  # type: ignore[attr-defined]
                    .get("m")
                )
                self.ghost_next[label] = min(0, lowest or 0) - 1
            ghosts[old] = self.ghost_next[label]
            self.ghost_next[label] -= 1
        return ghosts[old]

    def value(self, f: models.Field[Any, Any], value: Any, *, ghost: bool) -> Any:
        user_model = get_user_model()
        if f.is_relation:
            related = f.related_model
            if related is user_model:
                u = self.user(value)
                return u.pk if u is not None else None
            if related is FrameworkVersion:
                return self.fv.pk
            assert isinstance(related, type)
            return self.ref(related, value, ghost=ghost)
        if value is None:
            return None
        if isinstance(f, models.DateTimeField):
            parsed = parse_datetime(value)
            if parsed is None:
                raise ArchiveError(f"{f.model.__name__}.{f.name}: {value!r} is not a date-time")
            return parsed
        if isinstance(f, models.DateField):
            parsed_date = parse_date(value)
            if parsed_date is None:
                raise ArchiveError(f"{f.model.__name__}.{f.name}: {value!r} is not a date")
            return parsed_date
        return value

    def build(
        self,
        model: type[models.Model],
        row: Mapping[str, Any],
        *,
        history_of: type[models.Model] | None = None,
    ) -> models.Model:
        """An unsaved row; `history_of` is the tracked model when `model` is its history."""
        history = history_of is not None
        # History tables keep a file field's name as plain text: map those names too.
        file_fields = {
            f.name for f in _fields(history_of or model) if isinstance(f, models.FileField)
        }
        kwargs: dict[str, Any] = {}
        for f in _fields(model):
            if f.primary_key:
                continue
            if f.name not in row:
                if f.name in LATER_FIELDS.get((history_of or model).__name__, ()):
                    continue
                raise ArchiveError(f"{model.__name__} row without {f.name!r}")
            if history_of is not None and f.name == "id":
                kwargs["id"] = self.ref(history_of, row["id"], ghost=True)
                continue
            if f.name in file_fields and row[f.name]:
                kwargs[f.attname] = self.files.get(row[f.name], row[f.name])
                continue
            kwargs[f.attname] = self.value(f, row[f.name], ghost=history)
        return model(**kwargs)

    def save_upload(self, row: Mapping[str, Any]) -> None:
        member = row.get("archive_file")
        old_name = row.get("upload") or ""
        if not member:
            return
        try:
            content = self.archive.read(member)
        except KeyError:
            raise ArchiveError(f"The archive lacks the uploaded file {member}") from None
        # A fresh name under the field's own folder: names in the file are never trusted as paths.
        field = EvidenceItem._meta.get_field("upload")
        assert isinstance(field, models.FileField)
        base = PurePosixPath(str(old_name or member)).name or "evidence"
        new_name = default_storage.save(
            field.generate_filename(EvidenceItem(), base), ContentFile(content)
        )
        self.saved.append(new_name)
        self.files[old_name] = new_name

    def create(self, model: type[models.Model], rows: list[dict[str, Any]]) -> list[models.Model]:
        objs = [self.build(model, row) for row in rows]
        created = model._default_manager.bulk_create(objs, batch_size=500)
        self.maps[_label(model)] = {
            row["id"]: obj.pk for row, obj in zip(rows, created, strict=True)
        }
        self._keep_dates(model, rows, created)
        return created

    def _keep_dates(
        self, model: type[models.Model], rows: list[dict[str, Any]], objs: list[models.Model]
    ) -> None:
        """bulk_create stamps auto_now(_add) fields with now; put the archived dates back."""
        auto = [
            f
            for f in _fields(model)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        if not auto or not objs:
            return
        for row, obj in zip(rows, objs, strict=True):
            for f in auto:
                setattr(obj, f.attname, self.value(f, row[f.name], ghost=False))
        # bulk_update writes the attribute values as they are (no pre_save stamping).
        model._default_manager.bulk_update(objs, [f.name for f in auto], batch_size=500)

    def create_history(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        hmodel = history_model(model)
        ordered = sorted(rows, key=lambda r: r.get("history_id") or 0)
        objs = [self.build(hmodel, row, history_of=model) for row in ordered]
        # Inserted in the original order, so history_id keeps the original sequence.
        hmodel._default_manager.bulk_create(objs, batch_size=500)

    def cleanup(self) -> None:
        for name in self.saved:
            default_storage.delete(name)


def _users(usernames: Iterable[str], user_map: Mapping[str, str] | None) -> dict[str, Any]:
    """Archived usernames -> users here; unknown ones become inactive placeholders."""
    user_model = get_user_model()
    result: dict[str, Any] = {}
    for name in usernames:
        local = (user_map or {}).get(name, name)
        user = user_model._default_manager.filter(username=local).first()
        if user is None:
            user = user_model(username=local, is_active=False)
            user.set_unusable_password()
            user.save()
        result[name] = user
    return result


def import_inspection(data: bytes, *, user_map: Mapping[str, str] | None = None) -> Inspection:
    """Restore an exported inspection as a new one; all or nothing.

    `user_map` renames archived usernames to local ones; any username still unknown here
    is created as an inactive placeholder with an unusable password.
    """
    content, archive = _read(data)
    history = content.get("history")
    if not isinstance(history, dict):
        raise ArchiveError("The archive holds no history")
    restorer: _Restorer | None = None
    try:
        with transaction.atomic():
            fv = _framework(content)
            usernames = content.get("users")
            if not isinstance(usernames, list):
                raise ArchiveError("The archive lists no users")
            restorer = _Restorer(archive, _users(usernames, user_map), fv)
            for row in content["evidence"]:
                restorer.save_upload(row)
            created: dict[str, list[models.Model]] = {}
            for key, model, _scope in LIVE:
                created[key] = restorer.create(model, content[key])
            for key, model in TRACKED:
                rows = history.get(key, [])
                if not isinstance(rows, list):
                    raise ArchiveError(f"The history of {key} is not a list")
                restorer.create_history(model, rows)
            inspection = created["inspection"][0]
            assert isinstance(inspection, Inspection)
            return inspection
    except ArchiveError:
        if restorer is not None:
            restorer.cleanup()
        raise
    except (KeyError, TypeError, ValueError, AttributeError, zipfile.BadZipFile, zlib.error) as exc:
        if restorer is not None:
            restorer.cleanup()
        raise ArchiveError(f"The archive is malformed: {exc!r}") from exc
    except DatabaseError as exc:  # e.g. two archived people mapped onto one local account
        if restorer is not None:
            restorer.cleanup()
        raise ArchiveError(f"The archive's rows do not fit together: {exc}") from exc
    except Exception:
        if restorer is not None:
            restorer.cleanup()
        raise
