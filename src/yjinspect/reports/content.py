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
from decimal import Decimal

from yjinspect.core.caselist import value_label
from yjinspect.core.indicators import IndicatorResult
from yjinspect.core.ratings import InspectionRating, KeyQuestionResult, StandardResult
from yjinspect.frameworks.schema import Domain, Framework, Standard

from .charts import Bar, CountBar, answer_counts_chart, bands_from, key_question_chart
from .figures_check import KeyQuestionCount, count_warnings
from .markup import Note, parse, split_notes

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _identity(text: str) -> str:
    return text


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular/plural pair for the catalogue without translating it."""
    return singular, plural


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
    eligible: int | None = None  # in the sample's time window; None when not known


@dataclass(frozen=True)
class AgreementFigure:
    label: str
    pairs: int
    agreed: int
    kappa: float | None


@dataclass(frozen=True)
class EditedText:
    """Words the inspectors wrote, in English and Welsh (either may be blank)."""

    en: str = ""
    cy: str = ""


@dataclass(frozen=True)
class RecommendationInput:
    addressed_to: str
    text_en: str
    addressed_to_cy: str = ""
    text_cy: str = ""


@dataclass(frozen=True)
class PracticeExampleInput:
    """A practice example: the case's domain (to place it) and the note, never the case."""

    domain: str
    text: str


@dataclass(frozen=True)
class OutcomeIndicators:
    """The outcome indicators stored for the inspection (the core's results, never recomputed
    here) and the counting periods that are not part of each result."""

    results: tuple[IndicatorResult, ...]
    follow_up_months: int
    waiting_months: int
    comparator_source: str = ""  # where the England and Wales figures came from


# Keys of `InspectionFacts.edited` (ReportText.key in the web app).
FOREWORD = "foreword"
BACKGROUND = "background"
INVOLVEMENT = "involvement"
DIVERSITY = "diversity"


def standard_key(standard_id: str) -> str:
    return f"standard:{standard_id}"


@dataclass(frozen=True)
class InspectionFacts:
    service_name: str
    fieldwork_start: dt.date
    fieldwork_end: dt.date | None = None
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    interviews: int | None = None  # case managers interviewed
    # Sampled cases whose case manager was interviewed, by case domain (the domains' intros).
    interviews_by_domain: Mapping[str, int] = field(default_factory=dict)
    lead_name: str = ""  # the lead inspector, for the acknowledgements; '' leaves them out
    published_on: dt.date | None = None  # the report is dated by its publication, once published
    internal_audit: bool = False  # the service's own audit against the standards, not HMIP's
    meetings: Mapping[str, int] = field(default_factory=dict)  # by standard id
    cases_by_domain: Mapping[str, int] = field(default_factory=dict)  # in the sample
    composition: tuple[CompositionRow, ...] = ()
    texts: Mapping[str, StandardText] = field(default_factory=dict)
    agreement: tuple[AgreementFigure, ...] = ()
    edited: Mapping[str, EditedText] = field(default_factory=dict)
    recommendations: tuple[RecommendationInput, ...] = ()
    examples: tuple[PracticeExampleInput, ...] = ()
    indicators: OutcomeIndicators | None = None


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class Footnote:
    """A note at the foot of the page: its number in the report's one sequence, and its words.
    Every mark in the text carries its note, so the PDF can float the words to the foot of
    the page where the mark is, and the web page can list them after the section."""

    number: int
    text: str


@dataclass(frozen=True)
class Words:
    """A run of the inspectors' words with the footnotes they typed in it, numbered."""

    parts: tuple[str | Footnote, ...] = ()

    @property
    def text(self) -> str:
        """The words alone, without the notes."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def notes(self) -> tuple[Footnote, ...]:
        return tuple(p for p in self.parts if isinstance(p, Footnote))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (one item) or a bullet list (one item per bullet) of the inspectors' words."""

    kind: str  # "paragraph" or "bullets"
    items: tuple[Words, ...]

    @property
    def text(self) -> str:
        return " ".join(item.text for item in self.items)

    @property
    def notes(self) -> tuple[Footnote, ...]:
        return tuple(n for item in self.items for n in item.notes)


@dataclass(frozen=True)
class Passage:
    """Edited words as paragraphs and bullet lists; `lang` is "en" where Welsh was missing."""

    blocks: tuple[TextBlock, ...] = ()
    lang: str = ""

    @property
    def notes(self) -> tuple[Footnote, ...]:
        return tuple(n for block in self.blocks for n in block.notes)


@dataclass(frozen=True)
class RecommendationEntry:
    number: int
    words: Words
    lang: str = ""

    @property
    def text(self) -> str:
        return self.words.text


@dataclass(frozen=True)
class RecommendationGroup:
    """Recommendations for one body: the heading is `before` + `body` + `after`."""

    before: str
    body: str
    body_lang: str
    after: str
    items: tuple[RecommendationEntry, ...]

    @property
    def notes(self) -> tuple[Footnote, ...]:
        return tuple(n for item in self.items for n in item.words.notes)


@dataclass(frozen=True)
class SummaryRow:
    standard: str
    lens: str
    yes: int
    no: int
    na: int


@dataclass(frozen=True)
class SummaryChart:
    """The case-data summary of a domain: Yes and No counts per key question (seed 002)."""

    id: str
    heading: str
    note: str
    svg: str
    rows: tuple[SummaryRow, ...]


