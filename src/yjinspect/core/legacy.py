"""The scoring engine for the earlier HMIP programmes (SQS, FJI and CCI, 2009-2018).

Those programmes put no ratings on standards. Each theme (FJI) or headline area (CCI) had one
figure, the share of the assessed work that was 'done well enough', pooled over every case
and every question mapped to the area with not-applicable answers left out, and a word for it
(FJI 'Poor' ... 'Good'; CCI 'DRASTIC' ... 'MINIMUM improvement required'). The SQS printed no
area figure at all: it reported each question as a count of relevant cases.

Pure Python, no Django. The rules come from the framework file (`scoring_model: areas`); this
module only knows their shape. As in `ratings`, every figure carries a plain-English
explanation, a 95% interval, and how far it is from the next word, so that a figure from 2015
can be defended, or compared with a current one, without guessing how it was made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from yjinspect.frameworks.schema import Area, Framework, Item, ReportPhrases, WordBand

from .phrases import proportion_phrase
from .ratings import Counts, RatingInputError
from .stats import round_half_up, wilson_interval
from .words import gettext as _
from .words import ngettext, wording

SCORED_ANSWERS = {"yes": 0, "no": 1, "na": 2, "n/a": 2}


class WordOverride(NamedTuple):
    """A word chosen by the inspectors, with why: an override of a scored area's computed word,
    or the judged word of a judgement area (FJI governance). A plain (word, reason) pair works
    wherever one is expected."""

    word: str
    reason: str = ""


@dataclass(frozen=True)
class OptionCounts:
    """How a recorded item (e.g. 'was the risk-of-harm level right?') was answered: cases per
    option. Recorded items are reported, never pooled into a score."""

    counts: Mapping[str, int]

    def __post_init__(self) -> None:
        if any(n < 0 for n in self.counts.values()):
            raise RatingInputError("answer counts cannot be negative")
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


ItemCounts = Counts | OptionCounts

_NO_WORDS: Mapping[str, tuple[str, str]] = MappingProxyType({})


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class ItemResult:
    id: str
    text: str
    kind: str  # 'scored' or 'recorded'
    pooled: bool  # counted in this area's score
    yes: int
    no: int
    na: int
    fraction: Fraction | None
    percent: Fraction | None  # displayed, rounded half up
    phrase: str | None  # as an SQS letter would put it: '9 of the 14 cases', 'almost all ...'
    options: Mapping[str, int] | None  # recorded items: cases per option

    @property
    def relevant(self) -> int:
        return self.yes + self.no


@dataclass(frozen=True)
class SectionResult:
    """A CCI criterion section (e.g. 1.1 'Risk of Harm to others - assessment and planning')."""

    id: str
    name: str
    yes: int
    applicable: int
    percent: Fraction | None


@dataclass(frozen=True)
class AreaResult:
    id: str
    name: str
    rating_method: str  # 'cases' or 'judgement'
    optional: bool
    score_published: bool
    word_scale: str | None  # None: the area takes no word (SQS)
    yes: int
    applicable: int
    na: int
    fraction: Fraction | None
    percent: Fraction | None
    interval: tuple[float, float] | None  # as fractions of 1
    interval_crosses_word: bool
    default_word: str | None
    word: str | None
    override_reason: str | None
    judgement_reason: str | None
    explanation: str
    next_word: str | None
    score_sentence: str | None
    notes: tuple[str, ...]
    sections: tuple[SectionResult, ...]
    items: tuple[ItemResult, ...]

    @property
    def percent_text(self) -> str:
        return _("n/a") if self.percent is None else f"{_fmt(self.percent)}%"

    def item(self, item_id: str) -> ItemResult:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)


@dataclass(frozen=True)
class AreaRating:
    framework_id: str
    framework_version: int
    areas: tuple[AreaResult, ...]
    optional_areas_left_out: tuple[str, ...]
    sample_size: int | None

    def area(self, area_id: str) -> AreaResult:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the CLI prints (the counterpart of `InspectionRating.to_dict`)."""
        return {
            "framework": self.framework_id,
            "framework_version": self.framework_version,
            "scoring_model": "areas",
            "sample_size": self.sample_size,
            "areas": {a.id: _area_dict(a) for a in self.areas},
            "optional_areas_left_out": list(self.optional_areas_left_out),
        }


