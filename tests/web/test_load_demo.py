"""`manage.py load_demo`: a fictitious inspection worth looking at, loaded once however often run."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation
from simple_history.models import HistoricalRecords

from yjinspect.core.caselist import looks_like_a_name
from yjinspect.demo import applicable_key_questions
from yjinspect.web.comparison.models import PublishedResult, PublishedUpload
from yjinspect.web.inspections.management.commands.load_demo import (
    DEFAULT_PASSWORD,
    SERVICE_NAME,
)
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentState,
    Case,
    Discretion,
    EvidenceItem,
    EvidenceKind,
    Inspection,
    Judgement,
    Membership,
    Recommendation,
    ReportText,
    Role,
    SampleDraw,
    State,
    StateTransition,
)
from yjinspect.web.inspections.services import sampling as sample_service
from yjinspect.web.inspections.services.assessments import agreement
from yjinspect.web.inspections.services.ratings import rate_inspection
from yjinspect.web.inspections.services.report import inspection_report
from yjinspect.web.inspections.views.report import standalone_html
from yjinspect.web.outcomes.models import IndicatorRun, StoredIndicator
from yjinspect.web.outcomes.services import indicator_results

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {
    "demo-lead",
    "demo-inspector",
    "demo-inspector2",
    "demo-moderator",
    "demo-viewer",
    "demo-admin",
}


def load(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_running_twice_loads_one_demo_with_everything_in_it() -> None:
    first = load()
    second = load()
    assert "already exists" in second
    # the 2024 inspection, an earlier-programme (SQS) one to compare with, and the published
    # figures for the comparison pages: each once, however often the command runs
    assert Inspection.objects.count() == 2
    assert Inspection.objects.filter(framework__framework_id="hmip-sqs").count() == 1
    assert PublishedUpload.objects.count() == 1
    assert PublishedResult.objects.filter(service="Bexley", item_id="overall").exists()
    assert PublishedResult.objects.filter(source__contains="FICTITIOUS").exists()
    inspection = Inspection.objects.get(service_name=SERVICE_NAME)
    assert inspection.service_name == SERVICE_NAME
    assert inspection.state == State.MODERATION
    assert inspection.framework.framework_id == "hmip-youth-2021"
    assert str(inspection.fieldwork_start) == "2024-04-08"
    assert [
        (t.from_state, t.to_state) for t in StateTransition.objects.filter(inspection=inspection)
    ] == [
        ("planning", "fieldwork"),
        ("fieldwork", "moderation"),
    ]
    assert DEFAULT_PASSWORD in first
    assert f"http://127.0.0.1:8000/inspections/{inspection.pk}/" in first

    # users and roles, not duplicated by the second run
    assert set(User.objects.values_list("username", flat=True)) == DEMO_USERNAMES
    roles = dict(
        Membership.objects.filter(inspection=inspection).values_list("user__username", "role")
    )
    assert roles == {
        "demo-lead": Role.LEAD,
        "demo-inspector": Role.INSPECTOR,
        "demo-inspector2": Role.INSPECTOR,
        "demo-moderator": Role.MODERATOR,
        "demo-viewer": Role.SERVICE_VIEWER,
    }
    assert User.objects.get(username="demo-lead").is_staff
    assert User.objects.get(username="demo-admin").is_superuser
    assert not User.objects.get(username="demo-inspector").is_staff
    assert User.objects.get(username="demo-viewer").check_password(DEFAULT_PASSWORD)

    # the case list, pseudonymous, and the sample drawn from it
    cases = Case.objects.filter(inspection=inspection)
    assert Counter(cases.values_list("domain", flat=True)) == {"court": 60, "out_of_court": 40}
    for ref, manager in cases.values_list("case_ref", "case_manager"):
        assert re.fullmatch(r"DEMO-[CO]\d{4}", ref) and not looks_like_a_name(ref)
        assert re.fullmatch(r"CM\d{2}", manager)
    sampled = list(cases.filter(in_sample=True).order_by("sample_order"))
    draw = SampleDraw.objects.get(inspection=inspection)
    assert len(sampled) == sum(len(d["selected"]) for d in draw.summary["domains"])
    assert sample_service.verify(inspection).matches  # the sample follows from its seed
    assert 40 < len(sampled) < 100
    assert [c.sample_order for c in sampled] == list(range(1, len(sampled) + 1))
    assert all(c.stratum for c in sampled)
    assert all(
        inspection.window_start <= c.start_date <= inspection.window_end  # type: ignore[operator]
        for c in sampled
    )
    assert {c.assessor.username for c in sampled if c.assessor} == {
        "demo-inspector",
        "demo-inspector2",
    }
    assert all(c.assessor is not None for c in sampled)
    interviewed = sum(bool(c.case_manager_interviewed) for c in sampled)
    assert len(sampled) * 0.6 < interviewed < len(sampled)
    assert not cases.filter(in_sample=False, assessor__isnull=False).exists()

    # a finished primary assessment per sampled case, answering its domain's key questions
    framework = inspection.framework.framework
    primaries = Assessment.objects.filter(case__inspection=inspection, kind=AssessmentKind.PRIMARY)
    assert primaries.count() == len(sampled)
    assert set(primaries.values_list("state", flat=True)) == {
        AssessmentState.SUBMITTED,
        AssessmentState.AGREED,
    }
    for primary in primaries.select_related("case", "assessor"):
        assert primary.assessor == primary.case.assessor
    answers = Answer.objects.filter(
        assessment__case__inspection=inspection, assessment__kind=AssessmentKind.PRIMARY
    )
    expected = sum(len(applicable_key_questions(framework, c.domain)) for c in sampled)
    assert answers.count() == expected
    assert not answers.filter(value="no", evidence="").exists()  # as submitting requires
    assert 3 <= answers.filter(value="yes").exclude(evidence="").count() <= 20
    assert not answers.filter(value="na", na_reason="").exists()
    # every answer has its history (bulk-created with history)
    all_answers = Answer.objects.filter(assessment__case__inspection=inspection)
    created = Answer.history.filter(history_type="+", id__in=all_answers.values("id"))
    assert created.count() == all_answers.count()
    assert Case.history.filter(history_type="+", inspection_id=inspection.pk).count() == 100

    # moderation: five second assessments, two disagreements, one settled
    seconds = Assessment.objects.filter(case__inspection=inspection, kind=AssessmentKind.MODERATION)
    assert seconds.count() == 5
    assert set(seconds.values_list("assessor__username", flat=True)) == {"demo-moderator"}
    summary = agreement(inspection)
    assert summary.cases_compared == 5
    assert len(summary.disagreements) == 2
    assert sorted(d.resolved for d in summary.disagreements) == [False, True]

    # judgements, evidence and ratings
    judged = {j.standard_id: j for j in Judgement.objects.filter(inspection=inspection)}
    for sid in ("1.1", "1.2", "1.3", "1.4", "3.4"):
        assert judged[sid].rating and judged[sid].rationale
        assert judged[sid].strengths and judged[sid].areas_for_improvement
    assert not judged.get("4.1") or not judged["4.1"].rating
    meetings = EvidenceItem.objects.filter(inspection=inspection, kind=EvidenceKind.MEETING)
    assert meetings.count() >= 3
    assert all(item.attendees for item in meetings)

    result = rate_inspection(inspection)
    assert result.score is not None and result.overall_rating is not None
    final = Counter(s.rating.id if s.rating else None for s in result.standards)
    assert final["requires_improvement"] == 1
    assert final["outstanding"] == 1
    assert final["good"] == 10
    assert result.standard("4.1").rating is None

    discretion = Discretion.objects.get(inspection=inspection)
    assert discretion.reason.strip()
    rated = result.standard(discretion.standard_id)
    assert rated.discretion_problem is None
    assert rated.discretion is not None
    assert rated.rating is not None and rated.computed_rating is not None
    assert rated.rating.id == discretion.rating != rated.computed_rating.id
    assert rated.next_band is not None and rated.next_band.startswith("one more Yes on")


def test_demo_report_reads_like_a_real_one() -> None:
    """Foreword, background, involvement, a narrative per standard, 4-6 recommendations to
    2-3 bodies and practice examples, all in the report, with no case reference in them."""
    load()
    inspection = Inspection.objects.get(service_name=SERVICE_NAME)
    framework = inspection.framework.framework
    texts = {t.key: t for t in ReportText.objects.filter(inspection=inspection)}
    wanted = {"foreword", "background", "involvement"} | {
        f"standard:{s.id}" for s in framework.all_standards()
    }
    assert wanted <= set(texts) and all(texts[k].text_en.strip() for k in wanted)
    assert {t.updated_by.username for t in texts.values()} >= {"demo-lead", "demo-inspector"}
    recs = Recommendation.objects.filter(inspection=inspection)
    assert 4 <= recs.count() <= 6
    assert 2 <= len(set(recs.values_list("addressed_to", flat=True))) <= 3
    examples = Assessment.objects.filter(
        case__inspection=inspection, practice_example=True
    ).exclude(practice_example_note="")
    assert {a.case.domain for a in examples} == {"court", "out_of_court"}
    with translation.override("en"):
        report = inspection_report(inspection)
    assert report.foreword.blocks and report.background_text.blocks
    assert report.involvement.blocks
    assert all(s.narrative.blocks for d in report.domains for s in d.standards)
    assert sum(len(g.items) for g in report.recommendations) == recs.count()
    assert sum(len(d.examples) for d in report.domains) == examples.count()
    refs = set(Case.objects.filter(inspection=inspection).values_list("case_ref", flat=True))
    words = " ".join(t.text_en for t in texts.values()) + " ".join(
        a.practice_example_note for a in examples
    )
    assert not any(ref in words for ref in refs)
    # The data annex puts the sample beside what it was drawn from and the whole list.
    assert report.diversity.blocks and report.acknowledgements.startswith(
        "This inspection was led by Alex Morgan"
    )
    rows = report.annex.composition
    assert report.annex.shows_eligible and all(r.eligible is not None for r in rows)
    assert all(r.sample <= (r.eligible or 0) <= r.listed for r in rows)
    assert any((r.eligible or 0) < r.listed for r in rows)  # some cases fall outside the window
    cases = sample_service.sampling_cases(inspection)
    windows = {d.domain: d.population for d in sample_service.overview(inspection, cases).infos}
    for domain in ("court", "out_of_court"):
        label = next(c.label for c in framework.case_domains if c.id == domain)
        assert sum(r.eligible or 0 for r in rows if r.domain == label) == windows[domain]


def test_demo_has_outcome_indicators_with_comparators_in_its_report_once() -> None:
    """FICTITIOUS records stored through the outcomes app, attributed to the lead; the report's
    background states first-time entrants, reoffending and custody beside the ILLUSTRATIVE
    England and Wales figures; running again adds nothing, and an older demo without
    indicators gets them."""
    load()
    inspection = Inspection.objects.get(service_name=SERVICE_NAME)
    results = {r.key: r for r in indicator_results(inspection)}
    assert {"fte", "reoffending", "custody"} <= set(results)
    for key in ("fte", "reoffending", "custody"):
        assert results[key].rounded is not None and results[key].comparison is not None
    assert 17_000 <= results["fte"].denominator <= 19_000
    run = IndicatorRun.objects.get(inspection=inspection)
    assert run.by.username == "demo-lead"
    assert "ILLUSTRATIVE" in run.comparator_source and "FICTITIOUS" in run.cases_filename
    assert set(run.history.values_list("history_user__username", flat=True)) == {"demo-lead"}
    stored = StoredIndicator.history.filter(run_id=run.pk)
    assert set(stored.values_list("history_user__username", flat=True)) == {"demo-lead"}
    assert not hasattr(HistoricalRecords.context, "request")  # nothing left behind

    with translation.override("en"):
        report = inspection_report(inspection)
    assert [s.key for s in report.outcomes] == ["fte", "reoffending", "custody"]
    assert all("England and Wales figure" in s.after for s in report.outcomes)
    html = standalone_html(inspection)
    assert f"was {results['fte'].rounded} per 100,000 children" in html
    assert f"was {results['reoffending'].rounded}%" in html
    assert "England and Wales figure: ILLUSTRATIVE figures invented for the" in html

    load()
    assert IndicatorRun.objects.filter(inspection=inspection).count() == 1
    IndicatorRun.objects.filter(inspection=inspection).delete()
    assert "Stored outcome indicators" in load()
    assert IndicatorRun.objects.filter(inspection=inspection).count() == 1


def test_reset_rebuilds_the_demo_and_the_password_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load("--seed", "5")
    old = Inspection.objects.get(service_name=SERVICE_NAME)
    refs = set(
        Case.objects.filter(in_sample=True, inspection__service_name=SERVICE_NAME).values_list(
            "case_ref", flat=True
        )
    )
    # someone else's inspection that happens to have the demo's name is not the demo
    someone = User.objects.create_user("someone-else", password="not-the-demo-password-1")
    other = Inspection.objects.create(
        service_name=SERVICE_NAME,
        framework=old.framework,
        fieldwork_start=old.fieldwork_start,
        created_by=someone,
    )

    monkeypatch.setenv("YJ_DEMO_PASSWORD", "another-demo-password-123")
    output = load("--reset", "--seed", "5", "--serve-at", "0.0.0.0:9123")
    assert "another-demo-password-123" in output
    assert Inspection.objects.filter(pk=other.pk).exists()
    new = Inspection.objects.get(created_by__username="demo-lead", service_name=SERVICE_NAME)
    assert new.pk != old.pk
    assert not Inspection.objects.filter(pk=old.pk).exists()
    # the address printed is where `make run PORT=...` serves it
    assert f"http://0.0.0.0:9123/inspections/{new.pk}/" in output
    assert Case.objects.filter(inspection__service_name=SERVICE_NAME).count() == 100
    # the same seed gives the same sample
    assert (
        set(
            Case.objects.filter(in_sample=True, inspection__service_name=SERVICE_NAME).values_list(
                "case_ref", flat=True
            )
        )
        == refs
    )
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == 6
    assert User.objects.get(username="demo-lead").check_password("another-demo-password-123")
    assert not User.objects.get(username="demo-lead").check_password(DEFAULT_PASSWORD)


def test_production_refuses_the_published_default_password(
    settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PRODUCTION = True  # type: ignore[attr-defined]
    monkeypatch.delenv("YJ_DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="YJ_DEMO_PASSWORD"):
        load()
    assert not Inspection.objects.exists()
    assert not User.objects.filter(username="demo-admin").exists()
