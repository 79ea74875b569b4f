"""Turn an inspection's stored answers and decisions into the engine's inputs, and rate them."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from yjinspect.core.ratings import (
    Counts,
    InspectionRating,
    RatingInputs,
    rate,
)
from yjinspect.core.ratings import (
    Discretion as CoreDiscretion,
)
from yjinspect.core.ratings import (
    Judgement as CoreJudgement,
)

from ..models import Answer, AssessmentKind, Case, Discretion, Inspection, Judgement


def rating_inputs(inspection: Inspection) -> RatingInputs:
    """One grouped query for the answers; the primary assessment's answer is the one that counts.

    A moderation (second) assessment never enters the figures directly: where it disagrees,
    the resolved answer is written back to the primary assessment, with history.
    """
    rows = (
        Answer.objects.filter(
            assessment__case__inspection=inspection,
            assessment__case__in_sample=True,
            assessment__kind=AssessmentKind.PRIMARY,
        )
        .values_list("key_question", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    raw: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    slot = {"yes": 0, "no": 1, "na": 2}
    known = set(inspection.framework.framework.key_question_ids())
    for kq, value, n in rows:
        if kq in known:
            raw[kq][slot[value]] += n
    counts = {kq: Counts(*c) for kq, c in raw.items()}
    judgements = {
        j.standard_id: CoreJudgement(j.standard_id, j.rating or None, j.rationale)
        for j in Judgement.objects.filter(inspection=inspection)
    }
    discretion = {
        d.standard_id: CoreDiscretion(d.standard_id, d.rating, d.reason, str(d.decided_by))
        for d in Discretion.objects.filter(inspection=inspection).select_related("decided_by")
    }
    by_domain = dict(
        Case.objects.filter(inspection=inspection, in_sample=True)
        .values_list("domain")
        .annotate(n=Count("id"))
        .order_by()
    )
    return RatingInputs(counts, judgements, discretion, by_domain)


def rate_inspection(inspection: Inspection) -> InspectionRating:
    return rate(inspection.framework.framework, rating_inputs(inspection))
