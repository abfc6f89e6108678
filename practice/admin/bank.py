"""The question bank in the admin: taxonomy, questions with their options, preview and the workflow."""

import uuid

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from ..forms import AnswerForm
from ..models import (
    Domain,
    Question,
    QuestionOption,
    Section,
    Skill,
)
from ..selectors.questions import question_answer_stats
from ..services.questions import OPTIONS, question_problems
from .item_stats import ItemStatsAdminMixin, MisbehavingFilter
from .workflow import QuestionWorkflowAdmin

# --- Question bank ---


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "seconds_per_question", "position"]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "weight", "position"]
    list_filter = ["section"]
    list_select_related = ["section"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "position"]
    list_filter = ["domain__section", "domain"]
    list_select_related = ["domain"]
    search_fields = ["name"]


class OptionInlineFormSet(BaseInlineFormSet):
    """The options, checked by the rule every other way in uses (`question_problems`)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            QuestionOption(label=data["label"], text=data["text"], is_correct=bool(data.get("is_correct")))
            for data in (form.cleaned_data for form in self.forms)
            if data and not data.get("DELETE")
        ]
        # Only the options' problems: the question form above shows those of the question's own fields,
        # from the same Question.clean().
        problems = question_problems(self.instance, kept).get(OPTIONS)
        if problems:
            raise forms.ValidationError(problems)


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    formset = OptionInlineFormSet
    extra = 4
    max_num = 4
    fields = ["label", "text", "is_correct"]

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj and obj.pk else 4


class FigureSpecField(forms.JSONField):
    """The figure spec as JSON text; a question without a figure shows an empty box, not "null"."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class SectionFilter(admin.SimpleListFilter):
    title = "section"
    parameter_name = "section"

    def lookups(self, request, model_admin):
        return [(s.pk, s.name) for s in Section.objects.all()]

    def queryset(self, request, queryset):
        return queryset.filter(skill__domain__section=self.value()) if self.value() else queryset


class TemplateFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("authored", "Authored"), ("variant", "Template variant")]

    def queryset(self, request, queryset):
        if self.value() == "authored":
            return queryset.filter(template_code="")
        if self.value() == "variant":
            return queryset.exclude(template_code="")
        return queryset


@admin.register(Question)
class QuestionAdmin(QuestionWorkflowAdmin, ItemStatsAdminMixin, admin.ModelAdmin):
    inlines = [QuestionOptionInline]
    list_display = [
        "label",
        "skill",
        "difficulty",
        "type",
        "status",
        "attempts",
        "p_value",
        "discrimination",
        "item_flags",
        "updated_at",
    ]
    list_filter = [
        SectionFilter,
        MisbehavingFilter,
        ("skill__domain", admin.RelatedOnlyFieldListFilter),
        "skill",
        "difficulty",
        "type",
        "status",
        TemplateFilter,
    ]
    list_select_related = ["skill"]
    search_fields = ["external_id", "stem", "passage", "passage_b", "explanation"]
    actions = QuestionWorkflowAdmin.workflow_actions
    readonly_fields = [
        "preview_link",
        "status",
        "version_list",
        "workflow_log",
        "published_by",
        "answer_statistics",
        "item_statistics_panel",
        "author",
        "created_at",
        "updated_at",
        "published_at",
        "template_code",
        "template_seed",
    ]
    autocomplete_fields = ["skill"]
    formfield_overrides = {
        models.JSONField: {
            "form_class": FigureSpecField,
            "widget": forms.Textarea(attrs={"rows": 10, "cols": 80}),
        }
    }
    fieldsets = [
        (None, {"fields": ["preview_link", "external_id", "skill", "difficulty", "type", "status"]}),
        ("Text (Markdown)", {"fields": ["passage", "passage_b", "stem", "explanation"]}),
        ("Figure (drawn by the server from this spec)", {"fields": ["figure"]}),
        ("Student-produced response", {"fields": ["spr_answers"]}),
        ("IRT parameters", {"fields": ["irt_a", "irt_b", "irt_c"], "classes": ["collapse"]}),
        ("Answers (read-only)", {"fields": ["answer_statistics", "item_statistics_panel"]}),
        ("Workflow (read-only)", {"fields": ["workflow_log"]}),
        (
            "History",
            {
                "fields": [
                    "version_list",
                    "author",
                    "published_by",
                    "created_at",
                    "updated_at",
                    "published_at",
                ]
            },
        ),
        (
            "Item template (a frozen variant: its template and seed; blank for an authored item)",
            {"fields": ["template_code", "template_seed"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attempt_count=Count("answers"))

    @admin.display(description="question", ordering="external_id")
    def label(self, obj):
        return str(obj)

    @admin.display(description="attempts", ordering="attempt_count")
    def attempts(self, obj):
        return obj.attempt_count

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save the question to preview it."
        url = reverse("admin:practice_question_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview as a learner sees it</a>', url
        )

    @admin.display(description="answer statistics")
    def answer_statistics(self, obj):
        if not obj.pk:
            return "-"
        stats = question_answer_stats(question_ids=[obj.pk]).get(obj.pk)
        if not stats:
            return "No answers yet."
        return (
            f"{stats['attempts']} attempts · {stats['percent_correct']}% correct · "
            f"median time {stats['median_seconds']} s"
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not QuestionOption:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        # Unmark the old correct option before marking the new one: at most one may be correct at a time.
        for option in sorted(instances, key=lambda o: o.is_correct):
            option.save()
        formset.save_m2m()
        return None

    def get_urls(self):
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="practice_question_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request, pk):
        """The question exactly as a learner sees it, with the answer form inert."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        question = get_object_or_404(Question.objects.select_related("skill__domain"), pk=pk)
        return render(
            request,
            "admin/practice/question/preview.html",
            {
                "question": question,
                "options": list(question.options.order_by("label")),
                "form": AnswerForm(initial={"key": uuid.uuid4()}),
                "answerable": True,
                "preview": True,
            },
        )


# Learning models (proficiency, badges, review, flashcards) and the legacy-id map.
