"""`manage.py load_demo [--seed N] [--reset]`: a FICTITIOUS inspection to show and try the app.

Creates demo users (one password for all: YJ_DEMO_PASSWORD, or a default that is printed) and
the "Demoshire Youth Justice Service" inspection in moderation: a generated case list, a drawn
sample, cases allocated and assessed, a few second assessments with disagreements, judgements,
one professional discretion, some evidence, practice examples and the report's words (foreword,
background, involvement, a narrative per standard, recommendations to three bodies), and outcome
indicators computed from FICTITIOUS records with ILLUSTRATIVE national comparators (once: an
inspection that has them keeps them). Running it again changes nothing but the demo users'
password; `--reset` deletes the demo inspection and builds it afresh.

Everything is made up: case references like DEMO-C0001, case managers like CM07, meetings
described by role. Never load it into a database that holds a real inspection's users.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from yjinspect.core.caselist import CaseRow
from yjinspect.core.indicators import Rules
from yjinspect.core.published import parse_published
from yjinspect.core.ratings import Counts, InspectionRating, RatingInputs, StandardResult, rate
from yjinspect.core.ratings import Judgement as CoreJudgement
from yjinspect.core.sampling import derive_seed, eligibility_window
from yjinspect.demo import legacy as legacy_demo
from yjinspect.demo import narrative
from yjinspect.demo.generator import generate_answers, generate_case_list
from yjinspect.demo.outcomes import generate_outcome_files
from yjinspect.frameworks import Framework, shipped_framework_paths
from yjinspect.reports.content import BACKGROUND, DIVERSITY, FOREWORD, INVOLVEMENT, standard_key
from yjinspect.web.comparison.models import PublishedUpload
from yjinspect.web.comparison.services import store_upload
from yjinspect.web.outcomes import services as outcome_services
from yjinspect.web.outcomes.models import IndicatorRun

from ...models import (
    Answer,
    AnswerValue,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    CaseListImport,
    Discretion,
    EvidenceItem,
    EvidenceKind,
    FrameworkVersion,
    Inspection,
    Judgement,
    Membership,
    Recommendation,
    ReportText,
    Role,
    State,
    StateTransition,
)
from ...services import sampling as sample_service
from ...services.legacy_demo import build_sqs_demo
from ...services.ratings import rate_inspection

M = TypeVar("M", bound=models.Model)

SERVICE_NAME = "Demoshire Youth Justice Service"
FRAMEWORK_ID = "hmip-youth-2021"
FIELDWORK_START = dt.date(2024, 4, 8)
FIELDWORK_END = dt.date(2024, 4, 12)
CASE_COUNTS = {"court": 60, "out_of_court": 40, "resettlement": 0}
DEFAULT_SEED = 20240408
DEFAULT_PASSWORD = "demo-password-please-change"  # noqa: S105 - a demo, printed on purpose
PUBLISHED_CSV = Path(legacy_demo.__file__).with_name("published-results.csv")
PASSWORD_ENV = "YJ_DEMO_PASSWORD"  # noqa: S105 - the name of a variable, not a password
CASE_LIST_FILENAME = "demoshire-case-list.csv"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role | None
    staff: bool = False
    superuser: bool = False
    name: tuple[str, str] = ("", "")  # first and last name: the lead's is printed in the report


DEMO_USERS = (
    DemoUser("demo-lead", Role.LEAD, staff=True, name=("Alex", "Morgan")),
    DemoUser("demo-inspector", Role.INSPECTOR),
    DemoUser("demo-inspector2", Role.INSPECTOR),
    DemoUser("demo-moderator", Role.MODERATOR),
    DemoUser("demo-viewer", Role.SERVICE_VIEWER),
    DemoUser("demo-admin", None, staff=True, superuser=True),
)
INSPECTORS = ("demo-inspector", "demo-inspector2")

# Chances of a Yes per key question, chosen so the ratings are worth looking at: 2.4 Reviewing
# comes out as Requires improvement (keeping other people safe is the weak spot), 3.1 is strong
# and one key question short of Outstanding, the rest Good. The answers are random draws, so
# `_choose_answers` tries derived seeds until the pattern holds (usually within a few tries).
RATES: Mapping[str, float] = {
    **{
        f"{standard}.{lens}": 0.76
        for standard in ("2.1", "2.2", "2.3", "3.2", "3.3")
        for lens in ("desistance", "child_safety", "others_safety")
    },
    "2.4.desistance": 0.70,
    "2.4.child_safety": 0.70,
    "2.4.others_safety": 0.57,
    "3.1.desistance": 0.90,
    "3.1.child_safety": 0.88,
    "3.1.others_safety": 0.80,
}
NA_RATE = 0.03
MAX_ANSWER_TRIES = 400

JUDGEMENTS: Mapping[str, tuple[str, str, Sequence[str], Sequence[str]]] = {
    "1.1": (
        "good",
        "The management board is well attended by senior partners and knows the children the "
        "service works with. Its oversight of disproportionality is still developing.",
        (
            "The board chair has a clear vision that staff and partners understand",
            "Board members visit the service and hear from children directly",
        ),
        ("Board reports do not yet analyse outcomes for over-represented groups",),
    ),
    "1.2": (
        "good",
        "Staff are well supported, caseloads are manageable and supervision is regular. "
        "Training on exploitation has been well received.",
        (
            "Case managers described supervision as frequent and reflective",
            "Volunteers are trained and valued",
        ),
        ("Managers' oversight of risk of harm is not always recorded",),
    ),
    "1.3": (
        "good",
        "A good range of services meets most children's needs, including speech and language "
        "support and a strong reparation offer. Access to mental health support can be slow.",
        (
            "Speech and language screening is routine for every child",
            "Reparation projects are meaningful to children and the community",
        ),
        ("Waiting times for mental health assessment are too long",),
    ),
    "1.4": (
        "good",
        "Policies are up to date and easy to find. Performance information is used well, "
        "though quality assurance does not yet check work to keep other people safe.",
        ("Staff find policies and guidance quickly on the intranet",),
        ("Quality assurance should look at work to keep other people safe",),
    ),
    "3.4": (
        "good",
        "The out-of-court policy is clear and practitioners use it. The joint decision-making "
        "panel is well attended and decisions are child first.",
        (
            "Children are offered the same interventions as children sentenced in court",
            "The panel records clear reasons for its decisions",
        ),
        ("Follow-up of community resolutions given on the street is inconsistent",),
    ),
    "4.1": (
        "",
        "No children were sentenced to custody or released from custody in the inspection "
        "timescale, so resettlement is not rated.",
        (),
        (),
    ),
}

# (standard, kind, title, attendees by role, notes), all fictitious.
EVIDENCE: Sequence[tuple[str, str, str, str, str]] = (
    (
        "1.1",
        EvidenceKind.MEETING,
        "Meeting with the management board",
        "Board chair; Head of service; Police representative; Education representative",
        "Discussed the board's priorities and how it hears from children and families.",
    ),
    (
        "1.2",
        EvidenceKind.MEETING,
        "Focus group with case managers",
        "Six case managers; One volunteer coordinator",
        "Staff described manageable caseloads and supportive supervision.",
    ),
    (
        "1.3",
        EvidenceKind.MEETING,
        "Meeting with partnership service leads",
        "Speech and language therapist; Education worker; Health practitioner",
        "Reviewed the range of services and the waiting times for mental health support.",
    ),
    (
        "3.4",
        EvidenceKind.MEETING,
        "Observation of the joint decision-making panel",
        "Panel chair; Police officer; Case manager; Victim worker",
        "Four decisions observed; each recorded the child's views and the reasons for it.",
    ),
)

EVIDENCE_NOTES: Mapping[tuple[str, str], str] = {
    ("desistance", "yes"): (
        "The assessment draws on education and health information and records the child's "
        "own account of the offence and what would help them stop."
    ),
    ("desistance", "no"): (
        "The assessment describes the offence but does not explore why it happened or what "
        "the child's strengths are."
    ),
    ("child_safety", "yes"): (
        "Concerns about exploitation were spotted early and shared with children's social "
        "care; the plan to keep the child safe is clear."
    ),
    ("child_safety", "no"): (
        "Known concerns about the child going missing were not analysed, and the child's "
        "social worker was not contacted."
    ),
    ("others_safety", "yes"): (
        "Police information about earlier incidents was used to analyse the risk to other "
        "children at school, and contingency plans follow from it."
    ),
    ("others_safety", "no"): (
        "Earlier violent incidents recorded by the police were not considered, so the risk "
        "to other people is underestimated."
    ),
}
NA_REASONS = {
    "2.4": "The order ended before a review was due.",
    "others_safety": "No risk to other people was identified, and nothing suggested one.",
}
NA_REASON_DEFAULT = "The question did not apply to this case."
INTERVIEW_SHARE = 0.85


class Command(BaseCommand):
    help = "Load the fictitious Demoshire inspection and its demo users (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="seed for the generated data"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo inspection and build it again"
        )
        parser.add_argument(
            "--serve-at",
            default="127.0.0.1:8000",
            help="host:port the server will run on, for the address printed at the end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        seed: int = options["seed"]
        password = os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD
        if password == DEFAULT_PASSWORD and getattr(settings, "PRODUCTION", False):
            raise CommandError(
                f"This is a production site: set {PASSWORD_ENV} before loading the demo, so its "
                "site administrator does not have the published default password."
            )
        with transaction.atomic():
            users = ensure_users(password)
            if options["reset"]:
                for old in demo_inspections(users):
                    old_id = old.pk
                    old.delete()
                    self.stdout.write(f"Deleted the demo inspection (id {old_id}).")
                for old in legacy_demo_inspections(users):
                    old.delete()
            inspection = demo_inspections(users).first()
            if inspection is None:
                inspection = build_demo(users, seed)
                self.stdout.write(f"Created the demo inspection {inspection} (seed {seed}).")
            else:
                self.stdout.write(
                    f"The demo inspection already exists (id {inspection.pk}); "
                    "use --reset to build it again."
                )
            run = load_outcome_indicators(inspection, users["demo-lead"], seed)
            if run is not None:
                self.stdout.write(
                    f"Stored outcome indicators from {run.case_rows:,} FICTITIOUS records "
                    "(national comparators ILLUSTRATIVE)."
                )
            if not legacy_demo_inspections(users).exists():
                earlier = build_sqs_demo(
                    users["demo-lead"],
                    [users[name] for name in INSPECTORS],
                    users["demo-moderator"],
                )
                self.stdout.write(f"Created the earlier-programme demo inspection {earlier}.")
            loaded = load_published_results(users["demo-admin"])
            if loaded:
                self.stdout.write(f"Loaded {loaded} published figures from {PUBLISHED_CSV.name}.")
        result = rate_inspection(inspection)
        overall = result.overall_rating.label if result.overall_rating else result.not_rated_label
        self.stdout.write(f"Ratings: {overall}, score {result.score} of {result.max_score}.")
        self.stdout.write("")
        self.stdout.write("Demo users (FICTITIOUS DATA, for demonstration only):")
        for user in DEMO_USERS:
            what = user.role.label if user.role else "Site administrator"
            self.stdout.write(f"  {user.username:<16} {what}")
        self.stdout.write(f"Password for all of them: {password}")
        if password == DEFAULT_PASSWORD:
            self.stdout.write(f"  (set {PASSWORD_ENV} to choose another)")
        self.stdout.write(
            f"Open http://{options['serve_at']}/inspections/{inspection.pk}/ once the server "
            "runs (make run)."
        )
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")


def legacy_demo_inspections(users: Mapping[str, User]) -> models.QuerySet[Inspection]:
    """The demo's earlier-programme (SQS) inspection, for comparing a service over time."""
    return Inspection.objects.filter(
        service_name=legacy_demo.SERVICE_NAME, created_by=users["demo-lead"]
    ).order_by("pk")


