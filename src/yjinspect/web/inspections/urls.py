"""Inspection URLs, gathered from each feature's view module."""

from .views import assess, cases, evidence, history, moderation, overview, ratings, report, sample
from .views import exports as exports_views
from .views import legacy_report as legacy_report_views
from .views import optional_areas as optional_areas_views
from .views import restore as restore_views

app_name = "inspections"

urlpatterns = [
    *overview.urlpatterns,
    *cases.urlpatterns,
    *sample.urlpatterns,
    *assess.urlpatterns,
    *moderation.urlpatterns,
    *evidence.urlpatterns,
    *ratings.urlpatterns,
    *history.urlpatterns,
    *report.urlpatterns,
    *exports_views.urlpatterns,
    *legacy_report_views.urlpatterns,
    *optional_areas_views.urlpatterns,
    *restore_views.urlpatterns,
]
