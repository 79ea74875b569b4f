"""The limits every reader of a user's file applies (`yjinspect.limits`), with crafted files
made here: YAML alias bombs, self-containing aliases, deep nesting, zip bombs, deep JSON."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile

import pytest

from yjinspect.frameworks import FrameworkError, parse_framework, shipped_framework_paths
from yjinspect.limits import (
    MB,
    LimitExceeded,
    YamlLimits,
    ZipLimits,
    check_zip,
    load_json,
    load_yaml,
    open_zip,
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
