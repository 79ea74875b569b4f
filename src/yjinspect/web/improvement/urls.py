"""Improvement plan and board dashboard URLs, under /inspections/<pk>/ (namespace improvement)."""

from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("<int:pk>/plan/", views.plan_page, name="plan"),
    path("<int:pk>/plan/create", views.plan_create, name="plan_create"),
    path("<int:pk>/plan/items/<int:plan_item_pk>/", views.plan_item, name="plan_item"),
    path(
        "<int:pk>/plan/items/<int:plan_item_pk>/actions/add",
        views.action_add,
        name="action_add",
    ),
    path("<int:pk>/plan/actions/<int:action_pk>/", views.action_edit, name="action"),
    path("<int:pk>/plan/history/", views.plan_history, name="plan_history"),
    path("<int:pk>/plan/board.xlsx", views.export_xlsx, name="plan_xlsx"),
    path("<int:pk>/plan/board.pdf", views.export_pdf, name="plan_pdf"),
    path("<int:pk>/board/", views.dashboard, name="dashboard"),
]
