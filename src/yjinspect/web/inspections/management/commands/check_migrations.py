"""`manage.py check_migrations`: the migrations build the schema, from zero, both ways.

The test suite creates its tables from the models (`--no-migrations`, for speed), so nothing
there proves that the migrations a real installation runs build the same schema. CI runs this
on an empty PostgreSQL database (`.ci/run`, through `scripts/with-postgres.sh`):

1. `makemigrations --check`: no model change is without its migration;
2. `migrate` every app from zero, as an installation does;
3. take this project's migrations back one at a time, newest first, down to none, noting the
   schema (tables, columns, constraints, indexes) at each step; then apply them again one at
   a time and check the schema at each step is exactly the one noted on the way down. An
   irreversible migration, or one whose reversal or reapplying leaves a difference, fails.

The steps use Django's migration executor directly (what `migrate` runs, without its
post-migrate signals), which keeps the stage to seconds.

It refuses a database that already has tables: it would take their migrations back.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.exceptions import IrreversibleError
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

APPS = ("inspections", "improvement", "outcomes", "comparison")

Schema = dict[str, Any]


def schema(apps: Iterable[str] = APPS) -> Schema:
    """The apps' tables (the only ones their migrations touch): each one's columns (name,
    type, null), constraints and indexes, as comparable data."""
    introspection = connection.introspection
    prefixes = tuple(f"{app}_" for app in apps)
    found: Schema = {}
    with connection.cursor() as cursor:
        for table in sorted(introspection.table_names(cursor)):
            if not table.startswith(prefixes):
                continue
            columns = [
                (c.name, c.type_code, c.null_ok)
                for c in introspection.get_table_description(cursor, table)
            ]
            constraints = {
                name: (
                    tuple(c["columns"] or ()),
                    c["primary_key"],
                    c["unique"],
                    c["index"],
                    c["check"],
                    c["foreign_key"],
                )
                for name, c in introspection.get_constraints(cursor, table).items()
            }
            found[table] = (sorted(columns), sorted(constraints.items(), key=repr))
    return found


def differences(before: Schema, after: Schema) -> list[str]:
    lines = [f"table {t} is missing" for t in sorted(before.keys() - after.keys())]
    lines += [f"table {t} was left behind" for t in sorted(after.keys() - before.keys())]
    lines += [
        f"table {t} differs: {before[t]} != {after[t]}"
        for t in sorted(before.keys() & after.keys())
        if before[t] != after[t]
    ]
    return lines


class Command(BaseCommand):
    help = "Migrate an empty database from zero, check none is missing, take each back and forth"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--app",
            action="append",
            help="only this app and the migrations it needs (repeatable; the tests use it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        apps = set(options["app"] or APPS)
        with connection.cursor() as cursor:
            if connection.introspection.table_names(cursor):
                raise CommandError("check_migrations needs an empty database")
        self._none_missing()
        for app in options["app"] or [None]:
            self._migrate(*([app] if app else []))  # the whole project, or the apps and theirs
        plan = [key for key in self._plan() if key[0] in apps]
        noted = [schema(apps)]  # noted[i]: the schema with the first len(plan) - i steps applied
        for app, name in reversed(plan):
            try:
                self._step(self._before(app, name))
            except IrreversibleError as error:
                raise CommandError(f"{app} {name} cannot be reversed: {error}") from None
            noted.append(schema(apps))
        for i, (app, name) in enumerate(plan):
            self._step((app, name))
            problems = differences(noted[len(plan) - 1 - i], schema(apps))
            if problems:
                raise CommandError(
                    f"{app} {name} reversed and applied again changed the schema: "
                    + "; ".join(problems)
                )
        self.stdout.write(
            f"check_migrations: applied from zero on {connection.vendor}, none missing; "
            f"{len(plan)} migrations of {len(apps)} apps each reversed and applied again with "
            f"the same schema ({time.perf_counter() - started:.1f} s)"
        )

    @staticmethod
    def _plan() -> list[tuple[str, str]]:
        """Every migration in the order `migrate` applied them."""
        graph = MigrationLoader(connection).graph
        plan: list[tuple[str, str]] = []
        for leaf in graph.leaf_nodes():
            plan += [key for key in graph.forwards_plan(leaf) if key not in plan]
        return plan

    @staticmethod
    def _before(app: str, name: str) -> tuple[str, str | None]:
        """The target that takes `name` back: its app's migration before it, or none."""
        graph = MigrationLoader(connection).graph
        earlier = [p for p in graph.node_map[(app, name)].parents if p.key[0] == app]
        return (app, earlier[0].key[1]) if earlier else (app, None)

    @staticmethod
    def _step(target: tuple[str, str | None]) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([target])  # (app, None): the app at zero

    def _migrate(self, *target: str) -> None:
        call_command("migrate", *target, interactive=False, verbosity=0)

    def _none_missing(self) -> None:
        out = io.StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit:  # makemigrations --check exits 1 when a migration is missing
            raise CommandError(f"models changed without a migration:\n{out.getvalue()}") from None
