"""Keep a form's work when the session has timed out; switch language with `?lang=`.

An inspector may type evidence notes for an hour before pressing Save; if their session has
expired meanwhile, the POST arrives anonymous. Rather than losing it, we keep the posted
fields in the (new) session, send them to sign in, and the form they came from offers the
kept text back (see `pop_kept_post`). Nothing is saved to the inspection until they press
Save again as themselves, so an expired session never writes anonymously.

Work is kept only for the person the form was shown to. The form carries a signed field
naming them (`kept_work_token`), which nobody can make without having been signed in, and the
POST must also pass Django's own CSRF check (its token matches the CSRF cookie, which outlives
the session: CSRF_USE_SESSIONS is off), so it came from a page this site served to this
browser. A stranger's post, another site's post, or one with no or a forged token stores
nothing and starts no session; and kept work is offered back only to the person it names, not
to whoever signs in next on that browser. What is kept is capped (fields and characters), lasts
KEPT_SECONDS, and only the two assessment forms, which offer it back, keep anything
(docs/decisions/0006-sessions-and-sign-in-after-the-security-test.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp import user_has_device

SESSION_KEY = "kept_draft"
# The views whose form offers kept work back (`pop_kept_post`): the first and second assessment.
KEPT_VIEWS = frozenset({"inspections:assess", "inspections:moderate"})
KEPT_SECONDS = 30 * 60  # long enough to sign in (with a code), short for a stranger's row
# The largest genuine form (49 questions x 4 fields) is under 200 fields; a person types far
# fewer than 200,000 characters between two saves.
KEPT_MAX_FIELDS = 300
KEPT_MAX_CHARS = 200_000
KEPT_FOR = "kept_for"  # the hidden field naming, signed, whom the form was shown to
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "action", KEPT_FOR})
_SALT = "yjinspect.accounts.kept-work"


def kept_work_token(user_id: int) -> str:
    """The value of the forms' hidden `kept_for` field: the signed-in person's id, signed.

    Only a page served to a signed-in person carries one, so work posted after a session ended
    is kept for that person alone, never for a stranger who merely fetched a CSRF token.
    """
    return signing.dumps(user_id, salt=_SALT)


def _owner(post: QueryDict) -> int | None:
    """Whom the posted form was shown to, if its `kept_for` field is ours and recent enough."""
    try:
        owner = signing.loads(
            post.get(KEPT_FOR, ""),
            salt=_SALT,
            max_age=settings.SESSION_COOKIE_AGE + KEPT_SECONDS,
        )
    except signing.BadSignature:
        return None
    return owner if isinstance(owner, int) else None


class KeepPostOnTimeoutMiddleware:
    """Must come after CsrfViewMiddleware and before LoginRequiredMiddleware: it acts in
    `process_view`, once Django's CSRF check has passed and before sign-in is asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST" or request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in KEPT_VIEWS:
            return None  # LoginRequiredMiddleware asks them to sign in; nothing is kept
        if not getattr(request, "csrf_processing_done", False):
            return None  # Django's CSRF check did not accept it: keep nothing
        owner = _owner(request.POST)
        if owner is None:
            return None  # not a form shown to a signed-in person: sign in, nothing kept
        draft = _draft(request.POST)
        if draft is None:
            messages.error(
                request,
                _(
                    "Your session had ended, so nothing was saved, and what you sent was too "
                    "long to keep while you sign in. Go back in your browser to copy your notes."
                ),
            )
        else:
            request.session[SESSION_KEY] = {
                "user": owner,
                "path": request.path,
                "data": draft,
                "until": time.time() + KEPT_SECONDS,
            }
            request.session.set_expiry(KEPT_SECONDS)  # signing in restores the usual length
        return redirect_to_login(request.get_full_path())


def _draft(post: QueryDict) -> dict[str, str] | None:
    """The posted fields to keep (one value each, as the forms take), or None over the cap."""
    fields = {key: values[-1] for key, values in post.lists() if key not in NOT_KEPT and values}
    size = sum(len(key) + len(value) for key, value in fields.items())
    if len(fields) > KEPT_MAX_FIELDS or size > KEPT_MAX_CHARS:
        return None
    return fields


def pop_kept_post(request: HttpRequest) -> QueryDict | None:
    """The fields kept for this page when the session timed out, once, while still fresh,
    and only for the person whose form it was."""
    kept = request.session.get(SESSION_KEY)
    if not kept:
        return None
    fresh = kept.get("until", 0) > time.time() and kept.get("user") == request.user.pk
    if fresh and kept.get("path") != request.path:
        return None  # kept for another form: left for that form to offer back
    del request.session[SESSION_KEY]
    if not fresh:
        return None
    query = QueryDict(mutable=True)
    for key, value in kept["data"].items():
        query[key] = value
    return query


class SwitchLanguageMiddleware:
    """`?lang=cy` or `?lang=en` on any page switches the language, and the choice is kept.

    The one way to change language: the "Cymraeg"/"English" link every page carries adds
    `?lang=` to the page's own address. The choice goes into Django's language cookie, so
    LocaleMiddleware (which runs before this) picks it up on later pages without the
    parameter, signed in or not. Any other value is ignored, never an error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = request.GET.get("lang", "")
        if wanted not in dict(settings.LANGUAGES):
            return self.get_response(request)
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
        response = self.get_response(request)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            wanted,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response


class RequireTwoFactorMiddleware:
    """Every way in honours the second factor.

    A signed-in user who has an authenticator app but whose sign-in did not show a code is
    signed out and asked to sign in again, code and all, whatever YJ_REQUIRE_TWO_FACTOR says:
    this covers the site admin's password-only login, a forced login, a session opened before
    the app was added, and any way in added later. Where the site requires two-factor sign-in,
    a user with no app reaches only the Security page (to add one) and sign-out.
    Runs after django-otp's middleware, which tells us whether this session's sign-in was
    verified, and after messages (it says why it redirects).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        if getattr(request.user, "is_verified", lambda: False)():
            return self.get_response(request)
        if user_has_device(request.user, confirmed=True):
            logout(request)
            messages.info(
                request,
                _(
                    "Your account uses two-factor sign-in: sign in again, with a code from "
                    "your authenticator app."
                ),
            )
            return redirect_to_login(request.get_full_path())
        if not settings.YJ_REQUIRE_TWO_FACTOR:
            return self.get_response(request)
        open_paths = {reverse("accounts:security"), reverse("accounts:logout")}
        if request.path in open_paths:
            return self.get_response(request)
        messages.info(
            request,
            _("This site needs two-factor sign-in: set up an authenticator app to continue."),
        )
        return redirect("accounts:security")
