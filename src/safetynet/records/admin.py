"""Read-only admin views of stored records, for system administrators and data officers."""

from __future__ import annotations

from django.contrib import admin

from safetynet.records import models


class SourceRecordAdmin(admin.ModelAdmin):
    list_display = ("__str__", "source", "source_id", "recorded_at", "deleted")
    list_filter = ("source", "deleted")
    search_fields = ("source_id",)
    readonly_fields = ("stored_at", "changed_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # records arrive through import, which validates and audits them

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


for model in models.MODELS_BY_KIND.values():
    admin.site.register(model, SourceRecordAdmin)
