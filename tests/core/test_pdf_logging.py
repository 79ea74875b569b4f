"""The PDF renderer keeps WeasyPrint's real warnings and drops only the font-subsetting notice.

The notice appears only on machines without HarfBuzz's subsetting library, so the test logs
it through WeasyPrint's own logger rather than relying on the machine.
"""

from __future__ import annotations

import logging

import pytest

import yjinspect.reports.pdf  # noqa: F401 - importing it installs the filter


def test_the_font_subsetting_notice_is_dropped_and_other_warnings_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="weasyprint")
    logger = logging.getLogger("weasyprint")
    logger.warning(
        'Using fontTools instead of HarfBuzz-Subset for font "%s". This will be unsupported '
        "in future versions of WeasyPrint. Please install HarfBuzz-Subset >= 4.1.0 with your "
        "package manager.",
        "DejaVu Sans",
    )
    logger.warning("Ignored `colour: red` at 1:4, unknown property.")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Ignored `colour: red` at 1:4, unknown property."]
