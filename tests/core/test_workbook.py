"""Frameworks written in a workbook: the same Framework as the YAML, every problem by sheet,
row and column, a template, the YAML writer, and the limits that refuse a bomb."""

from __future__ import annotations

import io
import time
import types
import typing
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from pydantic import BaseModel

from yjinspect.frameworks import (
    FrameworkError,
    fingerprint,
    get_framework,
    parse_framework,
    shipped_framework_paths,
)
from yjinspect.frameworks.schema import Framework
from yjinspect.frameworks.workbook import (
    MAX_ROWS,
    SHEET,
    SHEETS,
    covered_fields,
    read_workbook,
    template_workbook,
    write_workbook,
)
from yjinspect.frameworks.yaml_writer import write_yaml
from yjinspect.reports.welsh import WELSH_DIR, read_welsh_file

SHIPPED = sorted(shipped_framework_paths())


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _edited(framework_id: str, **cells: Any) -> bytes:
    """The shipped framework's workbook with cells changed: Sheet__A1=value ('_' for ' ')."""
    book = _book(write_workbook(get_framework(framework_id)))
    for where, value in cells.items():
        sheet, cell = where.split("__")
        book[sheet.replace("_", " ")][cell] = value
    return _bytes(book)


def _problems(data: bytes) -> list[str]:
    with pytest.raises(FrameworkError) as info:
        read_workbook(data, "local.xlsx")
    return str(info.value).splitlines()


# ---------------------------------------------------------------- the same framework


@pytest.mark.parametrize("framework_id", SHIPPED)
def test_yaml_to_workbook_to_yaml_keeps_every_shipped_fingerprint(framework_id: str) -> None:
    fw = get_framework(framework_id)
    welsh = tuple(read_welsh_file(WELSH_DIR / f"{framework_id}.yaml"))
    read = read_workbook(write_workbook(fw, welsh), f"{framework_id}.xlsx")
    assert fingerprint(read.framework) == fingerprint(fw)
    assert read.framework == fw
    assert read.welsh == welsh  # the Welsh sheet travels with the workbook
    again = parse_framework(write_yaml(read.framework), "written.yaml")
    assert fingerprint(again) == fingerprint(fw)


@pytest.mark.parametrize("framework_id", SHIPPED)
def test_the_yaml_writer_gives_a_file_the_loader_reads_back_the_same(framework_id: str) -> None:
    fw = get_framework(framework_id)
    text = write_yaml(fw)
    assert fingerprint(parse_framework(text)) == fingerprint(fw)
    events = list(yaml.parse(text))
    assert not any(isinstance(e, yaml.AliasEvent) for e in events)  # none for the limits to count
    assert f"# Fingerprint {fingerprint(fw)}." in text


