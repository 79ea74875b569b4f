"""Inspection URLs, gathered from each feature's view module."""

from .views import assess, cases, evidence, history, moderation, overview, ratings, sample

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
]
