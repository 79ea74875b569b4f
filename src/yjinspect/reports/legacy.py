"""The reports of the earlier programmes, in their own shapes: the SQS letter and the FJI report.

Pure Python (no Django), like `content.py`: the web page, the PDF and any export render these
structures. Every figure comes from `core.legacy.AreaRating` (the engine); this module words
and orders it, and places the inspectors' own words (entered facts and narrative) around it.

* The SQS letter (seeds: Bexley 2015, Bedfordshire 2014): addressee, context ('we examined 14
  cases'), the reoffending rate against the England and Wales average with the cohort as a
  footnote (entered facts: yjinspect does not compute them), commentary per area with counts
  in the letters' manner ('9 of the 14 cases'), operational management, key strengths and
  areas requiring improvement.
* The FJI report (seed: Bromley 2015): key judgements table, a summary per theme, the
  recommendations grouped by the role they are addressed to, then per theme what we expect to
  see, the case assessment score and a data summary chart of its questions' answers.

Inspectors can put an item's count into their own sentence by writing its id in braces:
'{PP-01}' becomes '9 of the 14 cases', worked out from the answers, so the narrative never
disagrees with the figures. Fixed strings go through the caller's `gettext`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from yjinspect.core.legacy import AreaRating, AreaResult, ItemResult
from yjinspect.frameworks.schema import Framework

from .charts import CountBar, answer_counts_chart
from .markup import Block, parse

Gettext = Callable[[str], str]

# Keys of the entered facts and texts (inspections.ReportText keys).
STRENGTHS = "strengths"
IMPROVEMENTS = "improvements"
FOREWORD = "foreword"
LETTER_FACTS = (
    "letter:addressee",
    "letter:sender",
    "letter:publication_date",
    "letter:reoffending_rate",
    "letter:previous_rate",
    "letter:average_rate",
    "letter:cohort_footnote",
)
PLACEHOLDER = re.compile(r"\{([A-Za-z]{1,4}-\d{1,3}[a-z]?)\}")


def _identity(text: str) -> str:
    return text


def area_key(area_id: str) -> str:
    """The ReportText key of an area's narrative: 'area:<id>'."""
    return f"area:{area_id}"


class PlaceholderError(ValueError):
    """A narrative names an item in braces that the framework does not have, or that has no
    count to give; the message names the item."""


# ---------------------------------------------------------------- counts in words


def item_phrases(rating: AreaRating) -> dict[str, str]:
    """Every scored item's count as a report would word it ('9 of the 14 cases'; 'no relevant
    cases' while none applied)."""
    return {
        i.id: i.phrase or "no relevant cases"
        for a in rating.areas
        for i in a.items
        if i.kind == "scored"
    }


def fill_counts(text: str, phrases: Mapping[str, str]) -> str:
    """Replace each '{ITEM-ID}' in an inspector's text by that item's count in words.

    Raises PlaceholderError naming the first id with no count (unknown, or no relevant answer
    yet), so a report never prints a brace or a made-up figure.
    """

    def one(match: re.Match[str]) -> str:
        item_id = match.group(1)
        if item_id not in phrases:
            raise PlaceholderError(item_id)
        return phrases[item_id]

    return PLACEHOLDER.sub(one, text)


def unknown_placeholders(text: str, known: set[str]) -> list[str]:
    """Ids in braces in `text` that are not scored items of the framework (for form checks)."""
    return sorted({m.group(1) for m in PLACEHOLDER.finditer(text)} - known)


def _blocks(text: str, phrases: Mapping[str, str]) -> tuple[Block, ...]:
    return parse(fill_counts(text, phrases)) if text.strip() else ()