def _schema_fields(model: type[BaseModel], seen: set[str]) -> set[str]:
    """Every 'Model.field' reachable from `model`."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        found.add(f"{model.__name__}.{name}")
        stack: list[Any] = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if annotation.__name__ not in seen:
                    seen.add(annotation.__name__)
                    found |= _schema_fields(annotation, seen)
            elif typing.get_origin(annotation) in (
                list,
                tuple,
                dict,
                types.UnionType,
                typing.Union,
            ):
                stack.extend(typing.get_args(annotation))
    return found


def test_every_schema_field_has_a_place_in_the_workbook() -> None:
    """A field added to the schema without a sheet or column would silently be lost on the
    way through a workbook; this fails first."""
    assert _schema_fields(Framework, {"Framework"}) - covered_fields() == set()


def test_the_report_wording_has_its_sheets_and_columns_and_its_welsh() -> None:
    """Where docs/frameworks.md says each of the report's wording fields is written."""
    fw = get_framework("hmip-youth-2021")
    welsh = tuple(read_welsh_file(WELSH_DIR / "hmip-youth-2021.yaml"))
    data = write_workbook(fw, welsh)
    book = _book(data)
    sentences = list(book["Report sentences"].iter_rows(min_row=2, values_only=True))
    assert ("evidence", "3.4", fw.report_sentences["evidence:3.4"]) in sentences
    assert ("copyright", None, "© Crown copyright {year}") in sentences
    assert len(sentences) == len(fw.report_sentences)
    assert _setting(book, "same_rules_since").value == 1
    pairs = read_workbook(data).welsh
    assert (
        "Key findings about {domain} were as follows.",
        _welsh_of(welsh, "Key findings"),
    ) in pairs
    sqs = _book(write_workbook(get_framework("hmip-sqs")))
    scale = list(sqs["Phrase scale"].iter_rows(min_row=2, values_only=True))
    assert scale[3] == ("{percent}%", None, None, "3/4") and scale[-1] == (
        "less than half",
        "0",
        None,
        None,
    )
    assert _setting(sqs, "report_phrases.numbers_in_words_up_to").value == 10
    cci = _book(write_workbook(get_framework("hmip-cci")))
    assert _setting(cci, "report_phrases.below_average").value == (
        "This was below the average of {average}%."
    )
    fji = _book(write_workbook(get_framework("hmip-fji")))
    areas = fji["Areas"]
    column = [c.value for c in areas[1]].index("summary_sentence")
    assert areas[2][column].value == "Overall {work_phrase} was {word}."


def _setting(book: openpyxl.Workbook, key: str) -> Any:
    """The value cell of a setting on the Settings sheet."""
    return next(r[1] for r in book["Settings"].iter_rows(min_row=2) if r[0].value == key)


def _welsh_of(pairs: tuple[tuple[str, str], ...], english_start: str) -> str:
    return next(cy for en, cy in pairs if en.startswith(english_start))


def test_decimals_and_text_that_looks_like_a_formula_come_back_as_written() -> None:
    fw = get_framework("hmip-youth-2021")
    data = {**fw.model_dump(), "title": '=HYPERLINK("http://example.invalid")'}
    data["case_bands"] = [
        {**band, "min_percent": percent}
        for band, percent in zip(data["case_bands"], ["80.5", "65.25", "50.0", "0"], strict=True)
    ]
    odd = Framework.model_validate(data)
    data = write_workbook(odd)
    cell = _book(data)["Settings"]["B5"]
    assert cell.value == odd.title and cell.data_type == "s"  # text, never a formula
    back = read_workbook(data).framework
    assert back.title == odd.title
    assert [str(b.min_percent) for b in back.case_bands] == ["80.5", "65.25", "50.0", "0"]
    assert fingerprint(back) == fingerprint(odd)


def test_a_workbook_path_works_wherever_a_framework_id_does(tmp_path: Path) -> None:
    path = tmp_path / "local.xlsx"
    path.write_bytes(write_workbook(get_framework("hmip-youth-2025")))
    assert fingerprint(get_framework(str(path))) == fingerprint(get_framework("hmip-youth-2025"))


# ---------------------------------------------------------------- problems, placed


def test_a_bad_value_is_named_by_sheet_row_and_column() -> None:
    problems = _problems(_edited("hmip-youth-2021", Standards__E3="judgment"))
    assert problems == [
        "local.xlsx: sheet Standards, row 3, column E (rating_method): Input should be 'cases' "
        "or 'judgement'"
    ]


def test_a_cross_field_rule_is_placed_in_the_cell_it_concerns() -> None:
    problems = _problems(_edited("hmip-youth-2021", Standards__H6="court, oocd"))
    assert problems == [
        "local.xlsx: sheet Standards, row 6, column H (case_domains): unknown case domain 'oocd'"
    ]
    bands = _problems(_edited("hmip-youth-2021", Case_bands__B3=85))
    assert bands == [
        "local.xlsx: sheet Case bands: bands must be listed from the highest min_percent down, "
        "no repeats"
    ]
    book = _book(write_workbook(get_framework("hmip-youth-2021")))
    row = next(
        r for r in book["Settings"].iter_rows(min_row=2) if r[0].value == "overall.max_score"
    )
    row[1].value = 39
    assert _problems(_bytes(book)) == [
        f"local.xlsx: sheet Settings, row {row[1].row}, column B (value): is 39 but the scored "
        "standards add up to 36"
    ]


