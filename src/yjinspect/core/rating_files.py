"""Read the CSV files `yjinspect rate` takes, refusing anything it would have to guess.

ANSWERS.csv comes in two shapes, told apart by the header:
  * one row per answer:        case_ref,key_question,answer   (answer: yes / no / na)
  * one row per key question:  key_question,yes,no[,na]       (counts, e.g. from a report)
JUDGEMENTS.csv has standard,rating,reason. For an evidence-rated standard the row is the
inspectors' judgement; for a case-rated standard it is a professional-discretion override; for
a judged key question (2025 V1.2, named in the standard column) it is the judgement of it.

The earlier programmes (`scoring_model: areas`: SQS, FJI, CCI) take the same two shapes with
`item` for the column name (`key_question` is accepted too):
  * case_ref,item,answer   (scored items: yes / no / na; recorded items: one of their options)
  * item,yes,no[,na]       (scored items only)
and AREAS.csv `area,word,reason`: for a scored area a different word from the score's (a
reason is required), for a judgement area (FJI governance) the judged word.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from yjinspect.frameworks.schema import Framework
from yjinspect.limits import MB, CsvLimits, LimitExceeded, csv_rows, read_file

from .legacy import (
    ItemCounts,
    WordOverride,
    canonical_word,
    option_for,
    scale_words,
    tally_items,
)
from .ratings import Answer, Counts, Discretion, Judgement, RatingInputError, tally

ANSWER_WORDS = {"yes": Answer.YES, "no": Answer.NO, "na": Answer.NA, "n/a": Answer.NA}


# One answer a row: 6,000 cases of 40 key questions is 240,000 rows of about 20 bytes each.
LIMITS = CsvLimits(max_bytes=20 * MB, max_rows=500_000, max_cells=50, max_line=65_536)


def _rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the non-blank rows by row number, read within LIMITS; every problem
    reading the file is a RatingInputError naming it."""
    try:
        text = read_file(path, LIMITS.max_bytes, "the file").decode("utf-8-sig")
        records = csv_rows(text, LIMITS, "the file")
        first = next(records, [])
    except (OSError, UnicodeDecodeError) as exc:
        raise RatingInputError(f"{path}: cannot read: {exc}") from exc
    except (LimitExceeded, csv.Error) as exc:
        raise RatingInputError(f"{path}: {exc}") from None
    header = [h.strip().lower() for h in first]
    if not header:
        raise RatingInputError(f"{path}: the file is empty")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1
        try:
            for number, cells in enumerate(records, start=2):
                if len(cells) > len(header):
                    raise RatingInputError(f"{path} row {number}: more cells than headers")
                clean = {
                    h: (cells[i] if i < len(cells) else "").strip() for i, h in enumerate(header)
                }
                if any(clean.values()):
                    yield number, clean
        except LimitExceeded as exc:
            raise RatingInputError(f"{path}: {exc}") from None
        except csv.Error as exc:
            raise RatingInputError(f"{path} row {number + 1}: not valid CSV: {exc}") from None

    return header, rows()


def read_answers(path: Path, framework: Framework) -> dict[str, Counts]:
    """Key-question counts from either shape of ANSWERS.csv."""
    header, rows = _rows(path)
    known = set(framework.case_question_ids())
    judged = set(framework.judged_question_ids())
    if {"case_ref", "key_question", "answer"} <= set(header):
        triples = []
        for line, row in rows:
            kq, word = row["key_question"], row["answer"].lower()
            if not row["case_ref"]:
                raise RatingInputError(f"{path} row {line}: case_ref is blank")
            if kq in judged:
                raise RatingInputError(f"{path} row {line}: {_judged_elsewhere(kq)}")
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
            if kq in judged:
                raise RatingInputError(f"{path} row {line}: {_judged_elsewhere(kq)}")
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


