"""Outcome indicator URLs, under /inspections/<pk>/outcomes/ (namespace `outcomes`)."""

from django.urls import path

from . import views

app_name = "outcomes"

urlpatterns = [
    path("<int:pk>/outcomes/", views.indicators, name="indicators"),
    path("<int:pk>/outcomes/upload/", views.upload, name="upload"),
]
