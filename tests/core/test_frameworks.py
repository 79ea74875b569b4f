"""Framework files: shipped content, schema validation with line numbers, versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from yjinspect.frameworks import (
    FrameworkError,
    FrameworkVersionConflict,
    check_version_unchanged,
    fingerprint,
    get_framework,
    parse_framework,
    shipped_framework_paths,
)

FW2021 = shipped_framework_paths()["hmip-youth-2021"]


def test_2021_has_thirteen_standards_in_four_domains() -> None:
    fw = get_framework("hmip-youth-2021")
    assert [d.id for d in fw.domains] == ["1", "2", "3", "4"]
    ids = [s.id for s in fw.all_standards()]
    expected = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
    assert ids == [*expected, "3.4", "4.1"]
    case_based = [s.id for s in fw.all_standards() if s.rating_method == "cases"]
    assert case_based == ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
    assert [s.id for s in fw.all_standards() if not s.scored] == ["4.1"]
    assert fw.standard("4.1").not_rated_without_cases == "resettlement"
    assert fw.overall.max_score == 36


def test_every_case_standard_has_the_three_lenses_with_prompts() -> None:
    fw = get_framework("hmip-youth-2021")
    for std in fw.all_standards():
        if std.rating_method == "cases":
            assert [kq.lens for kq in std.key_questions] == [
                "desistance", "child_safety", "others_safety",
            ]  # fmt: skip
            assert all(kq.prompts for kq in std.key_questions)
        else:
            assert std.themes
    assert "2.2.others_safety" in fw.key_question_ids()
    assert fw.standard("2.2").key_questions[2].text == (
        "Does planning focus sufficiently on keeping other people safe?"
    )


def test_2018_has_joint_working_as_a_case_standard_and_no_resettlement() -> None:
    fw = get_framework("hmip-youth-2018")
    assert len(fw.domains) == 3
    assert len(fw.all_standards()) == 12
    joint = fw.standard("3.4")
    assert joint.name == "Joint working"
    assert joint.rating_method == "cases"
    assert all(s.scored for s in fw.all_standards())
    assert fw.overall.max_score == 36
    assert fw.service_term == "YOT"


def test_unconfirmed_rules_are_settings_with_provenance() -> None:
    fw = get_framework("hmip-youth-2021")
    for key in ("case_bands", "overall.bands", "discretion.max_bands", "percentages.banding_basis"):
        assert fw.provenance[key].startswith(("U", "D"))


def _broken(replace: str, by: str) -> str:
    text = FW2021.read_text()
    assert replace in text
    return text.replace(replace, by, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_error_names_file_line_and_field_for_a_bad_value() -> None:
    text = _broken("        rating_method: judgement\n", "        rating_method: judgment\n")
    with pytest.raises(FrameworkError) as info:
        parse_framework(text, "local.yaml")
    message = str(info.value)
    line = _line_of(text, "rating_method: judgment")
    assert f"local.yaml:{line}: domains[0].standards[0].rating_method:" in message


def test_error_for_unknown_rating_reference_points_at_its_line() -> None:
    text = _broken("  - {rating: good, min_percent: 65", "  - {rating: gud, min_percent: 65")
    with pytest.raises(FrameworkError) as info:
        parse_framework(text, "f.yaml")
    line = _line_of(text, "rating: gud")
    assert f"f.yaml:{line}: case_bands[1].rating: unknown rating 'gud'" in str(info.value)


def test_max_score_must_match_the_scored_standards() -> None:
    text = _broken("  max_score: 36", "  max_score: 39")
    with pytest.raises(FrameworkError, match=r"overall\.max_score: is 39 but the scored"):
        parse_framework(text, "f.yaml")


def test_unknown_fields_and_duplicate_keys_are_refused() -> None:
    with pytest.raises(FrameworkError, match="Extra inputs are not permitted"):
        parse_framework(_broken("version: 1\n", "version: 1\nversoin: 2\n"))
    with pytest.raises(FrameworkError, match="duplicate key"):
        parse_framework(_broken("version: 1\n", "version: 1\nversion: 2\n"))


def test_unordered_bands_and_missing_zero_band_are_refused() -> None:
    with pytest.raises(FrameworkError, match="highest min_percent down"):
        parse_framework(_broken("min_percent: 65", "min_percent: 85"))
    with pytest.raises(FrameworkError, match="lowest band must start at 0"):
        parse_framework(
            _broken("{rating: inadequate, min_percent: 0", "{rating: inadequate, min_percent: 10")
        )


def test_duplicate_lens_and_unknown_lens_are_refused() -> None:
    text = _broken("          - lens: child_safety\n", "          - lens: desistance\n")
    with pytest.raises(FrameworkError, match="2.1.desistance appears twice"):
        parse_framework(text)
    with pytest.raises(FrameworkError, match="unknown lens 'victims'"):
        parse_framework(_broken("          - lens: child_safety\n", "          - lens: victims\n"))


def test_invalid_yaml_reports_the_line() -> None:
    with pytest.raises(FrameworkError, match=r"f\.yaml:3: \(file\): not valid YAML"):
        parse_framework("id: x\nversion: 1\ntitle: a: b\n", "f.yaml")


def test_a_service_can_load_its_own_framework_file(tmp_path: Path) -> None:
    own = _broken("id: hmip-youth-2021", "id: bexley-local-audit").replace(
        "title: HMIP youth justice standards (2021)", "title: Bexley local audit"
    )
    path = tmp_path / "local.yaml"
    path.write_text(own)
    fw = get_framework(str(path))
    assert fw.id == "bexley-local-audit"
    assert fw.title == "Bexley local audit"


def test_unknown_framework_id_lists_the_shipped_ones() -> None:
    with pytest.raises(FrameworkError, match="hmip-youth-2021"):
        get_framework("hmip-youth-1999")


def test_changed_content_under_the_same_version_is_refused() -> None:
    original = get_framework("hmip-youth-2021")
    recorded = fingerprint(original)
    check_version_unchanged(original, recorded)  # same content: fine
    changed = parse_framework(_broken("min_percent: 65", "min_percent: 66"))
    assert changed.ref == original.ref
    with pytest.raises(FrameworkVersionConflict, match="new version number"):
        check_version_unchanged(changed, recorded)


def test_framework_objects_are_immutable() -> None:
    fw = get_framework("hmip-youth-2021")
    with pytest.raises(Exception, match="frozen"):
        fw.version = 2  # type: ignore[misc]


def test_a_framework_without_ratings_is_refused_by_name_not_a_crash() -> None:
    ratings = (
        "ratings:                       # worst first\n"
        "  - {id: inadequate, label: Inadequate, points: 0}\n"
        "  - {id: requires_improvement, label: Requires improvement, points: 1}\n"
        "  - {id: good, label: Good, points: 2}\n"
        "  - {id: outstanding, label: Outstanding, points: 3}\n"
    )
    with pytest.raises(FrameworkError, match="framework needs ratings"):
        parse_framework(_broken(ratings, "ratings: []\n"), "f.yaml")


def test_a_schema_that_gains_an_optional_field_keeps_every_fingerprint() -> None:
    """Stored frameworks and archives still match after the schema grows a defaulted field."""
    from yjinspect.frameworks import Framework, fingerprint, parse_framework

    class LaterFramework(Framework):
        report_sentences: dict[str, str] = {}

    for framework_id, path in shipped_framework_paths().items():
        today = parse_framework(path.read_text(encoding="utf-8"), str(path))
        later = LaterFramework.model_validate(today.model_dump())
        assert fingerprint(later) == fingerprint(today), framework_id
        used = LaterFramework.model_validate({**today.model_dump(), "report_sentences": {"a": "b"}})
        assert fingerprint(used) != fingerprint(today), framework_id


# What every stored inspection and archive was recorded against, by id@version: a schema
# change that alters one of these would make every answered inspection of that framework refuse
# to load. A new version of a file is a new entry here, never an edited one.
RECORDED_FINGERPRINTS = {
    "hmip-cci@2": "6ce95c2e5eb529ad3380a54391e136e1a9676af7def53acab191c3e96d92e114",
    "hmip-fji@2": "0e0a832098f4a499ebcc6f7a5434d87882e1ac486e05fc9d9808579bdafb72a5",
    "hmip-sqs@2": "faff34ce54ae6ba627c5ee87b5ba23093e10950d3d893845b775bbc5f8728f04",
    "hmip-youth-2018@1": "b376c7082cce26e9221696777bcce594d4dfe3402bf5afb5c54f8a094bc3290f",
    "hmip-youth-2021@2": "0943e9c34d0ce4c401b6b637937f0f1c0a8d0d2a9b098c6d93d61ba524e028f0",
}


@pytest.mark.parametrize("ref", sorted(RECORDED_FINGERPRINTS))
def test_the_earlier_frameworks_keep_the_fingerprints_answers_were_recorded_against(
    ref: str,
) -> None:
    framework = get_framework(ref.partition("@")[0])
    assert framework.ref == ref
    assert fingerprint(framework) == RECORDED_FINGERPRINTS[ref]


def test_a_framework_naming_no_populations_has_the_childrens_cases_over_every_domain() -> None:
    fw = get_framework("hmip-youth-2021")
    assert fw.populations == []
    (children,) = fw.case_populations()
    assert children.id == "children"
    assert children.case_domains == ["court", "out_of_court", "resettlement"]
    assert fw.population_sampling() == {"children": fw.sampling}
    assert all(s.population == "children" for s in fw.all_standards())
    assert fw.case_question_ids() == fw.key_question_ids()
    assert fw.judged_question_ids() == []
