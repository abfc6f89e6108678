"""The full-length adaptive test as a learner sits it: the attempt, its timed modules and the responses.

An attempt walks through phases: Reading and Writing module 1 and 2, the break, Math module 1 and 2,
then done. Each module's deadline is stored when it starts (the server's clock is the truth); every slot
of a started module has a response row from the start, so a save is one UPDATE and never a second row.
Scores are written when a section's second module closes. Rules: docs/full-test.md.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .forms import FormModule, FormSlot, TestForm
from .sessions import PracticeSession

MCQ_LETTERS = "ABCD"


class Phase(models.TextChoices):
    RW1 = "rw1", "Reading and Writing, Module 1"
    RW2 = "rw2", "Reading and Writing, Module 2"
    BREAK = "break", "Break"
    MATH1 = "math1", "Math, Module 1"
    MATH2 = "math2", "Math, Module 2"
    DONE = "done", "Finished"


MODULE_PHASES = (Phase.RW1, Phase.RW2, Phase.MATH1, Phase.MATH2)
PHASE_ORDER = (Phase.RW1, Phase.RW2, Phase.BREAK, Phase.MATH1, Phase.MATH2, Phase.DONE)


class TestAccommodation(models.Model):
    """A learner's approved testing accommodations: extended time per module and longer breaks."""

    __test__ = False

    class TimeMultiplier(models.TextChoices):
        STANDARD = "1.0", "Standard time"
        TIME_AND_A_HALF = "1.5", "Time and a half (+50%)"
        DOUBLE = "2.0", "Double time (+100%)"

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_accommodation"
    )
    time_multiplier = models.CharField(
        max_length=3, choices=TimeMultiplier.choices, default=TimeMultiplier.STANDARD
    )
    extended_breaks = models.BooleanField(default=False, help_text="Breaks last twice as long.")
    note = models.CharField(max_length=200, blank=True, help_text="Optional: the approval's reference.")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(time_multiplier__in=["1.0", "1.5", "2.0"]), name="accommodation_time_valid"
            ),
        ]

    def __str__(self):
        return f"{self.learner}: {self.get_time_multiplier_display()}"

    @property
    def multiplier(self) -> float:
        return float(self.time_multiplier)


