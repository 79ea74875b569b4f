"""`make bench`: measure the engine and print each figure beside a floor measured in the same run.

A floor is the cheapest possible version of the same work (e.g. just summing the answers), so a
ratio stays meaningful on a slower or busier machine.
"""

from __future__ import annotations

import os
import random
import statistics
import time
import tracemalloc
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


def _peak_mb(fn: Callable[[], object]) -> float:
    """The most memory Python held at once while `fn` ran, in MB (its result included, since
    a caller keeps it). Allocations in C libraries are not counted."""
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak / 1_000_000


def _memory_line(
    what: str, fn: Callable[[], object], floor_what: str, floor: Callable[[], object]
) -> str:
    mb, floor_mb = _peak_mb(fn), _peak_mb(floor)
    return (
        f"{what}: peak {mb:.1f} MB (floor, {floor_what}: {floor_mb:.1f} MB; "
        f"ratio {mb / floor_mb:.1f})"
    )


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
    # Memory: what rating the answers takes, beside what holding the answers takes.
    print(
        _memory_line(
            f"engine memory: rate 13 standards x {cases} cases",
            full,
            "the answers themselves",
            lambda: _answers(fw, cases),
        )
    )


def bench_case_list() -> None:
    """Parsing and checking a case list, beside parsing the same file with the csv module."""
    import csv
    import datetime as dt
    import io

    from yjinspect.core.caselist import parse_case_list, write_case_list_csv
    from yjinspect.demo.generator import generate_case_list

    rows = generate_case_list(7, 60_000, 40_000, 0, dt.date(2024, 4, 8))
    for size in (1_000, 10_000, 100_000):
        buffer = io.StringIO(newline="")
        write_case_list_csv(rows[:size], buffer)
        data = buffer.getvalue().encode()

        def floor(data: bytes = data) -> object:
            return list(csv.reader(io.StringIO(data.decode())))

        def full(data: bytes = data) -> object:
            return parse_case_list(data, "cases.csv")

        repeat = 3 if size == 100_000 else 10
        ms, floor_ms = _best_ms(full, repeat), _best_ms(floor, repeat)
        print(
            f"case list: parse and check {size} rows: {ms:.0f} ms "
            f"(floor, csv module: {floor_ms:.0f} ms; ratio {ms / floor_ms:.1f})"
        )
    print(
        _memory_line(
            f"case list memory: parse and check {size} rows ({len(data) / 1_000_000:.1f} MB file)",
            full,
            "csv module rows",
            floor,
        )
    )


def bench_report_pdf() -> None:
    """The demo report to PDF, beside WeasyPrint alone on the same saved HTML."""
    from yjinspect.web.standalone import _django

    with _django():
        from django.core.management import call_command

        from yjinspect.reports.pdf import html_to_pdf
        from yjinspect.web.inspections.management.commands.load_demo import (
            SERVICE_NAME as DEMO_SERVICE,
        )
        from yjinspect.web.inspections.models import Inspection
        from yjinspect.web.inspections.views.report import (
            pdf_bytes,
            report_css_path,
            standalone_html,
        )

        with open(os.devnull, "w") as quiet:
            call_command("load_demo", stdout=quiet)
        inspection = Inspection.objects.get(service_name=DEMO_SERVICE)  # not the SQS demo
        pdf_bytes(inspection)  # warm fonts and templates
        html = standalone_html(inspection)
        root = report_css_path().parent.parent
        ms = _best_ms(lambda: pdf_bytes(inspection), 3)
        floor_ms = _best_ms(lambda: html_to_pdf(html, root), 3)
        print(
            f"report: demo inspection to PDF: {ms:.0f} ms "
            f"(floor, WeasyPrint on the saved HTML: {floor_ms:.0f} ms; ratio {ms / floor_ms:.2f})"
        )
        print(
            _memory_line(
                "report memory: demo inspection to PDF",
                lambda: pdf_bytes(inspection),
                "WeasyPrint on the saved HTML",
                lambda: html_to_pdf(html, root),
            )
        )
        # The web view serves a PDF again from the cache until something in it changes.
        from yjinspect.web.inspections.services.report_cache import cached_pdf

        def served() -> bytes:
            return cached_pdf(inspection, "en", lambda: pdf_bytes(inspection))[0]

        served()
        cached_ms = _best_ms(served, 5)
        print(
            f"report: the same PDF again, from the cache (change stamp checked): {cached_ms:.0f} ms"
        )


