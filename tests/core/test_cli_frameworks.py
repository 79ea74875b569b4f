"""`yjinspect frameworks check | export | template`, as a person writing a framework runs them."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from yjinspect.cli import main
from yjinspect.frameworks import (
    FrameworkError,
    fingerprint,
    get_framework,
    parse_framework,
    shipped_framework_paths,
)
from yjinspect.frameworks.workbook import read_workbook, write_workbook

FW2021 = shipped_framework_paths()["hmip-youth-2021"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_a_good_yaml_file_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frameworks", "check", str(FW2021))
    fw = get_framework("hmip-youth-2021")
    assert code == 0
    assert out == (
        f"{FW2021}: {fw.ref} is valid (13 standards, 21 key questions), "
        f"fingerprint {fingerprint(fw)[:12]}\n"
    )


def test_check_a_broken_yaml_file_gives_the_loaders_messages_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = FW2021.read_text().replace(
        "        rating_method: judgement\n", "        rating_method: judgment\n", 1
    )
    path = tmp_path / "local.yaml"
    path.write_text(text)
    code, out, _ = run(capsys, "frameworks", "check", str(path))
    assert code == 1
    with pytest.raises(FrameworkError) as loader:
        parse_framework(text, str(path))
    assert out == f"{loader.value}\n1 problem: {path} cannot be used as it is\n"


def test_check_a_workbook_good_and_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.xlsx"
    good.write_bytes(write_workbook(get_framework("hmip-youth-2025")))
    code, out, _ = run(capsys, "frameworks", "check", str(good))
    assert code == 0
    assert out.startswith(f"{good}: hmip-youth-2025@1 is valid (4 standards, 11 key questions, ")
    assert "provisional" in out and len(out.splitlines()) == 1
    book = openpyxl.load_workbook(good)
    book["Standards"]["E3"] = "judgment"
    book["Key questions"]["A2"] = "9.9"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    code, out, _ = run(capsys, "frameworks", "check", str(bad))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{bad}: sheet Key questions, row 2, column A (standard): no standard '9.9' on the "
        "Standards sheet"
    )
    assert lines[-1].endswith(f"problems: {bad} cannot be used as it is")


def test_check_refuses_a_workbook_bomb_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/worksheets/sheet1.xml", b"<" * 30_000_000)
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(out.getvalue())
    code, out_text, _ = run(capsys, "frameworks", "check", str(bomb))
    assert code == 1
    assert "compressed" in out_text and "it was not opened" in out_text


def test_check_a_missing_file_is_a_problem_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "frameworks", "check", str(tmp_path / "none.yaml"))
    assert code == 1 and "No such file" in out
    code, _, err = run(capsys, "frameworks", "check")
    assert code == 2 and "'frameworks check' needs a framework file" in err


def test_export_a_shipped_framework_as_yaml_and_as_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fw = get_framework("hmip-youth-2025")
    code, out, _ = run(capsys, "frameworks", "export", "hmip-youth-2025")
    assert code == 0
    assert fingerprint(parse_framework(out)) == fingerprint(fw)
    target = tmp_path / "f.xlsx"
    code, out, _ = run(
        capsys, "frameworks", "export", "hmip-youth-2025", "--format", "xlsx", "-o", str(target)
    )
    assert (code, out) == (0, f"wrote {target}\n")
    read = read_workbook(target.read_bytes())
    assert fingerprint(read.framework) == fingerprint(fw)
    assert ("Work with victims", "Gwaith gyda dioddefwyr") in read.welsh
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "frameworks", "export", "hmip-youth-2021", "--format", "xlsx")
    assert (code, out) == (0, "wrote hmip-youth-2021.xlsx\n")
    assert (tmp_path / "hmip-youth-2021.xlsx").exists()


def test_export_a_workbook_as_yaml_for_the_loader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "local.xlsx"
    book.write_bytes(write_workbook(get_framework("hmip-sqs")))
    out_file = tmp_path / "local.yaml"
    code, _, _ = run(capsys, "frameworks", "export", str(book), "-o", str(out_file))
    assert code == 0
    assert fingerprint(get_framework(str(out_file))) == fingerprint(get_framework("hmip-sqs"))
    code, _, err = run(capsys, "frameworks", "export", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "missing.xlsx" in err


def test_template_writes_a_workbook_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new.xlsx"
    code, out, _ = run(capsys, "frameworks", "template", "-o", str(target))
    assert (code, out) == (0, f"wrote {target}\n")
    assert openpyxl.load_workbook(target).sheetnames[:3] == ["Guide", "Settings", "Ratings"]
    code, out, _ = run(capsys, "frameworks", "check", str(target))
    assert code == 1 and "setting" not in out.splitlines()[-1]
    code, _, err = run(capsys, "frameworks", "template")
    assert code == 2 and "needs --output FILE" in err


def test_the_installed_command_exits_1_on_a_bad_workbook(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "yjinspect"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    done = subprocess.run(
        [str(exe), "frameworks", "check", str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert f"{bad}:?: (file): not a readable .xlsx workbook" in done.stdout
