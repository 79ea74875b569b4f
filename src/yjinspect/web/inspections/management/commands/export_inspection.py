"""`manage.py export_inspection PK -o FILE.zip`: the complete inspection as one zip file.

The file holds everything (uploaded evidence and the full history included): keep it as
carefully as the database itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import Inspection
from ...services.archive import export_inspection


class Command(BaseCommand):
    help = "Export an inspection (rows, history and uploaded files) as a zip file"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pk", type=int, help="The inspection's id")
        parser.add_argument("-o", "--output", required=True, help="The zip file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        inspection = Inspection.objects.select_related("framework").filter(pk=options["pk"]).first()
        if inspection is None:
            raise CommandError(f"There is no inspection {options['pk']}")
        target = Path(options["output"])
        if target.exists():
            raise CommandError(f"{target} exists already; choose another name")
        target.write_bytes(export_inspection(inspection))
        self.stdout.write(f"Wrote {inspection} to {target}")