def _judged_elsewhere(kq_id: str) -> str:
    return (
        f"{kq_id} is judged by the inspectors, not answered per case: give its rating in "
        "JUDGEMENTS.csv (--judgements)"
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
    judged = set(framework.judged_question_ids())
    judgements: dict[str, Judgement] = {}
    discretion: dict[str, Discretion] = {}
    for line, row in rows:
        sid, word, reason = row["standard"], row["rating"], row["reason"]
        where = f"{path} row {line}"
        if sid not in standards and sid not in judged:
            raise RatingInputError(f"{where}: unknown standard '{sid}'")
        if sid in judgements or sid in discretion:
            raise RatingInputError(f"{where}: standard {sid} is listed twice")
        not_rated = word.casefold() == framework.not_rated_label.casefold()
        rating = framework.rating_by_label(word)
        if rating is None and not not_rated:
            allowed = ", ".join([r.label for r in framework.ratings] + [framework.not_rated_label])
            raise RatingInputError(f"{where}: rating '{word}' is not one of {allowed}")
        if sid in judged or standards[sid].rating_method == "judgement":
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


# ---------------------------------------------------------------- earlier programmes (areas)


@dataclass(frozen=True)
class ItemAnswers:
    """Item counts from ANSWERS.csv, and how many cases were read when the file says so."""

    counts: dict[str, ItemCounts]
    cases: int | None  # distinct case refs (per-answer form only), for '9 of the 14 cases'


def _item_column(header: list[str]) -> str | None:
    return next((c for c in ("item", "key_question") if c in header), None)


def read_item_answers(path: Path, framework: Framework) -> ItemAnswers:
    """Item counts for an earlier-programme framework from either shape of ANSWERS.csv."""
    header, rows = _rows(path)
    column = _item_column(header)
    items = {i.id: i for i in framework.items}
    if column and {"case_ref", "answer"} <= set(header):
        triples: list[tuple[str, str, str]] = []
        seen: dict[tuple[str, str], int] = {}
        cases: set[str] = set()
        for line, row in rows:
            where = f"{path} row {line}"
            case_ref, item_id, answer = row["case_ref"], row[column], row["answer"]
            if not case_ref:
                raise RatingInputError(f"{where}: case_ref is blank")
            item = items.get(item_id)
            if item is None:
                raise RatingInputError(f"{where}: unknown item '{item_id}' for {framework.ref}")
            if item.kind == "scored":
                if answer.lower() not in ANSWER_WORDS:
                    raise RatingInputError(f"{where}: answer '{answer}' is not yes, no or na")
                answer = ANSWER_WORDS[answer.lower()].value
            else:
                option = option_for(item, answer)
                if option is None:
                    raise RatingInputError(
                        f"{where}: answer '{answer}' for {item_id} is not one of "
                        f"{', '.join(item.options)}"
                    )
                answer = option
            if (case_ref, item_id) in seen:
                raise RatingInputError(
                    f"{where}: case {case_ref} already answered {item_id} "
                    f"at row {seen[(case_ref, item_id)]}"
                )
            seen[(case_ref, item_id)] = line
            if item.counted == "cases":
                cases.add(case_ref)
            triples.append((case_ref, item_id, answer))
        return ItemAnswers(tally_items(framework, triples), len(cases))
    if column and {"yes", "no"} <= set(header):
        counts: dict[str, ItemCounts] = {}
        for line, row in rows:
            where = f"{path} row {line}"
            item_id = row[column]
            item = items.get(item_id)
            if item is None:
                raise RatingInputError(f"{where}: unknown item '{item_id}' for {framework.ref}")
            if item.kind != "scored":
                raise RatingInputError(
                    f"{where}: {item_id} is a recorded item ({', '.join(item.options)}); "
                    "give its answers per case (case_ref,item,answer)"
                )
            if item_id in counts:
                raise RatingInputError(f"{where}: {item_id} is listed twice")
            numbers = []
            for name in ("yes", "no", "na"):
                cell = row.get(name, "") or ("0" if name == "na" else "")
                if not cell.isdigit():
                    raise RatingInputError(f"{where}: {name} '{cell}' is not a whole number")
                numbers.append(int(cell))
            counts[item_id] = Counts(*numbers)
        return ItemAnswers(counts, None)
    raise RatingInputError(
        f"{path}: header must be 'case_ref,item,answer' or 'item,yes,no' for {framework.ref}; "
        f"found '{','.join(header)}'"
    )


def read_area_words(
    path: Path, framework: Framework
) -> tuple[dict[str, WordOverride], dict[str, WordOverride]]:
    """Word overrides for scored areas and judged words for judgement areas, from
    `area,word,reason` (or `standard,rating,reason`)."""
    header, rows = _rows(path)
    if {"area", "word", "reason"} <= set(header):
        a_col, w_col = "area", "word"
    elif {"standard", "rating", "reason"} <= set(header):
        a_col, w_col = "standard", "rating"
    else:
        raise RatingInputError(
            f"{path}: header must be 'area,word,reason'; found '{','.join(header)}'"
        )
    areas = {a.id: a for a in framework.areas}
    overrides: dict[str, WordOverride] = {}
    judged: dict[str, WordOverride] = {}
    for line, row in rows:
        where = f"{path} row {line}"
        area_id, word, reason = row[a_col], row[w_col], row["reason"]
        area = areas.get(area_id)
        if area is None:
            raise RatingInputError(f"{where}: unknown area '{area_id}' for {framework.ref}")
        if area_id in overrides or area_id in judged:
            raise RatingInputError(f"{where}: area {area_id} is listed twice")
        words = scale_words(framework, area_id)
        if not words:
            raise RatingInputError(
                f"{where}: {area_id} takes no word in {framework.ref} (reported as counts "
                "and narrative)"
            )
        canonical = canonical_word(framework, area_id, word)
        if canonical is None:
            raise RatingInputError(f"{where}: word '{word}' is not one of {', '.join(words)}")
        if area.rating_method == "judgement":
            judged[area_id] = WordOverride(canonical, reason)
            continue
        if framework.word_override_requires_reason and not reason:
            raise RatingInputError(
                f"{where}: a word for {area_id} other than its score's needs a reason in the "
                "reason column"
            )
        overrides[area_id] = WordOverride(canonical, reason)
    return overrides, judged
