"""Comparison URLs, under /comparison/ (namespace 'comparison')."""

from .views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