@dataclass(frozen=True)
class OutcomeStatement:
    """One outcome indicator in the background: `text`, footnote mark, then `after` (the
    England and Wales comparison, blank when no comparator was loaded)."""

    key: str
    text: str
    footnote: Footnote
    after: str = ""


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
    footnotes: tuple[Footnote, ...] = ()


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
    intro_footnote: Footnote | None = None
    key_questions: tuple[KeyQuestionRow, ...] = ()
    footnotes: tuple[Footnote, ...] = ()  # every note of the standard, in reading order
    strengths: tuple[Words, ...] = ()
    areas: tuple[Words, ...] = ()
    not_rated_reason: str = ""
    narrative: Passage = Passage()
    # How a judged standard was inspected, with its findings' lead-in (framework wording),
    # and the sentence saying why it is not rated (within `evidence` when there is one).
    evidence: str = ""
    not_rated_text: str = ""
    # Count phrases in the narrative that the key-question figures contradict: shown to the
    # team on the draft report page, never printed (`figures_check`).
    count_warnings: tuple[str, ...] = ()


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
    summary: SummaryChart | None = None
    examples: tuple[Passage, ...] = ()
    findings_lead_in: str = ""  # 'Key findings about organisational delivery were as follows.'

    @property
    def examples_notes(self) -> tuple[Footnote, ...]:
        return tuple(n for example in self.examples for n in example.notes)


@dataclass(frozen=True)
class AnnexKeyQuestion:
    standard: str
    id: str  # for lookups; the annex prints `label`, never the internal id
    text: str
    yes: int
    applicable: int
    na: int
    percent: str
    interval: str
    band: str
    label: str = ""  # '2.1 Keeping other people safe': the standard and the lens


@dataclass(frozen=True)
class Annex:
    composition: tuple[CompositionRow, ...]
    key_questions: tuple[AnnexKeyQuestion, ...]
    confidence: str
    agreement: tuple[AgreementFigure, ...]

    @property
    def shows_eligible(self) -> bool:
        """The 'in the time window' column appears once a sample is drawn and counted."""
        return any(row.eligible is not None for row in self.composition)


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
    month_year: str  # when fieldwork started
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
    foreword: Passage = Passage()
    recommendations_intro: str = ""
    recommendations: tuple[RecommendationGroup, ...] = ()
    background_text: Passage = Passage()
    involvement: Passage = Passage()
    involvement_after: str = ""  # the domain whose section it follows (seed 004: domain one)
    diversity: Passage = Passage()  # follows the involvement passage, in the same domain
    acknowledgements: str = ""
    dated: str = ""  # the cover's month: publication once published, else fieldwork
    audit_note: str = ""  # an internal audit says, on its cover, whose judgement it is
    examples_note: str = ""
    outcomes: tuple[OutcomeStatement, ...] = ()
    background_footnotes: tuple[Footnote, ...] = ()  # the outcome figures', then the text's
    # The inspectorate's fixed parts, from the framework's report sentences (never for an
    # internal audit): who it is and how it inspects, the licence, publisher and copyright.
    about_heading: str = ""
    about: Passage = Passage()
    licence: Passage = Passage()
    publisher: Passage = Passage()
    copyright: str = ""
    # 'Further information': the framework's words (where more is published), then this
    # report's own annexes.
    further_information: Passage = Passage()
    annexes: tuple[ContentsEntry, ...] = ()

    @property
    def recommendations_notes(self) -> tuple[Footnote, ...]:
        return tuple(n for group in self.recommendations for n in group.notes)

    @property
    def has_english_fallback(self) -> bool:
        """Whether any of the inspectors' words are shown in English for want of Welsh, so a
        Welsh report can say that some of it is not translated yet."""
        passages = [self.foreword, self.background_text, self.involvement, self.diversity]
        passages += [s.narrative for d in self.domains for s in d.standards]
        if any(p.lang == "en" for p in passages):
            return True
        return any(
            g.body_lang == "en" or any(item.lang == "en" for item in g.items)
            for g in self.recommendations
        )

    @property
    def count_warnings(self) -> tuple[tuple[str, str], ...]:
        """(standard id, warning) for every narrative count the figures contradict: what the
        lead must see before publication (the pre-publication check can list these)."""
        return tuple(
            (s.id, warning)
            for d in self.domains
            for s in d.standards
            for warning in s.count_warnings
        )

    def standard(self, standard_id: str) -> StandardSection:
        for domain in self.domains:
            for s in domain.standards:
                if s.id == standard_id:
                    return s
        raise KeyError(standard_id)

    @property
    def footnotes(self) -> tuple[Footnote, ...]:
        """Every footnote in reading order: foreword, recommendations, background, then each
        domain's standards and practice examples, with involvement and diversity after the
        domain they close."""
        notes = [*self.foreword.notes, *self.recommendations_notes, *self.background_footnotes]
        for d in self.domains:
            notes += [f for s in d.standards for f in s.footnotes]
            notes += d.examples_notes
            if d.id == self.involvement_after:
                notes += [*self.involvement.notes, *self.diversity.notes]
        return tuple(notes)


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


@dataclass
class _Build:
    """What every section of one report needs: the inputs, the translators, the names worked
    out once, and the footnote counter. Sections are built in reading order, so the one
    counter numbers every note through the document."""

    framework: Framework
    result: InspectionRating
    facts: InspectionFacts
    _: Gettext
    ft: Gettext
    lang: str
    ngettext: Ngettext
    place: str = ""
    service_label: str = ""
    by_id: Mapping[str, StandardResult] = field(default_factory=dict)
    lenses: Mapping[str, str] = field(default_factory=dict)
    domain_labels: Mapping[str, str] = field(default_factory=dict)
    top_rating: str = ""
    last_note: int = 0

    def note(self, text: str) -> Footnote:
        """The next footnote, numbered on from the last one given out."""
        self.last_note += 1
        return Footnote(self.last_note, text)

    def words(self, text: str) -> Words:
        """Typed words with their '[^...]' notes numbered, in the order they are read."""
        return Words(
            tuple(self.note(p.text) if isinstance(p, Note) else p for p in split_notes(text))
        )

    def sentence(self, slot: str, **values: object) -> str:
        """The framework's sentence for a report slot (schema.REPORT_SENTENCE_SLOTS), in the
        report's language and filled in; '' when the framework has none."""
        template = self.framework.report_sentences.get(slot, "")
        return self.ft(template).format(**values) if template else ""

    def passage(self, text: EditedText | None) -> Passage:
        """The text in the report's language (English, marked lang="en", where Welsh is
        missing), as paragraphs and bullets with their footnotes numbered."""
        chosen, mark = _chosen_text(text, self.lang)
        blocks = tuple(
            TextBlock(block.kind, tuple(self.words(item) for item in block.items))
            for block in parse(chosen)
        )
        return Passage(blocks, mark if blocks else "")


