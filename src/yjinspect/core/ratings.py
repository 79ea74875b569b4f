"""The rating engine: answers and judgements in, published figures and ratings out.

Pure Python, no Django: the web app, the CLI, the report and the benchmarks all call `rate()`.
Every rule comes from the framework file; this module only knows the shape of the method
(lowest key question drives a case-based standard, points add up to a score, the score falls
in an overall band). Each result carries a plain-English explanation, because an inspector
must be able to defend every figure to the service and a service must be able to check it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from yjinspect.frameworks.schema import CaseBand, Framework, Rating, Standard, key_question_id

from .stats import round_half_up, wilson_interval


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NA = "na"


# Answer members hash as their strings, so this serves both Answer values and plain text.
_ANSWER_SLOT: dict[str, int] = {Answer.YES: 0, Answer.NO: 1, Answer.NA: 2}


class RatingInputError(ValueError):
    """Input the engine cannot rate, with a message that names what is wrong."""


@dataclass(frozen=True)
class Counts:
    """How one key question was answered across the cases it was asked of."""

    yes: int = 0
    no: int = 0
    na: int = 0

    def __post_init__(self) -> None:
        if min(self.yes, self.no, self.na) < 0:
            raise RatingInputError("answer counts cannot be negative")

    @property
    def applicable(self) -> int:
        return self.yes + self.no


@dataclass(frozen=True)
class Judgement:
    """An inspectors' rating of an evidence-rated standard; rating None means 'Not rated'."""

    standard_id: str
    rating: str | None
    reason: str = ""
    decided_by: str = ""


@dataclass(frozen=True)
class Discretion:
    """A professional-discretion override of a case-based standard's computed rating."""

    standard_id: str
    rating: str
    reason: str
    decided_by: str = ""


@dataclass(frozen=True)
class RatingInputs:
    counts: Mapping[str, Counts] = field(default_factory=dict)
    judgements: Mapping[str, Judgement] = field(default_factory=dict)
    discretion: Mapping[str, Discretion] = field(default_factory=dict)
    # Cases in the inspection per case domain; None when unknown (e.g. counts typed in).
    cases_by_domain: Mapping[str, int] | None = None


@dataclass(frozen=True)
class KeyQuestionResult:
    id: str
    lens: str
    text: str
    yes: int
    applicable: int
    na: int
    fraction: Fraction | None
    percent: Fraction | None  # as displayed, rounded by the framework's rule
    band: Rating | None
    interval: tuple[float, float] | None  # as fractions of 1
    interval_crosses_band: bool
    notes: tuple[str, ...]

    @property
    def percent_text(self) -> str:
        return "n/a" if self.percent is None else f"{_fmt_num(self.percent)}%"


@dataclass(frozen=True)
class StandardResult:
    id: str
    name: str
    rating_method: str
    scored: bool
    rating: Rating | None
    computed_rating: Rating | None
    discretion: Discretion | None
    discretion_problem: str | None
    judgement: Judgement | None
    driving_key_question: str | None
    key_questions: tuple[KeyQuestionResult, ...]
    explanation: str
    next_band: str | None
    not_rated_reason: str | None


