"""The `yjinspect` command: the engine's main jobs without a browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from yjinspect.core import indicators
from yjinspect.core.caselist import (
    CANONICAL_COLUMNS,
    DEFAULT_MAX_BYTES,
    CaseListError,
    parse_case_list,
)
from yjinspect.core.legacy import AreaRating, WordOverride, rate_areas
from yjinspect.core.lists import OUT_OF_SCOPE, ListPreview, ListRow, Problem
from yjinspect.core.mapping import MAPPING_LIMITS, Mapping, MappingError
from yjinspect.core.populations import parse_population_list
from yjinspect.core.rating_files import (
    read_answers,
    read_area_words,
    read_item_answers,
    read_judgements,
)
from yjinspect.core.ratings import (
    Discretion,
    InspectionRating,
    Judgement,
    RatingInputError,
    RatingInputs,
    rate,
)
from yjinspect.frameworks import (
    Framework,
    FrameworkError,
    fingerprint,
    get_framework,
    load_framework_file,
    shipped_framework_paths,
    shipped_frameworks,
)
from yjinspect.frameworks.schema import Population, Sampling
from yjinspect.frameworks.workbook import load_workbook_file, template_workbook, write_workbook
from yjinspect.frameworks.yaml_writer import write_yaml
from yjinspect.limits import LimitExceeded, read_file


def _cmd_rate(args: argparse.Namespace) -> int:
    framework = get_framework(args.framework)
    if framework.scoring_model == "areas":
        return _rate_areas(framework, args)
    if args.optional_areas is not None:
        raise RatingInputError(f"{framework.ref} has no optional areas (--optional-areas)")
    counts = read_answers(Path(args.answers), framework)
    judgements: dict[str, Judgement] = {}
    discretion: dict[str, Discretion] = {}
    if args.judgements:
        judgements, discretion = read_judgements(Path(args.judgements), framework)
    result = rate(framework, RatingInputs(counts, judgements, discretion))
    problems = [f"{s.id}: {s.discretion_problem}" for s in result.standards if s.discretion_problem]
    if problems:
        raise RatingInputError(f"{args.judgements}: " + "; ".join(problems))
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_text(framework, result))
    return 0


def _rate_areas(framework: Framework, args: argparse.Namespace) -> int:
    """`rate` for an earlier programme (SQS, FJI, CCI): area scores and words."""
    answers = read_item_answers(Path(args.answers), framework)
    overrides: dict[str, WordOverride] = {}
    judged: dict[str, WordOverride] = {}
    if args.judgements:
        overrides, judged = read_area_words(Path(args.judgements), framework)
    chosen = None
    if args.optional_areas is not None:
        chosen = {a.strip() for a in args.optional_areas.split(",") if a.strip()}
    result = rate_areas(framework, answers.counts, overrides, judged, chosen, answers.cases)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_areas_text(framework, result))
    return 0


def _pct(value: Fraction | None) -> str:
    if value is None:
        return "n/a"
    return f"{int(value) if value.denominator == 1 else float(value)}%"


def format_areas_text(framework: Framework, result: AreaRating) -> str:
    """A plain table of an earlier programme's areas: score, counts, word, and the items."""
    lines = [f"{framework.title} ({framework.ref})", ""]
    for area in result.areas:
        if area.rating_method == "judgement":
            figure = "judged" if area.word_scale else "narrative"
        elif area.percent is None:
            figure = "no answers"
        else:
            figure = f"{area.percent_text} ({area.yes}/{area.applicable})"
            if area.interval:
                low, high = area.interval
                figure += f"  95% CI {low * 100:.0f}–{high * 100:.0f}%"
        if area.word or area.word_scale:
            word = area.word or "-"
        else:
            word = "no word (narrative)" if area.rating_method == "judgement" else "no word"
        mark = " *" if area.override_reason is not None else ""
        lines.append(f"{area.id:<4} {area.name:<38} {figure:<30} {word}{mark}")
        lines.append(f"       {area.explanation}")
        if area.interval_crosses_word:
            lines.append("       (the interval spans a word boundary: another sample could differ)")
        lines.extend(f"       note: {n}" for n in area.notes)
        if area.next_word:
            lines.append(f"       {area.next_word}")
        if area.score_sentence:
            lines.append(f"       {area.score_sentence}")
        for section in area.sections:
            pct = _pct(section.percent)
            lines.append(
                f"     § {section.id:<6} {pct:>5} ({section.yes}/{section.applicable})  "
                f"{section.name}"
            )
        unanswered = 0
        for item in area.items:
            if item.options is not None and sum(item.options.values()) == 0:
                unanswered += 1
            elif item.options is not None:
                given = ", ".join(f"{o} {n}" for o, n in item.options.items())
                lines.append(f"       {item.id:<7} recorded: {given}")
            elif item.yes + item.no + item.na == 0:
                unanswered += 1
            elif item.percent is None:
                lines.append(f"       {item.id:<7}   n/a (all {item.na} not applicable)")
            else:
                pooled = (
                    "" if item.pooled or area.rating_method == "judgement" else "  [not pooled]"
                )
                lines.append(
                    f"       {item.id:<7} {_pct(item.percent)}".ljust(20)
                    + f"({item.yes}/{item.relevant})  {item.phrase}{pooled}"
                )
        if unanswered:
            lines.append(f"       ({unanswered} item{'s' if unanswered != 1 else ''} not answered)")
    if result.optional_areas_left_out:
        lines += ["", "Optional areas not covered: " + ", ".join(result.optional_areas_left_out)]
    if any(a.override_reason is not None for a in result.areas):
        lines.append("* word chosen by the inspectors, not the score's band")
    return "\n".join(lines)