def load_outcome_indicators(inspection: Inspection, lead: User, seed: int) -> IndicatorRun | None:
    """The demo's outcome indicators, for its report background and board dashboard, once.

    FICTITIOUS records and population with ILLUSTRATIVE comparators go through the outcomes
    app's own checks, computation and storage, as the lead's upload would, so the demo shows
    what a real run stores. An inspection that already has a run is left alone (None).
    """
    if IndicatorRun.objects.filter(inspection=inspection).exists():
        return None
    demo = generate_outcome_files(derive_seed(seed, "demo-outcomes"))
    try:
        files = outcome_services.IndicatorFiles(
            cases_name=demo.records_name,
            cases=demo.records_csv.encode("utf-8"),
            population_name=demo.population_name,
            population=demo.population_csv.encode("utf-8"),
            period=demo.period,
            cohort=demo.cohort,
            rules=Rules(),
            comparators=outcome_services.comparators_from_csv(demo.comparators_csv.encode("utf-8")),
            comparator_source=demo.comparator_source,
        )
        # as at the fieldwork, so the notes (e.g. "provisional") are those the team would see
        checked = outcome_services.check_files(files, as_of=FIELDWORK_START)
    except outcome_services.ProblemsFound as found:
        listed = "; ".join(
            f"{p.file} row {p.row}, {p.column}: {p.message}" for p in found.problems[:5]
        )
        raise CommandError(
            f"The demo's generated outcome files fail the checks: {listed}"
        ) from None
    with _history_by(lead):
        return outcome_services.store_run(inspection, checked, lead)


