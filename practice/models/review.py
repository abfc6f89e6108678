"""Review of mistakes: questions a learner missed or answered slowly, rescheduled with FSRS."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ReviewRating(models.IntegerChoices):
    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class DueQuerySet(models.QuerySet):
    """The "due" rule, once, for review items and flashcards: due when its time has come (due <= now).

    Hand-written SQL that repeats it (the dashboard summary) is checked against it by a test.
    """

    owner_field = "learner"

    def due(self, now=None):
        return self.filter(due__lte=now or timezone.now())

    def due_for(self, learner, now=None):
        return self.filter(**{self.owner_field: learner}).due(now)


class ReviewItemQuerySet(DueQuerySet):
    pass


class ReviewItem(models.Model):
    """A question the learner missed or answered slowly, scheduled with FSRS (card state persisted)."""

    class Reason(models.TextChoices):
        MISSED = "missed", "Missed"
        SLOW = "slow", "Correct but slow"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_items"
    )
    question = models.ForeignKey("practice.Question", on_delete=models.CASCADE, related_name="review_items")
    reason = models.CharField(max_length=6, choices=Reason.choices)
    fsrs_state = models.JSONField()
    due = models.DateTimeField()
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["learner", "due"], name="reviewitem_learner_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "question"], name="reviewitem_learner_question_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=["missed", "slow"]), name="reviewitem_reason_valid"
            ),
        ]

    def __str__(self):
        return f"{self.learner} / {self.question_id} due {self.due:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("practice:review-item", args=[self.pk])


class ReviewAttempt(models.Model):
    """One answer in the review of mistakes (the review log)."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="attempts")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_attempts"
    )
    given = models.CharField(max_length=6)
    is_correct = models.BooleanField()
    time_spent_ms = models.PositiveIntegerField()
    rating = models.PositiveSmallIntegerField(choices=ReviewRating.choices)
    key = models.UUIDField(unique=True, help_text="Idempotency key sent with the form.")
    reviewed_at = models.DateTimeField(default=timezone.now)
    due_after = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "pk"]
        indexes = [models.Index(fields=["learner", "reviewed_at"], name="reviewattempt_learner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=4), name="reviewattempt_rating_range"
            ),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.get_rating_display()}"
