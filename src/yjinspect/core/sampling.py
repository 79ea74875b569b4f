"""Case sampling: which cases the inspectors read, drawn reproducibly from the service's case list.

Pure Python, standard library only, no Django: the web app, the CLI and the tests call the same
functions. The method (spec §4) is:

1. per case domain (court, out of court, resettlement), the eligible population is the cases
   whose start (or end) date lies in a window before fieldwork, inclusive at both ends;
2. the sample size comes from the framework's confidence and margin of error, with the
   finite-population correction (`stats.sample_size`), then the framework minimum and maximum:
   per domain, or (`sampled_separately: false`, 2025) once for the whole caseload and shared
   across the domains in proportion to their eligible cases;
3. that size is shared across strata (every combination of the framework's stratum attributes,
   such as sex x disposal type x risk of harm x safety and wellbeing) in proportion to their
   size, rounded by largest remainder;
4. within each stratum the cases are drawn at random from a generator seeded by a hash of
   (seed, domain, stratum), so the same seed and case list always give the same sample, in any
   process, on any machine, whatever order the list arrived in;
5. a sampled case that cannot be inspected is replaced, with a reason, by an unsampled case
   from the same stratum or, failing that, the nearest one.

Everything returned is a frozen dataclass: a replacement gives a new result, never an edited one,
so the history of a sample can be kept as a sequence of results.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from operator import attrgetter, getitem, itemgetter
from types import MappingProxyType
from typing import Literal, Protocol

from .stats import sample_size
from .words import gettext as _
from .words import ngettext, wording

# Changing how samples are drawn changes which cases a seed picks; bump this when that happens
# so a stored sample says which method produced it.
METHOD = "yjinspect-stratified-1"

# The value a stratum attribute takes when the case list leaves it blank. Such cases form their
# own group rather than being dropped, so the population count stays the case-list count.
NOT_RECORDED = "not recorded"

DATE_FIELDS = ("start_date", "end_date")

# Row fields (from the case-list parser) copied into SamplingCase.attributes by `case_from_row`.
ROW_ATTRIBUTES = (
    "sex",
    "disposal_type",
    "risk_of_harm",
    "safety_wellbeing",
    "ethnicity_group",
    "age",
    "looked_after",
    "custody",
    "case_manager",
)

Allocation = Literal["largest_remainder", "controlled"]
ALLOCATIONS: tuple[Allocation, ...] = ("largest_remainder", "controlled")
StratumKey = tuple[str, ...]
SizeRule = Literal["formula", "minimum", "maximum", "override", "no_cases", "shared"]


class SamplingError(ValueError):
    """A sampling request that cannot be honoured, with a message that says what to change."""


# ---- what the sampler needs from a framework (kept structural so no pydantic import) ----


class WindowSettings(Protocol):
    """The shape of `frameworks.schema.SampleWindow`."""

    @property
    def from_weeks_before(self) -> int: ...

    @property
    def to_weeks_before(self) -> int: ...

    @property
    def date_field(self) -> str: ...


class SamplingSettings(Protocol):
    """The shape of `frameworks.schema.Sampling`; any object with these attributes will do."""

    @property
    def confidence(self) -> Decimal: ...

    @property
    def margin(self) -> Decimal: ...

    @property
    def proportion(self) -> Decimal: ...

    @property
    def finite_population_correction(self) -> bool: ...

    @property
    def minimum(self) -> int | None: ...

    @property
    def maximum(self) -> int | None: ...

    @property
    def strata(self) -> Sequence[str]: ...

    @property
    def windows(self) -> Mapping[str, WindowSettings]: ...

    @property
    def sampled_separately(self) -> bool: ...


# ---- input cases ----


@dataclass(frozen=True, slots=True)
class SamplingCase:
    """One case on the case list, reduced to what sampling needs.

    Independent of how cases are stored: build it with `case_from_row` from a parsed row or a
    model instance. `attributes` holds the stratum values (sex, disposal_type, ...); it is copied
    into a read-only mapping, with values stripped and blanks dropped (a missing value reads as
    'not recorded'), so a case cannot change after it has been sampled and ' male' cannot form
    a stratum of its own.
    """

    case_ref: str
    domain: str
    start_date: date | None
    end_date: date | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.case_ref, str) or not self.case_ref.strip():
            raise SamplingError("every case needs a case reference")
        if not isinstance(self.domain, str) or not self.domain.strip():
            raise SamplingError(f"case {self.case_ref}: no case domain")
        object.__setattr__(self, "start_date", _as_date(self.start_date, self.case_ref))
        object.__setattr__(self, "end_date", _as_date(self.end_date, self.case_ref))
        cleaned = {}
        for name, raw in self.attributes.items():
            text = _text(raw)
            if text is not None:
                cleaned[name] = text
        object.__setattr__(self, "attributes", MappingProxyType(cleaned))

    def date_of(self, date_field: str) -> date | None:
        """The date the window is applied to (start for court sentences, say)."""
        return self.start_date if date_field == "start_date" else self.end_date

    def value(self, attribute: str) -> str:
        """The stratum value, with blanks folded into one 'not recorded' group."""
        return self.attributes.get(attribute, NOT_RECORDED)


def _as_date(value: object, case_ref: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise SamplingError(f"case {case_ref}: {value!r} is not a date")


def _text(value: object) -> str | None:
    """A row value as stratum text; None for blanks so they group as 'not recorded'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _row_field(row: object, name: str) -> object:
    if isinstance(row, Mapping):
        return row.get(name)
    return getattr(row, name, None)


