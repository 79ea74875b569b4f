"""The earlier programmes' reports from an inspection's stored answers, words and facts.

Figures come from `ratings.rate_areas_inspection` (the engine); the inspectors' words are
ReportText rows ('area:<id>', 'findings:<id>', 'summary', 'strengths', 'improvements',
'foreword', and the SQS letter's entered facts under 'letter:...'); recommendations are
Recommendation rows. `yjinspect.reports.legacy` lays them out as the SQS letter or the FJI
report. Saving the letter facts and texts goes through `.save()` with a version check, so
every change is in the history and no one overwrites another's words unseen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from yjinspect.frameworks import Framework
from yjinspect.reports.legacy import (
    FOREWORD,
    IMPROVEMENTS,
    STRENGTHS,
    FjiReport,
    LetterFacts,
    SqsLetter,
    area_key,
    fji_report,
    sqs_letter,
    unknown_placeholders,
)

from ..language import current_language, framework_wording
from ..models import Inspection, Recommendation, ReportText
from .ratings import rate_areas_inspection

# The frameworks reported as a letter; every other areas framework gets the themed report.
LETTER_FRAMEWORKS = frozenset({"hmip-sqs"})


@dataclass(frozen=True)
class Field:
    """One entered fact or text of an earlier programme's report."""

    key: str
    label: str
    hint: str
    kind: str = "text"  # 'text' (textarea), 'line', 'percent' or 'date'


def is_letter(framework: Framework) -> bool:
    return framework.id in LETTER_FRAMEWORKS


def report_fields(framework: Framework) -> list[Field]:
    """What the inspectors write for this programme's report, in report order."""
    braces = _("Write an item's id in braces, such as {%(id)s}, to print its count in words.") % {
        "id": next((i.id for i in framework.items if i.kind == "scored"), "RR-01")
    }
    if is_letter(framework):
        fields = [
            Field(
                "letter:addressee", _("Addressed to"), _("The role the letter is sent to."), "line"
            ),
            Field(
                "letter:sender", _("From"), _("The role of the person signing the letter."), "line"
            ),
            Field(
                "letter:publication_date",
                _("Publication date"),
                _("For example, 2015-07-01"),
                "date",
            ),
            Field(
                "letter:reoffending_rate",
                _("Published reoffending rate (%)"),
                _("The service's proven reoffending rate as published, for example 31.4"),
                "percent",
            ),
            Field(
                "letter:previous_rate",
                _("Previous year's rate (%)"),
                _("Leave blank to make no comparison with the year before."),
                "percent",
            ),
            Field(
                "letter:average_rate",
                _("England and Wales average (%)"),
                _("For the same cohort, for example 36.1"),
                "percent",
            ),
            Field(
                "letter:cohort_footnote",
                _("Footnote on the rate"),
                _("When it was published, the measure and the cohort, and its source."),
            ),
            Field("summary", _("Summary"), _("The letter's overall findings.") + " " + braces),
        ]
    else:
        fields = [Field(FOREWORD, _("Foreword"), _("Opens the report."))]
    for area in framework.areas:
        hint = (
            _("The commentary for this area.")
            if is_letter(framework)
            else _("The summary of this theme, shown under the key judgements and in the theme.")
        )
        fields.append(Field(area_key(area.id), f"{area.id} {area.name}", f"{hint} {braces}"))
        if not is_letter(framework):
            fields.append(
                Field(
                    f"findings:{area.id}",
                    _("%(id)s: key findings") % {"id": area.id},
                    _("One finding per line, each starting with '- '.") + " " + braces,
                )
            )
    if compares_with_average(framework):
        fields += [
            Field(
                average_key(area.id),
                _("%(name)s: the average to compare with (%%)") % {"name": area.name},
                _(
                    "The average score of the programme's inspections for this area, for "
                    "example 58. The report says whether this inspection's score was below, "
                    "above or the same. Leave blank to make no comparison."
                ),
                "percent",
            )
            for area in framework.areas
            if area.rating_method == "cases"
        ]
    if is_letter(framework):
        fields += [
            Field(STRENGTHS, _("Key strengths"), _("One per line.") + " " + braces),
            Field(
                IMPROVEMENTS, _("Areas requiring improvement"), _("One per line.") + " " + braces
            ),
        ]
    return fields


def average_key(area_id: str) -> str:
    """The ReportText key of an area's comparator: 'average:<id>' (a percentage)."""
    return f"average:{area_id}"


def compares_with_average(framework: Framework) -> bool:
    """Whether the framework's report compares scores with an average (the CCI)."""
    phrases = framework.report_phrases
    return bool(phrases.below_average or phrases.above_average or phrases.at_average)


def averages(framework: Framework, texts: Mapping[str, str]) -> dict[str, Decimal]:
    """The comparators entered for the report, by area; a stored value that no longer parses
    is left out, as the letter's facts are."""
    found = {}
    for area in framework.areas:
        try:
            value = parse_percent(texts.get(average_key(area.id), ""))
        except ValueError:
            value = None
        if value is not None:
            found[area.id] = value
    return found


