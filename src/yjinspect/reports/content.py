"""The inspection report's content, built from the engine's result and the inspection's facts.

Pure Python (no Django): the web page, the PDF and any later export render this structure.
Every figure comes from `InspectionRating` (the engine); this module only words and orders
it, in the layout of the Bexley 2024 report (spec §6.1). Case references only, never names.

Fixed strings go through the `gettext` callable the caller passes (the web app passes
Django's), so the report can be translated; the default leaves them in English. Strings that
come from the framework or the engine (standard names, key questions, rating labels, reasons)
go through `framework_text` instead (the web app passes `yjinspect.reports.welsh.framework_text`
for Welsh), since they are not in the message catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from yjinspect.core.ratings import InspectionRating, KeyQuestionResult, StandardResult
from yjinspect.frameworks.schema import Framework, Standard

from .charts import Bar, bands_from, key_question_chart

Gettext = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def gettext_noop(text: str) -> str:
    """Marks a string for the message catalogue without translating it (xgettext keyword)."""
    return text


ORDINALS = (
    gettext_noop("one"),
    gettext_noop("two"),
    gettext_noop("three"),
    gettext_noop("four"),
    gettext_noop("five"),
    gettext_noop("six"),
    gettext_noop("seven"),
    gettext_noop("eight"),
    gettext_noop("nine"),
    gettext_noop("ten"),
)

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class StandardText:
    """The inspectors' bullet points for an evidence-rated standard."""

    strengths: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompositionRow:
    """Cases of one domain and disposal type: in the sample and on the service's case list."""

    domain: str
    disposal: str
    sample: int
    listed: int


@dataclass(frozen=True)
class AgreementFigure:
    label: str
    pairs: int
    agreed: int
    kappa: float | None


@dataclass(frozen=True)
class InspectionFacts:
    service_name: str
    fieldwork_start: dt.date
    fieldwork_end: dt.date | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    interviews: int | None = None  # case managers interviewed
    practice_examples: int | None = None
    meetings: int | None = None
    cases_by_domain: Mapping[str, int] = field(default_factory=dict)  # in the sample
    composition: tuple[CompositionRow, ...] = ()
    texts: Mapping[str, StandardText] = field(default_factory=dict)
    agreement: tuple[AgreementFigure, ...] = ()


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


@dataclass(frozen=True)
class RatingRow:
    kind: str  # "domain" or "standard"
    id: str
    name: str
    rating_id: str = ""
    rating: str = ""
    outstanding: bool = False
    anchor: str = ""


@dataclass(frozen=True)
class KeyQuestionRow:
    id: str
    lens: str
    text: str
    percent: str
    bold: bool
    footnotes: tuple[int, ...] = ()


@dataclass(frozen=True)
class StandardSection:
    id: str
    name: str
    anchor: str
    heading: str
    statement: str
    rating_id: str
    rating: str
    outstanding: bool
    case_based: bool
    intro: str = ""
    intro_footnote: int | None = None
    key_questions: tuple[KeyQuestionRow, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    strengths: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    not_rated_reason: str = ""


@dataclass(frozen=True)
class ChartRow:
    standard: str
    lens: str
    percent: str
    bold: bool


@dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    svg: str
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class DomainSection:
    id: str
    anchor: str
    heading: str
    intro: str
    standards: tuple[StandardSection, ...]
    chart: Chart | None = None


@dataclass(frozen=True)
class AnnexKeyQuestion:
    standard: str
    id: str
    text: str
    yes: int
    applicable: int
    na: int
    percent: str
    interval: str
    band: str


@dataclass(frozen=True)
class Annex:
    composition: tuple[CompositionRow, ...]
    key_questions: tuple[AnnexKeyQuestion, ...]
    confidence: str
    agreement: tuple[AgreementFigure, ...]


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    text: str
    level: int = 1


@dataclass(frozen=True)
class Report:
    title: str
    place: str
    service_label: str
    inspectorate: str
    month_year: str
    score: int | None
    max_score: int
    score_text: str
    overall_rating_id: str
    overall_rating: str
    ratings: tuple[RatingRow, ...]
    ratings_notes: tuple[str, ...]
    background: tuple[str, ...]
    domains: tuple[DomainSection, ...]
    annex: Annex
    contents: tuple[ContentsEntry, ...]

    def standard(self, standard_id: str) -> StandardSection:
        for domain in self.domains:
            for s in domain.standards:
                if s.id == standard_id:
                    return s
        raise KeyError(standard_id)

    @property
    def footnotes(self) -> tuple[Footnote, ...]:
        return tuple(f for d in self.domains for s in d.standards for f in s.footnotes)


# ---------------------------------------------------------------- building


def anchor(prefix: str, ident: str) -> str:
    return f"{prefix}-" + ident.replace(".", "-")


def _month_year(value: dt.date, _: Gettext = _identity) -> str:
    return f"{_(MONTHS[value.month - 1])} {value.year}"


def _date(value: dt.date, _: Gettext = _identity) -> str:
    return f"{value.day} {_month_year(value, _)}"


def _place(service_name: str, service_term: str) -> str:
    """'Bexley YJS' -> 'Bexley' (the title names the area, the table names the service)."""
    name = service_name.strip()
    for suffix in (f" {service_term}", " YJS", " YOT", " Youth Justice Service"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)].strip()
    return name