def case_from_row(row: object, *, attributes: Iterable[str] = ROW_ATTRIBUTES) -> SamplingCase:
    """Build a SamplingCase from any object (or mapping) with the case-list row fields.

    Reads case_ref, domain, start_date and end_date, and copies the named attributes, so the
    sampler never depends on the storage model. Booleans become 'yes'/'no' and numbers text,
    because strata compare values as text.
    """
    ref = _text(_row_field(row, "case_ref")) or ""
    values = {name: _text(_row_field(row, name)) for name in attributes}
    return SamplingCase(
        case_ref=ref,
        domain=_text(_row_field(row, "domain")) or "",
        start_date=_as_date(_row_field(row, "start_date"), ref),
        end_date=_as_date(_row_field(row, "end_date"), ref),
        attributes={k: v for k, v in values.items() if v is not None},
    )


def cases_from_rows(rows: Iterable[object]) -> list[SamplingCase]:
    """`case_from_row` over a whole case list."""
    return [case_from_row(row) for row in rows]


# ---- eligibility ----


def eligibility_window(fieldwork_start: date, window: WindowSettings) -> tuple[date, date]:
    """The inclusive date range a framework window gives for a fieldwork start.

    Bexley 2024 (fieldwork from 8 April 2024, 52 to 9 weeks before) gives 10 April 2023 to
    5 February 2024. HMIP rounded its published end to 2 February; pass explicit windows to
    `draw_sample` to reproduce a hand-set window.
    """
    start = _plain_date(fieldwork_start, "fieldwork_start")
    if window.from_weeks_before < window.to_weeks_before:
        raise SamplingError(
            f"window from {window.from_weeks_before} to {window.to_weeks_before} weeks before "
            "fieldwork runs backwards: from_weeks_before must be the larger number"
        )
    return (
        start - timedelta(weeks=window.from_weeks_before),
        start - timedelta(weeks=window.to_weeks_before),
    )


def eligible(
    cases: Iterable[SamplingCase],
    domain: str,
    window_start: date,
    window_end: date,
    date_field: str = "start_date",
) -> list[SamplingCase]:
    """Cases of `domain` whose date lies in the window (both ends included), by case_ref.

    Cases without the date cannot be placed in the window and are left out; `draw_sample`
    reports how many.
    """
    start = _plain_date(window_start, "window_start")
    end = _plain_date(window_end, "window_end")
    if start > end:
        raise SamplingError(f"the {domain} window starts ({start}) after it ends ({end})")
    if date_field not in DATE_FIELDS:
        raise SamplingError(f"unknown date field {date_field!r}; use one of {DATE_FIELDS}")
    found = []
    for case in cases:
        when = case.date_of(date_field)
        if case.domain == domain and when is not None and start <= when <= end:
            found.append(case)
    return sorted(found, key=lambda c: c.case_ref)


