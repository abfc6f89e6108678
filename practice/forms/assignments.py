"""The form a teacher assigns a practice set with: what the learner's start form asks, plus a title, when
it opens and is due (in the institution's time zone) and who gets it."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

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
    opens_at = _datetime_field("Opens")
    due_at = _datetime_field("Due")
    audience = forms.ChoiceField(
        choices=AUDIENCE, initial="class", widget=forms.RadioSelect, label="Assign to"
    )
    learners = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Learners"
    )

    field_order = ["title"]

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

    def full_clean(self):
        # Datetimes typed into the form are the institution's local time.
        with timezone.override(self.time_zone):
            super().full_clean()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == "chosen":
            cleaned["learners"] = [self.learner_objects[pk] for pk in cleaned.get("learners", [])]
            if not cleaned["learners"]:
                self.add_error("learners", "Choose at least one learner, or assign it to the whole class.")
        else:
            cleaned["learners"] = None
        return cleaned
