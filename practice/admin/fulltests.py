"""Full-length tests in the admin: learners' testing accommodations (staff record them; who set them is
kept) and learners' attempts, read-only (the services keep them consistent with their modules)."""

from django.contrib import admin

from prepnexus.admin import ReadOnlyAdmin

from ..models import TestAccommodation, TestAttempt
from ..services.fulltests import accommodation_set


@admin.register(TestAccommodation)
class TestAccommodationAdmin(admin.ModelAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "time_multiplier", "extended_breaks", "note", "set_by", "updated_at"]
    list_filter = ["time_multiplier", "extended_breaks"]
    search_fields = ["learner__username", "learner__email", "learner__profile__display_name"]
    list_select_related = ["learner", "set_by"]
    autocomplete_fields = ["learner"]
    fields = ["learner", "time_multiplier", "extended_breaks", "note", "set_by", "updated_at"]
    readonly_fields = ["set_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A record belongs to its learner: change the values, not whose they are.
        return [*self.readonly_fields, "learner"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = accommodation_set(
            learner=obj.learner,
            time_multiplier=obj.time_multiplier,
            extended_breaks=obj.extended_breaks,
            note=obj.note,
            set_by=request.user,
        )
        obj.pk, obj.set_by, obj.updated_at = saved.pk, saved.set_by, saved.updated_at


@admin.register(TestAttempt)
class TestAttemptAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    date_hierarchy = "started_at"
    list_display = [
        "learner",
        "form",
        "status",
        "phase",
        "total_score",
        "rw_score",
        "math_score",
        "time_multiplier",
        "assignment",
        "started_at",
        "completed_at",
    ]
    list_filter = ["status", "phase", "form", "time_multiplier"]
    search_fields = ["learner__username", "learner__email", "form__name"]
    list_select_related = ["learner", "form", "assignment"]
    readonly_fields = [f.name for f in TestAttempt._meta.fields]
