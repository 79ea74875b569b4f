"""A restore trusts nothing in the archive: every row is checked with the forms' rules, every
reference must stay inside the archive, evidence comes only from the zip's own bytes, and the
file's size is bounded. Each crafted archive starts from a real export of the test inspection,
then has its JSON (or its zip) tampered with here; nothing crafted is kept as a file."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser, User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from yjinspect.frameworks import fingerprint, parse_framework
from yjinspect.limits import MB
from yjinspect.web.inspections.models import (
    Answer,
    Assessment,
    Case,
    CaseListImport,
    Discretion,
    EvidenceItem,
    FrameworkVersion,
    Inspection,
    Judgement,
    Membership,
    ReportText,
    StateTransition,
)
from yjinspect.web.inspections.services import archive
from yjinspect.web.inspections.services.archive import (
    TRACKED,
    ArchiveError,
    check_archive,
    export_inspection,
    history_model,
    import_inspection,
)
from yjinspect.web.inspections.services.legacy_demo import build_sqs_demo

from .test_legacy_followups import answer, fji

pytestmark = pytest.mark.django_db

EVIDENCE_BYTES = b"The board's plan for 2024, by role only.\n"


def _saved(obj: Any, user: AbstractUser) -> Any:
    obj._history_user = user
    obj.save()
    return obj


def fill(inspection: Inspection, users: dict[str, AbstractUser]) -> None:
    """The test inspection with a row of every kind that people make, history included."""
    lead, inspector = users["lead"], users["inspector"]
    imported = CaseListImport.objects.create(
        inspection=inspection, filename="cases.csv", rows=2, by=lead
    )
    cases = [
        _saved(
            Case(
                inspection=inspection,
                case_ref=f"TS{n:03d}",
                domain="court",
                disposal_type="referral_order",
                start_date=dt.date(2023, 6, n),
                case_manager="CM01",
                risk_of_harm="medium",
                safety_wellbeing="low",
                sex="female",
                age=15,
                imported_by=imported,
            ),
            lead,
        )
        for n in (1, 2)
    ]
    cases[0].in_sample, cases[0].assessor = True, inspector
    _saved(cases[0], lead)
    assessment = _saved(Assessment(case=cases[0], assessor=inspector), inspector)
    answer = _saved(
        Answer(
            assessment=assessment,
            key_question="2.1.desistance",
            value="yes",
            evidence="Plan reviewed.",
            updated_by=inspector,
        ),
        inspector,
    )
    answer.value, answer.version = "no", 2
    _saved(answer, inspector)
    _saved(
        Judgement(
            inspection=inspection,
            standard_id="1.1",
            rating="good",
            rationale="Well led.",
            decided_by=lead,
        ),
        lead,
    )
    _saved(
        Discretion(
            inspection=inspection,
            standard_id="2.1",
            rating="good",
            reason="Seen in interviews.",
            decided_by=lead,
        ),
        lead,
    )
    item = EvidenceItem(
        inspection=inspection, standard_id="1.1", kind="document", title="Plan", added_by=lead
    )
    item.upload.save("plan.txt", ContentFile(EVIDENCE_BYTES), save=False)
    item.upload_name, item.upload_size = "plan.txt", len(EVIDENCE_BYTES)
    _saved(item, lead)
    _saved(
        ReportText(inspection=inspection, key="foreword", text_en="Hello.", updated_by=lead), lead
    )
    StateTransition.objects.create(
        inspection=inspection, from_state="planning", to_state="fieldwork", by=lead
    )
    inspection.state = "fieldwork"
    _saved(inspection, lead)


@pytest.fixture
def exported(inspection: Inspection, users: dict[str, AbstractUser]) -> bytes:
    """A real export of the test inspection (the inspection stays in the database)."""
    fill(inspection, users)
    return export_inspection(inspection)


def content_of(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        loaded: dict[str, Any] = json.loads(package.read("inspection.json"))
    return loaded


def rewrite(
    data: bytes,
    change: Callable[[dict[str, Any]], None] | None = None,
    *,
    drop: str | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """The archive with inspection.json changed by `change`, a member dropped, members added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    content = json.loads(source.read("inspection.json"))
    if change:
        change(content)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name == drop:
                continue
            body = json.dumps(content).encode() if name == "inspection.json" else source.read(name)
            target.writestr(name, body)
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def stored_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def counts() -> dict[str, int]:
    found = {
        "inspections": Inspection.objects.count(),
        "frameworks": FrameworkVersion.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "evidence": EvidenceItem.objects.count(),
    }
    for key, model in TRACKED:
        found[key] = history_model(model)._default_manager.count()
    return found