def _lines(text: str) -> tuple[str, ...]:
    """One point per line; a leading '- ' is dropped, blank lines ignored."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line:
            out.append(line)
    return tuple(out)


# ---------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class CountLine:
    """One scored question's answers, as a line of an area's commentary."""

    item_id: str
    question: str
    phrase: str  # '9 of the 14 cases', or 'no relevant cases'
    yes: int
    no: int
    na: int


@dataclass(frozen=True)
class RecordedLine:
    """A recorded question (e.g. was the risk level right?) and its cases per option."""

    item_id: str
    question: str
    options: tuple[tuple[str, int], ...]


def _count_lines(area: AreaResult, ft: Gettext = _identity) -> tuple[CountLine, ...]:
    return tuple(
        CountLine(i.id, ft(i.text), i.phrase or "no relevant cases", i.yes, i.no, i.na)
        for i in area.items
        if i.kind == "scored"
    )


def _recorded_lines(area: AreaResult, ft: Gettext = _identity) -> tuple[RecordedLine, ...]:
    return tuple(
        RecordedLine(i.id, ft(i.text), tuple((ft(o), n) for o, n in (i.options or {}).items()))
        for i in area.items
        if i.kind == "recorded"
    )


# ---------------------------------------------------------------- the SQS letter


@dataclass(frozen=True)
class LetterFacts:
    """What the letter states that yjinspect does not compute: entered by the inspectors.

    Rates are percentages as published (Ministry of Justice binary reoffending); a lower rate
    is better. `cohort_footnote` says which publication and cohort the rate comes from.
    """

    service_name: str
    fieldwork_start: dt.date
    fieldwork_end: dt.date | None = None
    addressee: str = ""
    sender: str = ""
    publication_date: dt.date | None = None
    reoffending_rate: Decimal | None = None
    previous_rate: Decimal | None = None
    average_rate: Decimal | None = None
    cohort_footnote: str = ""


@dataclass(frozen=True)
class LetterArea:
    number: int | None  # numbered like the letters (1. Reducing reoffending); None: unnumbered
    id: str
    name: str
    blocks: tuple[Block, ...]  # the inspectors' commentary, counts filled in
    counts: tuple[CountLine, ...]
    recorded: tuple[RecordedLine, ...]
    pooled_note: str  # yjinspect's pooled figure, marked as not part of the SQS letter


@dataclass(frozen=True)
class SqsLetter:
    title: str
    addressee: str
    sender: str
    publication_date: str
    opening: str
    context: str
    reoffending: str  # '' when no rate was entered
    footnote: str
    summary: tuple[Block, ...]
    areas: tuple[LetterArea, ...]
    management: LetterArea | None
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    sample_size: int


def format_date(day: dt.date | None, gettext: Gettext = _identity) -> str:
    if day is None:
        return ""
    months = (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    )  # fmt: skip
    return f"{day.day} {gettext(months[day.month - 1])} {day.year}"


def _fieldwork(facts: LetterFacts, gettext: Gettext) -> str:
    start, end = facts.fieldwork_start, facts.fieldwork_end
    if end is None or end == start:
        return format_date(start, gettext)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, gettext)}"
    return f"{format_date(start, gettext)} – {format_date(end, gettext)}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _compare(rate: Decimal, other: Decimal, gettext: Gettext) -> str:
    """Lower reoffending is better."""
    if rate < other:
        return gettext("better than")
    if rate > other:
        return gettext("worse than")
    return gettext("the same as")


def reoffending_sentence(facts: LetterFacts, gettext: Gettext = _identity) -> str:
    """'The published reoffending rate for X was 31.4%. This was better than the previous year
    and better than the England and Wales average of 36.1%.' ('' with no rate entered)."""
    rate = facts.reoffending_rate
    if rate is None:
        return ""
    first = gettext("The published reoffending rate for %(service)s was %(rate)s.") % {
        "service": facts.service_name,
        "rate": _percent(rate),
    }
    parts = []
    if facts.previous_rate is not None:
        parts.append(
            gettext("%(compared)s the previous year")
            % {"compared": _compare(rate, facts.previous_rate, gettext)}
        )
    if facts.average_rate is not None:
        parts.append(
            gettext("%(compared)s the England and Wales average of %(average)s")
            % {
                "compared": _compare(rate, facts.average_rate, gettext),
                "average": _percent(facts.average_rate),
            }
        )
    if not parts:
        return first
    joined = gettext(" and ").join(parts)
    return f"{first} " + gettext("This was %(comparison)s.") % {"comparison": joined}


def _pooled_note(area: AreaResult, gettext: Gettext) -> str:
    if area.percent is None or area.rating_method != "cases":
        return ""
    return gettext(
        "For comparison with later inspections only (the letter publishes no area score): "
        "%(percent)s (%(yes)s of %(applicable)s) of the answers in this area were Yes."
    ) % {"percent": area.percent_text, "yes": area.yes, "applicable": area.applicable}


