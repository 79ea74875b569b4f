"""Fuzz every form of the web app through the view that uses it (issue 6, part 3).

For each form class, hypothesis posts generated input (script, formula prefixes, unicode,
NUL bytes, very long strings, lists where one value is expected, unknown choice codes, odd
files) over a valid baseline, through the Django test client, as a user allowed to post it.
Every example checks four promises:

- never a server error (the test client re-raises any exception a view lets escape);
- invalid input gets a clear error: a re-rendered form carries GOV.UK error messages;
- nothing is half-saved: when the request did not succeed (no redirect), no row of any of the
  app's tables (history included) was added, changed in number or removed;
- script is echoed back escaped, never as markup.

Each example runs inside a savepoint that is rolled back, so every example starts from the
same data. `test_every_form_is_fuzzed` fails when a form class exists that `TARGETS` does not
cover: a new form must be added here with the view that uses it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yjinspect.web
from tests.web.conftest import framework_version
from yjinspect.frameworks import shipped_framework_paths
from yjinspect.frameworks.loader import FrameworkError, parse_framework
from yjinspect.web.inspections.forms import overview as overview_forms
from yjinspect.web.inspections.forms.base import LimitedText
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    Inspection,
    Membership,
    Recommendation,
    Role,
)
from yjinspect.web.inspections.services import archive, sampling
from yjinspect.web.inspections.views.restore import SESSION_KEY as RESTORE_SESSION_KEY

pytestmark = pytest.mark.django_db

XSS = "<script>alert('yj-xss')</script>"
XSS_ATTR = "\"><img src=x onerror=alert('yj-xss')>"
RAW_MARKERS = ("<script>alert('yj-xss')", "<img src=x onerror=alert('yj-xss')>")
NASTY: list[str] = [
    XSS,
    XSS_ATTR,
    '=HYPERLINK("http://example.invalid","x")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\tTAB",
    "\x00",
    "a\x00b",
    "Ünïcödé 漢字 𝔘𝔫𝔦 🙂 \u202ertl\u202c",
    "x" * 5_000,
    "y" * 70_000,
    "",
    "   ",
    "-1",
    "0",
    "99999999999999999999999999999",
    "1e400",
    "NaN",
    "2024-02-30",
    "31/12/2024",
    "no-such-code",
    "None",
    "../../etc/passwd",
    "%s%n%x",
    "{{ 7*7 }}{% debug %}",
    "\r\n",
    "2024-04-08",  # a few valid values, so that fuzzed posts also get through
    "1",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
)
FILE_NAMES = [
    "cases.csv",
    "cases.xlsx",
    "plan.pdf",
    "notes.txt",
    "no-extension",
    "<img src=x onerror=alert('yj-xss')>.csv",
    "=cmd.csv",
    "x" * 300 + ".csv",
]
FILE_BODIES = [
    b"",
    b"\x00\x01\x02",
    b"PK\x03\x04 not really a zip",
    b"%PDF-1.4 truncated",
    b"\xff\xfe\x00h\x00i",
    b"case_ref,name\r\n=HYPERLINK(\"x\"),<script>alert('yj-xss')</script>\r\n",
    b"person_ref,age,offence_date,disposal_date,disposal_type\nP1,15,2023-05-01,2023-05-10,"
    b"youth_caution\n",
    b"age,population\n10,1\n",
    b"indicator,value\nfte,1e999\n",
    "\ufeffcase_ref;domain\n1;court\n".encode(),
    b"a," * 3000,
]
FILES = st.builds(
    lambda name, body: SimpleUploadedFile(name, body, content_type="application/octet-stream"),
    st.sampled_from(FILE_NAMES),
    st.one_of(st.sampled_from(FILE_BODIES), st.binary(max_size=600)),
)


@dataclass
class World:
    """The data every target may need: one inspection with a sample, allocations and texts."""

    inspection: Inspection
    users: dict[str, AbstractUser]
    case: Case
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """How to reach one form: who posts it, where, and a baseline that is (nearly) valid."""

    role: str
    url: Callable[[World], str]
    # A (nearly) valid post; None: the values the page's form starts with.
    baseline: Callable[[World], dict[str, Any]] | None = lambda w: {}
    method: str = "POST"
    page: Callable[[World], str] | None = None  # where a GET shows the form (default: url)
    prepare: Callable[[World], None] | None = None
    # Filters ignore a value they do not know (the list is then unfiltered), by design.
    ignores_invalid: bool = False
    # The view reads the form's fields itself (no instance on the page): build one to see them.
    standalone: bool = False
    # Put into the poster's session before the page is shown (what an earlier step left there).
    session: Callable[[World], dict[str, Any]] | None = None


def _url(name: str, **kwargs: Any) -> Callable[[World], str]:
    def make(w: World) -> str:
        args = {k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
        return reverse(name, kwargs={"pk": w.inspection.pk, **args})

    return make


def _prepare_plan(w: World) -> None:
    from yjinspect.web.improvement.models import Action, ImprovementPlan, PlanItem

    rec = Recommendation.objects.create(
        inspection=w.inspection,
        addressed_to="Management board",
        text_en="Improve planning",
        updated_by=w.users["lead"],
    )
    plan = ImprovementPlan.objects.create(inspection=w.inspection, created_by=w.users["lead"])
    item = PlanItem.objects.create(
        plan=plan,
        recommendation=rec,
        addressed_to="Management board",
        text="Improve planning",
        updated_by=w.users["lead"],
    )
    action = Action.objects.create(
        item=item,
        description="Audit plans",
        owner="Head of service",
        due_date=dt.date(2025, 1, 31),
        updated_by=w.users["lead"],
    )
    w.extra |= {"plan_item_pk": item.pk, "action_pk": action.pk}


def _prepare_recommendation(w: World) -> None:
    rec = Recommendation.objects.create(
        inspection=w.inspection,
        addressed_to="Management board",
        text_en="Improve planning",
        updated_by=w.users["lead"],
    )
    w.extra["rec_pk"] = rec.pk


def _first_text_key(w: World) -> str:
    from yjinspect.web.inspections.views.texts import text_slots

    return text_slots(w.inspection.framework.framework)[0].key


def _prepare_legacy(w: World) -> None:
    """An FJI inspection (an earlier programme) led by the same lead, for the area words."""
    legacy = Inspection.objects.create(
        service_name="Oldshire YOT",
        framework=framework_version("hmip-fji"),
        fieldwork_start=dt.date(2012, 1, 12),
        created_by=w.users["lead"],
    )
    Membership.objects.create(inspection=legacy, user=w.users["lead"], role=Role.LEAD)
    w.extra["legacy_pk"] = legacy.pk


def _prepare_restore(w: World) -> None:
    """The world's inspection exported and checked, waiting on the restore's check page."""
    staged = archive.stage_archive(
        archive.export_inspection(w.inspection), "w.zip", w.users["lead"]
    )  # type: ignore[arg-type]
    w.extra["restore_token"] = staged.token
    w.extra["restore_people"] = len(staged.summary.people)


def _indicator_files(w: World) -> dict[str, Any]:
    return {
        "cases_file": SimpleUploadedFile(
            "records.csv",
            b"person_ref,age,offence_date,disposal_date,disposal_type\n"
            b"P1,15,2023-05-01,2023-05-10,youth_caution\n",
        ),
        "population_file": SimpleUploadedFile(
            "pop.csv", b"age,population\n" + b"".join(b"%d,100\n" % a for a in range(10, 18))
        ),
        "period_start": "2023-04-01",
        "period_end": "2024-03-31",
        "follow_up_months": "12",
        "waiting_months": "6",
    }


# form class (module.qualname) -> how to reach it.
TARGETS: dict[str, Target] = {
    "yjinspect.web.accounts.forms.SignInForm": Target(
        "anonymous",
        lambda w: reverse("accounts:login"),
        lambda w: {"username": "lead", "password": "wrong-password"},
    ),
    "yjinspect.web.accounts.forms.CodeForm": Target(
        "inspector", lambda w: reverse("accounts:security"), lambda w: {"code": "123456"}
    ),
    "yjinspect.web.inspections.forms.overview.InspectionForm": Target(
        "lead",
        lambda w: reverse("inspections:create"),
        lambda w: {
            "service_name": "Fuzzshire YJS",
            "framework": "hmip-youth-2021",
            "mode": "inspection",
            "fieldwork_start": "2024-04-08",
        },
    ),
    "yjinspect.web.inspections.forms.overview.MemberForm": Target(
        "lead",
        _url("inspections:add_member"),
        lambda w: {"username": "inspector2", "role": "inspector"},
        page=_url("inspections:detail"),
    ),
    "yjinspect.web.inspections.forms.overview.NoteForm": Target(
        "lead",
        _url("inspections:transition"),
        lambda w: {"to": w.inspection.next_state() or "", "note": "moving on"},
        page=_url("inspections:detail"),
        standalone=True,
    ),
    "yjinspect.web.inspections.forms.cases.CaseListUploadForm": Target(
        "lead", _url("inspections:case_import"), lambda w: {}
    ),
    "yjinspect.web.inspections.forms.cases.CaseFilterForm": Target(
        "inspector",
        _url("inspections:cases"),
        lambda w: {"q": "F00"},
        method="GET",
        ignores_invalid=True,
    ),
    "yjinspect.web.inspections.forms.sample.DrawForm": Target(
        "lead", _url("inspections:sample"), lambda w: {"seed": "42"}
    ),
    "yjinspect.web.inspections.forms.sample.ReplaceForm": Target(
        "lead",
        _url("inspections:replace_case"),
        lambda w: {"case_ref": w.case.case_ref, "reason": "record unavailable"},
        page=_url("inspections:sample"),
    ),
    "yjinspect.web.inspections.forms.sample.AllocationForm": Target(
        "lead",
        _url("inspections:allocation"),
        lambda w: {f"assessor_{w.case.pk}": str(w.users["inspector"].pk)},
    ),
    "yjinspect.web.inspections.forms.evidence.EvidenceForm": Target(
        "inspector",
        _url("inspections:evidence_add"),
        lambda w: {"kind": "document", "title": "Board minutes"},
    ),
    "yjinspect.web.inspections.forms.evidence.JudgementForm": Target(
        "lead",
        _url("inspections:judgement", standard_id="1.1"),
        lambda w: {"rating": "good", "rationale": "Strong board", "version": "0"},
    ),
    "yjinspect.web.inspections.forms.ratings.DiscretionForm": Target(
        "lead",
        _url("inspections:discretion", standard_id="2.1"),
        lambda w: {"rating": "good", "reason": "Context"},
    ),
    "yjinspect.web.inspections.forms.ratings.AreaWordForm": Target(
        "lead",
        # FJI governance: a judged area that takes a word.
        lambda w: reverse(
            "inspections:discretion", kwargs={"pk": w.extra["legacy_pk"], "standard_id": "GOV"}
        ),
        lambda w: {"word": "Good", "reason": "Context"},
        prepare=_prepare_legacy,
    ),
    "yjinspect.web.inspections.forms.assess.AssessmentForm": Target(
        "inspector",
        lambda w: reverse(
            "inspections:assess", kwargs={"pk": w.inspection.pk, "case_pk": w.case.pk}
        ),
        lambda w: {"action": "save"},
    ),
    "yjinspect.web.inspections.forms.texts.ReportTextForm": Target(
        "lead",
        _url("inspections:report_text_edit", text_key=_first_text_key),
        lambda w: {"text_en": "Text", "text_cy": "", "version": "0"},
    ),
    "yjinspect.web.inspections.forms.texts.RecommendationForm": Target(
        "lead",
        _url("inspections:recommendation_edit", rec_pk=lambda w: w.extra["rec_pk"]),
        lambda w: {"addressed_to": "Board", "text_en": "Do better", "version": "1"},
        prepare=_prepare_recommendation,
    ),
    "yjinspect.web.improvement.forms.ItemForm": Target(
        "lead",
        _url("improvement:plan_item", plan_item_pk=lambda w: w.extra["plan_item_pk"]),
        lambda w: {"owner": "Head of service", "status": "in_progress", "version": "1"},
        prepare=_prepare_plan,
    ),
    "yjinspect.web.improvement.forms.ActionForm": Target(
        "lead",
        _url("improvement:action", action_pk=lambda w: w.extra["action_pk"]),
        lambda w: {
            "description": "Audit plans",
            "owner": "Head of service",
            "due_date": "2025-01-31",
            "status": "in_progress",
            "version": "1",
        },
        prepare=_prepare_plan,
    ),
    "yjinspect.web.inspections.forms.overview.OptionalAreasForm": Target(
        "lead",
        # FJI: the optional sixth theme (any generated choice code must be refused cleanly).
        lambda w: reverse("inspections:optional_areas", kwargs={"pk": w.extra["legacy_pk"]}),
        lambda w: {"optional_areas": []},
        prepare=_prepare_legacy,
    ),
    "yjinspect.web.inspections.forms.legacy_report.LegacyTextsForm": Target(
        "lead",
        lambda w: reverse("inspections:legacy_texts", kwargs={"pk": w.extra["legacy_pk"]}),
        None,  # the page's own initial values: every passage and its version
        prepare=_prepare_legacy,
    ),
    "yjinspect.web.comparison.forms.PublishedUploadForm": Target(
        "lead", lambda w: reverse("comparison:upload"), lambda w: {}
    ),
    "yjinspect.web.comparison.forms.ServiceSearchForm": Target(
        "inspector",
        lambda w: reverse("comparison:index"),
        lambda w: {"q": "Bexley"},
        method="GET",
        ignores_invalid=True,
    ),
    "yjinspect.web.comparison.forms.DistributionForm": Target(
        "inspector",
        lambda w: reverse("comparison:national", kwargs={"framework_id": "hmip-youth-2021"}),
        lambda w: {},
        method="GET",
        ignores_invalid=True,
    ),
    "yjinspect.web.outcomes.forms.IndicatorUploadForm": Target(
        "lead", _url("outcomes:upload"), _indicator_files
    ),
    "yjinspect.web.inspections.forms.restore.ArchiveUploadForm": Target(
        "lead", lambda w: reverse("inspections:restore"), lambda w: {}
    ),
    "yjinspect.web.inspections.forms.restore.PeopleForm": Target(
        "lead",
        lambda w: reverse("inspections:restore_check"),
        lambda w: {f"person_{i}": ":leave-out" for i in range(w.extra["restore_people"])},
        prepare=_prepare_restore,
        session=lambda w: {RESTORE_SESSION_KEY: w.extra["restore_token"]},
    ),
}


def _form_classes() -> Iterator[type[forms.BaseForm]]:
    """Every form class defined in the web app's modules (bases excluded)."""
    for info in pkgutil.walk_packages(yjinspect.web.__path__, "yjinspect.web."):
        if ".migrations" in info.name or info.name.endswith(("manage", "wsgi")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and not value.__name__.startswith("_")
                and value.__name__ not in {"GovForm", "GovModelForm"}
            ):
                yield value


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_form_is_fuzzed() -> None:
    found = {_qualified(cls) for cls in _form_classes()}
    missing = sorted(found - set(TARGETS))
    assert missing == [], f"add these forms to TARGETS in {__name__}: {missing}"
    stale = sorted(set(TARGETS) - found)
    assert stale == [], f"TARGETS names forms that no longer exist: {stale}"