def test_rows_that_point_at_nothing_and_unknown_sheets_or_headings_are_named() -> None:
    book = _book(write_workbook(get_framework("hmip-youth-2025")))
    book["Key questions"]["A2"] = "9.9"
    book["Standards"]["K1"] = "colour"
    book["Settings"].append(["overall.metod", "score"])
    book["Settings"].append(["title", "Twice"])
    book["Welsh"].append(["Good", None])
    book.create_sheet("Notes")
    problems = _problems(_bytes(book))
    assert (
        "local.xlsx: sheet Key questions, row 2, column A (standard): no standard '9.9' on "
        "the Standards sheet"
    ) in problems
    assert _has(problems, "sheet Standards, row 1, column K (colour): unknown heading; this")
    assert _has(problems, "sheet Settings, row", "unknown setting 'overall.metod'")
    assert _has(problems, "sheet Settings, row", "title is already set at row 5")
    assert _has(problems, "sheet Welsh, row", "column B (cy): give the English and its Welsh")
    assert _has(problems, "sheet Notes: not a sheet of a framework workbook")


def _row_of(sheet: Any, first: str) -> int:
    """The row whose first cell is `first`."""
    return int(next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == first))


def test_a_bad_slot_placeholder_or_phrase_bound_is_named_by_sheet_row_and_column() -> None:
    book = _book(write_workbook(get_framework("hmip-youth-2021")))
    sentences = book["Report sentences"]
    sentences["A2"] = "about_headng"
    sentences.append(["evidence", None, "We read the plans."])
    sentences.append(["evidence", "9.9", "We read the plans."])
    sentences.append(["licence", "3.4", "Free to re-use."])
    sentences.append(["interviews_all", None, "We spoke to them all."])
    sentences.append(["rating_rule", None, None])
    end = sentences.max_row
    where = "local.xlsx: sheet Report sentences, row"
    assert _problems(_bytes(book)) == [
        f"{where} 2, column A (slot): unknown slot 'about_headng'; the slots are: "
        "about_heading, about, examples_note, licence, publisher, copyright, "
        "further_information, domain_findings, standard_findings, evidence, "
        "not_rated_without_cases, rating_rule, discretion_up, discretion_down, interviews_all, "
        "interviews_some",
        f"{where} {end - 4}, column B (standard): 'evidence' is written once per standard: say "
        "which standard",
        f"{where} {end - 3}, column B (standard): no standard '9.9' on the Standards sheet",
        f"{where} {end - 2}, column B (standard): 'licence' is one sentence for the report: "
        "leave the standard blank",
        f"{where} {end - 1}, column A (slot): interviews_all is already given at row "
        f"{_row_of(sentences, 'interviews_all')}",
        f"{where} {end}, column C (sentence): the sentence is blank",
    ]

    book = _book(write_workbook(get_framework("hmip-youth-2021")))
    sentences = book["Report sentences"]
    about, copyright = _row_of(sentences, "about"), _row_of(sentences, "copyright")
    sentences[f"C{about}"] = "We report on {service}."
    sentences[f"C{copyright}"] = "© Crown copyright {year"
    _setting(book, "same_rules_since").value = 3
    assert _problems(_bytes(book)) == [
        f"local.xlsx: sheet Settings, row {_setting(book, 'same_rules_since').row}, column B "
        "(value): is 3, later than version 2",
        f"{where} {about}, column C (sentence): unknown placeholder {{service}}; 'about' takes "
        "no placeholders",
        f"{where} {copyright}, column C (sentence): not a valid template: expected '}}' before "
        "end of string",
    ]

    scale = "local.xlsx: sheet Phrase scale, row"
    assert _problems(_edited("hmip-sqs", Phrase_scale__B3="17/0", Phrase_scale__C4="1/2")) == [
        f"{scale} 3, column B (at_least): Value error, '17/0' is not a share such as 2/3 or 75%",
        f"{scale} 4, column C (above): Value error, give exactly one of at_least, above or exactly",
    ]
    assert _problems(_edited("hmip-sqs", Phrase_scale__D5="150%")) == [
        f"{scale} 5, column D (exactly): Value error, '150%' is not a share from 0 to 1"
    ]
    assert _problems(_edited("hmip-sqs", Phrase_scale__A5="{percent}% of {cases}")) == [
        f"{scale} 5, column A (phrase): unknown placeholder {{cases}}; use {{percent}}"
    ]
    book = _book(write_workbook(get_framework("hmip-sqs")))
    book["Phrase scale"].delete_rows(book["Phrase scale"].max_row)
    assert _problems(_bytes(book)) == [
        "local.xlsx: sheet Phrase scale: the last band must be 'at_least: 0', for every share"
    ]

    book = _book(write_workbook(get_framework("hmip-fji")))
    _setting(book, "report_phrases.below_average").value = "Below {avg}."
    areas = book["Areas"]
    column = [c.value for c in areas[1]].index("summary_sentence")
    areas[2][column].value = "Overall {wrk} was {word}."
    assert _problems(_bytes(book)) == [
        f"local.xlsx: sheet Settings, row {_setting(book, 'report_phrases.below_average').row}, "
        "column B (value): unknown placeholder {avg}; use {average}, {percent}, {work_phrase}",
        "local.xlsx: sheet Areas, row 2, column L (summary_sentence): unknown placeholder {wrk}; "
        "use {percent}, {word}, {work_phrase}",
    ]


