"""A complete inspection as one zip file, and its restore into another installation.

The zip holds `inspection.json` and the uploaded evidence files under `uploads/`. The JSON
carries a format version, the framework file exactly as stored (with its fingerprint), every
row of the inspection (team, state changes, case-list imports, cases, sample draws,
replacements, assessments, answers, judgements, discretion, evidence, the report's edited texts
and recommendations, the improvement plan with its items and actions, and the stored outcome
indicator runs with their results) and every history row of the tracked models, with its date,
its user (by username) and its values. Archives written before the plan and the indicators
were carried simply have none of them, and restore as before.

A restore trusts nothing in the file. It happens in two steps:

1. **Check** (`check_archive`, nothing written). The zip is opened within `ARCHIVE_LIMITS` and
   `inspection.json` read within `MAX_JSON_BYTES` (`yjinspect.limits`); the framework is parsed
   within the framework loader's YAML limits and must match its fingerprint. Every row, live
   or history, is checked with the rules the app's own forms apply (`validate_row`: each model
   field's own validation, that is type, blank, length, choices, number ranges and dates; the
   framework's standards, key questions and ratings; the case-list codes), and every reference
   must point at a row of the archive itself: a reference is never looked up in the database.
   Every evidence file must be in the zip, within the evidence upload limit, and pass the same
   content checks as an upload (`forms.evidence.check_upload`); a file in the zip that no
   evidence row names is refused. Every problem is listed (up to `MAX_PROBLEMS`), by table, row
   and field, before anything is stored.
2. **Restore** (`import_inspection`). People are never matched silently: the caller decides for
   each username the archive names, either an active local account or "leave out" (references
   to them go to an inactive placeholder account, `archived:<username>`, with no usable
   password, and no team membership is made for them); `placeholders=True` does the same for
   every name not decided, keeping their team roles on the placeholder (the standalone report
   uses it). Then, in one transaction, rows get new ids and every reference, in the live rows
   and in the history, is mapped from the old id to the new one. History of rows that no longer
   exist (a removed team member, say) keeps pointing at one id per old row, a negative id that
   no live row can ever take.

Files are written last, after every row, under fresh random names (never a name from the
archive), and only after a journal listing them is in storage (`restores/<token>.files.json`).
The journal is removed once the transaction commits; on a Python error the files are removed at
once. If the process is killed before the commit, the journal remains, and `remove_leftovers`
(run at the start of every check) deletes each listed file that no evidence row names, once the
journal is older than `JOURNAL_LIFETIME_SECONDS`, far longer than any restore takes.

The web restore (`views/restore.py`) keeps the checked upload between its two requests in the
file storage beside the journals (`stage_archive`), never in the session, which holds only its
random token.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import io
import json
import logging
import secrets
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yjinspect.core.caselist import (
    AGE_RANGE,
    DISPOSAL_DOMAINS,
    ETHNICITY_SPELLINGS,
    LEVEL_SPELLINGS,
    MAX_REF_LENGTH,
    SEX_SPELLINGS,
    looks_like_a_name,
)
from yjinspect.frameworks import Framework, fingerprint, parse_framework
from yjinspect.frameworks.loader import FrameworkVersionConflict
from yjinspect.limits import (
    MB,
    LimitExceeded,
    ZipLimits,
    load_json,
    megabytes,
    open_zip,
    read_member,
)
from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator

from ..forms.evidence import check_upload
from ..models import (
    Answer,
    AnswerValue,
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
    Role,
    SampleDraw,
    StateTransition,
)
from ..text_limits import too_long, too_long_message
from .ratings import recorded_code

logger = logging.getLogger(__name__)

FORMAT = "yjinspect-inspection"
FORMAT_VERSION = 1
JSON_NAME = "inspection.json"
UPLOADS = "uploads"

# What a restore reads. The figures are fitted to real archives (docs/RELIABILITY.md): the demo
# inspection's inspection.json is 1 MB; with 100,000 cases on its list (the largest case list
# the benchmark imports) it is 60 MB, packed into 2.4 MB. The cap leaves twice that room.
MAX_ARCHIVE_BYTES = 256 * MB  # the zip file itself, as uploaded or read from disk
MAX_JSON_BYTES = 128 * MB
MAX_FILES = 10_000  # evidence documents in one inspection
# Documents hardly compress (PDF, Office, images), so the unpacked total of a real archive is
# close to its size; JSON packs about 25 times. Each member is read one at a time.
ARCHIVE_LIMITS = ZipLimits(max_members=MAX_FILES + 1, max_unpacked=2 * 1024 * MB)
MAX_PROBLEMS = 100  # listed before the check stops: enough to see what is wrong
PLACEHOLDER_PREFIX = "archived:"  # a colon no real username can hold (Django's validator)
STAGING = "restores"  # folder in the file storage: checked uploads and file journals
STAGED_LIFETIME_SECONDS = 24 * 3600
JOURNAL_LIFETIME_SECONDS = 3600
_DIGEST_SALT = "yjinspect.archive.staged"
_STAGED_FORMAT = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an archive: where (archive table, row from 1, field) and what."""

    table: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = [self.table] if self.table else []
        if self.row is not None:
            where.append(_("row %(n)s") % {"n": self.row})
        if self.field:
            where.append(self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ArchiveError(ValueError):
    """The file cannot be restored; `problems` says every reason found, by table, row, field."""

    def __init__(self, problems: str | Sequence[Problem]) -> None:
        self.problems = (
            [Problem("", None, "", problems)] if isinstance(problems, str) else list(problems)
        )
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = len(self.problems) - 5
        if more > 0:
            shown += " " + _("(and %(n)s more)") % {"n": more}
        super().__init__(shown)


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


@functools.cache
def _fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The model's stored fields (looked up once: a restore asks for each row)."""
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, models.Field))


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


# ---------------------------------------------------------------- restore: checking


class _TooMany(Exception):
    """Enough problems are listed: the check stops."""


@dataclass(frozen=True)
class Person:
    """Someone the archive names: their username there and their roles in its team now."""

    username: str
    roles: tuple[str, ...] = ()  # Role values of their live memberships (none: history only)

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.roles]


