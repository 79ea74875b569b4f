"""A seeded generator of FICTITIOUS outcome-indicator inputs for the Demoshire demo.

The outcomes app computes first-time entrants, proven reoffending and the use of custody from a
service's case-level records and its 10-17 population (`yjinspect.core.indicators`). The demo
inspection needs such files so its report background and the board dashboard have figures to
show; this module makes them up, in the exact formats an upload takes, so the demo goes
through the same checks and computation as a real upload.

How the records are made, and why: children are simulated one by one rather than rows drawn
independently, because every indicator is about a child's history (their first substantive
outcome, whether they offended again within twelve months). Each child enters the records with a
first caution or sentence (some after an earlier diversion), and may go on to further episodes
of offending, each a few offences sentenced together, with later disposals more often court
orders. A few court orders in each year before the inspection become custodial sentences; none
is given or ends from `CUSTODY_QUIET_FROM` on, so the demo's "resettlement not rated" holds.
The sizes are those of a mid-sized county: about 18,000 children aged 10 to 17 and about 60
first-time entrants a year.

The national comparators are ILLUSTRATIVE: plausible England and Wales levels of the period,
rounded, not published statistics. Everything is marked as such where it is shown.

Pure Python, standard library only: the same seed gives the same files in any process.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Final, TypeVar

from yjinspect.core.indicators import CUSTODIAL, Period, add_months

__all__ = [
    "COHORT",
    "COMPARATORS",
    "COMPARATOR_SOURCE",
    "CUSTODY_QUIET_FROM",
    "PERIOD",
    "RECORDS_END",
    "RECORDS_START",
    "DemoOutcomeFiles",
    "Sizes",
    "generate_outcome_files",
]

T = TypeVar("T")

# The indicator year: the last financial year whose custody figures cannot touch the case
# sample's window (10 April 2023 to 5 February 2024 for fieldwork from 8 April 2024).
PERIOD: Final = Period(date(2022, 4, 1), date(2023, 3, 31))
# The latest reoffending cohort whose 12-month follow-up and 6-month wait were over before the
# fieldwork, so the stored figure is final rather than provisional.
COHORT: Final = Period(date(2021, 4, 1), date(2022, 3, 31))
RECORDS_START: Final = date(2017, 4, 1)
RECORDS_END: Final = date(2024, 3, 31)
# No custodial sentence is given, and nobody is released, on or after this day: the demo
# inspection has no resettlement cases in its sample window.
CUSTODY_QUIET_FROM: Final = date(2023, 4, 10)

# Shown after "England and Wales figure:" in the report's footnotes and on the outcomes page.
COMPARATOR_SOURCE: Final = (
    "ILLUSTRATIVE figures invented for the FICTITIOUS demo, not published statistics"
)
# Plausible national levels for the demo's period and cohort, rounded; illustrative only.
COMPARATORS: Final = (
    ("fte", "153"),
    ("custody", "0.10"),
    ("reoffending", "32.2"),
    ("frequency_per_reoffender", "3.70"),
    ("frequency_per_offender", "1.19"),
)

_ENTRY_AGES: Final = {10: 1, 11: 2, 12: 4, 13: 7, 14: 10, 15: 12, 16: 12, 17: 9}
_FIRST_DISPOSALS: Final = {
    "youth_caution": 24,
    "youth_conditional_caution": 20,
    "referral_order": 30,
    "conditional_discharge": 8,
    "yro": 6,
    "fine": 4,
    "reparation_order": 4,
    "absolute_discharge": 4,
}
_LATER_DISPOSALS: Final = {
    "youth_conditional_caution": 8,
    "referral_order": 25,
    "yro": 35,
    "yro_iss": 5,
    "conditional_discharge": 10,
    "fine": 10,
    "other_court_sentence": 7,
}
_ADULT_DISPOSALS: Final = {"other_court_sentence": 3, "fine": 1}
_DIVERSIONS: Final = {"community_resolution": 5, "triage": 3, "outcome_22": 4}
_OFFENCES_PER_EPISODE: Final = {1: 30, 2: 25, 3: 20, 4: 13, 6: 8, 8: 4}
_DTO_MONTHS: Final = {4: 4, 6: 4, 8: 3, 10: 2, 12: 2, 18: 1, 24: 1}
_COURT_ORDERS: Final = frozenset({"referral_order", "yro", "yro_iss", "other_court_sentence"})
_MAX_EPISODE_AGE: Final = 19  # careers in the records end by about 20, well inside the core's 24


@dataclass(frozen=True)
class Sizes:
    """How big the simulated service is and how often its children offend again.

    The defaults are the Demoshire demo's; they are fields so a test (or anyone wanting a
    smaller or busier service) can change one and see the indicator it drives move.
    """

    population: int = 18_000
    entrants_per_year: int = 60
    diverted_per_year: int = 40
    custody_in_period: int = 3
    reoffend_after_first: float = 0.30
    reoffend_after_later: float = 0.50


@dataclass(frozen=True)
class DemoOutcomeFiles:
    """The three files an upload takes, with the choices the lead would make on the form."""

    records_csv: str
    population_csv: str
    comparators_csv: str
    period: Period = PERIOD
    cohort: Period = COHORT
    records_name: str = "demoshire-outcome-records-FICTITIOUS.csv"
    population_name: str = "demoshire-population-10-17-FICTITIOUS.csv"
    comparators_name: str = "england-and-wales-ILLUSTRATIVE.csv"
    comparator_source: str = COMPARATOR_SOURCE


@dataclass(frozen=True)
class _Row:
    person: str
    age: int
    age_at_offence: int
    offence: date
    disposal: date
    disposal_type: str
    episode: int  # 0 for the first substantive outcome, -1 for a diversion before it
    release: date | None = None
    breach: bool = False


@dataclass
class _Child:
    ref: str
    born: date
    rows: list[_Row] = field(default_factory=list)

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.born.month, self.born.day)
        return day.year - self.born.year - before_birthday

    def tenth_birthday(self) -> date:
        return add_months(self.born, 120)

    def row(
        self, offence: date, disposal: date, code: str, episode: int, breach: bool = False
    ) -> None:
        offence = max(offence, self.tenth_birthday())  # nobody under 10 is criminally liable
        self.rows.append(
            _Row(
                self.ref,
                self.age_on(disposal),
                self.age_on(offence),
                offence,
                disposal,
                code,
                episode,
                breach=breach,
            )
        )


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def _years() -> list[Period]:
    """Financial years from the records' start to their end."""
    years: list[Period] = []
    start = RECORDS_START
    while start <= RECORDS_END:
        end = min(add_months(start, 12) - timedelta(days=1), RECORDS_END)
        years.append(Period(start, end))
        start = end + timedelta(days=1)
    return years


