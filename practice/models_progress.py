"""Learning models that hang off the question bank: proficiency, score history, review of mistakes.

Imported by practice/models.py after the question models.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .engine.mastery import Level
from .models_learning import ReviewRating


class SkillProficiency(models.Model):
    """A learner's ability estimate on one skill: Gaussian posterior N(mean, var) of theta.

    One row per (learner, skill); answer_submit updates it under a row lock in the answer's transaction.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proficiencies"
    )
    skill = models.ForeignKey("practice.Skill", on_delete=models.CASCADE, related_name="proficiencies")
    mean = models.FloatField(default=0.0)
    var = models.FloatField(default=1.0)
    answers = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NOT_STARTED)
    proficient_since = models.DateTimeField(null=True, blank=True)
    mastered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "skill proficiencies"
        constraints = [
            models.UniqueConstraint(fields=["learner", "skill"], name="proficiency_learner_skill_unique"),
            models.CheckConstraint(condition=models.Q(var__gt=0), name="proficiency_var_positive"),
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answers")), name="proficiency_correct_le_answers"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=0, level__lte=4), name="proficiency_level_range"
            ),
        ]

    def __str__(self):
        return f"{self.learner} / {self.skill_id}: {self.get_level_display()}"


class ScoreSnapshot(models.Model):
    """The predicted scores after a session, for the score trend."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="score_snapshots"
    )
    session = models.ForeignKey(
        "practice.PracticeSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    reading_writing = models.PositiveSmallIntegerField(null=True, blank=True)
    reading_writing_low = models.PositiveSmallIntegerField(null=True, blank=True)
    reading_writing_high = models.PositiveSmallIntegerField(null=True, blank=True)
    math = models.PositiveSmallIntegerField(null=True, blank=True)
    math_low = models.PositiveSmallIntegerField(null=True, blank=True)
    math_high = models.PositiveSmallIntegerField(null=True, blank=True)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    total_low = models.PositiveSmallIntegerField(null=True, blank=True)
    total_high = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        indexes = [models.Index(fields=["learner", "-taken_at"], name="snapshot_learner_time_idx")]
        constraints = [
            # One snapshot per finished session, however many code paths report the finish.
            models.UniqueConstraint(
                fields=["session"], condition=models.Q(session__isnull=False), name="snapshot_session_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(total__isnull=True) | models.Q(total__gte=400, total__lte=1600),
                name="snapshot_total_range",
            ),
        ]

    def __str__(self):
        return f"{self.learner} {self.taken_at:%Y-%m-%d}: {self.total}"


class ReviewItemQuerySet(models.QuerySet):
    def due_for(self, learner, now=None):
        return self.filter(learner=learner, due__lte=now or timezone.now())


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
