"""The demo report's PDF as a reader sees it: its numbers and its layout, read back with pdftotext.

`yjinspect demo` writes the demo inspection's report; `pdftotext -bbox` gives every word with
its box, page by page. A footnote mark is a run of digits set smaller and higher than the word
it follows, touching it; a note at the foot of the page starts with its number and a full
stop, in the notes' smaller type. The recommendations are the numbered lines under each
'... should:'. The numbers must be the ones the content gave them: recommendations 1 to n
across the bodies addressed, and one sequence of footnotes through the whole document, each
note on the page of its mark. And no heading or caption ends a page, and no word runs past
the right margin.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from yjinspect.demo.narrative import RECOMMENDATIONS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")

WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [sys.executable, "-m", "yjinspect.cli", "demo", "-o", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def pdf_words(pdf: Path) -> list[list[Word]]:
    """Every word of every page, in reading order, with its box."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = xhtml.split("<page ")[1:]
    return [
        [
            Word(number, float(a), float(b), float(c), float(d), html.unescape(text))
            for a, b, c, d, text in WORD.findall(page)
        ]
        for number, page in enumerate(pages, start=1)
    ]


def footnote_marks(pages: list[list[Word]]) -> list[tuple[int, int]]:
    """(number, page) of every footnote mark: digits set small and raised, touching the word
    before them on the same line."""
    marks = []
    for words in pages:
        for before, word in itertools.pairwise(words):
            if (
                word.text.isdigit()
                and abs(word.x0 - before.x1) < 1.5
                and word.height < 0.75 * before.height
                and word.y1 < before.y1 - 1
            ):
                marks.append((int(word.text), word.page))
    return marks


def footnotes(pages: list[list[Word]]) -> list[tuple[int, int, str]]:
    """(number, page, first line) of every note at the foot of a page: 'N.' first on its
    line, in type smaller than the page's body text."""
    notes = []
    for words in pages:
        if not words:
            continue
        body = statistics.median(w.height for w in words)
        for index, word in enumerate(words):
            first_on_line = index == 0 or word.x0 < words[index - 1].x0
            if first_on_line and re.fullmatch(r"\d+\.", word.text) and word.height < 0.9 * body:
                line = " ".join(w.text for w in words[index + 1 :] if abs(w.y0 - word.y0) < 1)
                notes.append((int(word.text[:-1]), word.page, line))
    return notes


def test_recommendations_run_from_one_to_n_across_the_bodies_addressed(demo: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(demo / "demo-report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    section = re.split(r"^\s*Recommendations\s*$", text, flags=re.M)[1]
    section = re.split(r"^\s*Background\s*$", section, flags=re.M)[0]
    bodies = [b.strip() for b in re.findall(r"^(.+) should:\s*$", section, re.M)]
    assert bodies == list(dict.fromkeys(body for body, _text in RECOMMENDATIONS))
    numbers = [int(n) for n in re.findall(r"^\s*(\d+)\.\s+\S", section, re.M)]
    assert numbers == list(range(1, len(RECOMMENDATIONS) + 1))


def test_every_footnote_sits_on_its_marks_page_and_the_numbers_run_through(demo: Path) -> None:
    pages = pdf_words(demo / "demo-report.pdf")
    marks, notes = footnote_marks(pages), footnotes(pages)
    # The content's own count: the standalone HTML (the PDF's source) floats each note once.
    source = (demo / "demo-report.html").read_text(encoding="utf-8")
    expected = [int(n) for n in re.findall(r'class="yj-fn" data-n="(\d+)"', source)]
    assert expected == list(range(1, len(expected) + 1)) and len(expected) >= 12
    assert [n for n, _page in marks] == expected, marks
    assert [n for n, _page, _line in notes] == expected, notes
    # Each note is at the foot of its mark's page.
    assert dict(marks) == {n: page for n, page, _line in notes}
    # The inspectors' own notes are numbered with the rest, in reading order: the police
    # recommendation's comes first of all, the national referral mechanism's in 2.1.
    firsts = {line.split(" ")[0]: n for n, _page, line in notes}
    assert firsts["A"] == 1  # 'A community resolution settles a minor offence ...'
    referral = next(n for n, _page, line in notes if line.startswith("The national process"))
    rating_rules = [n for n, _page, line in notes if line.startswith("The rating for the")]
    assert rating_rules[0] < referral < rating_rules[1]  # in 2.1, after its rating's notes


def _lines(words: list[Word]) -> list[list[Word]]:
    """The page's words grouped into lines by their baseline, top to bottom."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w.y1), w.x0)):
        if lines and abs(lines[-1][0].y1 - word.y1) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def test_no_heading_or_caption_is_left_at_the_foot_of_a_page(demo: Path) -> None:
    source = (demo / "demo-report.html").read_text(encoding="utf-8")
    headings = {
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())
        for text in re.findall(r"<(?:h[2-4]|figcaption|caption)\b[^>]*>(.*?)</", source, re.S)
    }
    assert "Case data summary: court disposals" in headings
    assert "Key questions for 2.1 Assessment" in headings and "The figures in the chart" in headings
    pages = pdf_words(demo / "demo-report.pdf")
    for words in pages[2:]:  # the cover and the contents page are lists of headings
        body = statistics.median(w.height for w in words)
        lines = [
            " ".join(w.text for w in line)
            for line in _lines([w for w in words if w.height >= 0.9 * body])
        ]
        lines = [t for t in lines if t != "Draft: not for publication"]
        lines = [t for t in lines if not re.fullmatch(r"Page \d+ of \d+", t)]
        # A heading has at least three lines of what it heads after it on its page (a chart's
        # heading and note with no chart is as stranded as a heading alone).
        last_heading = max((i for i, t in enumerate(lines) if t in headings), default=None)
        if last_heading is not None:
            after = len(lines) - 1 - last_heading
            assert after >= 3, (words[0].page, lines[last_heading:])


def test_every_word_is_inside_the_page_margins(demo: Path) -> None:
    """Fixed table layouts and set widths: a long question or header wraps in its column."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(demo / "demo-report.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    width = float(re.search(r'<page width="([\d.]+)"', xhtml)[1])  # type: ignore[index]
    margin = 18 / 25.4 * 72  # the print stylesheet's 18 mm side margins, in points
    pages = pdf_words(demo / "demo-report.pdf")
    outside = [
        (w.page, w.text, round(w.x1))
        for words in pages
        for w in words
        if w.x1 > width - margin + 1 or w.x0 < margin - 8
    ]
    assert not outside, outside
