import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower, Mod
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("%(value)s is not a known time zone.", params={"value": value})


class User(AbstractUser):
    """A PrepNexus account. Learners and staff alike; email is unique regardless of case."""

    email = models.EmailField("email address")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=~models.Q(email=""), name="user_email_not_blank"),
        ]

    def __str__(self):
        return self.username


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, blank=True)
    target_score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(400), MaxValueValidator(1600)],
        help_text="Total score you are aiming for, 400 to 1600.",
    )
    test_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_score__isnull=True)
                | models.Q(Exact(Mod("target_score", 10), 0), target_score__gte=400, target_score__lte=1600),
                name="profile_target_score_range",
            ),
        ]

    def __str__(self):
        return self.display_name or self.user.username

    def clean(self):
        if self.target_score is not None and self.target_score % 10:
            raise ValidationError({"target_score": "Scores come in steps of 10."})


# --- Question bank: taxonomy and questions ---


class Section(models.Model):
    """A Digital SAT section (Reading and Writing, Math); reference data from a data migration."""

    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    seconds_per_question = models.PositiveSmallIntegerField(
        help_text="SAT pacing: 71 s for Reading and Writing, 95 s for Math."
    )

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seconds_per_question__gt=0), name="section_seconds_positive"
            ),
        ]

    def __str__(self):
        return self.name


class ListedManager(models.Manager):
    """Only the taxonomy learners see: hides the "Unclassified" placeholders legacy imports file under.

    Related lookups (``question.skill``) go through the base manager, so a placeholder still resolves
    where it is referenced; ``all_objects`` lists everything.
    """

    def get_queryset(self):
        return super().get_queryset().filter(listed=True)


class EveryRowManager(models.Manager):
    """Every row, placeholders included (the import and the base manager use it)."""


