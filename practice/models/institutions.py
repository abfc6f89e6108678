"""Institutions: schools, districts and tutoring companies, their members, classes and assignments, and
the audit trail of every look at a learner's data.

Every table here carries `institution_id`, and PostgreSQL's row-level security admits only the rows of
the institutions set for the current transaction (migration 0013 and `practice.tenancy`). Learners'
own rows (sessions, answers, progress) stay keyed by learner: a learner may belong to several
institutions, or to none (self-study).
"""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .accounts import validate_time_zone
from .bank import Section
from .forms import TestForm
from .sessions import PracticeSession

# Join codes: random characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V).
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 symbols
JOIN_CODE_LENGTH = 11  # 30**11 > 2**53 codes: far beyond guessing at a rate-limited join page


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Institution(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_test_date = models.DateField(
        null=True, blank=True, help_text="The test date of learners who have not set their own."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Institution admin"
    TEACHER = "teacher", "Teacher"
    LEARNER = "learner", "Learner"


class Membership(models.Model):
    """A user's role in one institution (one per user and institution)."""

    Role = Role

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=7, choices=Role.choices)
    external_id = models.CharField(
        max_length=64, blank=True, help_text="The institution's own id for this person (from a roster)."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["institution", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"], name="membership_user_institution_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "external_id"],
                condition=~models.Q(external_id=""),
                name="membership_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "teacher", "learner"]), name="membership_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["institution", "role"], name="membership_inst_role_idx")]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.institution})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in (Role.ADMIN, Role.TEACHER)


class Classroom(models.Model):
    """A class: its teachers, its learners (Enrollment) and a code learners join it with."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code, editable=False)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "institution",
                Lower("name"),
                condition=models.Q(archived=False),
                name="classroom_name_unique_when_active",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="classroom_name_not_blank"),
        ]
        indexes = [models.Index(fields=["institution", "archived"], name="classroom_institution_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("teach:class-detail", args=[self.pk])


class ClassTeacher(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="teacher_links")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="class_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["classroom", "teacher"], name="classteacher_unique"),
        ]
        indexes = [models.Index(fields=["teacher", "institution"], name="classteacher_teacher_idx")]

    def __str__(self):
        return f"{self.teacher} teaches {self.classroom}"


class Enrollment(models.Model):
    class Source(models.TextChoices):
        CODE = "code", "Joined with the class code"
        ROSTER = "roster", "Roster upload"
        STAFF = "staff", "Added by staff"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.CODE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["classroom", "learner"]
        constraints = [
            models.UniqueConstraint(fields=["classroom", "learner"], name="enrollment_class_learner_unique"),
        ]
        indexes = [models.Index(fields=["learner", "institution"], name="enrollment_learner_idx")]

    def __str__(self):
        return f"{self.learner} in {self.classroom}"


class Assignment(models.Model):
    """Work a teacher assigns to a class or to chosen learners, open from opens_at to due_at: a practice set
    (section, skills, length...) or a full-length practice test (a form, or the learner's next unseen one)."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", "Practice set"
        FULL_TEST = "full_test", "Full-length practice test"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="assignments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=9, choices=Kind.choices, default=Kind.PRACTICE)
    # A full test's form; empty: the published form the learner has sat least often.
    form = models.ForeignKey(
        TestForm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"status": TestForm.Status.PUBLISHED},
    )
    # A practice set's fields; a full test has none of them (assignment_kind_consistent).
    section = models.ForeignKey(Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Skills and domains are global reference rows; ids here keep this table free of a join table that
    # would need an institution_id of its own. The service checks them.
    skill_ids = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    domain_ids = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    difficulty = models.CharField(
        max_length=7,
        choices=PracticeSession.DifficultyChoice.choices,
        default=PracticeSession.DifficultyChoice.MIXED,
        blank=True,
    )
    length = models.PositiveSmallIntegerField(default=10, null=True, blank=True)
    mode = models.CharField(
        max_length=8, choices=PracticeSession.Mode.choices, default=PracticeSession.Mode.PRACTICE, blank=True
    )
    whole_class = models.BooleanField(default=True, help_text="Learners who join later get it too.")
    opens_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("opens_at")), name="assignment_due_after_open"
            ),
            models.CheckConstraint(
                condition=models.Q(length__gte=1, length__lte=50), name="assignment_length_range"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind="practice",
                    section__isnull=False,
                    length__isnull=False,
                    difficulty__in=PracticeSession.DifficultyChoice.values,
                    mode__in=PracticeSession.Mode.values,
                    form__isnull=True,
                )
                | models.Q(
                    kind="full_test",
                    section__isnull=True,
                    skill_ids=[],
                    domain_ids=[],
                    length__isnull=True,
                    difficulty="",
                    mode="",
                ),
                name="assignment_kind_consistent",
            ),
        ]
        indexes = [models.Index(fields=["classroom", "-due_at"], name="assignment_class_due_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("teach:assignment-detail", args=[self.pk])

    @property
    def is_full_test(self) -> bool:
        return self.kind == self.Kind.FULL_TEST


class AssignmentProgress(models.Model):
    """One learner's work on one assignment: the session it started, and when it was completed."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="progress")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_progress"
    )
    session = models.OneToOneField(
        PracticeSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignment_progress"
    )
    # A full-test assignment's attempt (the database sets it NULL when the attempt goes).
    attempt = models.OneToOneField(
        "practice.TestAttempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment_progress",
    )
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.NOT_STARTED)
    answered = models.PositiveSmallIntegerField(default=0)
    correct = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "assignment progress"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "learner"], name="assignmentprogress_unique"),
            models.CheckConstraint(
                condition=models.Q(status="completed", completed_at__isnull=False)
                | (~models.Q(status="completed") & models.Q(completed_at__isnull=True)),
                name="assignmentprogress_completed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=models.Q(correct__lte=models.F("answered")), name="assignmentprogress_counts"
            ),
        ]
        indexes = [models.Index(fields=["learner", "status"], name="asgprogress_learner_idx")]

    def __str__(self):
        return f"{self.learner}: {self.assignment} ({self.get_status_display()})"


class AccessEvent(models.Model):
    """One look at learners' data by a teacher, an institution admin or staff (FERPA): append-only.

    One row per page, naming every learner the page showed, so a learner can see who looked. The
    database refuses UPDATE and DELETE (migration 0013). Users are kept as plain ids and names, so deleting
    an account never rewrites the trail.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=16)
    action = models.CharField(max_length=6, choices=Action.choices, default=Action.VIEW)
    what = models.CharField(max_length=120, help_text="The page or export, e.g. 'class overview'.")
    classroom_id = models.BigIntegerField(null=True, blank=True)
    learner_ids = ArrayField(models.BigIntegerField(), default=list)
    path = models.CharField(max_length=300, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-at"], name="accessevent_institution_idx"),
            GinIndex(fields=["learner_ids"], name="accessevent_learners_gin"),
        ]

    def __str__(self):
        return (
            f"{self.actor_name} {self.get_action_display().lower()} {self.what} at {self.at:%Y-%m-%d %H:%M}"
        )
