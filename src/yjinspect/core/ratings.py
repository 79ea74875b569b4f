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

from yjinspect.frameworks.schema import CaseBand, Framework, KeyQuestion, Rating, Standard

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
    """An inspectors' rating of an evidence-rated standard, or of a judged key question (2025
    V1.2: `standard_id` then holds the key question's id); rating None means 'Not rated'."""

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
    # 'judgement' for a key question the inspectors judge (2025 V1.2): no counts, and `band`
    # is the judged rating (None until one is recorded, or when recorded as not rated).
    rating_method: str = "cases"
    judgement: Judgement | None = None

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
    # 'score' (2018/2021: a score out of max_score) or 'points_average' (2025: no score is
    # published; `score` is None and `max_score` 0, and `average` is the working behind the
    # overall rating, shown in its explanation).
    overall_method: str = "score"
    average: Fraction | None = None

    @property
    def has_score(self) -> bool:
        """Whether the method publishes a score at all (not whether there is one yet)."""
        return self.overall_method == "score"

    def standard(self, standard_id: str) -> StandardResult:
        for s in self.standards:
            if s.id == standard_id:
                return s
        raise KeyError(standard_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the CLI prints and the API serves."""
        label = self._label
        out: dict[str, Any] = {
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
        if not self.has_score:  # nothing that reads as a score where the method has none
            del out["score"], out["max_score"]
            out["overall_method"] = self.overall_method
            out["average"] = None if self.average is None else round(float(self.average), 2)
        return out

    def _label(self, rating: Rating | None) -> str:
        return rating.label if rating else self.not_rated_label


def _kq_dict(kq: KeyQuestionResult) -> dict[str, Any]:
    if kq.rating_method == "judgement":
        return {
            "rating_method": "judgement",
            "judgement": kq.band.label if kq.band else None,
            "judgement_reason": kq.judgement.reason if kq.judgement else None,
        }
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
    known = set(framework.case_question_ids())
    judged = set(framework.judged_question_ids())
    seen: set[tuple[str, str]] = set()
    raw: dict[str, list[int]] = {kq: [0, 0, 0] for kq in known}
    for case_ref, kq_id, answer in answers:
        if kq_id in judged:
            raise RatingInputError(_judged_not_answered(kq_id))
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


def _judged_not_answered(kq_id: str) -> str:
    return f"{kq_id} is judged by the inspectors, not answered per case: record a judgement"


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
    framework: Framework, bands: _Bands, standard: Standard, kq: KeyQuestion, counts: Counts
) -> KeyQuestionResult:
    kq_id, lens, text = standard.question_id(kq), kq.lens, kq.text
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
        _judged_question_result(framework, std, kq, inputs)
        if kq.rating_method == "judgement"
        else _key_question_result(
            framework, bands, std, kq, inputs.counts.get(std.question_id(kq), Counts())
        )
        for kq in std.key_questions
    )
    case_kqs = [kq for kq in kqs if kq.rating_method == "cases"]
    judged = [kq for kq in kqs if kq.rating_method == "judgement"]
    rated = [kq for kq in case_kqs if kq.fraction is not None]
    discretion = inputs.discretion.get(std.id)

    def not_rated(reason: str) -> StandardResult:
        problem = _("no computed rating to apply discretion to") if discretion else None
        return StandardResult(
            std.id, std.name, std.rating_method, std.scored, None, None, None, problem, None,
            None, kqs, _not_rated(framework, std, reason), None, reason,
        )  # fmt: skip

    waiting = [kq.id for kq in judged if kq.judgement is None]
    if waiting:
        return not_rated(_("no judgement recorded yet for %(ids)s") % {"ids": ", ".join(waiting)})
    case = _CasePart.of(bands, case_kqs, rated)
    if judged:
        combined = _combine_judged(framework, bands, std, case, judged)
    elif case is not None:
        combined = case.rating(bands), case.sentence(bands, std), case.lowest.id
    else:
        combined = None
    if combined is None:
        return not_rated(_("no applicable answers to its key questions yet"))
    computed, explanation, driving = combined
    if case is None:  # rated from a judgement alone: say which figures had nothing to give
        explanation += " " + _("(%(ids)s had no applicable answers and is left out)") % {
            "ids": ", ".join(kq.id for kq in case_kqs)
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
    # Beside a judgement, or after discretion, the figures alone do not make the rating, so
    # the distance to the next band is said to be the figures'.
    figures_only = not judged and final is computed
    next_band = (
        None
        if case is None
        else _next_band_text(bands, case.index, rated, by_discretion=not figures_only)
    )
    return StandardResult(
        std.id, std.name, std.rating_method, std.scored, final, computed,
        discretion if problem is None else None, problem, None, driving, kqs, explanation,
        next_band, None,
    )  # fmt: skip


@dataclass(frozen=True)
class _CasePart:
    """What a standard's case-answered key questions say: the lowest one and its band."""

    index: int  # into the framework's bands, 0 = best
    lowest: KeyQuestionResult
    skipped: tuple[str, ...]  # case-answered key questions with no applicable answers

    @classmethod
    def of(
        cls, bands: _Bands, case_kqs: list[KeyQuestionResult], rated: list[KeyQuestionResult]
    ) -> _CasePart | None:
        if not rated:
            return None
        lowest = min(rated, key=lambda kq: kq.fraction or 0)
        skipped = tuple(kq.id for kq in case_kqs if kq.fraction is None)
        assert lowest.fraction is not None  # `rated` holds only key questions with a figure
        return cls(bands.index_of(lowest.fraction), lowest, skipped)

    def rating(self, bands: _Bands) -> Rating:
        return bands.rating(self.index)

    def _values(self, bands: _Bands, std: Standard) -> dict[str, object]:
        return {
            "id": std.id,
            "rating": wording(self.rating(bands).label),
            "kq": self.lowest.id,
            "percent": self.lowest.percent_text,
            "yes": self.lowest.yes,
            "applicable": self.lowest.applicable,
            "range": bands.range_text(self.index),
        }

    def sentence(self, bands: _Bands, std: Standard) -> str:
        """'2.1 Good: lowest key question 2.1.desistance 70% (7/10) is in the 65–79% band'."""
        text = _(
            "%(id)s %(rating)s: lowest key question %(kq)s %(percent)s (%(yes)s/%(applicable)s) "
            "is in the %(range)s band"
        ) % self._values(bands, std)
        return text + self.skipped_note()

    def figure(self, bands: _Bands, std: Standard) -> str:
        """'V1.1 56% (5/9), in the 50–64% band (Requires improvement)', to set beside a
        judgement."""
        return _(
            "%(kq)s %(percent)s (%(yes)s/%(applicable)s), in the %(range)s band (%(rating)s)"
        ) % self._values(bands, std)

    def skipped_note(self) -> str:
        if not self.skipped:
            return ""
        return " " + _("(%(ids)s had no applicable answers and is left out)") % {
            "ids": ", ".join(self.skipped)
        }


def _judged_question_result(
    framework: Framework, std: Standard, kq: KeyQuestion, inputs: RatingInputs
) -> KeyQuestionResult:
    kq_id = std.question_id(kq)
    judgement = inputs.judgements.get(kq_id)
    band = None
    if judgement is not None and judgement.rating is not None:
        band = framework.ratings[framework.rating_rank(judgement.rating)]
    return KeyQuestionResult(
        kq_id, kq.lens, kq.text, 0, 0, 0, None, None, band, None, False, (), "judgement",
        judgement,
    )  # fmt: skip


def _combine_judged(
    framework: Framework,
    bands: _Bands,
    std: Standard,
    case: _CasePart | None,
    judged: list[KeyQuestionResult],
) -> tuple[Rating, str, str] | None:
    """The rating of a standard with judged key questions (2025 V1: V1.1 from the victims'
    cases, V1.2 judged), by the framework's `judged_key_questions` setting, with its sentence
    and the key question that drove it; None when there is nothing to rate from.

    A judged key question recorded as 'not rated' is left out and named, as a case-answered
    one with no applicable answers is.
    """
    rank = framework.rating_rank
    given = [(kq.id, kq.band) for kq in judged if kq.band is not None]
    left_out = [kq.id for kq in judged if kq.band is None]
    lowest_judged = min(given, key=lambda g: rank(g[1].id), default=None)
    setting = framework.judged_key_questions
    if setting.combine == "judgement_moves" and case is None:
        return None
    if case is not None and lowest_judged is None:
        rating, text, driving = case.rating(bands), case.sentence(bands, std), case.lowest.id
    elif setting.combine == "judgement_moves" and case is not None and lowest_judged is not None:
        rating, text = _moved(framework, bands, std, case, lowest_judged)
        driving = case.lowest.id
    else:
        candidates = [(band, kq_id) for kq_id, band in given]
        if case is not None:
            candidates.insert(0, (case.rating(bands), case.lowest.id))
        if not candidates:
            return None
        rating, driving = min(candidates, key=lambda c: rank(c[0].id))  # a tie: the cases
        parts = [case.figure(bands, std)] if case is not None else []
        parts += [
            _("%(kq)s judged %(rating)s") % {"kq": kq_id, "rating": wording(band.label)}
            for kq_id, band in given
        ]
        values = {"id": std.id, "rating": wording(rating.label), "parts": _and_list(parts)}
        text = _("%(id)s %(rating)s, the lowest of: %(parts)s") % values
        if case is not None:
            text += case.skipped_note()
    if left_out:
        text += " " + _("(%(ids)s recorded as not rated and left out)") % {
            "ids": ", ".join(left_out)
        }
    return rating, text, driving


def _moved(
    framework: Framework,
    bands: _Bands,
    std: Standard,
    case: _CasePart,
    judged: tuple[str, Rating],
) -> tuple[Rating, str]:
    """'judgement_moves': the case figure's band, moved towards the judgement by at most the
    framework's `max_bands`."""
    rank = framework.rating_rank
    start = case.rating(bands)
    kq_id, band = judged
    limit = framework.judged_key_questions.max_bands
    moved = max(-limit, min(limit, rank(band.id) - rank(start.id)))
    rating = framework.ratings[rank(start.id) + moved]
    values = {
        "id": std.id,
        "rating": wording(rating.label),
        "figure": case.figure(bands, std),
        "kq": kq_id,
        "judged": wording(band.label),
        "n": abs(moved),
    }
    if moved == 0:
        text = (
            _("%(id)s %(rating)s: %(figure)s; the judgement on %(kq)s (%(judged)s) leaves it there")
            % values
        )
    else:
        text = (
            ngettext(
                "%(id)s %(rating)s: %(figure)s, moved %(n)s band towards the judgement on %(kq)s "
                "(%(judged)s)",
                "%(id)s %(rating)s: %(figure)s, moved %(n)s bands towards the judgement on %(kq)s "
                "(%(judged)s)",
                abs(moved),
            )
            % values
        )
    return rating, text + case.skipped_note()


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
    assert max_score is not None  # the loader requires it of a 'score' overall
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
        if band.min_score is not None and score >= band.min_score:
            rating = framework.ratings[framework.rating_rank(band.rating)]
            upper = max_score if i == 0 else (bands[i - 1].min_score or 0) - 1
            text = _("%(score_text)s is in the %(low)s–%(high)s band: %(rating)s") % {
                "score_text": prefix,
                "low": band.min_score,
                "high": upper,
                "rating": wording(rating.label),
            }
            if i > 0 and not unrated:
                gap = (bands[i - 1].min_score or 0) - score
                above = wording(framework.rating_label(bands[i - 1].rating))
                text += "; " + ngettext(
                    "%(n)s more point would make it %(rating)s",
                    "%(n)s more points would make it %(rating)s",
                    gap,
                ) % {"n": gap, "rating": above}
            return score, rating, text
    raise AssertionError("overall bands end at 0")  # the loader guarantees this


def _overall_average(
    framework: Framework, standards: tuple[StandardResult, ...]
) -> tuple[Fraction | None, Rating | None, str]:
    """'points_average' (2025): the scored standards' points averaged and banded. No score is
    published, so the average is only the working the explanation shows."""
    table = framework.overall_table
    scored = [s for s in standards if s.scored]
    unrated = [s.id for s in scored if s.rating is None]
    rated = [s.rating for s in scored if s.rating is not None]
    if unrated and table.when_scored_standard_unrated == "withhold":
        return (
            None,
            None,
            _("No overall rating: standard(s) %(ids)s not rated") % {"ids": ", ".join(unrated)},
        )
    if not rated:
        return None, None, _("No overall rating: no scored standard is rated")
    average = Fraction(sum(r.points for r in rated), len(rated))
    values: dict[str, object] = {
        "average": _fmt_average(average),
        "n": len(rated),
        "points": " + ".join(str(r.points) for r in rated),
    }
    text = (
        ngettext(
            "%(n)s standard rated: %(average)s points (%(points)s)",
            "%(n)s standards rated: their ratings average %(average)s points (%(points)s)",
            len(rated),
        )
        % values
    )
    if unrated:
        text += " " + _("(%(ids)s not rated and left out)") % {"ids": ", ".join(unrated)}
    for i, band in enumerate(table.bands):
        low = Fraction(band.min_average or 0)
        if average >= low:
            rating = framework.ratings[framework.rating_rank(band.rating)]
            text += "; " + _("%(low)s or more gives %(rating)s") % {
                "low": _fmt_average(low),
                "rating": wording(rating.label),
            }
            if i > 0 and not unrated:
                above = table.bands[i - 1]
                text += "; " + _("an average of %(next)s would make it %(rating)s") % {
                    "next": _fmt_average(Fraction(above.min_average or 0)),
                    "rating": wording(framework.rating_label(above.rating)),
                }
            return average, rating, text
    raise AssertionError("overall bands end at 0")  # the loader guarantees this


def _fmt_average(value: Fraction) -> str:
    """An average as people read it: 2.25, 2.33, 2."""
    return _fmt_num(round_half_up(value, 2))


# ---------------------------------------------------------------- entry point


def _check_inputs(framework: Framework, inputs: RatingInputs) -> None:
    known_kq = set(framework.case_question_ids())
    judged = set(framework.judged_question_ids())
    for kq_id in inputs.counts:
        if kq_id in judged:
            raise RatingInputError(_judged_not_answered(kq_id))
        if kq_id not in known_kq:
            raise RatingInputError(f"unknown key question '{kq_id}' for {framework.ref}")
    ids = {s.id: s for s in framework.all_standards()}
    rating_ids = {r.id for r in framework.ratings}
    for sid, j in inputs.judgements.items():
        if sid in judged:
            if j.rating is not None and j.rating not in rating_ids:
                raise RatingInputError(f"{sid}: unknown rating '{j.rating}'")
            continue
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
    if framework.overall_table.method == "points_average":
        average, overall, text = _overall_average(framework, results)
        return InspectionRating(
            framework.id, framework.version, results, None, 0, overall, text,
            framework.not_rated_label, "points_average", average,
        )  # fmt: skip
    score, overall, text = _overall(framework, results)
    return InspectionRating(
        framework.id, framework.version, results, score, framework.overall_table.max_score or 0,
        overall, text, framework.not_rated_label,
    )  # fmt: skip