def build_report(
    framework: Framework,
    result: InspectionRating,
    facts: InspectionFacts,
    gettext: Gettext = _identity,
    framework_text: Gettext = _identity,
    lang: str = "en",
    ngettext: Ngettext = _english_plural,
) -> Report:
    """The whole report: ratings table, background, domains and standards, data annex.

    `gettext` translates the report's fixed strings; `framework_text` the framework's and the
    engine's own (names, statements, key questions, labels, reasons). `lang` ("en" or "cy")
    chooses which of the inspectors' texts to show; a missing Welsh text falls back to the
    English one, marked lang="en". `ngettext` chooses singular or plural wordings of counts
    (the web app passes Django's).

    Each section has its own function below, called in the order the report is read, so the
    footnotes they number run through the document.
    """
    place = _place(facts.service_name, framework.service_term)
    b = _Build(
        framework,
        result,
        facts,
        gettext,
        framework_text,
        lang,
        ngettext,
        place=place,
        service_label=f"{place} {framework.service_term}",
        by_id={s.id: s for s in result.standards},
        lenses={lens.id: framework_text(lens.label) for lens in framework.lenses},
        domain_labels={d.id: framework_text(d.label) for d in framework.case_domains},
        top_rating=framework.ratings[-1].id if framework.ratings else "",
    )
    # In reading order, so the one footnote counter numbers the notes as they are read.
    foreword = b.passage(facts.edited.get(FOREWORD))
    rows, notes = _ratings_table(b)
    groups = _recommendation_groups(b)
    background = _background(framework, facts, b.service_label, b.domain_labels, gettext, ngettext)
    outcomes = _outcomes(b)
    background_text = b.passage(facts.edited.get(BACKGROUND))
    involvement_after = framework.domains[0].id if framework.domains else ""
    involvement = diversity = Passage()
    domains = []
    for index, domain in enumerate(framework.domains):
        domains.append(_domain(b, index, domain))
        if domain.id == involvement_after:  # seed 004 closes domain one with these
            involvement = b.passage(facts.edited.get(INVOLVEMENT))
            diversity = b.passage(facts.edited.get(DIVERSITY))
    acknowledgements = _acknowledgements(facts.lead_name, gettext)
    annex = _annex(framework, result, facts, framework_text)
    annexes = _annexes(b, annex)
    contents = _contents(
        b, domains, acknowledgements, foreword, groups, involvement, diversity, involvement_after
    )
    publishing = not facts.internal_audit  # the inspectorate's parts: not in a service's audit
    year = (facts.published_on or facts.fieldwork_start).year
    return Report(
        about_heading=b.sentence("about_heading") if publishing else "",
        about=_fixed(b.sentence("about")) if publishing else Passage(),
        licence=_fixed(b.sentence("licence")) if publishing else Passage(),
        publisher=_fixed(b.sentence("publisher")) if publishing else Passage(),
        copyright=b.sentence("copyright", year=year) if publishing else "",
        further_information=(
            _fixed(b.sentence("further_information", service_term=framework.service_term))
            if publishing
            else Passage()
        ),
        annexes=annexes,
        foreword=foreword,
        recommendations_intro=_recommendations_intro(
            sum(len(g.items) for g in groups), place, gettext
        ),
        recommendations=groups,
        background_text=background_text,
        involvement=involvement,
        involvement_after=involvement_after,
        diversity=diversity,
        acknowledgements=acknowledgements,
        examples_note=_examples_note(b, domains),
        contents=contents,
        outcomes=outcomes,
        background_footnotes=(*(o.footnote for o in outcomes), *background_text.notes),
        ratings=rows,
        ratings_notes=notes,
        background=background,
        domains=tuple(domains),
        annex=annex,
        place=place,
        service_label=b.service_label,
        month_year=_month_year(facts.fieldwork_start, gettext),
        dated=_month_year(facts.published_on or facts.fieldwork_start, gettext),
        **_cover(b),
        score=result.score,
        max_score=result.max_score,
        score_text=_score_text(result, gettext),
        overall_rating_id=result.overall_rating.id if result.overall_rating else "",
        overall_rating=framework_text(
            result.overall_rating.label if result.overall_rating else result.not_rated_label
        ),
    )


def _cover(b: _Build) -> dict[str, str]:
    """Title, byline and audit note of the cover; an internal audit says whose audit it is."""
    _ = b._
    facts = b.facts
    title = (
        _("An internal audit of youth justice services in %(place)s")
        if facts.internal_audit
        else _("An inspection of youth justice services in %(place)s")
    )
    audit_note = (
        _(
            "An internal audit by %(service)s against HM Inspectorate of Probation's "
            "standards: the ratings are the service's own, not the Inspectorate's."
        )
        % {"service": b.service_label}
        if facts.internal_audit
        else ""
    )
    return {
        "title": title % {"place": b.place},
        "audit_note": audit_note,
        "inspectorate": (
            b.service_label if facts.internal_audit else _("HM Inspectorate of Probation")
        ),
    }


def _examples_note(b: _Build, domains: Sequence[DomainSection]) -> str:
    if not any(d.examples for d in domains):
        return ""
    return b.sentence("examples_note") or b._(
        "The names in the practice examples have been changed to protect identities."
    )


def _fixed(text: str) -> Passage:
    """A framework's fixed wording as paragraphs and bullets (no footnotes: none are typed)."""
    return Passage(
        tuple(
            TextBlock(block.kind, tuple(Words((item,)) for item in block.items))
            for block in parse(text)
        )
    )


