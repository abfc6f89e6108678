import pytest
from django.core.exceptions import ValidationError

from practice.models import Question, Skill
from practice.services.workflow import question_publish_many

from ..factories import make_question

pytestmark = pytest.mark.django_db


def test_publish_refuses_question_without_explanation_or_proper_options():
    draft = make_question(status="in_review", explanation="")
    published, refusals = question_publish_many(questions=Question.objects.filter(pk=draft.pk))
    assert published == 0 and "explanation" in refusals[0]
    with pytest.raises(ValidationError, match="Exactly one option must be marked correct"):
        make_question(options=[("1", True), ("2", True), ("3", False), ("4", False)])


def test_save_refuses_repeated_options_and_a_second_passage_outside_cross_text():
    with pytest.raises(ValidationError, match="Options B and D are the same"):
        make_question(options=[("1", False), ("2", True), ("3", False), ("2", False)])
    with pytest.raises(ValidationError, match="Only a Cross-Text Connections question has a second"):
        make_question(passage="One text.", passage_b="Another text.")
    cross_text = Skill.objects.get(name="Cross-Text Connections")
    with pytest.raises(ValidationError, match="needs both passages"):
        make_question(skill=cross_text, passage="One text.", passage_b="")
    make_question(skill=cross_text, passage="One text.", passage_b="Another text.")
    assert Question.objects.count() == 1