@dataclass(frozen=True)
class Summary:
    """What an archive holds, for the person about to restore it (the check page)."""

    service_name: str
    mode: str
    state: str
    fieldwork_start: str
    framework_ref: str
    framework_title: str
    counts: dict[str, int]  # archive table -> rows
    history_rows: int
    files: int
    people: tuple[Person, ...]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        values = dict(data)
        values["people"] = tuple(
            Person(str(p["username"]), tuple(p["roles"])) for p in values["people"]
        )
        return cls(**values)


@dataclass
class CheckedArchive:
    """An archive that passed every check, its rows' values already converted (dates,
    decimals), references still by archived id and username; close `package` when done."""

    content: dict[str, Any]
    package: zipfile.ZipFile
    source: str  # the framework file
    files: dict[int, tuple[str, str]]  # evidence item's archived id -> (zip member, file name)
    summary: Summary

    def close(self) -> None:
        self.package.close()


class _Bad(Exception):
    """A value that fails its field's rule; the message says how."""


# Fields whose choices the framework sets, not the model: a recorded item of an earlier
# programme stores its option's code ('o1', 'o2', ...) as the answer (services/ratings).
_FRAMEWORK_CHOICES = frozenset({("Answer", "value")})


def _clean(f: models.Field[Any, Any], value: Any) -> Any:
    """`value` from the JSON as `f` stores it, by the field's own validation (`Field.clean`:
    null and blank, length, choices, number ranges, dates) after a strict type check, since
    `clean` would turn "yes" into True or "12" into 12. Raises _Bad."""
    model = getattr(f, "model", None)
    if model is not None and (model.__name__, f.name) in _FRAMEWORK_CHOICES:
        if type(value) is not str or not value:
            raise _Bad(_("must be an answer, not %(value)s") % {"value": _shown(value)})
        try:
            f.run_validators(value)  # its length; the framework's rules say which values
        except ValidationError as exc:
            raise _Bad(" ".join(exc.messages)) from None
        return value
    if value is None:
        if f.null:
            return None
        raise _Bad(_("is missing a value"))
    if isinstance(f, models.BooleanField):
        if type(value) is not bool:
            raise _Bad(_("must be true or false, not %(value)s") % {"value": _shown(value)})
        return value
    if isinstance(f, models.IntegerField):  # AutoField and the positive ones included
        if type(value) is not int:
            raise _Bad(_("must be a whole number, not %(value)s") % {"value": _shown(value)})
    elif isinstance(f, models.DecimalField):
        if type(value) not in (str, int):
            raise _Bad(_("must be a number, not %(value)s") % {"value": _shown(value)})
    elif isinstance(f, models.DateTimeField):
        parsed = parse_datetime(value) if type(value) is str else None
        if parsed is None or parsed.tzinfo is None:
            raise _Bad(
                _("must be a date and time with its time zone, not %(value)s")
                % {"value": _shown(value)}
            )
        return parsed
    elif isinstance(f, models.DateField | models.CharField | models.TextField):
        if type(value) is not str:
            raise _Bad(_("must be text, not %(value)s") % {"value": _shown(value)})
        if "\x00" in value:
            raise _Bad(_("holds a NUL character, which no form accepts"))
    try:
        return f.clean(value, None)
    except ValidationError as exc:
        raise _Bad(" ".join(exc.messages)) from None


def _shown(value: Any) -> str:
    """A value quoted for a message, cut short: it comes from the file."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Cleaner:
    """`_clean` remembered per field and value: codes, dates and numbers repeat down a table
    (100,000 cases hold a few hundred distinct dates), so each is checked once."""

    _SCALARS = (str, int, bool, float, type(None))

    def __init__(self) -> None:
        self.seen: dict[models.Field[Any, Any], dict[tuple[type, Any], tuple[Any, str]]] = {}

    def __call__(self, f: models.Field[Any, Any], value: Any) -> Any:
        kind = type(value)
        if (
            isinstance(f, models.TextField)  # long free text rarely repeats: not worth keeping
            or kind not in self._SCALARS
            or (kind is str and len(value) > 64)
        ):
            return _clean(f, value)
        seen = self.seen.setdefault(f, {})
        key = (kind, value)
        found = seen.get(key)
        if found is None:
            try:
                found = seen[key] = (_clean(f, value), "")
            except _Bad as exc:
                found = seen[key] = (None, str(exc))
        if found[1]:
            raise _Bad(found[1])
        return found[0]


_LEVELS = frozenset(LEVEL_SPELLINGS)
_SEXES = frozenset(SEX_SPELLINGS) | {""}
_ETHNICITIES = frozenset(ETHNICITY_SPELLINGS) | {""}
_YES_NO_NA = frozenset(AnswerValue.values)
_PAIRS = frozenset((domain, disposal) for disposal, ds in DISPOSAL_DOMAINS.items() for domain in ds)


@dataclass(frozen=True)
class _FrameworkRules:
    """The values the app's forms offer for one framework: what an archived row may hold."""

    answers: Mapping[str, frozenset[str]]  # key question (or item) -> the values it takes
    judged: frozenset[str]  # standards (or areas) with a Judgement
    discretion: frozenset[str]  # standards (or areas) with a Discretion (override)
    evidence: frozenset[str]  # what an evidence item may be about ('' for general evidence)
    judgement_ratings: frozenset[str]  # '' is 'Not rated'
    discretion_ratings: frozenset[str]
    case_domains: frozenset[str]
    optional_areas: frozenset[str]

    @classmethod
    def of(cls, fw: Framework) -> _FrameworkRules:
        standards = fw.all_standards()
        if fw.scoring_model == "areas":
            words = frozenset(band.word for scale in fw.word_scales.values() for band in scale)
            areas = frozenset(a.id for a in fw.areas)
            judged = frozenset(a.id for a in fw.areas if a.rating_method == "judgement")
            return cls(
                answers={
                    i.id: frozenset(recorded_code(i, o) for o in i.options)
                    if i.kind == "recorded"
                    else _YES_NO_NA
                    for i in fw.items
                },
                judged=judged,
                discretion=areas - judged,
                evidence=areas | {""},
                judgement_ratings=words | {""},
                discretion_ratings=words,
                case_domains=frozenset(d.id for d in fw.case_domains),
                optional_areas=frozenset(a.id for a in fw.areas if a.optional),
            )
        ratings = frozenset(r.id for r in fw.ratings)
        return cls(
            answers={kq: _YES_NO_NA for kq in fw.key_question_ids()},
            judged=frozenset(s.id for s in standards if s.rating_method == "judgement"),
            discretion=frozenset(s.id for s in standards),
            evidence=frozenset(s.id for s in standards) | {""},
            judgement_ratings=ratings | {""},
            discretion_ratings=ratings,
            case_domains=frozenset(d.id for d in fw.case_domains),
            optional_areas=frozenset(),
        )