def _annexes(b: _Build, annex: Annex) -> tuple[ContentsEntry, ...]:
    """The parts of this report's data annex, listed under 'Further information'."""
    _ = b._
    entries = [
        ContentsEntry(
            "annex-sample", _("Sample composition: the cases inspected and the case list")
        ),
        ContentsEntry(
            "annex-key-questions",
            _("Every key question: its answers and the %(c)s interval") % {"c": annex.confidence},
        ),
    ]
    if annex.agreement:
        entries.append(ContentsEntry("annex-agreement", _("Moderation agreement")))
    return tuple(entries)


def _score_text(result: InspectionRating, _: Gettext) -> str:
    if result.score is None:
        return _("No score yet (out of %(max)s)") % {"max": result.max_score}
    return _("Score %(score)s/%(max)s") % {"score": result.score, "max": result.max_score}


def _ratings_table(b: _Build) -> tuple[tuple[RatingRow, ...], tuple[str, ...]]:
    """One row per domain and standard; unscored standards that were not rated (4.1 without
    resettlement cases) are left out of the table and said in a note below it."""
    rows: list[RatingRow] = []
    notes: list[str] = []
    for domain in b.framework.domains:
        shown = []
        for std in domain.standards:
            res = b.by_id[std.id]
            rating_id, label = _label(b.result, res, b.ft)
            if res.rating is None and not std.scored:
                notes.append(
                    b._("%(id)s %(name)s was not rated: %(reason)s.")
                    % {
                        "id": std.id,
                        "name": b.ft(std.name),
                        "reason": b.ft(res.not_rated_reason or ""),
                    }
                )
                continue
            shown.append(
                RatingRow(
                    "standard",
                    std.id,
                    b.ft(std.name),
                    rating_id,
                    label,
                    rating_id == b.top_rating,
                    anchor("standard", std.id),
                )
            )
        if shown:
            rows.append(RatingRow("domain", domain.id, b.ft(domain.name)))
            rows.extend(shown)
    return tuple(rows), tuple(notes)


def _domain(b: _Build, index: int, domain: Domain) -> DomainSection:
    """A domain: its introduction, key-question chart, standards, practice examples and
    case-data summary."""
    _ = b._
    ordinal = _(ORDINALS[index]) if index < len(ORDINALS) else str(index + 1)
    sections = tuple(_standard(b, std) for std in domain.standards)
    case_domains = {d for std in domain.standards for d in std.case_domains}
    return DomainSection(
        domain.id,
        anchor("domain", domain.id),
        _("Domain %(ordinal)s: %(name)s") % {"ordinal": ordinal, "name": b.ft(domain.name)},
        _domain_intro(b, domain.standards),
        sections,
        _domain_chart(b, domain, ordinal, sections),
        _summary_chart(
            domain.id, b.ft(domain.name), case_domains, b.by_id, sections, b.facts, b.lenses, _
        ),
        tuple(
            b.passage(EditedText(example.text))
            for example in b.facts.examples
            if example.domain in case_domains and example.text.strip()
        ),
        _findings_lead_in(b, domain),
    )


def _findings_lead_in(b: _Build, domain: Domain) -> str:
    """'Key findings about organisational delivery were as follows.': for a domain judged on
    evidence alone, when its standards have no sentence of their own on how they were judged."""
    judged_only = all(std.rating_method == "judgement" for std in domain.standards)
    own = any(f"evidence:{std.id}" in b.framework.report_sentences for std in domain.standards)
    if not judged_only or own:
        return ""
    return b.sentence("domain_findings", domain=b.ft(domain.name).lower())


def _standard(b: _Build, std: Standard) -> StandardSection:
    """A standard's heading, statement and rating, then its key questions (case-rated) or its
    strengths and areas for improvement (judged), then the inspectors' narrative."""
    res = b.by_id[std.id]
    rating_id, label = _label(b.result, res, b.ft)
    name = b.ft(std.name)
    section = StandardSection(
        id=std.id,
        name=name,
        anchor=anchor("standard", std.id),
        heading=f"{std.id}. {name}",
        statement=b.ft(std.statement),
        rating_id=rating_id,
        rating=label,
        outstanding=rating_id == b.top_rating,
        case_based=std.rating_method == "cases",
        not_rated_reason=b.ft(res.not_rated_reason or ""),
    )
    if std.rating_method == "cases":
        section = _key_questions(b, section, res)
    else:
        text = b.facts.texts.get(std.id, StandardText())
        strengths = tuple(b.words(line) for line in text.strengths)
        areas = tuple(b.words(line) for line in text.areas)
        notes = tuple(n for line in (*strengths, *areas) for n in line.notes)
        section = replace(section, strengths=strengths, areas=areas, footnotes=notes)
    if res.rating is None and res.not_rated_reason:
        section = replace(section, not_rated_text=_not_rated_text(b, std, res))
    # How the inspectorate inspected it: not said of a service's own audit.
    judged = std.rating_method == "judgement" and not b.facts.internal_audit
    evidence = b.sentence(f"evidence:{std.id}") if judged else ""
    if evidence:  # 'We inspected ... interviews.' then why it is not rated, or the lead-in
        lead_in = b.sentence("standard_findings") if section.strengths or section.areas else ""
        tail = section.not_rated_text or lead_in
        section = replace(section, evidence=f"{evidence} {tail}".strip(), not_rated_text="")
    edited = b.facts.edited.get(standard_key(std.id))
    narrative = b.passage(edited)
    if narrative.blocks:
        section = replace(
            section, narrative=narrative, footnotes=section.footnotes + narrative.notes
        )
    if edited is not None and std.rating_method == "cases":
        section = replace(section, count_warnings=_count_warnings(b, res, edited.en))
    return section