def _spread(rng: random.Random, mean: int) -> int:
    """A yearly count near `mean` (varying by about a twentieth from year to year)."""
    return max(1, round(rng.gauss(mean, mean / 20)))


def _born(rng: random.Random, day: date, age: int) -> date:
    """A birth date (kept inside this module) that makes the child `age` on `day`."""
    return add_months(day, -12 * age) - _days(rng, 0, 364)


def _entrant(rng: random.Random, ref: str, first: date, sizes: Sizes) -> _Child:
    """One child: perhaps a diversion, a first substantive outcome, then any further episodes."""
    age = _pick(rng, _ENTRY_AGES)
    child = _Child(ref, _born(rng, first, age))
    if rng.random() < 0.35:
        diverted = first - _days(rng, 30, 270)
        if diverted >= RECORDS_START and child.age_on(diverted) >= 10:
            child.row(diverted - _days(rng, 7, 40), diverted, _pick(rng, _DIVERSIONS), -1)
    code = _pick(rng, _FIRST_DISPOSALS)
    child.row(first - _days(rng, 14, 120), first, code, 0)
    last, episode = first, 0
    chance = sizes.reoffend_after_first
    while rng.random() < chance:
        episode += 1
        start = last + _days(rng, 10, 240)
        if child.age_on(start) > _MAX_EPISODE_AGE:
            break
        offences = sorted(
            start + _days(rng, 0, 45) for _ in range(_pick(rng, _OFFENCES_PER_EPISODE))
        )
        sentenced = offences[-1] + _days(rng, 21, 150)
        if sentenced > RECORDS_END:
            break
        adult = child.age_on(sentenced) >= 18
        code = _pick(rng, _ADULT_DISPOSALS if adult else _LATER_DISPOSALS)
        for offence in offences:
            child.row(offence, sentenced, code, episode)
        if code in ("yro", "yro_iss") and rng.random() < 0.12:
            breached = sentenced + _days(rng, 30, 120)
            dealt_with = breached + _days(rng, 14, 45)
            if dealt_with <= RECORDS_END:
                child.row(breached, dealt_with, code, episode, breach=True)
        last = sentenced
        chance = sizes.reoffend_after_later
    return child


def _diverted_only(rng: random.Random, ref: str, year: Period) -> _Child:
    """A child dealt with by diversion alone: in the records, in no indicator."""
    age = _pick(rng, _ENTRY_AGES)
    day = year.start + _days(rng, 0, (year.end - year.start).days)
    child = _Child(ref, _born(rng, day, age))
    child.row(day - _days(rng, 7, 60), day, _pick(rng, _DIVERSIONS), -1)
    return child


