"""The fields every row that people edit in turn carries, for the conflict check and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Versioned(models.Model):
    """A row edited by several people in turn (an answer, a report text, a plan item).

    `version` goes up on every save: a form remembers the version it was opened on, and a save
    against an older one gets the conflict page instead of silently overwriting. `updated_by`
    and `updated_at` say who saved it last and when; the full trail is in its history.
    """

    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
