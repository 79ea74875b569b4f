"""Render GOV.UK Frontend components through the govuk-frontend-jinja macros.

The macros are HM Land Registry's Jinja ports of GOV.UK Frontend's own Nunjucks macros, checked
against the official output. One Jinja environment with compiled macros is kept per process:
compiling a macro costs far more than calling it, and a ratings page calls dozens.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from django.utils.safestring import SafeString, mark_safe

_ENV = jinja2.Environment(
    loader=jinja2.PrefixLoader(
        {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
    ),
    autoescape=True,
    auto_reload=False,
)


@cache
def _macro(component: str) -> jinja2.Template:
    name = "govuk" + "".join(part.capitalize() for part in component.split("-"))
    return _ENV.from_string(
        f"{{%- from 'govuk_frontend_jinja/components/{component}/macro.html' import {name} -%}}"
        f"{{{{ {name}(params) }}}}"
    )


def _clean(value: Any) -> Any:
    """Drop None values: the macros test for presence, and None would print as 'None'."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def render(component: str, **params: Any) -> SafeString:
    """HTML for a GOV.UK component; `text` values are escaped by the macro, `html` is trusted."""
    return mark_safe(_macro(component).render(params=_clean(params)))  # noqa: S308
