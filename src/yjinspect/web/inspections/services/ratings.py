"""Turn an inspection's stored answers and decisions into the engine's inputs, and rate them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import Count

from yjinspect.core.legacy import AreaRating, WordOverride, rate_areas, tally_items
from yjinspect.core.ratings import (
    Counts,
    InspectionRating,
    RatingInputError,
    RatingInputs,
    rate,
)
from yjinspect.core.ratings import (
    Discretion as CoreDiscretion,
)
from yjinspect.core.ratings import (
    Judgement as CoreJudgement,
)
from yjinspect.frameworks.schema import Item

from ..models import Answer, AssessmentKind, Case, Discretion, Inspection, Judgement


def rating_inputs(
    inspection: Inspection,
    judgement_rows: Sequence[Judgement] | None = None,
    discretion_rows: Sequence[Discretion] | None = None,
) -> RatingInputs:
    """One grouped query for the answers; the primary assessment's answer is the one that counts.

    A moderation (second) assessment never enters the figures directly: where it disagrees,
    the resolved answer is written back to the primary assessment, with history. A page that
    shows the judgement and discretion rows itself passes them in, saving two queries.
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
    if judgement_rows is None:
        judgement_rows = list(Judgement.objects.filter(inspection=inspection))
    if discretion_rows is None:
        discretion_rows = list(
            Discretion.objects.filter(inspection=inspection).select_related("decided_by")
        )
    judgements = {
        j.standard_id: CoreJudgement(j.standard_id, j.rating or None, j.rationale)
        for j in judgement_rows
    }
    discretion = {
        d.standard_id: CoreDiscretion(d.standard_id, d.rating, d.reason, str(d.decided_by))
        for d in discretion_rows
    }
    by_domain = dict(
        Case.objects.filter(inspection=inspection, in_sample=True)
        .values_list("domain")
        .annotate(n=Count("id"))
        .order_by()
    )
    return RatingInputs(counts, judgements, discretion, by_domain)


def rate_inspection(
    inspection: Inspection,
    judgement_rows: Sequence[Judgement] | None = None,
    discretion_rows: Sequence[Discretion] | None = None,
) -> InspectionRating:
    inputs = rating_inputs(inspection, judgement_rows, discretion_rows)
    return rate(inspection.framework.framework, inputs)


# ---- earlier programmes (SQS, FJI, CCI): the areas model -----------------------------------


def recorded_code(item: Item, option: str) -> str:
    """How a recorded item's option is stored in `Answer.value` (at most three characters).

    Recorded items keep their own options ('accurate', 'under', ...), longer than the column
    made for yes / no / na. The option's 1-based position in the frozen framework version is
    stored instead ('o1', 'o2', ...): the version never changes once stored, so the code always
    means the same option, and no migration is needed.
    """
    return f"o{item.options.index(option) + 1}"


def recorded_option(item: Item, code: str) -> str | None:
    """The option a stored code stands for, or None when the code is not one of the item's."""
    if not code.startswith("o") or not code[1:].isdigit():
        return None
    index = int(code[1:]) - 1
    return item.options[index] if 0 <= index < len(item.options) else None


def area_answers(inspection: Inspection) -> list[tuple[str, str, str]]:
    """(case_ref, item_id, answer) for every primary answer of a sampled case, options decoded.

    Only the primary assessment counts, as for the standards model: moderation writes its
    resolved answers back to it.
    """
    framework = inspection.framework.framework
    items = {i.id: i for i in framework.items}
    rows = Answer.objects.filter(
        assessment__case__inspection=inspection,
        assessment__case__in_sample=True,
        assessment__kind=AssessmentKind.PRIMARY,
    ).values_list("assessment__case__case_ref", "key_question", "value")
    out = []
    for case_ref, item_id, value in rows:
        item = items.get(item_id)
        if item is None:
            continue
        if item.kind == "recorded":
            option = recorded_option(item, value)
            if option is None:
                raise RatingInputError(
                    f"case {case_ref}: stored answer '{value}' to {item_id} is not an option"
                )
            out.append((case_ref, item_id, option))
        else:
            out.append((case_ref, item_id, value))
    return out


def area_words(inspection: Inspection) -> tuple[dict[str, WordOverride], dict[str, WordOverride]]:
    """The inspectors' words: overrides of scored areas (kept as Discretion rows keyed by area
    id) and judged words of judgement areas (Judgement rows keyed by area id)."""
    overrides = {
        d.standard_id: WordOverride(d.rating, d.reason)
        for d in Discretion.objects.filter(inspection=inspection)
    }
    judged = {
        j.standard_id: WordOverride(j.rating, j.rationale)
        for j in Judgement.objects.filter(inspection=inspection)
        if j.rating
    }
    return overrides, judged