def test_the_meta_test_sees_forms_outside_the_inspections_app() -> None:
    found = {_qualified(cls) for cls in _form_classes()}
    assert "yjinspect.web.accounts.forms.SignInForm" in found
    assert "yjinspect.web.outcomes.forms.IndicatorUploadForm" in found


# ---- the world and the checks -------------------------------------------------------------


@pytest.fixture
def world(
    inspection: Inspection,
    users: dict[str, AbstractUser],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    settings.YJ_MAX_UPLOAD_BYTES = 4_000  # 'huge' files are cheap to make
    # The create form lists the shipped frameworks by parsing every file (~0.4 s a request);
    # the same list, parsed once, keeps 25 examples fast without changing what is offered.
    choices = overview_forms.framework_choices()
    monkeypatch.setattr(overview_forms, "framework_choices", lambda: choices)
    settings.MEDIA_ROOT = "/tmp/yj-fuzz-media"
    for i in range(8):
        Case.objects.create(
            inspection=inspection,
            case_ref=f"F{i + 1:03d}",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2023, 6, 1),
            case_manager=f"CM{i % 3}",
            risk_of_harm="medium",
            safety_wellbeing="low",
        )
    sampling.draw(inspection, seed=1, sizes=None, by=users["lead"])  # type: ignore[arg-type]
    sampled = list(Case.objects.filter(inspection=inspection, in_sample=True).order_by("pk"))
    for case in sampled:
        case.assessor = users["inspector"]
        case.save()
    return World(inspection, users, sampled[0])


