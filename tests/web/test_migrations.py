"""The migrations match the models and build the schema, both ways.

The suite runs with --no-migrations, so `test_no_missing_migrations` checks the models against
the migrations here, and `manage.py check_migrations` (run by CI on an empty PostgreSQL
database: `.ci/run`) migrates from zero and takes every migration back and forth. The tests
below run that command on a throwaway SQLite file, on one app's migrations to keep them short,
and prove it fails on what it guards against: an irreversible migration, one whose reversal
leaves something behind, and a model change without its migration. The bad migrations are
written by the tests into a scratch package that stands in for the app's own.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

import yjinspect.web
from yjinspect.web.inspections.management.commands.check_migrations import differences

MANAGE = Path(yjinspect.web.__file__).parent / "manage.py"
COMPARISON = Path(yjinspect.web.__file__).parent / "comparison" / "migrations"


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exit_})")


def _check(tmp_path: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`check_migrations --app comparison` on a fresh SQLite file; `extra` files (path: text)
    make a `scratch_migrations` package that replaces the comparison app's migrations."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    env.pop("YJ_S3_BUCKET", None)
    if extra is not None:
        package = tmp_path / "scratch_migrations"
        package.mkdir()
        (package / "__init__.py").write_text("")
        for name, text in extra.items():
            (package / name).write_text(text)
        (tmp_path / "scratch_settings.py").write_text(
            "from yjinspect.web.settings import *  # noqa: F403\n"
            "MIGRATION_MODULES = {'comparison': 'scratch_migrations'}\n"
        )
        env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
        env["DJANGO_SETTINGS_MODULE"] = "scratch_settings"
    return subprocess.run(
        [sys.executable, str(MANAGE), "check_migrations", "--app", "comparison"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _second(operation: str) -> dict[str, str]:
    """The comparison app's real first migration, and a second one doing `operation`."""
    return {
        "0001_initial.py": (COMPARISON / "0001_initial.py").read_text(),
        "0002_scratch.py": (
            "from django.db import migrations\n\n\n"
            "def forward(apps, schema_editor):\n    pass\n\n\n"
            "class Migration(migrations.Migration):\n"
            "    dependencies = [('comparison', '0001_initial')]\n"
            f"    operations = [{operation}]\n"
        ),
    }


def test_the_migrations_build_the_schema_and_reverse_cleanly(tmp_path: Path) -> None:
    done = _check(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "applied from zero on sqlite, none missing" in done.stdout
    assert "1 migrations of 1 apps each reversed and applied again" in done.stdout
    # It takes migrations back, so it refuses a database that already has tables.
    again = _check(tmp_path)
    assert again.returncode != 0 and "needs an empty database" in again.stderr


def test_an_irreversible_migration_fails_the_check(tmp_path: Path) -> None:
    done = _check(tmp_path, _second("migrations.RunPython(forward)"))
    assert done.returncode != 0
    assert "comparison 0002_scratch cannot be reversed" in done.stderr


def test_a_reversal_that_leaves_something_behind_fails_the_check(tmp_path: Path) -> None:
    operation = (
        "migrations.RunSQL('CREATE INDEX scratch_left ON comparison_publishedresult (service)',"
        " reverse_sql='SELECT 1')"
    )
    done = _check(tmp_path, _second(operation))
    assert done.returncode != 0
    assert "changed the schema" in done.stderr and "comparison_publishedresult" in done.stderr


def test_a_model_change_without_its_migration_fails_the_check(tmp_path: Path) -> None:
    done = _check(tmp_path, {})  # the app's models, and no migration at all
    assert done.returncode != 0
    assert "models changed without a migration" in done.stderr


def test_differences_name_the_table() -> None:
    before = {"a": ([("id", 1, False)], []), "b": ([], [])}
    after = {"a": ([("id", 1, True)], []), "c": ([], [])}
    assert differences(before, after) == [
        "table b is missing",
        "table c was left behind",
        "table a differs: ([('id', 1, False)], []) != ([('id', 1, True)], [])",
    ]
