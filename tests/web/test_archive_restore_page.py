"""The restore pages: upload an archive, see every problem or what it holds and who it names,
decide who each person is here (nothing chosen for anyone), then restore."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yjinspect.web.inspections.forms.restore import LEAVE_OUT
from yjinspect.web.inspections.models import Inspection, Membership
from yjinspect.web.inspections.services import archive
from yjinspect.web.inspections.views.restore import SESSION_KEY

from .test_archive_checks import counts, fill, rewrite, stored_files

pytestmark = pytest.mark.django_db

RESTORE = reverse("inspections:restore")
CHECK = reverse("inspections:restore_check")


@pytest.fixture
def exported(inspection: Inspection, users: dict[str, AbstractUser]) -> bytes:
    fill(inspection, users)
    return archive.export_inspection(inspection)


def upload(client: Client, data: bytes, name: str = "testshire.zip") -> object:
    return client.post(RESTORE, {"archive": SimpleUploadedFile(name, data)})


def staged_files() -> list[Path]:
    return [p for p in stored_files() if p.parent.name == archive.STAGING]


def person_fields(page: str) -> dict[str, str]:
    """Label (archived username) -> the select's name, from the check page."""
    found = re.findall(r'<label for="id_(person_\d+)"[^>]*>\s*([^<]+?)\s*</label>', page)
    return {label: name for name, label in found}


