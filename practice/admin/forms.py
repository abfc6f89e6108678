"""Full-length test forms in the admin: forms with their modules, each module's slots, and the actions
that clone, publish (refused with the blueprint's reasons) and retire forms.

A form's structure (its six modules) is made with the form; staff edit slots on a module's page while
the form is a draft. Published and retired forms are read-only: clone one to change it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import FormModule, FormSlot, Question, TestForm
from ..selectors.forms import form_module_summary, form_slot_rows
from ..services.forms import form_clone, form_modules_ensure, form_problems, form_publish, form_retire

MAX_MESSAGES = 20  # reasons shown per refused form


def _slots_url(module_id: int) -> str:
    return reverse("admin:practice_formslot_changelist") + f"?module__id__exact={module_id}"


class FormModuleInline(admin.TabularInline):
    model = FormModule
    fields = ["section", "stage", "variant", "length", "time_limit_seconds", "slot_count", "slots"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("section", "form").annotate(n_slots=Count("slots"))
        )

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="slots filled")
    def slot_count(self, obj):
        return obj.n_slots

    @admin.display(description="items")
    def slots(self, obj):
        return format_html('<a href="{}">List this module\'s items</a>', _slots_url(obj.pk))


@admin.register(TestForm)
class TestFormAdmin(admin.ModelAdmin):
    inlines = [FormModuleInline]
    list_display = ["name", "slug", "status", "module_count", "published_at", "updated_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug", "notes"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "status",
        "published_at",
        "created_at",
        "updated_at",
        "blueprint_check",
        "summary",
        "slot_table",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "notes", "status", "published_at", "created_at", "updated_at"]}),
        ("Blueprint", {"fields": ["blueprint_check", "summary"]}),
        ("Items (filter them in Form slots)", {"fields": ["slot_table"], "classes": ["collapse"]}),
    ]
    actions = ["publish_selected", "clone_selected", "retire_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_modules=Count("modules"))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the modules are made when the form is saved

    @admin.display(description="modules", ordering="n_modules")
    def module_count(self, obj):
        return obj.n_modules

    @admin.display(description="blueprint")
    def blueprint_check(self, obj):
        if not obj.pk:
            return "Save the form to create its modules."
        problems = form_problems(obj)
        if not problems:
            return "Meets the blueprint."
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems)))

    @admin.display(description="per-module summary")
    def summary(self, obj):
        if not obj.pk:
            return "-"
        modules = form_module_summary(form=obj)
        for row in modules:
            row["slots_url"] = _slots_url(row["module"].pk)
        return render_to_string("admin/practice/testform/summary.html", {"modules": modules})

    @admin.display(description="slots")
    def slot_table(self, obj):
        if not obj.pk:
            return "-"
        return render_to_string("admin/practice/testform/slots.html", {"slots": form_slot_rows(form=obj)})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form_modules_ensure(form=form.instance)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != TestForm.Status.DRAFT:
            return False  # published forms stay as learners saw them; clone to change
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would delete published forms too; delete drafts one by one
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != TestForm.Status.DRAFT:
            return False  # retire a published form instead: its rows record what learners saw
        return super().has_delete_permission(request, obj)

    @admin.action(description="Publish selected forms (they must meet the blueprint)")
    def publish_selected(self, request, queryset):
        for form in queryset:
            try:
                form_publish(form=form)
            except ValidationError as exc:
                reasons = exc.messages
                self.message_user(
                    request, f"{form} was not published: {len(reasons)} blueprint problem(s).", messages.ERROR
                )
                for reason in reasons[:MAX_MESSAGES]:
                    self.message_user(request, f"{form}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"Published {form}.", messages.SUCCESS)

    @admin.action(description="Clone selected forms (as drafts)")
    def clone_selected(self, request, queryset):
        for form in queryset:
            clone = form_clone(form=form)
            self.message_user(request, f"Cloned {form} as the draft {clone}.", messages.SUCCESS)

    @admin.action(description="Retire selected forms")
    def retire_selected(self, request, queryset):
        for form in queryset:
            form_retire(form=form)
        self.message_user(request, f"Retired {queryset.count()} form(s).", messages.SUCCESS)


class SlotInlineFormSet(BaseInlineFormSet):
    """Slots of one module; a question may appear only once in the whole form, and only in its section."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        module = self.instance
        elsewhere = {
            slot.question_id: slot.module
            for slot in FormSlot.objects.filter(module__form_id=module.form_id)
            .exclude(module=module)
            .select_related("module__section")
        }
        problems = []
        for data in (form.cleaned_data for form in self.forms):
            question = data.get("question") if data and not data.get("DELETE") else None
            if not isinstance(question, Question):
                continue
            if question.pk in elsewhere:
                problems.append(
                    f"{question.external_id or question.pk} is already in {elsewhere[question.pk].label}."
                )
            if question.skill.domain.section_id != module.section_id:
                problems.append(f"{question.external_id or question.pk} is not a {module.section} question.")
        if problems:
            raise forms.ValidationError(problems)


class FormSlotInline(admin.TabularInline):
    model = FormSlot
    formset = SlotInlineFormSet
    fields = ["position", "question", "external_id", "skill", "difficulty", "pretest"]
    readonly_fields = ["external_id", "skill", "difficulty"]
    raw_id_fields = ["question"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question__skill")

    def _editable(self, obj) -> bool:
        return obj is not None and obj.form.status == TestForm.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)

    @admin.display(description="external id")
    def external_id(self, obj):
        return obj.question.external_id if obj.question_id else "-"

    @admin.display(description="skill")
    def skill(self, obj):
        return obj.question.skill if obj.question_id else "-"

    @admin.display(description="difficulty")
    def difficulty(self, obj):
        return obj.question.get_difficulty_display() if obj.question_id else "-"


@admin.register(FormModule)
class FormModuleAdmin(admin.ModelAdmin):
    inlines = [FormSlotInline]
    list_display = ["__str__", "section", "stage", "variant", "length", "time_limit_seconds"]
    list_filter = ["form", "section", "variant"]
    list_select_related = ["form", "section"]
    fields = ["form", "section", "stage", "variant", "length", "time_limit_seconds"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a form's modules are made with the form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.form.status != TestForm.Status.DRAFT:
            return False  # its slots are read-only too; clone the form to change it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormSlot)
class FormSlotAdmin(admin.ModelAdmin):
    """Every slot of every form, filterable by form, module, level, domain and pretest flag (read-only)."""

    list_display = ["module", "position", "external_id", "skill", "difficulty", "pretest"]
    list_filter = [
        ("module__form", admin.RelatedOnlyFieldListFilter),
        "module__section",
        "module__variant",
        "pretest",
        "question__difficulty",
        ("question__skill__domain", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["module__form", "module__section", "question__skill"]
    search_fields = ["question__external_id", "module__form__name"]
    ordering = [
        "module__form__name",
        "module__section__position",
        "module__stage",
        "module__variant",
        "position",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="external id", ordering="question__external_id")
    def external_id(self, obj):
        return obj.question.external_id or f"#{obj.question_id}"

    @admin.display(description="skill", ordering="question__skill__name")
    def skill(self, obj):
        return obj.question.skill

    @admin.display(description="difficulty", ordering="question__difficulty")
    def difficulty(self, obj):
        return obj.question.get_difficulty_display()
