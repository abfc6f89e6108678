import uuid

from django import forms
from django.utils import timezone

from . import flashcard_csv
from .models import Flashcard, ReviewRating, Scheduler


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
