"""The national distribution as an SVG bar chart (pure string building, no library).

The chart has a <title> and <desc>, and the page prints the same counts in a table beside it.
The highlighted service's bar is darker and also carries its name in text, so the picture does
not rely on colour alone. Presentation attributes, not style attributes, keep it inside the
app's content security policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
LABEL_W = 190
PLOT_X0 = LABEL_W + 10
PLOT_X1 = WIDTH - 170
TOP = 12
BAR_H = 20
GAP = 8
AXIS_H = 26
FILL = "#1d70b8"
HIGHLIGHT = "#0b0c0c"


def distribution_chart(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[tuple[str, int]],
    highlight_category: str | None,
    highlight_text: str,
) -> str:
    """Horizontal bars, one per category, lengths proportional to the number of services."""
    most = max([n for _c, n in categories] + [1])
    plot_bottom = TOP + len(categories) * (BAR_H + GAP)
    height = plot_bottom + AXIS_H
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="yj-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="Arial, sans-serif" font-size="13">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(desc)}</desc>',
    ]
    for i, (category, count) in enumerate(categories):
        y = TOP + i * (BAR_H + GAP)
        middle = y + BAR_H / 2 + 5
        chosen = category == highlight_category
        weight = ' font-weight="bold"' if chosen else ""
        out.append(
            f'<text x="{LABEL_W}" y="{middle:.1f}" text-anchor="end" fill="#0b0c0c"{weight}>'
            f"{escape(category)}</text>"
        )
        width = (PLOT_X1 - PLOT_X0) * count / most
        if count:
            out.append(
                f'<rect x="{PLOT_X0}" y="{y}" width="{width:.1f}" height="{BAR_H}" '
                f'fill="{HIGHLIGHT if chosen else FILL}"/>'
            )
        label = f"{count}" + (f"  ◀ {highlight_text}" if chosen else "")
        out.append(
            f'<text x="{PLOT_X0 + width + 6:.1f}" y="{middle:.1f}" fill="#0b0c0c"{weight}>'
            f"{escape(label)}</text>"
        )
    out.append(
        f'<line x1="{PLOT_X0}" y1="{plot_bottom}" x2="{PLOT_X1}" y2="{plot_bottom}" '
        f'stroke="#0b0c0c"/>'
    )
    out.append("</svg>")
    return "".join(out)