@contextmanager
def _history_by(user: User) -> Iterator[None]:
    """Attribute the history rows written inside to `user`, as the request middleware would for
    a signed-in upload (the outcomes service saves its own rows, so `_as_author` cannot)."""
    context = HistoricalRecords.context
    outer = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if outer is None:
            del context.request
        else:
            context.request = outer


def load_published_results(user: User) -> int:
    """The shipped published results (seed figures and FICTITIOUS services), once.

    They give the comparison pages something to compare; a second run finds them stored.
    """
    if not PUBLISHED_CSV.exists() or PublishedUpload.objects.exists():
        return 0
    text = PUBLISHED_CSV.read_text(encoding="utf-8")
    figures = parse_published(text)
    store_upload(figures, text, PUBLISHED_CSV.name, user)
    return len(figures)


def demo_inspections(users: Mapping[str, User]) -> models.QuerySet[Inspection]:
    return Inspection.objects.filter(
        service_name=SERVICE_NAME, created_by=users["demo-lead"]
    ).order_by("pk")


def ensure_users(password: str) -> dict[str, User]:
    """Create the demo users or bring them back to their demo settings and password."""
    hashed = make_password(password)  # hashed once: hashing is deliberately slow
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.password = hashed
        user.is_active = True
        user.is_staff = spec.staff
        user.is_superuser = spec.superuser
        user.first_name, user.last_name = spec.name
        user.save()
        users[spec.username] = user
    return users


