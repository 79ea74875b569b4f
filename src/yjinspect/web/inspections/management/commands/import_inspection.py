"""`manage.py import_inspection FILE.zip [--map OLD=NEW] [--leave-out OLD] [--placeholders]`.

Restores an exported inspection as a new one, in one transaction. Every person the archive
names needs a decision, so nobody gets into an inspection because a local account happens to
share their username:

- `--map OLD=NEW`: the archived username OLD is the active local account NEW;
- `--leave-out OLD`: OLD's rows and history point at an inactive placeholder account
  (`archived:OLD`, no usable password) and OLD is not made a team member;
- `--placeholders`: the same placeholder for every name not mapped or left out, keeping their
  team roles on it (nobody can sign in as a placeholder).

Without a decision for everyone, nothing is restored and the undecided names are listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services.archive import MAX_ARCHIVE_BYTES, ArchiveError, import_inspection


class Command(BaseCommand):
    help = "Restore an inspection from a zip file made by export_inspection"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The zip file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="The archived username OLD is the active local account NEW (repeatable)",
        )
        parser.add_argument(
            "--leave-out",
            action="append",
            default=[],
            metavar="OLD",
            help="Keep OLD's history under a placeholder and leave them out of the team "
            "(repeatable)",
        )
        parser.add_argument(
            "--placeholders",
            action="store_true",
            help="Give every name not mapped or left out an inactive placeholder account "
            "that keeps their team role",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} is not a file")
        if source.stat().st_size > MAX_ARCHIVE_BYTES:
            raise CommandError(
                f"Nothing was imported: {source} is larger than the largest archive accepted "
                f"({MAX_ARCHIVE_BYTES // (1024 * 1024)} MB)"
            )
        people = self._people(options["map"], options["leave_out"])
        try:
            inspection = import_inspection(
                source.read_bytes(), people=people, placeholders=options["placeholders"]
            )
        except ArchiveError as exc:
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            hint = ""
            if any(p.table == "people" for p in exc.problems):
                hint = (
                    "\nDecide for each person: --map OLD=NEW (an active account here), "
                    "--leave-out OLD, or --placeholders for everyone not decided."
                )
            raise CommandError(f"Nothing was imported:\n{lines}{hint}") from exc
        self.stdout.write(f"Imported {inspection} as inspection {inspection.pk}")

    @staticmethod
    def _people(maps: list[str], leave_out: list[str]) -> dict[str, str | None]:
        people: dict[str, str | None] = {}
        for pair in maps:
            old, sep, new = pair.partition("=")
            if not sep or not old or not new:
                raise CommandError(f"--map wants OLD=NEW, not {pair!r}")
            if old in people:
                raise CommandError(f"{old} is decided twice")
            people[old] = new
        for old in leave_out:
            if old in people:
                raise CommandError(f"{old} is decided twice")
            people[old] = None
        return people
