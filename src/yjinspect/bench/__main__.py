"""`make bench`: measure the engine and print each figure beside a floor measured in the same run.

A floor is the cheapest possible version of the same work (e.g. just summing the answers), so a
ratio stays meaningful on a slower or busier machine.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from yjinspect.core.ratings import Answer, RatingInputs, rate, tally
from yjinspect.frameworks import Framework, get_framework


def _best_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    """Median of repeated runs, in milliseconds (the median shrugs off a noisy neighbour)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _answers(fw: Framework, cases: int, seed: int = 1) -> list[tuple[str, str, Answer]]:
    rng = random.Random(seed)
    kqs = fw.key_question_ids()
    choices = [Answer.YES] * 7 + [Answer.NO] * 2 + [Answer.NA]
    return [(f"C{c:05d}", kq, rng.choice(choices)) for c in range(cases) for kq in kqs]


def bench_engine() -> None:
    fw = get_framework("hmip-youth-2021")
    for cases in (60, 600, 6000):
        answers = _answers(fw, cases)

        def full(answers: list[tuple[str, str, Answer]] = answers) -> object:
            return rate(fw, RatingInputs(tally(fw, answers)))

        def floor(answers: list[tuple[str, str, Answer]] = answers) -> object:
            totals: dict[str, int] = {}
            for _, kq, answer in answers:
                totals[kq] = totals.get(kq, 0) + (answer is Answer.YES)
            return totals

        ms, floor_ms = _best_ms(full), _best_ms(floor)
        print(
            f"engine: rate 13 standards x {cases} cases: {ms:.2f} ms "
            f"(floor, summing the answers: {floor_ms:.2f} ms; ratio {ms / floor_ms:.1f})"
        )


def main() -> None:
    bench_engine()


if __name__ == "__main__":
    main()
