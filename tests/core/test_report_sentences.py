"""The report's standard sentences as framework data: checked by the loader, versioned."""

from __future__ import annotations

import pytest

from yjinspect.frameworks import FrameworkError, fingerprint, get_framework, parse_framework
from yjinspect.frameworks.loader import shipped_framework_paths
from yjinspect.frameworks.schema import REPORT_SENTENCE_SLOTS, rates_like
from yjinspect.reports.welsh import framework_text

SHIPPED = shipped_framework_paths()["hmip-youth-2021"].read_text(encoding="utf-8")


def _problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(text, "local.yaml")
    return str(caught.value).splitlines()


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_shipped_sentences_fill_known_slots_with_known_placeholders() -> None:
    fw = get_framework("hmip-youth-2021")
    assert fw.version == 2 and fw.same_rules_since == 1
    slots = {key.partition(":")[0] for key in fw.report_sentences}
    assert slots == set(REPORT_SENTENCE_SLOTS)  # every slot is used by the shipped file
    assert {"evidence:3.4", "evidence:4.1"} <= set(fw.report_sentences)


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        (
            "  interviews_all: We",
            "  interview_all: We",
            "interview_all:",
            "report_sentences.interview_all: unknown slot 'interview_all'; the slots are: about,",
        ),
        (
            "of the {cases} cases.",
            "of the {total} cases.",
            "interviews_some:",
            "unknown placeholder {total}; 'interviews_some' takes {cases}, {interviewed}",
        ),
        (
            '"evidence:4.1":',
            '"evidence:9.9":',
            '"evidence:9.9":',
            "'evidence' needs a standard of this framework: 'evidence:<standard id>'",
        ),
        (
            "  rating_rule: >-",
            '  "rating_rule:2.1": >-',
            '"rating_rule:2.1":',
            "'rating_rule' is one sentence for the report, not one per standard",
        ),
        (
            'copyright: "© Crown copyright {year}"',
            'copyright: "© Crown copyright {year"',
            "copyright:",
            "report_sentences.copyright: not a valid template",
        ),
        (
            "  licence: >-",
            "  licence: >-\n    {licence}",
            "licence:",
            "unknown placeholder {licence}; 'licence' takes no placeholders",
        ),
    ],
)
def test_a_bad_sentence_is_named_by_line_and_slot(
    old: str, new: str, needle: str, message: str
) -> None:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new)
    [problem] = _problems(text)
    assert problem.startswith(f"local.yaml:{_line_of(text, needle)}: ")
    assert message in problem


def test_same_rules_since_cannot_be_a_later_version() -> None:
    text = SHIPPED.replace("same_rules_since: 1", "same_rules_since: 3")
    [problem] = _problems(text)
    assert "same_rules_since: is 3, later than version 2" in problem


def test_rates_like_covers_the_versions_with_the_same_rules() -> None:
    fw = get_framework("hmip-youth-2021")
    assert [v for v in range(0, 5) if rates_like(fw, v)] == [1, 2]
    older = get_framework("hmip-youth-2018")
    assert [v for v in range(0, 5) if rates_like(older, v)] == [older.version]


def test_a_framework_without_sentences_keeps_its_fingerprint() -> None:
    """The fields left at their defaults are not part of the fingerprint, so the frameworks
    that do not use them (and every stored version 1) are unchanged."""
    old = SHIPPED.split("\nreport_sentences:")[0].replace("same_rules_since: 1\n", "")
    explicit = old + "\nreport_sentences: {}\n"
    assert fingerprint(parse_framework(old)) == fingerprint(parse_framework(explicit))
    assert fingerprint(parse_framework(old)) != fingerprint(get_framework("hmip-youth-2021"))


def test_every_shipped_sentence_has_welsh_with_its_placeholders() -> None:
    fw = get_framework("hmip-youth-2021")
    for key, english in fw.report_sentences.items():
        welsh = framework_text(english)
        assert welsh != english, key
        for name in REPORT_SENTENCE_SLOTS[key.partition(":")[0]]:
            assert ("{" + name + "}" in english) == ("{" + name + "}" in welsh), (key, name)
