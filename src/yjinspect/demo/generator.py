"""A seeded generator of a FICTITIOUS youth justice service: its case list and its case answers.

Everything here is made up. Case references look like "DEMO-C0001" (court), "DEMO-O0001" (out
of court) and "DEMO-R0001" (resettlement), case managers like "CM07": never names, so demo data
can be shown, screenshotted and shared without a second thought.

The distributions are plausible rather than measured: disposals by domain in the codes the case
list parser accepts, start dates spread over the framework's eligibility window (52 to 9 weeks
before fieldwork) with some outside it, levels of risk of harm and of safety and wellbeing,
sex, ethnicity groups, ages 10 to 17, looked-after status and custody.

Pure Python (no Django): the `load_demo` command, the tests and anyone writing a sample case-list
file use the same functions. The same seed always gives the same output, in any process; each
case draws from its own generator (seeded from the seed and the case), so asking for more cases
of one domain does not change the others.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Final, Literal, TypeVar

from yjinspect.core.caselist import CaseRow, write_case_list_csv
from yjinspect.core.sampling import derive_seed
from yjinspect.frameworks import Framework, key_question_id

__all__ = [
    "DEFAULT_RATE",
    "DOMAIN_PREFIXES",
    "AnswerValue",
    "applicable_key_questions",
    "generate_answers",
    "generate_case_list",
    "write_csv",
]

T = TypeVar("T")
AnswerValue = Literal["yes", "no", "na"]
Weighted = tuple[tuple[T, float], ...]

# Probability of a Yes for a key question that `rates` does not mention.
DEFAULT_RATE: Final = 0.75

# Case-reference letter per case domain: DEMO-C0001, DEMO-O0001, DEMO-R0001.
DOMAIN_PREFIXES: Final[Mapping[str, str]] = {
    "court": "C",
    "out_of_court": "O",
    "resettlement": "R",
}

# The framework's eligibility window (hmip-youth-2021: 52 to 9 weeks before fieldwork) and how
# many cases fall outside it, as on a real export that was not filtered by date first.
WINDOW_WEEKS: Final = (52, 9)
OUTSIDE_WINDOW_SHARE: Final = 0.12
EARLIEST_WEEKS_BEFORE: Final = 70

DISPOSALS: Final[Mapping[str, Weighted[str]]] = {
    "court": (
        ("referral_order", 42),
        ("youth_rehabilitation_order", 32),
        ("reparation_order", 4),
        ("other_court", 6),
        ("detention_and_training_order", 11),
        ("section_250", 5),
    ),
    "out_of_court": (
        ("community_resolution", 28),
        ("triage", 22),
        ("youth_conditional_caution", 20),
        ("youth_caution", 14),
        ("deferred_prosecution", 10),
        ("no_further_action_with_intervention", 6),
    ),
    "resettlement": (
        ("detention_and_training_order", 70),
        ("section_250", 22),
        ("other_custodial", 8),
    ),
}
CUSTODIAL: Final = frozenset({"detention_and_training_order", "section_250", "other_custodial"})

# How long each disposal runs, in weeks (shortest, longest): gives the expected end date.
DURATION_WEEKS: Final[Mapping[str, tuple[int, int]]] = {
    "referral_order": (13, 52),
    "youth_rehabilitation_order": (26, 104),
    "reparation_order": (8, 13),
    "other_court": (4, 26),
    "detention_and_training_order": (16, 104),
    "section_250": (52, 260),
    "other_custodial": (52, 260),
    "youth_caution": (4, 12),
    "youth_conditional_caution": (12, 16),
    "community_resolution": (4, 12),
    "deferred_prosecution": (16, 26),
    "triage": (4, 12),
    "no_further_action_with_intervention": (4, 12),
}
# Share of cases whose export leaves the end date blank.
NO_END_DATE_SHARE: Final = 0.08

RISK_OF_HARM: Final[Mapping[str, Weighted[str]]] = {
    "court": (("low", 40), ("medium", 40), ("high", 16), ("very_high", 4)),
    "out_of_court": (("low", 70), ("medium", 25), ("high", 5)),
    "resettlement": (("low", 10), ("medium", 40), ("high", 38), ("very_high", 12)),
}
SAFETY_WELLBEING: Final[Mapping[str, Weighted[str]]] = {
    "court": (("low", 25), ("medium", 45), ("high", 24), ("very_high", 6)),
    "out_of_court": (("low", 45), ("medium", 40), ("high", 13), ("very_high", 2)),
    "resettlement": (("low", 5), ("medium", 35), ("high", 45), ("very_high", 15)),
}
SEX: Final[Mapping[str, Weighted[str]]] = {
    "court": (("male", 83), ("female", 15), ("unknown", 2)),
    "out_of_court": (("male", 76), ("female", 23), ("unknown", 1)),
    "resettlement": (("male", 95), ("female", 5)),
}
ETHNICITY: Final[Weighted[str]] = (
    ("white", 66),
    ("black", 13),
    ("mixed", 11),
    ("asian", 6),
    ("other", 2),
    ("not_known", 2),
)
AGES: Final[Mapping[str, Weighted[int]]] = {
    "court": ((10, 1), (11, 2), (12, 4), (13, 8), (14, 13), (15, 20), (16, 25), (17, 27)),
    "out_of_court": (
        (10, 4),
        (11, 6),
        (12, 10),
        (13, 15),
        (14, 18),
        (15, 18),
        (16, 16),
        (17, 13),
    ),
    "resettlement": ((14, 5), (15, 15), (16, 35), (17, 45)),
}
LOOKED_AFTER_SHARE: Final[Mapping[str, float]] = {
    "court": 0.14,
    "out_of_court": 0.08,
    "resettlement": 0.30,
}


def _pick(rng: random.Random, weighted: Weighted[T]) -> T:
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(values, weights=weights, k=1)[0]


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a whole number of cases, 0 or more, not {value!r}")
    return value


def _case_managers(total: int) -> list[str]:
    """A team of pseudonymous case managers, about one for every ten cases (4 to 40)."""
    size = min(40, max(4, round(total / 10)))
    return [f"CM{number:02d}" for number in range(1, size + 1)]


def _start_date(rng: random.Random, fieldwork_start: date) -> date:
    """Mostly inside the window; otherwise just before it or in the weeks before fieldwork."""
    earliest_in, latest_in = WINDOW_WEEKS
    window_start = fieldwork_start - timedelta(weeks=earliest_in)
    window_end = fieldwork_start - timedelta(weeks=latest_in)
    if rng.random() >= OUTSIDE_WINDOW_SHARE:
        low, high = window_start, window_end
    elif rng.random() < 0.5:
        low = fieldwork_start - timedelta(weeks=EARLIEST_WEEKS_BEFORE)
        high = window_start - timedelta(days=1)
    else:
        low, high = window_end + timedelta(days=1), fieldwork_start - timedelta(days=1)
    return low + timedelta(days=rng.randint(0, (high - low).days))


def _case(
    seed: int,
    domain: str,
    number: int,
    row: int,
    fieldwork_start: date,
    case_managers: Sequence[str],
) -> CaseRow:
    rng = random.Random(derive_seed(seed, "demo-case", domain, number))
    disposal = _pick(rng, DISPOSALS[domain])
    start = _start_date(rng, fieldwork_start)
    shortest, longest = DURATION_WEEKS[disposal]
    end: date | None = start + timedelta(weeks=rng.randint(shortest, longest))
    if rng.random() < NO_END_DATE_SHARE:
        end = None
    return CaseRow(
        row=row,
        case_ref=f"DEMO-{DOMAIN_PREFIXES[domain]}{number:04d}",
        domain=domain,
        disposal_type=disposal,
        start_date=start,
        end_date=end,
        case_manager=rng.choice(case_managers),
        risk_of_harm=_pick(rng, RISK_OF_HARM[domain]),
        safety_wellbeing=_pick(rng, SAFETY_WELLBEING[domain]),
        sex=_pick(rng, SEX[domain]),
        ethnicity_group=_pick(rng, ETHNICITY),
        age=_pick(rng, AGES[domain]),
        looked_after=rng.random() < LOOKED_AFTER_SHARE[domain],
        custody=domain == "resettlement" or disposal in CUSTODIAL,
    )


def generate_case_list(
    seed: int, court: int, out_of_court: int, resettlement: int, fieldwork_start: date
) -> list[CaseRow]:
    """A fictitious case list: `court` court cases, then out-of-court, then resettlement.

    Rows are `caselist.CaseRow`s numbered as they would sit in a spreadsheet (headings on row 1),
    so they can be written with `write_csv` and read back with `caselist.parse_case_list`.
    """
    wanted = {
        "court": _count("court", court),
        "out_of_court": _count("out_of_court", out_of_court),
        "resettlement": _count("resettlement", resettlement),
    }
    case_managers = _case_managers(sum(wanted.values()))
    rows: list[CaseRow] = []
    for domain, count in wanted.items():
        for number in range(1, count + 1):
            rows.append(_case(seed, domain, number, len(rows) + 2, fieldwork_start, case_managers))
    return rows


def applicable_key_questions(framework: Framework, domain: str) -> list[str]:
    """The key questions a case of `domain` answers: those of the case-rated standards whose
    case domains include it, in framework order."""
    return [
        key_question_id(standard.id, kq.lens)
        for standard in framework.all_standards()
        if standard.rating_method == "cases" and domain in standard.case_domains
        for kq in standard.key_questions
    ]


def _probability(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability from 0 to 1, not {value!r}")
    return float(value)


def generate_answers(
    seed: int,
    framework: Framework,
    cases: Iterable[tuple[str, str]],
    rates: Mapping[str, float],
    na_rate: float = 0.03,
    default_rate: float = DEFAULT_RATE,
) -> list[tuple[str, str, AnswerValue]]:
    """(case_ref, key_question_id, 'yes' | 'no' | 'na') for every key question each case answers.

    `cases` are (case_ref, domain) pairs. Each answer is 'na' with probability `na_rate`;
    otherwise 'yes' with probability `rates[key_question_id]` (`default_rate` for a key question
    not in `rates`). Answers are in the order of `cases`, then framework order.
    """
    known = set(framework.key_question_ids())
    unknown = sorted(set(rates) - known)
    if unknown:
        raise ValueError(f"rates name key questions {framework.ref} does not have: {unknown}")
    chance = {kq: _probability(f"rate for {kq}", rate) for kq, rate in rates.items()}
    na = _probability("na_rate", na_rate)
    default = _probability("default_rate", default_rate)
    by_domain: dict[str, list[str]] = {}
    seen: set[str] = set()
    answers: list[tuple[str, str, AnswerValue]] = []
    for case_ref, domain in cases:
        if case_ref in seen:
            raise ValueError(f"case {case_ref} is listed twice")
        seen.add(case_ref)
        if domain not in by_domain:
            by_domain[domain] = applicable_key_questions(framework, domain)
        rng = random.Random(derive_seed(seed, "demo-answers", case_ref))
        for kq in by_domain[domain]:
            # Two draws per question, always, so changing one rate moves only its own answers.
            not_applicable, yes = rng.random(), rng.random()
            value: AnswerValue
            if not_applicable < na:
                value = "na"
            else:
                value = "yes" if yes < chance.get(kq, default) else "no"
            answers.append((case_ref, kq, value))
    return answers


def write_csv(rows: Iterable[CaseRow], path: str | Path) -> int:
    """Write a case list as canonical CSV (UTF-8) that `parse_case_list` reads back unchanged.
    Returns the number of cases written."""
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        return write_case_list_csv(rows, handle)
