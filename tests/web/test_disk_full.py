"""A full disk while a file is written: a clear message, no partial file, and the files that
are written keep mode 0640. The disk fills part-way through a write: the test lets the storage
write half a chunk of the chosen file, then the write fails with ENOSPC, as the kernel does."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from tests.web.test_cases import good, make_csv, upload
from tests.web.test_evidence import PDF, add, stored_files
from yjinspect.web.inspections import files
from yjinspect.web.inspections.models import Case, EvidenceItem, Inspection
from yjinspect.web.inspections.services import caselists

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "uploads"
    settings.MEDIA_ROOT = root
    return root


def _under(fd: int, root: Path) -> bool:
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}")).is_relative_to(root)
    except OSError:
        return False


class _FillingFile:
    """A file object whose disk fills during the first write: half of it lands, then ENOSPC."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


@contextmanager
def disk_full(root: Path, *, on_file: int = 1) -> Iterator[list[str]]:
    """Fill the disk while the `on_file`-th file under `root` is written (earlier ones are
    written whole). Covers both ways Django's storage writes: chunks through `os.fdopen`, and
    the copy of a large upload's temporary file through `os.write` (the rename across file
    systems is made to fail first, as it does when /tmp is another disk). Yields the names of
    the files it let the storage start."""
    real_fdopen, real_write, real_rename = os.fdopen, os.write, os.rename
    started: list[str] = []

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        if not _under(fd, root):
            return handle
        started.append(os.readlink(f"/proc/self/fd/{fd}"))
        return _FillingFile(handle) if len(started) == on_file else handle

    def write(fd: int, data: bytes) -> int:
        if _under(fd, root) and data:
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    def rename(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
        if Path(target).is_relative_to(root):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_rename(source, target, *args, **kwargs)

    with (
        mock.patch.object(os, "fdopen", fdopen),
        mock.patch.object(os, "write", write),
        mock.patch.object(os, "rename", rename),
    ):
        yield started


FULL = "the server&#x27;s storage is full. Nothing was saved."


def test_a_full_disk_during_an_evidence_upload_saves_nothing_and_says_so(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("inspector")
    with disk_full(media) as started:
        response = add(client, inspection, SimpleUploadedFile("minutes.pdf", PDF * 50))
    assert started, "the storage never began writing: the test simulated nothing"
    assert response.status_code == 200
    page = response.content.decode()
    assert FULL in page and "govuk-error-summary" in page
    assert "Management board minutes" in page  # what was typed is still on the form
    assert stored_files(media) == []  # not even the half that was written
    assert not EvidenceItem.objects.exists()
    # With room again, the same upload is stored whole, readable by the app's user and group.
    response = add(client, inspection, SimpleUploadedFile("minutes.pdf", PDF * 50))
    assert response.status_code == 302
    (stored,) = stored_files(media)
    assert stored.read_bytes() == PDF * 50
    assert stored.stat().st_mode & 0o777 == 0o640


def test_a_full_disk_while_a_large_upload_is_moved_into_place_leaves_nothing(
    client_as: Callable[[str], Client], inspection: Inspection, media: Path, settings: Any
) -> None:
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE arrive in a temporary file that is moved
    (copied, across disks) into the storage: the other way a write can fill the disk."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    with disk_full(media):
        response = add(client_as("inspector"), inspection, SimpleUploadedFile("m.pdf", PDF * 50))
    assert response.status_code == 200 and FULL in response.content.decode()
    assert stored_files(media) == []
    assert not EvidenceItem.objects.exists()


@pytest.mark.parametrize("on_file", [1, 2])
def test_a_full_disk_while_a_case_list_preview_is_kept_leaves_no_part_of_it(
    on_file: int, client_as: Callable[[str], Client], inspection: Inspection, media: Path
) -> None:
    """A preview is two files (the rows, then what describes them): the disk may fill on
    either, and neither may stay."""
    client = client_as("lead")
    data = make_csv([good(i) for i in range(1, 4)])
    with disk_full(media, on_file=on_file) as started:
        page = upload(client, inspection, data)
    assert len(started) == on_file
    assert FULL in page
    assert stored_files(media) == []
    assert caselists.pending_token(client.session, inspection) is None
    # With room again the upload is kept, its files readable by the app's user and group only.
    page = upload(client, inspection, data)
    assert FULL not in page and "3 cases" in page
    kept = stored_files(media)
    assert len(kept) == 2 and all(p.stat().st_mode & 0o777 == 0o640 for p in kept)
    assert not Case.objects.exists()  # a preview only, until the lead adds the cases


def test_any_other_storage_error_is_said_plainly_and_leaves_nothing(media: Path) -> None:
    with (
        mock.patch.object(
            default_storage, "_save", side_effect=OSError(errno.EIO, "Input/output error")
        ),
        pytest.raises(files.NotStored, match="a problem with the server's storage"),
    ):
        files.store("imports/x.json", ContentFile(b"{}"))
    assert stored_files(media) == []
