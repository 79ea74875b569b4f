"""The demo report's PDF as a reader sees it: pdftoppm turns it into page images.

`yjinspect demo` builds the demo inspection and writes its PDF; Debian's poppler-utils
(installed by scripts/ensure-test-tools.sh) renders each page to PNG and extracts its text.
The test finds the pages that carry the ratings table, a key-question table and a chart, and
checks each rendered image holds real content (ink, and for charts colour), not a blank page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

PDFTOPPM = "/usr/bin/pdftoppm"


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo report's PDF, as `yjinspect demo` writes it."""
    if not Path(PDFTOPPM).exists():
        pytest.fail("pdftoppm is missing: run `bash scripts/ensure-test-tools.sh` first")
    out = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [sys.executable, "-m", "yjinspect.cli", "demo", "-o", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / "demo-report.pdf"


@pytest.fixture(scope="module")
def pages(demo_pdf: Path) -> list[tuple[str, Path]]:
    """(text, png) for every page of the demo report."""
    pdf, out = demo_pdf, demo_pdf.parent
    subprocess.run([PDFTOPPM, "-r", "50", "-png", str(pdf), str(out / "page")], check=True)
    images = sorted(out.glob("page-*.png"))
    texts = []
    for number in range(1, len(images) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        texts.append(text)
    return list(zip(texts, images, strict=True))


def _ink(image: Path) -> float:
    """Share of the page that is not white paper."""
    grey = Image.open(image).convert("L")
    dark = sum(grey.histogram()[:200])  # pixels darker than 200 of 255
    return dark / (grey.width * grey.height)


def _page(pages: list[tuple[str, Path]], *needles: str) -> Path:
    for text, image in pages:
        if all(n in text for n in needles):
            return image
    raise AssertionError(f"no page holds {needles}")


def test_every_page_renders_and_the_key_pages_carry_their_content(
    pages: list[tuple[str, Path]],
) -> None:
    assert len(pages) >= 10
    assert all(_ink(image) > 0.002 for _text, image in pages), "a blank page"
    ratings = _page(pages, "Overall rating", "Score", "Governance and leadership")
    key_questions = _page(pages, "Key questions for 2.1 Assessment", "% 'Yes'")
    chart = _page(pages, "percentage answered Yes", "The figures in the chart")
    for image in (ratings, key_questions, chart):
        assert _ink(image) > 0.01, image.name
    raw = Image.open(chart).convert("RGB").tobytes()
    blue = sum(
        1
        for r, g, b in zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
        if b > 150 and r < 80 and g < 140  # the chart's bars (#1d70b8)
    )
    assert blue > 500, "the key-question chart's bars are not on the page"


def test_the_pdf_is_tagged_for_screen_readers(demo_pdf: Path) -> None:
    """PDF/UA: a structure tree, the report's title shown, its language declared."""
    info = subprocess.run(
        ["pdfinfo", str(demo_pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    assert re.search(r"^Title:\s+An inspection of youth justice services in", info, re.M), info