def stored_texts(inspection: Inspection) -> dict[str, ReportText]:
    return {t.key: t for t in ReportText.objects.filter(inspection=inspection)}


def _texts(inspection: Inspection) -> dict[str, str]:
    """The inspectors' words, in Welsh on a Welsh report where they wrote Welsh."""
    welsh = current_language() == "cy"
    return {
        key: (t.text_cy if welsh and t.text_cy.strip() else t.text_en)
        for key, t in stored_texts(inspection).items()
    }


def parse_percent(value: str) -> Decimal | None:
    """A rate typed as '31.4' or '31.4%'; None when blank. Raises ValueError when not a
    percentage from 0 to 100."""
    text = value.strip().rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("'%(v)s' is not a number") % {"v": value}) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise ValueError(_("'%(v)s' is not a percentage from 0 to 100") % {"v": value})
    return number


def parse_day(value: str) -> dt.date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("'%(v)s' is not a date like 2015-07-01") % {"v": value}) from None


def letter_facts(inspection: Inspection, texts: Mapping[str, str]) -> LetterFacts:
    """The letter's entered facts; a stored value that no longer parses is left out."""

    def percent(key: str) -> Decimal | None:
        try:
            return parse_percent(texts.get(key, ""))
        except ValueError:
            return None

    try:
        published = parse_day(texts.get("letter:publication_date", ""))
    except ValueError:
        published = None
    return LetterFacts(
        service_name=inspection.service_name,
        fieldwork_start=inspection.fieldwork_start,
        fieldwork_end=inspection.fieldwork_end,
        addressee=texts.get("letter:addressee", ""),
        sender=texts.get("letter:sender", ""),
        publication_date=published,
        reoffending_rate=percent("letter:reoffending_rate"),
        previous_rate=percent("letter:previous_rate"),
        average_rate=percent("letter:average_rate"),
        cohort_footnote=texts.get("letter:cohort_footnote", ""),
    )


def legacy_report(inspection: Inspection) -> SqsLetter | FjiReport:
    """The SQS letter or the FJI-shaped report (FJI, CCI) of an earlier-programme inspection."""
    framework = inspection.framework.framework
    rating = rate_areas_inspection(inspection)
    texts = _texts(inspection)
    if is_letter(framework):
        facts = letter_facts(inspection, texts)
        return sqs_letter(framework, rating, facts, texts, _, framework_wording)
    welsh = current_language() == "cy"
    recommendations = [
        (r.addressed_to_cy, r.text_cy)
        if welsh and r.text_cy.strip() and r.addressed_to_cy.strip()
        else (r.addressed_to, r.text_en)
        for r in Recommendation.objects.filter(inspection=inspection).order_by("order", "pk")
    ]
    title = ""
    if framework.id == "hmip-cci":
        title = _("Core case inspection of youth offending work in %(s)s") % {
            "s": inspection.service_name
        }
    return fji_report(
        framework, rating, inspection.service_name, texts, recommendations, _, title,
        framework_wording, averages(framework, texts),
    )  # fmt: skip


# ---- checking and saving the entered words ---------------------------------------------------


def field_problem(framework: Framework, field: Field, value: str) -> str | None:
    """Why `value` cannot be saved in `field`, naming the field; None when it can."""
    try:
        if field.kind == "percent":
            parse_percent(value)
        elif field.kind == "date":
            parse_day(value)
    except ValueError as error:
        return f"{field.label}: {error}"
    scored = {i.id for i in framework.items if i.kind == "scored"}
    unknown = unknown_placeholders(value, scored)
    if unknown:
        return _("%(field)s: {%(id)s} is not a question with a count in this framework") % {
            "field": field.label,
            "id": unknown[0],
        }
    return None


class TextsChanged(Exception):
    """Someone saved some of these words since the form was loaded; nothing was saved."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__(", ".join(labels))
        self.labels = labels


def save_texts(
    inspection: Inspection,
    fields: list[Field],
    values: Mapping[str, str],
    versions: Mapping[str, int],
    user: User,
) -> int:
    """Save the changed words, all or nothing; returns how many changed.

    `versions` are the versions the form was loaded with (0: none stored). A field changed by
    someone else since then refuses the whole save (TextsChanged), so no one's words are
    overwritten unseen. Each change is a `.save()`, so the history has who and when.
    """
    with transaction.atomic():
        stored = {
            t.key: t
            for t in ReportText.objects.select_for_update().filter(
                inspection=inspection, key__in=[f.key for f in fields]
            )
        }
        changed = []
        clashes = []
        for field in fields:
            value = values.get(field.key, "").strip()
            current = stored.get(field.key)
            if (current.text_en if current else "") == value:
                continue
            if (current.version if current else 0) != versions.get(field.key, 0):
                clashes.append(field.label)
                continue
            changed.append((field, value, current))
        if clashes:
            raise TextsChanged(clashes)
        for field, value, current in changed:
            text = current or ReportText(inspection=inspection, key=field.key, version=0)
            text.text_en = value
            text.version += 1
            text.updated_by = user
            text.save()
        return len(changed)
