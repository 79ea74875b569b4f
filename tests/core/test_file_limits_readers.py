"""Every reader of a user's file other than the case list refuses oversized, endless or
alias-heavy input at once, with a clear message: the CLI (frameworks, answers, judgements,
outcome records), published results and the crosswalk. Each file is crafted here."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from yjinspect.core import indicators
from yjinspect.core.crosswalk import CrosswalkError, parse_crosswalk
from yjinspect.core.published import COLUMNS, PublishedError, parse_published
from yjinspect.frameworks import get_framework
from yjinspect.limits import MB

EXE = Path(sys.executable).parent / "yjinspect"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _one_gigabyte() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (1024 * MB, 1024 * MB))


def cli(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `yjinspect` with at most 1 GB of memory and 60 s; its result and seconds taken."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(EXE), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        preexec_fn=_one_gigabyte,
    )
    return done, time.perf_counter() - started


def peak_and_seconds(run: Callable[[], object]) -> tuple[int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        run()
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak, seconds


# --- yjinspect rate -----------------------------------------------------------------------------


def test_rate_refuses_an_alias_bomb_framework_file(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    done, seconds = cli("rate", bomb, EXAMPLES / "bexley-2024-answers.csv")
    assert done.returncode == 2, done.stderr
    assert "the framework file expands to more than 200,000 entries once its aliases" in done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 10


def test_rate_refuses_an_endless_framework_file_without_reading_it_all() -> None:
    # /dev/zero names a file that never ends: it was read until memory ran out.
    done, seconds = cli("rate", "/dev/zero", EXAMPLES / "bexley-2024-answers.csv")
    assert done.returncode == 2, done.stderr[-500:]
    assert "the framework file is larger than 2.0 MB, the largest accepted" in done.stderr
    assert seconds < 10


def test_rate_refuses_an_endless_answers_file() -> None:
    done, seconds = cli("rate", "hmip-youth-2021", "/dev/zero")
    assert done.returncode == 2, done.stderr[-500:]
    assert "/dev/zero: the file is larger than 20.0 MB, the largest accepted" in done.stderr
    assert seconds < 10


def test_rate_refuses_a_100_mb_one_line_answers_file_by_its_size_unread(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    with answers.open("wb") as handle:
        handle.write(b"case_ref,key_question,answer\nC1,")
        handle.truncate(100 * MB)  # the rest is one line of NUL bytes, never written out
    done, seconds = cli("rate", "hmip-youth-2021", answers)
    assert done.returncode == 2, done.stderr[-500:]
    assert "the file is 100.0 MB; the largest accepted is 20.0 MB" in done.stderr
    assert seconds < 10


def test_rate_refuses_answers_with_too_many_rows_or_too_long_a_line(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    question = get_framework("hmip-youth-2021").key_question_ids()[0]
    answers.write_text("case_ref,key_question,answer\n" + f"C1,{question},yes\n" * 600_000)
    done, seconds = cli("rate", "hmip-youth-2021", answers)
    assert done.returncode == 2
    assert "has more than 500,000 rows, blank ones included" in done.stderr
    assert seconds < 15
    judgements = tmp_path / "judgements.csv"
    judgements.write_text("standard,rating,reason\n1.1,Good," + "x" * 70_000 + "\n")
    done, _seconds = cli(
        "rate", "hmip-youth-2021", EXAMPLES / "bexley-2024-answers.csv", "--judgements", judgements
    )
    assert done.returncode == 2
    assert "has a line of more than 65,536 characters (line 2)" in done.stderr


def test_rate_names_the_row_of_a_cell_that_is_not_csv(tmp_path: Path) -> None:
    # A quoted cell running past the csv module's own limit: a message, not a traceback.
    answers = tmp_path / "answers.csv"
    answers.write_text('case_ref,key_question,answer\nC1,1.1,"' + "y\n" * 70_000 + '"\n')
    done, _seconds = cli("rate", "hmip-youth-2021", answers)
    assert done.returncode == 2, done.stderr[-500:]
    assert "has a cell of more than 131,072 characters" in done.stderr


# --- outcome records (core; the CLI's `indicators` and the web upload read through it) ----------


def test_outcome_records_with_millions_of_rows_are_refused_in_little_memory(
    tmp_path: Path,
) -> None:
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "person_ref,age,offence_date,disposal_date,disposal_type\n" + "1\n" * 9_000_000
    )
    with pytest.raises(indicators.IndicatorInputError) as refused:
        indicators.read_cases(cases)
    assert str(refused.value) == (
        "cases: the file has more than 100,000 rows, blank ones included; no real one has so many"
    )

    def refuse() -> None:
        with pytest.raises(indicators.IndicatorInputError):
            indicators.read_cases(cases)

    peak, seconds = peak_and_seconds(refuse)
    assert seconds < 10
    assert peak < 20 * MB + 20 * MB  # the file's text and no more than the rows allowed


def test_outcome_files_beyond_their_size_or_line_are_refused(tmp_path: Path) -> None:
    population = tmp_path / "population.csv"
    population.write_text("age,population\n" + "10,100\n" * 200_000)
    with pytest.raises(indicators.IndicatorInputError, match=r"population: the file is 1\.3 MB"):
        indicators.read_population(population)
    cases = tmp_path / "cases.csv"
    cases.write_text("person_ref,age\nP1," + "1" * 70_000 + "\n")
    with pytest.raises(indicators.IndicatorInputError, match="line of more than 65,536"):
        indicators.read_cases(cases)
    with pytest.raises(indicators.IndicatorInputError, match="cells in row 2"):
        indicators.read_cases(["person_ref,age\n", "P1," + "," * 30 + "\n"])


# --- published results ---------------------------------------------------------------------------


HEADER = ",".join(COLUMNS) + "\n"


def test_published_results_of_a_million_blank_lines_are_refused_at_the_limit() -> None:
    text = HEADER + "\n" * 1_900_000
    with pytest.raises(PublishedError) as refused:
        parse_published(text)
    assert [p.message for p in refused.value.problems] == [
        "the file has more than 21,000 rows, blank ones included; no real one has so many"
    ]


def test_published_results_beyond_the_size_or_a_line_are_refused() -> None:
    with pytest.raises(PublishedError) as refused:
        parse_published(HEADER + "x" * (3 * MB))
    assert refused.value.problems[0].message == (
        "the file is 3.0 MB; the largest accepted is 2.0 MB"
    )
    with pytest.raises(PublishedError) as refused:
        parse_published(HEADER + "a," * 40_000 + "\n")
    assert "line of more than 65,536 characters (line 2)" in refused.value.problems[0].message


# --- the crosswalk --------------------------------------------------------------------------------


def test_a_crosswalk_alias_bomb_is_refused_at_once() -> None:
    def refuse() -> None:
        with pytest.raises(CrosswalkError, match="cw.yaml: .*aliases"):
            parse_crosswalk(billion_laughs(), "cw.yaml")

    peak, seconds = peak_and_seconds(refuse)
    assert seconds < 2
    assert peak < 20 * MB
