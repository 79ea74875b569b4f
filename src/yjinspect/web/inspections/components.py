"""Render GOV.UK Frontend components through the govuk-frontend-jinja macros.

The macros are HM Land Registry's Jinja ports of GOV.UK Frontend's own Nunjucks macros, checked
against the official output. One Jinja environment with compiled macros is kept per process:
compiling a macro costs far more than calling it, and a ratings page calls dozens.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache, lru_cache
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


class _Uncacheable(Exception):
    """A param of a kind whose rendering may vary (a lazy translation, say): render afresh."""


def _frozen(value: Any) -> Hashable:
    """The params as a hashable key that `_thawed` turns back into the same params.

    Django's SafeString carries `__html__`, which the Jinja macros honour (no escaping), so
    the same characters as str and as SafeString render differently: the key says which.
    """
    if isinstance(value, dict):
        return ("dict", tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_frozen(v) for v in value))
    if isinstance(value, SafeString):
        return ("html", str(value))
    if type(value) in {str, int, float, bool}:
        return ("plain", value)
    raise _Uncacheable


def _thawed(key: Any) -> Any:
    kind, value = key
    if kind == "dict":
        return {k: _thawed(v) for k, v in value}
    if kind == "list":
        return [_thawed(v) for v in value]
    if kind == "html":
        return SafeString(value)
    return value


@lru_cache(maxsize=2048)
def _rendered(component: str, key: Hashable) -> str:
    return _macro(component).render(params=_thawed(key))


def render(component: str, **params: Any) -> SafeString:
    """HTML for a GOV.UK component; `text` values are escaped by the macro, `html` is trusted.

    A page draws the same small components again and again (a rating tag per standard, the
    footer on every page), and a macro call costs tens of microseconds, so each distinct
    component-and-params is rendered once per process (least recently used dropped first).
    The output depends only on the component and its params.
    """
    cleaned = _clean(params)
    try:
        key = _frozen(cleaned)
    except _Uncacheable:
        return mark_safe(_macro(component).render(params=cleaned))  # noqa: S308
    return mark_safe(_rendered(component, key))  # noqa: S308
