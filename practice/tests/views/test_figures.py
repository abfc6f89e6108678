"""Figures show wherever the stem does: the question page, the results page and the review page."""

import uuid

import pytest
from django.urls import reverse

from practice.models import ReviewItem, Skill
from practice.services.answers import answer_submit
from practice.services.sessions import practice_session_start

from ..factories import make_question, make_user, math
from ..figures.samples import GOOD

pytestmark = pytest.mark.django_db


def test_question_results_and_review_pages_show_the_figure_with_its_text_alternative(client):
    learner = make_user()
    client.force_login(learner)
    question = make_question(skill=Skill.objects.get(name="Circles"), figure=GOOD["circle"])
    session = practice_session_start(
        learner=learner, section=math(), mode="practice", question_ids=[question.pk]
    )
    page = client.get(reverse("practice:item-detail", args=[session.pk, 1])).content.decode()
    assert page.count('class="question-figure"') == 1 and 'role="img"' in page
    assert "<title id=" in page and "Circle with center O." in page
    assert page.index('class="question-figure"') < page.index('class="stem"')
    answer_submit(session=session, question=question, given="A", key=uuid.uuid4())  # wrong: B is correct
    session.refresh_from_db()
    results = client.get(session.get_absolute_url(), follow=True).content.decode()
    assert "Your results" in results and 'class="question-figure"' in results
    item = ReviewItem.objects.get(learner=learner, question=question)  # the miss is queued for review
    review = client.get(reverse("practice:review-item", args=[item.pk]))
    assert review.status_code == 200 and 'class="question-figure"' in review.content.decode()
