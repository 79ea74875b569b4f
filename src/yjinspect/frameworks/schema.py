"""The shape of a framework file.

A framework is data: domains, standards, key questions and prompts, plus every rule that turns
answers into ratings. Each rule the method does not confirm (tagged [U] in the spec) is a field
here, so that a corrected reading of HMIP's documents is a new framework version, not a code
change. Models are frozen: a loaded framework cannot be altered in memory either.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Id = str
ProvenanceTag = Literal["C", "D", "U"]
CHILDREN: Id = "children"  # the population every framework has (`Standard.population`'s default)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rating(_Model):
    """One rating word, ordered from worst to best in `Framework.ratings`."""

    id: Id
    label: str
    points: int = Field(ge=0)


class CaseBand(_Model):
    """A band for a key-question percentage: at least `min_percent` gives `rating`."""

    rating: Id
    min_percent: Decimal = Field(ge=0, le=100)
    phrase: str = ""


class OverallBand(_Model):
    """At least `min_score` points (method 'score') or an average of at least `min_average`
    points (method 'points_average') gives `rating`."""

    rating: Id
    min_score: int | None = Field(default=None, ge=0)
    min_average: Decimal | None = Field(default=None, ge=0)


class Overall(_Model):
    """How the scored standards' ratings become the overall rating.

    'score' (2018/2021): the points of the scored standards add up to a score out of
    `max_score`, banded by `min_score`. 'points_average': the same points averaged over the
    scored standards and banded by `min_average`, with no score published (the 2025 reports
    print none).
    """

    method: Literal["score", "points_average"] = "score"
    max_score: int | None = Field(default=None, gt=0)
    bands: list[OverallBand] = Field(min_length=1)
    # 'withhold': no overall rating while a scored standard is unrated (spec §3.5 recommendation).
    # 'pro_rata': scale the score of the rated standards up to max_score.
    when_scored_standard_unrated: Literal["withhold", "pro_rata"] = "withhold"


class DiscretionPolicy(_Model):
    applies_to: list[Literal["cases", "judgement"]] = ["cases"]
    max_bands: int = Field(default=1, ge=0)
    directions: list[Literal["up", "down"]] = ["up", "down"]
    reason_required: bool = True


class Percentages(_Model):
    # 'exact': band on yes/applicable as a fraction; 'rounded': band on the displayed whole percent.
    banding_basis: Literal["exact", "rounded"] = "exact"
    display_decimals: int = Field(default=0, ge=0, le=2)
    # Below this many applicable cases a key-question figure carries a small-sample warning.
    small_sample_warning_below: int = Field(default=10, ge=0)


class IntervalSetting(_Model):
    method: Literal["wilson"] = "wilson"
    confidence: Decimal = Field(default=Decimal("0.95"), gt=0, lt=1)


class SampleWindow(_Model):
    """Eligible cases started (court) or were delivered (out of court) in this window."""

    from_weeks_before: int = Field(ge=0)
    to_weeks_before: int = Field(ge=0)
    date_field: Literal["start_date", "end_date"] = "start_date"


class Sampling(_Model):
    confidence: Decimal = Field(default=Decimal("0.80"), gt=0, lt=1)
    margin: Decimal = Field(default=Decimal("0.05"), gt=0, lt=1)
    proportion: Decimal = Field(default=Decimal("0.5"), gt=0, lt=1)
    finite_population_correction: bool = True
    minimum: int | None = Field(default=None, ge=1)
    maximum: int | None = Field(default=None, ge=1)
    strata: list[str] = Field(default_factory=list)
    windows: dict[Id, SampleWindow] = Field(default_factory=dict)
    sampled_separately: bool = True


class ListColumn(_Model):
    """One column of a population's case list, so the list's parser is data, not code.

    A case list holds references, never names: a column that would hold a person's name is
    refused by the loader.
    """

    id: Id = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    kind: Literal["reference", "text", "date", "yes_no", "choice"] = "text"
    required: bool = False
    options: list[str] = Field(default_factory=list)  # for 'choice'
    # For a reference to a case of another population (a victim's case names the child's).
    refers_to: Id | None = None
    help: str = ""  # what to write in the column, in a sentence


class Population(_Model):
    """A kind of case with its own list and sample: children's cases, victims' cases (2025).

    A framework that names no populations has one, the children's cases, over all its case
    domains (`Framework.case_populations`).
    """

    id: Id
    label: str = Field(min_length=1)
    # The case domains its cases fall in; none for a population sampled as one group (victims).
    case_domains: list[Id] = Field(default_factory=list)
    # Its sample settings; None: the framework's `sampling`.
    sampling: Sampling | None = None
    # Its case list's columns; empty for the children's case list (docs/case-list-format.md).
    columns: list[ListColumn] = Field(default_factory=list)
    provenance: ProvenanceTag = "C"


class JudgedKeyQuestions(_Model):
    """How a case-rated standard with a judged key question gets its rating (2025 V1: V1.1
    answered per victim's case, V1.2 judged from organisational evidence). [U] in the 2025
    method, so a setting.

    'lowest': the lowest of the case figure's band and the judgement(s), as the lowest key
    question drives any case-rated standard. 'judgement_moves': the case figure's band, moved
    towards the (lowest) judgement by at most `max_bands`.
    """

    combine: Literal["lowest", "judgement_moves"] = "lowest"
    max_bands: int = Field(default=1, ge=0)


class Lens(_Model):
    id: Id
    label: str


class CaseDomain(_Model):
    id: Id
    label: str


class KeyQuestion(_Model):
    # Its own id where the framework gives one (2025: 'V1.1'); otherwise the id is
    # `<standard>.<lens>` (`Standard.question_id`).
    id: Id | None = None
    lens: Id = ""
    text: str = Field(min_length=1)
    # 'cases': answered yes / no / n/a per case. 'judgement': judged once by the inspectors
    # from organisational evidence (2025 V1.2), recorded like a judgement standard's rating.
    rating_method: Literal["cases", "judgement"] = "cases"
    prompts: list[str] = Field(default_factory=list)
    # Whether the prompts come from a published source (C) or from recollection (U).
    prompts_provenance: ProvenanceTag = "C"


class Standard(_Model):
    id: Id
    name: str = Field(min_length=1)
    statement: str = ""
    rating_method: Literal["cases", "judgement"]
    scored: bool = True
    # For 'cases': the case domains whose cases answer the key questions.
    # For 'judgement': the case domains whose cases inform the judgement (may be empty).
    case_domains: list[Id] = Field(default_factory=list)
    # A judgement standard that is 'Not rated' when no case of this domain is in the timescale.
    not_rated_without_cases: Id | None = None
    key_questions: list[KeyQuestion] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    provenance: ProvenanceTag = "C"
    # The population whose cases answer the key questions (`Framework.case_populations`).
    population: Id = CHILDREN

    def question_id(self, kq: KeyQuestion) -> str:
        """The key question's own id, else `<standard>.<lens>`."""
        return kq.id or key_question_id(self.id, kq.lens)

    def case_questions(self) -> list[KeyQuestion]:
        """The key questions answered per case (all of them, except a judged one)."""
        return [kq for kq in self.key_questions if kq.rating_method == "cases"]


class Item(_Model):
    """A case-assessment question of an earlier programme (SQS, FJI, CCI), answered per case.

    Scored items are answered yes / no / na and pooled into their areas' scores; recorded items
    (e.g. 'was the risk-of-harm level right?') keep their own options and are reported only.
    """

    id: Id
    text: str = Field(min_length=1)
    area: Id
    kind: Literal["scored", "recorded"] = "scored"
    options: list[str] = Field(default_factory=list)
    na_when: str = ""
    prompts: list[str] = Field(default_factory=list)
    case_domains: list[Id] = Field(default_factory=list)  # empty: every case
    # What one answer stands for, as a plural noun for report phrases ('9 of the 14 cases');
    # the SQS staff-interview items count 'case managers interviewed'.
    counted: str = Field(default="cases", min_length=1)


class Section(_Model):
    id: Id
    name: str
    items: list[Id] = Field(min_length=1)


class WordBand(_Model):
    word: str
    min_percent: Decimal = Field(ge=0, le=100)


class Area(_Model):
    """A theme or headline area of an earlier programme: a pooled score and, maybe, a word."""

    id: Id
    name: str = Field(min_length=1)
    rating_method: Literal["cases", "judgement"] = "cases"
    work_phrase: str = ""  # FJI: 'Overall N% of <work_phrase> was done well enough'
    expectation: str = ""
    items: list[Id] = Field(default_factory=list)  # pooled into the score
    sections: list[Section] = Field(default_factory=list)  # for reports (CCI criteria)
    word_scale: Id | None = None
    optional: bool = False  # FJI sixth theme: chosen when the inspection is set up
    provenance: ProvenanceTag = "C"
    # The report sentence for the score, a template with {percent}, {yes}, {applicable} and
    # {work_phrase}, e.g. FJI 'Within the case assessment, overall {percent}% of ... well enough.'
    score_sentence: str = ""
    # False where the programme printed no area score (SQS): the pooled figure is ours, kept for
    # comparison only, and the area takes no word.
    score_published: bool = True
    # The theme's summary sentence from its word, with {word} (lower case), {percent} and
    # {work_phrase}: FJI 'Overall work to reduce reoffending was {word}.' (issue 17).
    summary_sentence: str = ""
    # What a judgement area is judged on (FJI governance sub-heads, SQS staff-interview topics).
    themes: list[str] = Field(default_factory=list)


class Domain(_Model):
    id: Id
    name: str = Field(min_length=1)
    standards: list[Standard] = Field(min_length=1)


# ---- the report's standard sentences (issue 17) --------------------------------------------
# The inspectorate's fixed wording of a published report, as data: slot name -> the
# {placeholders} its sentence may use. `evidence:<standard id>` takes one sentence per
# standard. `reports/content.py` says what the report prints for a slot a framework leaves
# out (yjinspect's own neutral wording, or nothing); docs/reports.md lists them.
REPORT_SENTENCE_SLOTS: dict[str, frozenset[str]] = {
    "about_heading": frozenset(),
    "about": frozenset(),
    "examples_note": frozenset(),
    "licence": frozenset(),
    "publisher": frozenset(),
    "copyright": frozenset({"year"}),
    "further_information": frozenset({"service_term"}),
    "domain_findings": frozenset({"domain"}),
    "standard_findings": frozenset(),
    "evidence": frozenset(),
    "not_rated_without_cases": frozenset({"domain"}),
    "rating_rule": frozenset(),
    "discretion_up": frozenset({"standard", "from", "to"}),
    "discretion_down": frozenset({"standard", "from", "to"}),
    "interviews_all": frozenset(),
    "interviews_some": frozenset({"interviewed", "cases"}),
}
PER_STANDARD_SLOTS = frozenset({"evidence"})


class ReportSentencesMixin(BaseModel):
    """The framework fields that carry the report's fixed wording (see the slots above)."""

    # Slot (or 'evidence:<standard id>') -> sentence, with {placeholders}. Empty: the report
    # prints yjinspect's own neutral wording where it needs a part, and no publishing parts.
    report_sentences: dict[str, str] = Field(default_factory=dict)
    # The first version of this framework with the same rating rules, when a later version only
    # adds wording (hmip-youth-2021 version 2 rates as version 1): published results recorded
    # under any version from that one on still match. None: the rules are this version's own.
    same_rules_since: int | None = Field(default=None, ge=1)


# ---- the earlier programmes' phrase forms (issue 17) ------------------------------------------


class PhraseBand(_Model):
    """One step of a proportion-phrase scale: the share it applies to and its words. Give one
    of `at_least`, `above` or `exactly`, as a fraction ('2/3') or a percentage ('75%'); the
    phrase may hold {percent} for the share as a whole percentage ('{percent}%': '75% of
    cases')."""

    phrase: str = Field(min_length=1)
    at_least: str | None = None
    above: str | None = None
    exactly: str | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> PhraseBand:
        given = [b for b in (self.at_least, self.above, self.exactly) if b is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of at_least, above or exactly")
        share_of(given[0])
        return self

    def matches(self, share: Fraction) -> bool:
        if self.exactly is not None:
            return share == share_of(self.exactly)
        if self.above is not None:
            return share > share_of(self.above)
        return share >= share_of(self.at_least or "0")


def share_of(text: str) -> Fraction:
    """'2/3' or '75%' as an exact share from 0 to 1; ValueError otherwise."""
    value = text.strip()
    try:
        share = Fraction(value[:-1]) / 100 if value.endswith("%") else Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{text}' is not a share such as 2/3 or 75%") from None
    if not 0 <= share <= 1:
        raise ValueError(f"'{text}' is not a share from 0 to 1")
    return share


def _band(phrase: str, **bound: str) -> PhraseBand:
    return PhraseBand(phrase=phrase, **bound)


# The house scale of legacy spec §6.2, checked from the top ('all' and 'all but one' are
# counts, tested first by `core.phrases`). A framework may give its own.
DEFAULT_PHRASE_SCALE: tuple[PhraseBand, ...] = (
    _band("almost all", at_least="9/10"),
    _band("the great majority", at_least="4/5"),
    _band("the large majority", at_least="3/4"),
    _band("over two-thirds", above="2/3"),
    _band("two-thirds", exactly="2/3"),
    _band("almost two-thirds", at_least="3/5"),
    _band("just over half", above="1/2"),
    _band("half", exactly="1/2"),
    _band("less than half", at_least="0"),
)


class ReportPhrases(_Model):
    """How an earlier programme's report puts counts and comparisons into words."""

    # Exact counts ('9 of the 14 cases') up to this many relevant cases, a scale phrase above.
    counts_up_to: int = Field(default=15, ge=0)
    # Counts in words while both numbers are at most this ('five out of eight relevant
    # cases'), digits otherwise ('9 of the 14 cases'); 0: always digits.
    numbers_in_words_up_to: int = Field(default=0, ge=0, le=20)
    scale: tuple[PhraseBand, ...] = DEFAULT_PHRASE_SCALE
    # An area's score beside an average entered for the report (CCI), each with {percent},
    # {average} and {work_phrase}: 'This was below the average of {average}%.'
    below_average: str = ""
    above_average: str = ""
    at_average: str = ""


class ReportPhrasesMixin(BaseModel):
    report_phrases: ReportPhrases = ReportPhrases()


# ---- end of the report's standard sentences and phrase forms ----------------------------------


class Framework(ReportSentencesMixin, ReportPhrasesMixin, _Model):
    """A complete, versioned inspection framework."""

    schema_version: Literal[1] = 1
    id: Id = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    version: int = Field(ge=1)
    title: str
    programme: str = ""
    service_term: str = "YJS"
    in_force: str = ""
    description: str = ""
    ratings: list[Rating] = Field(default_factory=list)
    not_rated_label: str = "Not rated"
    case_bands: list[CaseBand] = Field(default_factory=list)
    percentages: Percentages = Percentages()
    interval: IntervalSetting = IntervalSetting()
    overall: Overall | None = None
    discretion: DiscretionPolicy = DiscretionPolicy()
    sampling: Sampling = Sampling()
    lenses: list[Lens] = Field(default_factory=list)
    case_domains: list[CaseDomain] = Field(min_length=1)
    # 'standards': the 2018/2021 method (lowest key question per standard, score out of 36).
    # 'areas': the earlier programmes (pooled 'done well enough' percentage per area + words).
    scoring_model: Literal["standards", "areas"] = "standards"
    domains: list[Domain] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    word_scales: dict[Id, list[WordBand]] = Field(default_factory=dict)
    # Earlier programmes put a word on the rounded (published) percentage (legacy spec §6.1).
    word_banding_basis: Literal["exact", "rounded"] = "rounded"
    word_override_requires_reason: bool = True
    # Which rules are confirmed (C), derived (D) or unconfirmed (U), with the evidence.
    provenance: dict[str, str] = Field(default_factory=dict)
    # A framework built from what is published, before its rules could be checked (2025): the
    # pages and the report show `provisional_note` wherever it is used.
    provisional: bool = False
    provisional_note: str = ""
    # The kinds of case with their own list and sample; empty: the children's cases only.
    populations: list[Population] = Field(default_factory=list)
    judged_key_questions: JudgedKeyQuestions = JudgedKeyQuestions()

    # ---- look-ups used by the engine and the web app (derived, never stored) ----

    @property
    def overall_table(self) -> Overall:
        """The score-to-overall table; only frameworks using the standards model have one."""
        if self.overall is None:
            raise ValueError(f"{self.id} has no overall rating table ({self.scoring_model} model)")
        return self.overall

    def area(self, area_id: Id) -> Area:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)

    def item(self, item_id: Id) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    @property
    def ref(self) -> str:
        """The name answers are bound to: id and version together."""
        return f"{self.id}@{self.version}"

    def all_standards(self) -> list[Standard]:
        return [s for d in self.domains for s in d.standards]

    def standard(self, standard_id: Id) -> Standard:
        for s in self.all_standards():
            if s.id == standard_id:
                return s
        raise KeyError(standard_id)

    def key_question_ids(self) -> list[str]:
        """Every key question's id, answered per case or judged."""
        return [s.question_id(kq) for s in self.all_standards() for kq in s.key_questions]

    def case_question_ids(self) -> list[str]:
        """The key questions answered yes / no / n/a per case."""
        return [s.question_id(kq) for s in self.all_standards() for kq in s.case_questions()]

    def judged_question_ids(self) -> list[str]:
        """The key questions the inspectors judge once from organisational evidence (V1.2)."""
        return [
            s.question_id(kq)
            for s in self.all_standards()
            for kq in s.key_questions
            if kq.rating_method == "judgement"
        ]

    def case_populations(self) -> list[Population]:
        """The populations named in the file, or the one every framework has: the children's
        cases over all its case domains, sampled by the framework's `sampling`."""
        if self.populations:
            return self.populations
        domains = [d.id for d in self.case_domains]
        return [Population(id=CHILDREN, label="Children's cases", case_domains=domains)]

    def population(self, population_id: Id) -> Population:
        for p in self.case_populations():
            if p.id == population_id:
                return p
        raise KeyError(population_id)

    def population_sampling(self) -> dict[Id, Sampling]:
        """Each population's sample settings: its own, else the framework's `sampling`."""
        return {p.id: p.sampling or self.sampling for p in self.case_populations()}

    def rating_by_label(self, label: str) -> Rating | None:
        wanted = label.strip().casefold()
        for r in self.ratings:
            if r.label.casefold() == wanted or r.id.casefold() == wanted:
                return r
        return None

    def rating_rank(self, rating_id: Id) -> int:
        """Position from worst (0) to best, so ratings compare as numbers."""
        return [r.id for r in self.ratings].index(rating_id)

    def rating_label(self, rating_id: Id) -> str:
        return self.ratings[self.rating_rank(rating_id)].label


def key_question_id(standard_id: Id, lens: Id) -> str:
    """Key-question ids are `<standard>.<lens>`, e.g. `2.2.others_safety`."""
    return f"{standard_id}.{lens}"


def rates_like(framework: Framework, version: int) -> bool:
    """Whether figures recorded under `version` of this framework were rated by its rules:
    this version, or any from `same_rules_since` on (a later version that only adds wording)."""
    return (framework.same_rules_since or framework.version) <= version <= framework.version