def _count_warnings(b: _Build, res: StandardResult, english: str) -> tuple[str, ...]:
    """The narrative's count phrases its key questions contradict, checked in the English the
    inspectors wrote (the phrases are English), against Yes and No per key question."""
    paragraphs = [
        "".join(part for part in split_notes(item) if isinstance(part, str))
        for block in parse(english)
        for item in block.items
    ]
    figures = [
        KeyQuestionCount(kq.lens, b.lenses.get(kq.lens, kq.lens), kq.yes, kq.applicable - kq.yes)
        for kq in res.key_questions
    ]
    return tuple(
        b._("The narrative and the figures disagree, check before publication. %(problem)s")
        % {"problem": w.message}
        for w in count_warnings(paragraphs, figures, b._)
    )


def _not_rated_text(b: _Build, std: Standard, res: StandardResult) -> str:
    """Why a standard has no rating: the framework's sentence when it is for want of cases in
    the timescale (4.1 without resettlement cases), otherwise the engine's reason."""
    needs = std.not_rated_without_cases
    if needs and not b.facts.cases_by_domain.get(needs):
        label = b.domain_labels.get(needs, needs).lower()
        framework_words = b.sentence("not_rated_without_cases", domain=label)
        if framework_words:
            return framework_words
    return b._("This standard has not been rated: %(r)s.") % {"r": b.ft(res.not_rated_reason or "")}


def _key_questions(b: _Build, section: StandardSection, res: StandardResult) -> StandardSection:
    """The key-question table with its footnotes: how the rating is made, and professional
    discretion at the row that drove the rating (the framework's words, else our own)."""
    _ = b._
    intro_note = b.note(
        b.sentence("rating_rule")
        or _(
            "A standard takes the rating band of its lowest-scoring key question, shown in "
            "bold in the table."
        )
    )
    footnotes = [intro_note]
    rows = []
    for kq in res.key_questions:
        bold = kq.id == res.driving_key_question
        marks: tuple[Footnote, ...] = ()
        if bold and res.discretion is not None and res.computed_rating and res.rating:
            note = b.note(_discretion_text(b, res, section.name))
            marks = (note,)
            footnotes.append(note)
        rows.append(
            KeyQuestionRow(
                kq.id,
                b.lenses.get(kq.lens, kq.lens),
                b.ft(kq.text),
                b.ft(kq.percent_text),
                bold,
                marks,
            )
        )
    return replace(
        section,
        intro=_("Our rating for %(name)s is based on the following key questions:")
        % {"name": section.name.lower()},
        intro_footnote=intro_note,
        key_questions=tuple(rows),
        footnotes=tuple(footnotes),
    )


def _domain_chart(
    b: _Build, domain: Domain, ordinal: str, sections: Sequence[StandardSection]
) -> Chart | None:
    """The domain's key questions over the rating bands, with its figures as text."""
    _ = b._
    bars: list[Bar] = []
    chart_rows: list[ChartRow] = []
    for section in sections:
        if not section.case_based:
            continue
        for kq in b.by_id[section.id].key_questions:
            row = next(r for r in section.key_questions if r.id == kq.id)
            bars.append(
                Bar(
                    f"{section.id} {row.lens}",
                    None if kq.fraction is None else float(kq.fraction) * 100,
                    row.percent,
                    row.bold,
                )
            )
            chart_rows.append(
                ChartRow(f"{section.id} {section.name}", row.lens, row.percent, row.bold)
            )
    if not bars:
        return None
    bands = [replace(band, label=b.ft(band.label)) for band in bands_from(b.framework)]
    chart_id = anchor("chart", domain.id)
    caption = _("Key questions in domain %(n)s: %(name)s, percentage answered Yes") % {
        "n": ordinal,
        "name": b.ft(domain.name).lower(),
    }
    lowest = _("lowest, drives the rating")
    values = "; ".join(
        f"{row.standard}, {row.lens}: {row.percent}" + (f" ({lowest})" if row.bold else "")
        for row in chart_rows
    )
    desc = _(
        "Bars show the share of cases answered Yes for each key question, "
        "over shaded rating bands (%(bands)s). %(values)s."
    ) % {
        "bands": ", ".join(
            _("%(label)s from %(low)s%%") % {"label": band.label, "low": f"{band.low:g}"}
            for band in bands
        ),
        "values": values,
    }
    svg = key_question_chart(chart_id, caption, desc, bars, bands)
    return Chart(chart_id, caption, svg, tuple(chart_rows))


def _contents(
    b: _Build,
    domains: Sequence[DomainSection],
    acknowledgements: str,
    foreword: Passage,
    groups: Sequence[RecommendationGroup],
    involvement: Passage,
    diversity: Passage,
    involvement_after: str,
) -> tuple[ContentsEntry, ...]:
    """The contents list: only the sections the report has, in its order."""
    _ = b._
    contents = []
    if acknowledgements:
        contents.append(ContentsEntry("acknowledgements", _("Acknowledgements")))
    if foreword.blocks:
        contents.append(ContentsEntry("foreword", _("Foreword")))
    contents.append(ContentsEntry("ratings", _("Ratings")))
    if groups:
        contents.append(ContentsEntry("recommendations", _("Recommendations")))
    contents.append(ContentsEntry("background", _("Background")))
    for d in domains:
        contents.append(ContentsEntry(d.anchor, d.heading))
        contents.extend(ContentsEntry(s.anchor, s.heading, 2) for s in d.standards)
        if d.summary:
            contents.append(ContentsEntry(d.summary.id, d.summary.heading, 2))
        if involvement.blocks and d.id == involvement_after:
            contents.append(ContentsEntry("involvement", _(INVOLVEMENT_HEADING), 2))
        if diversity.blocks and d.id == involvement_after:
            contents.append(ContentsEntry("diversity", _("Diversity"), 2))
    contents.append(ContentsEntry("further-information", _("Further information")))
    contents.append(ContentsEntry("annex", _("Data annex")))
    return tuple(contents)


