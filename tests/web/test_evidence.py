"""Organisational evidence: the page, checked uploads, protected downloads, and judgements."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.models import EvidenceItem, Inspection, Judgement, State

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"PE\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def office_zip(kind: str, *, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        if kind == "docx":
            package.writestr("word/document.xml", "<document/>")
        else:
            package.writestr("xl/workbook.xml", "<workbook/>")
        if macros:
            package.writestr("word/vbaProject.bin", b"\x00\x01")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings: object, tmp_path: Path) -> Path:
    root = tmp_path / "uploads"
    settings.MEDIA_ROOT = root  # type: ignore[attr-defined]
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def add(client: Client, inspection: Inspection, upload: SimpleUploadedFile | None, **extra: str):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "standard_id": "1.1",
        "kind": "document",
        "title": "Management board minutes",
        "held_on": "2024-03-14",
        "attendees": "Head of service, police representative",
        "notes": "Board attendance is good.",
        **extra,
    }
    if upload is not None:
        data["upload"] = upload
    return client.post(reverse("inspections:evidence_add", args=[inspection.pk]), data)


# ---------------------------------------------------------------- the page


def test_evidence_page_has_a_section_per_evidence_rated_standard(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    html = client_as("inspector").get(reverse("inspections:evidence", args=[inspection.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    ids = re.findall(r'<section id="standard-([\d-]+)"', text)
    assert ids == ["1-1", "1-2", "1-3", "1-4", "3-4", "4-1"]
    assert (
        "Governance and leadership" in text and "The governance and leadership of the YJS" in text
    )
    assert "Themes to look at (guidance)" in text and "Vision and priorities agreed" in text
    assert "2.2 Planning" not in text  # case-rated standards are on the ratings page
    assert "No judgement recorded yet." in text
    assert "resettlement cases" in text  # 4.1 is not rated without them


def test_evidence_items_and_judgement_show_in_their_section(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    EvidenceItem.objects.create(
        inspection=inspection,
        standard_id="1.2",
        kind="meeting",
        title="Case managers focus group",
        attendees="Six case managers",
        added_by=users["inspector"],
    )
    EvidenceItem.objects.create(
        inspection=inspection, kind="document", title="Annual plan", added_by=users["inspector"]
    )
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.2",
        rating="good",
        rationale="Staff feel supported.",
        decided_by=users["lead"],
    )
    text = (
        client_as("moderator")
        .get(reverse("inspections:evidence", args=[inspection.pk]))
        .content.decode()
    )
    section = text.split('id="standard-1-2"')[1].split("<section")[0]
    assert "Case managers focus group" in section and "Six case managers" in section
    assert "Good" in section and "Staff feel supported." in section
    general = text.split('id="standard-general"')[1]
    assert "Annual plan" in general
    only = client_as("moderator").get(
        reverse("inspections:evidence", args=[inspection.pk]), {"standard": "1.2"}
    )
    assert "Annual plan" not in only.content.decode()
    assert "has no evidence recorded against its standard" not in section


def test_a_judgement_with_no_evidence_behind_it_is_flagged(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.4",
        rating="good",
        rationale="Systems are sound.",
        decided_by=users["lead"],
    )
    text = client_as("lead").get(reverse("inspections:evidence", args=[inspection.pk]))
    section = text.content.decode().split('id="standard-1-4"')[1].split("<section")[0]
    assert "This judgement has no evidence recorded against its standard" in section
    assert "govuk-warning-text" in section


# ---------------------------------------------------------------- uploads


def test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_an_attachment(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path
) -> None:
    response = add(
        client_as("inspector"),
        inspection,
        SimpleUploadedFile("board minutes.pdf", PDF, content_type="application/pdf"),
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.upload_name == "board minutes.pdf" and item.upload_size == len(PDF)
    assert item.attendees == "Head of service, police representative"
    files = stored_files(media)
    assert len(files) == 1 and "board" not in files[0].name and files[0].suffix == ".pdf"
    assert files[0].stat().st_mode & 0o777 == 0o640  # the app's user and group, nobody else
    assert files[0].parent.stat().st_mode & 0o777 == 0o750
    download = client_as("moderator").get(
        reverse("inspections:evidence_download", args=[inspection.pk, item.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="board minutes.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_program_named_pdf_is_refused_and_nothing_is_saved(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path
) -> None:
    response = add(
        client_as("inspector"),
        inspection,
        SimpleUploadedFile("minutes.pdf", EXE, "application/pdf"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "&#x27;minutes.pdf&#x27; is named as a PDF file but its content is not one" in html
    assert not EvidenceItem.objects.exists() and stored_files(media) == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_saved(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path, settings: object
) -> None:
    settings.YJ_MAX_UPLOAD_BYTES = 1000  # type: ignore[attr-defined]
    big = PDF + b"0" * 2000
    response = add(client_as("inspector"), inspection, SimpleUploadedFile("big.pdf", big))
    html = response.content.decode()
    assert "&#x27;big.pdf&#x27; is 2.0\xa0KB: the largest file allowed is 1000\xa0bytes" in html
    assert not EvidenceItem.objects.exists() and stored_files(media) == []


def test_the_default_limit_is_twenty_megabytes(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path
) -> None:
    big = PDF + b"0" * (20 * 1024 * 1024)
    response = add(client_as("inspector"), inspection, SimpleUploadedFile("huge.pdf", big))
    assert "the largest file allowed is 20.0\xa0MB" in response.content.decode()
    assert not EvidenceItem.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("plan.docx", office_zip("docx"), True),
        ("data.xlsx", office_zip("xlsx"), True),
        ("figures.csv", "area,count\nBexley,£12\n".encode(), True),
        ("notes.txt", b"Plain notes\r\nline two\n", True),
        ("chart.png", PNG, True),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, True),
        ("photo.JPEG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20, True),
        ("plan.docx", office_zip("xlsx"), False),  # a spreadsheet named as a Word file
        ("plan.docx", office_zip("docx", macros=True), False),
        ("plan.docx", PDF, False),
        ("plan.docx", b"PK\x03\x04 not really a zip", False),
        ("notes.txt", EXE, False),
        ("chart.png", PDF, False),
        ("tool.exe", EXE, False),
        ("page.html", b"<html><script>alert(1)</script></html>", False),
        ("minutes.pdf.exe", PDF, False),
        ("minutes", PDF, False),
    ],
)
def test_types_are_checked_by_extension_and_content(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    media: Path,
    name: str,
    content: bytes,
    accepted: bool,
) -> None:
    response = add(client_as("inspector"), inspection, SimpleUploadedFile(name, content))
    assert EvidenceItem.objects.exists() is accepted
    assert len(stored_files(media)) == (1 if accepted else 0)
    if not accepted:
        assert f"&#x27;{name}&#x27;" in response.content.decode()


def test_evidence_without_a_file_and_required_fields(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    response = add(client_as("lead"), inspection, None, title="", kind="")
    assert response.status_code == 200 and not EvidenceItem.objects.exists()
    ok = add(client_as("lead"), inspection, None, standard_id="", kind="interview")
    assert ok.status_code == 302 and ok["Location"].endswith("#standard-general")
    item = EvidenceItem.objects.get()
    assert item.standard_id == "" and not item.upload and item.kind == "interview"


def test_the_form_says_roles_not_names(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    html = (
        client_as("inspector")
        .get(reverse("inspections:evidence_add", args=[inspection.pk]), {"standard": "3.4"})
        .content.decode()
    )
    assert "Roles, not names" in html
    assert re.search(r'<option value="3.4" selected>', html)
    assert 'enctype="multipart/form-data"' in html
    assert '<option value="2.2"' not in html  # only evidence-rated standards


# ---------------------------------------------------------------- permissions


def test_download_needs_a_team_role_in_this_inspection(
    client_as: Callable[[str], Client],
    inspection: Inspection,
    users: dict[str, AbstractUser],
) -> None:
    item = EvidenceItem(
        inspection=inspection, kind="document", title="Plan", added_by=users["lead"]
    )
    item.upload.save("x.pdf", SimpleUploadedFile("x.pdf", PDF), save=False)
    item.upload_name = "Plan.pdf"
    item.save()
    url = reverse("inspections:evidence_download", args=[inspection.pk, item.pk])
    assert client_as("inspector").get(url).status_code == 200
    assert client_as("viewer").get(url).status_code == 403
    assert client_as("stranger").get(url).status_code == 404
    anonymous = client_as("anonymous").get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    # An item of another inspection cannot be fetched through this one.
    other = Inspection.objects.create(
        service_name="Elsewhere YJS",
        framework=inspection.framework,
        fieldwork_start=inspection.fieldwork_start,
        created_by=users["stranger"],
    )
    wrong = reverse("inspections:evidence_download", args=[other.pk, item.pk])
    assert client_as("admin").get(wrong).status_code == 404
    bare = EvidenceItem.objects.create(
        inspection=inspection, kind="meeting", title="No file", added_by=users["lead"]
    )
    no_file = reverse("inspections:evidence_download", args=[inspection.pk, bare.pk])
    assert client_as("inspector").get(no_file).status_code == 404


@pytest.mark.parametrize(
    ("name", "page", "add_page"),
    [
        ("lead", 200, 200),
        ("inspector", 200, 200),
        ("moderator", 200, 403),
        ("viewer", 403, 403),
        ("stranger", 404, 404),
        ("admin", 200, 200),
    ],
)
def test_who_may_see_and_add_evidence(
    client_as: Callable[[str], Client], inspection: Inspection, name: str, page: int, add_page: int
) -> None:
    client = client_as(name)
    assert client.get(reverse("inspections:evidence", args=[inspection.pk])).status_code == page
    add_url = reverse("inspections:evidence_add", args=[inspection.pk])
    assert client.get(add_url).status_code == add_page
    judgement_url = reverse("inspections:judgement", args=[inspection.pk, "1.1"])
    assert client.get(judgement_url).status_code == page


def test_anonymous_people_are_sent_to_sign_in(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    client = client_as("anonymous")
    for url in [
        reverse("inspections:evidence", args=[inspection.pk]),
        reverse("inspections:evidence_add", args=[inspection.pk]),
        reverse("inspections:judgement", args=[inspection.pk, "1.1"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_no_evidence_or_judgements_once_published(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    inspection.state = State.PUBLISHED
    inspection.save()
    lead = client_as("lead")
    assert lead.get(reverse("inspections:evidence", args=[inspection.pk])).status_code == 200
    assert add(lead, inspection, None).status_code == 403
    url = reverse("inspections:judgement", args=[inspection.pk, "1.1"])
    assert lead.get(url).status_code == 200
    assert lead.post(url, judgement_data()).status_code == 403
    assert not EvidenceItem.objects.exists() and not Judgement.objects.exists()


# ---------------------------------------------------------------- judgements


def judgement_data(**extra: object) -> dict[str, object]:
    return {
        "rating": "good",
        "rationale": "The board knows its children well.",
        "strengths": "  Strong board\n\n Good data  \n",
        "areas_for_improvement": "Attendance of education partners",
        "version": 0,
        **extra,
    }


def test_the_lead_records_a_judgement_and_history_records_who(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    url = reverse("inspections:judgement", args=[inspection.pk, "1.1"])
    response = client_as("lead").post(url, judgement_data())
    assert response.status_code == 302 and response["Location"].endswith("#standard-1-1")
    saved = Judgement.objects.get(inspection=inspection, standard_id="1.1")
    assert (saved.rating, saved.version, saved.decided_by) == ("good", 1, users["lead"])
    assert saved.strengths == "Strong board\nGood data"
    assert saved.history.get().history_user == users["lead"]
    again = client_as("lead").post(url, judgement_data(rating="not_rated", version=1))
    assert again.status_code == 302
    saved.refresh_from_db()
    assert saved.rating == "" and saved.version == 2
    assert [h.rating for h in saved.history.all()] == ["", "good"]
    page = client_as("inspector").get(url).content.decode()
    assert "Not rated" in page and "The board knows its children well." in page
    assert 'name="rationale"' not in page  # only the lead judges


def test_judgement_rationale_is_required_and_only_for_evidence_standards(
    client_as: Callable[[str], Client], inspection: Inspection
) -> None:
    lead = client_as("lead")
    url = reverse("inspections:judgement", args=[inspection.pk, "1.1"])
    response = lead.post(url, judgement_data(rationale="   "))
    assert response.status_code == 200
    assert "Give the reasons for this rating" in response.content.decode()
    assert not Judgement.objects.exists()
    assert (
        lead.get(reverse("inspections:judgement", args=[inspection.pk, "2.2"])).status_code == 404
    )
    assert (
        lead.get(reverse("inspections:judgement", args=[inspection.pk, "9.9"])).status_code == 404
    )
    assert (
        client_as("inspector").post(url, judgement_data()).status_code == 403
    )  # inspectors do not judge
    assert not Judgement.objects.exists()


def test_a_judgement_changed_meanwhile_is_a_conflict_and_nothing_is_saved(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    url = reverse("inspections:judgement", args=[inspection.pk, "1.3"])
    lead = client_as("lead")
    form = lead.get(url).content.decode()
    assert re.search(r'name="version" value="0"', form)
    # Someone else (another lead, here an administrator) saves first.
    client_as("admin").post(url, judgement_data(rating="outstanding", rationale="Theirs"))
    response = lead.post(url, judgement_data(rating="requires_improvement", rationale="Mine"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Mine" in html and "Theirs" in html
    assert "Requires improvement" in html and "Outstanding" in html
    assert "admin saved a different version" in html
    assert '<span class="govuk-caption-l">1.3 Partnerships and services</span>' in html
    assert html.count('action="/inspections/') == 1 and "/evidence/1.3/judgement/" in html
    saved = Judgement.objects.get(standard_id="1.3")
    assert (saved.rating, saved.rationale, saved.version) == ("outstanding", "Theirs", 1)
    assert saved.history.count() == 1
    # The conflict page offers 'mine' again, now against the version it has seen.
    assert re.search(r'name="version" value="1"', html) and "Save my version instead" in html
    resolved = lead.post(url, judgement_data(rating="requires_improvement", version=1))
    assert resolved.status_code == 302
    saved.refresh_from_db()
    assert (saved.rating, saved.version, saved.decided_by) == (
        "requires_improvement",
        2,
        users["lead"],
    )


def test_a_stale_form_after_an_edit_is_a_conflict_too(
    client_as: Callable[[str], Client], inspection: Inspection, users: dict[str, AbstractUser]
) -> None:
    Judgement.objects.create(
        inspection=inspection,
        standard_id="1.4",
        rating="good",
        rationale="First",
        decided_by=users["lead"],
        version=3,
    )
    url = reverse("inspections:judgement", args=[inspection.pk, "1.4"])
    response = client_as("lead").post(url, judgement_data(version=2))
    assert response.status_code == 409
    assert Judgement.objects.get(standard_id="1.4").rationale == "First"