class Domain(models.Model):
    """A content domain of a section, with its share of the section (weight, 0 to 1)."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="domains")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    weight = models.DecimalField(
        max_digits=4, decimal_places=3, help_text="Share of the section's questions, e.g. 0.260."
    )
    listed = models.BooleanField(
        default=True, help_text="False only for the Unclassified placeholder (weight 0, hidden from learners)"
    )

    objects = ListedManager()
    all_objects = EveryRowManager()

    class Meta:
        ordering = ["section__position", "position", "name"]
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["section", "name"], name="domain_section_name_unique"),
            models.UniqueConstraint(fields=["section", "slug"], name="domain_section_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0, weight__lte=1) | models.Q(listed=False, weight=0),
                name="domain_weight_range",
            ),
        ]

    def __str__(self):
        return self.name


class Skill(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="skills")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    listed = models.BooleanField(
        default=True,
        help_text="False only for a section's Unclassified placeholder: legacy questions whose topic "
        "matched no skill wait there (as drafts) to be reclassified.",
    )

    objects = ListedManager()
    all_objects = EveryRowManager()

    class Meta:
        ordering = ["domain__section__position", "domain__position", "position", "name"]
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="skill_domain_name_unique"),
            models.UniqueConstraint(fields=["domain", "slug"], name="skill_domain_slug_unique"),
        ]

    def __str__(self):
        return self.name


class Difficulty(models.TextChoices):
    EASY = "easy", "Easy"
    MEDIUM = "medium", "Medium"
    HARD = "hard", "Hard"


# Default IRT difficulty b per level; a = 1.0 and c = 0.25 (MCQ) or 0 (SPR) unless set.
IRT_B_DEFAULTS = {Difficulty.EASY: -1.0, Difficulty.MEDIUM: 0.0, Difficulty.HARD: 1.0}
MCQ_LABELS = ("A", "B", "C", "D")


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Question.Status.PUBLISHED)


class Question(models.Model):
    class Type(models.TextChoices):
        MCQ = "mcq", "Multiple choice"
        SPR = "spr", "Student-produced response"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="questions")
    difficulty = models.CharField(max_length=6, choices=Difficulty.choices, default=Difficulty.MEDIUM)
    type = models.CharField(max_length=3, choices=Type.choices, default=Type.MCQ)
    passage = models.TextField(blank=True, help_text="Markdown. Optional.")
    passage_b = models.TextField(
        "second passage", blank=True, help_text="Markdown. Only for Cross-Text Connections."
    )
    stem = models.TextField(help_text="Markdown.")
    explanation = models.TextField(blank=True, help_text="Markdown. Required to publish.")
    spr_answers = ArrayField(
        models.CharField(max_length=6),
        blank=True,
        default=list,
        verbose_name="accepted answers",
        help_text="Student-produced response only: every accepted form, e.g. 3/4, .75, 0.75.",
    )
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    irt_a = models.FloatField("IRT discrimination a", blank=True, help_text="Defaults to 1.0.")
    irt_b = models.FloatField("IRT difficulty b", blank=True, help_text="Defaults from the difficulty.")
    irt_c = models.FloatField("IRT guessing c", blank=True, help_text="Defaults to 0.25 (MCQ) or 0 (SPR).")
    external_id = models.CharField(
        max_length=80, blank=True, default="", help_text="Stable id used by import_questions."
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="authored_questions"
    )
    # Rendered, sanitised HTML of the Markdown fields (kept in step by save()).
    stem_html = models.TextField(blank=True, editable=False)
    passage_html = models.TextField(blank=True, editable=False)
    passage_b_html = models.TextField(blank=True, editable=False)
    explanation_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["skill", "difficulty", "pk"]
        indexes = [
            models.Index(fields=["status", "skill", "difficulty"], name="question_status_skill_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="question_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(difficulty__in=Difficulty.values), name="question_difficulty_valid"
            ),
            models.CheckConstraint(condition=models.Q(type__in=["mcq", "spr"]), name="question_type_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "retired"]), name="question_status_valid"
            ),
            models.CheckConstraint(condition=~models.Q(stem=""), name="question_stem_not_blank"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | ~models.Q(explanation=""),
                name="question_published_has_explanation",
            ),
            models.CheckConstraint(
                condition=models.Q(type="mcq", spr_answers__len=0)
                | models.Q(type="spr", spr_answers__len__gte=1),
                name="question_spr_answers_match_type",
            ),
            models.CheckConstraint(
                condition=models.Q(irt_a__gt=0, irt_c__gte=0, irt_c__lt=1), name="question_irt_range"
            ),
        ]

    def __str__(self):
        return f"{self.external_id or f'#{self.pk}'}: {self.stem[:60]}"

    def save(self, *args, **kwargs):
        self.fill_defaults()
        self.render_html()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "stem_html",
                "passage_html",
                "passage_b_html",
                "explanation_html",
                "irt_a",
                "irt_b",
                "irt_c",
            }
        super().save(*args, **kwargs)

    def fill_defaults(self) -> None:
        """Fill IRT parameters that were left empty from the difficulty and type."""
        if self.irt_a is None:
            self.irt_a = 1.0
        if self.irt_b is None:
            self.irt_b = IRT_B_DEFAULTS.get(self.difficulty, 0.0)
        if self.irt_c is None:
            self.irt_c = 0.25 if self.type == self.Type.MCQ else 0.0

    def render_html(self) -> None:
        from .rendering import render_markdown

        self.stem_html = render_markdown(self.stem)
        self.passage_html = render_markdown(self.passage)
        self.passage_b_html = render_markdown(self.passage_b)
        self.explanation_html = render_markdown(self.explanation)

    def clean(self):
        from .spr import SprFormatError, parse_spr

        errors = {}
        self.fill_defaults()
        if self.status == self.Status.PUBLISHED and not self.explanation.strip():
            errors["explanation"] = "A published question needs an explanation."
        if self.type == self.Type.SPR:
            if not self.spr_answers:
                errors["spr_answers"] = "A student-produced response question needs at least one answer."
            for answer in self.spr_answers or []:
                try:
                    parse_spr(answer)
                except SprFormatError as exc:
                    errors["spr_answers"] = f"“{answer}” is not a valid answer: {exc.message}"
        elif self.spr_answers:
            errors["spr_answers"] = "Multiple-choice questions take their answer from the options."
        if self.irt_a is not None and self.irt_a <= 0:
            errors["irt_a"] = "Discrimination must be positive."
        if self.irt_c is not None and not 0 <= self.irt_c < 1:
            errors["irt_c"] = "The guessing parameter must be at least 0 and below 1."
        if errors:
            raise ValidationError(errors)

    @property
    def section(self) -> Section:
        return self.skill.domain.section


class QuestionOption(models.Model):
    """One of the four options (A-D) of a multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=1, choices=[(label, label) for label in MCQ_LABELS])
    text = models.TextField(help_text="Markdown.")
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "label"]
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="option_question_label_unique"),
            models.UniqueConstraint(
                fields=["question"],
                condition=models.Q(is_correct=True),
                name="option_one_correct_per_question",
            ),
            models.CheckConstraint(condition=models.Q(label__in=MCQ_LABELS), name="option_label_valid"),
            models.CheckConstraint(condition=~models.Q(text=""), name="option_text_not_blank"),
        ]

    def __str__(self):
        return f"{self.label}. {self.text[:60]}"

    def save(self, *args, **kwargs):
        from .rendering import render_markdown

        self.text_html = render_markdown(self.text, inline=True)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_html"}
        super().save(*args, **kwargs)


# --- Practice sessions and answers ---


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
    time_spent_ms = models.PositiveIntegerField()
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
    def time_spent_s(self) -> float:
        return round(self.time_spent_ms / 1000, 1)


# Learning features live in their own modules; importing them here registers the models.
from .models_learning import (  # noqa: E402, F401
    BadgeAward,
    DailyActivity,
    Flashcard,
    FlashcardReview,
    LearnerStats,
    ReviewRating,
    Scheduler,
    StudyPreference,
)
from .models_legacy import LegacyRecord  # noqa: E402, F401
from .models_progress import (  # noqa: E402, F401
    ReviewAttempt,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
)
