"""Top-level URLs: accounts, inspections, the site admin and the language switch."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inspections:home", permanent=False)),
    path("accounts/", include("yjinspect.web.accounts.urls")),
    path("inspections/", include("yjinspect.web.inspections.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
