"""SVG charts for the inspection report, as strings (pure Python, no drawing library).

Each chart carries a <title> and a <desc> (its text alternative), and the report prints the
same figures in a table beside it, so nothing is conveyed by the picture alone. The rating
bands are shaded behind the bars and labelled in words, not told apart by colour only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from yjinspect.frameworks.schema import Framework


@dataclass(frozen=True)
class Bar:
    label: str  # short, e.g. "2.1 Desistance"
    percent: float | None  # None: no applicable answers
    shown: str  # as printed, e.g. "67%"
    bold: bool = False  # the driving (lowest) key question of its standard


@dataclass(frozen=True)
class BandShade:
    label: str
    low: float  # percent, inclusive
    high: float  # percent, exclusive (100 for the top band)


# Light fills, darkest for the lowest band; each band also has its name printed on top.
_FILLS = ("#f3f2f1", "#e8f1f8", "#fff7bf", "#fbe4e1")

WIDTH = 640
LABEL_W = 170
PLOT_X0 = LABEL_W + 10
PLOT_X1 = WIDTH - 50
TOP = 34
BAR_H = 16
GAP = 8
AXIS_H = 28


def bands_from(framework: Framework) -> list[BandShade]:
    """The framework's key-question bands (case_bands, highest first) as shaded ranges."""
    shades = []
    upper = 100.0
    for band in framework.case_bands:
        low = float(band.min_percent)
        shades.append(BandShade(framework.rating_label(band.rating), low, upper))
        upper = low
    return shades


def _x(percent: float) -> float:
    return PLOT_X0 + (PLOT_X1 - PLOT_X0) * max(0.0, min(100.0, percent)) / 100


def key_question_chart(
    chart_id: str, title: str, desc: str, bars: Sequence[Bar], bands: Sequence[BandShade]
) -> str:
    """A horizontal bar chart of key-question percentages over the shaded rating bands."""
    height = TOP + len(bars) * (BAR_H + GAP) + AXIS_H
    plot_bottom = TOP + len(bars) * (BAR_H + GAP)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="yj-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="DejaVu Sans, Liberation Sans, '
        f'Arial, sans-serif" font-size="11">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    for i, band in enumerate(sorted(bands, key=lambda b: b.low)):
        x0, x1 = _x(band.low), _x(band.high)
        out.append(
            f'<rect class="yj-band" x="{x0:.1f}" y="{TOP - 14}" width="{x1 - x0:.1f}" '
            f'height="{plot_bottom - TOP + 14}" fill="{_FILLS[i % len(_FILLS)]}" '
            f'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{TOP - 4}" text-anchor="middle" font-size="9" '
            f'fill="#0b0c0c">{escape(band.label)}</text>'
        )
    for i, bar in enumerate(bars):
        y = TOP + i * (BAR_H + GAP) + GAP / 2
        middle = y + BAR_H / 2 + 4
        weight = ' font-weight="bold"' if bar.bold else ""
        out.append(
            f'<text x="{LABEL_W}" y="{middle:.1f}" text-anchor="end"{weight}>'
            f"{escape(bar.label)}</text>"
        )
        if bar.percent is None:
            out.append(f'<text x="{PLOT_X0 + 4}" y="{middle:.1f}">{escape(bar.shown)}</text>')
            continue
        end = _x(bar.percent)
        out.append(
            f'<rect class="yj-bar" x="{PLOT_X0}" y="{y:.1f}" width="{end - PLOT_X0:.1f}" '
            f'height="{BAR_H}" fill="{"#0b0c0c" if bar.bold else "#1d70b8"}"/>'
        )
        out.append(f'<text x="{end + 4:.1f}" y="{middle:.1f}"{weight}>{escape(bar.shown)}</text>')
    out.append(
        f'<line x1="{PLOT_X0}" y1="{plot_bottom}" x2="{PLOT_X1}" y2="{plot_bottom}" '
        f'stroke="#0b0c0c"/>'
    )
    for tick in range(0, 101, 20):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{plot_bottom}" x2="{x:.1f}" y2="{plot_bottom + 4}" '
            f'stroke="#0b0c0c"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle">{tick}%</text>'
        )
    out.append("</svg>")
    return "".join(out)
