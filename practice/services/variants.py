"""Frozen variants of item templates: every variant served is a real, published Question row.

A template (practice/engine/templates) builds the same item for the same (code, seed). Freezing it as
a Question, with `template_code` and `template_seed` set and the external id "tpl:<code>:<seed>",
gives answers, review, results and export one fixed item to point at; a unique constraint on the pair
keeps one row per variant. `variant_create` freezes one variant through `question_save`;
`variants_mint` freezes a batch of fresh ones for a session, validating each with the same
`question_problems` and writing them in two bulk inserts.
"""

import random

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..engine.templates import Template, UnknownTemplate, Variant, template_get
from ..models import Question, QuestionOption, Skill
from ..rendering import render_question
from .questions import problem_lines, question_problems, question_save

TEMPLATE_SECTION = "Math"  # every template is a Math item
MAX_SEED = 2**31 - 1  # fresh seeds are drawn from 1..MAX_SEED (short external ids, still no clashes)
_seeds = random.SystemRandom()


def variant_external_id(template_code: str, seed: int) -> str:
    return f"tpl:{template_code}:{seed}"


def _variant_question(variant: Variant, skill: Skill) -> tuple[Question, list[tuple[str, bool]]]:
    question = Question(
        skill=skill,
        difficulty=variant.difficulty,
        type=variant.type,
        stem=variant.stem,
        explanation=variant.explanation,
        spr_answers=list(variant.spr_answers),
        status=Question.Status.PUBLISHED,
        external_id=variant_external_id(variant.code, variant.seed),
        template_code=variant.code,
        template_seed=variant.seed,
    )
    return question, list(variant.options)


def _template_skills(names) -> dict[str, Skill]:
    return {
        skill.name: skill
        for skill in Skill.objects.select_related("domain__section").filter(
            domain__section__name=TEMPLATE_SECTION, name__in=set(names)
        )
    }


def _stored(template_code: str, seed: int) -> Question | None:
    return Question.objects.filter(template_code=template_code, template_seed=seed).first()


def variant_create(*, template_code: str, seed: int) -> Question:
    """The Question frozen from (template_code, seed), created and published on first use (idempotent)."""
    if not 0 <= seed <= 2**63 - 1:
        raise ValidationError({"template_seed": "A seed is a whole number from 0 to 2^63 - 1."})
    try:
        template = template_get(template_code)
    except UnknownTemplate:
        raise ValidationError({"template_code": f"There is no item template “{template_code}”."}) from None
    if existing := _stored(template_code, seed):
        return existing
    variant = template.variant(seed)
    skill = _template_skills([variant.skill]).get(variant.skill)
    if skill is None:
        raise ValidationError({"skill": f"The taxonomy has no Math skill “{variant.skill}”."})
    question, options = _variant_question(variant, skill)
    try:
        with transaction.atomic():
            return question_save(question=question, options=options)
    except (IntegrityError, ValidationError):
        if existing := _stored(template_code, seed):  # another request froze it first
            return existing
        raise


def _fresh_seeds(templates: list[Template], count: int) -> list[tuple[Template, int]]:
    order = list(templates)
    _seeds.shuffle(order)
    wanted = [(order[i % len(order)], _seeds.randint(1, MAX_SEED)) for i in range(count)]
    clashes = Q()
    for template, seed in wanted:
        clashes |= Q(template_code=template.code, template_seed=seed)
    taken = set(Question.objects.filter(clashes).values_list("template_code", "template_seed"))
    return [(template, seed) for template, seed in wanted if (template.code, seed) not in taken]


@transaction.atomic
def variants_mint(*, templates: list[Template], count: int) -> list[Question]:
    """Freeze `count` fresh variants (new seeds) spread over `templates`, published, in bulk.

    Each is checked by `question_problems`, the rules every question passes, and rendered as
    `question_save` renders it; the rows go in with two bulk inserts, so a session that needs many
    fresh items costs a fixed number of writes.
    """
    if not templates or count <= 0:
        return []
    chosen = _fresh_seeds(templates, count)
    skills = _template_skills(template.skill for template, _ in chosen)
    now = timezone.now()
    questions, all_options = [], []
    for template, seed in chosen:
        if template.skill not in skills:
            continue  # a taxonomy without this skill: nothing to file the variant under
        question, pairs = _variant_question(template.variant(seed), skills[template.skill])
        options = [
            QuestionOption(label="ABCD"[index], text=text, is_correct=correct)
            for index, (text, correct) in enumerate(pairs)
        ]
        # The skills were read from the database above, so the per-question foreign-key query is skipped.
        if problems := question_problems(question, options, skill_checked=True):
            raise ValidationError(
                f"Template {template.code} seed {seed}: {'; '.join(problem_lines(problems))}"
            )
        question.fill_defaults()
        question.render_html()
        question.published_at = now
        questions.append(question)
        all_options.append(options)
    Question.objects.bulk_create(questions)
    for question, options in zip(questions, all_options, strict=True):
        for option in options:
            option.question = question
            option.text_html = render_question(option.text, inline=True)
    QuestionOption.objects.bulk_create([option for options in all_options for option in options])
    return questions
