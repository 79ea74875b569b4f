"""`yjinspect rate` and `yjinspect frameworks` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from yjinspect.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ANSWERS = EXAMPLES / "bexley-2024-answers.csv"
JUDGEMENTS = EXAMPLES / "bexley-2024-judgements.csv"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rate_bexley_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "rate",
        "hmip-youth-2021",
        str(ANSWERS),
        "--judgements",
        str(JUDGEMENTS),
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert (data["score"], data["max_score"], data["overall_rating"]) == (27, 36, "Good")
    assert data["standards"]["2.2"]["rating"] == "Requires improvement"
    assert data["standards"]["3.2"]["computed_rating"] == "Requires improvement"
    assert data["standards"]["3.2"]["rating"] == "Good"
    assert data["standards"]["2.1"]["key_questions"]["2.1.child_safety"]["percent"] == 67


def test_rate_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "rate", "hmip-youth-2021", str(ANSWERS), "--judgements", str(JUDGEMENTS)
    )
    assert code == 0
    assert "Score: 27/36" in out and "Overall rating: Good" in out
    assert "one more Yes on 2.2.others_safety would make it Good" in out


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_per_answer_csv_is_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = ["case_ref,key_question,answer"]
    for i, answer in enumerate(["yes", "yes", "no", "NA", "Yes"]):
        rows += [
            f"C{i},2.1.{lens},{answer}" for lens in ("desistance", "child_safety", "others_safety")
        ]
    answers = write(tmp_path, "a.csv", "\n".join(rows) + "\n")
    code, out, _ = run(capsys, "rate", "hmip-youth-2021", answers, "--format", "json")
    assert code == 0
    kq = json.loads(out)["standards"]["2.1"]["key_questions"]["2.1.desistance"]
    assert (kq["yes"], kq["applicable"], kq["not_applicable"], kq["percent"]) == (3, 4, 1, 75)
    assert json.loads(out)["overall_rating"] is None


@pytest.mark.parametrize(
    ("answers", "judgements", "message"),
    [
        (
            "case_ref,key_question,answer\nC1,2.9.desistance,yes\n",
            None,
            "row 2: unknown key question '2.9.desistance'",
        ),
        (
            "case_ref,key_question,answer\nC1,2.1.desistance,maybe\n",
            None,
            "row 2: answer 'maybe' is not yes, no or na",
        ),
        (
            "case_ref,key_question,answer\nC1,2.1.desistance,yes\nC1,2.1.desistance,no\n",
            None,
            "row 3: case C1 already answered 2.1.desistance at row 2",
        ),
        ("key_question,yes,no\n2.1.desistance,3,x\n", None, "row 2: no 'x' is not a whole number"),
        (
            "key_question,yes,no\n2.1.desistance,3,1\n2.1.desistance,3,1\n",
            None,
            "row 3: 2.1.desistance is listed twice",
        ),
        ("ref,q,a\n", None, "header must be"),
        (
            "key_question,yes,no\n2.1.desistance,3,1\n",
            "standard,rating,reason\n2.1,Outstanding,\n",
            "row 2: professional discretion on 2.1 needs a reason",
        ),
        (
            "key_question,yes,no\n2.1.desistance,3,1\n",
            "standard,rating,reason\n1.1,Brilliant,x\n",
            "row 2: rating 'Brilliant' is not one of",
        ),
        (
            "key_question,yes,no\n2.1.desistance,3,1\n",
            "standard,rating,reason\n9.9,Good,x\n",
            "row 2: unknown standard '9.9'",
        ),
        (
            "key_question,yes,no\n2.1.desistance,1,1\n",
            "standard,rating,reason\n2.1,Outstanding,x\n",
            "2.1: discretion may move a rating by at most 1 band",
        ),
    ],
)
def test_bad_input_exits_non_zero_naming_the_row(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    answers: str,
    judgements: str | None,
    message: str,
) -> None:
    args = ["rate", "hmip-youth-2021", write(tmp_path, "a.csv", answers)]
    if judgements:
        args += ["--judgements", write(tmp_path, "j.csv", judgements)]
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_frameworks_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "frameworks")
    assert code == 0 and "hmip-youth-2021" in out and "hmip-youth-2018" in out
    code, out, _ = run(capsys, "frameworks", "show", "hmip-youth-2021")
    assert code == 0
    assert (
        "2.2.others_safety: Does planning focus sufficiently on keeping other people safe?" in out
    )
    assert "4.1 Resettlement policy and provision  (judgement, not scored)" in out
    code, _, err = run(capsys, "frameworks", "show", "nope")
    assert code == 2 and "no such framework" in err


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "yjinspect"
    done = subprocess.run([str(exe), "frameworks"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "hmip-youth-2018" in done.stdout


def test_demo_then_report_from_its_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exe = Path(sys.executable).parent / "yjinspect"
    done = subprocess.run(
        [str(exe), "demo", "-o", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    archive = tmp_path / "demo" / "demo-inspection.zip"
    assert archive.exists() and (tmp_path / "demo" / "demo-report.pdf").read_bytes()[:5] == b"%PDF-"
    html_out = tmp_path / "report.html"
    done = subprocess.run(
        [str(exe), "report", str(archive), "--format", "html", "-o", str(html_out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    html = html_out.read_text()
    assert "Demoshire" in html and "/36" in html
    bad = subprocess.run(
        [str(exe), "report", str(html_out), "-o", str(tmp_path / "x.pdf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "report.html" in bad.stderr