def format_text(framework: Framework, result: InspectionRating) -> str:
    """A plain table for the terminal: every standard, its figures and why it is rated so."""
    lines = [f"{framework.title} ({framework.ref})", ""]
    for std in result.standards:
        rating = std.rating.label if std.rating else framework.not_rated_label
        mark = " *" if std.discretion else ""
        lines.append(f"{std.id:<5} {std.name:<45} {rating}{mark}")
        for kq in std.key_questions:
            bold = ">" if kq.id == std.driving_key_question else " "
            if kq.rating_method == "judgement":
                judged = kq.band.label if kq.band else framework.not_rated_label
                lines.append(f"    {bold} {kq.id:<24} judged: {judged}")
                continue
            interval = (
                f"  95% CI {kq.interval[0] * 100:.0f}–{kq.interval[1] * 100:.0f}%"
                if kq.interval
                else ""
            )
            flag = (
                "  (a different sample could change the band)" if kq.interval_crosses_band else ""
            )
            counts = f"({kq.yes}/{kq.applicable})"
            lines.append(f"    {bold} {kq.id:<24} {kq.percent_text:>5} {counts}{interval}{flag}")
        lines.append(f"      {std.explanation}")
        if std.next_band:
            lines.append(f"      {std.next_band}")
    lines.append("")
    if result.has_score:  # a method that publishes no score gets no score line
        lines.append(
            f"Score: {result.score if result.score is not None else '-'}/{result.max_score}"
        )
    overall = result.overall_rating.label if result.overall_rating else "none"
    lines += [f"Overall rating: {overall}", result.overall_explanation]
    if framework.provisional:
        lines.append(framework.provisional_note)
    if any(s.discretion for s in result.standards):
        lines.append("* professional discretion applied")
    return "\n".join(lines)


def _cmd_frameworks(args: argparse.Namespace) -> int:
    if args.action in {"show", "check", "export"} and not args.id:
        needs = "a framework file" if args.action == "check" else "a framework id or file"
        print(f"yjinspect: error: 'frameworks {args.action}' needs {needs}", file=sys.stderr)
        return 2
    if args.action == "show":
        print(describe_framework(get_framework(args.id)))
        return 0
    if args.action == "check":
        return _check_framework(Path(args.id))
    if args.action == "export":
        return _export_framework(args.id, args.format, args.output)
    if args.action == "template":
        if not args.output:
            print("yjinspect: error: 'frameworks template' needs --output FILE", file=sys.stderr)
            return 2
        Path(args.output).write_bytes(template_workbook())
        print(f"wrote {args.output}")
        return 0
    for fw in shipped_frameworks():
        print(f"{fw.id:<20} v{fw.version}  {fw.title}  ({_size_text(fw)}, {fw.in_force})")
    return 0


def _size_text(fw: Framework) -> str:
    if fw.scoring_model == "areas":
        return f"{len(fw.areas)} areas, {len(fw.items)} items"
    return f"{len(fw.all_standards())} standards"


