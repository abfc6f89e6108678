import uuid

from django import forms

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