def refused(data: bytes, **options: Any) -> list[archive.Problem]:
    """Restore `data`, which must fail, and check that nothing at all was written."""
    before, files = counts(), stored_files()
    options.setdefault("placeholders", True)
    with pytest.raises(ArchiveError) as caught:
        import_inspection(data, **options)
    assert counts() == before
    assert stored_files() == files
    return caught.value.problems


def where(problems: list[archive.Problem]) -> list[tuple[str, int | None, str]]:
    return [(p.table, p.row, p.field) for p in problems]


def test_a_real_export_passes_and_says_what_it_holds(exported: bytes) -> None:
    checked = check_archive(exported)
    checked.close()
    summary = checked.summary
    assert summary.service_name == "Testshire YJS"
    assert summary.framework_ref == "hmip-youth-2021@2"
    assert summary.state == "fieldwork"
    assert summary.counts["cases"] == 2 and summary.counts["answers"] == 1
    assert summary.files == 1
    roles = {p.username: p.roles for p in summary.people}
    assert roles["lead"] == ("lead",) and roles["viewer"] == ("service_viewer",)


def _set(table: str, field: str, value: Any, index: int = 0) -> Callable[[dict[str, Any]], None]:
    def change(content: dict[str, Any]) -> None:
        rows = content["history"][table[8:]] if table.startswith("history.") else content[table]
        rows[index][field] = value

    return change


# (table, field, bad value, words of the message): each a value no form lets through.
BAD_VALUES = [
    ("inspection", "state", "closed", "not a valid choice"),
    ("inspection", "mode", "", "cannot be blank"),
    ("memberships", "role", "owner", "not a valid choice"),
    ("assessments", "kind", "third", "not a valid choice"),
    ("answers", "value", "may", "not an answer this question takes"),
    ("answers", "value", "maybe", "at most 3 characters"),
    ("answers", "value", "o1", "not an answer this question takes"),
    ("history.answer", "value", "may", "not an answer this question takes"),
    ("history.membership", "history_type", "?", "not a valid choice"),
    ("inspection", "service_name", "x" * 201, "at most 200 characters"),
    ("evidence", "title", "x" * 201, "at most 200 characters"),
    ("evidence", "title", "Plan\x00", "NUL"),
    ("inspection", "fieldwork_start", "2024-02-30", "invalid date"),
    ("cases", "start_date", "yesterday", "invalid date format"),
    ("answers", "updated_at", "2024-01-01T10:00:00", "time zone"),
    ("inspection", "released_to_service", "yes", "true or false"),
    ("imports", "rows", -1, "greater than or equal to 0"),
    ("evidence", "upload_size", "41", "whole number"),
    ("cases", "age", 99, "age range"),
    ("cases", "case_ref", "Jane Smith", "case reference"),
    ("cases", "risk_of_harm", "extreme", "level"),
    ("cases", "disposal_type", "youth_caution", "disposal of this case domain"),
    ("answers", "key_question", "9.9.nothing", "not a key question"),
    ("judgements", "rating", "superb", "not a rating"),
    ("judgements", "standard_id", "2.1", "not judged"),
    ("discretions", "rating", "superb", "not a rating"),
    ("discretions", "reason", "", "cannot be blank"),
    ("evidence", "upload_name", "../../etc/passwd.txt", "not a path"),
    ("inspection", "optional_areas", ["X"], "optional areas"),
    ("report_texts", "version", True, "whole number"),
    # The forms' free-text limits (text_limits): a restored report prints as fast as one typed.
    ("report_texts", "text_en", "x" * 20_001, "20,000 characters or fewer"),
    ("answers", "evidence", "x" * 20_001, "20,000 characters or fewer"),
]


@pytest.mark.parametrize(("table", "field", "value", "words"), BAD_VALUES)
def test_a_value_no_form_accepts_is_refused_naming_table_row_and_field(
    exported: bytes, table: str, field: str, value: Any, words: str
) -> None:
    problems = refused(rewrite(exported, _set(table, field, value)))
    assert (table, 1, field) in where(problems), problems
    assert any(words in p.message for p in problems if p.field == field), problems


def test_the_tampered_value_is_what_fails(exported: bytes) -> None:
    """The same rewrite with a good value restores: the checks refuse the value, not the
    rewriting."""
    restored = import_inspection(
        rewrite(exported, _set("answers", "value", "na")), placeholders=True
    )
    assert Answer.objects.get(assessment__case__inspection=restored).value == "na"