def _form_rules(
    model: type[models.Model], row: Mapping[str, Any], rules: _FrameworkRules
) -> Iterator[tuple[str, str]]:
    """What the forms (and the case-list checks) allow beyond each field's own rules."""
    if model is Answer:
        values = rules.answers.get(row.get("key_question"))  # type: ignore[arg-type]
        if values is None:
            yield "key_question", _("is not a key question of this framework")
        elif row.get("value") not in values:
            yield "value", _("is not an answer this question takes")
    elif model is Judgement:
        if row.get("standard_id") not in rules.judged:
            yield "standard_id", _("is not judged in this framework")
        if row.get("rating") not in rules.judgement_ratings:
            yield "rating", _("is not a rating of this framework")
    elif model is Discretion:
        if row.get("standard_id") not in rules.discretion:
            yield "standard_id", _("is not rated from cases in this framework")
        if row.get("rating") not in rules.discretion_ratings:
            yield "rating", _("is not a rating of this framework")
    elif model is EvidenceItem:
        if row.get("standard_id") not in rules.evidence:
            yield "standard_id", _("is not part of this framework")
        name = row.get("upload_name") or ""
        if isinstance(name, str) and PurePosixPath(name.replace("\\", "/")).name != name:
            yield "upload_name", _("must be a file's name, not a path")
    elif model is Inspection:
        areas = row.get("optional_areas")
        if areas is not None and (
            not isinstance(areas, list)
            or not all(isinstance(a, str) and a in rules.optional_areas for a in areas)
        ):
            yield "optional_areas", _("must list optional areas of this framework")
    elif model is Case:
        yield from _case_rules(row, rules)


def _case_rules(row: Mapping[str, Any], rules: _FrameworkRules) -> Iterator[tuple[str, str]]:
    """The case-list checks (`services/caselists._checked_rows`): a case gets in no other way."""
    ref = row.get("case_ref")
    if isinstance(ref, str) and (
        not 0 < len(ref) <= MAX_REF_LENGTH
        or not ref[0].isalnum()
        or not ref.isprintable()
        or looks_like_a_name(ref)
    ):
        yield "case_ref", _("is not a case reference the case list accepts")
    domain = row.get("domain")
    if domain not in rules.case_domains:
        yield "domain", _("is not a case domain of this framework")
    elif (domain, row.get("disposal_type")) not in _PAIRS:
        yield "disposal_type", _("is not a disposal of this case domain")
    manager = row.get("case_manager")
    if isinstance(manager, str) and not manager.strip():
        yield "case_manager", _("is blank")
    for name in ("risk_of_harm", "safety_wellbeing"):
        if row.get(name) not in _LEVELS:
            yield name, _("is not a level the case list accepts")
    if row.get("sex", "") not in _SEXES:
        yield "sex", _("is not a value the case list accepts")
    if row.get("ethnicity_group", "") not in _ETHNICITIES:
        yield "ethnicity_group", _("is not a value the case list accepts")
    age = row.get("age")
    if age is not None and not (isinstance(age, int) and AGE_RANGE[0] <= age <= AGE_RANGE[1]):
        yield "age", _("is outside the youth justice age range")
    start, end = row.get("start_date"), row.get("end_date")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        yield "end_date", _("is before the start date")


def validate_row(
    model: type[models.Model],
    row: dict[str, Any],
    rules: _FrameworkRules,
    *,
    history: bool = False,
    clean: Callable[[models.Field[Any, Any], Any], Any] = _clean,
) -> list[tuple[str, str]]:
    """Every problem of one archived row of `model` (its history row when `history`), as
    (field, message), with the rules a form would apply to the same values.

    This is the one place a row's values are judged; references between rows are checked by
    the caller, which knows the whole archive. Values are converted in place (dates, decimals).
    A live row's texts are also held to the forms' free-text limits (`text_limits`), so a
    restored report prints within the same time as one typed in the app; history rows keep
    what was once saved, as it was.
    """
    problems: list[tuple[str, str]] = []
    for name, own, later in _value_fields(model, history):
        if name not in row:
            if not later:
                problems.append((name, _("is missing")))
            continue
        if isinstance(own, models.FileField):
            if type(row[name]) is not str:
                problems.append((name, _("must be text")))
            continue
        try:
            row[name] = clean(own, row[name])
        except _Bad as exc:
            problems.append((name, str(exc)))
    if not history:
        for name, limit in too_long(model._meta.label_lower, row):
            problems.append((name, too_long_message(name, limit, len(row[name]))))
    if not problems:
        problems.extend(_form_rules(model, row, rules))
    return problems


@functools.cache
def _value_fields(
    model: type[models.Model], history: bool
) -> tuple[tuple[str, models.Field[Any, Any], bool], ...]:
    """(name, the field whose rules apply, added later) for each value `validate_row` checks:
    not references, nor a live row's own id (the caller's)."""
    later = LATER_FIELDS.get(model.__name__, frozenset())
    return tuple(
        (f.name, _own_field(model, f) if history else f, f.name in later)
        for f in _fields(history_model(model) if history else model)
        if not f.is_relation and not (f.primary_key and not history)
    )


