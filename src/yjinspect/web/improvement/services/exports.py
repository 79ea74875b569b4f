"""The plan for the management board, as a workbook (XLSX) and as a PDF.

Both come from the same rows (`board_rows`), so the two cannot disagree. Every text cell of the
workbook goes through the inspection exports' formula neutraliser (a cell starting with
= + - @ would otherwise run as a formula), and the PDF is laid out by the report's offline
WeasyPrint renderer with the report's print stylesheet. Nothing in either identifies a child:
the plan never holds names, and any of the inspection's case references found in the words
(for example copied from a recommendation) is replaced.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from yjinspect.reports.pdf import html_to_pdf
from yjinspect.web.inspections.services.exports import Cell, _xlsx_cell

from ..models import ImprovementPlan, status_label
from .plans import case_refs_in, items_with_actions, redact_case_refs

REPORT_CSS = "yjinspect/report.css"


@dataclass(frozen=True)
class BoardAction:
    description: str
    owner: str
    due_date: dt.date
    status: str
    overdue: bool
    progress_note: str
    completed_on: dt.date | None


@dataclass(frozen=True)
class BoardItem:
    number: int
    addressed_to: str
    text: str
    owner: str
    status: str
    actions: tuple[BoardAction, ...]

    @property
    def overdue(self) -> bool:
        return any(a.overdue for a in self.actions)


def board_items(plan: ImprovementPlan, today: dt.date) -> list[BoardItem]:
    """Every item and action of the plan, worded for the board, case references removed."""
    items = list(items_with_actions(plan))
    texts = [t for i in items for t in (i.shown_text, i.shown_addressed_to, i.owner)]
    texts += [
        t for i in items for a in i.actions.all() for t in (a.description, a.owner, a.progress_note)
    ]
    refs = case_refs_in(plan.inspection, texts)

    def clean(text: str) -> str:
        return redact_case_refs(text, refs) if refs else text

    return [
        BoardItem(
            number=n,
            addressed_to=clean(item.shown_addressed_to),
            text=clean(item.shown_text),
            owner=clean(item.owner),
            status=status_label(item.status),
            actions=tuple(
                BoardAction(
                    description=clean(a.description),
                    owner=clean(a.owner),
                    due_date=a.due_date,
                    status=status_label(a.status),
                    overdue=a.is_overdue(today),
                    progress_note=clean(a.progress_note),
                    completed_on=a.completed_on,
                )
                for a in item.actions.all()
            ),
        )
        for n, item in enumerate(items, start=1)
    ]


def _columns() -> list[Cell]:
    return [
        _("Item"),
        _("Addressed to"),
        _("Recommendation"),
        _("Item owner"),
        _("Item status"),
        _("Action"),
        _("Action owner"),
        _("Due date"),
        _("Action status"),
        _("Overdue"),
        _("Evidence of progress"),
        _("Completed on"),
    ]


def board_rows(items: list[BoardItem]) -> list[list[Cell]]:
    """Header, then one row per action (one row for an item without actions)."""
    rows: list[list[Cell]] = [_columns()]
    yes, no = _("Yes"), _("No")
    for item in items:
        head: list[Cell] = [item.number, item.addressed_to, item.text, item.owner, item.status]
        if not item.actions:
            rows.append([*head, "", "", "", "", "", "", ""])
        for a in item.actions:
            rows.append(
                [
                    *head,
                    a.description,
                    a.owner,
                    a.due_date.isoformat(),
                    a.status,
                    yes if a.overdue else no,
                    a.progress_note,
                    a.completed_on.isoformat() if a.completed_on else "",
                ]
            )
    return rows


# The date columns of `board_rows` (due date, completed on), written as real dates in the
# workbook so a board can sort and filter them.
_DATE_COLUMNS = (7, 11)


def plan_xlsx(plan: ImprovementPlan, today: dt.date) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Improvement plan")[:31])
    for number, row in enumerate(board_rows(board_items(plan, today))):
        cells: list[object] = [_xlsx_cell(cell) for cell in row]
        for index in _DATE_COLUMNS if number else ():
            if cells[index]:
                date_cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(str(cells[index])))
                date_cell.number_format = "dd/mm/yyyy"
                cells[index] = date_cell
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _report_css() -> Path:
    found = finders.find(REPORT_CSS)
    if not found:
        raise FileNotFoundError(REPORT_CSS)
    return Path(str(found))


def board_html(plan: ImprovementPlan, today: dt.date) -> str:
    """The PDF's source: one self-contained page with the report's print stylesheet inlined."""
    return render_to_string(
        "improvement/board_pdf.html",
        {
            "inspection": plan.inspection,
            "items": board_items(plan, today),
            "today": today,
            "css": _report_css().read_text(encoding="utf-8"),
        },
    )


def plan_pdf(plan: ImprovementPlan, today: dt.date) -> bytes:
    """The board's PDF, laid out offline by the report's WeasyPrint renderer."""
    return html_to_pdf(board_html(plan, today), _report_css().parent.parent)
