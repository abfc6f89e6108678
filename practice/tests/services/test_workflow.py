import importlib
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from practice.models import Answer, Question, QuestionEvent, QuestionOption, ReviewItem
from practice.services.answers import answer_submit
from practice.services.questions import question_save
from practice.services.sessions import practice_session_finish, practice_session_start
from practice.services.workflow import (
    question_publish,
    question_publish_many,
    question_retire,
    question_return_to_draft,
    question_submit_for_review,
)

from ..factories import make_question, make_session, make_user, math

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_user(is_staff=True)


@pytest.fixture
def reviewer():
    return make_user(is_staff=True)


def _draft(author, **overrides) -> Question:
    return make_question(status="draft", author=author, **overrides)


def _steps(question) -> list[tuple[str, str]]:
    return [
        (e.from_status, e.to_status) for e in QuestionEvent.objects.filter(question=question).order_by("pk")
    ]


def test_a_question_goes_draft_review_published_retired_and_every_step_is_logged(author, reviewer):
    question = _draft(author)
    question_submit_for_review(question=question, actor=author)
    question = question_publish(question=question, actor=reviewer, note="checked the arithmetic")
    assert (question.status, question.published_by, question.published_at is not None) == (
        "published",
        reviewer,
        True,
    )
    question = question_retire(question=question, actor=reviewer)
    assert question.status == "retired"
    assert _steps(question) == [
        ("", "draft"),
        ("draft", "in_review"),
        ("in_review", "published"),
        ("published", "retired"),
    ]
    published = QuestionEvent.objects.get(question=question, to_status="published")
    assert published.actor == reviewer and published.note == "checked the arithmetic"


def test_a_reviewer_can_return_an_item_to_its_author(author, reviewer):
    question = _draft(author)
    question_submit_for_review(question=question, actor=author)
    question = question_return_to_draft(question=question, actor=reviewer, note="option C is also right")
    assert question.status == "draft"
    assert QuestionEvent.objects.filter(question=question).last().note == "option C is also right"


@pytest.mark.parametrize(
    ("start", "step", "reason"),
    [
        ("draft", question_publish, "submit it for review first"),
        ("draft", question_return_to_draft, "cannot go from draft to draft"),
        ("in_review", question_submit_for_review, "cannot go from in review to in review"),
        ("published", question_submit_for_review, "edit it instead"),
        ("published", question_return_to_draft, "edit it instead"),
        ("retired", question_publish, "a retired question stays retired"),
        ("retired", question_retire, "cannot go from retired to retired"),
    ],
)
def test_a_move_from_the_wrong_state_is_refused_and_changes_nothing(author, reviewer, start, step, reason):
    question = make_question(status=start, author=author)
    events = QuestionEvent.objects.count()
    with pytest.raises(ValidationError, match=reason):
        step(question=question, actor=reviewer)
    question.refresh_from_db()
    assert question.status == start and QuestionEvent.objects.count() == events


def test_the_author_cannot_publish_their_own_item(author, reviewer):
    question = _draft(author)
    question_submit_for_review(question=question, actor=author)
    with pytest.raises(ValidationError, match="the reviewer who publishes must not be its author"):
        question_publish(question=question, actor=author)
    question.refresh_from_db()
    assert question.status == "in_review"
    published, refusals = question_publish_many(
        questions=Question.objects.filter(pk=question.pk), actor=author
    )
    assert published == 0 and "must not be its author" in refusals[0]


def test_the_database_refuses_a_publisher_who_is_the_author(author):
    question = make_question(author=author)
    with pytest.raises(IntegrityError, match="question_publisher_not_author"), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(published_by=author)


def test_publishing_checks_the_question_like_every_other_way_in(author, reviewer):
    question = _draft(author, explanation="")
    question_submit_for_review(question=question, actor=author)
    with pytest.raises(ValidationError, match="needs an explanation"):
        question_publish(question=question, actor=reviewer)


def test_status_changes_only_through_the_workflow(author):
    question = _draft(author)
    question.status = "published"
    with pytest.raises(ValidationError, match="only through the workflow"):
        question_save(question=question)


def _publish_edit(question, *, editor, reviewer, stem) -> Question:
    question.stem = stem
    version = question_save(question=question, actor=editor)
    question_submit_for_review(question=version, actor=editor)
    return question_publish(question=version, actor=reviewer)


def test_editing_a_published_question_makes_a_new_draft_version_with_its_options(author, reviewer):
    first = make_question(author=author)
    edited = Question.objects.get(pk=first.pk)
    edited.stem = "A clearer stem?"
    second = question_save(question=edited, actor=reviewer)
    assert second.pk != first.pk and (second.family_id, second.version) == (first.pk, 2)
    assert (second.status, second.author, second.external_id) == ("draft", reviewer, first.external_id)
    first.refresh_from_db()
    assert first.stem.startswith("Original test question") and first.status == "published"
    assert [(o.label, o.text, o.is_correct) for o in second.options.all()] == [
        (o.label, o.text, o.is_correct) for o in first.options.all()
    ]
    assert _steps(second) == [("", "draft")]