def _read_framework_file(path: Path) -> tuple[Framework, tuple[tuple[str, str], ...]]:
    """A framework file of either kind, with the Welsh pairs a workbook carries."""
    if path.suffix.lower() == ".xlsx":
        read = load_workbook_file(path)
        return read.framework, read.welsh
    return load_framework_file(path), ()


def _check_framework(path: Path) -> int:
    """`frameworks check FILE`: every problem, one a line, and exit 1; or one line and 0."""
    try:
        fw, welsh = _read_framework_file(path)
    except FrameworkError as exc:
        for problem in exc.problems:
            print(problem.located(str(path)))
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''}: {path} cannot be used as it is")
        return 1
    facts = [_size_text(fw)]
    if fw.scoring_model != "areas":
        facts.append(f"{len(fw.key_question_ids())} key questions")
    if welsh:
        facts.append(f"{len(welsh)} Welsh pairs")
    if fw.provisional:
        facts.append("provisional")
    print(f"{path}: {fw.ref} is valid ({', '.join(facts)}), fingerprint {fingerprint(fw)[:12]}")
    return 0


def _export_framework(id_or_path: str, format_: str, output: str | None) -> int:
    """`frameworks export ID`: a shipped framework (with its Welsh) or a file, as YAML or as
    a workbook."""
    welsh: tuple[tuple[str, str], ...] = ()
    if id_or_path in shipped_framework_paths():
        fw = get_framework(id_or_path)
        from yjinspect.reports.welsh import WELSH_DIR, read_welsh_file

        own = WELSH_DIR / f"{fw.id}.yaml"
        welsh = tuple(read_welsh_file(own)) if own.exists() else ()
    else:
        fw, welsh = _read_framework_file(Path(id_or_path))
    if format_ == "yaml":
        text = write_yaml(fw)
        if output is None:
            sys.stdout.write(text)
            return 0
        Path(output).write_text(text, encoding="utf-8")
    else:
        output = output or f"{fw.id}.xlsx"
        Path(output).write_bytes(write_workbook(fw, welsh))
    print(f"wrote {output}")
    return 0


def describe_areas_framework(fw: Framework) -> str:
    """The tree of an earlier programme: word scales, areas, and the items each pools."""
    lines = [
        f"{fw.title}  [{fw.ref}, fingerprint {fingerprint(fw)[:12]}]",
        "Score: Yes / (Yes + No) pooled over an area's items and cases, N/A left out; "
        f"words on the {fw.word_banding_basis} percentage",
    ]
    for name, bands in fw.word_scales.items():
        lines.append(
            f"Words ({name}): " + ", ".join(f"{b.word} >= {b.min_percent}%" for b in bands)
        )
    lines.append("")
    for area in fw.areas:
        facts: list[str] = [area.rating_method]
        if area.optional:
            facts.append("optional")
        if area.word_scale:
            facts.append(f"words: {area.word_scale}")
        elif area.rating_method == "cases" and not area.score_published:
            facts.append("no published score or word")
        lines.append(f"{area.id} {area.name}  ({', '.join(facts)})")
        if area.items:
            lines.append(f"  pools: {', '.join(area.items)}")
        for section in area.sections:
            lines.append(f"  § {section.id} {section.name}: {', '.join(section.items)}")
        for item in (i for i in fw.items if i.area == area.id):  # others: under their own area
            extra = f" (recorded: {' / '.join(item.options)})" if item.kind == "recorded" else ""
            when = f"  [N/A when {item.na_when}]" if item.na_when else ""
            lines.append(f"    {item.id}: {item.text}{extra}{when}")
        lines.extend(f"    * {t}" for t in area.themes)
    return "\n".join(lines)