def sqs_letter(
    framework: Framework,
    rating: AreaRating,
    facts: LetterFacts,
    texts: Mapping[str, str],
    gettext: Gettext = _identity,
    framework_text: Gettext = _identity,
) -> SqsLetter:
    """The SQS letter: figures from `rating`, words from `texts` (ReportText keys: 'summary',
    'area:<id>', 'strengths', 'improvements'), facts from `facts`. `gettext` translates the
    letter's own sentences, `framework_text` the framework's names and questions."""
    ft = framework_text
    phrases = item_phrases(rating)
    sample = rating.sample_size or 0
    areas: list[LetterArea] = []
    management: LetterArea | None = None
    number = 0
    for area in rating.areas:
        judged = area.rating_method == "judgement"
        if not judged:
            number += 1
        built = LetterArea(
            None if judged else number,
            area.id,
            ft(area.name),
            _blocks(texts.get(area_key(area.id), ""), phrases),
            _count_lines(area, ft),
            _recorded_lines(area, ft),
            _pooled_note(area, gettext),
        )
        if judged:
            management = built
        else:
            areas.append(built)
    title = gettext("Report of Short Quality Screening (SQS) of youth offending work in %(s)s") % {
        "s": facts.service_name
    }
    opening = gettext(
        "The inspection took place on %(dates)s as part of our programme of inspection of "
        "youth offending work."
    ) % {"dates": _fieldwork(facts, gettext)}
    context = gettext(
        "Sound assessment and planning at the start of a sentence make good outcomes more "
        "likely. We looked at %(n)s cases of children who had offended recently and were "
        "supervised by %(service)s, with the case manager wherever we could."
    ) % {"n": sample, "service": facts.service_name}
    return SqsLetter(
        title=title,
        addressee=facts.addressee,
        sender=facts.sender,
        publication_date=format_date(facts.publication_date, gettext),
        opening=opening,
        context=context,
        reoffending=reoffending_sentence(facts, gettext),
        footnote=facts.cohort_footnote.strip(),
        summary=_blocks(texts.get("summary", ""), phrases),
        areas=tuple(areas),
        management=management,
        strengths=tuple(fill_counts(s, phrases) for s in _lines(texts.get(STRENGTHS, ""))),
        improvements=tuple(fill_counts(s, phrases) for s in _lines(texts.get(IMPROVEMENTS, ""))),
        sample_size=sample,
    )


# ---------------------------------------------------------------- the FJI report


@dataclass(frozen=True)
class KeyJudgement:
    id: str
    name: str
    word: str  # '' while no word is recorded (judged themes)
    chosen: bool  # the inspectors' word rather than the score's


@dataclass(frozen=True)
class RecommendationGroup:
    """Recommendations addressed to one named role: 'The Chair of the Board should ensure that:'."""

    addressed_to: str
    lead_in: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class ChartRow:
    item_id: str
    question: str
    yes: int
    no: int
    na: int


@dataclass(frozen=True)
class Theme:
    number: int
    id: str
    name: str
    word: str
    expectation: str
    score_sentence: str  # '' for a judged theme (no case assessment score)
    summary: tuple[Block, ...]
    findings: tuple[Block, ...]
    override_reason: str
    chart_svg: str  # '' when the theme has no scored questions
    chart_rows: tuple[ChartRow, ...]
    chart_note: str
    # 'Overall work to reduce reoffending was poor.': from the theme's word, before its summary.
    summary_sentence: str = ""
    # 'This was below the average of 58%.': the score beside an average given for the report.
    comparison: str = ""


@dataclass(frozen=True)
class FjiReport:
    title: str
    foreword: tuple[Block, ...]
    key_judgements: tuple[KeyJudgement, ...]
    recommendations: tuple[RecommendationGroup, ...]
    themes: tuple[Theme, ...]
    sample_size: int


def _score_sentence(area: AreaResult, gettext: Gettext) -> str:
    if area.rating_method != "cases" or area.percent is None:
        return ""
    if area.score_sentence:
        return area.score_sentence
    return gettext(
        "Within the case assessment, %(percent)s of the work in this theme was done well enough."
    ) % {"percent": area.percent_text}


def _summary_sentence(framework: Framework, area: AreaResult, ft: Gettext) -> str:
    """The theme's summary sentence from its word (framework wording); '' without a word."""
    template = framework.area(area.id).summary_sentence
    if not template or not area.word:
        return ""
    return ft(template).format(
        word=ft(area.word).lower(),
        percent=area.percent_text.rstrip("%"),
        work_phrase=ft(framework.area(area.id).work_phrase),
    )


def _percent_figure(value: Decimal) -> str:
    return f"{value.normalize():f}"


def comparison_sentence(
    framework: Framework, area: AreaResult, average: Decimal | None, ft: Gettext = _identity
) -> str:
    """The area's score against an average given for the report: below, above or the same
    (compared on the published whole percentage), in the framework's words; '' when there is
    no average, no score, or no sentence for it in the framework."""
    if average is None or area.percent is None or area.rating_method != "cases":
        return ""
    phrases, other = framework.report_phrases, Fraction(average)
    if area.percent < other:
        template = phrases.below_average
    elif area.percent > other:
        template = phrases.above_average
    else:
        template = phrases.at_average
    if not template:
        return ""
    return ft(template).format(
        percent=area.percent_text.rstrip("%"),
        average=_percent_figure(average),
        work_phrase=ft(framework.area(area.id).work_phrase),
    )