def _plain_date(value: object, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise SamplingError(f"{what} must be a date, not {value!r}")


# ---- sizes ----


@dataclass(frozen=True)
class SizeBasis:
    """How a domain's sample size was reached, so the UI can explain it in one line."""

    population: int
    confidence: Decimal
    margin: Decimal
    proportion: Decimal
    finite_population_correction: bool
    formula_size: int
    minimum: int | None
    maximum: int | None
    override: int | None
    target: int
    rule: SizeRule
    # For rule 'shared': the size worked out for the whole caseload, which this domain has a
    # share of in proportion to its eligible cases.
    shared_from: SizeBasis | None = None

    def explain(self) -> str:
        """E.g. '80% confidence, ±5 points, N=200 → 91'."""
        if self.population == 0:
            return _("no eligible cases, so nothing to sample")
        if self.rule == "shared" and self.shared_from is not None:
            whole = self.shared_from
            return _(
                "%(share)s of the %(places)s places, in proportion to its %(n)s of the "
                "%(total)s eligible cases (%(whole)s)"
            ) % {
                "share": self.target,
                "places": whole.target,
                "n": self.population,
                "total": whole.population,
                "whole": whole.explain(),
            }
        parts = [
            _("%(confidence)s%% confidence, ±%(margin)s points")
            % {"confidence": _percent(self.confidence), "margin": _percent(self.margin)}
        ]
        if self.proportion != Decimal("0.5"):
            parts.append(
                _("expected proportion %(proportion)s%%")
                % {"proportion": _percent(self.proportion)}
            )
        if not self.finite_population_correction:
            parts.append(_("no finite-population correction"))
        text = f"{', '.join(parts)}, N={self.population} → {self.formula_size}"
        if self.rule == "minimum":
            text += "; " + _("raised to the framework minimum of %(n)s") % {"n": self.minimum}
            if self.minimum is not None and self.minimum > self.population:
                text += ", " + ngettext(
                    "capped at the %(n)s cases there are",
                    "capped at the %(n)s cases there are",
                    self.population,
                ) % {"n": self.population}
        elif self.rule == "maximum":
            text += "; " + _("capped at the framework maximum of %(n)s") % {"n": self.maximum}
        elif self.rule == "override":
            text += "; " + _("set by hand to %(n)s") % {"n": self.target}
        if self.target == self.population:
            text += " " + _("(every case)")
        return text


def _percent(value: Decimal) -> str:
    return format((Decimal(str(value)) * 100).normalize(), "f")


def size_basis(
    population: int, settings: SamplingSettings, override: int | None = None
) -> SizeBasis:
    """Target sample size: the formula, then the framework minimum and maximum, then a hand set
    size if given (an inspector's decision outranks the defaults, but must fit the population).
    """
    formula = sample_size(
        population,
        settings.confidence,
        settings.margin,
        settings.proportion,
        settings.finite_population_correction,
    )
    target, rule = formula, _formula_rule(population)
    if settings.minimum is not None and target < min(settings.minimum, population):
        target, rule = min(settings.minimum, population), "minimum"
    if settings.maximum is not None and target > settings.maximum:
        target, rule = settings.maximum, "maximum"
    if override is not None:
        if isinstance(override, bool) or not isinstance(override, int):
            raise SamplingError(f"a sample size must be a whole number, not {override!r}")
        if not 0 <= override <= population:
            raise SamplingError(
                f"cannot sample {override} cases from {population} eligible; "
                f"choose a size from 0 to {population}"
            )
        target, rule = override, "override"
    return SizeBasis(
        population=population,
        confidence=Decimal(str(settings.confidence)),
        margin=Decimal(str(settings.margin)),
        proportion=Decimal(str(settings.proportion)),
        finite_population_correction=settings.finite_population_correction,
        formula_size=formula,
        minimum=settings.minimum,
        maximum=settings.maximum,
        override=override,
        target=target,
        rule=rule,
    )


def _formula_rule(population: int) -> SizeRule:
    return "formula" if population > 0 else "no_cases"


def population_sizes(
    caseloads: Mapping[str, int], settings: Mapping[str, SamplingSettings]
) -> dict[str, SizeBasis]:
    """Each population's sample size from its caseload (eligible cases), by its own settings:
    today's formula within that population's minimum and maximum (2025: children 14 to 91,
    victims 9 to 24; HMIP publishes only the bounds, so the formula inside them is ours).

    `settings` is `Framework.population_sampling()`; a caseload for a population the
    framework does not have is refused, and a population with no caseload given counts 0.
    """
    unknown = sorted(set(caseloads) - set(settings))
    if unknown:
        raise SamplingError(
            f"no such population: {', '.join(unknown)}; the framework has "
            f"{', '.join(settings) or 'none'}"
        )
    for name, count in caseloads.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise SamplingError(f"the {name} caseload must be a whole number, not {count!r}")
    return {name: size_basis(caseloads.get(name, 0), rules) for name, rules in settings.items()}


def _shared_sizes(
    populations: Mapping[str, int],
    settings: SamplingSettings,
    overrides: Mapping[str, int],
    seed: int,
) -> dict[str, SizeBasis]:
    """One size for the whole caseload (formula, minimum, maximum), shared across the domains
    in proportion to their eligible cases by largest remainder; a domain's size set by hand
    replaces its share."""
    whole = size_basis(sum(populations.values()), settings)
    shares = allocate(
        {(domain,): count for domain, count in populations.items()},
        whole.target,
        rank=lambda key: derive_seed(seed, "share", key),
    )
    sizes: dict[str, SizeBasis] = {}
    for domain, count in populations.items():
        if domain in overrides:
            sizes[domain] = size_basis(count, settings, overrides[domain])
        elif count == 0:
            sizes[domain] = size_basis(0, settings)
        else:
            sizes[domain] = replace(
                whole, population=count, target=shares[(domain,)], rule="shared", shared_from=whole
            )
    return sizes


# ---- allocation across strata ----


def derive_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed from the inspection seed and a label (domain, stratum, ...).

    Uses SHA-256 over a JSON encoding, not Python's `hash()`, which is salted per process and
    would give a different sample on every run.
    """
    payload = json.dumps([seed, *parts], ensure_ascii=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(payload.encode("ascii")).digest()[:8], "big")


class _Margins:
    """Per attribute value: how far the allocation is below its proportional share.

    Kept in integers scaled by the population size N (share of value v = n * N_v / N), so the
    comparisons are exact.
    """

    def __init__(self, sizes: Mapping[StratumKey, int], alloc: Mapping[StratumKey, int], n: int):
        self.total = sum(sizes.values())
        self.deficit: list[dict[str, int]] = []
        for key, size in sizes.items():
            while len(self.deficit) < len(key):
                self.deficit.append(defaultdict(int))
            for attr, value in enumerate(key):
                self.deficit[attr][value] += n * size - self.total * alloc[key]

    def take(self, key: StratumKey) -> None:
        for attr, value in enumerate(key):
            self.deficit[attr][value] -= self.total

    def pick(
        self,
        candidates: Iterable[StratumKey],
        count: int,
        prefer: Callable[[StratumKey], tuple[int, ...]],
    ) -> list[StratumKey]:
        """Greedily give `count` extra places, one at a time, to the stratum whose values are
        furthest below their shares in total; `prefer` (highest wins) breaks ties."""
        remaining = {key: prefer(key) for key in candidates}
        deficit = self.deficit
        chosen: list[StratumKey] = []
        for _step in range(count):
            best = max(remaining, key=lambda k: (sum(map(getitem, deficit, k)), remaining[k]))
            del remaining[best]
            self.take(best)
            chosen.append(best)
        return chosen


def allocate(
    sizes: Mapping[StratumKey, int],
    n: int,
    *,
    method: Allocation = "largest_remainder",
    rank: Callable[[StratumKey], int] | None = None,
) -> dict[StratumKey, int]:
    """Share n places across strata in proportion to their sizes.

    Each stratum first gets the whole part of its share n * N_h / N; the places left over go
    one each to strata with a fractional part, so every stratum ends within one case of its
    exact share and the total is exactly n.

    - 'largest_remainder' gives the leftovers to the largest fractional parts. Strata with
      equal fractional parts (typically many one-case strata) are tied; a tie is settled in
      favour of the stratum whose attribute values are furthest below their share of the
      sample, then by `rank` (lowest first; default: the stratum key).
    - 'controlled' ignores the size of the fractional parts and gives every leftover place by
      that margin rule, which keeps each attribute's totals (all girls, all high-risk cases)
      closest to proportional when strata are small.
    """
    if method not in ALLOCATIONS:
        raise SamplingError(f"unknown allocation {method!r}; use one of {ALLOCATIONS}")
    if any(size < 0 for size in sizes.values()):
        raise SamplingError("a stratum cannot have a negative size")
    total = sum(sizes.values())
    if not 0 <= n <= total:
        raise SamplingError(f"cannot allocate {n} places over {total} cases")
    alloc = {key: (n * size // total if total else 0) for key, size in sizes.items()}
    remainder = {key: (n * size % total if total else 0) for key, size in sizes.items()}
    left = n - sum(alloc.values())
    ordered = sorted(sizes, key=(lambda k: (rank(k), k)) if rank else None)
    position = {key: i for i, key in enumerate(ordered)}
    candidates = [key for key in ordered if remainder[key] > 0]
    margins = _Margins(sizes, alloc, n)
    if method == "controlled":
        extra = margins.pick(candidates, left, lambda k: (remainder[k], -position[k]))
    else:
        extra = _largest_remainders(candidates, remainder, left, margins, position)
    for key in extra:
        alloc[key] += 1
    return alloc


def _largest_remainders(
    candidates: list[StratumKey],
    remainder: Mapping[StratumKey, int],
    left: int,
    margins: _Margins,
    position: Mapping[StratumKey, int],
) -> list[StratumKey]:
    chosen: list[StratumKey] = []
    by_size = sorted(candidates, key=lambda k: -remainder[k])
    for _size, group in groupby(by_size, key=lambda k: remainder[k]):
        tied = list(group)
        if left <= 0:
            break
        if len(tied) <= left:
            for key in tied:
                margins.take(key)
            chosen.extend(tied)
            left -= len(tied)
        else:
            chosen.extend(margins.pick(tied, left, lambda k: (-position[k],)))
            left = 0
    return chosen


# ---- plans and results ----


@dataclass(frozen=True)
class StratumAllocation:
    """One stratum: its eligible cases, its exact proportional share and the places it got."""

    key: StratumKey
    population: int
    quota: Fraction
    allocated: int


@dataclass(frozen=True)
class DomainPlan:
    """Everything decided for one case domain before any case is drawn."""

    domain: str
    window_start: date
    window_end: date
    window_source: Literal["framework", "explicit"]
    date_field: str
    attributes: tuple[str, ...]
    size: SizeBasis
    strata: tuple[StratumAllocation, ...]
    # SHA-256 of the eligible cases and their strata: a replacement checks it was given the
    # same case list the sample was drawn from.
    fingerprint: str
    notes: tuple[str, ...] = ()

    @property
    def population(self) -> int:
        return self.size.population

    @property
    def target(self) -> int:
        return self.size.target


@dataclass(frozen=True)
class SamplePlan:
    seed: int
    attributes: tuple[str, ...]
    allocation: Allocation
    domains: tuple[DomainPlan, ...]
    notes: tuple[str, ...] = ()
    method: str = METHOD


@dataclass(frozen=True)
class Pick:
    """A sampled case and the stratum it represents."""

    case_ref: str
    stratum: StratumKey


@dataclass(frozen=True)
class CompositionRow:
    """One attribute value: its share of the eligible cases against its share of the sample."""

    attribute: str
    value: str
    population_count: int
    population_total: int
    sample_count: int
    sample_total: int

    @property
    def population_percent(self) -> float:
        return _share(self.population_count, self.population_total)

    @property
    def sample_percent(self) -> float:
        return _share(self.sample_count, self.sample_total)


def _share(count: int, total: int) -> float:
    return 100 * count / total if total else 0.0


@dataclass(frozen=True)
class DomainSample:
    plan: DomainPlan
    picks: tuple[Pick, ...]

    @property
    def domain(self) -> str:
        return self.plan.domain

    @property
    def population(self) -> int:
        return self.plan.population

    @property
    def target(self) -> int:
        return self.plan.target

    @property
    def selected(self) -> tuple[str, ...]:
        """Case refs in draw order (strata in key order, each in the order it was drawn)."""
        return tuple(p.case_ref for p in self.picks)

    def composition(self) -> tuple[CompositionRow, ...]:
        """Sample versus case-list proportions, per stratum attribute and value.

        Values are listed alphabetically with 'not recorded' last; a value present in the case
        list but absent from the sample appears with a sample count of 0.
        """
        rows: list[CompositionRow] = []
        for index, attribute in enumerate(self.plan.attributes):
            population: Counter[str] = Counter()
            for stratum in self.plan.strata:
                population[stratum.key[index]] += stratum.population
            sample = Counter(p.stratum[index] for p in self.picks)
            for value in sorted(population.keys() | sample.keys(), key=_value_order):
                rows.append(
                    CompositionRow(
                        attribute=attribute,
                        value=value,
                        population_count=population[value],
                        population_total=self.population,
                        sample_count=sample[value],
                        sample_total=len(self.picks),
                    )
                )
        return tuple(rows)


def _value_order(value: str) -> tuple[bool, str]:
    return (value == NOT_RECORDED, value)


@dataclass(frozen=True)
class Replacement:
    """A sampled case swapped out, with why, and what replaced it (None if nothing was left)."""

    domain: str
    removed: str
    added: str | None
    reason: str
    stratum: StratumKey
    added_stratum: StratumKey | None
    seed: int

    @property
    def same_stratum(self) -> bool:
        return self.added_stratum == self.stratum


@dataclass(frozen=True)
class SampleResult:
    seed: int
    attributes: tuple[str, ...]
    allocation: Allocation
    domains: tuple[DomainSample, ...]
    replacements: tuple[Replacement, ...] = ()
    notes: tuple[str, ...] = ()
    method: str = METHOD

    def domain(self, domain: str) -> DomainSample:
        for sample in self.domains:
            if sample.domain == domain:
                return sample
        known = ", ".join(s.domain for s in self.domains) or "none"
        raise SamplingError(f"no sample for case domain {domain!r} (sampled: {known})")

    @property
    def selected(self) -> tuple[str, ...]:
        """Every selected case ref, domain by domain."""
        return tuple(ref for sample in self.domains for ref in sample.selected)


# ---- drawing ----


# (start, end, where the window came from, the date field it applies to)
_Window = tuple[date, date, Literal["framework", "explicit"], str]


@dataclass(frozen=True)
class _Population:
    """The eligible cases of one domain grouped by stratum, refs in case_ref order."""

    groups: Mapping[StratumKey, list[str]]
    fingerprint: str
    undated: int  # cases of the domain without the date the window applies to


def plan_sample(
    cases: Iterable[SamplingCase],
    settings: SamplingSettings,
    *,
    seed: int,
    fieldwork_start: date | None = None,
    windows: Mapping[str, tuple[date, date]] | None = None,
    sizes: Mapping[str, int] | None = None,
    domains: Sequence[str] | None = None,
    allocation: Allocation = "largest_remainder",
) -> SamplePlan:
    """Populations, sizes and per-stratum allocations, without drawing any case.

    Arguments as for `draw_sample`; useful to show inspectors the numbers before they commit.
    """
    plan, _w = _prepare(cases, settings, seed, fieldwork_start, windows, sizes, domains, allocation)
    return plan


def draw_sample(
    cases: Iterable[SamplingCase],
    settings: SamplingSettings,
    *,
    seed: int,
    fieldwork_start: date | None = None,
    windows: Mapping[str, tuple[date, date]] | None = None,
    sizes: Mapping[str, int] | None = None,
    domains: Sequence[str] | None = None,
    allocation: Allocation = "largest_remainder",
) -> SampleResult:
    """Draw the stratified sample for each case domain.

    - `settings`: the framework's `sampling` block (or anything of that shape).
    - `fieldwork_start`: turns the framework's week-based windows into dates.
    - `windows`: explicit (start, end) dates per domain, inclusive; they win over the framework
      windows, for a window set by hand.
    - `sizes`: sample sizes set by hand per domain, instead of formula, minimum and maximum.
    - `domains`: which domains to sample; default every domain with a window.
    """
    plan, populations = _prepare(
        cases, settings, seed, fieldwork_start, windows, sizes, domains, allocation
    )
    samples = tuple(
        DomainSample(dp, _draw(plan.seed, dp, populations[dp.domain])) for dp in plan.domains
    )
    return SampleResult(
        seed=plan.seed,
        attributes=plan.attributes,
        allocation=plan.allocation,
        domains=samples,
        notes=plan.notes,
        method=plan.method,
    )


def _draw(seed: int, plan: DomainPlan, population: _Population) -> tuple[Pick, ...]:
    picks: list[Pick] = []
    for stratum in plan.strata:
        if stratum.allocated:
            rng = random.Random(derive_seed(seed, "draw", plan.domain, stratum.key))
            drawn = rng.sample(population.groups[stratum.key], stratum.allocated)
            picks.extend(Pick(ref, stratum.key) for ref in drawn)
    return tuple(picks)


def _prepare(
    cases: Iterable[SamplingCase],
    settings: SamplingSettings,
    seed: int,
    fieldwork_start: date | None,
    windows: Mapping[str, tuple[date, date]] | None,
    sizes: Mapping[str, int] | None,
    domains: Sequence[str] | None,
    allocation: Allocation,
) -> tuple[SamplePlan, dict[str, _Population]]:
    _check_request(seed, settings, allocation)
    by_domain = _by_domain(cases)
    wanted = _domains_to_sample(settings, windows or {}, domains)
    unknown_sizes = sorted(set(sizes or {}) - set(wanted))
    if unknown_sizes:
        raise SamplingError(f"sizes given for domains not being sampled: {unknown_sizes}")
    attributes = tuple(settings.strata)
    populations: dict[str, _Population] = {}
    resolved: dict[str, _Window] = {}
    for domain in wanted:
        resolved[domain] = start, end, _source, date_field = _window_for(
            domain, settings, fieldwork_start, windows
        )
        populations[domain] = _population(
            by_domain.get(domain, []), start, end, date_field, attributes
        )
    counts = {domain: _count(populations[domain]) for domain in wanted}
    if settings.sampled_separately:
        size_of = {d: size_basis(n, settings, (sizes or {}).get(d)) for d, n in counts.items()}
    else:
        size_of = _shared_sizes(counts, settings, sizes or {}, seed)
    plans = [
        _plan_domain(
            domain,
            populations[domain],
            resolved[domain],
            size_of[domain],
            attributes,
            seed,
            allocation,
        )
        for domain in wanted
    ]
    plan = SamplePlan(seed, attributes, allocation, tuple(plans), _plan_notes(by_domain, wanted))
    return plan, populations


def _plan_domain(
    domain: str,
    population: _Population,
    window: _Window,
    size: SizeBasis,
    attributes: tuple[str, ...],
    seed: int,
    allocation: Allocation,
) -> DomainPlan:
    """Strata and their allocation for one domain, once its population and size are known."""
    start, end, source, date_field = window
    shares = allocate(
        {k: len(v) for k, v in population.groups.items()},
        size.target,
        method=allocation,
        rank=_tie_rank(seed, domain),
    )
    strata = tuple(
        StratumAllocation(k, len(refs), _quota(size, len(refs)), shares[k])
        for k, refs in sorted(population.groups.items())
    )
    return DomainPlan(
        domain=domain,
        window_start=start,
        window_end=end,
        window_source=source,
        date_field=date_field,
        attributes=attributes,
        size=size,
        strata=strata,
        fingerprint=population.fingerprint,
        notes=_domain_notes(domain, population.undated, start, end, date_field, size, len(strata)),
    )


def _check_request(seed: object, settings: SamplingSettings, allocation: str) -> None:
    _check_seed(seed)
    if allocation not in ALLOCATIONS:
        raise SamplingError(f"unknown allocation {allocation!r}; use one of {ALLOCATIONS}")
    low, high = settings.minimum, settings.maximum
    if low is not None and high is not None and low > high:
        raise SamplingError(f"the framework minimum ({low}) exceeds its maximum ({high})")


def _check_seed(seed: object) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise SamplingError(f"the seed must be a whole number, not {seed!r}")


def _by_domain(cases: Iterable[SamplingCase]) -> dict[str, list[SamplingCase]]:
    """Cases per domain; refuses repeated case refs, which would make picks ambiguous.

    Input order is kept here: `_population` sorts each stratum by case_ref, which is what makes
    the sample independent of the order the case list arrived in.
    """
    grouped: dict[str, list[SamplingCase]] = defaultdict(list)
    seen: set[str] = set()
    repeated: set[str] = set()
    for case in cases:
        if case.case_ref in seen:
            repeated.add(case.case_ref)
        seen.add(case.case_ref)
        grouped[case.domain].append(case)
    if repeated:
        shown = sorted(repeated)
        listed = ", ".join(shown[:5]) + (" ..." if len(shown) > 5 else "")
        raise SamplingError(f"case references must be unique; repeated: {listed}")
    return grouped


def _domains_to_sample(
    settings: SamplingSettings,
    windows: Mapping[str, tuple[date, date]],
    domains: Sequence[str] | None,
) -> list[str]:
    known = list(settings.windows) + [d for d in windows if d not in settings.windows]
    if domains is None:
        return known
    wanted = [domains] if isinstance(domains, str) else list(dict.fromkeys(domains))
    for domain in wanted:
        if domain not in known:
            raise SamplingError(
                f"unknown case domain {domain!r}: the framework has windows for "
                f"{', '.join(settings.windows) or 'no domain'}; give an explicit window to "
                "sample another"
            )
    return wanted


def _window_for(
    domain: str,
    settings: SamplingSettings,
    fieldwork_start: date | None,
    windows: Mapping[str, tuple[date, date]] | None,
) -> _Window:
    framework_window = settings.windows.get(domain)
    date_field = framework_window.date_field if framework_window else "start_date"
    if windows and domain in windows:
        pair = windows[domain]
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise SamplingError(f"the {domain} window must be a (start, end) pair of dates")
        start = _plain_date(pair[0], f"the {domain} window start")
        end = _plain_date(pair[1], f"the {domain} window end")
        if start > end:
            raise SamplingError(f"the {domain} window starts ({start}) after it ends ({end})")
        return start, end, "explicit", date_field
    if framework_window is None:
        raise SamplingError(f"unknown case domain {domain!r}: no window for it")
    if fieldwork_start is None:
        raise SamplingError(
            f"give fieldwork_start (or an explicit window) to place the {domain} window"
        )
    start, end = eligibility_window(fieldwork_start, framework_window)
    return start, end, "framework", date_field


def _population(
    cases: Sequence[SamplingCase],
    start: date,
    end: date,
    date_field: str,
    attributes: tuple[str, ...],
) -> _Population:
    if date_field not in DATE_FIELDS:
        raise SamplingError(f"unknown date field {date_field!r}; use one of {DATE_FIELDS}")
    date_of = attrgetter(date_field)
    key_of = _stratum_key_function(attributes)
    groups: dict[StratumKey, list[str]] = defaultdict(list)
    undated = 0
    for case in cases:
        when = date_of(case)
        if when is None:
            undated += 1
        elif start <= when <= end:
            groups[key_of(case)].append(case.case_ref)
    digest = hashlib.sha256()
    for key in sorted(groups):
        groups[key].sort()
        digest.update(json.dumps([key, groups[key]], ensure_ascii=True).encode("ascii"))
        digest.update(b"\n")
    return _Population(dict(groups), digest.hexdigest(), undated)


def _stratum_key_function(attributes: tuple[str, ...]) -> Callable[[SamplingCase], StratumKey]:
    """The stratum of a case: its values of the stratum attributes, in framework order.

    Uses `itemgetter` (several times faster than a loop of `.get`, which matters at 100,000
    cases) and falls back to 'not recorded' only for the cases missing a value.
    """

    def slow(case: SamplingCase) -> StratumKey:
        get = case.attributes.get
        return tuple([get(a, NOT_RECORDED) for a in attributes])

    if len(attributes) < 2:
        return slow
    fast = itemgetter(*attributes)

    def key(case: SamplingCase) -> StratumKey:
        try:
            found: StratumKey = fast(case.attributes)
        except KeyError:
            return slow(case)
        return found

    return key


def _count(population: _Population) -> int:
    return sum(len(refs) for refs in population.groups.values())


def _quota(size: SizeBasis, stratum_population: int) -> Fraction:
    if size.population == 0:
        return Fraction(0)
    return Fraction(size.target * stratum_population, size.population)


def _tie_rank(seed: int, domain: str) -> Callable[[StratumKey], int]:
    """Ties between equal remainders go in a seeded order, not alphabetical order, which would
    always favour, say, 'female' over 'male' among one-case strata."""

    def rank(key: StratumKey) -> int:
        return derive_seed(seed, "tie", domain, key)

    return rank


def _domain_notes(
    domain: str,
    undated: int,
    start: date,
    end: date,
    date_field: str,
    size: SizeBasis,
    strata: int,
) -> tuple[str, ...]:
    notes: list[str] = []
    if undated:
        notes.append(
            ngettext(
                "%(n)s %(domain)s case(s) have no %(field)s and cannot be placed in the window",
                "%(n)s %(domain)s case(s) have no %(field)s and cannot be placed in the window",
                undated,
            )
            % {"n": undated, "domain": wording(domain), "field": date_field}
        )
    if size.population == 0:
        notes.append(
            _(
                "no eligible %(domain)s cases with %(field)s from %(start)s to %(end)s: "
                "nothing to sample"
            )
            % {"domain": wording(domain), "field": date_field, "start": start, "end": end}
        )
    elif strata > size.target > 0:
        notes.append(
            _(
                "%(strata)s strata share %(places)s places, so most strata get one case or "
                "none; each stays within one case of its share, and the composition table "
                "shows the balance by attribute"
            )
            % {"strata": strata, "places": size.target}
        )
    return tuple(notes)


def _plan_notes(by_domain: Mapping[str, list[SamplingCase]], wanted: list[str]) -> tuple[str, ...]:
    skipped = {d: len(cs) for d, cs in by_domain.items() if d not in wanted}
    return tuple(
        ngettext(
            "%(n)s case(s) in domain %(domain)s were not sampled (no window requested for it)",
            "%(n)s case(s) in domain %(domain)s were not sampled (no window requested for it)",
            count,
        )
        % {"n": count, "domain": repr(domain)}
        for domain, count in sorted(skipped.items())
    )


# ---- replacements ----


def replace_case(
    result: SampleResult,
    case_ref: str,
    reason: str,
    cases: Iterable[SamplingCase],
    seed: int | None = None,
) -> SampleResult:
    """Swap a sampled case that cannot be inspected for an unsampled eligible one.

    The replacement comes from the same stratum when one is left there, otherwise from the
    stratum sharing the most attribute values with it (ties: all such strata pooled). It is
    drawn from a generator seeded by (seed, domain, removed case, replacement number), so the
    same sequence of replacements always gives the same cases. A case once removed never
    returns. `cases` must be the case list the sample was drawn from. If no unsampled eligible
    case remains the case is removed without a replacement (`added` is None) and the sample
    shrinks by one. `seed` defaults to the sample's own seed.
    """
    why = reason.strip() if isinstance(reason, str) else ""
    if not why:
        raise SamplingError("a replacement needs a reason (e.g. 'transferred out of area')")
    use_seed = result.seed if seed is None else seed
    _check_seed(use_seed)
    index, position = _locate(result, case_ref)
    sample = result.domains[index]
    plan = sample.plan
    population = _population(
        _by_domain(cases).get(plan.domain, []),
        plan.window_start,
        plan.window_end,
        plan.date_field,
        plan.attributes,
    )
    if population.fingerprint != plan.fingerprint:
        raise SamplingError(
            f"the {plan.domain} case list differs from the one the sample was drawn from; "
            "replace cases using the same list"
        )
    earlier = [r for r in result.replacements if r.domain == plan.domain]
    taken = {p.case_ref for p in sample.picks} | {r.removed for r in earlier}
    removed = sample.picks[position]
    pool = _replacement_pool(population.groups, taken, removed.stratum)
    added: Pick | None = None
    if pool:
        rng = random.Random(derive_seed(use_seed, "replace", plan.domain, case_ref, len(earlier)))
        added = pool[rng.randrange(len(pool))]
    picks = sample.picks[:position] + ((added,) if added else ()) + sample.picks[position + 1 :]
    record = Replacement(
        domain=plan.domain,
        removed=case_ref,
        added=added.case_ref if added else None,
        reason=why,
        stratum=removed.stratum,
        added_stratum=added.stratum if added else None,
        seed=use_seed,
    )
    domains = list(result.domains)
    domains[index] = replace(sample, picks=picks)
    return replace(result, domains=tuple(domains), replacements=(*result.replacements, record))


def _locate(result: SampleResult, case_ref: str) -> tuple[int, int]:
    for index, sample in enumerate(result.domains):
        for position, pick in enumerate(sample.picks):
            if pick.case_ref == case_ref:
                return index, position
    raise SamplingError(f"case {case_ref!r} is not in the current sample")


def _replacement_pool(
    groups: Mapping[StratumKey, list[str]], taken: set[str], stratum: StratumKey
) -> list[Pick]:
    """Unsampled cases of the same stratum, else of the strata with most matching values."""
    free = {key: [r for r in refs if r not in taken] for key, refs in groups.items()}
    free = {key: refs for key, refs in free.items() if refs}
    if not free:
        return []
    if stratum in free:
        nearest = [stratum]
    else:
        best = max(_matches(key, stratum) for key in free)
        nearest = [key for key in free if _matches(key, stratum) == best]
    pool = [Pick(ref, key) for key in nearest for ref in free[key]]
    return sorted(pool, key=lambda p: p.case_ref)


def _matches(a: StratumKey, b: StratumKey) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if x == y)
