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


# Light fills from the lowest band up (red, amber, blue, green tints, as rating tags are
# coloured); each band also has its name printed on top, so colour is never the only cue.
_FILLS = ("#fbe4e1", "#fff7bf", "#e8f1f8", "#e3f0e6")

WIDTH = 640
LABEL_W = 205  # room for the longest bold label, '2.4 Keeping other people safe'
PLOT_X0 = LABEL_W + 10
PLOT_X1 = WIDTH - 50
TOP = 48  # two rows of band names: narrow bands' names alternate rows
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


def _svg_open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    """The opening tag, <title> and <desc> every chart starts with: the same size, font and
    text alternative (aria-labelledby names both) for every chart of a report."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="yj-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="DejaVu Sans, Liberation Sans, '
        f'Arial, sans-serif" font-size="11">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]


def key_question_chart(
    chart_id: str, title: str, desc: str, bars: Sequence[Bar], bands: Sequence[BandShade]
) -> str:
    """A horizontal bar chart of key-question percentages over the shaded rating bands."""
    height = TOP + len(bars) * (BAR_H + GAP) + AXIS_H
    plot_bottom = TOP + len(bars) * (BAR_H + GAP)
    out = _svg_open(chart_id, height, title, desc)
    for i, band in enumerate(sorted(bands, key=lambda b: b.low)):
        x0, x1 = _x(band.low), _x(band.high)
        out.append(
            f'<rect class="yj-band" x="{x0:.1f}" y="{TOP - 14}" width="{x1 - x0:.1f}" '
            f'height="{plot_bottom - TOP + 14}" fill="{_FILLS[i % len(_FILLS)]}" '
            f'stroke="#b1b4b6" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{TOP - 4 - 16 * (i % 2)}" text-anchor="middle" '
            'font-size="9" '
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


@dataclass(frozen=True)
class CountBar:
    """One question's answers: done well enough (yes), not (no), and not applicable (na)."""

    label: str  # e.g. "2.1 Desistance", or an earlier programme's item id "RR-02"
    yes: int
    no: int
    na: int = 0


COUNT_X1 = WIDTH - 20
NA_ROOM = 70  # kept free right of the bars when not-applicable counts are printed there


def _tick_step(top: int) -> int:
    """A round step giving at most about six ticks up to `top`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def answer_counts_chart(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[CountBar],
    yes_label: str,
    no_label: str,
    na_label: str | None = None,
) -> str:
    """Stacked horizontal bars of Yes and No counts per question (N/A not drawn).

    One chart for both report families: the current report's case-data summary (per key
    question) and the earlier programmes' FJI data summary (per item of a theme). Each segment
    prints its count, and the two kinds differ in fill and outline as well as in colour (solid
    dark for Yes, white with a dark outline for No), with a legend in words. With `na_label`,
    a question's not-applicable count is printed after its bar ('27 n/a'), as the FJI charts
    noted why a bar falls short of the sample.
    """
    top = max([b.yes + b.no for b in bars] + [1])
    plot_end = COUNT_X1 - (NA_ROOM if na_label is not None else 0)
    step = _tick_step(top)
    scale_top = -(-top // step) * step
    legend_h = 22
    rows_top = TOP + legend_h - 14
    height = rows_top + len(bars) * (BAR_H + GAP) + AXIS_H
    plot_bottom = rows_top + len(bars) * (BAR_H + GAP)

    def x(count: float) -> float:
        return PLOT_X0 + (plot_end - PLOT_X0) * count / scale_top

    out = [
        *_svg_open(chart_id, height, title, desc),
        f'<rect x="{PLOT_X0}" y="6" width="12" height="12" fill="#1d70b8"/>'
        f'<text x="{PLOT_X0 + 16}" y="16">{escape(yes_label)}</text>'
        f'<rect x="{PLOT_X0 + 90}" y="6" width="12" height="12" fill="#ffffff" '
        f'stroke="#0b0c0c"/><text x="{PLOT_X0 + 106}" y="16">{escape(no_label)}</text>',
    ]
    for i, bar in enumerate(bars):
        y = rows_top + i * (BAR_H + GAP) + GAP / 2
        middle = y + BAR_H / 2 + 4
        out.append(
            f'<text x="{LABEL_W}" y="{middle:.1f}" text-anchor="end">{escape(bar.label)}</text>'
        )
        yes_end = x(bar.yes)
        no_end = x(bar.yes + bar.no)
        if bar.yes:
            out.append(
                f'<rect class="yj-bar yj-bar--yes" x="{PLOT_X0}" y="{y:.1f}" '
                f'width="{yes_end - PLOT_X0:.1f}" height="{BAR_H}" fill="#1d70b8"/>'
                f'<text x="{PLOT_X0 + 3}" y="{middle:.1f}" fill="#ffffff">{bar.yes}</text>'
            )
        if bar.no:
            out.append(
                f'<rect class="yj-bar yj-bar--no" x="{yes_end:.1f}" y="{y:.1f}" '
                f'width="{no_end - yes_end:.1f}" height="{BAR_H}" fill="#ffffff" '
                f'stroke="#0b0c0c" stroke-width="1"/>'
                f'<text x="{yes_end + 3:.1f}" y="{middle:.1f}">{bar.no}</text>'
            )
        if na_label is not None and bar.na:
            out.append(
                f'<text class="yj-na" x="{no_end + 4:.1f}" y="{middle:.1f}">'
                f"{bar.na} {escape(na_label)}</text>"
            )
    out.append(
        f'<line x1="{PLOT_X0}" y1="{plot_bottom}" x2="{plot_end}" y2="{plot_bottom}" '
        f'stroke="#0b0c0c"/>'
    )
    for tick in range(0, scale_top + 1, step):
        tx = x(tick)
        out.append(
            f'<line x1="{tx:.1f}" y1="{plot_bottom}" x2="{tx:.1f}" y2="{plot_bottom + 4}" '
            f'stroke="#0b0c0c"/>'
            f'<text x="{tx:.1f}" y="{plot_bottom + 16}" text-anchor="middle">{tick}</text>'
        )
    out.append("</svg>")
    return "".join(out)