def framework_version() -> FrameworkVersion:
    source = shipped_framework_paths()[FRAMEWORK_ID].read_text(encoding="utf-8")
    return FrameworkVersion.store(source, FRAMEWORK_ID)


def _as_author(obj: M, user: User) -> M:
    """Attribute the history row that saving `obj` writes (there is no request to take it from)."""
    obj._history_user = user  # type: ignore[attr-defined]
    return obj


def build_demo(users: Mapping[str, User], seed: int) -> Inspection:
    lead = users["demo-lead"]
    version = framework_version()
    framework = version.framework
    window_start, window_end = eligibility_window(
        FIELDWORK_START, framework.sampling.windows["court"]
    )
    inspection = _as_author(
        Inspection(
            service_name=SERVICE_NAME,
            framework=version,
            fieldwork_start=FIELDWORK_START,
            fieldwork_end=FIELDWORK_END,
            window_start=window_start,
            window_end=window_end,
            created_by=lead,
        ),
        lead,
    )
    inspection.save()
    for spec in DEMO_USERS:
        if spec.role is not None:
            _as_author(
                Membership(inspection=inspection, user=users[spec.username], role=spec.role), lead
            ).save()

    rows = generate_case_list(
        seed,
        CASE_COUNTS["court"],
        CASE_COUNTS["out_of_court"],
        CASE_COUNTS["resettlement"],
        FIELDWORK_START,
    )
    _import_cases(inspection, rows, lead)
    sample_service.draw(inspection, seed=seed, sizes=None, by=lead)
    sampled = list(inspection.cases.filter(in_sample=True).order_by("sample_order"))
    _allocate(sampled, users, seed)
    _move_to(inspection, State.FIELDWORK, lead, "Case list imported, sample drawn and allocated.")

    judgements = {
        sid: CoreJudgement(sid, rating or None, rationale)
        for sid, (rating, rationale, _, _) in JUDGEMENTS.items()
    }
    answers = _choose_answers(framework, sampled, judgements, seed)
    primaries = _record_assessments(sampled, answers, users, seed)
    _moderate(sampled, primaries, users, seed)
    _move_to(inspection, State.MODERATION, lead, "Fieldwork finished; moderating.")

    for sid, (rating, rationale, strengths, improve) in JUDGEMENTS.items():
        _as_author(
            Judgement(
                inspection=inspection,
                standard_id=sid,
                rating=rating,
                rationale=rationale,
                strengths="\n".join(strengths),
                areas_for_improvement="\n".join(improve),
                decided_by=lead,
            ),
            lead,
        ).save()
    for sid, kind, title, attendees, notes in EVIDENCE:
        _as_author(
            EvidenceItem(
                inspection=inspection,
                standard_id=sid,
                kind=kind,
                title=title,
                held_on=FIELDWORK_START + dt.timedelta(days=len(title) % 4),
                attendees=attendees,
                notes=notes,
                added_by=lead,
            ),
            lead,
        ).save()
    _add_discretion(inspection, framework, lead)
    _write_report_texts(inspection, users)
    return inspection


