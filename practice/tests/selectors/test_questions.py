""" "Matched to me": question selection from the learner's skill estimates."""

import pytest

from practice.engine.irt import ItemParams, information
from practice.models import (
    Skill,
    SkillProficiency,
)
from practice.selectors.progress import section_progress, skill_rows
from practice.services.sessions import (
    practice_session_start,
)

from ..factories import (
    make_question,
    make_questions,
    make_session,
    make_user,
    math,
)
from ..learning_factories import answer_all

pytestmark = pytest.mark.django_db


def test_matched_to_me_picks_informative_unseen_questions_from_weak_skills():
    learner = make_user()
    skills = list(Skill.objects.filter(domain__section=math()).order_by("pk")[:2])
    strong, weak = skills
    # The learner is strong on one skill and weak on the other.
    SkillProficiency.objects.create(learner=learner, skill=strong, mean=1.8, var=0.1, answers=20, correct=19)
    SkillProficiency.objects.create(learner=learner, skill=weak, mean=-1.5, var=0.1, answers=20, correct=4)
    for skill in skills:
        for b in (-2.0, -1.5, 0.0, 1.0, 2.0):
            make_question(skill=skill, irt_b=b, irt_c=0.0, irt_a=1.5)
    seen = make_question(skill=weak, irt_b=-1.5, irt_c=0.0, irt_a=1.5)
    old = make_session(learner, question_ids=[seen.pk])
    answer_all(old)
    session = practice_session_start(
        learner=learner, section=math(), difficulty="matched", length=5, skills=skills
    )
    questions = [i.question for i in session.items.select_related("question").order_by("position")]
    assert seen.pk not in {q.pk for q in questions}
    assert questions[0].skill_id == weak.pk
    # The first is the most informative unseen item at the weak skill's current estimate.
    theta = section_progress(skill_rows(learner=learner))["math"].estimate.skills[weak.pk][0]
    best = max((-2.0, -1.5, 0.0, 1.0, 2.0), key=lambda b: information(theta, ItemParams(1.5, b, 0.0)))
    assert questions[0].irt_b == best


def test_matched_sessions_use_every_skill_of_the_section_in_proportion():
    learner = make_user()
    skills = list(Skill.objects.filter(domain__section=math()))
    for skill in skills:
        make_questions(2, skill=skill)
    session = practice_session_start(learner=learner, section=math(), difficulty="matched", length=19)
    used = {item.question.skill_id for item in session.items.select_related("question")}
    assert len(used) >= 15
