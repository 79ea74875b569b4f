"""An installed (not editable) yjinspect carries every file the app reads: templates, static
files, catalogues, framework files. A file type missing from package-data is silently left
out of the wheel, and the page or script that needs it breaks only in production."""

from __future__ import annotations

import fnmatch
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_file_is_named_by_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    tracked = subprocess.run(
        ["git", "ls-files", "src/yjinspect"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    data = [p for p in tracked if not p.endswith((".py", ".typed"))]
    assert data, "no data files found: is this a git checkout?"
    left_out = [p for p in data if not any(fnmatch.fnmatch(Path(p).name, pat) for pat in patterns)]
    assert left_out == []
