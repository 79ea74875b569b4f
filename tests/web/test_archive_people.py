"""People in a restored archive are decided, never matched: each archived username is mapped to
an active account here, left out (a placeholder keeps their history; no membership), or given a
placeholder by an explicit choice; the management command refuses until every name is decided.
Also: the sweep of files a restore left keeps every file a restored row names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser, User
from django.core.management import CommandError, call_command

from yjinspect.web.inspections.models import (
    Answer,
    EvidenceItem,
    Inspection,
    Judgement,
    Membership,
)
from yjinspect.web.inspections.services import archive
from yjinspect.web.inspections.services.archive import (
    check_archive,
    export_inspection,
    history_model,
    import_inspection,
    remove_leftovers,
)

from .test_archive_checks import content_of, fill, refused, stored_files, where

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(inspection: Inspection, users: dict[str, AbstractUser]) -> bytes:
    """A real export of the test inspection, whose team all have accounts here."""
    fill(inspection, users)
    return export_inspection(inspection)


def named(data: bytes) -> list[str]:
    checked = check_archive(data)
    checked.close()
    return [p.username for p in checked.summary.people]


def team(inspection: Inspection) -> dict[str, str]:
    return dict(
        Membership.objects.filter(inspection=inspection).values_list("user__username", "role")
    )


def test_without_a_decision_for_everyone_nothing_is_restored(exported: bytes) -> None:
    people = named(exported)
    assert {"lead", "inspector", "viewer"} <= set(people)
    problems = refused(exported, placeholders=False)
    assert sorted(p.field for p in problems) == sorted(people)
    assert all(p.table == "people" and "no decision" in p.message for p in problems)
    # Deciding some is not enough: the others are still listed, by name.
    problems = refused(exported, people={"lead": "lead"}, placeholders=False)
    assert sorted(p.field for p in problems) == sorted(set(people) - {"lead"})


def test_mapped_people_get_their_rows_and_roles_left_out_ones_only_history(
    exported: bytes, users: dict[str, AbstractUser]
) -> None:
    people: dict[str, str | None] = {name: None for name in named(exported)}
    people |= {"lead": "stranger", "inspector": "inspector2"}
    restored = import_inspection(exported, people=people)
    assert team(restored) == {"stranger": "lead", "inspector2": "inspector"}
    assert (
        Answer.objects.get(assessment__case__inspection=restored).updated_by == users["inspector2"]
    )
    assert Judgement.objects.get(inspection=restored).decided_by == users["stranger"]
    # A left-out person's history keeps a placeholder, who is no member and cannot sign in.
    viewer = User.objects.get(username="archived:viewer")
    assert not viewer.is_active and not viewer.has_usable_password()
    memberships = history_model(Membership)._default_manager.filter(inspection_id=restored.pk)
    assert memberships.filter(user_id=viewer.pk).exists()
    assert memberships.filter(user_id=viewer.pk).values_list("id", flat=True).first() < 0
    # The local account that shares the left-out username was not touched.
    assert not Membership.objects.filter(inspection=restored, user=users["viewer"]).exists()


def test_a_same_named_account_is_never_chosen_silently(
    exported: bytes, users: dict[str, AbstractUser]
) -> None:
    """Every archived name has a same-named account here: placeholders get the roles."""
    archived_team = {row["user"]: row["role"] for row in content_of(exported)["memberships"]}
    restored = import_inspection(exported, placeholders=True)
    assert team(restored) == {f"archived:{name}": role for name, role in archived_team.items()}
    assert all(name in users for name in archived_team)


@pytest.mark.parametrize(
    ("decision", "words"),
    [
        ({"lead": "nobody-here"}, "no active account"),
        ({"lead": "inactive-one"}, "no active account"),
        ({"not-in-archive": "lead"}, "is not named in the archive"),
        ({"lead": "admin", "inspector": "admin"}, "same account"),
    ],
)
def test_a_decision_that_cannot_hold_is_refused(
    exported: bytes, decision: dict[str, str | None], words: str
) -> None:
    User.objects.create_user("inactive-one", is_active=False)
    problems = refused(exported, people=decision)
    assert all(p.table == "people" for p in problems)
    assert any(words in p.message for p in problems), problems


def test_an_active_placeholder_is_never_reused(exported: bytes) -> None:
    first = import_inspection(exported, placeholders=True)
    again = import_inspection(exported, placeholders=True)
    lead = User.objects.get(username="archived:lead")
    assert team(first)["archived:lead"] == team(again)["archived:lead"] == "lead"
    lead.is_active = True  # an administrator turned it into a real account
    lead.save()
    problems = refused(exported, placeholders=True)
    assert ("people", None, "lead") in where(problems)


def test_the_person_restoring_leads_the_copy_unless_already_in_its_team(
    exported: bytes, users: dict[str, AbstractUser]
) -> None:
    everyone_out: dict[str, str | None] = {name: None for name in named(exported)}
    restored = import_inspection(exported, people=everyone_out, restored_by=users["stranger"])
    assert team(restored) == {"stranger": "lead"}
    added = history_model(Membership)._default_manager.get(
        inspection_id=restored.pk, user_id=users["stranger"].pk
    )
    assert added.history_user_id == users["stranger"].pk  # type: ignore[attr-defined]
    as_inspector = everyone_out | {"inspector": "stranger"}
    restored = import_inspection(exported, people=as_inspector, restored_by=users["stranger"])
    assert team(restored) == {"stranger": "inspector"}


def test_the_command_refuses_until_everyone_is_decided(exported: bytes, tmp_path: Path) -> None:
    source = tmp_path / "archive.zip"
    source.write_bytes(exported)
    before = Inspection.objects.count()
    with pytest.raises(CommandError) as caught:
        call_command("import_inspection", str(source), stdout=io.StringIO())
    message = str(caught.value)
    assert "Nothing was imported" in message and "--leave-out" in message
    for name in named(exported):
        assert f"people, {name}: has no decision" in message
    with pytest.raises(CommandError, match="decided twice"):
        call_command(
            "import_inspection",
            str(source),
            "--map=lead=lead",
            "--leave-out=lead",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="no active account"):
        call_command("import_inspection", str(source), "--map=lead=ghost", "--placeholders")
    assert Inspection.objects.count() == before

    out = io.StringIO()
    call_command(
        "import_inspection",
        str(source),
        "--map=lead=admin",
        "--leave-out=viewer",
        "--placeholders",
        stdout=out,
    )
    restored = Inspection.objects.get(pk=int(out.getvalue().split()[-1]))
    assert team(restored)["admin"] == "lead"
    assert "archived:viewer" not in team(restored) and "viewer" not in team(restored)
    assert team(restored)["archived:inspector"] == "inspector"


def test_the_command_refuses_an_oversized_file_unread(
    exported: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "archive.zip"
    source.write_bytes(exported)
    from yjinspect.web.inspections.management.commands import import_inspection as command

    monkeypatch.setattr(command, "MAX_ARCHIVE_BYTES", 100)
    with pytest.raises(CommandError, match="larger than the largest archive"):
        call_command("import_inspection", str(source), "--placeholders")


def test_the_sweep_keeps_every_file_a_restored_row_names(exported: bytes) -> None:
    """In a test the commit never comes (each test is rolled back), so the journal stays:
    the sweep must see the restored rows name the file and keep it, removing only the journal."""
    restored = import_inspection(exported, placeholders=True)
    item = EvidenceItem.objects.get(inspection=restored)
    journals = [p for p in stored_files() if p.parent.name == archive.STAGING]
    assert len(journals) == 1
    assert remove_leftovers(journal_age=0) == 0
    assert (Path(settings.MEDIA_ROOT) / item.upload.name).is_file()
    assert not journals[0].exists()


def test_the_sweep_leaves_a_young_journal_alone(exported: bytes) -> None:
    """A journal younger than JOURNAL_LIFETIME_SECONDS may belong to a restore still running."""
    restored = import_inspection(exported, placeholders=True)
    EvidenceItem.objects.filter(inspection=restored).delete()  # its file is now unreferenced
    history_model(EvidenceItem)._default_manager.filter(inspection_id=restored.pk).delete()
    journals = [p for p in stored_files() if p.parent.name == archive.STAGING]
    assert remove_leftovers() == 0 and all(p.exists() for p in journals)
    assert remove_leftovers(journal_age=0) == 1 and not any(p.exists() for p in journals)
