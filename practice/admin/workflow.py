"""The question workflow in the admin: status actions, the event log and versions on the question page.

`QuestionWorkflowAdmin` is mixed into the question admin (admin/bank.py). Every status change goes
through `services.workflow`; a refusal becomes a warning message, never an error page. Saving a
published (or retired) question goes through `question_save`, which keeps the row learners answered and
makes the edit a new draft version; the page then shows that version.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Question, QuestionEvent, QuestionOption
from ..services.questions import question_save
from ..services.workflow import (
    question_publish_many,
    question_retire_many,
    question_return_many,
    question_submit_many,
)

REFUSALS_SHOWN = 20
VERSIONED = (Question.Status.PUBLISHED, Question.Status.RETIRED)


class QuestionAdminForm(forms.ModelForm):
    def clean_external_id(self):
        external_id = self.cleaned_data.get("external_id", "")
        family = self.instance.family_id or self.instance.pk or 0
        if (
            external_id
            and Question.objects.filter(external_id=external_id).exclude(family_id=family).exists()
        ):
            raise ValidationError(f"Another question already has the external id {external_id}.")
        return external_id


def _option_pairs(formsets) -> list[tuple[str, bool]] | None:
    """The options as (text, correct) pairs A-D when the inline changed them, else None (kept as they are)."""
    for formset in formsets:
        if formset.model is QuestionOption and formset.has_changed():
            kept = [
                f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            return [
                (data["text"], bool(data.get("is_correct")))
                for data in sorted(kept, key=lambda d: d["label"])
            ]
    return None


class QuestionWorkflowAdmin:
    """Workflow actions, the event log inline, and copy-on-write saves for the question admin."""

    form = QuestionAdminForm
    workflow_actions = ["submit_selected", "return_selected", "publish_selected", "retire_selected"]

    @admin.display(description="workflow log")
    def workflow_log(self, obj):
        # Read-only text, not an inline: an inline would add a formset every POST of the page must carry.
        if not obj.pk:
            return "-"
        events = QuestionEvent.objects.filter(question=obj).select_related("actor").order_by("at", "pk")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td></tr>",
            (
                (
                    f"{event.at:%Y-%m-%d %H:%M}",
                    event.actor or "system",
                    event.get_from_status_display() or "new",
                    event.get_to_status_display(),
                    event.note,
                )
                for event in events
            ),
        )
        if not rows:
            return "No events yet."
        return format_html(
            "<table><tr><th>When</th><th>Who</th><th>Status</th><th>Note</th></tr>{}</table>", rows
        )

    @admin.display(description="versions")
    def version_list(self, obj):
        if not obj.pk:
            return "-"
        versions = Question.objects.filter(family_id=obj.family_id).order_by("version")
        return format_html_join(
            ", ",
            '<a href="{}">version {}</a> ({})',
            (
                (reverse("admin:practice_question_change", args=[v.pk]), v.version, v.get_status_display())
                for v in versions
            ),
        ) or format_html("version {}", obj.version)

    def save_model(self, request, obj, form, change):
        if change and obj.status in VERSIONED:
            return  # saved in save_related, with its options, as a new version
        if not change:
            obj.author = request.user
        question_save(question=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if not (change and obj.status in VERSIONED):
            return super().save_related(request, form, formsets, change)
        old_version = obj.version
        for formset in formsets:  # nothing saved through them: the change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        saved = question_save(question=obj, options=_option_pairs(formsets), actor=request.user)
        for field in Question._meta.concrete_fields:  # the page goes on to the new version
            setattr(obj, field.attname, getattr(saved, field.attname))
        if saved.version != old_version:
            self.message_user(
                request,
                f"Saved as version {saved.version}, a draft: learners keep seeing version {old_version} "
                "until this one is reviewed and published.",
                messages.INFO,
            )
        return None

    def _report(self, request, verb: str, done: int, refusals: list[str]) -> None:
        self.message_user(request, f"{verb} {done} question(s).", messages.SUCCESS)
        for refusal in refusals[:REFUSALS_SHOWN]:
            self.message_user(request, f"Not {verb.lower()}: {refusal}", messages.WARNING)
        if len(refusals) > REFUSALS_SHOWN:
            self.message_user(
                request, f"… and {len(refusals) - REFUSALS_SHOWN} more refused.", messages.WARNING
            )

    @admin.action(description="Submit selected questions for review")
    def submit_selected(self, request, queryset):
        self._report(request, "Submitted", *question_submit_many(questions=queryset, actor=request.user))

    @admin.action(description="Return selected questions to draft")
    def return_selected(self, request, queryset):
        self._report(request, "Returned", *question_return_many(questions=queryset, actor=request.user))

    @admin.action(description="Publish selected questions (as their reviewer)")
    def publish_selected(self, request, queryset):
        self._report(request, "Published", *question_publish_many(questions=queryset, actor=request.user))

    @admin.action(description="Retire selected questions")
    def retire_selected(self, request, queryset):
        retired = question_retire_many(questions=queryset, actor=request.user)
        self.message_user(request, f"Retired {retired} question(s).", messages.SUCCESS)
