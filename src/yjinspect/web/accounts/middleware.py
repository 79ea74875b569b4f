"""Keep a form's work when the session has timed out.

An inspector may type evidence notes for an hour before pressing Save; if their session has
expired meanwhile, the POST arrives anonymous. Rather than losing it, we keep the posted
fields in the (new) session, send them to sign in, and the form they came from offers the
kept text back (see `pop_kept_post`). Nothing is saved to the inspection until they press
Save again as themselves, so an expired session never writes anonymously.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict

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
