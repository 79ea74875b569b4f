"""Template filters for the report's edited words (`reports.content` passages) and footnotes.

The inspectors' texts are parsed into paragraphs and bullet lists; this renders them with every
piece of text escaped by `format_html`, so the result can go into a GOV.UK component's `html`
parameter (practice examples in inset text) without trusting anything a person typed.

A footnote is rendered in one of two ways, from the same numbered `Footnote`: on the web page
as a superscript link to the list after the section, and in the PDF as the note's own words
in a `float: footnote` span, which WeasyPrint moves to the foot of the page and replaces by
its number (`report.css` prints the number the content gave it, never a CSS counter).
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from yjinspect.reports.content import Footnote, Passage, Words

register = template.Library()


@register.filter
def footnote_html(note: Footnote | None, pdf: object = False) -> SafeString:
    """The mark of one footnote: a link on the page, the floated note in the PDF."""
    if note is None:
        return SafeString("")
    if pdf:
        return format_html('<span class="yj-fn" data-n="{}">{}</span>', str(note.number), note.text)
    return format_html(
        '<sup class="yj-fn-ref"><a href="#fn-{n}" id="fnref-{n}" aria-label="{label}">{n}</a>'
        "</sup>",
        n=str(note.number),
        label=_("Footnote %(n)s") % {"n": note.number},
    )


@register.filter
def words_html(words: Words | None, pdf: object = False) -> SafeString:
    """A run of typed words, escaped, with each footnote mark where it was typed."""
    if words is None:
        return SafeString("")
    return format_html_join(
        "",
        "{}",
        (
            (footnote_html(part, pdf) if isinstance(part, Footnote) else part,)
            for part in words.parts
        ),
    )


@register.filter
def passage_html(passage: Passage | None, pdf: object = False) -> SafeString:
    """Paragraphs and bullet lists in GOV.UK classes; lang="en" around a Welsh fallback."""
    if passage is None or not passage.blocks:
        return SafeString("")
    parts = []
    for block in passage.blocks:
        if block.kind == "bullets":
            items = format_html_join(
                "", "<li>{}</li>", ((words_html(item, pdf),) for item in block.items)
            )
            parts.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', items))
        else:
            inner = format_html_join(" ", "{}", ((words_html(i, pdf),) for i in block.items))
            parts.append(format_html('<p class="govuk-body">{}</p>', inner))
    inner = format_html_join("", "{}", ((part,) for part in parts))  # parts are safe already
    if passage.lang:
        return format_html('<div class="yj-text" lang="{}">{}</div>', passage.lang, inner)
    return format_html('<div class="yj-text">{}</div>', inner)