def _own_field(model: type[models.Model], f: models.Field[Any, Any]) -> models.Field[Any, Any]:
    """The tracked model's own field for a history field (its rules: blank, choices); the
    history table's field for simple-history's own (date, type, change reason)."""
    try:
        own = model._meta.get_field(f.name)
    except Exception:  # FieldDoesNotExist: a history-only field
        return f
    return own if isinstance(own, models.Field) and not own.primary_key else f


def _unique_sets(model: type[models.Model]) -> list[tuple[str, ...]]:
    """The field sets the database keeps unique for `model`."""
    sets = [
        tuple(c.fields)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    sets += [(f.name,) for f in _fields(model) if f.unique and not f.primary_key]
    return sets


class _Checker:
    """Walks every table of an archive, collecting problems (up to MAX_PROBLEMS)."""

    def __init__(self, rules: _FrameworkRules, usernames: set[str]) -> None:
        self.rules = rules
        self.usernames = usernames
        self.problems: list[Problem] = []
        self.live_ids: dict[str, set[int]] = {}  # model label -> ids of its rows in the archive
        self.history_ids: dict[str, set[int]] = {}  # model label -> ids in its history
        self.clean = _Cleaner()
        self.user_model = get_user_model()

    def add(self, table: str, row: int | None, field_name: str, message: str) -> None:
        self.problems.append(Problem(table, row, field_name, message))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _TooMany

    def rows(self, table: str, rows: Any) -> list[dict[str, Any]]:
        """The table's rows, each an object; a problem for anything else."""
        if not isinstance(rows, list):
            self.add(table, None, "", _("must be a list of rows"))
            return []
        good = []
        for n, row in enumerate(rows, 1):
            if isinstance(row, dict):
                good.append(row)
            else:
                self.add(table, n, "", _("is not a row (an object of fields)"))
        return good if len(good) == len(rows) else []

    def live(self, table: str, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        ids = self.live_ids.setdefault(_label(model), set())
        uniques: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {
            names: {} for names in _unique_sets(model)
        }
        for n, row in enumerate(rows, 1):
            pk = row.get("id")
            if type(pk) is not int:
                self.add(table, n, "id", _("must be a whole number"))
            elif pk in ids:
                self.add(table, n, "id", _("repeats the id of an earlier row"))
            else:
                ids.add(pk)
            self.references(table, n, model, row, history=False)
            for name, message in validate_row(model, row, self.rules, clean=self.clean):
                self.add(table, n, name, message)
            for names, seen in uniques.items():
                values = tuple(row.get(name) for name in names)
                if None in values:
                    continue  # the database lets empty values repeat
                try:
                    first = seen.setdefault(values, n)
                except TypeError:
                    continue  # an unhashable value: already a problem of its field
                if first != n:
                    self.add(
                        table,
                        n,
                        ", ".join(names),
                        _("repeats the values of row %(row)s, which must be unique")
                        % {"row": first},
                    )

    def history_rows(
        self, table: str, model: type[models.Model], rows: list[dict[str, Any]]
    ) -> None:
        """History rows: their tracked row may be gone (deleted), so references may point at
        any row the archive has, live or in its history, and nowhere else."""
        inspection_ids = self.live_ids.get(_label(Inspection), set())
        for n, row in enumerate(rows, 1):
            pk = row.get("id")
            if model is Inspection and type(pk) is int and pk not in inspection_ids:
                self.add(table, n, "id", _("is not the archived inspection"))
            self.references(table, n, model, row, history=True)
            for name, message in validate_row(
                model, row, self.rules, history=True, clean=self.clean
            ):
                self.add(table, n, name, message)

    def references(
        self,
        table: str,
        n: int,
        model: type[models.Model],
        row: Mapping[str, Any],
        *,
        history: bool,
    ) -> None:
        user_model = self.user_model
        for f in _fields(history_model(model) if history else model):
            if not f.is_relation or f.name not in row:
                continue
            related, value = f.related_model, row[f.name]
            nullable = f.null if not history or f.name == "history_user" else _own_null(model, f)
            if related is FrameworkVersion:
                continue  # the archive's own framework, whatever the number says
            if value is None:
                if not nullable:
                    self.add(table, n, f.name, _("is missing a value"))
            elif related is user_model:
                if type(value) is not str or value not in self.usernames:
                    self.add(
                        table,
                        n,
                        f.name,
                        _("names %(value)s, not among the people the archive lists")
                        % {"value": _shown(value)},
                    )
            elif type(value) is not int:
                self.add(table, n, f.name, _("must be the id of a row"))
            else:
                assert isinstance(related, type)
                label = _label(related)
                known = value in self.live_ids.get(label, ()) or (
                    history and value in self.history_ids.get(label, ())
                )
                if not known:
                    self.add(
                        table,
                        n,
                        f.name,
                        _("refers to %(what)s %(id)s, which is not in the archive")
                        % {"what": related._meta.verbose_name, "id": value},
                    )


def _own_null(model: type[models.Model], f: models.Field[Any, Any]) -> bool:
    """Whether the tracked model lets this reference be empty (history tables always do)."""
    own = _own_field(model, f)
    return bool(own.null) if own is not f else True


def _open(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(
            _("The file is %(size)s; the largest archive accepted is %(limit)s")
            % {"size": megabytes(len(data)), "limit": megabytes(MAX_ARCHIVE_BYTES)}
        )
    try:
        return open_zip(data, ARCHIVE_LIMITS, _("The archive"))
    except LimitExceeded as exc:
        raise ArchiveError(str(exc)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ArchiveError(_("The file is not a zip archive (or it is damaged)")) from None


def _read_json(package: zipfile.ZipFile) -> dict[str, Any]:
    names = [info.filename for info in package.infolist()]
    if JSON_NAME not in names:
        raise ArchiveError(_("The archive holds no %(name)s") % {"name": JSON_NAME})
    try:
        raw = read_member(package, JSON_NAME, MAX_JSON_BYTES, JSON_NAME)
        content = load_json(raw, MAX_JSON_BYTES, JSON_NAME)
    except LimitExceeded as exc:
        raise ArchiveError(str(exc)) from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        raise ArchiveError(
            _("The archive is damaged: %(name)s cannot be unpacked") % {"name": JSON_NAME}
        ) from None
    except ValueError as exc:
        raise ArchiveError(
            _("%(name)s is not valid JSON: %(error)s") % {"name": JSON_NAME, "error": exc}
        ) from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ArchiveError(_("The archive is not an exported inspection"))
    version = content.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(
            _(
                "Unknown archive format version %(version)s: this installation reads version "
                "%(ours)s"
            )
            % {"version": _shown(version), "ours": FORMAT_VERSION}
        )
    for key in OPTIONAL:
        content.setdefault(key, [])
        if isinstance(content.get("history"), dict):
            content["history"].setdefault(_TRACKED_OF[key], [])
    missing = [k for k, _m, _s in LIVE if not isinstance(content.get(k), list)]
    if not isinstance(content.get("history"), dict):
        missing.append("history")
    if missing:
        raise ArchiveError(
            _("The archive is incomplete: it lacks %(keys)s") % {"keys": ", ".join(missing)}
        )
    if len(content["inspection"]) != 1:
        raise ArchiveError(_("The archive must hold exactly one inspection"))
    return content


# The history table that goes with each optional live table.
_TRACKED_OF = {
    "report_texts": "report_text",
    "recommendations": "recommendation",
    "improvement_plans": "improvement_plan",
    "plan_items": "plan_item",
    "plan_actions": "plan_action",
    "indicator_runs": "indicator_run",
    "indicator_results": "stored_indicator",
}


def _check_framework(content: Mapping[str, Any]) -> tuple[str, Framework]:
    """The archived framework's source and parsed form; nothing stored."""
    meta = content.get("framework")
    meta = meta if isinstance(meta, dict) else {}
    source = meta.get("source")
    if not isinstance(source, str):
        raise ArchiveError(_("The archive holds no framework"))
    ref = f"{meta.get('framework_id')}@{meta.get('version')}"[:120]
    try:
        fw = parse_framework(source, f"archived framework {ref}")
    except Exception as exc:  # a malformed or oversized framework: say which, refuse
        raise ArchiveError(
            _("The archived framework %(ref)s cannot be read: %(error)s")
            % {"ref": ref, "error": exc}
        ) from None
    digest = fingerprint(fw)
    if digest != meta.get("fingerprint"):
        raise ArchiveError(
            _(
                "The archived framework %(ref)s does not match its recorded fingerprint "
                "(%(recorded)s recorded, %(computed)s computed): the file is damaged"
            )
            % {"ref": ref, "recorded": _shown(meta.get("fingerprint")), "computed": digest}
        )
    stored = FrameworkVersion.objects.filter(framework_id=fw.id, version=fw.version)
    if stored.exclude(fingerprint=digest).exists():
        raise ArchiveError(
            _(
                "This installation already holds framework %(ref)s with different content: a "
                "changed framework must carry a new version number"
            )
            % {"ref": fw.ref}
        )
    return source, fw


def _usernames(content: Mapping[str, Any]) -> list[str]:
    names = content.get("users")
    field_ = get_user_model()._meta.get_field("username")
    assert isinstance(field_, models.Field)
    if not isinstance(names, list):
        raise ArchiveError(_("The archive lists no people"))
    problems = []
    for n, name in enumerate(names, 1):
        try:
            _clean(field_, name)
        except _Bad as exc:
            problems.append(Problem("users", n, "", str(exc)))
    if len(set(map(str, names))) != len(names):
        problems.append(Problem("users", None, "", _("lists someone twice")))
    if problems:
        raise ArchiveError(problems)
    return [str(n) for n in names]


def _check_files(
    package: zipfile.ZipFile, evidence: list[dict[str, Any]], checker: _Checker
) -> dict[int, tuple[str, str]]:
    """Each evidence file: in the zip, within the upload limit, content as its name says; a
    file no row names is refused. Returns item id -> (zip member, the file's name)."""
    members = [info.filename for info in package.infolist() if not info.is_dir()]
    counted: dict[str, int] = {}
    for name in members:
        counted[name] = counted.get(name, 0) + 1
    for name, times in counted.items():
        if times > 1:
            checker.add("", None, "", _("The zip holds %(name)s twice") % {"name": _shown(name)})
    limit = int(settings.YJ_MAX_UPLOAD_BYTES)
    files: dict[int, tuple[str, str]] = {}
    claimed: dict[str, int] = {}
    for n, row in enumerate(evidence, 1):
        member, upload = row.get("archive_file"), row.get("upload")
        if not upload:
            if member:
                checker.add(
                    "evidence", n, "archive_file", _("names a file but the row has no upload")
                )
            continue
        if not isinstance(member, str) or member not in counted:
            checker.add(
                "evidence",
                n,
                "upload",
                _("names an uploaded file that is not in the archive"),
            )
            continue
        if member in claimed:
            checker.add(
                "evidence",
                n,
                "archive_file",
                _("names the same file as row %(row)s") % {"row": claimed[member]},
            )
            continue
        claimed[member] = n
        name = str(row.get("upload_name") or "") or PurePosixPath(member).name
        try:
            content = read_member(package, member, limit, name)
        except LimitExceeded as exc:
            checker.add("evidence", n, "archive_file", str(exc))
            continue
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            checker.add("evidence", n, "archive_file", _("the file in the archive is damaged"))
            continue
        try:
            check_upload(SimpleUploadedFile(name, content))
        except ValidationError as exc:
            checker.add("evidence", n, "archive_file", " ".join(exc.messages))
            continue
        size = row.get("upload_size")
        if size is not None and size != len(content):
            checker.add(
                "evidence",
                n,
                "upload_size",
                _("says %(said)s bytes; the file in the archive has %(real)s")
                % {"said": _shown(size), "real": len(content)},
            )
            continue
        if type(row.get("id")) is int:
            files[row["id"]] = (member, name)
    for name in counted:
        if name != JSON_NAME and name not in claimed:
            checker.add(
                "",
                None,
                "",
                _("The zip holds %(name)s, which no evidence row names") % {"name": _shown(name)},
            )
    return files


def check_archive(data: bytes) -> CheckedArchive:
    """Read and check an archive completely, writing nothing; ArchiveError lists every
    problem (up to MAX_PROBLEMS) by table, row and field."""
    package = _open(data)
    try:
        content = _read_json(package)
        source, fw = _check_framework(content)
        usernames = _usernames(content)
        checker = _Checker(_FrameworkRules.of(fw), set(usernames))
        files: dict[int, tuple[str, str]] = {}
        try:
            tables = {key: checker.rows(key, content[key]) for key, _m, _s in LIVE}
            history = {
                key: checker.rows(f"history.{key}", content["history"].get(key, []))
                for key, _m in TRACKED
            }
            for key, model in TRACKED:
                checker.history_ids[_label(model)] = {
                    r["id"] for r in history[key] if type(r.get("id")) is int
                }
            for key, model, _scope in LIVE:
                checker.live(key, model, tables[key])
            for key, model in TRACKED:
                checker.history_rows(f"history.{key}", model, history[key])
            files = _check_files(package, tables["evidence"], checker)
        except _TooMany:
            pass
        if checker.problems:
            raise ArchiveError(checker.problems)
        summary = _summary(content, fw, usernames, len(files))
    except BaseException:
        package.close()
        raise
    return CheckedArchive(content, package, source, files, summary)


def _summary(
    content: Mapping[str, Any], fw: Framework, usernames: list[str], files: int
) -> Summary:
    inspection = content["inspection"][0]
    roles: dict[str, list[str]] = {name: [] for name in usernames}
    for row in content["memberships"]:
        roles[row["user"]].append(row["role"])
    return Summary(
        service_name=inspection["service_name"],
        mode=inspection["mode"],
        state=inspection["state"],
        fieldwork_start=inspection["fieldwork_start"].isoformat(),
        framework_ref=fw.ref,
        framework_title=fw.title,
        counts={key: len(content[key]) for key, _m, _s in LIVE},
        history_rows=sum(len(content["history"].get(key, [])) for key, _m in TRACKED),
        files=files,
        people=tuple(Person(name, tuple(roles[name])) for name in usernames),
    )


# ---------------------------------------------------------------- restore: people


@dataclass(frozen=True)
class _Accounts:
    """Who each archived username becomes here."""

    mapped: dict[str, User]  # an active local account, chosen by the person restoring
    left_out: frozenset[str]  # a placeholder, and no team membership
    placeholders: frozenset[str]  # a placeholder that keeps their team role


def placeholder_username(name: str) -> str:
    return f"{PLACEHOLDER_PREFIX}{name}"


def local_accounts() -> list[str]:
    """The usernames of the active accounts here: whom an archived person may become."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


def decide_people(
    summary: Summary, people: Mapping[str, str | None], *, placeholders: bool = False
) -> _Accounts:
    """Check a decision for every person the archive names: an active account here (a
    username), None to leave them out, or, with `placeholders`, a placeholder for everyone
    not decided. Nobody is matched by their name alone. ArchiveError names each problem."""
    named = [p.username for p in summary.people]
    problems: list[Problem] = []
    for name in people:
        if name not in named:
            problems.append(Problem("people", None, name, _("is not named in the archive")))
    wanted = {name: people[name] for name in named if people.get(name)}
    found = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=set(wanted.values()), is_active=True)
    }
    mapped: dict[str, User] = {}
    taken: dict[str, str] = {}
    for name in named:
        if name not in people:
            if not placeholders:
                problems.append(
                    Problem(
                        "people",
                        None,
                        name,
                        _("has no decision: choose their account here, or leave them out"),
                    )
                )
            continue
        local = people[name]
        if local is None:
            continue
        if local not in found:
            problems.append(
                Problem(
                    "people",
                    None,
                    name,
                    _("there is no active account %(account)s here") % {"account": _shown(local)},
                )
            )
        elif local in taken:
            problems.append(
                Problem(
                    "people",
                    None,
                    name,
                    _("is given the same account (%(account)s) as %(other)s: choose another")
                    % {"account": local, "other": taken[local]},
                )
            )
        else:
            taken[local] = name
            mapped[name] = found[local]
    unmapped = [name for name in named if name not in mapped]
    holders = set(
        get_user_model()
        .objects.filter(username__in=[placeholder_username(n) for n in unmapped], is_active=True)
        .values_list("username", flat=True)
    )
    limit = get_user_model()._meta.get_field("username").max_length or 150
    for name in unmapped:
        if name not in people and not placeholders:
            continue
        if len(placeholder_username(name)) > limit:
            problems.append(
                Problem(
                    "people", None, name, _("is too long a username to keep: choose an account")
                )
            )
        elif placeholder_username(name) in holders:
            problems.append(
                Problem(
                    "people",
                    None,
                    name,
                    _(
                        "the placeholder account %(account)s has been made active here: choose "
                        "an account for them"
                    )
                    % {"account": placeholder_username(name)},
                )
            )
    if problems:
        raise ArchiveError(problems)
    return _Accounts(
        mapped=mapped,
        left_out=frozenset(n for n in named if n in people and people[n] is None),
        placeholders=frozenset(n for n in named if n not in people),
    )


def _placeholder(name: str) -> Any:
    """The inactive account with no usable password that stands for `name`'s history."""
    user_model = get_user_model()
    username = placeholder_username(name)
    user = user_model._default_manager.filter(username=username).first()
    if user is None:
        user = user_model(username=username, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


# ---------------------------------------------------------------- restore: writing


class _Restorer:
    """Writes a checked archive: rows with new ids, history, then the files (last)."""

    def __init__(self, checked: CheckedArchive, accounts: _Accounts, restored_by: User | None):
        self.checked = checked
        self.accounts = accounts
        self.restored_by = restored_by
        self.users: dict[str, Any] = {}
        self.fv: FrameworkVersion | None = None
        self.maps: dict[str, dict[int, int]] = {}
        self.ghosts: dict[str, dict[int, int]] = {}
        self.ghost_next: dict[str, int] = {}
        # (archived evidence id, archived file name) -> the new stored name: history rows of
        # that item naming that file get the new name; any other name in the history is dropped.
        self.files: dict[tuple[int, str], str] = {}
        self.planned: list[tuple[str, str]] = []  # (zip member, new stored name)
        self.saved: list[str] = []
        self.journal = ""
        self.committed = False

    def write(self) -> Inspection:
        """Every row and history row, in one transaction (the caller's)."""
        content = self.checked.content
        try:
            self.fv = FrameworkVersion.store(self.checked.source, "archived framework")
        except FrameworkVersionConflict as exc:
            raise ArchiveError(str(exc)) from None
        self.users = {name: user for name, user in self.accounts.mapped.items()}
        for person in self.checked.summary.people:
            if person.username not in self.users:
                self.users[person.username] = _placeholder(person.username)
        self.plan_files()
        created: dict[str, list[models.Model]] = {}
        for key, model, _scope in LIVE:
            rows = content[key]
            if model is Membership:
                rows = [r for r in rows if r["user"] not in self.accounts.left_out]
            created[key] = self.create(model, rows)
        for key, model in TRACKED:
            self.create_history(model, content["history"].get(key, []))
        inspection = created["inspection"][0]
        assert isinstance(inspection, Inspection)
        self.add_restorer(inspection)
        return inspection

    def add_restorer(self, inspection: Inspection) -> None:
        """The person restoring leads the copy unless the archive's team already has them."""
        user = self.restored_by
        if user is None or Membership.objects.filter(inspection=inspection, user=user).exists():
            return
        membership = Membership(inspection=inspection, user=user, role=Role.LEAD)
        membership._history_user = user  # type: ignore[attr-defined]
        membership.save()

    def plan_files(self) -> None:
        """A fresh random name for each evidence file, as an upload gets (views/evidence)."""
        upload = EvidenceItem._meta.get_field("upload")
        assert isinstance(upload, models.FileField)
        for row in self.checked.content["evidence"]:
            if not row["upload"]:
                continue
            member, name = self.checked.files[row["id"]]
            suffix = PurePosixPath(name).suffix.lower()
            new = upload.generate_filename(EvidenceItem(), f"{uuid4().hex}{suffix}")
            self.files[(row["id"], row["upload"])] = new
            self.planned.append((member, new))

    def ref(self, model: type[models.Model], old: int | None, *, ghost: bool) -> int | None:
        if old is None:
            return None
        label = _label(model)
        found = self.maps.get(label, {}).get(old)
        if found is not None:
            return found
        if not ghost:  # the check has seen every reference: this is a bug, not bad input
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
        """A checked value as stored here: references mapped, everything else as it is."""
        if not f.is_relation:
            return value
        related = f.related_model
        if related is get_user_model():
            return None if value is None else self.users[value].pk
        if related is FrameworkVersion:
            assert self.fv is not None
            return self.fv.pk
        assert isinstance(related, type)
        return self.ref(related, value, ghost=ghost)

    def build(
        self,
        model: type[models.Model],
        row: Mapping[str, Any],
        *,
        history_of: type[models.Model] | None = None,
    ) -> models.Model:
        """An unsaved row; `history_of` is the tracked model when `model` is its history."""
        kwargs: dict[str, Any] = {}
        for f in _fields(model):
            if f.primary_key or f.name not in row:  # absent: a later field, its default
                continue
            value = row[f.name]
            if history_of is not None and f.name == "id":
                kwargs["id"] = self.ref(history_of, value, ghost=True)
            elif (history_of or model) is EvidenceItem and f.name == "upload":
                kwargs[f.attname] = self.files.get((row["id"], value), "") if value else ""
            else:
                kwargs[f.attname] = self.value(f, value, ghost=history_of is not None)
        return model(**kwargs)

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
                setattr(obj, f.attname, row[f.name])
        # bulk_update writes the attribute values as they are (no pre_save stamping).
        model._default_manager.bulk_update(objs, [f.name for f in auto], batch_size=500)

    def create_history(self, model: type[models.Model], rows: list[dict[str, Any]]) -> None:
        hmodel = history_model(model)
        ordered = sorted(rows, key=lambda r: r["history_id"])
        objs = [self.build(hmodel, row, history_of=model) for row in ordered]
        # Inserted in the original order, so history_id keeps the original sequence.
        hmodel._default_manager.bulk_create(objs, batch_size=500)

    def save_files(self) -> None:
        """The evidence files, the last step before the commit, after a journal naming them:
        killed part-way, the journal lets `remove_leftovers` find every file written."""
        if not self.planned:
            return
        token = secrets.token_urlsafe(24)
        self.journal = _staged_name(token, "files.json")
        body = {"created": time.time(), "files": [new for _member, new in self.planned]}
        _save_new(self.journal, json.dumps(body).encode())
        for member, new in self.planned:
            self.save_file(member, new)

    def save_file(self, member: str, name: str) -> None:
        content = self.checked.package.read(member)  # checked: within the upload limit
        saved = default_storage.save(name, ContentFile(content))
        self.saved.append(saved)
        if saved != name:  # the names are random: a clash means something else wrote there
            raise ArchiveError(_("A file could not be stored under its new name: try again"))

    def finish(self) -> None:
        """After the commit: the files are the restored rows' now, the journal can go."""
        self.committed = True
        if self.journal:
            try:
                default_storage.delete(self.journal)
            except OSError:  # the sweep finds every file referenced and leaves it
                logger.warning("could not remove the restore journal %s", self.journal)

    def cleanup(self) -> None:
        """After a failure (nothing committed): remove the files written, then the journal."""
        if self.committed:
            return
        for name in self.saved:
            default_storage.delete(name)
        if self.journal:
            default_storage.delete(self.journal)


def import_inspection(
    data: bytes,
    *,
    people: Mapping[str, str | None] | None = None,
    placeholders: bool = False,
    restored_by: User | None = None,
) -> Inspection:
    """Restore an exported inspection as a new one: all or nothing.

    `people` decides for each username the archive names: a local active account's username,
    or None to leave them out. With `placeholders`, everyone not decided gets a placeholder
    (inactive, no usable password) and keeps their team role on it; otherwise an undecided name
    is refused. `restored_by`, if not in the restored team, joins it as its lead.
    """
    remove_leftovers()
    checked = check_archive(data)
    try:
        accounts = decide_people(checked.summary, people or {}, placeholders=placeholders)
        restorer = _Restorer(checked, accounts, restored_by)
        try:
            with transaction.atomic():
                inspection = restorer.write()
                restorer.save_files()
                transaction.on_commit(restorer.finish, robust=True)
        except ArchiveError:
            restorer.cleanup()
            raise
        except DatabaseError as exc:  # checked, so unexpected: say so, keep nothing
            restorer.cleanup()
            raise ArchiveError(
                _("The archive's rows do not fit together: %(error)s") % {"error": exc}
            ) from exc
        except BaseException:
            restorer.cleanup()
            raise
        return inspection
    finally:
        checked.close()


# ---------------------------------------------------------------- files in storage


def _staged_name(token: str, part: str) -> str:
    return f"{STAGING}/{token}.{part}"


def _save_new(name: str, data: bytes) -> None:
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # tokens are random: a clash means something else wrote there
        default_storage.delete(saved)
        raise OSError(f"a file {name} already exists")


def _referenced(name: str) -> bool:
    return (
        EvidenceItem.objects.filter(upload=name).exists()
        or history_model(EvidenceItem)._default_manager.filter(upload=name).exists()
    )


def remove_leftovers(
    *,
    journal_age: float = JOURNAL_LIFETIME_SECONDS,
    staged_age: float = STAGED_LIFETIME_SECONDS,
) -> int:
    """Delete what unfinished restores left in storage; returns the number of files removed.

    A journal older than `journal_age` belongs to a restore that was killed (or whose request
    rolled back): each file it lists that no evidence row, live or in history, names is
    deleted, then the journal. Checked uploads older than `staged_age` are deleted too.
    """
    try:
        _folders, names = default_storage.listdir(STAGING)
    except FileNotFoundError:
        return 0
    removed = 0
    now = time.time()
    for file in names:
        name = f"{STAGING}/{file}"
        try:
            age = now - default_storage.get_modified_time(name).timestamp()
            if file.endswith(".files.json") and age > journal_age:
                with default_storage.open(name, "rb") as handle:
                    listed = json.loads(handle.read()).get("files", [])
                for stored in listed:
                    if (
                        isinstance(stored, str)
                        and default_storage.exists(stored)
                        and not _referenced(stored)
                    ):
                        default_storage.delete(stored)
                        removed += 1
                default_storage.delete(name)
            elif not file.endswith(".files.json") and age > staged_age:
                default_storage.delete(name)
                removed += 1
        except (OSError, ValueError, AttributeError):
            logger.warning("could not clear the restore leftover %s", name)
    return removed


# ---------------------------------------------------------------- the web restore's upload


@dataclass(frozen=True)
class StagedArchive:
    """A checked upload kept between the upload and the check page (never in the session)."""

    token: str
    user_id: int
    filename: str
    created: float
    digest: str  # keyed (HMAC) digest of the zip: it must come back unaltered
    summary: Summary


def _digest(data: bytes) -> str:
    return salted_hmac(_DIGEST_SALT, data, algorithm="sha256").hexdigest()


def _valid_token(token: str) -> bool:
    return len(token) == 32 and all(c.isalnum() or c in "-_" for c in token)


def stage_archive(data: bytes, filename: str, user: User) -> StagedArchive:
    """Check an uploaded archive and keep it in the file storage; ArchiveError if it fails."""
    remove_leftovers()
    checked = check_archive(data)
    checked.close()
    token = secrets.token_urlsafe(24)
    staged = StagedArchive(
        token=token,
        user_id=user.pk,
        filename=PurePosixPath(filename.replace("\\", "/")).name[-200:] or "archive.zip",
        created=time.time(),
        digest=_digest(data),
        summary=checked.summary,
    )
    _save_new(_staged_name(token, "zip"), data)
    meta = {"format": _STAGED_FORMAT, **asdict(staged)}
    _save_new(_staged_name(token, "meta.json"), json.dumps(meta).encode())
    return staged


def load_staged(token: str | None, user: User) -> StagedArchive | None:
    """The staged archive if it is this user's and has not expired."""
    if not token or not _valid_token(token):
        return None
    try:
        with default_storage.open(_staged_name(token, "meta.json"), "rb") as handle:
            meta = json.loads(handle.read())
        if meta.pop("format") != _STAGED_FORMAT:
            return None
        meta["summary"] = Summary.from_dict(meta["summary"])
        staged = StagedArchive(**meta)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if (
        staged.token != token
        or staged.user_id != user.pk
        or time.time() - staged.created > STAGED_LIFETIME_SECONDS
    ):
        return None
    return staged


def discard_staged(token: str) -> None:
    if _valid_token(token):
        default_storage.delete(_staged_name(token, "zip"))
        default_storage.delete(_staged_name(token, "meta.json"))


def restore_staged(
    staged: StagedArchive, people: Mapping[str, str | None], user: User
) -> Inspection:
    """Restore a staged archive with the people decided on the check page; checked again in
    full (time has passed), then the staged upload is deleted once the restore commits."""
    try:
        with default_storage.open(_staged_name(staged.token, "zip"), "rb") as handle:
            data = bytes(handle.read())
    except OSError:
        raise ArchiveError(_("The uploaded archive is no longer here: upload it again")) from None
    if not constant_time_compare(_digest(data), staged.digest):
        raise ArchiveError(_("The uploaded archive was altered: upload it again"))
    inspection = import_inspection(data, people=people, restored_by=user)
    transaction.on_commit(lambda: discard_staged(staged.token), robust=True)
    return inspection