def _label(
    result: InspectionRating, res: StandardResult, ft: Gettext = _identity
) -> tuple[str, str]:
    if res.rating is None:
        return "", ft(result.not_rated_label)
    return res.rating.id, ft(res.rating.label)


def build_report(
    framework: Framework,
    result: InspectionRating,
    facts: InspectionFacts,
    gettext: Gettext = _identity,
    framework_text: Gettext = _identity,
) -> Report:
    """The whole report: ratings table, background, domains and standards, data annex.

    `gettext` translates the report's fixed strings; `framework_text` the framework's and the
    engine's own (names, statements, key questions, labels, reasons).
    """
    _ = gettext
    ft = framework_text
    place = _place(facts.service_name, framework.service_term)
    service_label = f"{place} {framework.service_term}"
    by_id = {s.id: s for s in result.standards}
    lenses = {lens.id: ft(lens.label) for lens in framework.lenses}
    domain_labels = {d.id: ft(d.label) for d in framework.case_domains}
    top_rating = framework.ratings[-1].id if framework.ratings else ""

    # Ratings table (4.1-style unscored standards are left out when not rated, with a note).
    rows: list[RatingRow] = []
    notes: list[str] = []
    for domain in framework.domains:
        shown = []
        for std in domain.standards:
            res = by_id[std.id]
            rating_id, label = _label(result, res, ft)
            if res.rating is None and not std.scored:
                notes.append(
                    _("%(id)s %(name)s was not rated: %(reason)s.")
                    % {
                        "id": std.id,
                        "name": ft(std.name),
                        "reason": ft(res.not_rated_reason or ""),
                    }
                )
                continue
            shown.append(
                RatingRow(
                    "standard",
                    std.id,
                    ft(std.name),
                    rating_id,
                    label,
                    rating_id == top_rating,
                    anchor("standard", std.id),
                )
            )
        if shown:
            rows.append(RatingRow("domain", domain.id, ft(domain.name)))
            rows.extend(shown)
    score_text = (
        _("Score %(score)s/%(max)s") % {"score": result.score, "max": result.max_score}
        if result.score is not None
        else _("No score yet (out of %(max)s)") % {"max": result.max_score}
    )
    overall_id = result.overall_rating.id if result.overall_rating else ""
    overall = ft(result.overall_rating.label if result.overall_rating else result.not_rated_label)

    background = _background(framework, facts, service_label, domain_labels, _)

    counter = [0]

    def next_note() -> int:
        counter[0] += 1
        return counter[0]

    domains: list[DomainSection] = []
    bands = [replace(b, label=ft(b.label)) for b in bands_from(framework)]
    for index, domain in enumerate(framework.domains):
        sections: list[StandardSection] = []
        bars: list[Bar] = []
        chart_rows: list[ChartRow] = []
        for std in domain.standards:
            res = by_id[std.id]
            rating_id, label = _label(result, res, ft)
            name = ft(std.name)
            base = StandardSection(
                id=std.id,
                name=name,
                anchor=anchor("standard", std.id),
                heading=f"{std.id}. {name}",
                statement=ft(std.statement),
                rating_id=rating_id,
                rating=label,
                outstanding=rating_id == top_rating,
                case_based=std.rating_method == "cases",
                not_rated_reason=ft(res.not_rated_reason or ""),
            )
            if std.rating_method == "cases":
                intro_note = next_note()
                footnotes = [
                    Footnote(
                        intro_note,
                        _(
                            "The rating for the standard is driven by the lowest score on each "
                            "of the key questions, which is placed in a rating band, indicated "
                            "in bold in the table."
                        ),
                    )
                ]
                kq_rows = []
                for kq in res.key_questions:
                    bold = kq.id == res.driving_key_question
                    marks: tuple[int, ...] = ()
                    if bold and res.discretion is not None and res.computed_rating and res.rating:
                        number = next_note()
                        marks = (number,)
                        footnotes.append(
                            Footnote(number, _discretion_text(framework, res, name, _, ft))
                        )
                    percent = ft(kq.percent_text)
                    kq_rows.append(
                        KeyQuestionRow(
                            kq.id,
                            lenses.get(kq.lens, kq.lens),
                            ft(kq.text),
                            percent,
                            bold,
                            marks,
                        )
                    )
                    bars.append(
                        Bar(
                            f"{std.id} {lenses.get(kq.lens, kq.lens)}",
                            None if kq.fraction is None else float(kq.fraction) * 100,
                            percent,
                            bold,
                        )
                    )
                    chart_rows.append(
                        ChartRow(
                            f"{std.id} {name}",
                            lenses.get(kq.lens, kq.lens),
                            percent,
                            bold,
                        )
                    )
                sections.append(
                    replace(
                        base,
                        intro=_("Our rating for %(name)s is based on the following key questions:")
                        % {"name": name.lower()},
                        intro_footnote=intro_note,
                        key_questions=tuple(kq_rows),
                        footnotes=tuple(footnotes),
                    )
                )
            else:
                text = facts.texts.get(std.id, StandardText())
                sections.append(replace(base, strengths=text.strengths, areas=text.areas))
        ordinal = _(ORDINALS[index]) if index < len(ORDINALS) else str(index + 1)
        chart = None
        if bars:
            chart_id = anchor("chart", domain.id)
            caption = _("Key questions in domain %(n)s: %(name)s, percentage answered Yes") % {
                "n": ordinal,
                "name": ft(domain.name).lower(),
            }
            lowest = _("lowest, drives the rating")
            desc = "; ".join(
                f"{row.standard}, {row.lens}: {row.percent}" + (f" ({lowest})" if row.bold else "")
                for row in chart_rows
            )
            desc = _(
                "Bars show the share of cases answered Yes for each key question, "
                "over shaded rating bands (%(bands)s). %(values)s."
            ) % {
                "bands": ", ".join(
                    _("%(label)s from %(low)s%%") % {"label": b.label, "low": f"{b.low:g}"}
                    for b in bands
                ),
                "values": desc,
            }
            svg = key_question_chart(chart_id, caption, desc, bars, bands)
            chart = Chart(chart_id, caption, svg, tuple(chart_rows))
        domains.append(
            DomainSection(
                domain.id,
                anchor("domain", domain.id),
                _("Domain %(ordinal)s: %(name)s") % {"ordinal": ordinal, "name": ft(domain.name)},
                _domain_intro(framework, domain.standards, facts, domain_labels, _, ft),
                tuple(sections),
                chart,
            )
        )

    annex = _annex(framework, result, facts, ft)
    contents = [
        ContentsEntry("ratings", _("Ratings")),
        ContentsEntry("background", _("Background")),
    ]
    for d in domains:
        contents.append(ContentsEntry(d.anchor, d.heading))
        contents.extend(ContentsEntry(s.anchor, s.heading, 2) for s in d.standards)
    contents.append(ContentsEntry("annex", _("Data annex")))
    return Report(
        title=_("An inspection of youth justice services in %(place)s") % {"place": place},
        place=place,
        service_label=service_label,
        inspectorate=_("HM Inspectorate of Probation"),
        month_year=_month_year(facts.fieldwork_start, _),
        score=result.score,
        max_score=result.max_score,
        score_text=score_text,
        overall_rating_id=overall_id,
        overall_rating=overall,
        ratings=tuple(rows),
        ratings_notes=tuple(notes),
        background=background,
        domains=tuple(domains),
        annex=annex,
        contents=tuple(contents),
    )


