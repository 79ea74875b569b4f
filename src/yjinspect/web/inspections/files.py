"""Writing files to the file storage so that a failed write leaves nothing behind.

Django's file storage writes a file chunk by chunk; when the disk fills part-way (ENOSPC), the
error escaped as a 500 and the half-written file stayed. Every write the app makes (evidence
uploads, case-list previews) goes through `store`: on any storage error the partial file is
removed and `NotStored` carries a message for the person. Files that are written keep the
mode the settings give them (FILE_UPLOAD_PERMISSIONS, 0640), as Django's storage sets it.
"""

from __future__ import annotations

import errno
import logging

from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_FULL = {errno.ENOSPC, errno.EDQUOT}


class NotStored(Exception):
    """A file could not be written and nothing of it is left; the message says why."""


def store(
    name: str,
    content: File[bytes],
    storage: Storage | None = None,
    max_length: int | None = None,
) -> str:
    """Save `content` as `name` (or the free name the storage picks) and return the name.

    If the write fails, whatever was written is removed and `NotStored` is raised."""
    storage = storage or default_storage
    target = storage.get_available_name(name, max_length=max_length)
    try:
        return storage.save(target, content, max_length=max_length)
    except OSError as error:
        remove_quietly(target, storage)
        # File names are random (never a person's) and are safe to log.
        logger.error("could not store %s: %s", target, error)
        raise NotStored(message_for(error)) from error


def remove_quietly(name: str, storage: Storage | None = None) -> None:
    """Delete `name` if it is there; a failure to delete is logged, not raised (the write's own
    error is the one to report)."""
    storage = storage or default_storage
    try:
        storage.delete(name)
    except OSError as error:
        logger.error("could not remove the partly written %s: %s", name, error)


def message_for(error: OSError) -> str:
    if error.errno in _FULL:
        return _(
            "The file could not be stored because the server's storage is full. Nothing was "
            "saved. Try again later, and tell whoever runs this service if it happens again."
        )
    return _(
        "The file could not be stored because of a problem with the server's storage. "
        "Nothing was saved. Try again later, and tell whoever runs this service if it "
        "happens again."
    )
