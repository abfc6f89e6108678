"""Full-length test forms: a form, its six modules (per section a routing module 1 and an easier and a
harder module 2) and their slots, each slot one question, operational or pretest.

The blueprint a form must meet before it is published lives in `practice.engine.blueprint` and is
checked by `practice.services.forms.form_problems`; the database holds the structural rules.
"""

from django.db import models

from .bank import Question, Section


class TestFormQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=TestForm.Status.PUBLISHED)


class TestForm(models.Model):
    """One full-length test: every learner who takes it sees the same items per route."""

    __test__ = False  # a model, not a pytest test class

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True, help_text="Optional: where the form came from, what to watch.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TestFormQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["status", "name"], name="testform_status_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "retired"]), name="testform_status_valid"
            ),
        ]

    def __str__(self):
        return self.name


class FormModule(models.Model):
    """One timed module of a form: stage 1 routes the learner to the easier or the harder stage 2."""

    class Stage(models.IntegerChoices):
        ONE = 1, "Module 1"
        TWO = 2, "Module 2"

    class Variant(models.TextChoices):
        ROUTING = "routing", "Routing"
        EASIER = "easier", "Easier"
        HARDER = "harder", "Harder"

    form = models.ForeignKey(TestForm, on_delete=models.CASCADE, related_name="modules")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="form_modules")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    variant = models.CharField(max_length=7, choices=Variant.choices)
    length = models.PositiveSmallIntegerField(help_text="Slots in the module, pretest included.")
    time_limit_seconds = models.PositiveIntegerField(
        help_text="Reading and Writing 1920 (32 min), Math 2100."
    )

    class Meta:
        ordering = ["form", "section__position", "stage", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "section", "stage", "variant"], name="formmodule_form_section_stage_variant"
            ),
            models.CheckConstraint(
                condition=models.Q(stage=1, variant="routing")
                | models.Q(stage=2, variant__in=["easier", "harder"]),
                name="formmodule_stage_variant_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(length__gt=0, time_limit_seconds__gt=0),
                name="formmodule_length_time_positive",
            ),
        ]

    def __str__(self):
        return f"{self.form} · {self.section} · {self.label}"

    @property
    def label(self) -> str:
        """How staff and reports name a module: "Module 1 (routing)", "Module 2 (easier)"."""
        return f"Module {self.stage} ({self.get_variant_display().lower()})"


class FormSlot(models.Model):
    """A numbered place in a module holding one question; pretest slots are delivered but not scored."""

    module = models.ForeignKey(FormModule, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField(help_text="From 1, the order the learner sees.")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="form_slots")
    pretest = models.BooleanField(default=False, help_text="Unscored: collects statistics on a new item.")

    class Meta:
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="formslot_module_position_unique"),
            models.UniqueConstraint(fields=["module", "question"], name="formslot_module_question_unique"),
            models.CheckConstraint(condition=models.Q(position__gte=1), name="formslot_position_from_one"),
        ]

    def __str__(self):
        return f"{self.module} #{self.position}"
