"""Top-level URLs: accounts, inspections and the site admin (language: `?lang=` on any page)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from yjinspect.web.accounts.views import admin_sign_in


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inspections:home", permanent=False)),
    path("accounts/", include("yjinspect.web.accounts.urls")),
    path("inspections/", include("yjinspect.web.inspections.urls")),
    path("inspections/", include("yjinspect.web.improvement.urls")),
    path("inspections/", include("yjinspect.web.outcomes.urls")),
    path("comparison/", include("yjinspect.web.comparison.urls")),
    # Before the admin's own URLs: its login page would sign in with a password alone.
    path("admin/login/", admin_sign_in),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
