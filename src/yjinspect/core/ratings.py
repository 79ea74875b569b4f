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
from .words import gettext as _
from .words import ngettext, wording


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
        return _("n/a") if self.percent is None else f"{_fmt_num(self.percent)}%"


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
            return _("%(low)s%% or more") % {"low": low}
        upper = Fraction(self.bands[index - 1].min_percent)
        if band.min_percent == 0:
            return _("below %(upper)s%%") % {"upper": _fmt_num(upper)}
        top = (
            _fmt_num(upper - 1)
            if upper.denominator == 1
            else _("under %(upper)s") % {"upper": _fmt_num(upper)}
        )
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
            (_("no applicable answers"),) if counts.na else (),
        )  # fmt: skip
    fraction = Fraction(counts.yes, counts.applicable)
    shown = bands.displayed(fraction)
    index = bands.index_of(fraction)
    notes: list[str] = []
    exact_index = bands.index_of_exact(fraction)
    shown_index = bands.index_of_exact(shown / 100)
    if exact_index != shown_index:
        notes.append(_rounding_note(bands, fraction, shown, exact_index, shown_index))
    small = framework.percentages.small_sample_warning_below
    if counts.applicable < small:
        notes.append(
            ngettext(
                "only %(n)s applicable case: treat the figure with care",
                "only %(n)s applicable cases: treat the figure with care",
                counts.applicable,
            )
            % {"n": counts.applicable}
        )
    low, high = wilson_interval(counts.yes, counts.applicable, framework.interval.confidence)
    crosses = bands.index_of_exact(Fraction(low)) != bands.index_of_exact(Fraction(high))
    return KeyQuestionResult(
        kq_id, lens, text, counts.yes, counts.applicable, counts.na, fraction, shown,
        bands.rating(index), (low, high), crosses, tuple(notes),
    )  # fmt: skip


def _rounding_note(
    bands: _Bands, fraction: Fraction, shown: Fraction, exact_index: int, shown_index: int
) -> str:
    """Why the band differs from what the displayed percentage suggests."""
    values = {
        "shown": _fmt_num(shown),
        "exact": f"{float(fraction) * 100:.2f}",
        "exact_band": wording(bands.rating(exact_index).label),
        "shown_band": wording(bands.rating(shown_index).label),
    }
    if bands.rounded_basis:
        return (
            _(
                "shown as %(shown)s%%, but the exact %(exact)s%% is in the %(exact_band)s band "
                "while %(shown)s%% would be %(shown_band)s; the framework bands the rounded figure"
            )
            % values
        )
    return (
        _(
            "shown as %(shown)s%%, but the exact %(exact)s%% is in the %(exact_band)s band "
            "while %(shown)s%% would be %(shown_band)s; the framework bands the exact figure"
        )
        % values
    )


def _yes_phrase(n: int) -> str:
    return ngettext("one more Yes", "%(n)s more Yes answers", n) % {"n": n}


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the host's language."""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


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
        problem = _("no computed rating to apply discretion to") if discretion else None
        reason = _("no applicable answers to its key questions yet")
        return StandardResult(
            std.id, std.name, std.rating_method, std.scored, None, None, None, problem, None,
            None, kqs, _not_rated(framework, std, reason), None, reason,
        )  # fmt: skip
    lowest = min(rated, key=lambda kq: kq.fraction or 0)
    assert lowest.fraction is not None and lowest.percent is not None
    index = bands.index_of(lowest.fraction)
    computed = bands.rating(index)
    explanation = _(
        "%(id)s %(rating)s: lowest key question %(kq)s %(percent)s (%(yes)s/%(applicable)s) "
        "is in the %(range)s band"
    ) % {
        "id": std.id,
        "rating": wording(computed.label),
        "kq": lowest.id,
        "percent": lowest.percent_text,
        "yes": lowest.yes,
        "applicable": lowest.applicable,
        "range": bands.range_text(index),
    }
    if len(rated) < len(kqs):
        skipped = ", ".join(kq.id for kq in kqs if kq.fraction is None)
        explanation += " " + _("(%(ids)s had no applicable answers and is left out)") % {
            "ids": skipped
        }
    final, problem = computed, None
    if discretion is not None:
        problem = discretion_problem(framework, std, computed, discretion)
        if problem is None:
            final = framework.ratings[framework.rating_rank(discretion.rating)]
            explanation += "; " + _(
                "professional discretion moved it from %(computed)s to %(final)s: %(reason)s"
            ) % {
                "computed": wording(computed.label),
                "final": wording(final.label),
                "reason": discretion.reason.strip(),
            }
        else:
            explanation += "; " + _("the recorded discretion is not applied: %(problem)s") % {
                "problem": problem
            }
    return StandardResult(
        std.id, std.name, std.rating_method, std.scored, final, computed,
        discretion if problem is None else None, problem, None, lowest.id, kqs, explanation,
        _next_band_text(bands, index, rated, by_discretion=final is not computed), None,
    )  # fmt: skip


