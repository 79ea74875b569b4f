"""Template filters for the report's edited words (`reports.markup` blocks).

The inspectors' texts are parsed into paragraphs and bullet lists; this renders them with every
piece of text escaped by `format_html`, so the result can go into a GOV.UK component's `html`
parameter (practice examples in inset text) without trusting anything a person typed.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from yjinspect.reports.content import Passage

register = template.Library()


@register.filter
def passage_html(passage: Passage | None) -> SafeString:
    """Paragraphs and bullet lists in GOV.UK classes; lang="en" around a Welsh fallback."""
    if passage is None or not passage.blocks:
        return SafeString("")
    parts = []
    for block in passage.blocks:
        if block.kind == "bullets":
            items = format_html_join("", "<li>{}</li>", ((item,) for item in block.items))
            parts.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            parts.append(format_html('<p class="govuk-body">{}</p>', block.text))
    inner = format_html_join("", "{}", ((part,) for part in parts))  # parts are safe already
    if passage.lang:
        return format_html('<div class="yj-text" lang="{}">{}</div>', passage.lang, inner)
    return format_html('<div class="yj-text">{}</div>', inner)