def test_a_clean_archive_is_kept_in_storage_and_shown_for_checking(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    response = upload(client, exported)
    assert response.status_code == 302 and response["Location"] == CHECK  # type: ignore[attr-defined]
    # The session holds a token only; the archive itself is in the file storage.
    token = client.session[SESSION_KEY]
    assert isinstance(token, str) and len(token) == 32
    assert sorted(p.name for p in staged_files()) == [f"{token}.meta.json", f"{token}.zip"]
    page = client.get(CHECK).content.decode()
    assert "Testshire YJS" in page and "hmip-youth-2021@2" in page
    assert "Fieldwork" in page  # the state, in words
    fields = person_fields(page)
    assert set(fields) >= {"lead", "inspector", "inspector2", "moderator", "viewer"}
    assert "In the archived team as: Service viewer." in page
    # Same-named accounts are suggested (first in the list, named in the hint), never chosen.
    assert "An account called viewer exists here" in page
    assert "viewer (the same username)" in page
    selects = re.findall(r'<select name="person_\d+".*?</select>', page, re.S)
    assert len(selects) == len(fields)
    for select in selects:
        assert re.findall(r"<option [^>]*selected", select) == ['<option value="" selected']
    assert Inspection.objects.count() == 1


def test_nothing_is_restored_until_everyone_is_decided(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    upload(client, exported)
    fields = person_fields(client.get(CHECK).content.decode())
    before = counts()
    page = client.post(CHECK, {fields["lead"]: "lead"}).content.decode()
    assert "There is a problem" in page
    assert "Choose who viewer is here, or leave them out" in page
    assert counts() == before


def test_restoring_maps_the_people_chosen_and_leaves_out_the_rest(
    exported: bytes,
    client_as: Callable[[str], Client],
    inspection: Inspection,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_as("stranger")  # staff, not in the archived team
    upload(client, exported)
    token = client.session[SESSION_KEY]
    fields = person_fields(client.get(CHECK).content.decode())
    choices = {name: LEAVE_OUT for name in fields.values()}
    choices[fields["inspector"]] = "inspector2"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHECK, choices)
    restored = Inspection.objects.exclude(pk=inspection.pk).get()
    assert response["Location"] == reverse("inspections:detail", args=[restored.pk])
    team = dict(
        Membership.objects.filter(inspection=restored).values_list("user__username", "role")
    )
    assert team == {"inspector2": "inspector", "stranger": "lead"}
    assert User.objects.filter(username="archived:viewer", is_active=False).exists()
    assert SESSION_KEY not in client.session
    # The restorer can open it; once the restore committed, the staged upload and the
    # journal of the files written are gone.
    assert client.get(reverse("inspections:detail", args=[restored.pk])).status_code == 200
    assert staged_files() == [] and token


def test_a_mapping_the_service_refuses_is_shown_on_its_field(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    upload(client, exported)
    fields = person_fields(client.get(CHECK).content.decode())
    choices = {name: LEAVE_OUT for name in fields.values()}
    choices[fields["inspector"]] = choices[fields["inspector2"]] = "admin"
    before = counts()
    page = client.post(CHECK, choices).content.decode()
    assert "is given the same account (admin) as inspector" in page
    assert counts() == before


def test_an_archive_with_problems_lists_them_and_keeps_nothing(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    def tamper(content: dict[str, object]) -> None:
        content["inspection"][0]["state"] = "closed"  # type: ignore[index]
        content["answers"][0]["value"] = "may"  # type: ignore[index]

    client = client_as("lead")
    response = upload(client, rewrite(exported, tamper))
    page = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "The archive has 2 problems" in page
    assert "not a valid choice" in page and "not an answer this question takes" in page
    assert '<td class="govuk-table__cell">answers</td>' in page
    assert staged_files() == [] and SESSION_KEY not in client.session


def test_an_upload_that_is_no_zip_is_refused_on_the_form(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("lead")
    page = upload(client, b"not a zip", "notes.txt").content.decode()  # type: ignore[attr-defined]
    assert "is not a zip file" in page
    page = upload(client, b"not a zip").content.decode()  # type: ignore[attr-defined]
    assert "not a zip archive" in page
    assert staged_files() == []


def test_a_staged_archive_is_only_its_uploaders(
    exported: bytes, client_as: Callable[[str], Client], users: dict[str, AbstractUser]
) -> None:
    client = client_as("lead")
    upload(client, exported)
    token = client.session[SESSION_KEY]
    assert archive.load_staged(token, users["lead"]) is not None  # type: ignore[arg-type]
    assert archive.load_staged(token, users["stranger"]) is None  # type: ignore[arg-type]
    other = client_as("stranger")
    session = other.session
    session[SESSION_KEY] = token
    session.save()
    assert other.get(CHECK)["Location"] == RESTORE


def test_a_staged_archive_altered_in_storage_is_refused(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    upload(client, exported)
    token = client.session[SESSION_KEY]
    fields = person_fields(client.get(CHECK).content.decode())
    (Path(settings.MEDIA_ROOT) / archive.STAGING / f"{token}.zip").write_bytes(
        rewrite(exported, lambda c: c.update(exported_at="later"))
    )
    before = counts()
    page = client.post(CHECK, {name: LEAVE_OUT for name in fields.values()}).content.decode()
    assert "The uploaded archive was altered" in page
    assert counts() == before


def test_discarding_removes_the_staged_archive(
    exported: bytes, client_as: Callable[[str], Client]
) -> None:
    client = client_as("lead")
    upload(client, exported)
    assert staged_files()
    assert client.post(reverse("inspections:restore_discard"))["Location"] == RESTORE
    assert staged_files() == [] and SESSION_KEY not in client.session


def test_an_old_staged_archive_is_swept(
    exported: bytes, client_as: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(client_as("lead"), exported)
    first = staged_files()
    later = archive.time.time() + archive.STAGED_LIFETIME_SECONDS + 60
    monkeypatch.setattr(archive.time, "time", lambda: later)
    assert archive.remove_leftovers() == 2
    assert not any(p.exists() for p in first)


def test_the_home_page_links_staff_to_the_restore(client_as: Callable[[str], Client]) -> None:
    assert RESTORE in client_as("lead").get(reverse("inspections:home")).content.decode()
    assert RESTORE not in client_as("inspector").get(reverse("inspections:home")).content.decode()


def test_the_restore_pages_speak_welsh(exported: bytes, client_as: Callable[[str], Client]) -> None:
    client = client_as("lead")
    page = html.unescape(client.get(RESTORE, {"lang": "cy"}).content.decode())
    assert "Adfer arolygiad o'i archif" in page
    bad = rewrite(exported, lambda c: c["answers"][0].update(value="may"))
    page = html.unescape(upload(client, bad).content.decode())  # type: ignore[attr-defined]
    assert "Mae 1 problem yn yr archif" in page
    assert "nid yw'n ateb y mae'r cwestiwn hwn yn ei dderbyn" in page
    upload(client, exported)
    page = html.unescape(client.get(CHECK).content.decode())
    assert "Y bobl y mae'r archif yn eu henwi" in page and "Eu gadael allan" in page