def _prose(length: int, seed: int) -> str:
    """Plain report prose of exactly `length` characters: sentences in paragraphs, then a
    few bullet points, the shapes the report's markup makes."""
    rng = random.Random(seed)
    text = "the service plans its work with children and families to reduce risk and keep them "
    text += "safe while case managers review each case often and record what changed and why"
    words = text.split()
    paragraphs: list[str] = []
    size = 0
    while size < length:
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(8, 20))).capitalize() + "."
            for _ in range(5)
        ]
        text = " ".join(sentences) if len(paragraphs) % 4 != 3 else "- " + "\n- ".join(sentences)
        paragraphs.append(text)
        size += len(text) + 2
    return "\n\n".join(paragraphs)[:length]


def bench_report_pdf_at_limits() -> None:
    """The demo report with every text at its limit (`web/inspections/text_limits.py`): the
    longest PDF the forms allow must render well inside the worker's 60 s timeout."""
    from yjinspect.web.standalone import _django

    with _django():
        from django.core.management import call_command

        from yjinspect.web.inspections import text_limits as limits
        from yjinspect.web.inspections.management.commands.load_demo import (
            SERVICE_NAME as DEMO_SERVICE,
        )
        from yjinspect.web.inspections.models import (
            Assessment,
            Inspection,
            Judgement,
            Recommendation,
            ReportText,
        )
        from yjinspect.web.inspections.views.report import pdf_bytes
        from yjinspect.web.inspections.views.texts import text_slots

        with open(os.devnull, "w") as quiet:
            call_command("load_demo", stdout=quiet)
        inspection = Inspection.objects.get(service_name=DEMO_SERVICE)
        lead = inspection.created_by
        slots = text_slots(inspection.framework.framework)
        for i, slot in enumerate(slots):
            ReportText.objects.update_or_create(
                inspection=inspection,
                key=slot.key,
                defaults={"text_en": _prose(limits.REPORT_TEXT, i), "updated_by": lead},
            )
        for j in Judgement.objects.filter(inspection=inspection):
            j.strengths = _prose(limits.JUDGEMENT_POINTS, 1)
            j.areas_for_improvement = _prose(limits.JUDGEMENT_POINTS, 2)
            j.save()
        Recommendation.objects.filter(inspection=inspection).delete()
        for k in range(limits.RECOMMENDATIONS_PER_REPORT):
            Recommendation.objects.create(
                inspection=inspection,
                addressed_to="The management board",
                text_en=_prose(limits.RECOMMENDATION, 100 + k),
                order=k,
                updated_by=lead,
            )
        examples = 0
        for a in Assessment.objects.filter(
            case__inspection=inspection, case__in_sample=True, kind="primary"
        ):
            a.practice_example = True
            a.practice_example_note = _prose(limits.PRACTICE_EXAMPLE, 1000 + a.pk)
            a.save()
            examples += 1
        started, cpu = time.perf_counter(), time.process_time()
        pdf = pdf_bytes(inspection)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"report: every text at its limit to PDF: {seconds * 1000:.0f} ms "
            f"({cpu * 1000:.0f} ms of CPU), {len(pdf) / 1e6:.1f} MB ("
            f"{len(slots)} texts, "
            f"{limits.RECOMMENDATIONS_PER_REPORT} recommendations, {examples} practice "
            "examples; the worker timeout is 60 s)"
        )


def main() -> None:
    bench_engine()
    bench_case_list()
    bench_report_pdf()
    bench_report_pdf_at_limits()


if __name__ == "__main__":
    main()