def _area_dict(a: AreaResult) -> dict[str, Any]:
    return {
        "name": a.name,
        "rating_method": a.rating_method,
        "optional": a.optional,
        "score_published": a.score_published,
        "word_scale": a.word_scale,
        "score_percent": _json(a.percent),
        "exact_percent": None if a.fraction is None else round(float(a.fraction) * 100, 2),
        "yes": a.yes,
        "applicable": a.applicable,
        "not_applicable": a.na,
        "interval": None
        if a.interval is None
        else [round(a.interval[0] * 100, 1), round(a.interval[1] * 100, 1)],
        "interval_crosses_word": a.interval_crosses_word,
        "default_word": a.default_word,
        "word": a.word,
        "override_reason": a.override_reason,
        "judgement_reason": a.judgement_reason,
        "explanation": a.explanation,
        "next_word": a.next_word,
        "score_sentence": a.score_sentence,
        "notes": list(a.notes),
        "sections": {
            s.id: {
                "name": s.name,
                "yes": s.yes,
                "applicable": s.applicable,
                "percent": _json(s.percent),
            }
            for s in a.sections
        },
        "items": {i.id: _item_dict(i) for i in a.items},
    }


def _item_dict(i: ItemResult) -> dict[str, Any]:
    out: dict[str, Any] = {"text": i.text, "kind": i.kind, "pooled": i.pooled}
    if i.options is not None:
        out["options"] = dict(i.options)
        return out
    out.update(
        yes=i.yes, no=i.no, not_applicable=i.na, relevant=i.relevant, percent=_json(i.percent),
        phrase=i.phrase,
    )  # fmt: skip
    return out


