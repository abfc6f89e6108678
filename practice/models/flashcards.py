"""Flashcards: the learner's own cards, their scheduler preference and review log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .review import DueQuerySet, ReviewRating


class Scheduler(models.TextChoices):
    FSRS = "fsrs", "FSRS (adapts to your memory)"
    LEITNER = "leitner", "Leitner (5 boxes: 1, 2, 4, 8, 16 days)"


class StudyPreference(models.Model):
    """A learner's study settings that belong to the learning features."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_preference"
    )
    flashcard_scheduler = models.CharField(max_length=7, choices=Scheduler.choices, default=Scheduler.FSRS)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(flashcard_scheduler__in=["fsrs", "leitner"]),
                name="studypref_scheduler_valid",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.flashcard_scheduler}"


class FlashcardQuerySet(DueQuerySet):
    owner_field = "owner"

    def owned_by(self, learner):
        return self.filter(owner=learner)


class Flashcard(models.Model):
    """A learner's own card. Front and back are Markdown, stored with their sanitised HTML."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcards")
    front = models.TextField(max_length=2000, help_text="Markdown.")
    back = models.TextField(max_length=4000, help_text="Markdown.")
    front_html = models.TextField(blank=True, editable=False)
    back_html = models.TextField(blank=True, editable=False)
    scheduler = models.CharField(max_length=7, choices=Scheduler.choices, default=Scheduler.FSRS)
    fsrs_state = models.JSONField(null=True, blank=True, editable=False)
    leitner_box = models.PositiveSmallIntegerField(default=1)
    due = models.DateTimeField(default=timezone.now)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FlashcardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "due"], name="flashcard_owner_due_idx"),
            models.Index(fields=["owner", "-created_at"], name="flashcard_owner_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(front=""), name="flashcard_front_not_blank"),
            models.CheckConstraint(condition=~models.Q(back=""), name="flashcard_back_not_blank"),
            models.CheckConstraint(
                condition=models.Q(leitner_box__gte=1, leitner_box__lte=5), name="flashcard_box_range"
            ),
            models.CheckConstraint(
                condition=models.Q(scheduler__in=["fsrs", "leitner"]), name="flashcard_scheduler_valid"
            ),
        ]

    def __str__(self):
        return self.front[:60]

    def get_absolute_url(self):
        return reverse("practice:flashcard-update", args=[self.pk])


def flashcard_text_clean(front: str, back: str) -> tuple[str, str]:
    """Both sides stripped, or a ValidationError naming the blank or too long side."""
    front, back = front.strip(), back.strip()
    errors = {}
    if not front:
        errors["front"] = "Write something on the front."
    elif len(front) > 2000:
        errors["front"] = "The front can be at most 2,000 characters."
    if not back:
        errors["back"] = "Write something on the back."
    elif len(back) > 4000:
        errors["back"] = "The back can be at most 4,000 characters."
    if errors:
        raise ValidationError(errors)
    return front, back


class FlashcardReview(models.Model):
    """One review of a flashcard (the flashcards' review log)."""

    card = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flashcard_reviews"
    )
    rating = models.PositiveSmallIntegerField(choices=ReviewRating.choices)
    scheduler = models.CharField(max_length=7, choices=Scheduler.choices)
    reviewed_at = models.DateTimeField(default=timezone.now)
    due_after = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "pk"]
        indexes = [models.Index(fields=["learner", "reviewed_at"], name="fcreview_learner_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=4), name="fcreview_rating_range"
            ),
        ]

    def __str__(self):
        return f"{self.card_id}: {self.get_rating_display()}"
