"""The bench's memory measure: it must see what a piece of work holds at its peak."""

from __future__ import annotations

import pytest

from yjinspect.bench.__main__ import _peak_mb


def test_peak_memory_counts_what_the_work_held_at_once() -> None:
    assert _peak_mb(lambda: bytearray(20_000_000)) == pytest.approx(20, abs=1)
    # Memory freed before the end still counts: it was held at once.
    assert _peak_mb(lambda: len(bytearray(8_000_000))) == pytest.approx(8, abs=1)
    assert _peak_mb(lambda: None) < 1