def describe_framework(fw: Framework) -> str:
    if fw.scoring_model == "areas":
        return describe_areas_framework(fw)
    lines = [f"{fw.title}  [{fw.ref}, fingerprint {fingerprint(fw)[:12]}]"]
    if fw.provisional:
        lines.append(fw.provisional_note)
    lines.append("Bands: " + ", ".join(f"{b.rating} >= {b.min_percent}%" for b in fw.case_bands))
    table = fw.overall_table
    if table.method == "points_average":
        lines.append(
            "Overall (average points of the rated standards, no score): "
            + ", ".join(f"{b.rating} >= {b.min_average}" for b in table.bands)
        )
    else:
        lines.append(
            f"Overall (max {table.max_score}): "
            + ", ".join(f"{b.rating} >= {b.min_score}" for b in table.bands)
        )
    if fw.populations:
        samples = fw.population_sampling()
        lines.append(
            "Populations: " + "; ".join(_population_text(p, samples[p.id]) for p in fw.populations)
        )
    lines.append("")
    for domain in fw.domains:
        lines.append(f"{domain.id}. {domain.name}")
        for std in domain.standards:
            extra = "" if std.scored else ", not scored"
            if fw.populations and std.rating_method == "cases":
                extra += f", {std.population}'s cases"
            lines.append(f"  {std.id} {std.name}  ({std.rating_method}{extra})")
            for kq in std.key_questions:
                judged = " (judged)" if kq.rating_method == "judgement" else ""
                lines.append(f"    {std.question_id(kq)}{judged}: {kq.text}")
                lines.extend(f"      - {p}" for p in kq.prompts)
            lines.extend(f"    * {t}" for t in std.themes)
    return "\n".join(lines)


def _population_text(population: Population, sampling: Sampling) -> str:
    """'victims (Victims' cases, 9-24 cases)'."""
    low = sampling.minimum if sampling.minimum is not None else "any"
    high = sampling.maximum if sampling.maximum is not None else "all"
    return f"{population.id} ({population.label}, {low}–{high} cases)"


def _read_mapping(path: str | None) -> Mapping | None:
    """The mapping a person gives with --mapping, or None; a bad file is an error (exit 2)."""
    if path is None:
        return None
    try:
        data = read_file(path, MAPPING_LIMITS.max_bytes, "the mapping file")
    except OSError as exc:
        raise MappingError(f"cannot read {path}: {exc.strerror}") from None
    except LimitExceeded as exc:
        raise MappingError(str(exc)) from None
    return Mapping.from_json(data)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _case_dict(row: object) -> dict[str, object]:
    """A row that would be imported, as JSON: its row number and its values."""
    if isinstance(row, ListRow):
        return {"row": row.row, **{k: _json_value(v) for k, v in row.values.items()}}
    assert is_dataclass(row) and not isinstance(row, type)
    return {f.name: _json_value(getattr(row, f.name)) for f in fields(row)}


def caselist_json(filename: str, preview: ListPreview[Any]) -> dict[str, object]:
    """`caselist check --format json`: the mapping used (our column -> the file's heading),
    every problem (row as the spreadsheet numbers it), the rows that would be imported, the
    notes; and what a mapping still needs (unknown values, unrecognised headings)."""
    return {
        "file": filename,
        "list": preview.list_id,
        "mapping": preview.columns,
        "problems": [
            {
                "row": p.row,
                "column": p.column,
                "value": p.value,
                "message": p.message,
                "heading": p.heading,
            }
            for p in preview.problems
        ],
        "cases": [_case_dict(row) for row in preview.rows],
        "notes": list(preview.notices),
        "unknown_values": [
            {
                "column": u.column,
                "value": u.value,
                "rows": u.rows,
                "first_row": u.first_row,
                "suggestion": None if u.suggestion == OUT_OF_SCOPE else u.suggestion,
                "out_of_scope": u.suggestion == OUT_OF_SCOPE,
            }
            for u in preview.unknown_values
        ],
        "headings": [
            {"heading": h.heading, "column": h.column, "guess": h.guess, "samples": list(h.samples)}
            for h in preview.headings
            if not h.refused
        ],
    }


def _problem_line(problem: Problem) -> str:
    where = f"row {problem.row}" if problem.row is not None else "the file"
    if problem.column:
        where += f", {problem.column}"
        if problem.heading and problem.heading != problem.column:
            where += f" ({problem.heading!r})"
    value = f", {problem.value!r}" if problem.value else ""
    return f"  {where}{value}: {problem.message}"