def _mark_practice_examples(
    sampled: Sequence[Case], assessments: Sequence[Assessment], rng: random.Random
) -> None:
    """Flag a few cases per domain as practice examples, each with an invented note."""
    for domain, notes in narrative.PRACTICE_EXAMPLES.items():
        in_domain = [
            a for case, a in zip(sampled, assessments, strict=True) if case.domain == domain
        ]
        for assessment, note in zip(
            rng.sample(in_domain, k=min(len(notes), len(in_domain))), notes, strict=False
        ):
            assessment.practice_example = True
            assessment.practice_example_note = note


def _write_report_texts(inspection: Inspection, users: Mapping[str, User]) -> None:
    """The report's words: the lead writes the foreword, background, involvement, diversity and the
    recommendations; the inspectors write the standards' narratives (saved with history)."""
    lead = users["demo-lead"]
    texts = {
        FOREWORD: (narrative.FOREWORD, lead),
        BACKGROUND: (narrative.BACKGROUND, lead),
        INVOLVEMENT: (narrative.INVOLVEMENT, lead),
        DIVERSITY: (narrative.DIVERSITY, lead),
    }
    for index, (standard_id, text) in enumerate(narrative.STANDARDS.items()):
        texts[standard_key(standard_id)] = (text, users[INSPECTORS[index % len(INSPECTORS)]])
    for key, (text, author) in texts.items():
        _as_author(
            ReportText(inspection=inspection, key=key, text_en=text, updated_by=author), author
        ).save()
    for order, (body, text) in enumerate(narrative.RECOMMENDATIONS, 1):
        _as_author(
            Recommendation(
                inspection=inspection,
                addressed_to=body,
                text_en=text,
                order=order,
                updated_by=lead,
            ),
            lead,
        ).save()


def _move_to(inspection: Inspection, state: State, by: User, note: str) -> None:
    StateTransition.objects.create(
        inspection=inspection, from_state=inspection.state, to_state=state, by=by, note=note
    )
    inspection.state = state
    _as_author(inspection, by).save()


def _import_cases(inspection: Inspection, rows: Sequence[CaseRow], by: User) -> list[Case]:
    imported = CaseListImport.objects.create(
        inspection=inspection, filename=CASE_LIST_FILENAME, rows=len(rows), by=by
    )
    cases = [
        Case(
            inspection=inspection,
            case_ref=row.case_ref,
            domain=row.domain,
            disposal_type=row.disposal_type,
            start_date=row.start_date,
            end_date=row.end_date,
            case_manager=row.case_manager,
            risk_of_harm=row.risk_of_harm,
            safety_wellbeing=row.safety_wellbeing,
            sex=row.sex or "",
            ethnicity_group=row.ethnicity_group or "",
            age=row.age,
            looked_after=row.looked_after,
            custody=row.custody,
            imported_by=imported,
        )
        for row in rows
    ]
    created: list[Case] = bulk_create_with_history(cases, Case, default_user=by)
    return created


def _allocate(sampled: Sequence[Case], users: Mapping[str, User], seed: int) -> None:
    """Alternate cases between the inspectors; record most case-manager interviews."""
    rng = random.Random(derive_seed(seed, "demo-interviews"))
    for index, case in enumerate(sampled):
        case.assessor = users[INSPECTORS[index % len(INSPECTORS)]]
        interviewed = rng.random() < INTERVIEW_SHARE
        case.case_manager_interviewed = interviewed
        case.interview_date = FIELDWORK_START + dt.timedelta(days=rng.randint(0, 3))
        if not interviewed:
            case.interview_date = None
    bulk_update_with_history(
        list(sampled),
        Case,
        ["assessor", "case_manager_interviewed", "interview_date"],
        default_user=users["demo-lead"],
    )


