import unicodedata
import uuid
import zoneinfo

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from ..formats import flashcard_csv
from ..models import (
    LEGACY_MUST_RESET_PREFIX,
    Flashcard,
    PracticeSession,
    Profile,
    ReviewRating,
    Scheduler,
    TestAccommodation,
    User,
)
from ..services.accounts import DELETE_CONFIRMATION
from ..services.mail import mail_queue

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


def add_validation_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field where it names one."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(max_length=80, required=False, help_text="How we greet you. Optional.")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Email or username",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class LegacyAwarePasswordResetForm(PasswordResetForm):
    """Django's reset form, which also mails imported accounts whose legacy password could not be kept.

    Django skips accounts without a usable password; an imported account marked must-reset has nothing
    else to log in with, so it is mailed a link too. Other unusable passwords stay skipped.
    """

    def get_users(self, email):
        yield from super().get_users(email)
        wanted = _casefold(email)
        must_reset = User._default_manager.filter(
            email__iexact=email, is_active=True, password__startswith=LEGACY_MUST_RESET_PREFIX
        )
        yield from (user for user in must_reset if _casefold(user.email) == wanted)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        """Queue the mail for the mail worker (templates/mail/password-reset.*) instead of sending it in
        the request. Each request is its own mail: its period is a fresh id (docs/email.md)."""
        mail_queue(
            kind="password-reset",
            period=uuid.uuid4().hex,
            user=context["user"],
            context={name: context[name] for name in ("email", "uid", "token", "protocol", "domain")},
        )


def _casefold(value: str) -> str:
    # As Django's reset form compares addresses: iexact in SQL, then Unicode-aware in Python.
    return unicodedata.normalize("NFKC", value).casefold()


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    # Not a profile column: the learner's MailPreference for reminders (off until they turn it on).
    reminders = forms.BooleanField(
        required=False,
        label="Email me a daily reminder",
        help_text="At most one a day, in the late afternoon of your time zone, and only when something is "
        "waiting: reviews or flashcards due, an assignment due tomorrow, a streak to keep. Sent to a "
        "verified address only.",
    )

    class Meta:
        model = Profile
        fields = ["display_name", "target_score", "test_date", "time_zone"]
        widgets = {
            "test_date": forms.DateInput(attrs={"type": "date"}),
            "target_score": forms.NumberInput(attrs={"min": 400, "max": 1600, "step": 10}),
        }


class PasswordConfirmedForm(forms.Form):
    """A change its owner confirms with their password; `refusal` says what did not happen."""

    refusal = "That is not your password."

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(self.refusal)
        return password


class AccountDeleteForm(PasswordConfirmedForm):
    """The learner's password and the typed word that together confirm deleting their account."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirmation = forms.CharField(
        label=f"Type {DELETE_CONFIRMATION} to confirm",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Your account and everything in it are deleted at once and cannot be restored.",
    )
    refusal = "That is not your password. Nothing was deleted."

    def clean_confirmation(self):
        confirmation = self.cleaned_data["confirmation"].strip()
        if confirmation != DELETE_CONFIRMATION:
            raise ValidationError(f"Type {DELETE_CONFIRMATION} in capital letters to confirm.")
        return confirmation


class EmailChangeForm(PasswordConfirmedForm):
    """A new address for the learner's account, confirmed with their password."""

    email = forms.EmailField(
        label="New email address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="We mail a link to the new address; it is unverified until you follow it.",
    )
    refusal = "That is not your password. Your address was not changed."