class TestAttempt(models.Model):
    """One learner's sitting of a full-length form, from Reading and Writing module 1 to the report."""

    __test__ = False

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_attempts"
    )
    form = models.ForeignKey(TestForm, on_delete=models.PROTECT, related_name="attempts")
    assignment = models.ForeignKey(
        "practice.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="test_attempts"
    )
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.IN_PROGRESS)
    phase = models.CharField(max_length=5, choices=Phase.choices, default=Phase.RW1)
    # When the current phase (a module or the break) ends on the server's clock; NULL once done.
    phase_deadline = models.DateTimeField(null=True, blank=True)
    time_multiplier = models.FloatField(default=1.0, help_text="The accommodation in force when it started.")
    break_multiplier = models.FloatField(default=1.0)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Scores, written when a section's second module closes: ability (logits), its posterior sd, the
    # scaled score and its 90% band.
    rw_theta = models.FloatField(null=True, blank=True)
    rw_sd = models.FloatField(null=True, blank=True)
    rw_score = models.PositiveSmallIntegerField(null=True, blank=True)
    rw_low = models.PositiveSmallIntegerField(null=True, blank=True)
    rw_high = models.PositiveSmallIntegerField(null=True, blank=True)
    math_theta = models.FloatField(null=True, blank=True)
    math_sd = models.FloatField(null=True, blank=True)
    math_score = models.PositiveSmallIntegerField(null=True, blank=True)
    math_low = models.PositiveSmallIntegerField(null=True, blank=True)
    math_high = models.PositiveSmallIntegerField(null=True, blank=True)
    total_score = models.PositiveSmallIntegerField(null=True, blank=True)
    total_low = models.PositiveSmallIntegerField(null=True, blank=True)
    total_high = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["learner", "-started_at"], name="testattempt_learner_idx")]
        constraints = [
            # One open test per learner: a second start resumes the first.
            models.UniqueConstraint(
                fields=["learner"], condition=models.Q(status="in_progress"), name="testattempt_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "completed"]), name="testattempt_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(phase__in=[p.value for p in PHASE_ORDER]), name="testattempt_phase_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status="in_progress", completed_at__isnull=True, phase_deadline__isnull=False
                )
                | models.Q(status="completed", phase="done", completed_at__isnull=False),
                name="testattempt_status_phase_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(time_multiplier__gte=1, time_multiplier__lte=2)
                & models.Q(break_multiplier__gte=1, break_multiplier__lte=2),
                name="testattempt_multipliers_range",
            ),
            models.CheckConstraint(
                condition=(models.Q(rw_score__isnull=True) | models.Q(rw_score__gte=200, rw_score__lte=800))
                & (models.Q(math_score__isnull=True) | models.Q(math_score__gte=200, math_score__lte=800))
                & (
                    models.Q(total_score__isnull=True) | models.Q(total_score__gte=400, total_score__lte=1600)
                ),
                name="testattempt_scores_range",
            ),
        ]

    def __str__(self):
        return f"{self.form} · {self.learner} · {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("practice:fulltest-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class TestModuleAttempt(models.Model):
    """One timed module of an attempt: which form module (routing, easier or harder) and its clock."""

    __test__ = False

    class Closed(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        TIMED_OUT = "timed_out", "Time ran out"

    attempt = models.ForeignKey(TestAttempt, on_delete=models.CASCADE, related_name="modules")
    phase = models.CharField(max_length=5, choices=[(p.value, p.label) for p in MODULE_PHASES])
    module = models.ForeignKey(FormModule, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=9, choices=Closed.choices, blank=True)
    # The practice session the closed module's answers were recorded in, for the learning engine.
    session = models.OneToOneField(
        PracticeSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="test_module"
    )

    class Meta:
        ordering = ["attempt", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "phase"], name="testmodule_attempt_phase_unique"),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("started_at")),
                name="testmodule_deadline_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, closed_reason="")
                | models.Q(closed_at__isnull=False, closed_reason__in=["submitted", "timed_out"]),
                name="testmodule_closed_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.attempt_id} {self.phase}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def seconds_used(self) -> int:
        end = self.closed_at or timezone.now()
        return max(0, int((min(end, self.deadline) - self.started_at).total_seconds()))


class TestResponse(models.Model):
    """The learner's state of one slot: answer (blank when none), flag, eliminated options, notes.

    Created with the module; saves update it in place, in the order the client made them (`seq`).
    """

    __test__ = False

    module_attempt = models.ForeignKey(TestModuleAttempt, on_delete=models.CASCADE, related_name="responses")
    slot = models.ForeignKey(FormSlot, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    given = models.CharField(max_length=6, blank=True)
    flagged = models.BooleanField(default=False)
    eliminated = models.CharField(max_length=4, blank=True, help_text="The options struck out, e.g. 'BD'.")
    note = models.TextField(blank=True)
    highlights = models.JSONField(
        default=list, blank=True, help_text="[[start, end], ...] in the passage text."
    )
    # The client's clock (ms) of the save that wrote this state; older saves arriving late change nothing.
    seq = models.BigIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True, help_text="Marked when the module closes.")

    class Meta:
        ordering = ["module_attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["module_attempt", "position"], name="testresponse_position_unique"
            ),
            models.UniqueConstraint(fields=["module_attempt", "slot"], name="testresponse_slot_unique"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1), name="testresponse_position_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(eliminated__regex=r"^A?B?C?D?$"), name="testresponse_eliminated_letters"
            ),
        ]

    def __str__(self):
        return f"{self.module_attempt_id}#{self.position}"
