"""The words the core writes for people, in the language the host asks for.

The core stays pure (no Django), yet its sentences (a standard's explanation, the distance to
the next band, the sample's notes) are shown on Welsh pages. So the core marks each sentence
with `gettext`/`ngettext` from here, and a host that can translate installs its translator
once with `install`. Django's own `gettext` already follows the language active for the
request or thread, so the web app installs it a single time at start-up and every later call
answers in that request's language. With nothing installed (the CLI, the core's tests,
anything without Django) the functions return the English unchanged.

Framework wording inside a sentence (rating labels such as "Good", domain labels) comes from
the framework file, not from the catalogue; the host may install `wording_fn` to put it in
the page's language (the web app passes its `framework_wording`), again identity by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _same(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


class Translator(NamedTuple):
    """The functions the core's words go through; `install` returns the previous one."""

    gettext: Gettext = _same
    ngettext: Ngettext = _english_plural
    wording: Gettext = _same


_current = Translator()


def install(
    gettext_fn: Gettext, ngettext_fn: Ngettext, wording_fn: Gettext | None = None
) -> Translator:
    """Send the core's words through these functions from now on; returns the previous set
    so a caller (a test) can put it back with `restore`."""
    global _current
    previous = _current
    _current = Translator(gettext_fn, ngettext_fn, wording_fn or _same)
    return previous


def restore(translator: Translator) -> None:
    """Put back a set of functions `install` returned (or `Translator()` for English)."""
    global _current
    _current = translator


def gettext(message: str) -> str:
    """`message` in the host's language; named `_` where used so makemessages finds it."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the host's language."""
    return _current.ngettext(singular, plural, n)


def wording(text: str) -> str:
    """Framework wording (a rating or domain label) in the host's language."""
    return _current.wording(text)
