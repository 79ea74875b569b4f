"""A process killed (SIGKILL) half-way through a case-list import or a restore changes nothing.

Each test runs the work in a child process on its own SQLite database file, stops it with
SIGKILL while its transaction is open (after some rows are written), then reads the database
with the sqlite3 module: the counts must be exactly as before the work began. A restore writes
its evidence files last, after a journal naming them: killed while writing them, the files it
left are found from the journal and removed by the next restore's sweep (`remove_leftovers`).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SETUP = """
import os, sys, time, datetime as dt
os.environ["DJANGO_SETTINGS_MODULE"] = "yjinspect.web.settings"
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from yjinspect.frameworks import shipped_framework_paths
from yjinspect.web.inspections.models import FrameworkVersion, Inspection

def pause_after(owner, name):
    '''Let the first call through, then announce it and wait to be killed.'''
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        print("HALFWAY", flush=True)
        time.sleep(60)
        return result
    setattr(owner, name, wrapper)
"""

IMPORT = """
from yjinspect.core.caselist import parse_case_list, write_case_list_csv
from yjinspect.demo.generator import generate_case_list
from yjinspect.web.inspections.services import caselists
import io
user = User.objects.create_user("killer")
inspection = Inspection.objects.create(
    service_name="Killshire", created_by=user, fieldwork_start=dt.date(2024, 4, 8),
    framework=FrameworkVersion.store(shipped_framework_paths()["hmip-youth-2021"].read_text()),
)
buffer = io.StringIO(newline="")
write_case_list_csv(generate_case_list(3, 3000, 2000, 0, dt.date(2024, 4, 8)), buffer)
preview = parse_case_list(buffer.getvalue().encode(), "cases.csv")
stored = caselists.store_preview(inspection, preview, "cases.csv", user)
print("READY", flush=True)
original_insert = caselists.insert_cases
def slow_insert(inspection, record, rows):
    original_insert(inspection, record, rows[:2000])
    print("HALFWAY", flush=True)
    time.sleep(60)
caselists.insert_cases = slow_insert
caselists.commit_preview(inspection, stored, user)
"""

RESTORE = """
from django.core.files.base import ContentFile
from yjinspect.web.inspections.models import EvidenceItem
from yjinspect.web.inspections.services import archive
call_command("load_demo", stdout=open(os.devnull, "w"))
demo = Inspection.objects.get(framework__framework_id="hmip-youth-2021")
for n in range(3):
    item = EvidenceItem(inspection=demo, kind="document", title=f"Plan {n}",
                        added_by=demo.created_by, upload_name=f"plan{n}.txt", upload_size=9)
    item.upload.save(f"plan{n}.txt", ContentFile(b"the plan\\n"), save=False)
    item.save()
data = archive.export_inspection(demo)
print("READY", flush=True)
pause_after(archive._Restorer, PAUSE_AFTER)
archive.import_inspection(data, placeholders=True)
"""

SWEEP = """
from yjinspect.web.inspections.services import archive
print("removed", archive.remove_leftovers(journal_age=0), flush=True)
"""

TABLES = ["inspections_case", "inspections_caselistimport", "inspections_inspection",
          "inspections_answer", "inspections_historicalanswer"]  # fmt: skip


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def files(tmp_path: Path) -> set[str]:
    """Every file in the child's storage (YJ_VAR_DIR/uploads), by its storage name."""
    root = tmp_path / "uploads"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kill.sqlite3'}",
        "YJ_VAR_DIR": str(tmp_path),
        "YJ_DEMO_PASSWORD": "kill-test-password-1",
    }


def run_and_kill(
    tmp_path: Path, script: str, kept: dict[str, set[str]] | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Counts before and after the killed work; `kept` gets the files before and after."""
    db = tmp_path / "kill.sqlite3"
    env = _env(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SETUP) + textwrap.dedent(script)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    before: dict[str, int] = {}
    try:
        for line in child.stdout:
            if line.strip() == "READY":
                before = counts(db)
                if kept is not None:
                    kept["before"] = files(tmp_path)
            if line.strip() == "HALFWAY":
                break
        else:
            pytest.fail(f"the child never reached the middle of its work ({child.wait()})")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    if kept is not None:
        kept["after"] = files(tmp_path)
    return before, counts(db)


def test_killed_case_list_import_leaves_nothing(tmp_path: Path) -> None:
    before, after = run_and_kill(tmp_path, IMPORT)
    assert before["inspections_case"] == 0
    assert after == before


def test_killed_restore_leaves_nothing(tmp_path: Path) -> None:
    """Killed while writing history rows: no row, and no file (files come last)."""
    kept: dict[str, set[str]] = {}
    script = 'PAUSE_AFTER = "create_history"\n' + RESTORE
    before, after = run_and_kill(tmp_path, script, kept)
    assert before["inspections_inspection"] == 2 and before["inspections_answer"] > 0  # 2024 + SQS
    assert after == before
    assert kept["after"] == kept["before"]


def test_killed_while_storing_files_leaves_none_after_the_sweep(tmp_path: Path) -> None:
    """Killed after the first evidence file is stored: the journal names it, and the next
    sweep removes it; the database never had the restore."""
    kept: dict[str, set[str]] = {}
    script = 'PAUSE_AFTER = "save_file"\n' + RESTORE
    before, after = run_and_kill(tmp_path, script, kept)
    assert after == before
    left = kept["after"] - kept["before"]
    journals = {name for name in left if name.startswith("restores/")}
    assert len(journals) == 1 and len(left - journals) == 1, left  # the journal, one file
    sweep = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SETUP) + textwrap.dedent(SWEEP)],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "removed 1" in sweep.stdout
    assert files(tmp_path) == kept["before"]
    assert counts(tmp_path / "kill.sqlite3") == before
