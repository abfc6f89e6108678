"""Accounts in the admin: learners and their profiles; deleting goes through account_delete."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ..models import (
    BadgeAward,
    Flashcard,
    LearnerStats,
    Profile,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
    User,
)
from ..services.accounts import account_delete

# A learner's learning rows: read-only in the admin (below), deleted with the learner.
LEARNER_ROWS = (SkillProficiency, LearnerStats, BadgeAward, ReviewItem, Flashcard, ScoreSnapshot)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class LearnerAdmin(UserAdmin):
    audit_learner_field = "pk"  # every look at accounts is in the access trail
    inlines = [ProfileInline]
    list_display = ["username", "email", "is_staff", "is_active", "date_joined", "last_login"]
    search_fields = ["username", "email", "profile__display_name"]

    # Deleting here (the delete button and the "delete selected" action) goes through the same service
    # as a learner deleting their own account: one transaction, legacy records redacted.
    def delete_model(self, request, obj):
        account_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            account_delete(user=user)

    def get_deleted_objects(self, objs, request):
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        # A learner's rows go with the account whatever their own admins allow (some are read-only).
        return deleted, counts, set(), protected