def _app_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("yjinspect.") or m._meta.label == "auth.User"
    ]


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in _app_models()}


def _form_in(response: HttpResponse, cls: type[forms.BaseForm]) -> forms.BaseForm | None:
    context = getattr(response, "context", None)
    if context is None:
        return None
    for layer in context if isinstance(context, list) else [context]:
        for value in layer.flatten().values():
            if isinstance(value, cls):
                return value
    return None


def _strategy(form_field: forms.Field) -> st.SearchStrategy[Any]:
    """Input for one field: nasty text always; its real choices and files where it takes them."""
    if isinstance(form_field, forms.FileField):
        return st.one_of(FILES, TEXT)
    options: list[st.SearchStrategy[Any]] = [TEXT, st.lists(TEXT, min_size=2, max_size=3)]
    choices = getattr(form_field, "choices", None)
    if choices:
        values = [str(k) for k, _ in choices if not isinstance(_, list | tuple)]
        if values:
            options.append(st.sampled_from(values))
    if isinstance(form_field, forms.BooleanField):
        options.append(st.sampled_from(["on", "true", "false", ""]))
    return st.one_of(*options)


def _fresh(data: dict[str, Any]) -> dict[str, Any]:
    """Uploaded files are read once: give every request its own copy."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)
            out[key] = SimpleUploadedFile(value.name, value.read(), value.content_type)
        else:
            out[key] = value
    return out


def _check(
    response: HttpResponse, cls: type[forms.BaseForm], before: dict[str, int], target: Target
) -> None:
    assert response.status_code < 500
    body = b"" if getattr(response, "streaming", False) else response.content
    text = body.decode("utf-8", "replace")
    for marker in RAW_MARKERS:
        assert marker not in text, f"unescaped script echoed back by {cls.__name__}"
    if response.status_code in (301, 302, 303):
        return  # saved (wholly: one transaction per request), or refused with a message
    assert _counts() == before, f"{cls.__name__}: rows changed although nothing was accepted"
    form = _form_in(response, cls)
    if target.ignores_invalid:
        assert form is None or not form.is_bound or response.status_code == 200
        return
    if response.status_code == 200 and form is not None and form.is_bound and form.errors:
        assert "govuk-error-message" in text or "govuk-error-summary" in text
        for messages in form.errors.values():
            assert all(str(m).strip() for m in messages)


FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _form_class(name: str) -> type[forms.BaseForm]:
    module, _, qualname = name.rpartition(".")
    cls: type[forms.BaseForm] = getattr(importlib.import_module(module), qualname)
    return cls


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_form(name: str, world: World, client_as: Callable[[str], Client]) -> None:
    cls = _form_class(name)
    target = TARGETS[name]
    if target.prepare:
        target.prepare(world)
    client = client_as(target.role)
    if target.session:
        session = client.session
        session.update(target.session(world))
        session.save()
    url = target.url(world)
    shown = client.get(target.page(world) if target.page else url)
    assert shown.status_code == 200, f"{name}: the page with the form answered {shown.status_code}"
    form = cls() if target.standalone else _form_in(shown, cls)
    assert form is not None, f"{name}: the page does not show a {cls.__name__}"
    fields = {form.add_prefix(n): f for n, f in form.fields.items()}
    baseline = (
        target.baseline(world)
        if target.baseline is not None
        else {form.add_prefix(n): "" if (v := form[n].value()) is None else v for n in form.fields}
    )

    def send(posted: dict[str, Any]) -> None:
        with transaction.atomic():
            before = _counts()
            if target.method == "GET":
                response = client.get(url, posted)
            else:
                response = client.post(url, posted)
            _check(response, cls, before, target)
            transaction.set_rollback(True)

    # Every free-text field at once, each time with one payload, so that a value that gets
    # through validation reaches the database and the page that shows it.
    texts = [k for k, f in fields.items() if type(f) in (forms.CharField, LimitedText)]
    for payload in (XSS, XSS_ATTR, "a\x00b", '=HYPERLINK("x")', "Ünïcödé 🙂"):
        if texts:
            send({**_fresh(baseline), **dict.fromkeys(texts, payload)})

    @FUZZ_SETTINGS
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        chosen = data.draw(
            st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4, unique=True),
            label="fields",
        )
        posted = _fresh(baseline)
        for key in chosen:
            posted[key] = data.draw(_strategy(fields[key]), label=key)
        send(posted)

    run()


# ---- the framework loader (core; the case-list importer is fuzzed in tests/core) ----------

SHIPPED_2021 = shipped_framework_paths()["hmip-youth-2021"].read_text(encoding="utf-8")
_SCALAR_LINES = [
    i
    for i, line in enumerate(SHIPPED_2021.splitlines())
    if ":" in line and line.split(":", 1)[1].strip() and not line.lstrip().startswith("#")
]
YAML_VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "[]",
            "{}",
            "-1",
            "1e400",
            ".nan",
            "'=HYPERLINK(\"x\")'",
            '"<script>alert(1)</script>"',
            "no_such_rating",
            "yes",
            "&anchor",
            "*missing_alias",
            "!!python/object:os.system",
            "[1, [2, [3]]]",
            "'" + "x" * 5000 + "'",
            '"\\0"',
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
)


def _assert_clear(error: FrameworkError, source: str) -> None:
    assert error.problems, "a refused framework names at least one problem"
    for problem in error.problems:
        assert problem.field and problem.message.strip()
        assert problem.line is None or problem.line >= 1
    assert str(error).startswith(f"{source}:")


@settings(max_examples=40, deadline=None)
@given(
    index=st.sampled_from(_SCALAR_LINES),
    value=YAML_VALUES,
    how=st.sampled_from(["replace", "delete", "duplicate"]),
)
def test_a_damaged_framework_file_is_refused_clearly_or_loads(
    index: int, value: str, how: str
) -> None:
    lines = SHIPPED_2021.splitlines()
    if how == "replace":
        key = lines[index].split(":", 1)[0]
        lines[index] = f"{key}: {value}"
    elif how == "delete":
        del lines[index]
    else:
        lines.insert(index, lines[index])
    try:
        framework = parse_framework("\n".join(lines) + "\n", "fuzzed.yaml")
    except FrameworkError as error:
        _assert_clear(error, "fuzzed.yaml")
    else:
        assert framework.id and framework.all_standards()


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_arbitrary_text_is_never_a_crash_of_the_framework_loader(text: str) -> None:
    try:
        parse_framework(text, "any.yaml")
    except FrameworkError as error:
        _assert_clear(error, "any.yaml")


def test_the_checks_fail_on_what_they_guard_against(users: dict[str, AbstractUser]) -> None:
    """The fuzz checks themselves: echoed script, a server error, rows saved on a refusal."""
    quiet = Target("lead", lambda w: "/")
    with pytest.raises(AssertionError, match="unescaped script"):
        _check(HttpResponse(f"<p>{XSS}</p>"), forms.Form, _counts(), quiet)
    with pytest.raises(AssertionError):
        _check(HttpResponse(status=500), forms.Form, _counts(), quiet)
    before = _counts()
    Membership.objects.create(
        inspection=Inspection.objects.create(
            service_name="X",
            framework=framework_version(),
            created_by=users["lead"],
            fieldwork_start=dt.date(2024, 1, 1),
        ),
        user=users["lead"],
        role=Role.LEAD,
    )
    with pytest.raises(AssertionError, match="rows changed"):
        _check(HttpResponse("refused"), forms.Form, before, quiet)
    _check(HttpResponse(status=302), forms.Form, before, quiet)  # a redirect: accepted


# ---- views that read a free-text field straight from the POST (no form class) -------------


def _prepare_disagreement(w: World) -> None:
    """A submitted first assessment and a moderation that answers one question differently."""
    primary = Assessment.objects.create(
        case=w.case, assessor=w.users["inspector"], state="submitted"
    )
    second = Assessment.objects.create(
        case=w.case, kind="moderation", assessor=w.users["moderator"], state="submitted"
    )
    for assessment, value in ((primary, "yes"), (second, "no")):
        Answer.objects.create(
            assessment=assessment,
            key_question="2.1.desistance",
            value=value,
            updated_by=assessment.assessor,
        )


RAW_TARGETS: dict[str, tuple[Target, tuple[str, ...]]] = {
    "transition note": (
        Target(
            "lead",
            _url("inspections:transition"),
            lambda w: {"to": w.inspection.next_state() or "", "note": "moving on"},
        ),
        ("note", "to"),
    ),
    "return reason": (
        Target(
            "moderator",
            lambda w: reverse(
                "inspections:return_assessment",
                kwargs={"pk": w.inspection.pk, "case_pk": w.case.pk},
            ),
            lambda w: {"reason": "Please add the risk plan"},
            prepare=_prepare_disagreement,
        ),
        ("reason", "kind"),
    ),
    "resolution note": (
        Target(
            "moderator",
            lambda w: reverse(
                "inspections:resolve",
                kwargs={"pk": w.inspection.pk, "case_pk": w.case.pk, "kq": "2.1.desistance"},
            ),
            lambda w: {"value": "no", "note": "Agreed at moderation", "back": "page=1"},
            prepare=_prepare_disagreement,
        ),
        ("value", "note", "back"),
    ),
}


@pytest.mark.parametrize("name", sorted(RAW_TARGETS))
def test_fuzz_free_text_posts(name: str, world: World, client_as: Callable[[str], Client]) -> None:
    """Never a server error (NUL bytes included, which PostgreSQL refuses), script escaped on
    the page the redirect leads to."""
    target, names = RAW_TARGETS[name]
    if target.prepare:
        target.prepare(world)
    client = client_as(target.role)
    url = target.url(world)
    assert target.baseline is not None
    baseline = target.baseline(world)

    def send(posted: dict[str, Any]) -> None:
        with transaction.atomic():
            response = client.post(url, posted, follow=True)
            assert response.status_code < 500
            text = response.content.decode("utf-8", "replace")
            assert not any(m in text for m in RAW_MARKERS), f"{name}: unescaped script"
            transaction.set_rollback(True)

    with transaction.atomic():  # the baseline is accepted: the fuzz reaches the saving code
        accepted = client.post(url, baseline, follow=True)
        assert accepted.redirect_chain, f"{name}: the baseline post was not accepted"
        assert "govuk-notification-banner--success" in accepted.content.decode(), name
        transaction.set_rollback(True)
    for payload in (XSS, "a\x00b", "=cmd|' /C calc'!A0"):
        send({**baseline, names[0]: payload})

    @FUZZ_SETTINGS
    @given(
        st.dictionaries(
            st.sampled_from(names),
            st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=2)),
            min_size=1,
        )
    )
    def run(changes: dict[str, Any]) -> None:
        send({**baseline, **changes})

    run()
