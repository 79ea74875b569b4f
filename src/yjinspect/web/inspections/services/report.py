"""Gather an inspection's figures and facts for the report (`yjinspect.reports.content`).

All ratings and percentages come from `rate_inspection` (the engine); this module only
collects what the report states about the inspection: the judgements' bullet points, case and
interview counts (all, and the sampled cases' by case domain), the sample against the case
list, moderation agreement, and the outcome indicators stored by the outcomes app (read as
saved, never recomputed).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext

from yjinspect.reports import welsh
from yjinspect.reports.content import (
    AgreementFigure,
    CompositionRow,
    EditedText,
    InspectionFacts,
    OutcomeIndicators,
    PracticeExampleInput,
    RecommendationInput,
    Report,
    StandardText,
    build_report,
)
from yjinspect.web.outcomes.services import indicator_results, latest_run

from ..models import (
    Assessment,
    AssessmentKind,
    Case,
    EvidenceItem,
    EvidenceKind,
    Inspection,
    Judgement,
    Membership,
    Mode,
    Recommendation,
    ReportText,
    Role,
    State,
    StateTransition,
)
from . import sampling
from .assessments import agreement
from .ratings import rate_inspection


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip())


def inspection_facts(inspection: Inspection) -> InspectionFacts:
    cases = Case.objects.filter(inspection=inspection)
    listed = {
        (d, t): n
        for d, t, n in cases.values_list("domain", "disposal_type")
        .annotate(n=Count("id"))
        .order_by()
    }
    sampled = {
        (d, t): n
        for d, t, n in cases.filter(in_sample=True)
        .values_list("domain", "disposal_type")
        .annotate(n=Count("id"))
        .order_by()
    }
    framework = inspection.framework.framework
    domain_order = {d.id: i for i, d in enumerate(framework.case_domains)}
    eligible = eligible_by_disposal(inspection)
    composition = tuple(
        CompositionRow(
            d, t, sampled.get((d, t), 0), n, eligible.get((d, t), 0) if eligible else None
        )
        for (d, t), n in sorted(
            listed.items(), key=lambda kv: (domain_order.get(kv[0][0], 99), kv[0][1])
        )
    )
    by_domain: dict[str, int] = {}
    for (d, _t), n in sampled.items():
        by_domain[d] = by_domain.get(d, 0) + n
    texts = {
        j.standard_id: StandardText(_lines(j.strengths), _lines(j.areas_for_improvement))
        for j in Judgement.objects.filter(inspection=inspection)
    }
    moderation = agreement(inspection)
    figures = tuple(
        AgreementFigure(row.label, row.pairs, row.agreed, row.kappa)
        for row in moderation.rows
        if row.pairs
    )
    return InspectionFacts(
        service_name=inspection.service_name,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        window_start=inspection.window_start,
        window_end=inspection.window_end,
        interviews=cases.filter(case_manager_interviewed=True).count(),
        interviews_by_domain=dict(
            cases.filter(in_sample=True, case_manager_interviewed=True)
            .values_list("domain")
            .annotate(n=Count("id"))
            .order_by()
        ),
        lead_name=lead_name(inspection),
        published_on=published_on(inspection),
        internal_audit=inspection.mode == Mode.INTERNAL_AUDIT,
        meetings=dict(
            EvidenceItem.objects.filter(inspection=inspection, kind=EvidenceKind.MEETING)
            .values_list("standard_id")
            .annotate(n=Count("id"))
            .order_by()
        ),
        cases_by_domain=by_domain,
        composition=composition,
        texts=texts,
        agreement=figures,
        edited={
            t.key: EditedText(t.text_en, t.text_cy)
            for t in ReportText.objects.filter(inspection=inspection)
        },
        recommendations=tuple(
            RecommendationInput(r.addressed_to, r.text_en, r.addressed_to_cy, r.text_cy)
            for r in Recommendation.objects.filter(inspection=inspection).order_by("order", "pk")
        ),
        examples=practice_examples(inspection),
        indicators=outcome_indicators(inspection),
    )


def outcome_indicators(inspection: Inspection) -> OutcomeIndicators | None:
    """The latest stored outcome indicators with their run's follow-up and waiting periods
    (the results alone do not carry them); None when none were computed."""
    run = latest_run(inspection)
    if run is None:
        return None
    return OutcomeIndicators(
        tuple(indicator_results(inspection)),
        run.follow_up_months,
        run.waiting_months,
        run.comparator_source,
    )


def practice_examples(inspection: Inspection) -> tuple[PracticeExampleInput, ...]:
    """The sampled cases' practice-example notes with their case domain only: the report
    shows the words under the domain, never the case they came from."""
    rows = (
        Assessment.objects.filter(
            case__inspection=inspection,
            case__in_sample=True,
            kind=AssessmentKind.PRIMARY,
            practice_example=True,
        )
        .exclude(practice_example_note="")
        .order_by("case__domain", "case__sample_order", "pk")
        .values_list("case__domain", "practice_example_note")
    )
    return tuple(PracticeExampleInput(domain, note) for domain, note in rows)


def report_language(lang: str | None = None) -> str:
    """'cy' for Welsh, else 'en': `lang` if given, otherwise the active language."""
    if lang is not None:
        return "cy" if lang == "cy" else "en"
    return "cy" if (get_language() or "").lower().split("-")[0] == "cy" else "en"


def inspection_report(inspection: Inspection) -> Report:
    """The report in the active language (wrap in `translation.override` to choose)."""
    lang = report_language()
    return build_report(
        inspection.framework.framework,
        rate_inspection(inspection),
        inspection_facts(inspection),
        gettext,
        welsh.framework_text if lang == "cy" else (lambda text: text),
        lang,
        ngettext,
    )


def narrative_count_warnings(inspection: Inspection) -> tuple[tuple[str, str], ...]:
    """(standard id, warning) for each count in a standard's narrative that its key-question
    figures contradict ('four of the nine cases' beside 6 Yes and 3 No): for the lead before
    publication (the report page shows them; a pre-publication check can list them)."""
    return inspection_report(inspection).count_warnings


def lead_name(inspection: Inspection) -> str:
    """The lead inspector's full name for the acknowledgements: '' for an internal audit, or
    when no lead has a full name recorded (a username is not a name to print)."""
    if inspection.mode != Mode.INSPECTION:
        return ""
    lead = (
        Membership.objects.filter(inspection=inspection, role=Role.LEAD)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return lead.user.get_full_name().strip() if lead else ""


def published_on(inspection: Inspection) -> dt.date | None:
    """The day the inspection was published (its last move to Published), if it is."""
    if inspection.state != State.PUBLISHED:
        return None
    moved = (
        StateTransition.objects.filter(inspection=inspection, to_state=State.PUBLISHED)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localdate(moved) if moved else None


def eligible_by_disposal(inspection: Inspection) -> dict[tuple[str, str], int]:
    """Cases inside the drawn sample's time window, by domain and disposal type: what the
    sample was drawn from, beside the whole case list. Empty before a draw, or when disposal
    type is not one of the framework's strata (the sampler then does not count by it)."""
    if not sampling.has_sample(inspection):
        return {}
    tables = sampling.overview(inspection, sampling.sampling_cases(inspection)).compositions
    counts: dict[tuple[str, str], int] = {}
    for domain, rows in tables.items():
        for row in rows:
            if row.attribute == "disposal_type":
                counts[(domain, row.value)] = row.population_count
    return counts
