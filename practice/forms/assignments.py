"""The form a teacher assigns work with: a practice set (what the learner's start form asks) or a
full-length practice test (a form, or each learner's next unseen one), plus a title, when it opens and is
due (in the institution's time zone) and who gets it."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from ..models import Assignment, TestForm
from . import SessionStartForm

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        **kwargs,
    )


class AssignmentForm(SessionStartForm):
    AUDIENCE = [
        ("class", "The whole class (learners who join later get it too)"),
        ("chosen", "Chosen learners"),
    ]

    title = forms.CharField(max_length=120)
    kind = forms.ChoiceField(
        choices=Assignment.Kind.choices,
        initial=Assignment.Kind.PRACTICE,
        required=False,  # none chosen: a practice set, as before full tests could be assigned
        widget=forms.RadioSelect,
        label="What",
    )
    test_form = forms.ModelChoiceField(
        queryset=TestForm.objects.none(),
        required=False,
        label="Test form",
        empty_label="Each learner's next unseen form",
        help_text="Full-length test only.",
    )
    opens_at = _datetime_field("Opens")
    due_at = _datetime_field("Due")
    audience = forms.ChoiceField(
        choices=AUDIENCE, initial="class", widget=forms.RadioSelect, label="Assign to"
    )
    learners = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Learners"
    )

    field_order = ["title", "kind"]
    PRACTICE_FIELDS = ("section", "difficulty", "length", "mode")

    def __init__(self, *args, learners, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = ZoneInfo(time_zone)
        self.learner_objects = {learner.pk: learner for learner in learners}
        self.fields["learners"].choices = [
            (pk, learner.profile.display_name or learner.username)
            for pk, learner in self.learner_objects.items()
        ]
        now = timezone.localtime(timezone.now(), self.time_zone)
        self.fields["opens_at"].initial = now.replace(tzinfo=None, second=0, microsecond=0)
        self.fields["opens_at"].help_text = self.fields["due_at"].help_text = f"Time zone: {time_zone}."
        self.fields["test_form"].queryset = TestForm.objects.published().order_by("name")
        if self.is_full_test:
            for name in self.PRACTICE_FIELDS:
                self.fields[name].required = False

    @property
    def is_full_test(self) -> bool:
        return self.is_bound and self.data.get("kind") == Assignment.Kind.FULL_TEST

    def clean_kind(self):
        return self.cleaned_data["kind"] or Assignment.Kind.PRACTICE

    def full_clean(self):
        # Datetimes typed into the form are the institution's local time.
        with timezone.override(self.time_zone):
            super().full_clean()

    def clean(self):
        if self.is_full_test:
            # A full test asks none of a practice set's questions; what was ticked there is ignored.
            for name in (*self.PRACTICE_FIELDS, "domains", "skills"):
                self.errors.pop(name, None)
            cleaned = self.cleaned_data
            cleaned |= {
                "section": None,
                "domains": [],
                "skills": [],
                "difficulty": "",
                "length": None,
                "mode": "",
            }
        else:
            cleaned = super().clean()
            cleaned["test_form"] = None
        if cleaned.get("audience") == "chosen":
            cleaned["learners"] = [self.learner_objects[pk] for pk in cleaned.get("learners", [])]
            if not cleaned["learners"]:
                self.add_error("learners", "Choose at least one learner, or assign it to the whole class.")
        else:
            cleaned["learners"] = None
        return cleaned
