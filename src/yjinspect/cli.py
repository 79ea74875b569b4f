"""The `yjinspect` command: the engine's main jobs without a browser."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from yjinspect.core.rating_files import read_answers, read_judgements
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
    shipped_frameworks,
)


def _cmd_rate(args: argparse.Namespace) -> int:
    framework = get_framework(args.framework)
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


def format_text(framework: Framework, result: InspectionRating) -> str:
    """A plain table for the terminal: every standard, its figures and why it is rated so."""
    lines = [f"{framework.title} ({framework.ref})", ""]
    for std in result.standards:
        rating = std.rating.label if std.rating else framework.not_rated_label
        mark = " *" if std.discretion else ""
        lines.append(f"{std.id:<5} {std.name:<45} {rating}{mark}")
        for kq in std.key_questions:
            bold = ">" if kq.id == std.driving_key_question else " "
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
    lines += ["", f"Score: {result.score if result.score is not None else '-'}/{result.max_score}"]
    overall = result.overall_rating.label if result.overall_rating else "none"
    lines += [f"Overall rating: {overall}", result.overall_explanation]
    if any(s.discretion for s in result.standards):
        lines.append("* professional discretion applied")
    return "\n".join(lines)


def _cmd_frameworks(args: argparse.Namespace) -> int:
    if args.action == "show":
        if not args.id:
            print("yjinspect: error: 'frameworks show' needs a framework id", file=sys.stderr)
            return 2
        print(describe_framework(get_framework(args.id)))
        return 0
    for fw in shipped_frameworks():
        standards = len(fw.all_standards())
        print(f"{fw.id:<18} v{fw.version}  {fw.title}  ({standards} standards, {fw.in_force})")
    return 0


def describe_framework(fw: Framework) -> str:
    lines = [
        f"{fw.title}  [{fw.ref}, fingerprint {fingerprint(fw)[:12]}]",
        "Bands: " + ", ".join(f"{b.rating} >= {b.min_percent}%" for b in fw.case_bands),
        f"Overall (max {fw.overall.max_score}): "
        + ", ".join(f"{b.rating} >= {b.min_score}" for b in fw.overall.bands),
        "",
    ]
    for domain in fw.domains:
        lines.append(f"{domain.id}. {domain.name}")
        for std in domain.standards:
            extra = "" if std.scored else ", not scored"
            lines.append(f"  {std.id} {std.name}  ({std.rating_method}{extra})")
            for kq in std.key_questions:
                lines.append(f"    {std.id}.{kq.lens}: {kq.text}")
                lines.extend(f"      - {p}" for p in kq.prompts)
            lines.extend(f"    * {t}" for t in std.themes)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yjinspect", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_rate = sub.add_parser("rate", help="rate an inspection from answers and judgements")
    p_rate.add_argument("framework", help="a shipped framework id or a framework YAML file")
    p_rate.add_argument("answers", help="ANSWERS.csv (per answer or per key question)")
    p_rate.add_argument("--judgements", help="JUDGEMENTS.csv: standard,rating,reason")
    p_rate.add_argument("--format", choices=["text", "json"], default="text")
    p_rate.set_defaults(func=_cmd_rate)
    p_fw = sub.add_parser("frameworks", help="list shipped frameworks, or show one")
    p_fw.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p_fw.add_argument("id", nargs="?")
    p_fw.set_defaults(func=_cmd_frameworks)
    return parser


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
