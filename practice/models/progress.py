"""Progress: skill proficiency, predicted-score history, running totals and streaks, daily activity,
badges earned."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..badges import CHOICES as BADGE_CHOICES
from ..engine.mastery import Level


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
    level = models.PositiveSmallIntegerField(
        choices=[(level.value, level.label) for level in Level], default=Level.NOT_STARTED.value
    )
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
