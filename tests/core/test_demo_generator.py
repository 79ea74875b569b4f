"""The fictitious demo data: reproducible, plausible, parseable, and never personal data."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from yjinspect.core.caselist import DISPOSAL_DOMAINS, looks_like_a_name, parse_case_list
from yjinspect.demo import applicable_key_questions, generate_answers, generate_case_list, write_csv
from yjinspect.demo.generator import DEFAULT_RATE
from yjinspect.frameworks import Framework, get_framework

FIELDWORK = date(2024, 4, 8)
WINDOW = (FIELDWORK - timedelta(weeks=52), FIELDWORK - timedelta(weeks=9))


@pytest.fixture(scope="module")
def framework() -> Framework:
    return get_framework("hmip-youth-2021")


def test_same_seed_same_case_list_and_a_new_seed_another() -> None:
    first = generate_case_list(7, 60, 40, 10, FIELDWORK)
    again = generate_case_list(7, 60, 40, 10, FIELDWORK)
    other = generate_case_list(8, 60, 40, 10, FIELDWORK)
    assert first == again
    assert [r.row for r in first] == [r.row for r in again]
    assert first != other


def test_more_cases_of_one_domain_leave_the_others_alone() -> None:
    small = generate_case_list(3, 10, 5, 2, FIELDWORK)
    large = generate_case_list(3, 20, 5, 2, FIELDWORK)
    assert [r for r in large if r.case_ref.startswith("DEMO-C")][:10] == small[:10]
    assert [r for r in large if r.domain != "court"] == [r for r in small if r.domain != "court"]


def test_counts_refs_and_codes() -> None:
    rows = generate_case_list(11, 60, 40, 12, FIELDWORK)
    assert Counter(r.domain for r in rows) == {"court": 60, "out_of_court": 40, "resettlement": 12}
    assert rows[0].case_ref == "DEMO-C0001"
    assert [r.row for r in rows] == list(range(2, len(rows) + 2))
    assert len({r.case_ref for r in rows}) == len(rows)
    for row in rows:
        assert re.fullmatch(r"DEMO-[COR]\d{4}", row.case_ref)
        assert re.fullmatch(r"CM\d{2}", row.case_manager)
        assert not looks_like_a_name(row.case_ref)
        assert not looks_like_a_name(row.case_manager)
        assert row.domain in DISPOSAL_DOMAINS[row.disposal_type]
        assert row.age is not None and 10 <= row.age <= 17
        assert row.start_date < FIELDWORK
        assert row.end_date is None or row.end_date >= row.start_date
        if row.domain == "resettlement":
            assert row.custody is True
        if row.domain == "out_of_court":
            assert row.custody is False


def test_distributions_are_plausible() -> None:
    rows = generate_case_list(5, 600, 400, 100, FIELDWORK)
    inside = sum(WINDOW[0] <= r.start_date <= WINDOW[1] for r in rows)
    assert 0.80 < inside / len(rows) < 0.95  # most in the window, some outside it
    assert any(r.start_date < WINDOW[0] for r in rows)
    assert any(r.start_date > WINDOW[1] for r in rows)
    sexes = Counter(r.sex for r in rows)
    assert sexes["male"] > sexes["female"] > 0
    for field in ("risk_of_harm", "safety_wellbeing"):
        assert {getattr(r, field) for r in rows} == {"low", "medium", "high", "very_high"}
    assert len({r.ethnicity_group for r in rows}) >= 5
    assert {r.age for r in rows} == set(range(10, 18))
    looked_after = sum(bool(r.looked_after) for r in rows) / len(rows)
    assert 0.05 < looked_after < 0.25
    court = Counter(r.disposal_type for r in rows if r.domain == "court")
    assert court.most_common(1)[0][0] == "referral_order"
    assert {r.disposal_type for r in rows if r.domain == "resettlement"} <= {
        "detention_and_training_order",
        "section_250",
        "other_custodial",
    }
    higher = Counter(r.risk_of_harm for r in rows if r.domain == "resettlement")
    lower = Counter(r.risk_of_harm for r in rows if r.domain == "out_of_court")
    assert higher["high"] / 100 > lower["high"] / 400


def test_csv_round_trip_parses_cleanly(tmp_path: Path) -> None:
    rows = generate_case_list(2024, 60, 40, 5, FIELDWORK)
    target = tmp_path / "demo.csv"
    assert write_csv(rows, target) == len(rows)
    preview = parse_case_list(target.read_bytes(), "demo.csv")
    assert preview.problems == []
    assert preview.ok
    assert preview.rows == rows
    assert preview.ignored_columns == []


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="court"):
        generate_case_list(1, -1, 0, 0, FIELDWORK)
    with pytest.raises(ValueError, match="out_of_court"):
        generate_case_list(1, 0, 2.5, 0, FIELDWORK)  # type: ignore[arg-type]


def test_answers_are_deterministic(framework: Framework) -> None:
    cases = [("DEMO-C0001", "court"), ("DEMO-O0001", "out_of_court")]
    first = generate_answers(1, framework, cases, {})
    assert first == generate_answers(1, framework, cases, {})
    many = [(f"DEMO-C{n:04d}", "court") for n in range(1, 51)]
    assert generate_answers(3, framework, many, {}) != generate_answers(4, framework, many, {})


def test_only_the_standards_for_the_case_domain_are_answered(framework: Framework) -> None:
    cases = [
        ("DEMO-C0001", "court"),
        ("DEMO-O0001", "out_of_court"),
        ("DEMO-R0001", "resettlement"),
    ]
    answers = generate_answers(9, framework, cases, {})
    by_case: dict[str, list[str]] = {}
    for case_ref, kq, value in answers:
        by_case.setdefault(case_ref, []).append(kq)
        assert value in {"yes", "no", "na"}
    expected = {
        domain: [
            f"{s.id}.{kq.lens}"
            for s in framework.all_standards()
            if s.rating_method == "cases" and domain in s.case_domains
            for kq in s.key_questions
        ]
        for domain in ("court", "out_of_court")
    }
    assert by_case["DEMO-C0001"] == expected["court"]
    assert by_case["DEMO-O0001"] == expected["out_of_court"]
    assert {kq.split(".")[0] for kq in expected["court"]} == {"2"}
    assert {kq.rpartition(".")[0] for kq in expected["out_of_court"]} == {"3.1", "3.2", "3.3"}
    # 2021 has no case-rated resettlement standard (4.1 is judged on the evidence)
    assert "DEMO-R0001" not in by_case
    assert applicable_key_questions(framework, "court") == expected["court"]
    # evidence-rated standards are never answered
    judged = {s.id for s in framework.all_standards() if s.rating_method == "judgement"}
    assert not {kq.rpartition(".")[0] for _, kq, _ in answers} & judged


def test_rates_are_roughly_respected_over_ten_thousand_answers(framework: Framework) -> None:
    cases = [(f"DEMO-C{n:04d}", "court") for n in range(1, 1001)]
    rates = {"2.1.desistance": 0.2, "2.2.child_safety": 0.9, "2.4.others_safety": 0.55}
    answers = generate_answers(42, framework, cases, rates, na_rate=0.03)
    assert len(answers) == 12_000
    tally: dict[str, Counter[str]] = {}
    for _, kq, value in answers:
        tally.setdefault(kq, Counter())[value] += 1
    for kq, counts in tally.items():
        applicable = counts["yes"] + counts["no"]
        wanted = rates.get(kq, DEFAULT_RATE)
        assert abs(counts["yes"] / applicable - wanted) < 0.05, (kq, counts)
    na = sum(c["na"] for c in tally.values()) / len(answers)
    assert 0.02 < na < 0.04


def test_extreme_rates(framework: Framework) -> None:
    cases = [(f"DEMO-O{n:04d}", "out_of_court") for n in range(1, 101)]
    all_yes = generate_answers(1, framework, cases, {}, na_rate=0, default_rate=1)
    assert {value for _, _, value in all_yes} == {"yes"}
    all_no = generate_answers(1, framework, cases, {}, na_rate=0.0, default_rate=0.0)
    assert {value for _, _, value in all_no} == {"no"}
    all_na = generate_answers(1, framework, cases, {}, na_rate=1)
    assert {value for _, _, value in all_na} == {"na"}


def test_changing_one_rate_moves_only_its_own_answers(framework: Framework) -> None:
    cases = [(f"DEMO-C{n:04d}", "court") for n in range(1, 201)]
    before = generate_answers(5, framework, cases, {"2.3.desistance": 0.5})
    after = generate_answers(5, framework, cases, {"2.3.desistance": 0.9})
    changed = {kq for b, a in zip(before, after, strict=True) if b != a for kq in [b[1]]}
    assert changed == {"2.3.desistance"}


def test_bad_answer_requests_are_refused(framework: Framework) -> None:
    cases = [("DEMO-C0001", "court")]
    with pytest.raises(ValueError, match="9.9.desistance"):
        generate_answers(1, framework, cases, {"9.9.desistance": 0.5})
    with pytest.raises(ValueError, match="probability"):
        generate_answers(1, framework, cases, {"2.1.desistance": 1.5})
    with pytest.raises(ValueError, match="na_rate"):
        generate_answers(1, framework, cases, {}, na_rate=-0.1)
    with pytest.raises(ValueError, match="twice"):
        generate_answers(1, framework, cases * 2, {})
