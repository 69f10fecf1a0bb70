"""Read-only admin of import batches: counts by kind, rejects (line, field, reason), duration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join

from safetynet.interchange.models import ImportBatch, ImportReject


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # batches are written by `safetynet import` only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RejectInline(admin.TabularInline):
    model = ImportReject
    fields = ("file", "line", "kind", "field", "reason")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnly):
    list_display = ("pk", "name", "door", "started_by", "started_at", "status", "lines_read", "rejected", "duration")
    list_filter = ("status", "door")
    search_fields = ("name", "started_by")
    fields = (
        "name",
        "door",
        "started_by",
        "user",
        "api_key",
        "started_at",
        "finished_at",
        "duration",
        "status",
        "lines_read",
        "rejected",
        "counts_table",
        "files_table",
        "host",
        "pid",
    )
    readonly_fields = fields
    inlines = [RejectInline]

    @admin.display(description="counts by kind")
    def counts_table(self, obj: ImportBatch) -> str:
        rows = [
            (kind, c.get("accepted", 0), c.get("updated", 0), c.get("unchanged", 0), c.get("rejected", 0))
            for kind, c in (obj.counts or {}).items()
        ]
        return format_html_join("\n", "<div>{}: {} accepted, {} updated, {} unchanged, {} rejected</div>", rows) or "-"

    @admin.display(description="files")
    def files_table(self, obj: ImportBatch) -> str:
        rows = [
            (f.get("path", ""), f.get("lines", 0), f.get("rejected", 0), f.get("sha256", "")[:16])
            for f in (obj.files or [])
        ]
        return format_html_join("\n", "<div>{}: {} lines, {} rejected, sha256 {}…</div>", rows) or "-"