# (table, field, the row's id is replaced by) references to rows outside the archive.
OUTSIDE = [
    ("answers", "assessment", 999_999),
    ("cases", "imported_by", 999_999),
    ("plan_items", "plan", 999_999),
    ("answers", "updated_by", "someone-not-listed"),
    ("answers", "assessment", "1"),
]


@pytest.mark.parametrize(("table", "field", "value"), OUTSIDE)
def test_a_reference_outside_the_archive_is_refused(
    exported: bytes, table: str, field: str, value: Any
) -> None:
    def change(content: dict[str, Any]) -> None:
        if table == "plan_items":  # the test inspection has no plan: give it one bad item
            row = {"id": 1, "plan": value, "recommendation": None, "addressed_to": "Board"}
            row |= {"text": "Act", "addressed_to_cy": "", "text_cy": "", "owner": ""}
            row |= {"status": "not_started", "order": 0, "version": 1, "updated_by": "lead"}
            row |= {"updated_at": "2024-04-08T10:00:00+00:00"}
            content["plan_items"] = [row]
        else:
            content[table][0][field] = value

    problems = refused(rewrite(exported, change))
    assert (table, 1, field) in where(problems), problems


def test_a_reference_is_never_resolved_against_the_database(
    exported: bytes, inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    """An id that exists here, in another inspection, but not in the archive, is refused."""
    other_case = Case.objects.exclude(assessments=None).get(inspection=inspection)
    elsewhere = Assessment.objects.create(
        case=Case.objects.create(
            inspection=Inspection.objects.create(
                service_name="Elsewhere",
                framework=inspection.framework,
                fieldwork_start=dt.date(2024, 1, 1),
                created_by=users["admin"],
            ),
            case_ref="EL001",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2023, 1, 1),
            case_manager="CM9",
            risk_of_harm="low",
            safety_wellbeing="low",
        ),
        assessor=users["admin"],
    )
    assert other_case.pk != elsewhere.case_id

    def point_elsewhere(content: dict[str, Any]) -> None:
        content["answers"][0]["assessment"] = elsewhere.pk
        content["history"]["membership"][0]["inspection"] = elsewhere.case.inspection_id

    problems = refused(rewrite(exported, point_elsewhere))
    assert ("answers", 1, "assessment") in where(problems)
    assert ("history.membership", 1, "inspection") in where(problems)


def test_every_problem_is_listed_at_once(exported: bytes) -> None:
    def several(content: dict[str, Any]) -> None:
        content["inspection"][0]["state"] = "closed"
        content["memberships"][1]["role"] = "owner"
        content["answers"][0]["value"] = "maybe"

    problems = refused(rewrite(exported, several))
    assert {("inspection", 1, "state"), ("memberships", 2, "role"), ("answers", 1, "value")} <= set(
        where(problems)
    )
    assert "memberships, row 2, role" in str(ArchiveError(problems))


def test_the_list_stops_at_a_hundred_problems(exported: bytes) -> None:
    def many(content: dict[str, Any]) -> None:
        content["cases"] = [dict(content["cases"][0], id=n, case_ref=f"X{n}") for n in range(500)]
        for row in content["cases"]:
            row["risk_of_harm"] = "extreme"

    problems = refused(rewrite(exported, many))
    assert len(problems) == archive.MAX_PROBLEMS


def test_a_repeated_unique_value_is_refused(exported: bytes) -> None:
    def twice(content: dict[str, Any]) -> None:
        content["cases"][1]["case_ref"] = content["cases"][0]["case_ref"]

    problems = refused(rewrite(exported, twice))
    assert ("cases", 2, "inspection, case_ref") in where(problems)


# ---------------------------------------------------------------- evidence files


@pytest.fixture
def other_document(users: dict[str, AbstractUser], inspection: Inspection) -> EvidenceItem:
    """Another inspection's uploaded document, whose team the restorer is not on."""
    other = Inspection.objects.create(
        service_name="Othershire YJS",
        framework=inspection.framework,
        fieldwork_start=dt.date(2024, 5, 1),
        created_by=users["admin"],
    )
    item = EvidenceItem(
        inspection=other, kind="document", title="Confidential", added_by=users["admin"]
    )
    item.upload.save("secret.txt", ContentFile(b"another inspection's document"), save=False)
    item.upload_name, item.upload_size = "secret.txt", 29
    item.save()
    return item


