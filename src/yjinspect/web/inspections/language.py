"""The page's language, and the framework's wording in it.

Framework files are English; their Welsh is data in `frameworks/welsh/` (read by
`yjinspect.reports.welsh`). Services, forms and templates (the `framework` filter) all go
through `framework_wording`, so a Welsh page shows a standard's name, a question or a prompt
in Welsh wherever it appears, and an English page the framework file's words unchanged.
"""

from __future__ import annotations

from django.utils.translation import get_language

from yjinspect.core.caselist import value_label
from yjinspect.reports.welsh import framework_text


def current_language() -> str:
    """'cy' or 'en': the active language without any region ('en-gb' is 'en')."""
    return "cy" if (get_language() or "").lower().split("-")[0] == "cy" else "en"


def framework_wording(text: str) -> str:
    """A framework string (name, statement, question, prompt, label, scale word) in the
    page's language; the string itself when it has no Welsh or the page is English."""
    return framework_text(text) if current_language() == "cy" else text


def case_value(column: str, value: str | None) -> str:
    """A case-list code (a disposal type, a risk level...) as people write it, in the page's
    language: 'very_high' is 'Very high', or 'Uchel iawn' on a Welsh page."""
    return framework_wording(value_label(column, value)) if value else ""