def _discretion_text(
    framework: Framework,
    res: StandardResult,
    name: str,
    _: Gettext,
    ft: Gettext = _identity,
) -> str:
    assert res.computed_rating is not None and res.rating is not None
    up = framework.rating_rank(res.rating.id) > framework.rating_rank(res.computed_rating.id)
    template = (
        _(
            "Professional discretion was used to increase the rating for %(name)s from "
            "%(from)s to %(to)s following the consideration of all evidence."
        )
        if up
        else _(
            "Professional discretion was used to decrease the rating for %(name)s from "
            "%(from)s to %(to)s following the consideration of all evidence."
        )
    )
    return template % {
        "name": name.lower(),
        "from": ft(res.computed_rating.label),
        "to": ft(res.rating.label),
    }


def _background(
    framework: Framework,
    facts: InspectionFacts,
    service_label: str,
    domain_labels: Mapping[str, str],
    _: Gettext,
) -> tuple[str, ...]:
    out = []
    if facts.fieldwork_end:
        out.append(
            _("We conducted fieldwork in %(service)s between %(start)s and %(end)s.")
            % {
                "service": service_label,
                "start": _date(facts.fieldwork_start, _),
                "end": _date(facts.fieldwork_end, _),
            }
        )
    else:
        out.append(
            _("We conducted fieldwork in %(service)s beginning %(start)s.")
            % {"service": service_label, "start": _date(facts.fieldwork_start, _)}
        )
    if facts.window_start and facts.window_end:
        out.append(
            _(
                "We inspected cases where the sentence began between %(start)s and %(end)s, "
                "and out-of-court disposals that were delivered between %(start)s and %(end)s."
            )
            % {"start": _date(facts.window_start, _), "end": _date(facts.window_end, _)}
        )
    if facts.cases_by_domain:
        parts = [
            f"{n} {domain_labels.get(d, d).lower()}"
            for d, n in sorted(facts.cases_by_domain.items())
            if n
        ]
        if parts:
            out.append(_("The sample held %(parts)s cases.") % {"parts": ", ".join(parts)})
    if facts.interviews is not None:
        out.append(
            _("We also conducted %(n)s interviews with case managers.") % {"n": facts.interviews}
        )
    if facts.practice_examples:
        out.append(
            _("Inspectors recorded %(n)s examples of practice.") % {"n": facts.practice_examples}
        )
    return tuple(out)


