"""Practice sessions, the questions laid out in them, and the learner's answers."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from .accounts import User
from .bank import Question, Section


class PracticeSession(models.Model):
    """One practice run: an ordered set of questions (SessionItem) a learner answers once each."""

    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice (feedback after each question)"
        TIMED = "timed", "Timed (SAT pacing, review at the end)"

    class DifficultyChoice(models.TextChoices):
        MIXED = "mixed", "Mixed"
        EASY = "easy", "Easy"
        MEDIUM = "medium", "Medium"
        HARD = "hard", "Hard"
        MATCHED = "matched", "Matched to me"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        TIMED_OUT = "timed_out", "Time ran out"

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="practice_sessions")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="practice_sessions")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.PRACTICE)
    difficulty = models.CharField(max_length=7, choices=DifficultyChoice.choices, default="mixed")
    scope = models.CharField(max_length=300, blank=True, help_text="What the learner chose, for display.")
    length = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.IN_PROGRESS)
    answered_count = models.PositiveSmallIntegerField(default=0)
    correct_count = models.PositiveSmallIntegerField(default=0)
    time_limit_s = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    source_session = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    # Set when a teacher's assignment started this session; its end updates the assignment's progress.
    assignment = models.ForeignKey(
        "practice.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["learner", "-started_at"], name="session_learner_started_idx"),
            models.Index(
                fields=["learner", "status"],
                condition=models.Q(status="in_progress"),
                name="session_learner_open_idx",
            ),
        ]
        constraints = [
            # Sessions a learner starts are 5-50 long; "practise these mistakes" may have fewer.
            models.CheckConstraint(
                condition=models.Q(length__gte=1, length__lte=50), name="session_length_range"
            ),
            models.CheckConstraint(
                condition=models.Q(answered_count__lte=models.F("length"))
                & models.Q(correct_count__lte=models.F("answered_count")),
                name="session_counts_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=["practice", "timed"]), name="session_mode_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "completed", "timed_out"]),
                name="session_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(mode="practice", deadline__isnull=True, time_limit_s__isnull=True)
                | models.Q(mode="timed", deadline__isnull=False, time_limit_s__gt=0),
                name="session_timed_has_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress", completed_at__isnull=True)
                | (~models.Q(status="in_progress") & models.Q(completed_at__isnull=False)),
                name="session_completed_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.section} session #{self.pk} ({self.learner})"

    def get_absolute_url(self):
        return reverse("practice:session-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_timed(self) -> bool:
        return self.mode == self.Mode.TIMED

    @property
    def omitted_count(self) -> int:
        return self.length - self.answered_count

    def seconds_left(self, now=None) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))


class SessionItem(models.Model):
    """A question's place in a session, with the learner's flag and when it was first shown."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="session_items")
    position = models.PositiveSmallIntegerField()
    flagged = models.BooleanField(default=False)
    shown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="item_session_position_unique"),
            models.UniqueConstraint(fields=["session", "question"], name="item_session_question_unique"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="item_position_positive"),
        ]

    def __str__(self):
        return f"{self.session_id}#{self.position}"


class Answer(models.Model):
    """A learner's one and only answer to a question in a session; recorded by answer_submit."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="answers")
    item = models.OneToOneField(SessionItem, on_delete=models.CASCADE, related_name="answer")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="answers")
    given = models.CharField(max_length=6, help_text="A-D for multiple choice, the entry for SPR.")
    is_correct = models.BooleanField()
    # NULL: unknown (an imported legacy answer whose time was not measured or could not be right).
    time_spent_ms = models.PositiveIntegerField(null=True, blank=True)
    key = models.UUIDField(unique=True, help_text="Idempotency key sent with the form.")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "pk"]
        indexes = [
            models.Index(fields=["learner", "-answered_at"], name="answer_learner_time_idx"),
            models.Index(fields=["question", "is_correct"], name="answer_question_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "question"], name="answer_session_question_unique"),
            models.CheckConstraint(condition=~models.Q(given=""), name="answer_given_not_blank"),
        ]

    def __str__(self):
        return f"{self.learner} → {self.question_id}: {self.given}"

    @property
    def time_spent_s(self) -> float | None:
        return None if self.time_spent_ms is None else round(self.time_spent_ms / 1000, 1)
