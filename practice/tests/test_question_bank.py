"""Integrity of the starter bank (practice/data/question_bank.json), checked through the real importer."""

from collections import Counter

import pytest

from practice.formats.questions import read_rows
from practice.models import Difficulty, Domain, Question, Skill
from practice.seeding import BANK
from practice.services.questions import questions_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not BANK.exists(), reason="the starter bank is not on this branch yet"),
]


@pytest.fixture
def bank():
    report = questions_import(rows=read_rows(BANK))  # raises with row numbers on any invalid row
    assert report.created >= 200
    return Question.objects.select_related("skill__domain__section").prefetch_related("options")


def test_bank_has_200_published_questions_with_explanations(bank):
    assert bank.filter(status="published").count() >= 200
    assert not bank.filter(explanation="").exists()


def test_bank_covers_every_skill_five_times_and_every_difficulty_per_domain(bank):
    per_skill = Counter(q.skill_id for q in bank)
    thin = [s.name for s in Skill.objects.all() if per_skill[s.pk] < 5]
    assert thin == []
    for domain in Domain.objects.all():
        levels = {q.difficulty for q in bank if q.skill.domain_id == domain.pk}
        assert levels == set(Difficulty.values), domain.name


def test_bank_multiple_choice_has_one_correct_option_and_spr_answers_are_valid(bank):
    for question in bank:
        options = list(question.options.all())
        if question.type == "mcq":
            assert len(options) == 4 and sum(o.is_correct for o in options) == 1, question.external_id
        else:
            assert question.spr_answers and not options, (
                question.external_id
            )  # parsed by full_clean on import


def test_about_a_quarter_of_math_is_student_produced_response(bank):
    math = [q for q in bank if q.skill.domain.section.name == "Math"]
    share = sum(q.type == "spr" for q in math) / len(math)
    assert 0.2 <= share <= 0.35