INVOLVEMENT_HEADING = gettext_noop("Involvement of children and their parents or carers")


def _acknowledgements(lead_name: str, _: Gettext) -> str:
    """Who led the inspection, and thanks to those who took part; nothing without a name."""
    if not lead_name.strip():
        return ""
    return _(
        "This inspection was led by %(name)s, with a team of inspectors and colleagues from "
        "across the Inspectorate. We thank everyone who helped to plan the inspection and took "
        "part in it: it could not have been done without them."
    ) % {"name": lead_name.strip()}


def _chosen_text(text: EditedText | None, lang: str) -> tuple[str, str]:
    """(the text in the report's language, its lang mark): English, marked "en", where the
    Welsh is missing from a Welsh report."""
    if text is None:
        return "", ""
    if lang == "cy" and not text.cy.strip():
        return text.en, "en"
    return (text.cy if lang == "cy" else text.en), ""


def _pick(en: str, cy: str, lang: str) -> tuple[str, str]:
    """(text, lang mark) of a one-line text: Welsh if wanted and present, else English."""
    if lang == "cy":
        if cy.strip():
            return cy.strip(), ""
        return en.strip(), "en"
    return en.strip(), ""


def _recommendation_groups(b: _Build) -> tuple[RecommendationGroup, ...]:
    """Grouped by the body addressed (first appearance first), numbered on across groups."""
    _, lang = b._, b.lang
    order: dict[str, list[RecommendationInput]] = {}
    for rec in b.facts.recommendations:
        order.setdefault(" ".join(rec.addressed_to.split()).casefold(), []).append(rec)
    before, _sep, after = _("%(body)s should:").partition("%(body)s")
    groups = []
    number = 0
    for recs in order.values():
        body, body_lang = _pick(recs[0].addressed_to, recs[0].addressed_to_cy, lang)
        items = []
        for rec in recs:
            number += 1
            text, text_lang = _pick(rec.text_en, rec.text_cy, lang)
            items.append(RecommendationEntry(number, b.words(" ".join(text.split())), text_lang))
        groups.append(RecommendationGroup(before, body, body_lang, after, tuple(items)))
    return tuple(groups)


def _recommendations_intro(count: int, place: str, _: Gettext) -> str:
    if count == 0:
        return ""
    if count == 1:
        return _(
            "Our inspection led to one recommendation, set out below with the body that should "
            "act on it. Carried out, it should improve youth justice services in %(place)s for "
            "the children they work with and help to keep people safe."
        ) % {"place": place}
    return _(
        "Our inspection led to %(n)s recommendations, set out below under the body that should "
        "act on each. Carried out, they should improve youth justice services in %(place)s for "
        "the children they work with and help to keep people safe."
    ) % {"n": _(ORDINALS[count - 1]) if count <= len(ORDINALS) else str(count), "place": place}


def _summary_chart(
    domain_id: str,
    domain_name: str,
    case_domains: set[str],
    by_id: Mapping[str, StandardResult],
    sections: Sequence[StandardSection],
    facts: InspectionFacts,
    lenses: Mapping[str, str],
    _: Gettext,
) -> SummaryChart | None:
    """Yes and No counts per key question of the domain's case-rated standards (N/A left out,
    as in the data summary charts of the 2015 reports), with the number of cases inspected."""
    rows = [
        SummaryRow(
            section.id,
            lenses.get(kq.lens, kq.lens),
            kq.yes,
            kq.applicable - kq.yes,
            kq.na,
        )
        for section in sections
        if section.case_based
        for kq in by_id[section.id].key_questions
    ]
    if not any(r.yes or r.no for r in rows):
        return None
    chart_id = anchor("summary", domain_id)
    heading = _("Case data summary: %(name)s") % {"name": domain_name.lower()}
    cases = sum(facts.cases_by_domain.get(d, 0) for d in case_domains)
    note = _(
        "%(n)s cases were inspected. A key question's Yes and No answers can add up to fewer, "
        "because not every question applied to every case."
    ) % {"n": cases}
    desc = _(
        "Stacked bars: the number of cases answered Yes and No for each key question. %(values)s."
    ) % {
        "values": "; ".join(
            _("%(label)s: Yes %(yes)s, No %(no)s")
            % {"label": f"{r.standard} {r.lens}", "yes": r.yes, "no": r.no}
            for r in rows
        )
    }
    svg = answer_counts_chart(
        f"{chart_id}-chart",  # the section carries the anchor itself
        heading,
        desc,
        [CountBar(f"{r.standard} {r.lens}", r.yes, r.no) for r in rows],
        _("Yes"),
        _("No"),
    )
    return SummaryChart(chart_id, heading, note, svg, tuple(rows))


def _discretion_text(b: _Build, res: StandardResult, name: str) -> str:
    """The discretion note: the framework's sentence, else our own, up or down a band."""
    assert res.computed_rating is not None and res.rating is not None
    framework, _ = b.framework, b._
    up = framework.rating_rank(res.rating.id) > framework.rating_rank(res.computed_rating.id)
    values = {
        "name": name.lower(),
        "from": b.ft(res.computed_rating.label),
        "to": b.ft(res.rating.label),
    }
    words = b.sentence(
        "discretion_up" if up else "discretion_down",
        standard=values["name"],
        **{"from": values["from"], "to": values["to"]},
    )
    if words:
        return words
    template = (
        _(
            "The inspectors used professional discretion to raise the rating for %(name)s "
            "from %(from)s to %(to)s, having weighed all the evidence."
        )
        if up
        else _(
            "The inspectors used professional discretion to lower the rating for %(name)s "
            "from %(from)s to %(to)s, having weighed all the evidence."
        )
    )
    return template % values


