"""`manage.py import_inspection FILE.zip [--map OLD=NEW ...]`: restore an exported inspection.

Everything is restored in one transaction, as a new inspection. Usernames this installation
does not know become inactive placeholder accounts (no usable password); `--map` points an
archived username at an existing account instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services.archive import ArchiveError, import_inspection


class Command(BaseCommand):
    help = "Restore an inspection from a zip file made by export_inspection"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The zip file")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="Use the local user NEW for the archived username OLD (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source} is not a file")
        user_map: dict[str, str] = {}
        for pair in options["map"]:
            old, sep, new = pair.partition("=")
            if not sep or not old or not new:
                raise CommandError(f"--map wants OLD=NEW, not {pair!r}")
            user_map[old] = new
        try:
            inspection = import_inspection(source.read_bytes(), user_map=user_map)
        except ArchiveError as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        self.stdout.write(f"Imported {inspection} as inspection {inspection.pk}")
