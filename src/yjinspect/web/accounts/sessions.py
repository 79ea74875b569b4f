"""Sessions end by themselves: expired rows are removed at every sign-in.

Django's database session store never deletes an expired session on its own (that is
`manage.py clearsessions`, which docs/deploying.md schedules). Removing them at each sign-in
as well keeps the table small on an installation where nobody set the schedule up: sign-ins
are few (a handful per person per day) and the delete is one indexed statement.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest


def forget_expired_sessions() -> None:
    """What `clearsessions` does, through the configured session store's own method."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@receiver(user_logged_in, dispatch_uid="yjinspect-after-sign-in")
def after_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A session that held only kept work was made short-lived (accounts.middleware); signed
    in, it lasts the usual SESSION_COOKIE_AGE again."""
    if request is not None:
        request.session.set_expiry(None)
    forget_expired_sessions()
