"""An inspection's answers and decisions as CSV and XLSX, for analysis in a spreadsheet.

Only pseudonymous facts leave: case references and usernames. The case manager (a staff
reference) and the demographic fields are left out. Every text cell is neutralised so that a
spreadsheet program never reads it as a formula (CSV injection): a cell starting with
= + - @ tab or carriage return gets a leading single quote, in the CSV and in the XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from yjinspect.core.legacy import AreaResult
from yjinspect.frameworks import Framework

from ..models import Answer, Discretion, Inspection, Judgement
from .assessments import all_questions
from .ratings import is_areas, rate_areas_inspection, rate_inspection

ANSWER_COLUMNS = (
    "case_ref",
    "domain",
    "disposal_type",
    "assessment_kind",
    "assessment_state",
    "assessor",
    "key_question",
    "answer",
    "answer_label",
    "na_reason",
    "evidence",
    "resolution_note",
    "updated_by",
    "updated_at",
)
JUDGEMENT_COLUMNS = ("standard", "rating", "rationale", "strengths", "areas_for_improvement")
DISCRETION_COLUMNS = ("standard", "rating", "reason", "decided_by")
RATING_COLUMNS = (
    "standard",
    "computed_rating",
    "final_rating",
    "key_question",
    "yes",
    "applicable",
    "percent",
)
# Earlier programmes (SQS, FJI, CCI): one row per area, the engine's figures and words.
AREA_RATING_COLUMNS = (
    "area",
    "name",
    "yes",
    "applicable",
    "na",
    "percent",
    "interval_low_percent",
    "interval_high_percent",
    "computed_word",
    "final_word",
    "override_reason",
    "judgement_reason",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def neutralise(cell: Cell) -> Cell:
    """Stop spreadsheet programs reading a text cell as a formula."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return f"'{cell}"
    return cell


def _when(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _label(framework: Framework, rating_id: str) -> str:
    if not rating_id:
        return framework.not_rated_label
    try:
        return framework.rating_label(rating_id)
    except ValueError:
        return rating_id


def answer_rows(inspection: Inspection, *, hidden: Collection[int]) -> Iterator[list[Cell]]:
    """One row per answer of every assessment (primary and moderation), header first, leaving
    out the assessments in `hidden` (`assessments.hidden_assessments`: blind moderation).

    `answer` is the stored value; `answer_label` is what the inspector chose on the form, so a
    recorded item's code ('o2', its option's position in the frozen framework) reads 'Too low'.
    """
    yield list(ANSWER_COLUMNS)
    labels = {q.id: q.choice_labels for q in all_questions(inspection.framework.framework).values()}
    answers = (
        Answer.objects.filter(assessment__case__inspection=inspection)
        .exclude(assessment_id__in=hidden)
        .select_related("assessment__case", "assessment__assessor", "updated_by")
        .order_by("assessment__case__case_ref", "assessment__kind", "key_question")
    )
    for a in answers.iterator(chunk_size=1000):
        assessment = a.assessment
        case = assessment.case
        yield [
            case.case_ref,
            case.domain,
            case.disposal_type,
            assessment.kind,
            assessment.state,
            assessment.assessor.username,
            a.key_question,
            a.value,
            labels.get(a.key_question, {}).get(a.value, ""),
            a.na_reason,
            a.evidence,
            a.resolution_note,
            a.updated_by.username,
            _when(a.updated_at),
        ]


def judgement_rows(inspection: Inspection) -> Iterator[list[Cell]]:
    framework = inspection.framework.framework
    yield list(JUDGEMENT_COLUMNS)
    for j in Judgement.objects.filter(inspection=inspection).order_by("standard_id"):
        yield [
            j.standard_id,
            _label(framework, j.rating),
            j.rationale,
            j.strengths,
            j.areas_for_improvement,
        ]


def discretion_rows(inspection: Inspection) -> Iterator[list[Cell]]:
    framework = inspection.framework.framework
    yield list(DISCRETION_COLUMNS)
    for d in (
        Discretion.objects.filter(inspection=inspection)
        .select_related("decided_by")
        .order_by("standard_id")
    ):
        yield [d.standard_id, _label(framework, d.rating), d.reason, d.decided_by.username]


def rating_rows(inspection: Inspection) -> Iterator[list[Cell]]:
    """The engine's result: one row per key question (one per standard without any), or for an
    earlier programme one row per area."""
    if is_areas(inspection):
        yield from area_rating_rows(inspection)
        return
    result = rate_inspection(inspection)
    not_rated = result.not_rated_label
    yield list(RATING_COLUMNS)
    for s in result.standards:
        final = s.rating.label if s.rating else not_rated
        computed = (
            (s.computed_rating.label if s.computed_rating else not_rated)
            if s.rating_method == "cases"
            else ""
        )
        if not s.key_questions:
            yield [s.id, computed, final, "", None, None, ""]
        for kq in s.key_questions:
            yield [s.id, computed, final, kq.id, kq.yes, kq.applicable, kq.percent_text]


def _interval_percent(area: AreaResult, end: int) -> float | None:
    """One end of the 95% interval as a percentage to one decimal place (None: no figure)."""
    return None if area.interval is None else round(area.interval[end] * 100, 1)


def area_rating_rows(inspection: Inspection) -> Iterator[list[Cell]]:
    """Per area: counts, the published (rounded) percentage, the interval, the word the score
    gives, the word that stands (an inspectors' override or a judged word) and the reasons.

    The same rating the ratings page shows, so a recorded word the engine no longer accepts is
    left out here too.
    """
    result = rate_areas_inspection(inspection)
    yield list(AREA_RATING_COLUMNS)
    for a in result.areas:
        yield [
            a.id,
            a.name,
            a.yes,
            a.applicable,
            a.na,
            "" if a.percent is None else a.percent_text,
            _interval_percent(a, 0),
            _interval_percent(a, 1),
            a.default_word or "",
            a.word or "",
            a.override_reason or "",
            a.judgement_reason or "",
        ]


def _safe(row: Sequence[Cell]) -> list[Cell]:
    return [neutralise(cell) for cell in row]


def csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """CSV text, a line at a time, with a byte-order mark so spreadsheets read UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in _safe(row)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _xlsx_cell(cell: Cell) -> Cell:
    cell = neutralise(cell)
    if isinstance(cell, str):
        # Control characters are not allowed in the XML of a workbook.
        cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", cell)
        return cleaned
    return cell


def answers_xlsx(inspection: Inspection, *, hidden: Collection[int]) -> bytes:
    """A workbook: Answers (without the `hidden` assessments), Judgements, Discretion and
    Ratings sheets."""
    book = Workbook(write_only=True)
    sheets = (
        ("Answers", answer_rows(inspection, hidden=hidden)),
        ("Judgements", judgement_rows(inspection)),
        ("Discretion", discretion_rows(inspection)),
        ("Ratings", rating_rows(inspection)),
    )
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