def caselist_text(filename: str, preview: ListPreview[Any], spec_columns: Sequence[str]) -> str:
    """`caselist check`: what would be imported, the mapping used and every problem."""
    count = len(preview.problems)
    lines = [
        f"{filename}: {len(preview.rows)} case{'s' if len(preview.rows) != 1 else ''} would be "
        f"imported; {count} problem{'s' if count != 1 else ''}"
        + (" (nothing can be imported until they are fixed)" if count else ""),
        "",
        "Mapping used (our column <- the file's heading):",
    ]
    used = preview.columns
    for column in spec_columns:
        heading = used.get(column)
        lines.append(
            f"  {column:<18} " + (f"<- {heading!r}" if heading else "   (not in the file)")
        )
    unused = [h for h in preview.headings if h.column is None and not h.refused]
    if unused:
        lines += ["", "Headings not used:"]
        for h in unused:
            guess = f": perhaps {h.guess}" if h.guess else ""
            samples = f" (e.g. {', '.join(h.samples)})" if h.samples else ""
            lines.append(f"  {h.heading!r}{guess}{samples}")
    if preview.notices:
        lines += ["", "Notes:", *(f"  {n}" for n in preview.notices)]
    if preview.problems:
        lines += ["", "Problems:", *(_problem_line(p) for p in preview.problems)]
    if preview.unknown_values:
        lines += ["", "Values not recognised (give each a code in the mapping):"]
        for u in preview.unknown_values:
            hint = (
                "; out of scope?"
                if u.suggestion == OUT_OF_SCOPE
                else f"; perhaps {u.suggestion}"
                if u.suggestion
                else ""
            )
            rows = f"{u.rows} row{'s' if u.rows != 1 else ''}"
            lines.append(f"  {u.column} {u.value!r}: {rows}, first row {u.first_row}{hint}")
    return "\n".join(lines)