# ---- answers -----------------------------------------------------------------------------


def _counts(answers: Sequence[tuple[str, str, str]]) -> dict[str, Counts]:
    tally: Counter[tuple[str, str]] = Counter((kq, value) for _, kq, value in answers)
    kqs = {kq for _, kq, _ in answers}
    return {kq: Counts(tally[kq, "yes"], tally[kq, "no"], tally[kq, "na"]) for kq in kqs}


def _one_short_of_next_band(framework: Framework, result: StandardResult) -> str | None:
    """The key question whose one more Yes would lift a case-rated standard a band, if one
    would: it must be the only key question below the next band."""
    if result.rating_method != "cases" or result.computed_rating is None:
        return None
    bands = framework.case_bands  # highest first
    index = next(i for i, b in enumerate(bands) if b.rating == result.computed_rating.id)
    if index == 0:
        return None
    line = Fraction(bands[index - 1].min_percent) / 100
    below = [kq for kq in result.key_questions if kq.fraction is not None and kq.fraction < line]
    if len(below) != 1:
        return None
    kq = below[0]
    return kq.id if Fraction(kq.yes + 1, kq.applicable) >= line else None


def _interesting(framework: Framework, rating: InspectionRating) -> bool:
    """One case-rated standard Requires improvement, none Outstanding yet, the rest Good, and
    one Good standard one Yes short of Outstanding (for the professional discretion)."""
    computed = [
        s.computed_rating.id if s.computed_rating else None
        for s in rating.standards
        if s.rating_method == "cases"
    ]
    counts = Counter(computed)
    return (
        counts["requires_improvement"] == 1
        and counts["good"] == len(computed) - 1
        and any(
            s.computed_rating is not None
            and s.computed_rating.id == "good"
            and _one_short_of_next_band(framework, s) is not None
            for s in rating.standards
        )
    )


def _choose_answers(
    framework: Framework,
    sampled: Sequence[Case],
    judgements: Mapping[str, CoreJudgement],
    seed: int,
) -> list[tuple[str, str, str]]:
    """Generated answers whose ratings make a useful demo; the first try that does, so the same
    seed always gives the same answers."""
    cases = [(case.case_ref, case.domain) for case in sampled]
    by_domain = dict(Counter(case.domain for case in sampled))
    first: list[tuple[str, str, str]] | None = None
    for attempt in range(MAX_ANSWER_TRIES):
        answers: list[tuple[str, str, str]] = list(
            generate_answers(
                derive_seed(seed, "demo-answers", attempt), framework, cases, RATES, NA_RATE
            )
        )
        first = first or answers
        inputs = RatingInputs(_counts(answers), judgements, {}, by_domain)
        if _interesting(framework, rate(framework, inputs)):
            return answers
    assert first is not None
    return first


def _record_assessments(
    sampled: Sequence[Case],
    answers: Sequence[tuple[str, str, str]],
    users: Mapping[str, User],
    seed: int,
) -> dict[str, Assessment]:
    """A submitted primary assessment per sampled case, with its answers and a few notes."""
    rng = random.Random(derive_seed(seed, "demo-assessments"))
    by_ref = {case.case_ref: case for case in sampled}
    assessments = []
    for case in sampled:
        assert case.assessor is not None
        assessments.append(
            _as_author(
                Assessment(
                    case=case,
                    kind=AssessmentKind.PRIMARY,
                    assessor=case.assessor,
                    state=AssessmentState.SUBMITTED,
                ),
                case.assessor,
            )
        )
    _mark_practice_examples(sampled, assessments, rng)
    created: list[Assessment] = bulk_create_with_history(assessments, Assessment)
    refs = {case.pk: case.case_ref for case in sampled}
    primaries = {refs[a.case_id]: a for a in created}
    noted = set(rng.sample(range(len(answers)), k=min(8, len(answers))))
    rows = []
    for index, (case_ref, kq, value) in enumerate(answers):
        assessor = by_ref[case_ref].assessor
        assert assessor is not None
        standard_id, _, lens = kq.rpartition(".")
        na_reason = ""
        if value == AnswerValue.NA:
            na_reason = NA_REASONS.get(standard_id) or NA_REASONS.get(lens) or NA_REASON_DEFAULT
        # Every No is submitted with its evidence (the form insists); some Yeses have notes too.
        written = index in noted or value == AnswerValue.NO
        evidence = EVIDENCE_NOTES.get((lens, value), "") if written else ""
        rows.append(
            _as_author(
                Answer(
                    assessment=primaries[case_ref],
                    key_question=kq,
                    value=value,
                    na_reason=na_reason,
                    evidence=evidence,
                    updated_by=assessor,
                ),
                assessor,
            )
        )
    bulk_create_with_history(rows, Answer, batch_size=500)
    return primaries