def _point_at(name: str, *, keep_member: bool) -> Callable[[dict[str, Any]], None]:
    def change(content: dict[str, Any]) -> None:
        row = content["evidence"][0]
        row["upload"] = name
        if not keep_member:
            row.pop("archive_file")

    return change


def test_an_upload_missing_from_the_zip_is_refused(exported: bytes) -> None:
    member = content_of(exported)["evidence"][0]["archive_file"]
    problems = refused(rewrite(exported, drop=member))
    assert ("evidence", 1, "upload") in where(problems)
    assert "not in the archive" in str(problems[0])


def test_another_inspections_document_is_never_linked(
    exported: bytes,
    other_document: EvidenceItem,
    users: dict[str, AbstractUser],
    client_as: Callable[[str], Client],
) -> None:
    name = other_document.upload.name
    member = content_of(exported)["evidence"][0]["archive_file"]
    # A row naming the stored document, with no file of its own: refused.
    problems = refused(
        rewrite(exported, _point_at(name, keep_member=False), drop=member),
        restored_by=users["stranger"],
    )
    assert ("evidence", 1, "upload") in where(problems)

    # Named by the row (beside a file of its own), or by the history alone: restored, but only
    # the archive's own bytes are stored, under a new name, and nothing names the document.
    def in_history(content: dict[str, Any]) -> None:
        for row in content["history"]["evidence"]:
            row["upload"] = name

    client = client_as("stranger")
    for change in (_point_at(name, keep_member=True), in_history):
        restored = import_inspection(
            rewrite(exported, change), placeholders=True, restored_by=users["stranger"]
        )
        items = EvidenceItem.objects.filter(inspection=restored)
        assert items.count() == 1 and not items.filter(upload=name).exists()
        history = history_model(EvidenceItem)._default_manager.filter(inspection_id=restored.pk)
        assert history.exists() and not history.filter(upload=name).exists()
        for item in items:
            url = reverse("inspections:evidence_download", args=[restored.pk, item.pk])
            response = client.get(url)
            assert b"".join(response.streaming_content) == EVIDENCE_BYTES  # type: ignore[attr-defined]
    # The other inspection stays hidden from the restorer, its file included.
    response = client.get(
        reverse(
            "inspections:evidence_download", args=[other_document.inspection_id, other_document.pk]
        )
    )
    assert response.status_code == 404


def test_a_file_in_the_zip_that_no_row_names_is_refused(exported: bytes) -> None:
    problems = refused(rewrite(exported, add={"uploads/99/extra.txt": b"smuggled"}))
    assert any("uploads/99/extra.txt" in p.message for p in problems)


def test_two_rows_naming_one_file_are_refused(exported: bytes) -> None:
    def copy_item(content: dict[str, Any]) -> None:
        content["evidence"].append(dict(content["evidence"][0], id=10**6))

    problems = refused(rewrite(exported, copy_item))
    assert ("evidence", 2, "archive_file") in where(problems)


def test_evidence_content_gets_the_upload_checks(exported: bytes, settings: Any) -> None:
    member = content_of(exported)["evidence"][0]["archive_file"]

    def as_pdf(content: dict[str, Any]) -> None:
        content["evidence"][0]["upload_name"] = "plan.pdf"

    problems = refused(rewrite(exported, as_pdf))
    assert ("evidence", 1, "archive_file") in where(problems)
    assert "content is not one" in problems[0].message
    program = b"MZ\x90\x00\x03" + b"\x00" * 200  # a Windows program, named plan.txt
    problems = refused(
        rewrite(
            exported,
            _set("evidence", "upload_size", len(program)),
            drop=member,
            add={member: program},
        )
    )
    assert ("evidence", 1, "archive_file") in where(problems)
    assert "content is not one" in problems[0].message
    settings.YJ_MAX_UPLOAD_BYTES = 10
    problems = refused(exported)
    assert ("evidence", 1, "archive_file") in where(problems)
    assert "largest accepted" in problems[0].message


def test_a_wrong_recorded_size_is_refused(exported: bytes) -> None:
    problems = refused(rewrite(exported, _set("evidence", "upload_size", 3)))
    assert ("evidence", 1, "upload_size") in where(problems)


# ---------------------------------------------------------------- limits


def _declared_size(data: bytes, member: str, size: int, *, packed: bool) -> bytes:
    """The zip with `member`'s sizes in the central directory claiming `size` bytes."""
    out = bytearray(data)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + name_length].decode() == member:
            struct.pack_into("<I", out, at + 24, size)  # uncompressed size
            if packed:
                struct.pack_into("<I", out, at + 20, size)  # compressed size
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