def group_recommendations(
    recommendations: Sequence[tuple[str, str]], gettext: Gettext = _identity
) -> tuple[RecommendationGroup, ...]:
    """(addressed_to, text) pairs, in order, grouped by role in order of first appearance."""
    order: list[str] = []
    by_role: dict[str, list[str]] = {}
    for role, text in recommendations:
        if role not in by_role:
            order.append(role)
            by_role[role] = []
        by_role[role].append(text.strip())
    return tuple(
        RecommendationGroup(
            role,
            gettext("The %(role)s should ensure that:") % {"role": role}
            if not role.lower().startswith("the ")
            else gettext("%(role)s should ensure that:") % {"role": role},
            tuple(by_role[role]),
        )
        for role in order
    )


def _chart(
    area: AreaResult, sample: int, gettext: Gettext, ft: Gettext = _identity
) -> tuple[str, tuple[ChartRow, ...]]:
    scored: list[ItemResult] = [i for i in area.items if i.kind == "scored" and i.pooled]
    rows = tuple(ChartRow(i.id, ft(i.text), i.yes, i.no, i.na) for i in scored)
    if not rows:
        return "", rows
    desc = "; ".join(
        gettext("%(id)s: %(yes)s yes, %(no)s no, %(na)s not applicable")
        % {"id": r.item_id, "yes": r.yes, "no": r.no, "na": r.na}
        for r in rows
    )
    svg = answer_counts_chart(
        f"chart-{area.id}",
        gettext("Data summary: %(theme)s") % {"theme": ft(area.name)},
        desc,
        [CountBar(r.item_id, r.yes, r.no, r.na) for r in rows],
        gettext("Yes"),
        gettext("No"),
        gettext("n/a"),
    )
    return svg, rows


def fji_report(
    framework: Framework,
    rating: AreaRating,
    service_name: str,
    texts: Mapping[str, str],
    recommendations: Sequence[tuple[str, str]],
    gettext: Gettext = _identity,
    title: str = "",
    framework_text: Gettext = _identity,
    averages: Mapping[str, Decimal] | None = None,
) -> FjiReport:
    """The FJI report: words per theme from `texts` ('area:<id>' summary, 'findings:<id>'),
    recommendations as (addressed_to, text) pairs, figures from `rating`. `title` replaces
    the FJI title (the core case inspection uses the same shape). `gettext` translates the
    report's own sentences, `framework_text` the framework's names, words and questions.
    `averages` (area id -> percentage) are comparators entered for the report (the CCI's
    'below average'): each theme with one says how its score compares."""
    ft = framework_text
    averages = averages or {}
    phrases = item_phrases(rating)
    sample = rating.sample_size or 0
    note = gettext(
        "%(n)s cases were inspected. A question's answers can add up to fewer than that, "
        "because not every question applied to every case."
    ) % {"n": sample}
    themes = []
    for number, area in enumerate(rating.areas, 1):
        svg, rows = _chart(area, sample, gettext, ft)
        themes.append(
            Theme(
                number=number,
                id=area.id,
                name=ft(area.name),
                word=ft(area.word) if area.word else "",
                expectation=ft(framework.area(area.id).expectation),
                score_sentence=_score_sentence(area, gettext),
                summary=_blocks(texts.get(area_key(area.id), ""), phrases),
                findings=_blocks(texts.get(f"findings:{area.id}", ""), phrases),
                override_reason=area.override_reason or "",
                chart_svg=svg,
                chart_rows=rows,
                chart_note=note if rows else "",
                summary_sentence=_summary_sentence(framework, area, ft),
                comparison=comparison_sentence(framework, area, averages.get(area.id), ft),
            )
        )
    judgements = tuple(
        KeyJudgement(a.id, ft(a.name), ft(a.word) if a.word else "", bool(a.override_reason))
        for a in rating.areas
    )
    return FjiReport(
        title=title
        or gettext("Full joint inspection of youth offending work in %(s)s") % {"s": service_name},
        foreword=_blocks(texts.get(FOREWORD, ""), phrases),
        key_judgements=judgements,
        recommendations=group_recommendations(recommendations, gettext),
        themes=tuple(themes),
        sample_size=sample,
    )
