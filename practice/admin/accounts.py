"""Accounts in the admin: learners and their profiles; deleting goes through account_delete.

An account staff create here, or whose address staff change, is verified by that staff member: recorded
on the account (email_verified_by) and in the staff-action log.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

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


class LearnerCreationForm(AdminUserCreationForm):
    """Django's admin creation form for this project's user, with the (required, unique) email."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("An account with this email already exists.")
        return email


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class LearnerAdmin(UserAdmin):
    audit_learner_field = "pk"  # every look at accounts is in the access trail
    inlines = [ProfileInline]
    list_display = ["username", "email", "is_staff", "is_active", "date_joined", "last_login"]
    search_fields = ["username", "email", "profile__display_name"]
    add_form = LearnerCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Email verification", {"fields": ("email_verified_at", "email_verified_by")}),
    )
    readonly_fields = ["email_verified_at", "email_verified_by"]

    def save_model(self, request, obj, form, change):
        verified = not change or "email" in form.changed_data
        if verified:
            obj.email_verified_at = timezone.now()
            obj.email_verified_by = request.user
        super().save_model(request, obj, form, change)
        if verified:
            message = f"Email address {obj.email} verified by {request.user} (set by staff)."
            self.log_change(request, obj, message)

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