def _next_band_text(
    bands: _Bands, index: int, rated: list[KeyQuestionResult], by_discretion: bool = False
) -> str:
    """How far the figures are from the next band up. After professional discretion the
    standard's rating is not the figures' one, so the sentence says it is about the figures."""
    if index == 0:
        return _("%(rating)s is the highest rating") % {"rating": wording(bands.rating(0).label)}
    target = index - 1
    needs = [
        (kq.id, bands.yes_needed(kq.yes, kq.applicable, target))
        for kq in rated
        if bands.index_of(Fraction(kq.yes, kq.applicable)) > target
    ]
    parts = [_("%(yes)s on %(kq)s") % {"yes": _yes_phrase(n), "kq": kq_id} for kq_id, n in needs]
    values = {"needs": _and_list(parts), "rating": wording(bands.rating(target).label)}
    if by_discretion:
        return _("%(needs)s would make the figures give %(rating)s") % values
    return _("%(needs)s would make it %(rating)s") % values


def discretion_problem(
    framework: Framework, std: Standard, computed: Rating | None, discretion: Discretion
) -> str | None:
    """Why a discretion override breaks the framework's policy, or None if it is allowed."""
    policy = framework.discretion
    if std.rating_method not in policy.applies_to:
        return _("professional discretion applies only to %(methods)s standards") % {
            "methods": _(" and ").join(policy.applies_to)
        }
    if policy.reason_required and not discretion.reason.strip():
        return _("professional discretion needs a written reason")
    if discretion.rating not in {r.id for r in framework.ratings}:
        return _("unknown rating '%(rating)s'") % {"rating": discretion.rating}
    if computed is None:
        return _("no computed rating to apply discretion to")
    steps = framework.rating_rank(discretion.rating) - framework.rating_rank(computed.id)
    if steps == 0:
        return _("the discretion rating is the same as the computed rating")
    direction = "up" if steps > 0 else "down"
    if direction not in policy.directions:
        if direction == "up":
            return _("the framework does not allow discretion to move a rating up")
        return _("the framework does not allow discretion to move a rating down")
    if abs(steps) > policy.max_bands:
        return _(
            "discretion may move a rating by at most %(max)s band(s); "
            "%(computed)s to %(wanted)s is %(steps)s"
        ) % {
            "max": policy.max_bands,
            "computed": wording(computed.label),
            "wanted": wording(framework.rating_label(discretion.rating)),
            "steps": abs(steps),
        }
    return None


def _not_rated(framework: Framework, std: Standard, reason: str) -> str:
    """'2.1 Not rated: <reason>', the framework's not-rated label in the host's language."""
    return f"{std.id} {wording(framework.not_rated_label)}: {reason}"


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
        label = wording(next(d.label for d in framework.case_domains if d.id == needs)).lower()
        reason = _("no %(domain)s cases in the inspection timescale") % {"domain": label}
        text = _not_rated(framework, std, reason)
        if judgement is not None and judgement.rating is not None:
            recorded = wording(framework.rating_label(judgement.rating))
            text += " " + _("(the recorded judgement of %(rating)s is set aside)") % {
                "rating": recorded
            }
        return result(None, text, reason)
    if judgement is None:
        reason = _("no judgement recorded yet")
        return result(None, _not_rated(framework, std, reason), reason)
    if judgement.rating is None:
        reason = judgement.reason.strip() or _("recorded as not rated")
        return result(None, _not_rated(framework, std, reason), reason)
    rating = framework.ratings[framework.rating_rank(judgement.rating)]
    why = f": {judgement.reason.strip()}" if judgement.reason.strip() else ""
    text = _("%(id)s %(rating)s: inspectors' judgement of the evidence") % {
        "id": std.id,
        "rating": wording(rating.label),
    }
    return result(rating, text + why, None)


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
            return (
                None,
                None,
                _(
                    "No overall rating: scored standard(s) %(ids)s not rated "
                    "(%(points)s points from the others)"
                )
                % {"ids": names, "points": points},
            )
        top = max(r.points for r in framework.ratings)
        rated_max = top * (len(scored) - len(unrated))
        if rated_max == 0:
            return None, None, _("No overall rating: no scored standard is rated")
        score = int(round_half_up(Fraction(points * max_score, rated_max)))
        prefix = _(
            "Score pro rata %(points)s/%(rated_max)s scaled to %(score)s/%(max)s "
            "(%(ids)s not rated)"
        ) % {
            "points": points,
            "rated_max": rated_max,
            "score": score,
            "max": max_score,
            "ids": names,
        }
    else:
        score = points
        prefix = _("Score %(score)s/%(max)s") % {"score": score, "max": max_score}
    bands = framework.overall_table.bands
    for i, band in enumerate(bands):
        if score >= band.min_score:
            rating = framework.ratings[framework.rating_rank(band.rating)]
            upper = max_score if i == 0 else bands[i - 1].min_score - 1
            text = _("%(score_text)s is in the %(low)s–%(high)s band: %(rating)s") % {
                "score_text": prefix,
                "low": band.min_score,
                "high": upper,
                "rating": wording(rating.label),
            }
            if i > 0 and not unrated:
                gap = bands[i - 1].min_score - score
                above = wording(framework.rating_label(bands[i - 1].rating))
                text += "; " + ngettext(
                    "%(n)s more point would make it %(rating)s",
                    "%(n)s more points would make it %(rating)s",
                    gap,
                ) % {"n": gap, "rating": above}
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