def _has(problems: list[str], *parts: str) -> bool:
    return any(all(part in problem for part in parts) for problem in problems)


def test_a_value_the_spreadsheet_turned_into_a_date_is_refused_by_cell() -> None:
    problems = _problems(_edited("hmip-youth-2021", Standards__D6=date(2026, 2, 1)))
    assert problems == [
        "local.xlsx: sheet Standards, row 6, column D (statement): the spreadsheet turned this "
        "into a date or time; format the column as text and type it again"
    ]


def test_the_template_has_every_sheet_and_asks_only_for_content() -> None:
    data = template_workbook()
    book = _book(data)
    assert book.sheetnames == ["Guide", *(s.name for s in SHEETS)]
    for sheet in SHEETS:
        assert [c.value for c in book[sheet.name][1]] == list(sheet.headings)
    guide = " ".join(str(c.value) for row in book["Guide"].iter_rows() for c in row if c.value)
    assert all(sheet.name in guide and sheet.about in guide for sheet in SHEETS)
    settings = {row[0]: row[2] for row in book["Settings"].iter_rows(min_row=2, values_only=True)}
    assert "overall.method" in settings and "provisional_note" in settings
    wording = ["same_rules_since", *(f"report_phrases.{n}" for n in ("counts_up_to", "at_average"))]
    assert all(settings[key] for key in wording)  # each explained in its about column
    assert "{year}" in SHEET["Report sentences"].about  # the slots and what each takes
    assert _problems(data) == [
        "local.xlsx: sheet Settings, row 3, column B (value): a value is needed",
        "local.xlsx: sheet Settings, row 4, column B (value): a value is needed",
        "local.xlsx: sheet Settings, row 5, column B (value): a value is needed",
        "local.xlsx: sheet Case domains: the sheet needs at least one row",
    ]