def _release(sentenced: date, months: int) -> date:
    """Release at the order's halfway point, as a detention and training order has it."""
    return add_months(sentenced, months // 2)


def _to_custody(rng: random.Random, child: _Child, sentenced: date) -> None:
    """Make the court order given on `sentenced` a detention and training order, and drop any
    offence the child would have committed while detained."""
    lengths = {m: w for m, w in _DTO_MONTHS.items() if _release(sentenced, m) < CUSTODY_QUIET_FROM}
    release = _release(sentenced, _pick(rng, lengths))
    kept: list[_Row] = []
    for row in child.rows:
        if row.disposal == sentenced and not row.breach:
            kept.append(replace(row, disposal_type="dto", release=release))
        elif sentenced < row.offence < release:
            continue
        else:
            kept.append(row)
    child.rows = kept


def _custody_candidates(children: Sequence[_Child], year: Period) -> list[tuple[_Child, date]]:
    """Court orders for a later episode, given in `year` to a child aged 10-17 who has had no
    custody yet, whose detention would be over before the quiet period starts."""
    seen: set[tuple[str, date]] = set()
    out: list[tuple[_Child, date]] = []
    for child in children:
        if any(r.disposal_type in CUSTODIAL for r in child.rows):
            continue
        for row in child.rows:
            key = (child.ref, row.disposal)
            if (
                key in seen
                or row.episode < 1
                or row.breach
                or row.disposal_type not in _COURT_ORDERS
                or row.disposal not in year
                or row.age > 17
                or _release(row.disposal, min(_DTO_MONTHS)) >= CUSTODY_QUIET_FROM
            ):
                continue
            seen.add(key)
            out.append((child, row.disposal))
    return out


def _add_custody(rng: random.Random, children: Sequence[_Child], sizes: Sizes) -> None:
    """A few custodial sentences a year; exactly `custody_in_period` in the indicator year
    when the records allow it (they nearly always do)."""
    for year in _years():
        if year.start >= CUSTODY_QUIET_FROM:
            break
        wanted = sizes.custody_in_period if year == PERIOD else rng.randint(1, 4)
        candidates = _custody_candidates(children, year)
        for child, sentenced in rng.sample(candidates, k=min(wanted, len(candidates))):
            _to_custody(rng, child, sentenced)


def _records(children: Sequence[_Child]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "person_ref",
            "age",
            "age_at_offence",
            "offence_date",
            "disposal_date",
            "disposal_type",
            "custodial",
            "release_date",
            "breach",
        ]
    )
    rows = sorted(
        (r for child in children for r in child.rows),
        key=lambda r: (r.disposal, r.person, r.offence),
    )
    for r in rows:
        writer.writerow(
            [
                r.person,
                r.age,
                r.age_at_offence,
                r.offence.isoformat(),
                r.disposal.isoformat(),
                r.disposal_type,
                "yes" if r.disposal_type in CUSTODIAL else "no",
                r.release.isoformat() if r.release else "",
                "yes" if r.breach else "no",
            ]
        )
    return out.getvalue()


def _population(rng: random.Random, total: int) -> str:
    """`age,population` for 10 to 17: a nearly flat profile adding up to about `total`."""
    per_age = total / 8
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["age", "population"])
    for age in range(10, 18):
        writer.writerow([age, round(per_age * rng.uniform(0.96, 1.04))])
    return out.getvalue()


def _comparators() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "value", "note"])
    for key, value in COMPARATORS:
        writer.writerow([key, value, "ILLUSTRATIVE, not a published statistic"])
    return out.getvalue()


def generate_outcome_files(seed: int, sizes: Sizes | None = None) -> DemoOutcomeFiles:
    """The demo's records, population and comparator files; the same seed, the same files.

    Person references look like DEMO-P00001: pseudonymous, never names, and no date of birth
    leaves this function (only ages in years, as the upload requires).
    """
    sizes = sizes or Sizes()
    rng = random.Random(seed)
    children: list[_Child] = []
    for year in _years():
        share = ((year.end - year.start).days + 1) / 365
        for _ in range(_spread(rng, round(sizes.entrants_per_year * share))):
            first = year.start + _days(rng, 0, (year.end - year.start).days)
            children.append(_entrant(rng, f"DEMO-P{len(children) + 1:05d}", first, sizes))
        for _ in range(round(sizes.diverted_per_year * share)):
            children.append(_diverted_only(rng, f"DEMO-P{len(children) + 1:05d}", year))
    _add_custody(rng, children, sizes)
    return DemoOutcomeFiles(
        records_csv=_records(children),
        population_csv=_population(rng, sizes.population),
        comparators_csv=_comparators(),
    )
