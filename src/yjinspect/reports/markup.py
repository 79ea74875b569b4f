"""The plain-text markup of the report's edited words: paragraphs and bullet lists, nothing else.

Inspectors type into a text box; the report must not let anything they type become markup. A
blank line starts a new paragraph and a line starting with "- " is a bullet point; every other
character is kept as text, and the templates escape it (HTML) so WeasyPrint prints it as text
(PDF). Parsing into blocks here, rather than converting to HTML, keeps the escaping in one place:
the template engine's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BULLET = "- "


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