def _json(value: Fraction | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _fmt(value: Fraction) -> str:
    return str(_json(value))


# ---------------------------------------------------------------- counting answers


def tally_items(
    framework: Framework, answers: Iterable[tuple[str, str, str]]
) -> dict[str, ItemCounts]:
    """Count (case_ref, item_id, answer) triples per item.

    Scored items take yes / no / na; recorded items take one of their own options. Refuses an
    unknown item, an answer that is not allowed, and a second answer by the same case to the
    same item, since each means the input is not what the inspector thinks it is.
    """
    _require_areas(framework)
    items = {i.id: i for i in framework.items}
    scored: dict[str, list[int]] = {i.id: [0, 0, 0] for i in framework.items if _is_scored(i)}
    recorded: dict[str, dict[str, int]] = {
        i.id: dict.fromkeys(i.options, 0) for i in framework.items if not _is_scored(i)
    }
    seen: set[tuple[str, str]] = set()
    for case_ref, item_id, answer in answers:
        item = items.get(item_id)
        if item is None:
            raise RatingInputError(f"unknown item '{item_id}' for {framework.ref}")
        if (case_ref, item_id) in seen:
            raise RatingInputError(f"case {case_ref} answers {item_id} twice")
        seen.add((case_ref, item_id))
        word = str(answer).strip().casefold()
        if _is_scored(item):
            if word not in SCORED_ANSWERS:
                raise RatingInputError(
                    f"case {case_ref}: '{answer}' for {item_id} is not yes, no or na"
                )
            scored[item_id][SCORED_ANSWERS[word]] += 1
        else:
            option = option_for(item, word)
            if option is None:
                raise RatingInputError(
                    f"case {case_ref}: '{answer}' for {item_id} is not one of "
                    f"{', '.join(item.options)}"
                )
            recorded[item_id][option] += 1
    out: dict[str, ItemCounts] = {k: Counts(*v) for k, v in scored.items()}
    out.update({k: OptionCounts(v) for k, v in recorded.items()})
    return out


def option_for(item: Item, answer: str) -> str | None:
    """The recorded item's option matching `answer` (case-insensitive), if any."""
    wanted = answer.strip().casefold()
    return next((o for o in item.options if o.casefold() == wanted), None)


def _is_scored(item: Item) -> bool:
    return item.kind == "scored"


def _require_areas(framework: Framework) -> None:
    if framework.scoring_model != "areas":
        raise RatingInputError(
            f"{framework.ref} rates standards, not areas; use yjinspect.core.ratings.rate"
        )


# ---------------------------------------------------------------- word scales


class _Scale:
    """One word scale (highest band first) and the arithmetic around it."""

    def __init__(self, framework: Framework, bands: list[WordBand]) -> None:
        self.bands = bands
        self.mins = [Fraction(b.min_percent) / 100 for b in bands]
        self.decimals = framework.percentages.display_decimals
        self.rounded = framework.word_banding_basis == "rounded"

    def displayed(self, fraction: Fraction) -> Fraction:
        return round_half_up(fraction * 100, self.decimals)

    def index_exact(self, fraction: Fraction) -> int:
        for i, minimum in enumerate(self.mins):
            if fraction >= minimum:
                return i
        return len(self.bands) - 1

    def index(self, fraction: Fraction) -> int:
        """Index (0 = best) by the framework's basis: the published rounded figure, or exact."""
        return self.index_exact(self.displayed(fraction) / 100 if self.rounded else fraction)

    def word(self, index: int) -> str:
        return self.bands[index].word

    def canonical(self, word: str) -> str | None:
        """The scale's spelling of `word`; its first word alone will do when that is unique
        (CCI reports wrote 'SUBSTANTIAL' for 'Substantial improvement required')."""
        wanted = " ".join(word.split()).casefold()
        exact = [b.word for b in self.bands if b.word.casefold() == wanted]
        first = [b.word for b in self.bands if b.word.split()[0].casefold() == wanted]
        if exact:
            return exact[0]
        return first[0] if len(first) == 1 else None

    def range_text(self, index: int) -> str:
        low = Fraction(self.bands[index].min_percent)
        if index == 0:
            return _("%(low)s%%-or-more") % {"low": _fmt(low)}
        upper = Fraction(self.bands[index - 1].min_percent)
        if low == 0:
            return _("below-%(upper)s%%") % {"upper": _fmt(upper)}
        step = Fraction(1, 10**self.decimals) if self.rounded else None
        if step is not None and (upper / step).denominator == 1:
            return f"{_fmt(low)}–{_fmt(upper - step)}%"
        return _("%(low)s%%-to-under-%(upper)s%%") % {"low": _fmt(low), "upper": _fmt(upper)}

    def yes_needed(self, yes: int, applicable: int, index: int) -> int | None:
        """Fewest extra Yes answers (in place of No) that reach band `index`, if any can."""
        for extra in range(applicable - yes + 1):
            if self.index(Fraction(yes + extra, applicable)) <= index:
                return extra
        return None


def _scale(framework: Framework, area: Area) -> _Scale | None:
    if area.word_scale is None:
        return None
    return _Scale(framework, framework.word_scales[area.word_scale])


def canonical_word(framework: Framework, area_id: str, word: str) -> str | None:
    """The area's scale word meant by `word` (case-insensitive), or None."""
    scale = _scale(framework, framework.area(area_id))
    return None if scale is None else scale.canonical(word)


def scale_words(framework: Framework, area_id: str) -> list[str]:
    """The words an area can take, best first; empty when the area takes no word."""
    area = framework.area(area_id)
    if area.word_scale is None:
        return []
    return [b.word for b in framework.word_scales[area.word_scale]]


# ---------------------------------------------------------------- checking inputs


def _chosen_areas(
    framework: Framework,
    counts: Mapping[str, ItemCounts],
    words: set[str],
    chosen: set[str] | None,
) -> tuple[list[Area], list[str]]:
    """The areas this inspection covers, and the optional ones left out."""
    optional = {a.id for a in framework.areas if a.optional}
    if chosen is not None:
        for area_id in sorted(chosen):
            if area_id not in {a.id for a in framework.areas}:
                raise RatingInputError(f"unknown area '{area_id}' for {framework.ref}")
            if area_id not in optional:
                raise RatingInputError(
                    f"{area_id} is not an optional area; it is always part of {framework.ref}"
                )
        picked = set(chosen)
    else:
        # Not said: an optional area is in when one of its own items was answered or a word
        # was recorded for it (the FJI sixth theme was fixed when the inspection was set up).
        answered = {framework.item(i).area for i, c in counts.items() if _total(c) > 0}
        picked = {a for a in optional if a in answered or a in words}
    areas = [a for a in framework.areas if not a.optional or a.id in picked]
    left_out = [a.id for a in framework.areas if a.optional and a.id not in picked]
    for item_id, c in counts.items():
        home = framework.item(item_id).area
        if home in left_out and _total(c) > 0:
            raise RatingInputError(
                f"{item_id} is answered, but its area {home} is not chosen for this inspection"
            )
    return areas, left_out


def _total(c: ItemCounts) -> int:
    return c.total if isinstance(c, OptionCounts) else c.yes + c.no + c.na


def _check_counts(framework: Framework, counts: Mapping[str, ItemCounts]) -> None:
    items = {i.id: i for i in framework.items}
    for item_id, c in counts.items():
        item = items.get(item_id)
        if item is None:
            raise RatingInputError(f"unknown item '{item_id}' for {framework.ref}")
        if _is_scored(item) and not isinstance(c, Counts):
            raise RatingInputError(f"{item_id} is scored: give yes / no / na counts")
        if not _is_scored(item):
            if not isinstance(c, OptionCounts):
                raise RatingInputError(
                    f"{item_id} is a recorded item: give counts per option "
                    f"({', '.join(item.options)})"
                )
            unknown = sorted(set(c.counts) - set(item.options))
            if unknown:
                raise RatingInputError(
                    f"{item_id}: '{unknown[0]}' is not one of {', '.join(item.options)}"
                )


def _check_words(
    framework: Framework,
    overrides: Mapping[str, tuple[str, str]],
    judged: Mapping[str, tuple[str, str]],
    left_out: list[str],
) -> None:
    known = {a.id: a for a in framework.areas}
    for kind, given in (("word override", overrides), ("judged word", judged)):
        for area_id, (word, reason) in given.items():
            area = known.get(area_id)
            if area is None:
                raise RatingInputError(f"unknown area '{area_id}' for {framework.ref}")
            if area_id in left_out:
                raise RatingInputError(f"{area_id} is not chosen for this inspection")
            words = scale_words(framework, area_id)
            if not words:
                raise RatingInputError(
                    _("%(id)s takes no word in %(ref)s; it is reported as counts and narrative")
                    % {"id": area_id, "ref": framework.ref}
                )
            scale = _scale(framework, area)
            assert scale is not None
            if scale.canonical(word) is None:
                raise RatingInputError(
                    _("%(id)s: '%(word)s' is not one of %(words)s")
                    % {"id": area_id, "word": word, "words": ", ".join(map(wording, words))}
                )
            if kind == "word override":
                if area.rating_method == "judgement":
                    raise RatingInputError(
                        _("%(id)s is judged, not scored: record its judged word instead")
                        % {"id": area_id}
                    )
                if framework.word_override_requires_reason and not reason.strip():
                    raise RatingInputError(
                        _("%(id)s: a word other than the score's needs a written reason")
                        % {"id": area_id}
                    )
            elif area.rating_method != "judgement":
                raise RatingInputError(
                    _("%(id)s is scored from cases: record a word override with a reason")
                    % {"id": area_id}
                )
    both = sorted(set(overrides) & set(judged))
    if both:
        raise RatingInputError(
            _("%(id)s has both a word override and a judged word") % {"id": both[0]}
        )


# ---------------------------------------------------------------- items and areas


def _item_result(
    item: Item,
    pooled: bool,
    counts: ItemCounts | None,
    sample_size: int | None,
    decimals: int,
    phrases: ReportPhrases,
) -> ItemResult:
    if not _is_scored(item):
        options = counts.counts if isinstance(counts, OptionCounts) else {}
        full = {o: options.get(o, 0) for o in item.options}
        return ItemResult(
            item.id, item.text, item.kind, False, 0, 0, 0, None, None, None,
            MappingProxyType(full),
        )  # fmt: skip
    c = counts if isinstance(counts, Counts) else Counts()
    relevant = c.yes + c.no
    if relevant == 0:
        return ItemResult(
            item.id, item.text, item.kind, pooled, c.yes, c.no, c.na, None, None, None, None
        )
    fraction = Fraction(c.yes, relevant)
    # '9 of the 14 cases' when every case read was relevant; with only counts typed in (or
    # for staff-interview items, which the case count does not cover), an item without N/A
    # answers is taken to have applied to everyone asked.
    if sample_size is not None and item.counted == "cases":
        whole = relevant == sample_size
    else:
        whole = c.na == 0
    phrase = proportion_phrase(
        c.yes, relevant, whole_sample=whole, counted=item.counted, phrases=phrases
    )
    return ItemResult(
        item.id, item.text, item.kind, pooled, c.yes, c.no, c.na, fraction,
        round_half_up(fraction * 100, decimals), phrase, None,
    )  # fmt: skip


def _items_shown(framework: Framework, area: Area) -> list[tuple[Item, bool]]:
    """The area's pooled items, then its own items that are not pooled (recorded items,
    outcome items reported beside the score), in framework order."""
    pooled = [(framework.item(i), True) for i in area.items]
    extra = [(i, False) for i in framework.items if i.area == area.id and i.id not in area.items]
    return pooled + extra


def _yes_phrase(n: int) -> str:
    return ngettext("one more Yes answer", "%(n)s more Yes answers", n) % {"n": n}


def _rate_scored_area(
    framework: Framework,
    area: Area,
    counts: Mapping[str, ItemCounts],
    override: tuple[str, str] | None,
    sample_size: int | None,
) -> AreaResult:
    decimals = framework.percentages.display_decimals
    items = tuple(
        _item_result(
            item, pooled, counts.get(item.id), sample_size, decimals, framework.report_phrases
        )
        for item, pooled in _items_shown(framework, area)
    )
    pooled = [i for i in items if i.pooled]
    yes = sum(i.yes for i in pooled)
    applicable = sum(i.relevant for i in pooled)
    na = sum(i.na for i in pooled)
    sections = tuple(_section(s.id, s.name, s.items, counts, decimals) for s in area.sections)
    scale = _scale(framework, area)
    what = wording(area.work_phrase) if area.work_phrase else _("the work")

    base = AreaResult(
        area.id, area.name, area.rating_method, area.optional, area.score_published,
        area.word_scale, yes, applicable, na, None, None, None, False, None, None, None, None,
        "", None, None, (), sections, items,
    )  # fmt: skip

    if applicable == 0:
        if override is not None:
            raise RatingInputError(
                _("%(id)s has no score yet, so there is no word to override") % {"id": area.id}
            )
        return replace(base, explanation=_("%(id)s: no applicable answers yet") % {"id": area.id})
    fraction = Fraction(yes, applicable)
    shown = round_half_up(fraction * 100, decimals)
    low, high = wilson_interval(yes, applicable, framework.interval.confidence)
    notes: list[str] = []
    small = framework.percentages.small_sample_warning_below
    if applicable < small:
        notes.append(
            ngettext(
                "only %(n)s applicable answer: treat the figure with care",
                "only %(n)s applicable answers: treat the figure with care",
                applicable,
            )
            % {"n": applicable}
        )
    figure = _("%(percent)s%% (%(yes)s/%(applicable)s) of %(work)s was done well enough") % {
        "percent": _fmt(shown),
        "yes": yes,
        "applicable": applicable,
        "work": what,
    }
    sentence = (
        wording(area.score_sentence).format(
            percent=_fmt(shown),
            yes=yes,
            applicable=applicable,
            work_phrase=wording(area.work_phrase),
        )
        if area.score_sentence and area.score_published
        else None
    )
    if scale is None:
        text = f"{area.id}: {figure}"
        if not area.score_published:
            text += " " + _(
                "(pooled by yjinspect for comparison; %(framework)s published no area score)"
            ) % {"framework": framework.id}
        return replace(
            base, fraction=fraction, percent=shown, interval=(low, high), explanation=text,
            score_sentence=sentence, notes=tuple(notes),
        )  # fmt: skip
    index = scale.index(fraction)
    default = scale.word(index)
    exact_index, shown_index = scale.index_exact(fraction), scale.index_exact(shown / 100)
    if exact_index != shown_index:
        values = {
            "shown": _fmt(shown),
            "exact": f"{float(fraction) * 100:.2f}",
            "exact_word": wording(scale.word(exact_index)),
            "shown_word": wording(scale.word(shown_index)),
        }
        if framework.word_banding_basis == "rounded":
            note = _(
                "shown as %(shown)s%%, but the exact %(exact)s%% is in the %(exact_word)s band "
                "while %(shown)s%% is %(shown_word)s; the framework puts the word on the "
                "rounded figure"
            )
        else:
            note = _(
                "shown as %(shown)s%%, but the exact %(exact)s%% is in the %(exact_word)s band "
                "while %(shown)s%% is %(shown_word)s; the framework puts the word on the "
                "exact figure"
            )
        notes.append(note % values)
    crosses = scale.index_exact(Fraction(low)) != scale.index_exact(Fraction(high))
    explanation = _("%(id)s %(word)s: %(figure)s, in the %(range)s band") % {
        "id": area.id,
        "word": wording(default),
        "figure": figure,
        "range": scale.range_text(index),
    }
    word, reason = default, None
    if override is not None:
        chosen = scale.canonical(override[0])
        assert chosen is not None  # checked before rating
        if chosen == default:
            raise RatingInputError(
                _(
                    "%(id)s: '%(word)s' is already the word for %(figure)s%%; "
                    "an override must change it"
                )
                % {"id": area.id, "word": wording(chosen), "figure": _fmt(shown)}
            )
        word, reason = chosen, override[1].strip()
        explanation = _(
            "%(id)s %(word)s: %(figure)s, in the %(range)s band (%(default)s); "
            "the inspectors chose %(word)s"
        ) % {
            "id": area.id,
            "word": wording(chosen),
            "figure": figure,
            "range": scale.range_text(index),
            "default": wording(default),
        } + (f": {reason}" if reason else "")
    if index == 0:
        next_word = _("%(word)s is the highest word") % {"word": wording(default)}
    else:
        needed = scale.yes_needed(yes, applicable, index - 1)
        if needed is None:
            next_word = _("no number of Yes answers would make it %(word)s") % {
                "word": wording(scale.word(index - 1))
            }
        else:
            # With few answers one more Yes can jump a band: name the word actually reached.
            reached = scale.word(scale.index(Fraction(yes + needed, applicable)))
            next_word = _("%(needs)s would make it %(word)s") % {
                "needs": _yes_phrase(needed),
                "word": wording(reached),
            }
    return replace(
        base, fraction=fraction, percent=shown, interval=(low, high),
        interval_crosses_word=crosses,
        default_word=default, word=word, override_reason=reason, explanation=explanation,
        next_word=next_word, score_sentence=sentence, notes=tuple(notes),
    )  # fmt: skip


def _section(
    section_id: str,
    name: str,
    item_ids: list[str],
    counts: Mapping[str, ItemCounts],
    decimals: int,
) -> SectionResult:
    yes = applicable = 0
    for item_id in item_ids:
        c = counts.get(item_id)
        if isinstance(c, Counts):
            yes += c.yes
            applicable += c.yes + c.no
    percent = None if applicable == 0 else round_half_up(Fraction(yes * 100, applicable), decimals)
    return SectionResult(section_id, name, yes, applicable, percent)


def _rate_judgement_area(
    framework: Framework,
    area: Area,
    counts: Mapping[str, ItemCounts],
    judged: tuple[str, str] | None,
    sample_size: int | None,
) -> AreaResult:
    decimals = framework.percentages.display_decimals
    items = tuple(
        _item_result(
            item, False, counts.get(item.id), sample_size, decimals, framework.report_phrases
        )
        for item, _pooled in _items_shown(framework, area)
    )
    scale = _scale(framework, area)
    word = reason = None
    if scale is None:
        explanation = _("%(id)s: reported as narrative; %(framework)s put no word on it") % {
            "id": area.id,
            "framework": framework.id,
        }
    elif judged is None:
        explanation = _("%(id)s: no judgement recorded yet") % {"id": area.id}
    else:
        word = scale.canonical(judged[0])
        reason = judged[1].strip() or None
        explanation = _("%(id)s %(word)s: inspectors' judgement") % {
            "id": area.id,
            "word": wording(str(word)),
        } + (f": {reason}" if reason else "")
    return AreaResult(
        area.id, area.name, area.rating_method, area.optional, area.score_published,
        area.word_scale, 0, 0, 0,
        None, None, None, False, None, word, None, reason, explanation, None, None, (), (), items,
    )  # fmt: skip


# ---------------------------------------------------------------- entry point


def rate_areas(
    framework: Framework,
    counts_by_item: Mapping[str, ItemCounts],
    word_overrides: Mapping[str, tuple[str, str]] = _NO_WORDS,
    judged_words: Mapping[str, tuple[str, str]] = _NO_WORDS,
    chosen_optional_areas: set[str] | None = None,
    sample_size: int | None = None,
) -> AreaRating:
    """Score and word every area of an earlier-programme framework.

    `counts_by_item`: Counts for scored items, OptionCounts for recorded ones (see
    `tally_items`). `word_overrides`: a different word for a scored area, with its reason.
    `judged_words`: the word for a judgement area (FJI governance). `chosen_optional_areas`:
    the FJI sixth theme(s) this inspection covers; None takes those with answers or a word.
    `sample_size`: cases read, when known, so that phrases can say '9 of the 14 cases'.
    """
    _require_areas(framework)
    if sample_size is not None and sample_size < 0:
        raise RatingInputError("the sample size cannot be negative")
    _check_counts(framework, counts_by_item)
    areas, left_out = _chosen_areas(
        framework, counts_by_item, {*word_overrides, *judged_words}, chosen_optional_areas
    )
    _check_words(framework, word_overrides, judged_words, left_out)
    results = tuple(
        _rate_scored_area(framework, area, counts_by_item, word_overrides.get(area.id), sample_size)
        if area.rating_method == "cases"
        else _rate_judgement_area(
            framework, area, counts_by_item, judged_words.get(area.id), sample_size
        )
        for area in areas
    )
    return AreaRating(framework.id, framework.version, results, tuple(left_out), sample_size)