def rate_areas_inspection(inspection: Inspection) -> AreaRating:
    """Rate an earlier-programme inspection (`scoring_model: areas`) from its stored answers.

    The same inputs the CLI takes from files: item tallies, word overrides with reasons, judged
    words, the optional areas the lead chose (`Inspection.optional_areas`), and the number of
    sampled cases (so phrases can say '9 of the 14 cases'). A recorded word the engine no
    longer accepts is left out (see `rate_areas_with_problems`).
    """
    return rate_areas_with_problems(inspection)[0]


def rate_areas_with_problems(inspection: Inspection) -> tuple[AreaRating, dict[str, str]]:
    """The rating, and why any recorded word is not applied, by area id.

    A word can stop being acceptable after it was recorded: answers change and the score's
    word becomes the recorded one, say. Such a word is left out (the area shows its score's
    word) rather than breaking the ratings page and the report, and the engine's reason is
    returned so the page can say so, as professional discretion does for the standards.
    """
    framework = inspection.framework.framework
    overrides, judged = area_words(inspection)
    counts = tally_items(framework, area_answers(inspection))
    sample_size = Case.objects.filter(inspection=inspection, in_sample=True).count() or None
    chosen = inspection.chosen_optional_areas
    problems: dict[str, str] = {}
    try:
        return rate_areas(framework, counts, overrides, judged, chosen, sample_size), problems
    except RatingInputError:
        pass
    for words, is_judged in ((overrides, False), (judged, True)):
        for area_id, word in list(words.items()):
            alone = {area_id: word}
            try:
                rate_areas(
                    framework,
                    counts,
                    word_overrides={} if is_judged else alone,
                    judged_words=alone if is_judged else {},
                    chosen_optional_areas=chosen,
                    sample_size=sample_size,
                )
            except RatingInputError as error:
                problems[area_id] = str(error)
                del words[area_id]
    return rate_areas(framework, counts, overrides, judged, chosen, sample_size), problems


def is_areas(inspection: Inspection) -> bool:
    """Whether the inspection runs an earlier programme (areas model), not the standards."""
    return inspection.framework.framework.scoring_model == "areas"


def area_word_problem(inspection: Inspection, area_id: str, word: str, reason: str) -> str | None:
    """The engine's refusal of this word for this area, or None when it would be applied.

    The answers are rated with the proposed word alone, so the check is the engine's own
    (scale words, reasons, an override that changes nothing) and another area's word cannot
    get in the way.
    """
    framework = inspection.framework.framework
    proposed = {area_id: WordOverride(word, reason)}
    judged = framework.area(area_id).rating_method == "judgement"
    sample_size = Case.objects.filter(inspection=inspection, in_sample=True).count()
    try:
        rate_areas(
            framework,
            tally_items(framework, area_answers(inspection)),
            word_overrides={} if judged else proposed,
            judged_words=proposed if judged else {},
            chosen_optional_areas=inspection.chosen_optional_areas,
            sample_size=sample_size or None,
        )
    except RatingInputError as error:
        return str(error)
    return None


def stored_area_word(inspection: Inspection, area_id: str) -> Discretion | Judgement | None:
    """The recorded word for an area: a Discretion (override) or a Judgement (judged area)."""
    if inspection.framework.framework.area(area_id).rating_method == "judgement":
        return Judgement.objects.filter(inspection=inspection, standard_id=area_id).first()
    return Discretion.objects.filter(inspection=inspection, standard_id=area_id).first()


def save_area_word(
    inspection: Inspection, area_id: str, word: str, reason: str, user: User
) -> Discretion | Judgement:
    """Record the inspectors' word for an area, with `.save()` so history keeps every change.

    A scored area's override is a Discretion row keyed by the area id (rating = the word); a
    judged area's word is a Judgement row keyed the same way (rationale = the reason).
    """
    current = stored_area_word(inspection, area_id)
    if isinstance(current, Judgement) or (
        current is None
        and inspection.framework.framework.area(area_id).rating_method == "judgement"
    ):
        judgement = current or Judgement(inspection=inspection, standard_id=area_id)
        judgement.rating = word
        judgement.rationale = reason
        judgement.decided_by = user
        judgement.version = (judgement.version or 0) + (1 if judgement.pk else 0)
        judgement.save()
        return judgement
    discretion = current or Discretion(inspection=inspection, standard_id=area_id)
    discretion.rating = word
    discretion.reason = reason
    discretion.decided_by = user
    discretion.save()
    return discretion
