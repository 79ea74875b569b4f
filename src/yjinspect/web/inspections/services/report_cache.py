"""The rendered report PDF, cached per inspection and language until anything in it changes.

Laying the demo report out takes WeasyPrint a few seconds; the same PDF is asked for again and
again while nothing changes. The cache key holds a change stamp: for every table the report
reads (answers, assessments, judgements, discretion, evidence, cases, the inspection itself, the
report's texts and recommendations) the newest history row and the number of history rows and
of live rows; the stored outcome indicators the background states; the framework's
fingerprint, the app's version and the modification times of the report's templates,
stylesheet, Welsh catalogue and the frameworks' Welsh wording files. Any saved change writes
a history row, so it gives a new key and the next request renders afresh; old entries simply
expire.

The Django cache is used: local memory, so each server process keeps its own copies, unless
YJ_CACHE_TABLE puts it in a database table that every app server shares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max

import yjinspect
from yjinspect.reports.welsh import WELSH_DIR

from ..models import (
    Answer,
    Assessment,
    Case,
    Discretion,
    EvidenceItem,
    Inspection,
    Judgement,
    Recommendation,
    ReportText,
)
from .history import SOURCES
from .report import outcome_indicators

TIMEOUT_SECONDS = 24 * 60 * 60
_HERE = Path(__file__).resolve().parents[1]
# Files whose change alters the PDF without a database change.
_LAYOUT_GLOBS = (
    (_HERE / "templates" / "inspections" / "report", "*.html"),
    (_HERE.parent / "static" / "yjinspect", "report.css"),
    (WELSH_DIR, "*.yaml"),  # the frameworks' Welsh wording
)


def _layout_stamp() -> str:
    paths = [p for folder, pattern in _LAYOUT_GLOBS for p in sorted(folder.glob(pattern))]
    for folder in getattr(settings, "LOCALE_PATHS", ()):
        paths.extend(sorted(Path(folder).glob("*/LC_MESSAGES/django.mo")))
    return ",".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in paths if p.exists())


def change_stamp(inspection: Inspection) -> str:
    """A digest that changes whenever anything the report shows may have changed."""
    parts = [
        inspection.created_at.isoformat(),  # tells apart inspections that reuse an id
        inspection.framework.fingerprint,
        yjinspect.__version__,
        _layout_stamp(),
    ]
    for source in SOURCES:
        found = source.history.objects.filter(  # type: ignore[attr-defined]
            source.scope(inspection.pk)
        ).aggregate(last=Max("history_id"), rows=Count("history_id"))
        parts.append(f"{source.kind}:{found['last']}:{found['rows']}")
    # Live rows too: a delete that bypassed history must still change the stamp.
    parts += [
        str(Answer.objects.filter(assessment__case__inspection=inspection).count()),
        str(Assessment.objects.filter(case__inspection=inspection).count()),
        str(Case.objects.filter(inspection=inspection).count()),
        str(Judgement.objects.filter(inspection=inspection).count()),
        str(Discretion.objects.filter(inspection=inspection).count()),
        str(EvidenceItem.objects.filter(inspection=inspection).count()),
        str(ReportText.objects.filter(inspection=inspection).count()),
        str(Recommendation.objects.filter(inspection=inspection).count()),
        # The outcome indicators the background states, as the report reads them: a new run
        # (or a changed comparator) changes what is printed, so it must change the key.
        repr(outcome_indicators(inspection)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def cache_key(inspection: Inspection, lang: str) -> str:
    return f"yj:report-pdf:{inspection.pk}:{lang}:{change_stamp(inspection)}"


def cached_pdf(
    inspection: Inspection, lang: str, render: Callable[[], bytes]
) -> tuple[bytes, bool]:
    """(the PDF, whether it came from the cache); `render` makes it when it is not there."""
    key = cache_key(inspection, lang)
    found = cache.get(key)
    if isinstance(found, bytes):
        return found, True
    pdf = render()
    cache.set(key, pdf, TIMEOUT_SECONDS)
    return pdf, False
