"""The legacy import's id map and legacy badges in the admin: read-only, only import_legacy writes them."""

from django.contrib import admin

from prepnexus.admin import ReadOnlyAdmin

from ..models import (
    LegacyBadge,
    LegacyRecord,
)

# --- The legacy-id map: what became of every imported row. Read-only: only import_legacy writes it
# (the map is what makes a re-run idempotent); `import_legacy --report` is the operator's copy. ---


class RepairedFilter(admin.SimpleListFilter):
    title = "repaired"
    parameter_name = "repaired"

    def lookups(self, request, model_admin):
        return [("yes", "Repaired"), ("no", "Not repaired")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(repairs=[])
        if self.value() == "no":
            return queryset.filter(repairs=[])
        return queryset


@admin.register(LegacyRecord)
class LegacyRecordAdmin(ReadOnlyAdmin):
    list_display = ["source", "table", "legacy_id", "state", "object_model", "object_id", "short_reason"]
    list_filter = ["source", "state", RepairedFilter, "table"]
    search_fields = ["reason", "source_sha256", "=legacy_id"]
    ordering = ["source", "table", "legacy_id"]
    readonly_fields = [f.name for f in LegacyRecord._meta.fields]
    show_full_result_count = False  # a large import has millions of rows: skip the second COUNT(*)

    @admin.display(description="reason")
    def short_reason(self, record: LegacyRecord) -> str:
        return record.reason if len(record.reason) <= 80 else record.reason[:79] + "…"


@admin.register(LegacyBadge)
class LegacyBadgeAdmin(ReadOnlyAdmin):
    """Badges a legacy app awarded that PrepNexus has none for; written only by import_legacy."""

    list_display = ["learner", "name", "source", "awarded_at"]
    list_filter = ["source"]
    search_fields = ["learner__username", "learner__email", "name"]
    list_select_related = ["learner"]
    raw_id_fields = ["learner"]