class SessionStartForm(forms.Form):
    """What a learner picks to start a session; choices come from one query of the taxonomy."""

    section = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    domains = forms.TypedMultipleChoiceField(coerce=int, required=False)
    skills = forms.TypedMultipleChoiceField(coerce=int, required=False)
    difficulty = forms.ChoiceField(
        choices=PracticeSession.DifficultyChoice.choices, initial=PracticeSession.DifficultyChoice.MIXED
    )
    length = forms.IntegerField(
        label="Number of questions",
        min_value=5,
        max_value=50,
        initial=10,
        help_text="5 to 50.",
        widget=forms.NumberInput(attrs={"min": 5, "max": 50}),
    )
    mode = forms.ChoiceField(
        choices=PracticeSession.Mode.choices, initial=PracticeSession.Mode.PRACTICE, widget=forms.RadioSelect
    )

    def __init__(self, *args, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.skill_objects = {skill.pk: skill for skill in skills}
        self.domain_objects = {skill.domain_id: skill.domain for skill in skills}
        self.section_objects = {skill.domain.section_id: skill.domain.section for skill in skills}
        self.fields["section"].choices = [(pk, s.name) for pk, s in self.section_objects.items()]
        self.fields["domains"].choices = [(pk, d.name) for pk, d in self.domain_objects.items()]
        self.fields["skills"].choices = [(pk, s.name) for pk, s in self.skill_objects.items()]
        if self.section_objects and not self.is_bound:
            self.fields["section"].initial = next(iter(self.section_objects))

    def tree(self):
        """Sections → domains → skills with the bound selections, for the template."""
        chosen_domains = {str(v) for v in (self["domains"].value() or [])}
        chosen_skills = {str(v) for v in (self["skills"].value() or [])}
        chosen_section = str(self["section"].value() or "")
        sections = {}
        for skill in self.skill_objects.values():
            domain, section = skill.domain, skill.domain.section
            entry = sections.setdefault(
                section.pk, {"section": section, "checked": str(section.pk) == chosen_section, "domains": {}}
            )
            d_entry = entry["domains"].setdefault(
                domain.pk, {"domain": domain, "checked": str(domain.pk) in chosen_domains, "skills": []}
            )
            d_entry["skills"].append({"skill": skill, "checked": str(skill.pk) in chosen_skills})
        return [{**s, "domains": list(s["domains"].values())} for s in sections.values()]

    def clean(self):
        cleaned = super().clean()
        section_id = cleaned.get("section")
        if section_id is None:
            return cleaned
        cleaned["section"] = self.section_objects[section_id]
        cleaned["domains"] = [self.domain_objects[pk] for pk in cleaned.get("domains", [])]
        cleaned["skills"] = [self.skill_objects[pk] for pk in cleaned.get("skills", [])]
        if any(d.section_id != section_id for d in cleaned["domains"]) or any(
            s.domain.section_id != section_id for s in cleaned["skills"]
        ):
            raise forms.ValidationError(
                f"Pick domains and skills from {cleaned['section'].name} only, "
                "or leave them all unticked for a mixed session."
            )
        return cleaned


class AnswerForm(forms.Form):
    given = forms.CharField(
        label="Your answer", max_length=20, error_messages={"required": "Choose or enter an answer first."}
    )
    key = forms.UUIDField(widget=forms.HiddenInput)


class FlashcardForm(forms.ModelForm):
    class Meta:
        model = Flashcard
        fields = ["front", "back"]
        widgets = {
            "front": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
            "back": forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        }
        help_texts = {
            "front": "The prompt. Markdown: **bold**, *italic*, lists, `code`.",
            "back": "The answer. Markdown, as on the front.",
        }


class FlashcardSearchForm(forms.Form):
    q = forms.CharField(label="Search your cards", required=False, max_length=100)


class FlashcardRatingForm(forms.Form):
    rating = forms.TypedChoiceField(choices=ReviewRating.choices, coerce=int)


class SchedulerForm(forms.Form):
    flashcard_scheduler = forms.ChoiceField(
        label="Flashcard scheduler",
        choices=Scheduler.choices,
        widget=forms.RadioSelect,
        help_text="FSRS is the default. Leitner keeps imported decks' boxes and due dates. Switching keeps "
        "every card's due date.",
    )


class ReviewAnswerForm(forms.Form):
    given = forms.CharField(
        max_length=6, strip=True, error_messages={"required": "Choose or enter an answer."}
    )
    key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)


class FlashcardImportForm(forms.Form):
    """An uploaded flashcard CSV, read and checked; `rows` holds its cards when the form is valid."""

    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=f"UTF-8 CSV with a header row, at most {flashcard_csv.MAX_BYTES // (1024 * 1024)} MB and "
        f"{flashcard_csv.MAX_ROWS:,} cards.",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty.",
            "invalid": "Choose a CSV file to upload.",
        },
    )

    def __init__(self, *args, time_zone: str = "UTC", now=None, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone, self.now, self.too_large = time_zone, now, too_large
        self.rows: list[flashcard_csv.CardRow] = []

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > flashcard_csv.MAX_BYTES:
            raise forms.ValidationError(self._too_large_message())
        data = upload.read(flashcard_csv.MAX_BYTES + 1)
        try:
            self.rows = flashcard_csv.parse(data, time_zone=self.time_zone, now=self.now or timezone.now())
        except flashcard_csv.CsvRefused as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload

    def clean(self):
        if self.too_large:
            # The upload was cut off while it arrived (prepnexus/uploads.py), so there is no file to read.
            self.errors.pop("file", None)
            self.add_error("file", self._too_large_message())
        return super().clean()

    @staticmethod
    def _too_large_message() -> str:
        limit = flashcard_csv.MAX_BYTES // (1024 * 1024)
        return f"The file is larger than {limit} MB. Split it into smaller files and upload each one."


class AccommodationForm(forms.ModelForm):
    """A learner's approved testing accommodations, as a teacher or staff record them."""

    class Meta:
        model = TestAccommodation
        fields = ["time_multiplier", "extended_breaks", "note"]
        widgets = {"time_multiplier": forms.RadioSelect}
        labels = {"time_multiplier": "Time per module", "extended_breaks": "Extended breaks (twice as long)"}
