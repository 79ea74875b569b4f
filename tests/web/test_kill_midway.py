"""A process killed (SIGKILL) half-way through a case-list import or a restore changes nothing.

Each test runs the work in a child process on its own SQLite database file, stops it with
SIGKILL while its transaction is open (after some rows are written), then reads the database
with the sqlite3 module: the counts must be exactly as before the work began.
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
from yjinspect.web.inspections.services import archive
call_command("load_demo", stdout=open(os.devnull, "w"))
data = archive.export_inspection(Inspection.objects.get(framework__framework_id="hmip-youth-2021"))
print("READY", flush=True)
pause_after(archive._Restorer, "create_history")
archive.import_inspection(data)
"""

TABLES = ["inspections_case", "inspections_caselistimport", "inspections_inspection",
          "inspections_answer", "inspections_historicalanswer"]  # fmt: skip


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608


def run_and_kill(tmp_path: Path, script: str) -> tuple[dict[str, int], dict[str, int]]:
    db = tmp_path / "kill.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "YJ_VAR_DIR": str(tmp_path),
        "YJ_DEMO_PASSWORD": "kill-test-password-1",
    }
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
            if line.strip() == "HALFWAY":
                break
        else:
            pytest.fail(f"the child never reached the middle of its work ({child.wait()})")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    return before, counts(db)


def test_killed_case_list_import_leaves_nothing(tmp_path: Path) -> None:
    before, after = run_and_kill(tmp_path, IMPORT)
    assert before["inspections_case"] == 0
    assert after == before


def test_killed_restore_leaves_nothing(tmp_path: Path) -> None:
    before, after = run_and_kill(tmp_path, RESTORE)
    assert before["inspections_inspection"] == 2 and before["inspections_answer"] > 0  # 2024 + SQS
    assert after == before
