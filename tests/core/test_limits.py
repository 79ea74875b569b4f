"""The limits every reader of a user's file applies (`yjinspect.limits`), with crafted files
made here: YAML alias bombs, self-containing aliases, deep nesting, zip bombs, deep JSON, CSV
lines and cells beyond any real file's, endless files, zips listing thousands of members."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from yjinspect.frameworks import FrameworkError, parse_framework, shipped_framework_paths
from yjinspect.limits import (
    MB,
    ZIP_TAIL,
    CsvLimits,
    LimitExceeded,
    YamlLimits,
    ZipLimits,
    check_directory,
    check_zip,
    csv_rows,
    load_json,
    load_yaml,
    open_zip,
    read_file,
    read_member,
)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """About 380 bytes that expand to width**levels strings once every alias is repeated."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_once_within_a_small_memory() -> None:
    bomb = billion_laughs()
    assert len(bomb) < 800
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(LimitExceeded, match="aliases"):
        load_yaml(bomb, YamlLimits(), "the file")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20 * MB


def test_an_alias_bomb_in_a_framework_file_is_a_framework_error() -> None:
    started = time.perf_counter()
    with pytest.raises(FrameworkError, match="aliases"):
        parse_framework(billion_laughs(), "bomb.yaml")
    assert time.perf_counter() - started < 2


def test_few_aliases_expanding_to_too_many_entries_are_refused() -> None:
    # Only 3 x 30 aliases, under any alias limit, but 30**4 entries once expanded.
    lines = ["a0: &a0 [" + ", ".join(["x"] * 30) + "]"]
    for level in range(1, 4):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 30) + "]")
    with pytest.raises(LimitExceeded, match="expands to more than"):
        load_yaml("\n".join(lines), YamlLimits(max_aliases=1000), "the file")


def test_an_alias_inside_itself_is_refused() -> None:
    with pytest.raises(LimitExceeded, match="contains itself"):
        load_yaml("a: &a [1, *a]\n", YamlLimits(), "the file")


def test_deep_nesting_is_refused_not_a_recursion_crash() -> None:
    with pytest.raises(LimitExceeded, match="nested"):
        load_yaml("[" * 50 + "]" * 50, YamlLimits(), "the file")
    with pytest.raises(LimitExceeded, match="nested"):
        load_yaml("[" * 5000 + "]" * 5000, YamlLimits(), "the file")


def test_an_oversized_yaml_file_is_refused_before_parsing() -> None:
    with pytest.raises(LimitExceeded, match="largest accepted"):
        load_yaml("x: " + "y" * 2000 + "\n", YamlLimits(max_bytes=1000), "the file")


def test_ordinary_yaml_with_a_few_aliases_reads_as_safe_load_does() -> None:
    text = "base: &b {k: 1}\nuse: [*b, *b]\n"
    assert load_yaml(text, YamlLimits(), "the file") == {"base": {"k": 1}, "use": [{"k": 1}] * 2}


def test_every_shipped_framework_is_within_the_framework_limits() -> None:
    for path in shipped_framework_paths().values():
        parse_framework(path.read_text(encoding="utf-8"), str(path))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_member_is_refused_by_its_ratio() -> None:
    data = _zip({"sheet.xml": b"0" * (50 * MB)})
    assert len(data) < 100_000
    with pytest.raises(LimitExceeded, match="compressed"):
        open_zip(data, ZipLimits(max_members=10, max_unpacked=100 * MB), "the workbook")


def test_a_zip_too_large_unpacked_or_with_too_many_members_is_refused() -> None:
    data = _zip({"a": b"x" * 2000, "b": b"y" * 2000})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        with pytest.raises(LimitExceeded, match="unpacks to"):
            check_zip(package, ZipLimits(max_members=10, max_unpacked=3000), "the archive")
        with pytest.raises(LimitExceeded, match="holds 2 files"):
            check_zip(package, ZipLimits(max_members=1, max_unpacked=MB), "the archive")
        with pytest.raises(LimitExceeded, match="largest accepted"):
            read_member(package, "a", 1000, "inspection.json")
        assert read_member(package, "a", 5000, "inspection.json") == b"x" * 2000


