"""Institutions in the staff admin. Staff pass the row-level security policies through the admin site's
one logged path (prepnexus/admin_site.py); every institution-owned model is filterable by institution."""

from django import forms
from django.contrib import admin, messages

from prepnexus.admin import ReadOnlyAdmin

from ..models import (
    AccessEvent,
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
)
from ..services.institutions import institution_create


class InstitutionAddForm(forms.ModelForm):
    admin_email = forms.EmailField(help_text="The first institution admin; an account is created if needed.")
    admin_name = forms.CharField(max_length=80, required=False)

    class Meta:
        model = Institution
        fields = ["name", "slug", "time_zone", "default_test_date"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "default_test_date", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InstitutionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        institution, invitation = institution_create(
            name=obj.name,
            slug=obj.slug,
            time_zone=obj.time_zone,
            default_test_date=obj.default_test_date,
            admin_email=form.cleaned_data["admin_email"],
            admin_name=form.cleaned_data["admin_name"],
        )
        obj.pk = institution.pk
        if invitation.set_password_path:
            link = request.build_absolute_uri(invitation.set_password_path)
            messages.info(
                request, f"Send {invitation.user.email} this one-time link to set a password: {link}"
            )
        return None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "role", "external_id", "created_at"]
    list_filter = ["institution", "role"]
    search_fields = ["user__username", "user__email", "external_id"]
    raw_id_fields = ["user", "invited_by"]
    list_select_related = ["user", "institution"]
    audit_learner_field = "user_id"


class ClassTeacherInline(admin.TabularInline):
    model = ClassTeacher
    raw_id_fields = ["teacher"]
    fields = ["teacher", "institution"]
    extra = 0


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "archived", "join_code", "created_at"]
    list_filter = ["institution", "archived"]
    search_fields = ["name", "join_code"]
    inlines = [ClassTeacherInline]
    list_select_related = ["institution"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "classroom", "institution", "source", "created_at"]
    list_filter = ["institution", "source"]
    search_fields = ["learner__username", "learner__email", "classroom__name"]
    raw_id_fields = ["learner", "classroom"]
    list_select_related = ["learner", "classroom", "institution"]
    audit_learner_field = "learner_id"


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "classroom",
        "institution",
        "opens_at",
        "due_at",
        "form",
        "length",
        "mode",
    ]
    list_filter = ["institution", "kind", "mode"]
    search_fields = ["title", "classroom__name"]
    raw_id_fields = ["classroom", "created_by"]
    list_select_related = ["classroom", "institution", "form"]


@admin.register(AssignmentProgress)
class AssignmentProgressAdmin(ReadOnlyAdmin):
    list_display = ["learner", "assignment", "institution", "status", "answered", "correct", "late"]
    list_filter = ["institution", "status", "late"]
    search_fields = ["learner__username", "assignment__title"]
    list_select_related = ["learner", "assignment", "institution"]
    audit_learner_field = "learner_id"


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """The access trail: read-only here, and the database refuses changes anyway."""

    date_hierarchy = "at"
    list_display = ["at", "actor_name", "actor_role", "action", "what", "institution", "client_ip"]
    list_filter = ["institution", "action", "actor_role"]
    search_fields = ["actor_name", "what", "path"]
    list_select_related = ["institution"]
