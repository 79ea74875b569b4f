"""Site administrators withdraw a wrong upload here (deleting it removes its figures)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PublishedResult, PublishedUpload


@admin.register(PublishedUpload)
class PublishedUploadAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["filename", "row_count", "uploaded_by", "uploaded_at"]


@admin.register(PublishedResult)
class PublishedResultAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["service", "framework_id", "published_on", "item_kind", "item_id", "rating"]
    list_filter = ["framework_id", "item_kind", "fictitious"]
    search_fields = ["service", "item_id"]
