"""The plain-text markup of the report's edited words: paragraphs, bullet lists and footnotes.

Inspectors type into a text box; the report must not let anything they type become markup. A
blank line starts a new paragraph, a line starting with "- " is a bullet point, and
`[^words]` right after a word is a footnote: its words go to the foot of the page and a number
takes their place, numbered with the report's other notes. Every other character is kept as
text, and the templates escape it (HTML) so WeasyPrint prints it as text (PDF). Parsing into
blocks here, rather than converting to HTML, keeps the escaping in one place: the template
engine's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from yjinspect.core.words import gettext as _

BULLET = "- "
NOTE_OPEN = "[^"
NOTE_CLOSE = "]"


@dataclass(frozen=True)
class Block:
    """A paragraph (one item: its text) or a bullet list (one item per bullet)."""

    kind: Literal["paragraph", "bullets"]
    items: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.items)


def _flush(kind: Literal["paragraph", "bullets"], lines: list[str], out: list[Block]) -> None:
    if lines:
        out.append(Block(kind, (" ".join(lines),) if kind == "paragraph" else tuple(lines)))
        lines.clear()


def parse(text: str) -> tuple[Block, ...]:
    """Blocks of `text`: blank lines end a paragraph; "- " lines make bullet points.

    Lines of one paragraph are joined with a space (a line break inside a paragraph is not a
    new paragraph). A line that does not start with "- " right after bullets continues the last
    bullet, so a long bullet can wrap over lines in the text box.
    """
    out: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            _flush("paragraph", paragraph, out)
            _flush("bullets", bullets, out)
            continue
        if raw.lstrip().startswith(BULLET) or line == "-":
            _flush("paragraph", paragraph, out)
            item = line[1:].strip()
            if item:
                bullets.append(item)
        elif bullets:
            bullets[-1] = f"{bullets[-1]} {line}"
        else:
            paragraph.append(line)
    _flush("paragraph", paragraph, out)
    _flush("bullets", bullets, out)
    return tuple(out)


# ---------------------------------------------------------------- footnotes


@dataclass(frozen=True)
class Note:
    """A footnote as typed ('[^Outcome 22 is ...]'), before the report gives it its number."""

    text: str


def _note_end(text: str, start: int) -> int | None:
    """The index of the ']' closing the note that opens at `start`; brackets inside a note
    nest, so '[^see [1] above]' is one note. None when it is never closed."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "[":
            depth += 1
        elif text[index] == NOTE_CLOSE:
            depth -= 1
            if depth == 0:
                return index
    return None


def split_notes(text: str) -> tuple[str | Note, ...]:
    """`text` as runs of words and the footnotes typed in it, in order.

    The space before a note is dropped, so 'Outcome 22 [^...] or' puts the number right after
    '22'. An unclosed or empty note is kept as typed rather than lost (the forms refuse both
    with `note_problems`, so only text saved before footnotes existed can hold one).
    """
    out: list[str | Note] = []
    rest = text
    while True:
        start = rest.find(NOTE_OPEN)
        end = _note_end(rest, start) if start >= 0 else None
        if start < 0 or end is None:
            break
        words = " ".join(rest[start + len(NOTE_OPEN) : end].split())
        before = rest[:start]
        if words:
            if before.rstrip():
                out.append(before.rstrip())
            out.append(Note(words))
        else:
            out.append(rest[: end + 1])  # '[^]' is not a note: kept as typed
        rest = rest[end + 1 :]
    if rest:
        out.append(rest)
    merged: list[str | Note] = []
    for part in out:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return tuple(merged)


def _excerpt(text: str, start: int) -> str:
    piece = " ".join(text[start : start + 40].split())
    return piece + ("..." if len(text) - start > 40 else "")


def note_problems(text: str) -> list[str]:
    """Why the footnotes typed in `text` cannot be printed, quoting each one: a note opened
    with '[^' and never closed, or one with no words. Empty when every note is sound."""
    problems = []
    index = text.find(NOTE_OPEN)
    while index >= 0:
        end = _note_end(text, index)
        if end is None:
            problems.append(
                _("The footnote starting '%(start)s' has no closing ']'")
                % {"start": _excerpt(text, index)}
            )
            break
        if not text[index + len(NOTE_OPEN) : end].strip():
            problems.append(_("A footnote has no words: write them between '[^' and ']'"))
        index = text.find(NOTE_OPEN, end + 1)
    return problems
