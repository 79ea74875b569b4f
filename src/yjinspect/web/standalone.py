"""Run the web app's report code without a server: for `yjinspect report` and `yjinspect demo`.

Each call sets Django up on a throwaway SQLite database in a temporary folder, so the main job
(an inspection export in, a report out) needs no browser, no server and no configuration.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LANGUAGES = ("en", "cy")


class StandaloneError(ValueError):
    """A problem with the input or options, in words for the command line."""


@contextmanager
def _django() -> Iterator[None]:
    """Django on a fresh SQLite database that disappears afterwards."""
    with tempfile.TemporaryDirectory(prefix="yjinspect-") as tmp:
        os.environ["YJ_VAR_DIR"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'standalone.sqlite3'}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yjinspect.web.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield


def _write(inspection: object, fmt: str, out: Path, lang: str = "en") -> Path:
    from yjinspect.web.inspections.services.ratings import is_areas
    from yjinspect.web.inspections.views.report import pdf_bytes, standalone_html

    if is_areas(inspection):  # type: ignore[arg-type]
        return _write_earlier(inspection, fmt, out, lang)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        out.write_bytes(pdf_bytes(inspection, lang=lang))  # type: ignore[arg-type]
    else:
        html = standalone_html(inspection, lang=lang)  # type: ignore[arg-type]
        out.write_text(html, encoding="utf-8")
    return out


def _write_earlier(inspection: object, fmt: str, out: Path, lang: str) -> Path:
    """An earlier programme's report: the SQS letter, or the FJI-shaped report (also the CCI's).

    Those reports exist in English only, as the programmes published them.
    """
    from yjinspect.web.inspections.views import legacy_report

    if lang != "en":
        raise StandaloneError(
            f"--lang {lang}: the earlier programmes' reports (SQS, FJI, CCI) are in English only"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        out.write_bytes(legacy_report.pdf_bytes(inspection))  # type: ignore[arg-type]
    else:
        html = legacy_report.standalone_html(inspection)  # type: ignore[arg-type]
        out.write_text(html, encoding="utf-8")
    return out


def _check_options(fmt: str, lang: str) -> None:
    if fmt not in {"pdf", "html"}:
        raise StandaloneError(f"--format must be pdf or html, not '{fmt}'")
    if lang not in LANGUAGES:
        raise StandaloneError(
            f"--lang {lang}: the report is not translated into it; "
            f"available: {', '.join(LANGUAGES)}"
        )


def report_from_archive(archive: Path, fmt: str, lang: str, out: Path) -> Path:
    """Restore an inspection export into a throwaway database and write its report."""
    _check_options(fmt, lang)
    try:
        data = archive.read_bytes()
    except OSError as exc:
        raise StandaloneError(f"{archive}: cannot read: {exc}") from exc
    with _django():
        from yjinspect.web.inspections.services.archive import ArchiveError, import_inspection

        try:
            # A throwaway database nobody signs in to: every person becomes a placeholder.
            inspection = import_inspection(data, placeholders=True)
        except ArchiveError as exc:
            raise StandaloneError(f"{archive}: {exc}") from exc
        return _write(inspection, fmt, out, lang)


def build_demo(out_dir: Path) -> list[Path]:
    """The demo inspection: its export (zip) and its report as HTML and PDF."""
    with _django():
        from django.core.management import call_command

        from yjinspect.web.inspections.management.commands.load_demo import (
            SERVICE_NAME as DEMO_SERVICE,
        )
        from yjinspect.web.inspections.models import Inspection
        from yjinspect.web.inspections.services.archive import export_inspection

        with open(os.devnull, "w") as quiet:
            call_command("load_demo", stdout=quiet)
        inspection = Inspection.objects.get(service_name=DEMO_SERVICE)  # not the SQS demo
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / "demo-inspection.zip"
        archive.write_bytes(export_inspection(inspection))
        return [
            archive,
            _write(inspection, "html", out_dir / "demo-report.html"),
            _write(inspection, "pdf", out_dir / "demo-report.pdf"),
        ]
