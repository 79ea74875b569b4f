"""Gather an inspection's figures and facts for the report (`yjinspect.reports.content`).

All ratings and percentages come from `rate_inspection` (the engine); this module only
collects what the report states about the inspection: the judgements' bullet points, case and
interview counts, the sample against the case list, and moderation agreement.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import get_language, gettext

from yjinspect.reports import welsh
from yjinspect.reports.content import (
    AgreementFigure,
    CompositionRow,
    InspectionFacts,
    Report,
    StandardText,
    build_report,
)

from ..models import (
    Assessment,
    AssessmentKind,
    Case,
    EvidenceItem,
    EvidenceKind,
    Inspection,
    Judgement,
)
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
    composition = tuple(
        CompositionRow(d, t, sampled.get((d, t), 0), n)
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
        practice_examples=Assessment.objects.filter(
            case__inspection=inspection,
            case__in_sample=True,
            kind=AssessmentKind.PRIMARY,
            practice_example=True,
        ).count(),
        meetings=EvidenceItem.objects.filter(
            inspection=inspection, kind=EvidenceKind.MEETING
        ).count(),
        cases_by_domain=by_domain,
        composition=composition,
        texts=texts,
        agreement=figures,
    )


def report_language(lang: str | None = None) -> str:
    """'cy' for Welsh, else 'en': `lang` if given, otherwise the active language."""
    if lang is not None:
        return "cy" if lang == "cy" else "en"
    return "cy" if (get_language() or "").lower().split("-")[0] == "cy" else "en"


def inspection_report(inspection: Inspection) -> Report:
    """The report in the active language (wrap in `translation.override` to choose)."""
    welsh_text = report_language() == "cy"
    return build_report(
        inspection.framework.framework,
        rate_inspection(inspection),
        inspection_facts(inspection),
        gettext,
        welsh.framework_text if welsh_text else (lambda text: text),
    )
