"""The question bank: sections, domains and skills (the taxonomy), questions and their options."""

import hashlib
import json

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models

from ..figures import figure_alt, figure_problems, render_figure
from ..rendering import math_problem, render_question
from ..spr import SprFormatError, parse_spr
from .accounts import User


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
READING_AND_WRITING = "Reading and Writing"  # the section without student-produced responses
CROSS_TEXT_SKILL = "Cross-Text Connections"  # the skill whose questions have a second passage
MARKDOWN_FIELDS = ("stem", "passage", "passage_b", "explanation")  # rendered to the *_html fields


class QuestionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Question.Status.PUBLISHED)

    def in_scope(self, *, section, skills=(), domains=()):
        """A session's scope: the chosen skills, else the chosen domains, else the whole section."""
        questions = self.filter(skill__domain__section=section)
        if skills:
            return questions.filter(skill__in=skills)
        if domains:
            return questions.filter(skill__domain__in=domains)
        return questions


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
    figure = models.JSONField(
        null=True,
        blank=True,
        help_text="Optional figure spec (JSON: numbers and short plain-text labels, see "
        "docs/question-format.md). The server draws it; SVG is never uploaded.",
    )
    # A frozen variant of an item template (practice/engine/templates): the template's code and the seed.
    template_code = models.CharField(max_length=40, blank=True, default="", editable=False)
    template_seed = models.BigIntegerField(null=True, blank=True, editable=False)
    # Rendered, sanitised HTML of the Markdown fields (kept in step by save()).
    stem_html = models.TextField(blank=True, editable=False)
    passage_html = models.TextField(blank=True, editable=False)
    passage_b_html = models.TextField(blank=True, editable=False)
    explanation_html = models.TextField(blank=True, editable=False)
    # The figure as drawn by practice.figures (never authored SVG) and its text alternative.
    figure_svg = models.TextField(blank=True, editable=False)
    figure_alt = models.TextField(blank=True, editable=False)
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
            models.UniqueConstraint(
                fields=["template_code", "template_seed"],
                condition=models.Q(template_seed__isnull=False),
                name="question_template_variant_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(template_code="", template_seed__isnull=True)
                | (~models.Q(template_code="") & models.Q(template_seed__isnull=False)),
                name="question_template_code_and_seed",
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
                "figure_svg",
                "figure_alt",
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
        self.stem_html = render_question(self.stem)
        self.passage_html = render_question(self.passage)
        self.passage_b_html = render_question(self.passage_b)
        self.explanation_html = render_question(self.explanation)
        self.figure_svg, self.figure_alt = "", ""
        if self.figure is not None and not figure_problems(self.figure):
            # Element ids must differ between figures on one page; the spec and the id tell them apart.
            seed = json.dumps([self.external_id, self.figure], sort_keys=True).encode()
            ident = "fig-" + hashlib.sha1(seed, usedforsecurity=False).hexdigest()[:10]
            self.figure_svg = render_figure(self.figure, ident=ident)
            self.figure_alt = figure_alt(self.figure)

    def clean(self):
        """The rules on the question's own fields; `services.questions.question_problems` adds its options."""
        errors = {}
        self.fill_defaults()
        if self.status == self.Status.PUBLISHED and not self.explanation.strip():
            errors["explanation"] = "A published question needs an explanation."
        for name in MARKDOWN_FIELDS:  # LaTeX that cannot be rendered: "line 2: unknown LaTeX command \frca"
            if name not in errors and (problem := math_problem(getattr(self, name))):
                errors[name] = problem
        if self.type == self.Type.SPR:
            if not self.spr_answers:
                errors["spr_answers"] = "A student-produced response question needs at least one answer."
            for answer in self.spr_answers or []:
                try:
                    parse_spr(answer)
                except SprFormatError as exc:
                    errors["spr_answers"] = f"“{answer}” is not a valid answer: {exc.message}"
            repeated = sorted({a for a in self.spr_answers or [] if self.spr_answers.count(a) > 1})
            if repeated and "spr_answers" not in errors:
                errors["spr_answers"] = f"“{repeated[0]}” is listed twice."
        elif self.spr_answers:
            errors["spr_answers"] = "Multiple-choice questions take their answer from the options."
        if found := figure_problems(self.figure):
            errors["figure"] = found
        if self.skill_id is not None:
            errors |= self._skill_problems()
        if self.irt_a is not None and self.irt_a <= 0:
            errors["irt_a"] = "Discrimination must be positive."
        if self.irt_c is not None and not 0 <= self.irt_c < 1:
            errors["irt_c"] = "The guessing parameter must be at least 0 and below 1."
        if errors:
            raise ValidationError(errors)

    def _skill_problems(self) -> dict[str, str]:
        # Rules of the Digital SAT's item types: Reading and Writing is all multiple choice, and a
        # Cross-Text Connections item is the one with two texts. (Costs a query or two for SPR.)
        errors = {}
        cross_text = self.skill.name == CROSS_TEXT_SKILL
        if cross_text and not (self.passage.strip() and self.passage_b.strip()):
            errors["passage_b"] = f"A {CROSS_TEXT_SKILL} question needs both passages."
        elif self.passage_b.strip() and not cross_text:
            errors["passage_b"] = f"Only a {CROSS_TEXT_SKILL} question has a second passage."
        if self.type == self.Type.SPR and self.skill.domain.section.name == READING_AND_WRITING:
            errors["type"] = f"{READING_AND_WRITING} questions are multiple choice."
        return errors

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
        self.text_html = render_question(self.text, inline=True)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "text_html"}
        super().save(*args, **kwargs)