@pytest.mark.parametrize("packed", [False, True])
def test_a_json_bomb_is_refused_at_once_within_a_small_memory(
    exported: bytes, packed: bool
) -> None:
    """inspection.json declaring 1 GB: refused by its ratio, or (declared packed as large,
    so the ratio looks real) by the JSON cap, before a byte of it is unpacked."""
    bomb = _declared_size(exported, "inspection.json", 1024 * MB, packed=packed)
    tracemalloc.start()
    started = time.perf_counter()
    problems = refused(bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20 * MB
    assert ("compressed" if not packed else "largest accepted") in str(problems[0])


def test_inspection_json_is_read_within_its_cap(
    exported: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_JSON_BYTES", 1000)
    problems = refused(exported)
    assert "inspection.json is" in str(problems[0]) and "largest accepted" in str(problems[0])


def test_deeply_nested_json_is_refused(exported: bytes) -> None:
    source = zipfile.ZipFile(io.BytesIO(exported))
    text = source.read("inspection.json").replace(
        b'"optional_areas": null', b'"optional_areas": ' + b"[" * 100_000 + b"]" * 100_000, 1
    )
    assert len(text) > 200_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, text if name == "inspection.json" else source.read(name))
    problems = refused(out.getvalue())
    assert "nested too deeply" in str(problems[0])


def test_an_oversized_archive_is_refused_unread(
    exported: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", len(exported) - 1)
    assert "largest archive accepted" in str(refused(exported)[0])


def billion_laughs() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_framework_alias_bomb_is_refused_at_once(exported: bytes) -> None:
    def bomb(content: dict[str, Any]) -> None:
        content["framework"]["source"] = billion_laughs()

    started = time.perf_counter()
    problems = refused(rewrite(exported, bomb))
    assert time.perf_counter() - started < 2
    assert "aliases" in str(problems[0])


def test_a_framework_with_another_ones_fingerprint_is_refused(exported: bytes) -> None:
    def swap(content: dict[str, Any]) -> None:
        source = content["framework"]["source"]
        changed = source.replace("\ntitle: ", "\ntitle: Changed ", 1)
        content["framework"]["source"] = changed
        content["framework"]["fingerprint"] = fingerprint(parse_framework(changed, "x"))

    assert "already holds framework" in str(refused(rewrite(exported, swap))[0])


def sampled_case(inspection: Inspection, ref: str, assessor: AbstractUser) -> Case:
    """A sampled case as the case list brings it in (every column the list requires)."""
    return Case.objects.create(
        inspection=inspection,
        case_ref=ref,
        domain="court",
        disposal_type="referral_order",
        start_date=dt.date(2015, 3, 1),
        case_manager="CM02",
        risk_of_harm="low",
        safety_wellbeing="medium",
        in_sample=True,
        assessor=assessor,
    )


def test_earlier_programmes_archives_pass_the_checks(users: dict[str, AbstractUser]) -> None:
    """The SQS demo and an FJI inspection (recorded items answered 'o1'.., words overridden,
    an optional theme chosen) meet every rule: the rules are the app's own, not stricter."""
    sqs = build_sqs_demo(users["lead"], [users["inspector"]], users["moderator"])
    fji_inspection = fji(users, ["INT"])
    case = sampled_case(fji_inspection, "F100", users["inspector"])
    answer(case, users["inspector"], {"RR-02": "yes", "RR-05": "no", "PP-02": "o2"})
    Discretion(
        inspection=fji_inspection,
        standard_id="RR",
        rating="Satisfactory",
        reason="The files understate the work done",
        decided_by=users["lead"],
    ).save()
    for original in (sqs, fji_inspection):
        restored = import_inspection(export_inspection(original), placeholders=True)
        assert Answer.objects.filter(assessment__case__inspection=restored).count() == (
            Answer.objects.filter(assessment__case__inspection=original).count()
        )
        assert restored.optional_areas == original.optional_areas


def test_an_option_code_the_item_does_not_have_is_refused(users: dict[str, AbstractUser]) -> None:
    fji_inspection = fji(users, ["INT"])
    answer(
        sampled_case(fji_inspection, "F100", users["inspector"]),
        users["inspector"],
        {"PP-02": "o2"},
    )
    data = export_inspection(fji_inspection)
    for value in ("o9", "yes"):
        problems = refused(rewrite(data, _set("answers", "value", value)))
        assert ("answers", 1, "value") in where(problems)
