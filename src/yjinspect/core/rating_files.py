"""Read the CSV files `yjinspect rate` takes, refusing anything it would have to guess.

ANSWERS.csv comes in two shapes, told apart by the header:
  * one row per answer:        case_ref,key_question,answer   (answer: yes / no / na)
  * one row per key question:  key_question,yes,no[,na]       (counts, e.g. from a report)
JUDGEMENTS.csv has standard,rating,reason. For an evidence-rated standard the row is the
inspectors' judgement; for a case-rated standard it is a professional-discretion override.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from yjinspect.frameworks.schema import Framework

from .ratings import Answer, Counts, Discretion, Judgement, RatingInputError, tally

ANSWER_WORDS = {"yes": Answer.YES, "no": Answer.NO, "na": Answer.NA, "n/a": Answer.NA}


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RatingInputError(f"{path}: cannot read: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise RatingInputError(f"{path}: the file is empty")
    reader.fieldnames = header

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in reader:
            if None in row:
                raise RatingInputError(f"{path} row {reader.line_num}: more cells than headers")
            clean = {k: (v or "").strip() for k, v in row.items()}
            if any(clean.values()):
                yield reader.line_num, clean

    return header, rows()


def read_answers(path: Path, framework: Framework) -> dict[str, Counts]:
    """Key-question counts from either shape of ANSWERS.csv."""
    header, rows = _rows(path)
    known = set(framework.key_question_ids())
    if {"case_ref", "key_question", "answer"} <= set(header):
        triples = []
        for line, row in rows:
            kq, word = row["key_question"], row["answer"].lower()
            if not row["case_ref"]:
                raise RatingInputError(f"{path} row {line}: case_ref is blank")
            if kq not in known:
                raise RatingInputError(f"{path} row {line}: unknown key question '{kq}'")
            if word not in ANSWER_WORDS:
                raise RatingInputError(
                    f"{path} row {line}: answer '{row['answer']}' is not yes, no or na"
                )
            triples.append((row["case_ref"], kq, ANSWER_WORDS[word], line))
        seen: dict[tuple[str, str], int] = {}
        for case_ref, kq, _, line in triples:
            if (case_ref, kq) in seen:
                raise RatingInputError(
                    f"{path} row {line}: case {case_ref} already answered {kq} "
                    f"at row {seen[(case_ref, kq)]}"
                )
            seen[(case_ref, kq)] = line
        return tally(framework, ((c, k, a) for c, k, a, _ in triples))
    if {"key_question", "yes", "no"} <= set(header):
        counts: dict[str, Counts] = {}
        for line, row in rows:
            kq = row["key_question"]
            if kq not in known:
                raise RatingInputError(f"{path} row {line}: unknown key question '{kq}'")
            if kq in counts:
                raise RatingInputError(f"{path} row {line}: {kq} is listed twice")
            numbers = []
            for column in ("yes", "no", "na"):
                cell = row.get(column, "") or ("0" if column == "na" else "")
                if not cell.isdigit():
                    raise RatingInputError(
                        f"{path} row {line}: {column} '{cell}' is not a whole number"
                    )
                numbers.append(int(cell))
            counts[kq] = Counts(*numbers)
        return counts
    raise RatingInputError(
        f"{path}: header must be 'case_ref,key_question,answer' or 'key_question,yes,no'; "
        f"found '{','.join(header)}'"
    )


def read_judgements(
    path: Path, framework: Framework
) -> tuple[dict[str, Judgement], dict[str, Discretion]]:
    """Judgements for evidence-rated standards and discretion for case-rated ones."""
    header, rows = _rows(path)
    missing = {"standard", "rating", "reason"} - set(header)
    if missing:
        raise RatingInputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    standards = {s.id: s for s in framework.all_standards()}
    judgements: dict[str, Judgement] = {}
    discretion: dict[str, Discretion] = {}
    for line, row in rows:
        sid, word, reason = row["standard"], row["rating"], row["reason"]
        where = f"{path} row {line}"
        if sid not in standards:
            raise RatingInputError(f"{where}: unknown standard '{sid}'")
        if sid in judgements or sid in discretion:
            raise RatingInputError(f"{where}: standard {sid} is listed twice")
        not_rated = word.casefold() == framework.not_rated_label.casefold()
        rating = framework.rating_by_label(word)
        if rating is None and not not_rated:
            allowed = ", ".join([r.label for r in framework.ratings] + [framework.not_rated_label])
            raise RatingInputError(f"{where}: rating '{word}' is not one of {allowed}")
        if standards[sid].rating_method == "judgement":
            judgements[sid] = Judgement(sid, None if rating is None else rating.id, reason)
            continue
        if rating is None:
            raise RatingInputError(
                f"{where}: {sid} is rated from its cases; 'Not rated' cannot be set by hand"
            )
        if framework.discretion.reason_required and not reason:
            raise RatingInputError(
                f"{where}: professional discretion on {sid} needs a reason in the reason column"
            )
        discretion[sid] = Discretion(sid, rating.id, reason)
    return judgements, discretion
