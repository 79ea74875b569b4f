"""The core's tests see the core as the CLI does: no translator installed.

When the web tests run in the same process, Django's gettext is installed into
`yjinspect.core.words` (InspectionsConfig.ready) and the thread may keep the language of the
last Welsh request, so each core test module (with its module-scoped fixtures) runs with
the plain English.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yjinspect.core import words


@pytest.fixture(autouse=True, scope="module")
def _english_core() -> Iterator[None]:
    previous = words.install(*words.Translator())
    yield
    words.restore(previous)
