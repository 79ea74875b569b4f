"""Does a standard's narrative state counts its own figures contradict?

Inspectors write the narrative after the figures are in, and a number can be copied from a
draft or from the wrong key question: seed 004 says planning for the child's safety fell
short in "four of the nine cases" beside a published 67% (6 of 9, so 3 fell short). This
module finds the count phrases in a narrative ("four of the nine cases", "6 out of 9", "in 3
of the 12 cases", numbers as words or digits) and compares each with the standard's
key-question counts. A stated "X of the Y" is a warning when no key question has Y applicable
cases, or when X is neither the Yes nor the No count of a key question with Y.

The key question a phrase is about is read from the words near it: a phrase in a sentence (or
else a paragraph) that names one lens only ("the child's safety", "keeping other people safe",
"desistance") is compared with that lens's figures; otherwise with all of the standard's.
Seed 004's phrase sits in its paragraph on the child's safety, so it is compared with 6 Yes
and 3 No, not with keeping other people safe (5 and 4), and is flagged.

A warning is for the lead to look at before publication, never a refusal: "one of the two
teams" may not be about cases at all. Pure Python, English phrases (the narrative is checked
in the words it was written in, English, whatever the report's language).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Gettext = Callable[[str], str]

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORDS = {word: n for n, word in enumerate(_UNITS)} | {
    word: 20 + 10 * n for n, word in enumerate(_TENS)
}
_NUMBER = (
    r"\d{1,4}|(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(_UNITS[1:10])
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
)
_PHRASE = re.compile(
    rf"\b(?P<x>{_NUMBER})\s+(?:out\s+)?of\s+(?:the\s+)?(?P<y>{_NUMBER})\b(?:\s+(?:relevant\s+)?"
    r"(?:cases|children|case|orders|disposals))?",
    re.IGNORECASE,
)
# The words that tie a sentence to one lens of the shipped frameworks (lens ids).
_LENS_WORDS = {
    "desistance": r"desistance|reoffend\w*",
    "child_safety": (
        r"(?:the\s+)?child(?:ren)?['’]s\s+safety|safety\s+of\s+(?:the\s+)?child(?:ren)?|"
        r"keep(?:s|ing)?\s+(?:the\s+)?child(?:ren)?\s+safe|safety\s+and\s+wellbeing"
    ),
    "others_safety": (
        r"other\s+people|safety\s+of\s+others|others\s+safe|risks?\s+to\s+others|"
        r"(?:potential\s+|actual\s+)?victims?"
    ),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _identity(text: str) -> str:
    return text


@dataclass(frozen=True)
class KeyQuestionCount:
    """One key question's figures: its lens (id and label), Yes and No answers."""

    lens: str
    label: str
    yes: int
    no: int

    @property
    def applicable(self) -> int:
        return self.yes + self.no


@dataclass(frozen=True)
class CountWarning:
    """A count phrase its standard's figures do not bear out, and why, in words."""

    phrase: str
    stated: tuple[int, int]
    message: str


def number(text: str) -> int:
    """'9', 'nine', 'twenty-one', 'Twenty one' as a number."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    parts = re.split(r"[- ]", text)
    return sum(_WORDS[part] for part in parts)


def _lenses(text: str) -> set[str]:
    return {lens for lens, words in _LENS_WORDS.items() if re.search(words, text, re.I)}


def _scope(
    sentence: str, paragraph: str, figures: Sequence[KeyQuestionCount]
) -> list[KeyQuestionCount]:
    """The figures a phrase is about: the one lens its sentence (or paragraph) names."""
    known = {f.lens for f in figures}
    for words in (sentence, paragraph):
        named = _lenses(words) & known
        if len(named) == 1:
            return [f for f in figures if f.lens in named]
    return list(figures)


def _figures_text(figures: Sequence[KeyQuestionCount], _: Gettext) -> str:
    return "; ".join(
        _("%(label)s %(yes)s Yes and %(no)s No of %(applicable)s")
        % {"label": f.label, "yes": f.yes, "no": f.no, "applicable": f.applicable}
        for f in figures
    )


def _check(
    phrase: str, x: int, y: int, scope: Sequence[KeyQuestionCount], _: Gettext
) -> str | None:
    """Why `x` of `y` disagrees with the figures in `scope`; None when one of them has it."""
    matching = [f for f in scope if f.applicable == y]
    if not matching:
        return _(
            "'%(phrase)s': no key question here has %(y)s applicable cases. The figures are: "
            "%(figures)s."
        ) % {"phrase": phrase, "y": y, "figures": _figures_text(scope, _)}
    if any(x in (f.yes, f.no) for f in matching):
        return None
    return _(
        "'%(phrase)s': %(x)s is neither the Yes nor the No count of %(y)s. The figures are: "
        "%(figures)s."
    ) % {"phrase": phrase, "x": x, "y": y, "figures": _figures_text(matching, _)}


def count_warnings(
    paragraphs: Sequence[str], figures: Sequence[KeyQuestionCount], gettext: Gettext = _identity
) -> tuple[CountWarning, ...]:
    """The count phrases in a standard's narrative (one string per paragraph or bullet point)
    that its key-question figures do not bear out, in the order they are written."""
    if not figures:
        return ()
    warnings = []
    for paragraph in paragraphs:
        for sentence in _SENTENCE_END.split(paragraph):
            for match in _PHRASE.finditer(sentence):
                x, y = number(match["x"]), number(match["y"])
                phrase = " ".join(match.group(0).split())
                scope = _scope(sentence, paragraph, figures)
                problem = _check(phrase, x, y, scope, gettext)
                if problem:
                    warnings.append(CountWarning(phrase, (x, y), problem))
    return tuple(warnings)
