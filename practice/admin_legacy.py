"""Admin for the legacy-id map: staff can see what became of every imported row, and change nothing
(only import_legacy writes it: the map is what makes a re-run idempotent).

The import's JSON/CSV report (`import_legacy --report`) is the operator's copy; this is the same
record kept in the database, filterable by file, table and state.
"""

from django.contrib import admin

from prepnexus.admin import ReadOnlyAdmin

from .models import LegacyRecord


@admin.register(LegacyRecord)
class LegacyRecordAdmin(ReadOnlyAdmin):
    list_display = ["source", "table", "legacy_id", "state", "object_model", "object_id", "short_reason"]
    list_filter = ["source", "state", "table"]
    search_fields = ["reason", "source_sha256", "=legacy_id"]
    ordering = ["source", "table", "legacy_id"]
    readonly_fields = [f.name for f in LegacyRecord._meta.fields]
    show_full_result_count = False  # a large import has millions of rows: skip the second COUNT(*)

    @admin.display(description="reason")
    def short_reason(self, record: LegacyRecord) -> str:
        return record.reason if len(record.reason) <= 80 else record.reason[:79] + "…"
