"""Learning models that stand on their own: flashcards, study preferences, badges, streaks, activity.

Imported by practice/models.py. Models that hang off questions and skills are in models_progress.py.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .badges import CHOICES as BADGE_CHOICES


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


class FlashcardQuerySet(models.QuerySet):
    def owned_by(self, learner):
        return self.filter(owner=learner)

    def due_for(self, learner, now=None):
        return self.filter(owner=learner, due__lte=now or timezone.now())


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


class ReviewRating(models.IntegerChoices):
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


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


class BadgeAward(models.Model):
    """A badge a learner earned. The unique constraint makes every award happen exactly once."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    code = models.CharField(max_length=40, choices=BADGE_CHOICES)
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "code"], name="badge_learner_code_unique"),
        ]
        indexes = [models.Index(fields=["learner", "-awarded_at"], name="badge_learner_time_idx")]

    def __str__(self):
        return f"{self.learner}: {self.code}"


class LearnerStats(models.Model):
    """Running totals and the streak, one row per learner, updated under a row lock."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_stats"
    )
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)
    sessions_completed = models.PositiveIntegerField(default=0)
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_active_day = models.DateField(null=True, blank=True, help_text="In the learner's time zone.")

    class Meta:
        verbose_name_plural = "learner stats"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answers")), name="stats_correct_le_answers"
            ),
            models.CheckConstraint(
                condition=models.Q(current_streak__lte=models.F("longest_streak")),
                name="stats_streak_le_longest",
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.answers} answers, streak {self.current_streak}"


class DailyActivity(models.Model):
    """What a learner did on one day of their own calendar; feeds the streak and the weekly charts."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_days"
    )
    day = models.DateField(help_text="In the learner's time zone.")
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    time_spent_ms = models.PositiveBigIntegerField(default=0)
    reviews = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["learner", "day"]
        verbose_name_plural = "daily activity"
        constraints = [
            models.UniqueConstraint(fields=["learner", "day"], name="activity_learner_day_unique"),
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answers")), name="activity_correct_le_answers"
            ),
        ]

    def __str__(self):
        return f"{self.learner} {self.day}"