def _join(items: Sequence[str], _: Gettext) -> str:
    """'a', 'a and b', 'a, b and c': the last two joined by the language's own 'and'."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _cases_phrase(domain_id: str, n: int, label: str, ngettext: Ngettext) -> str:
    """'40 court disposals', '1 resettlement case': a count of one case domain, with its plural."""
    if domain_id == "court":
        text = ngettext("%(n)s court disposal", "%(n)s court disposals", n)
    elif domain_id == "out_of_court":
        text = ngettext("%(n)s out-of-court disposal", "%(n)s out-of-court disposals", n)
    elif domain_id == "resettlement":
        text = ngettext("%(n)s resettlement case", "%(n)s resettlement cases", n)
    else:  # a framework's own case domain: its label, translated by the caller
        text = ngettext("%(n)s case (%(label)s)", "%(n)s cases (%(label)s)", n)
    return text % {"n": n, "label": label}


def _disposal_phrase(disposal: str, n: int, ngettext: Ngettext) -> str:
    """'6 detention and training orders': a count of one disposal type, with its plural.

    The types are those of `yjinspect.core.caselist.DISPOSAL_DOMAINS`; written out one by one
    so each singular and plural is in the message catalogue for the Welsh translation.
    """
    match disposal:
        case "referral_order":
            text = ngettext("%(n)s referral order", "%(n)s referral orders", n)
        case "youth_rehabilitation_order":
            text = ngettext(
                "%(n)s youth rehabilitation order", "%(n)s youth rehabilitation orders", n
            )
        case "reparation_order":
            text = ngettext("%(n)s reparation order", "%(n)s reparation orders", n)
        case "other_court":
            text = ngettext("%(n)s other court order", "%(n)s other court orders", n)
        case "detention_and_training_order":
            text = ngettext(
                "%(n)s detention and training order", "%(n)s detention and training orders", n
            )
        case "section_250":
            text = ngettext("%(n)s section 250 sentence", "%(n)s section 250 sentences", n)
        case "other_custodial":
            text = ngettext("%(n)s other custodial sentence", "%(n)s other custodial sentences", n)
        case "youth_caution":
            text = ngettext("%(n)s youth caution", "%(n)s youth cautions", n)
        case "youth_conditional_caution":
            text = ngettext(
                "%(n)s youth conditional caution", "%(n)s youth conditional cautions", n
            )
        case "community_resolution":
            text = ngettext("%(n)s community resolution", "%(n)s community resolutions", n)
        case "deferred_prosecution":
            text = ngettext("%(n)s deferred prosecution", "%(n)s deferred prosecutions", n)
        case "triage":
            text = ngettext("%(n)s triage outcome", "%(n)s triage outcomes", n)
        case "no_further_action_with_intervention":
            text = ngettext(
                "%(n)s case of no further action with an intervention",
                "%(n)s cases of no further action with an intervention",
                n,
            )
        case _other:  # a type this module does not know: its code, spaced out
            return f"{n} {disposal.replace('_', ' ')}"
    return text % {"n": n}


def _background(
    framework: Framework,
    facts: InspectionFacts,
    service_label: str,
    domain_labels: Mapping[str, str],
    _: Gettext,
    ngettext: Ngettext,
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
        window = (
            _(
                "We audited cases where the sentence began between %(start)s and %(end)s, "
                "and out-of-court disposals that were delivered between %(start)s and %(end)s."
            )
            if facts.internal_audit
            else _(
                "We inspected cases where the sentence began between %(start)s and %(end)s, "
                "and out-of-court disposals that were delivered between %(start)s and %(end)s."
            )
        )
        out.append(
            window % {"start": _date(facts.window_start, _), "end": _date(facts.window_end, _)}
        )
    order = {d.id: i for i, d in enumerate(framework.case_domains)}
    parts = [
        _cases_phrase(d, n, domain_labels.get(d, d).lower(), ngettext)
        for d, n in sorted(
            facts.cases_by_domain.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])
        )
        if n
    ]
    if parts:
        if facts.internal_audit:
            out.append(_("We audited %(cases)s.") % {"cases": _join(parts, _)})
        else:
            out.append(_("We inspected %(cases)s.") % {"cases": _join(parts, _)})
    if facts.interviews is not None:
        out.append(
            _("We also conducted %(n)s interviews with case managers.") % {"n": facts.interviews}
        )
    return tuple(out)


def _figure(value: Decimal) -> str:
    """A figure as written in the report: plain digits, never an exponent (2E+2 -> 200)."""
    return format(value, "f")


def _outcome_sentence(result: IndicatorResult, figure: str, place: str, _: Gettext) -> str:
    if result.key == "fte":
        return _(
            "The rate of first-time entrants to the youth justice system in %(place)s was "
            "%(value)s per 100,000 children aged 10 to 17."
        ) % {"place": place, "value": figure}
    if result.key == "reoffending":
        return _(
            "The binary proven reoffending rate in %(place)s was %(value)s%%: %(reoffenders)s "
            "of the %(cohort)s children in the cohort were proven to have reoffended."
        ) % {
            "place": place,
            "value": figure,
            "reoffenders": result.numerator,
            "cohort": result.denominator,
        }
    return _(
        "The use of custody in %(place)s was %(value)s custodial sentences per 1,000 children "
        "aged 10 to 17."
    ) % {"place": place, "value": figure}


def _national_text(result: IndicatorResult, national: Decimal, _: Gettext) -> str:
    if result.key == "fte":
        return _("%(value)s per 100,000") % {"value": _figure(national)}
    if result.key == "reoffending":
        return _("%(value)s%%") % {"value": _figure(national)}
    return _("%(value)s per 1,000") % {"value": _figure(national)}


def _comparison_sentence(result: IndicatorResult, _: Gettext) -> str:
    """Lower, higher or the same as England and Wales; blank when no comparator was loaded."""
    comparison = result.comparison
    if comparison is None:
        return ""
    national = _national_text(result, comparison.national, _)
    if comparison.difference < 0:
        text = _("This was lower than the England and Wales figure of %(national)s.")
    elif comparison.difference > 0:
        text = _("This was higher than the England and Wales figure of %(national)s.")
    else:
        text = _("This was the same as the England and Wales figure of %(national)s.")
    return text % {"national": national}


def _outcome_footnote(result: IndicatorResult, indicators: OutcomeIndicators, _: Gettext) -> str:
    """What was counted, over which dates and population, and where the comparator came from."""
    dates = {
        "start": _date(result.period.start, _),
        "end": _date(result.period.end, _),
    }
    if result.key == "fte":
        text = _(
            "First-time entrants from %(start)s to %(end)s: %(count)s children received their "
            "first caution or conviction, out of %(population)s children aged 10 to 17 living "
            "in the area."
        ) % {**dates, "count": result.numerator, "population": f"{result.denominator:,}"}
    elif result.key == "reoffending":
        text = _(
            "Cohort of children cautioned, given a court sentence in the community or released "
            "from custody from %(start)s to %(end)s, each followed for %(follow)s months; an "
            "offence counts when it was committed in that time and proven within a further "
            "%(wait)s months."
        ) % {
            **dates,
            "follow": indicators.follow_up_months,
            "wait": indicators.waiting_months,
        }
    else:
        text = _(
            "Custodial sentences from %(start)s to %(end)s: %(count)s, out of %(population)s "
            "children aged 10 to 17 living in the area; remands in custody are not counted."
        ) % {**dates, "count": result.numerator, "population": f"{result.denominator:,}"}
    parts = [text, _("Calculated by the service from its own records.")]
    if result.comparison is not None and indicators.comparator_source.strip():
        parts.append(
            _("England and Wales figure: %(source)s.")
            % {"source": indicators.comparator_source.strip().rstrip(".")}
        )
    return " ".join(parts)


# The indicators the background states, in the order the published reports give them.
BACKGROUND_INDICATORS = ("fte", "reoffending", "custody")


def _outcomes(b: _Build) -> tuple[OutcomeStatement, ...]:
    """The background's outcome figures, each with a footnote saying what was counted.
    Figures without a value (an empty cohort) are left out rather than stated as nothing."""
    indicators, _ = b.facts.indicators, b._
    if indicators is None:
        return ()
    by_key = {r.key: r for r in indicators.results}
    statements: list[OutcomeStatement] = []
    for key in BACKGROUND_INDICATORS:
        result = by_key.get(key)
        if result is None or result.rounded is None:
            continue
        sentence = _outcome_sentence(result, _figure(result.rounded), b.place, _)
        note = b.note(_outcome_footnote(result, indicators, _))
        statements.append(OutcomeStatement(key, sentence, note, _comparison_sentence(result, _)))
    return tuple(statements)


def _domain_intro(b: _Build, standards: Sequence[Standard]) -> str:
    """What was looked at: the meetings for a domain judged on evidence; for case domains the
    cases by disposal type, and in how many the case manager was interviewed."""
    framework, facts, domain_labels = b.framework, b.facts, b.domain_labels
    _, ngettext = b._, b.ngettext
    case_based = [s for s in standards if s.rating_method == "cases"]
    case_domains = {d for s in case_based for d in s.case_domains}
    if not case_based:
        # The meetings held for this domain's standards, not the whole inspection's.
        meetings = sum(facts.meetings.get(s.id, 0) for s in standards)
        if meetings:
            return ngettext(
                "We reviewed written evidence submitted in advance by the %(term)s and "
                "conducted %(n)s meeting.",
                "We reviewed written evidence submitted in advance by the %(term)s and "
                "conducted %(n)s meetings.",
                meetings,
            ) % {"term": framework.service_term, "n": meetings}
        return ""
    parts = []
    for domain_id in sorted(case_domains):
        rows = [r for r in facts.composition if r.domain == domain_id and r.sample]
        total = facts.cases_by_domain.get(domain_id, sum(r.sample for r in rows))
        cases = _cases_phrase(
            domain_id, total, domain_labels.get(domain_id, domain_id).lower(), ngettext
        )
        if rows:
            detail = _join([_disposal_phrase(r.disposal, r.sample, ngettext) for r in rows], _)
            parts.append(
                _("We looked closely at %(cases)s: %(detail)s.")
                % {"cases": cases, "detail": detail}
            )
        else:
            parts.append(_("We looked closely at %(cases)s.") % {"cases": cases})
        parts.append(_interviews_sentence(b, facts.interviews_by_domain.get(domain_id, 0), total))
    return " ".join(p for p in parts if p)


def _interviews_sentence(b: _Build, interviewed: int, cases: int) -> str:
    """'We interviewed the case managers in all cases.' (or in 6 of the 9): the framework's
    words, else our own; nothing when no case manager was interviewed."""
    if not interviewed or not cases:
        return ""
    if interviewed >= cases:
        return b.sentence("interviews_all") or b._(
            "The case manager was interviewed in every one of these cases."
        )
    return b.sentence("interviews_some", interviewed=interviewed, cases=cases) or (
        b.ngettext(
            "The case managers were interviewed in %(interviewed)s of these %(cases)s case.",
            "The case managers were interviewed in %(interviewed)s of these %(cases)s cases.",
            cases,
        )
        % {"interviewed": interviewed, "cases": cases}
    )


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
    lenses = {lens.id: ft(lens.label) for lens in framework.lenses}
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
            f"{s.id} {lenses.get(kq.lens, kq.lens)}",
        )
        for s in result.standards
        for kq in s.key_questions
    )
    domains = {d.id: d.label for d in framework.case_domains}
    composition = tuple(
        replace(
            r,
            domain=ft(domains.get(r.domain, r.domain)),
            disposal=ft(value_label("disposal_type", r.disposal)),
        )
        for r in facts.composition
    )
    agreement = tuple(replace(a, label=ft(a.label)) for a in facts.agreement)
    return Annex(
        composition,
        rows,
        f"{float(framework.interval.confidence) * 100:g}%",
        agreement,
    )