def test_saving_a_published_question_unchanged_makes_no_version(author):
    question = make_question(author=author)
    assert question_save(question=Question.objects.get(pk=question.pk), actor=author).pk == question.pk
    assert Question.objects.count() == 1


def test_publishing_a_new_version_retires_the_old_one_and_answers_keep_the_old(author, reviewer):
    learner = make_user()
    session = make_session(learner, count=5)
    old = session.items.get(position=1).question
    answer_submit(session=session, question=old, given="B", key=uuid.uuid4())
    new = _publish_edit(old, editor=author, reviewer=reviewer, stem="The stem of version two?")
    old.refresh_from_db()
    assert (old.status, new.status, new.version) == ("retired", "published", 2)
    assert Question.objects.published().filter(family_id=old.family_id).get() == new
    answer = Answer.objects.get(session=session)
    assert answer.question_id == old.pk and session.items.get(position=1).question_id == old.pk
    assert ("published", "retired") in _steps(old)
    practice_session_finish(session=session)


def test_the_results_page_shows_the_version_the_learner_answered(client, author, reviewer):
    learner = make_user()
    session = make_session(learner, count=5)
    old = session.items.get(position=1).question
    old_stem = old.stem
    answer_submit(session=session, question=old, given="A", key=uuid.uuid4())  # a miss: review item
    _publish_edit(
        Question.objects.get(pk=old.pk), editor=author, reviewer=reviewer, stem="Brand new wording?"
    )
    practice_session_finish(session=session)
    client.force_login(learner)
    html = client.get(reverse("practice:session-results", args=[session.pk])).content.decode()
    assert old_stem in html and "Brand new wording?" not in html
    assert ReviewItem.objects.get(learner=learner).question_id == old.pk


def test_new_sessions_serve_only_the_current_version(author, reviewer):
    question = make_question(author=author)
    new = _publish_edit(question, editor=author, reviewer=reviewer, stem="Only this one is served?")
    session = practice_session_start(learner=make_user(), section=math(), mode="practice", length=5)
    served = set(session.items.values_list("question_id", flat=True))
    assert new.pk in served and question.pk not in served


def test_a_new_version_of_an_item_the_learner_answered_is_not_served_as_unseen(author, reviewer):
    from practice.models import Skill

    # A skill with no item template, so no fresh variants join the session.
    skill = Skill.objects.get(name="Probability and conditional probability")
    old = make_question(author=author, skill=skill)
    others = [make_question(skill=skill) for _ in range(4)]
    learner = make_user()
    first = make_session(learner, question_ids=[old.pk])
    answer_submit(session=first, question=old, given="B", key=uuid.uuid4())
    practice_session_finish(session=first)
    new = _publish_edit(old, editor=author, reviewer=reviewer, stem="Reworded, but the same item?")
    session = practice_session_start(learner=learner, section=math(), skills=[skill], length=5)
    order = list(session.items.order_by("position").values_list("question_id", flat=True))
    assert set(order[:4]) == {q.pk for q in others} and order[4] == new.pk  # unseen ones first


def test_the_database_allows_one_published_version_per_family(author):
    question = make_question(author=author)
    draft = question_save(question=_edited(question), actor=author)
    with pytest.raises(IntegrityError, match="question_one_published_per_family"), transaction.atomic():
        Question.objects.filter(pk=draft.pk).update(status="published")
    with pytest.raises(IntegrityError, match="question_family_version_unique"), transaction.atomic():
        Question.objects.filter(pk=draft.pk).update(version=1, external_id="")


def _edited(question) -> Question:
    edited = Question.objects.get(pk=question.pk)
    edited.explanation += " (Reworded.)"
    return edited


def test_a_new_version_copies_every_concrete_field_but_its_bookkeeping(author, reviewer):
    question = make_question(author=author, passage="A passage.", irt_a=1.7, difficulty="hard")
    new = question_save(question=_edited(question), actor=reviewer)
    bookkeeping = {"id", "family", "version", "status", "author", "published_by", "published_at"}
    bookkeeping |= {"created_at", "updated_at", "explanation", "explanation_html"}
    for field in Question._meta.concrete_fields:
        if field.name not in bookkeeping:
            assert getattr(new, field.attname) == getattr(question, field.attname), field.name
    assert QuestionOption.objects.filter(question=new).count() == 4


def test_the_data_migration_makes_every_existing_row_the_first_version_of_its_own_family(author):
    migration = importlib.import_module("practice.migrations.0012_question_workflow_versions").Migration
    (data_step,) = [op for op in migration.operations if op.__class__.__name__ == "RunSQL"]
    question = make_question(author=author)
    Question.objects.filter(pk=question.pk).update(family=None)  # as rows stood before the migration
    with connection.cursor() as cursor:
        cursor.execute(data_step.sql)
    question.refresh_from_db()
    assert (question.family_id, question.version) == (question.pk, 1)
