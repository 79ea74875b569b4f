"""Keep a form's work when the session has timed out; switch language with `?lang=`.

An inspector may type evidence notes for an hour before pressing Save; if their session has
expired meanwhile, the POST arrives anonymous. Rather than losing it, we keep the posted
fields in the (new) session, send them to sign in, and the form they came from offers the
kept text back (see `pop_kept_post`). Nothing is saved to the inspection until they press
Save again as themselves, so an expired session never writes anonymously.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

SESSION_KEY = "kept_post"
KEPT_PATHS = ("/inspections/",)


class KeepPostOnTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and not request.user.is_authenticated
            and request.path.startswith(KEPT_PATHS)
        ):
            data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
            request.session[SESSION_KEY] = {"path": request.path, "data": data}
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


def pop_kept_post(request: HttpRequest) -> QueryDict | None:
    """The fields kept for this page when the session timed out, once."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    query = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        query.setlist(key, values)
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
    """Where the site requires two-factor sign-in (YJ_REQUIRE_TWO_FACTOR), a signed-in user
    whose sign-in was not verified with a one-time code reaches only the Security page (to add
    an authenticator app) and sign-out. Runs after django-otp's middleware, which tells us
    whether this session's sign-in was verified.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.YJ_REQUIRE_TWO_FACTOR or not request.user.is_authenticated:
            return self.get_response(request)
        verified = getattr(request.user, "is_verified", lambda: False)()
        open_paths = {reverse("accounts:security"), reverse("accounts:logout")}
        if verified or request.path in open_paths:
            return self.get_response(request)
        messages.info(
            request,
            _("This site needs two-factor sign-in: set up an authenticator app to continue."),
        )
        return redirect("accounts:security")
