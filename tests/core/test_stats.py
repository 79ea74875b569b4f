from __future__ import annotations

import pytest

from yjinspect.core.stats import cohen_kappa, sample_size, wilson_interval, z_for


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (200, 91),
        (510, 125),
        (15, 14),
        (9, 9),
        (14, 13),
        (30, 26),
        (50, 39),
        (100, 63),
        (1, 1),
        (0, 0),
    ],
)
def test_sample_size_matches_the_method_note(population: int, expected: int) -> None:
    assert sample_size(population, 0.80, 0.05) == expected


def test_sample_size_without_correction_is_the_infinite_population_figure() -> None:
    assert sample_size(10_000, 0.80, 0.05, finite_population_correction=False) == 165


def test_wilson_known_value() -> None:
    low, high = wilson_interval(5, 9, 0.95)
    assert round(low, 3) == 0.267 and round(high, 3) == 0.811
    assert round(z_for(0.95), 2) == 1.96
    with pytest.raises(ValueError, match="at least one"):
        wilson_interval(0, 0, 0.95)


def test_kappa() -> None:
    assert cohen_kappa([("yes", "yes"), ("no", "no")]) == 1.0
    assert cohen_kappa([]) is None
    assert cohen_kappa([("yes", "yes"), ("yes", "yes")]) is None
    # 20 items: observed 0.8, expected 0.5 -> kappa 0.6
    pairs = [("yes", "yes")] * 8 + [("no", "no")] * 8 + [("yes", "no")] * 2 + [("no", "yes")] * 2
    assert cohen_kappa(pairs) == pytest.approx(0.6)