def test_a_filled_in_template_is_a_framework() -> None:
    book = _book(template_workbook())
    settings = {row[0].value: row[1] for row in book["Settings"].iter_rows(min_row=2)}
    wanted = {"id": "local-audit", "version": 1, "title": "Local audit", "scoring_model": "areas"}
    for key, value in wanted.items():
        settings[key].value = value
    book["Case domains"].append(["court", "Court disposals"])
    book["Areas"].append(["A", "Assessment", "cases", None, None, "A1"])
    book["Items"].append(["A1", "Was the assessment done on time?", "A"])
    fw = read_workbook(_bytes(book)).framework
    assert (fw.ref, fw.areas[0].items) == ("local-audit@1", ["A1"])
    assert fw.items[0].text == "Was the assessment done on time?"


# ---------------------------------------------------------------- limits


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, body in members.items():
            package.writestr(name, body)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * 60_000_000})
    assert len(bomb) < 200_000
    started = time.perf_counter()
    problems = _problems(bomb)
    assert time.perf_counter() - started < 1
    assert problems == [
        "local.xlsx:?: (file): the workbook unpacks to 57.2 MB; the most accepted is 40.0 MB"
    ]
    dense = _zip({"xl/worksheets/sheet1.xml": b"0" * 20_000_000})
    (problem,) = _problems(dense)
    assert "compressed" in problem and "times over" in problem


def test_a_sheet_of_too_many_rows_is_refused() -> None:
    book = _book(write_workbook(get_framework("hmip-youth-2025")))
    for i in range(MAX_ROWS + 1):
        book["Prompts"].append(["V1.1", f"prompt {i}"])
    (problem,) = _problems(_bytes(book))
    assert problem.endswith("the Prompts sheet has more than 5,000 rows; no framework has")


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _shared_string_bomb(repeats: int) -> bytes:
    """The 2025 workbook with its Themes sheet rewritten as `repeats` cells that all point at
    one 100,000-character shared string: the workbook's equivalent of a YAML alias bomb."""
    base = zipfile.ZipFile(io.BytesIO(write_workbook(get_framework("hmip-youth-2025"))))
    members = {info.filename: base.read(info.filename) for info in base.infolist()}
    themes = 2 + [s.name for s in SHEETS].index("Themes")  # sheet1.xml is the Guide
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>V1</t></is></c>'
        f'<c r="B{n}" t="s"><v>0</v></c></row>'
        for n in range(2, repeats + 2)
    )
    members[f"xl/worksheets/sheet{themes}.xml"] = (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>standard</t></is></c>'
        f'<c r="B1" t="inlineStr"><is><t>theme</t></is></c></row>{rows}</sheetData></worksheet>'
    ).encode()
    members["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{"x" * 100_000}</t></si></sst>'
    ).encode()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return _zip(members)


def test_one_long_text_repeated_in_many_cells_counts_every_time() -> None:
    """Shared strings are the workbook's aliases: a small file that is megabytes once read."""
    few = read_workbook(_shared_string_bomb(3)).framework  # the crafted file reads as such
    assert [len(t) for t in few.standard("V1").themes] == [100_000] * 3
    bomb = _shared_string_bomb(60)
    assert len(bomb) < 60_000
    started = time.perf_counter()
    (problem,) = _problems(bomb)
    assert time.perf_counter() - started < 2
    assert problem.endswith("the workbook's text comes to more than 4 MB once read")


def test_a_file_that_is_not_a_workbook_is_named_so() -> None:
    assert _problems(b"id: not a workbook\n") == [
        "local.xlsx:?: (file): not a readable .xlsx workbook; save it as .xlsx again"
    ]
    assert _problems(_zip({"hello.txt": b"hi"})) == [
        "local.xlsx:?: (file): not a readable .xlsx workbook; save it as .xlsx again"
    ]
    with pytest.raises(FrameworkError, match="the largest accepted is 5.0 MB"):
        read_workbook(b"0" * (6 * 1024 * 1024))