def _moderate(
    sampled: Sequence[Case],
    primaries: Mapping[str, Assessment],
    users: Mapping[str, User],
    seed: int,
) -> None:
    """Second assessments of five cases by the moderator: they agree with all but two answers;
    one disagreement is settled (the first answer stands, with a note), the other is open."""
    moderator, lead = users["demo-moderator"], users["demo-lead"]
    rng = random.Random(derive_seed(seed, "demo-moderation"))
    court = [c for c in sampled if c.domain == "court"]
    out_of_court = [c for c in sampled if c.domain == "out_of_court"]
    chosen = rng.sample(court, k=min(3, len(court))) + rng.sample(
        out_of_court, k=min(2, len(out_of_court))
    )
    chosen.sort(key=lambda c: c.case_ref)
    if not chosen:
        return
    seconds = bulk_create_with_history(
        [
            Assessment(
                case=case,
                kind=AssessmentKind.MODERATION,
                assessor=moderator,
                state=AssessmentState.SUBMITTED,
            )
            for case in chosen
        ],
        Assessment,
        default_user=moderator,
    )
    flipped = {"yes": "no", "no": "yes", "na": "yes"}
    disagree = {chosen[0].case_ref: 0, chosen[-1].case_ref: 1}  # case -> which disagreement
    copies: list[Answer] = []
    settled: Answer | None = None
    open_case: str | None = None
    for case, second in zip(chosen, seconds, strict=True):
        firsts = list(Answer.objects.filter(assessment=primaries[case.case_ref]).order_by("pk"))
        differ = (
            firsts[rng.randrange(len(firsts))] if case.case_ref in disagree and firsts else None
        )
        for answer in firsts:
            value = flipped[answer.value] if answer is differ else answer.value
            copies.append(
                Answer(
                    assessment=second,
                    key_question=answer.key_question,
                    value=value,
                    na_reason=answer.na_reason if value == AnswerValue.NA else "",
                    updated_by=moderator,
                )
            )
        if differ is not None and disagree[case.case_ref] == 0:
            settled = differ
        elif differ is not None:
            open_case = case.case_ref
    bulk_create_with_history(copies, Answer, default_user=moderator, batch_size=500)
    if settled is not None:
        settled.resolution_note = (
            "Discussed with the moderator: the case record shows the work was done, so the "
            "first answer stands."
        )
        settled.version += 1
        settled.updated_by = lead
        _as_author(settled, lead).save()
    for case in chosen:
        if case.case_ref != open_case:
            primary = primaries[case.case_ref]
            primary.state = AssessmentState.AGREED
            _as_author(primary, moderator).save()


def _add_discretion(inspection: Inspection, framework: Framework, lead: User) -> None:
    """Lift a Good standard one band where its only key question below Outstanding is one
    case short, with a reason; removed again if the rating engine would not apply it."""
    for result in rate_inspection(inspection).standards:
        kq_id = _one_short_of_next_band(framework, result)
        if kq_id is None or result.computed_rating is None:
            continue
        kq = next(k for k in result.key_questions if k.id == kq_id)
        bands = [band.rating for band in framework.case_bands]  # highest first
        target = bands[bands.index(result.computed_rating.id) - 1]
        discretion = Discretion(
            inspection=inspection,
            standard_id=result.id,
            rating=target,
            reason=(
                f"{kq_id} is one case short of the {framework.rating_label(target)} band "
                f"({kq.yes} of {kq.applicable}). In the case that fell short, the work was done "
                "but recorded late; across the sample the work for this standard was "
                "consistently thorough, so the inspectors judged it "
                f"{framework.rating_label(target)}."
            ),
            decided_by=lead,
        )
        _as_author(discretion, lead).save()
        if rate_inspection(inspection).standard(result.id).discretion_problem is None:
            return
        discretion.delete()
