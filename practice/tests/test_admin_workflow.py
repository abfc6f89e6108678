import pytest
from django.urls import reverse

from practice.models import Question, QuestionEvent
from practice.services.workflow import question_submit_for_review

from .factories import make_question, make_user

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:practice_question_changelist"


@pytest.fixture
def staff(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _act(client, action, *questions):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [q.pk for q in questions]}, follow=True
    )


def test_admin_actions_move_questions_through_the_workflow(client, staff):
    other = make_user(is_staff=True)
    question = make_question(status="draft", author=other)
    response = _act(client, "submit_selected", question)
    assert response.status_code == 200 and b"Submitted 1 question(s)." in response.content
    response = _act(client, "return_selected", question)
    assert b"Returned 1 question(s)." in response.content
    _act(client, "submit_selected", question)
    response = _act(client, "publish_selected", question)
    assert b"Published 1 question(s)." in response.content
    question.refresh_from_db()
    assert (question.status, question.published_by) == ("published", staff)
    _act(client, "retire_selected", question)
    question.refresh_from_db()
    assert question.status == "retired"
    assert QuestionEvent.objects.filter(question=question, actor=staff).count() == 5


def test_admin_refusals_are_messages_not_errors(client, staff):
    own = make_question(status="draft", author=staff)
    question_submit_for_review(question=own, actor=staff)
    draft = make_question(status="draft")
    response = _act(client, "publish_selected", own, draft)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published 0 question(s)." in html
    assert "must not be its author" in html and "submit it for review first" in html
    response = _act(client, "submit_selected", make_question())  # published: edit it instead
    assert response.status_code == 200 and "edit it instead" in response.content.decode()


def _change_form(question, **overrides):
    options = list(question.options.order_by("label"))
    data = {
        "external_id": question.external_id,
        "skill": question.skill_id,
        "difficulty": question.difficulty,
        "type": question.type,
        "passage": question.passage,
        "passage_b": question.passage_b,
        "stem": question.stem,
        "explanation": question.explanation,
        "spr_answers": "",
        "irt_a": question.irt_a,
        "irt_b": question.irt_b,
        "irt_c": question.irt_c,
        "options-TOTAL_FORMS": "4",
        "options-INITIAL_FORMS": "4",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "4",
    }
    for index, option in enumerate(options):
        data |= {
            f"options-{index}-id": option.pk,
            f"options-{index}-question": question.pk,
            f"options-{index}-label": option.label,
            f"options-{index}-text": option.text,
        }
        if option.is_correct:
            data[f"options-{index}-is_correct"] = "on"
    return data | overrides


def test_editing_a_published_question_in_the_admin_saves_a_new_draft_version(client, staff):
    question = make_question()
    url = reverse("admin:practice_question_change", args=[question.pk])
    data = _change_form(question, stem="Reworded in the admin?", **{"options-3-text": "A new option D"})
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert b"Saved as version 2, a draft" in response.content
    new = Question.objects.get(family_id=question.pk, version=2)
    assert (new.stem, new.status, new.author) == ("Reworded in the admin?", "draft", staff)
    assert (
        new.options.get(label="D").text == "A new option D" and new.options.get(is_correct=True).label == "B"
    )
    question.refresh_from_db()
    assert question.stem.startswith("Original") and question.status == "published"
    assert question.options.get(label="D").text != "A new option D"
    page = client.get(reverse("admin:practice_question_change", args=[new.pk])).content.decode()
    assert "version 1" in page and "version 2" in page and "new → Draft" in page


def test_saving_a_published_question_unchanged_in_the_admin_makes_no_version(client, staff):
    question = make_question()
    url = reverse("admin:practice_question_change", args=[question.pk])
    assert client.post(url, _change_form(question)).status_code == 302
    assert Question.objects.count() == 1


def test_the_admin_refuses_an_external_id_of_another_family_with_a_message(client, staff):
    taken = make_question()
    question = make_question(status="draft")
    url = reverse("admin:practice_question_change", args=[question.pk])
    response = client.post(url, _change_form(question, external_id=taken.external_id))
    assert response.status_code == 200
    assert b"Another question already has the external id" in response.content
