"""Inspection URLs, gathered from each feature's view module."""

from .views import assess, cases, evidence, history, moderation, overview, ratings, report, sample
from .views import exports as exports_views

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
]
