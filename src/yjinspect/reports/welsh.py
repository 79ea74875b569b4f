"""Welsh for the words the pages and the report take from the framework files.

The app's own fixed strings are in the message catalogue (`web/locale/cy`). A framework's
wording (standard and area names, statements, key questions, prompts, labels, scale words)
comes from its YAML, so its Welsh is data too: `frameworks/welsh/<framework id>.yaml` pairs
each English string, exactly as the framework file writes it, with its Welsh, and
`frameworks/welsh/common.yaml` holds words no one framework owns (case-list codes, the
engine's short reasons). The files are read once and merged; the same English given two
different Welsh renderings is refused, so one word never reads two ways. The translations are
not part of a framework's fingerprint: a better translation changes no rating or archive.

`framework_text` is passed to `build_report` for a Welsh report and used by the web app's
`framework_wording` on Welsh pages. `wording_of` lists everything a framework shows, so a
test can prove each shipped framework has its Welsh.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from yjinspect.frameworks.loader import SHIPPED_DIR
from yjinspect.frameworks.schema import Framework

WELSH_DIR = SHIPPED_DIR / "welsh"


class WelshTextError(ValueError):
    """A Welsh wording file that cannot be used, naming the file and the entry."""


def load_welsh(folder: Path = WELSH_DIR) -> MappingProxyType[str, str]:
    """English -> Welsh from every `*.yaml` in `folder`, merged."""
    merged: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        for number, (english, welsh) in enumerate(read_welsh_file(path), start=1):
            if english in merged and merged[english] != welsh:
                raise WelshTextError(
                    f"{path.name} entry {number}: {english!r} is already "
                    f"{merged[english]!r} in {where[english]}, not {welsh!r}"
                )
            merged[english] = welsh
            where.setdefault(english, path.name)
    return MappingProxyType(merged)


def read_welsh_file(path: Path) -> Iterator[tuple[str, str]]:
    """The (English, Welsh) pairs of one file, in order; WelshTextError names a bad entry."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("text") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise WelshTextError(f"{path.name}: expected a 'text' list of en/cy pairs")
    for number, entry in enumerate(entries, start=1):
        english = entry.get("en") if isinstance(entry, dict) else None
        welsh = entry.get("cy") if isinstance(entry, dict) else None
        if not isinstance(english, str) or not isinstance(welsh, str) or not welsh.strip():
            raise WelshTextError(f"{path.name} entry {number}: needs 'en' and a non-empty 'cy'")
        yield english, welsh


TEXT = load_welsh()

_NO_CASES = re.compile(r"no (?P<label>.+) cases in the inspection timescale")


def framework_text(text: str) -> str:
    """The Welsh for a framework or engine string; the string itself when there is none."""
    found = TEXT.get(text)
    if found is not None:
        return found
    match = _NO_CASES.fullmatch(text)
    if match:
        label = match["label"]
        welsh = next((cy for en, cy in TEXT.items() if en.lower() == label), label)
        return f"dim achosion {welsh.lower()} yn amserlen yr arolygiad"
    return text


def wording_of(framework: Framework) -> list[str]:
    """Every string of the framework that a page or the report may show, once each."""
    found: list[str] = [framework.title, framework.programme, framework.description]
    found += [framework.in_force, framework.provisional_note, *(r.label for r in framework.ratings)]
    if framework.ratings:
        found.append(framework.not_rated_label)
    found += [b.phrase for b in framework.case_bands]
    found += [lens.label for lens in framework.lenses]
    found += [d.label for d in framework.case_domains]
    for population in framework.populations:
        found.append(population.label)
        found += [text for column in population.columns for text in (column.label, column.help)]
    for domain in framework.domains:
        found.append(domain.name)
        for std in domain.standards:
            found += [std.name, std.statement, *std.themes]
            for kq in std.key_questions:
                found += [kq.text, *kq.prompts]
    for area in framework.areas:
        found += [area.name, area.work_phrase, area.expectation, area.score_sentence]
        found.append(area.summary_sentence)
        found += [*area.themes, *(s.name for s in area.sections)]
    found += [band.word for scale in framework.word_scales.values() for band in scale]
    for item in framework.items:
        found += [item.text, item.na_when, *item.options, *item.prompts]
    found += framework.report_sentences.values()
    phrases = framework.report_phrases  # its scale's phrases go into English counts only
    found += [phrases.below_average, phrases.above_average, phrases.at_average]
    return list(dict.fromkeys(text for text in found if text))
