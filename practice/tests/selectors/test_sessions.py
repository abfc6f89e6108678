import pytest
from django.db.models import OuterRef, Subquery
from django.http import Http404

from practice.models import Question, QuestionOption, SessionItem
from practice.selectors.sessions import session_item_for_answer

from ..factories import make_question, make_session, make_user

pytestmark = pytest.mark.django_db


def _orm_item(session, position):
    """What session_item_for_answer writes out by hand, as the ORM would run it."""
    correct = QuestionOption.objects.filter(question=OuterRef("question_id"), is_correct=True).values("label")
    return (
        SessionItem.objects.select_related("session__section", "question")
        .annotate(correct_label=Subquery(correct[:1]))
        .get(session=session, position=position)
    )


def _values(instance):
    loaded = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in loaded
    }


def test_item_for_answer_builds_the_same_instances_as_the_orm(django_assert_num_queries):
    learner = make_user()
    spr = make_question(type="spr", spr_answers=["3/4", ".75"])
    session = make_session(learner, count=3)
    session.items.filter(position=3).update(question=spr)  # an SPR question has no correct option
    for position in (1, 3):
        expected = _orm_item(session, position)
        with django_assert_num_queries(1):
            item = session_item_for_answer(learner=learner, session_pk=session.pk, position=position)
            assert _values(item) == _values(expected)
            assert _values(item.session) == _values(expected.session)
            assert _values(item.session.section) == _values(expected.session.section)
            assert _values(item.question) == {
                name: value
                for name, value in _values(expected.question).items()
                if name in _values(item.question)
            }
            assert item.correct_label == expected.correct_label
            assert item.question.get_deferred_fields() == {
                "passage",
                "passage_b",
                "stem",
                "explanation",
                "passage_html",
                "passage_b_html",
                "stem_html",
                "explanation_html",
                "figure",
                "figure_svg",
                "figure_alt",
            }
            assert item.session_id == item.session.pk and item.question_id == item.question.pk
        assert item.correct_label == ("B" if position == 1 else None)
        # Display text is still there on demand (one query each), as with defer().
        assert item.question.stem == Question.objects.get(pk=item.question_id).stem


def test_item_for_answer_is_404_for_another_learners_session_or_a_missing_position():
    learner, other = make_user(), make_user()
    session = make_session(learner, count=2)
    with pytest.raises(Http404):
        session_item_for_answer(learner=other, session_pk=session.pk, position=1)
    with pytest.raises(Http404):
        session_item_for_answer(learner=learner, session_pk=session.pk, position=3)
