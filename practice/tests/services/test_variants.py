"""Frozen template variants: one published Question per (template, seed), and sessions that never run dry."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from practice.engine.templates import REGISTRY, variant_build
from practice.models import Question, Skill
from practice.services.answers import answer_submit
from practice.services.sessions import practice_session_start
from practice.services.variants import variant_create, variants_mint

from ..factories import make_questions, make_user, math

pytestmark = pytest.mark.django_db

SKILL = "Circles"  # one template, circles-1 (SPR)


def test_variant_stored_twice_is_one_row():
    first = variant_create(template_code="linear-one-var-1", seed=7)
    again = variant_create(template_code="linear-one-var-1", seed=7)
    assert first.pk == again.pk
    assert Question.objects.filter(template_code="linear-one-var-1", template_seed=7).count() == 1
    assert first.external_id == "tpl:linear-one-var-1:7" and first.status == Question.Status.PUBLISHED


def test_database_refuses_a_second_row_for_the_same_variant():
    question = variant_create(template_code="circles-1", seed=3)
    copy = Question(
        skill=question.skill,
        type="spr",
        stem=question.stem,
        explanation=question.explanation,
        spr_answers=question.spr_answers,
        template_code="circles-1",
        template_seed=3,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_template_freezes_to_a_valid_rendered_question(code):
    variant = variant_build(code, 11)
    question = variant_create(template_code=code, seed=11)
    assert question.skill.name == variant.skill and question.difficulty == variant.difficulty
    assert question.stem == variant.stem and question.stem_html and question.explanation_html
    options = list(question.options.order_by("label").values_list("text", "is_correct"))
    assert options == variant.options
    assert question.spr_answers == variant.spr_answers


def test_unknown_template_or_bad_seed_is_a_clear_error():
    with pytest.raises(ValidationError, match="no item template"):
        variant_create(template_code="no-such-template", seed=1)
    with pytest.raises(ValidationError, match="seed"):
        variant_create(template_code="circles-1", seed=-1)


def test_minted_variants_match_what_the_question_service_saves():
    [minted] = variants_mint(templates=[REGISTRY["systems-linear-1"]], count=1)
    minted.refresh_from_db()
    fields = ("stem_html", "explanation_html", "irt_a", "irt_b", "irt_c", "status", "external_id")
    saved_values = {name: getattr(minted, name) for name in fields}
    options = list(minted.options.values_list("label", "text_html", "is_correct"))
    seed = minted.template_seed
    minted.delete()
    saved = variant_create(template_code="systems-linear-1", seed=seed)
    assert {name: getattr(saved, name) for name in fields} == saved_values
    assert list(saved.options.values_list("label", "text_html", "is_correct")) == options
    assert saved.published_at is not None


def _answer_all(learner, session):
    for item in session.items.select_related("question"):
        given = item.question.spr_answers[0] if item.question.type == "spr" else "A"
        answer_submit(session=session, question=item.question, given=given, key=uuid.uuid4())


def test_learner_who_has_seen_every_stored_question_still_gets_a_full_unseen_session():
    skill = Skill.objects.get(name=SKILL)
    learner = make_user()
    make_questions(3, skill=skill)
    for seed in range(1, 5):
        variant_create(template_code="circles-1", seed=seed)
    first = practice_session_start(learner=learner, section=math(), skills=[skill], length=10)
    _answer_all(learner, first)
    stored = set(Question.objects.published().filter(skill=skill).values_list("pk", flat=True))
    assert set(first.items.values_list("question_id", flat=True)) <= stored and len(stored) == 10

    second = practice_session_start(learner=learner, section=math(), skills=[skill], length=10)
    picked = list(second.items.values_list("question_id", flat=True))
    assert len(picked) == 10 and len(set(picked)) == 10
    assert not set(picked) & set(first.items.values_list("question_id", flat=True))
    fresh = Question.objects.filter(pk__in=picked)
    assert all(q.template_code == "circles-1" and q.status == "published" for q in fresh)


def test_unseen_stored_questions_come_before_fresh_variants():
    skill = Skill.objects.get(name=SKILL)
    own = make_questions(3, skill=skill)
    session = practice_session_start(learner=make_user(), section=math(), skills=[skill], length=5)
    picked = list(session.items.order_by("position").values_list("question_id", flat=True))
    assert set(picked[:3]) == {q.pk for q in own}
    assert Question.objects.filter(pk__in=picked[3:], template_code="circles-1").count() == 2


def test_top_up_keeps_to_the_chosen_difficulty():
    skill = Skill.objects.get(name="Percentages")  # percentages-1 is medium, percentages-2 easy
    session = practice_session_start(
        learner=make_user(), section=math(), skills=[skill], difficulty="easy", length=6
    )
    codes = set(session.items.values_list("question__template_code", flat=True))
    assert codes == {"percentages-2"}


def test_session_builder_queries_are_fixed_whether_or_not_it_freezes_new_variants(
    django_assert_max_num_queries,
):
    skill = Skill.objects.get(name=SKILL)
    learner = make_user()
    first = practice_session_start(learner=learner, section=math(), skills=[skill], length=50)
    # 50 variants are stored now: another learner's session freezes nothing and costs a fixed count.
    other = make_user()
    with django_assert_max_num_queries(30):
        served = practice_session_start(learner=other, section=math(), skills=[skill], length=50)
    assert served.length == 50
    _answer_all(learner, first)
    # Freezing 50 new ones: the checks run on skills read once, and the inserts are bulk.
    with django_assert_max_num_queries(35):
        again = practice_session_start(learner=learner, section=math(), skills=[skill], length=50)
    assert again.length == 50 and Question.objects.filter(template_code="circles-1").count() == 100


def test_matched_sessions_are_topped_up_too():
    skill = Skill.objects.get(name="Area and volume")
    make_questions(2, skill=skill)
    session = practice_session_start(
        learner=make_user(), section=math(), skills=[skill], difficulty="matched", length=6
    )
    picked = list(session.items.values_list("question_id", flat=True))
    assert len(set(picked)) == 6
    assert Question.objects.filter(pk__in=picked, template_code="area-volume-1").count() == 4