@dataclass(frozen=True)
class InspectionRating:
    framework_id: str
    framework_version: int
    standards: tuple[StandardResult, ...]
    score: int | None
    max_score: int
    overall_rating: Rating | None
    overall_explanation: str
    not_rated_label: str

    def standard(self, standard_id: str) -> StandardResult:
        for s in self.standards:
            if s.id == standard_id:
                return s
        raise KeyError(standard_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the CLI prints and the API serves."""
        label = self._label
        return {
            "framework": self.framework_id,
            "framework_version": self.framework_version,
            "standards": {
                s.id: {
                    "name": s.name,
                    "rating_method": s.rating_method,
                    "scored": s.scored,
                    "rating": label(s.rating),
                    "computed_rating": label(s.computed_rating)
                    if s.rating_method == "cases"
                    else None,
                    "discretion_reason": s.discretion.reason if s.discretion else None,
                    "discretion_problem": s.discretion_problem,
                    "judgement_reason": s.judgement.reason if s.judgement else None,
                    "driving_key_question": s.driving_key_question,
                    "explanation": s.explanation,
                    "next_band": s.next_band,
                    "key_questions": {kq.id: _kq_dict(kq) for kq in s.key_questions},
                }
                for s in self.standards
            },
            "score": self.score,
            "max_score": self.max_score,
            "overall_rating": self.overall_rating.label if self.overall_rating else None,
            "overall_explanation": self.overall_explanation,
        }

    def _label(self, rating: Rating | None) -> str:
        return rating.label if rating else self.not_rated_label


def _kq_dict(kq: KeyQuestionResult) -> dict[str, Any]:
    return {
        "yes": kq.yes,
        "applicable": kq.applicable,
        "not_applicable": kq.na,
        "percent": None if kq.percent is None else _json_num(kq.percent),
        "exact_percent": None if kq.fraction is None else round(float(kq.fraction) * 100, 2),
        "band": kq.band.label if kq.band else None,
        "interval": None
        if kq.interval is None
        else [round(kq.interval[0] * 100, 1), round(kq.interval[1] * 100, 1)],
        "interval_crosses_band": kq.interval_crosses_band,
        "notes": list(kq.notes),
    }


def _json_num(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _fmt_num(value: Fraction) -> str:
    return str(_json_num(value))


# ---------------------------------------------------------------- counting answers


def tally(framework: Framework, answers: Iterable[tuple[str, str, Answer]]) -> dict[str, Counts]:
    """Count (case_ref, key_question_id, answer) triples per key question.

    Refuses unknown key questions and a second answer by the same case to the same question,
    since either means the input is not what the inspector thinks it is.
    """
    known = set(framework.key_question_ids())
    seen: set[tuple[str, str]] = set()
    raw: dict[str, list[int]] = {kq: [0, 0, 0] for kq in known}
    for case_ref, kq_id, answer in answers:
        if kq_id not in known:
            raise RatingInputError(f"unknown key question '{kq_id}' for {framework.ref}")
        if (case_ref, kq_id) in seen:
            raise RatingInputError(f"case {case_ref} answers {kq_id} twice")
        seen.add((case_ref, kq_id))
        try:
            raw[kq_id][_ANSWER_SLOT[answer]] += 1
        except KeyError:
            raise RatingInputError(f"case {case_ref}: '{answer}' is not yes, no or na") from None
    return {kq: Counts(*c) for kq, c in raw.items()}


# ---------------------------------------------------------------- banding


class _Bands:
    """The framework's band table, with the arithmetic the engine needs around it."""

    def __init__(self, framework: Framework) -> None:
        self.fw = framework
        self.bands = framework.case_bands  # highest first
        self.mins = [Fraction(b.min_percent) / 100 for b in self.bands]
        self.decimals = framework.percentages.display_decimals
        self.rounded_basis = framework.percentages.banding_basis == "rounded"

    def displayed(self, fraction: Fraction) -> Fraction:
        return round_half_up(fraction * 100, self.decimals)

    def index_of(self, fraction: Fraction) -> int:
        """Index into `bands` (0 = best) for a fraction of cases, by the framework's basis."""
        value = self.displayed(fraction) / 100 if self.rounded_basis else fraction
        for i, minimum in enumerate(self.mins):
            if value >= minimum:
                return i
        return len(self.bands) - 1

    def index_of_exact(self, fraction: Fraction) -> int:
        for i, minimum in enumerate(self.mins):
            if fraction >= minimum:
                return i
        return len(self.bands) - 1

    def rating(self, index: int) -> Rating:
        return self.fw.ratings[self.fw.rating_rank(self.bands[index].rating)]

    def range_text(self, index: int) -> str:
        band: CaseBand = self.bands[index]
        low = _fmt_num(Fraction(band.min_percent))
        if index == 0:
            return f"{low}% or more"
        upper = Fraction(self.bands[index - 1].min_percent)
        if band.min_percent == 0:
            return f"below {_fmt_num(upper)}%"
        top = _fmt_num(upper - 1) if upper.denominator == 1 else f"under {_fmt_num(upper)}"
        return f"{low}–{top}%"

    def yes_needed(self, yes: int, applicable: int, index: int) -> int:
        """Fewest extra Yes answers (in place of No) that reach band `index`."""
        for extra in range(applicable - yes + 1):
            if self.index_of(Fraction(yes + extra, applicable)) <= index:
                return extra
        return applicable - yes + 1  # unreachable for bands at or below 100%


# ---------------------------------------------------------------- key questions


def _key_question_result(
    framework: Framework, bands: _Bands, standard: Standard, lens: str, text: str, counts: Counts
) -> KeyQuestionResult:
    kq_id = key_question_id(standard.id, lens)
    if counts.applicable == 0:
        return KeyQuestionResult(
            kq_id, lens, text, counts.yes, 0, counts.na, None, None, None, None, False,
            ("no applicable answers",) if counts.na else (),
        )  # fmt: skip
    fraction = Fraction(counts.yes, counts.applicable)
    shown = bands.displayed(fraction)
    index = bands.index_of(fraction)
    notes: list[str] = []
    exact_index = bands.index_of_exact(fraction)
    shown_index = bands.index_of_exact(shown / 100)
    if exact_index != shown_index:
        notes.append(
            f"shown as {_fmt_num(shown)}%, but the exact {float(fraction) * 100:.2f}% is in the "
            f"{bands.rating(exact_index).label} band while {_fmt_num(shown)}% would be "
            f"{bands.rating(shown_index).label}; the framework bands the "
            f"{'rounded' if bands.rounded_basis else 'exact'} figure"
        )
    small = framework.percentages.small_sample_warning_below
    if counts.applicable < small:
        notes.append(f"only {counts.applicable} applicable cases: treat the figure with care")
    low, high = wilson_interval(counts.yes, counts.applicable, framework.interval.confidence)
    crosses = bands.index_of_exact(Fraction(low)) != bands.index_of_exact(Fraction(high))
    return KeyQuestionResult(
        kq_id, lens, text, counts.yes, counts.applicable, counts.na, fraction, shown,
        bands.rating(index), (low, high), crosses, tuple(notes),
    )  # fmt: skip


def _yes_phrase(n: int) -> str:
    return "one more Yes" if n == 1 else f"{n} more Yes answers"


# ---------------------------------------------------------------- standards


def _rate_case_standard(
    framework: Framework, bands: _Bands, std: Standard, inputs: RatingInputs
) -> StandardResult:
    kqs = tuple(
        _key_question_result(
            framework, bands, std, kq.lens, kq.text,
            inputs.counts.get(key_question_id(std.id, kq.lens), Counts()),
        )
        for kq in std.key_questions
    )  # fmt: skip
    rated = [kq for kq in kqs if kq.fraction is not None]
    discretion = inputs.discretion.get(std.id)
    if not rated:
        problem = "no computed rating to apply discretion to" if discretion else None
        reason = "no applicable answers to its key questions yet"
        return StandardResult(
            std.id, std.name, std.rating_method, std.scored, None, None, None, problem, None,
            None, kqs, f"{std.id} {framework.not_rated_label}: {reason}", None, reason,
        )  # fmt: skip
    lowest = min(rated, key=lambda kq: kq.fraction or 0)
    assert lowest.fraction is not None and lowest.percent is not None
    index = bands.index_of(lowest.fraction)
    computed = bands.rating(index)
    explanation = (
        f"{std.id} {computed.label}: lowest key question {lowest.id} {lowest.percent_text} "
        f"({lowest.yes}/{lowest.applicable}) is in the {bands.range_text(index)} band"
    )
    if len(rated) < len(kqs):
        skipped = ", ".join(kq.id for kq in kqs if kq.fraction is None)
        explanation += f" ({skipped} had no applicable answers and is left out)"
    final, problem = computed, None
    if discretion is not None:
        problem = discretion_problem(framework, std, computed, discretion)
        if problem is None:
            final = framework.ratings[framework.rating_rank(discretion.rating)]
            explanation += (
                f"; professional discretion moved it from {computed.label} to {final.label}: "
                f"{discretion.reason.strip()}"
            )
        else:
            explanation += f"; the recorded discretion is not applied: {problem}"
    return StandardResult(
        std.id, std.name, std.rating_method, std.scored, final, computed,
        discretion if problem is None else None, problem, None, lowest.id, kqs, explanation,
        _next_band_text(bands, index, rated), None,
    )  # fmt: skip


def _next_band_text(bands: _Bands, index: int, rated: list[KeyQuestionResult]) -> str:
    if index == 0:
        return f"{bands.rating(0).label} is the highest rating"
    target = index - 1
    needs = [
        (kq.id, bands.yes_needed(kq.yes, kq.applicable, target))
        for kq in rated
        if bands.index_of(Fraction(kq.yes, kq.applicable)) > target
    ]
    parts = [f"{_yes_phrase(n)} on {kq_id}" for kq_id, n in needs]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{joined} would make it {bands.rating(target).label}"


def discretion_problem(
    framework: Framework, std: Standard, computed: Rating | None, discretion: Discretion
) -> str | None:
    """Why a discretion override breaks the framework's policy, or None if it is allowed."""
    policy = framework.discretion
    if std.rating_method not in policy.applies_to:
        return (
            f"professional discretion applies only to {' and '.join(policy.applies_to)} standards"
        )
    if policy.reason_required and not discretion.reason.strip():
        return "professional discretion needs a written reason"
    if discretion.rating not in {r.id for r in framework.ratings}:
        return f"unknown rating '{discretion.rating}'"
    if computed is None:
        return "no computed rating to apply discretion to"
    steps = framework.rating_rank(discretion.rating) - framework.rating_rank(computed.id)
    if steps == 0:
        return "the discretion rating is the same as the computed rating"
    direction = "up" if steps > 0 else "down"
    if direction not in policy.directions:
        return f"the framework does not allow discretion to move a rating {direction}"
    if abs(steps) > policy.max_bands:
        return (
            f"discretion may move a rating by at most {policy.max_bands} band(s); "
            f"{computed.label} to {framework.rating_label(discretion.rating)} is {abs(steps)}"
        )
    return None


def _rate_judgement_standard(
    framework: Framework, std: Standard, inputs: RatingInputs
) -> StandardResult:
    judgement = inputs.judgements.get(std.id)
    discretion = inputs.discretion.get(std.id)
    problem = (
        discretion_problem(framework, std, None, discretion) if discretion is not None else None
    )

    def result(rating: Rating | None, explanation: str, reason: str | None) -> StandardResult:
        return StandardResult(
            std.id, std.name, std.rating_method, std.scored, rating, None, None, problem,
            judgement, None, (), explanation, None, reason,
        )  # fmt: skip

    needs = std.not_rated_without_cases
    counts = inputs.cases_by_domain
    if needs and counts is not None and counts.get(needs, 0) == 0:
        label = next(d.label for d in framework.case_domains if d.id == needs).lower()
        reason = f"no {label} cases in the inspection timescale"
        text = f"{std.id} {framework.not_rated_label}: {reason}"
        if judgement is not None and judgement.rating is not None:
            recorded = framework.rating_label(judgement.rating)
            text += f" (the recorded judgement of {recorded} is set aside)"
        return result(None, text, reason)
    if judgement is None:
        reason = "no judgement recorded yet"
        return result(None, f"{std.id} {framework.not_rated_label}: {reason}", reason)
    if judgement.rating is None:
        reason = judgement.reason.strip() or "recorded as not rated"
        return result(None, f"{std.id} {framework.not_rated_label}: {reason}", reason)
    rating = framework.ratings[framework.rating_rank(judgement.rating)]
    why = f": {judgement.reason.strip()}" if judgement.reason.strip() else ""
    return result(
        rating, f"{std.id} {rating.label}: inspectors' judgement of the evidence{why}", None
    )


# ---------------------------------------------------------------- overall


def _overall(
    framework: Framework, standards: tuple[StandardResult, ...]
) -> tuple[int | None, Rating | None, str]:
    scored = [s for s in standards if s.scored]
    unrated = [s.id for s in scored if s.rating is None]
    points = sum(s.rating.points for s in scored if s.rating is not None)
    max_score = framework.overall_table.max_score
    if unrated:
        names = ", ".join(unrated)
        if framework.overall_table.when_scored_standard_unrated == "withhold":
            return None, None, (
                f"No overall rating: scored standard(s) {names} not rated "
                f"({points} points from the others)"
            )  # fmt: skip
        top = max(r.points for r in framework.ratings)
        rated_max = top * (len(scored) - len(unrated))
        if rated_max == 0:
            return None, None, "No overall rating: no scored standard is rated"
        score = int(round_half_up(Fraction(points * max_score, rated_max)))
        prefix = (
            f"Score pro rata {points}/{rated_max} scaled to {score}/{max_score} ({names} not rated)"
        )
    else:
        score = points
        prefix = f"Score {score}/{max_score}"
    bands = framework.overall_table.bands
    for i, band in enumerate(bands):
        if score >= band.min_score:
            rating = framework.ratings[framework.rating_rank(band.rating)]
            upper = max_score if i == 0 else bands[i - 1].min_score - 1
            text = f"{prefix} is in the {band.min_score}–{upper} band: {rating.label}"
            if i > 0 and not unrated:
                gap = bands[i - 1].min_score - score
                above = framework.rating_label(bands[i - 1].rating)
                text += f"; {gap} more point{'s' if gap != 1 else ''} would make it {above}"
            return score, rating, text
    raise AssertionError("overall bands end at 0")  # the loader guarantees this


# ---------------------------------------------------------------- entry point


def _check_inputs(framework: Framework, inputs: RatingInputs) -> None:
    known_kq = set(framework.key_question_ids())
    for kq_id in inputs.counts:
        if kq_id not in known_kq:
            raise RatingInputError(f"unknown key question '{kq_id}' for {framework.ref}")
    ids = {s.id: s for s in framework.all_standards()}
    rating_ids = {r.id for r in framework.ratings}
    for sid, j in inputs.judgements.items():
        if sid not in ids:
            raise RatingInputError(f"unknown standard '{sid}' for {framework.ref}")
        if ids[sid].rating_method != "judgement":
            raise RatingInputError(
                f"{sid} is rated from cases; record a professional-discretion override instead"
            )
        if j.rating is not None and j.rating not in rating_ids:
            raise RatingInputError(f"{sid}: unknown rating '{j.rating}'")
    for sid in inputs.discretion:
        if sid not in ids:
            raise RatingInputError(f"unknown standard '{sid}' for {framework.ref}")


def rate(framework: Framework, inputs: RatingInputs) -> InspectionRating:
    """Rate every standard, then the score and the overall rating."""
    _check_inputs(framework, inputs)
    bands = _Bands(framework)
    results = tuple(
        _rate_case_standard(framework, bands, std, inputs)
        if std.rating_method == "cases"
        else _rate_judgement_standard(framework, std, inputs)
        for std in framework.all_standards()
    )
    score, overall, text = _overall(framework, results)
    return InspectionRating(
        framework.id, framework.version, results, score, framework.overall_table.max_score, overall,
        text, framework.not_rated_label,
    )  # fmt: skip