def test_json_too_large_or_too_deep_is_refused() -> None:
    with pytest.raises(LimitExceeded, match="largest accepted"):
        load_json(b"[" + b"1," * 1000 + b"1]", 100, "inspection.json")
    with pytest.raises(LimitExceeded, match="nested too deeply"):
        load_json("[" * 100_000 + "]" * 100_000, 10 * MB, "inspection.json")
    assert load_json(json.dumps({"a": [1]}), 100, "inspection.json") == {"a": [1]}


# --- CSV, files named on the command line, zip directories ---------------------------------------


def test_csv_rows_read_like_the_csv_module_within_the_limits() -> None:
    text = 'a,b\r\n"x, y",2\r"multi\nline",3\n\n'
    limits = CsvLimits(max_bytes=MB, max_rows=10)
    assert list(csv_rows(text, limits, "the file")) == [
        ["a", "b"],
        ["x, y", "2"],
        ["multi\nline", "3"],
        [],
    ]
    assert list(csv_rows(io.StringIO(text, newline=""), limits, "the file"))[1] == ["x, y", "2"]


def test_csv_rows_refuse_each_limit_naming_the_line_or_row() -> None:
    limits = CsvLimits(max_bytes=1000, max_rows=3, max_cells=4, max_line=50)
    cases = [
        ("x" * 1001, "the file is 0.0 MB; the largest accepted is 0.0 MB"),
        ("a\n" * 4, "the file has more than 3 rows, blank ones included"),
        ("a\n" + "x" * 51 + "\n", r"has a line of more than 50 characters \(line 2\)"),
        ("a\nb\n1,2,3,4,5\n", "has 5 cells in row 3; the most accepted is 4"),
    ]
    for text, message in cases:
        with pytest.raises(LimitExceeded, match=message):
            list(csv_rows(text, limits, "the file"))
    # A file object's lines are counted against the size as they come.
    with pytest.raises(LimitExceeded, match="larger than 0.0 MB, the largest accepted"):
        list(csv_rows(io.StringIO("a\n" * 600), CsvLimits(max_bytes=1000, max_rows=10**6), "f"))
    # One cell over the csv module's own limit, through a quoted cell of many short lines.
    with pytest.raises(LimitExceeded, match="has a cell of more than 131,072 characters"):
        list(csv_rows('"' + "x\n" * 70_000 + '"', CsvLimits(max_bytes=MB, max_rows=10), "f"))


def test_a_huge_csv_line_is_refused_before_any_copy_of_it() -> None:
    text = "a,b\n" + "ab," * (5 * MB)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(LimitExceeded, match="line of more than"):
        list(csv_rows(text, CsvLimits(max_bytes=20 * MB, max_rows=10), "the file"))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < MB


def test_read_file_refuses_a_large_file_by_its_size_and_an_endless_one_by_reading(
    tmp_path: Path,
) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(3 * MB)
    with pytest.raises(LimitExceeded, match="big.csv is 3.0 MB; the largest accepted is 2.0 MB"):
        read_file(big, 2 * MB, "big.csv")
    with pytest.raises(LimitExceeded, match="is larger than 2.0 MB, the largest accepted"):
        read_file("/dev/zero", 2 * MB, "the file")
    assert read_file(big, 3 * MB, "big.csv") == b"\0" * (3 * MB)


def test_a_zip_listing_too_many_members_is_refused_before_zipfile_reads_the_list() -> None:
    # 20,000 empty members: the central directory alone is over a megabyte.
    data = _zip({f"{n:010d}": b"" for n in range(20_000)})
    started = time.perf_counter()
    with pytest.raises(LimitExceeded, match="lists its contents in 1.[0-9] MB"):
        open_zip(data, ZipLimits(max_members=1000, max_unpacked=MB), "the archive")
    assert time.perf_counter() - started < 0.5
    check_directory(data[-ZIP_TAIL:], ZipLimits(max_members=20_000, max_unpacked=MB), "a")
