"""Helpers for the full-length test's tests: a published form of original throwaway items, built in bulk,
and a learner who answers it."""

import random

from django.db import transaction
from django.utils.html import escape

from practice.engine.blueprint import EASY, HARD, MEDIUM
from practice.models import (
    IRT_B_DEFAULTS,
    FormSlot,
    Question,
    QuestionOption,
    Skill,
    TestForm,
)
from practice.services.forms import form_create

from .factories import ensure_taxonomy

_counter = iter(range(1, 10**9))
LEVELS = {"routing": (EASY, MEDIUM, HARD), "easier": (EASY, EASY, MEDIUM), "harder": (HARD, HARD, MEDIUM)}


def _question(skill, level, kind, n, a, b):
    question = Question(
        skill=skill,
        difficulty=level,
        type=kind,
        stem=f"Full-test item {n}: what is {n} + 1?",
        stem_html=f"<p>Full-test item {n}: what is {n} + 1?</p>",
        explanation=f"Add one: {n} + 1 = {n + 1}.",
        explanation_html=f"<p>Add one: {n} + 1 = {n + 1}.</p>",
        status=Question.Status.PUBLISHED,
        external_id=f"fulltest-{n}",
        spr_answers=[str(n + 1)] if kind == "spr" else [],
        irt_a=a,
        irt_b=b,
        irt_c=0.25 if kind == "mcq" else 0.0,
    )
    if skill.domain.section.name == "Reading and Writing":
        text = f"A short original passage, number {n}, about a community garden and its many volunteers."
        question.passage, question.passage_html = text, f"<p>{escape(text)}</p>"
    return question


@transaction.atomic  # the questions and their options commit together (a deferred trigger checks them)
def make_full_form(name: str = "Full form", *, seed: int = 1, a=(1.0, 1.0), spr_every: int = 4) -> TestForm:
    """A published form: six modules filled with new items (B correct; SPR items in Math), a pair of
    pretest slots per module. `a` is the range item discriminations are drawn from."""
    ensure_taxonomy()
    rnd = random.Random(seed)
    form = form_create(name=name)
    questions, slots = [], []
    for module in form.modules.select_related("section"):
        skills = list(Skill.objects.filter(domain__section=module.section).select_related("domain__section"))
        math = module.section.name == "Math"
        for position in range(1, module.length + 1):
            n = next(_counter)
            level = LEVELS[module.variant][position % 3]
            kind = "spr" if math and position % spr_every == 0 else "mcq"
            b = IRT_B_DEFAULTS[level] + rnd.uniform(-0.4, 0.4)
            question = _question(skills[position % len(skills)], level, kind, n, rnd.uniform(*a), b)
            questions.append(question)
            slots.append((module, position, question, position in (5, 12)))
    Question.objects.bulk_create(questions)
    QuestionOption.objects.bulk_create(
        QuestionOption(question=q, label=label, text=text, text_html=escape(text), is_correct=label == "B")
        for q in questions
        if q.type == "mcq"
        for label, text in zip("ABCD", ("one", "two", "three", "four"), strict=True)
    )
    FormSlot.objects.bulk_create(
        FormSlot(module=module, position=position, question=question, pretest=pretest)
        for module, position, question, pretest in slots
    )
    TestForm.objects.filter(pk=form.pk).update(status=TestForm.Status.PUBLISHED)
    form.refresh_from_db()
    return form


def right_answer(question: Question) -> str:
    return "B" if question.type == "mcq" else question.spr_answers[0]


def wrong_answer(question: Question) -> str:
    return "C" if question.type == "mcq" else "0"