def _domain_intro(
    framework: Framework,
    standards: Sequence[Standard],
    facts: InspectionFacts,
    domain_labels: Mapping[str, str],
    _: Gettext,
    ft: Gettext = _identity,
) -> str:
    case_based = [s for s in standards if s.rating_method == "cases"]
    case_domains = {d for s in case_based for d in s.case_domains}
    if not case_based:
        if facts.meetings:
            return _(
                "We reviewed written evidence submitted in advance by the %(term)s and "
                "conducted %(n)s meetings."
            ) % {"term": framework.service_term, "n": facts.meetings}
        return ""
    parts = []
    for domain_id in sorted(case_domains):
        rows = [r for r in facts.composition if r.domain == domain_id and r.sample]
        total = facts.cases_by_domain.get(domain_id, sum(r.sample for r in rows))
        detail = ", ".join(f"{r.sample} {ft(r.disposal.replace('_', ' '))}" for r in rows)
        text = _("We took a detailed look at %(n)s cases (%(label)s)") % {
            "n": total,
            "label": domain_labels.get(domain_id, domain_id).lower(),
        }
        parts.append(f"{text} ({detail})." if detail else f"{text}.")
    return " ".join(parts)


def _interval_text(kq: KeyQuestionResult, decimals: int) -> str:
    if kq.interval is None:
        return ""
    low, high = kq.interval
    return f"{low * 100:.{decimals}f}%–{high * 100:.{decimals}f}%"


def _annex(
    framework: Framework,
    result: InspectionRating,
    facts: InspectionFacts,
    ft: Gettext = _identity,
) -> Annex:
    decimals = framework.percentages.display_decimals
    rows = tuple(
        AnnexKeyQuestion(
            s.id,
            kq.id,
            ft(kq.text),
            kq.yes,
            kq.applicable,
            kq.na,
            ft(kq.percent_text),
            _interval_text(kq, decimals),
            ft(kq.band.label) if kq.band else "",
        )
        for s in result.standards
        for kq in s.key_questions
    )
    composition = tuple(
        replace(r, domain=ft(r.domain), disposal=ft(r.disposal)) for r in facts.composition
    )
    agreement = tuple(replace(a, label=ft(a.label)) for a in facts.agreement)
    return Annex(
        composition,
        rows,
        f"{float(framework.interval.confidence) * 100:g}%",
        agreement,
    )