def _cmd_caselist(args: argparse.Namespace) -> int:
    """`caselist check FILE`: the web app's reader on an export before it is uploaded."""
    try:
        mapping = _read_mapping(args.mapping)
    except MappingError as exc:
        print(f"yjinspect: error: {args.mapping}: {exc}", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        data = read_file(path, DEFAULT_MAX_BYTES, "the file")
    except OSError as exc:
        print(f"yjinspect: error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    except LimitExceeded as exc:
        data, refusal = b"", str(exc)
    else:
        refusal = ""
    columns: Sequence[str]
    if args.list == "children":
        columns = CANONICAL_COLUMNS
    else:
        population = get_framework(args.framework).population(args.list)
        columns = [c.id for c in population.columns]
    try:
        if refusal:
            raise CaseListError(refusal)
        if args.list == "children":
            preview: ListPreview[Any] = parse_case_list(data, path.name, mapping=mapping)
        else:
            preview = parse_population_list(data, path.name, population, mapping=mapping)
    except CaseListError as exc:
        problem = Problem(None, None, "", str(exc))
        preview = ListPreview([], [problem], {}, [], [], list_id=args.list)
    if args.save_mapping:
        Path(args.save_mapping).write_text(preview.suggested_mapping().to_json(), encoding="utf-8")
        print(f"wrote {args.save_mapping}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(caselist_json(path.name, preview), indent=2, ensure_ascii=False))
    else:
        print(caselist_text(path.name, preview, columns))
    return 1 if preview.problems else 0


def _cmd_indicators(args: argparse.Namespace) -> int:
    """Outcome indicators (FTE, custody, proven reoffending) from CASES.csv and POP.csv."""
    try:
        period = indicators.parse_period(args.period)
        cohort = indicators.parse_period(args.cohort) if args.cohort else None
        as_of = date.fromisoformat(args.as_of) if args.as_of else datetime.now(UTC).date()
        rules = indicators.Rules(
            follow_up_months=args.follow_up_months, waiting_months=args.waiting_months
        )
        comparators = indicators.parse_comparators(args.compare) if args.compare else {}
        population = indicators.read_population(Path(args.population))
        mapping = _read_mapping(args.mapping)
        cases = indicators.read_cases(Path(args.cases), rules, mapping=mapping)
        results = indicators.compute_indicators(
            cases, population, period, cohort, comparators, rules, as_of
        )
    except (indicators.IndicatorInputError, MappingError, ValueError) as exc:
        print(f"yjinspect: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({r.key: r.to_dict() for r in results}, indent=2, ensure_ascii=False))
    else:
        print(indicators.format_text(results))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yjinspect", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_rate = sub.add_parser("rate", help="rate an inspection from answers and judgements")
    p_rate.add_argument("framework", help="a shipped framework id or a framework YAML file")
    p_rate.add_argument("answers", help="ANSWERS.csv (per answer or per key question)")
    p_rate.add_argument(
        "--judgements",
        help="JUDGEMENTS.csv: standard,rating,reason (earlier programmes: area,word,reason)",
    )
    p_rate.add_argument("--format", choices=["text", "json"], default="text")
    p_rate.add_argument(
        "--optional-areas",
        metavar="IDS",
        help="earlier programmes: the optional areas covered, comma-separated (e.g. INT); "
        "by default those with answers or a word",
    )
    p_rate.set_defaults(func=_cmd_rate)
    p_fw = sub.add_parser(
        "frameworks",
        help="list the shipped frameworks; show, check or export one; write a template workbook",
    )
    p_fw.add_argument(
        "action", nargs="?", choices=["list", "show", "check", "export", "template"], default="list"
    )
    p_fw.add_argument(
        "id", nargs="?", help="a shipped framework id, or a framework file (YAML or .xlsx)"
    )
    p_fw.add_argument(
        "--format", choices=["yaml", "xlsx"], default="yaml", help="export: the file's kind"
    )
    p_fw.add_argument(
        "-o",
        "--output",
        help="export: the file to write (YAML: standard output when not given; workbook: "
        "ID.xlsx); template: the workbook to write",
    )
    p_fw.set_defaults(func=_cmd_frameworks)
    p_ind = sub.add_parser(
        "indicators", help="first-time entrants, custody and proven reoffending from case records"
    )
    p_ind.add_argument("cases", help="CASES.csv: one row per proven offence and its disposal")
    p_ind.add_argument(
        "--population", required=True, help="POP.csv: age,population or area,population_10_17"
    )
    p_ind.add_argument(
        "--period", required=True, help="START:END, both days included (e.g. 2023-04-01:2024-03-31)"
    )
    p_ind.add_argument("--cohort", help="reoffending cohort period START:END (default: --period)")
    p_ind.add_argument("--follow-up-months", type=int, default=12)
    p_ind.add_argument("--waiting-months", type=int, default=6)
    p_ind.add_argument("--as-of", help="date to judge a reoffending figure provisional (today)")
    p_ind.add_argument(
        "--compare", help="national figures: fte=180.5,reoffending=32.2,custody=0.07 or a CSV"
    )
    p_ind.add_argument(
        "--mapping", help="the service's saved mapping for its outcome records (JSON)"
    )
    p_ind.add_argument("--format", choices=["text", "json"], default="text")
    p_ind.set_defaults(func=_cmd_indicators)
    p_cl = sub.add_parser(
        "caselist",
        help="check a case list export as the web app would read it, before uploading it",
    )
    p_cl.add_argument("action", choices=["check"])
    p_cl.add_argument("file", help="the export: .csv or .xlsx")
    p_cl.add_argument("--mapping", help="the service's saved mapping (JSON), from the web app")
    p_cl.add_argument("--format", choices=["text", "json"], default="text")
    p_cl.add_argument(
        "--list",
        default="children",
        help="children (the case list) or another population's list, such as victims",
    )
    p_cl.add_argument(
        "--framework",
        default="hmip-youth-2025",
        help="for another population's list: the framework that gives its columns",
    )
    p_cl.add_argument(
        "--save-mapping",
        metavar="FILE",
        help="write the mapping used, completed with our guesses, to check and re-use",
    )
    p_cl.set_defaults(func=_cmd_caselist)
    p_rep = sub.add_parser("report", help="write an inspection export's report (PDF or HTML)")
    p_rep.add_argument("archive", help="INSPECTION_EXPORT.zip (from the web app or `demo`)")
    p_rep.add_argument("--format", choices=["pdf", "html"], default="pdf")
    p_rep.add_argument("--lang", choices=["en", "cy"], default="en")
    p_rep.add_argument("-o", "--output", required=True, help="the file to write")
    p_rep.set_defaults(func=_cmd_report)
    p_demo = sub.add_parser("demo", help="build the demo inspection and write its report")
    p_demo.add_argument("-o", "--output", required=True, help="a folder for the files")
    p_demo.set_defaults(func=_cmd_demo)
    return parser


def _cmd_report(args: argparse.Namespace) -> int:
    from yjinspect.web.standalone import StandaloneError, report_from_archive

    try:
        written = report_from_archive(Path(args.archive), args.format, args.lang, Path(args.output))
    except StandaloneError as exc:
        print(f"yjinspect: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {written}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from yjinspect.web.standalone import build_demo

    for written in build_demo(Path(args.output)):
        print(f"wrote {written}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (FrameworkError, RatingInputError) as exc:
        print(f"yjinspect: error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
