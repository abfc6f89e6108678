import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import Answer, PracticeSession
from practice.services.answers import answer_submit
from practice.services.sessions import practice_session_finish

from ..factories import load_sample_questions, make_question, make_session, make_user, math

pytestmark = pytest.mark.django_db


def _key(response) -> str:
    return re.search(rb'name="key" value="([0-9a-f-]+)"', response.content).group(1).decode()


def test_practice_pages_need_login(client):
    response = client.get(reverse("practice:session-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_learner_starts_a_practice_session_answers_and_sees_feedback(client):
    load_sample_questions()
    learner = make_user()
    client.force_login(learner)
    page = client.get(reverse("practice:session-list"))
    assert page.status_code == 200 and b"Start a session" in page.content
    response = client.post(
        reverse("practice:session-create"),
        {"section": math().pk, "difficulty": "mixed", "length": 5, "mode": "practice"},
    )
    session = PracticeSession.objects.get(learner=learner)
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    question_page = client.get(session.get_absolute_url(), follow=True)
    assert b"Question 1 of 5" in question_page.content
    item = session.items.get(position=1)
    given = "B" if item.question.type == "mcq" else "0.75"
    url = reverse("practice:answer-create", args=[session.pk, 1])
    response = client.post(url, {"given": given, "key": _key(question_page)})
    assert response.status_code == 302  # Post/Redirect/Get
    feedback = client.get(response["Location"])
    assert b"Explanation" in feedback.content
    assert b"Correct!" in feedback.content or b"Not quite." in feedback.content


def test_double_submitted_form_records_one_answer_and_shows_the_same_result(client):
    learner = make_user()
    session = make_session(learner)
    client.force_login(learner)
    page = client.get(reverse("practice:item-detail", args=[session.pk, 1]))
    key = _key(page)
    url = reverse("practice:answer-create", args=[session.pk, 1])
    first = client.post(url, {"given": "B", "key": key})
    second = client.post(url, {"given": "C", "key": key})
    assert first["Location"] == second["Location"]
    assert Answer.objects.filter(session=session).count() == 1
    result = client.get(first["Location"])
    assert b"Correct!" in result.content


def test_spr_refusal_is_shown_next_to_the_field_with_422(client):
    learner = make_user()
    question = make_question(type="spr", spr_answers=["7/2"])
    session = make_session(learner, question_ids=[question.pk])
    client.force_login(learner)
    url = reverse("practice:answer-create", args=[session.pk, 1])
    response = client.post(url, {"given": "$3.5", "key": str(uuid.uuid4())})
    assert response.status_code == 422
    assert b"Symbols such as $ are not accepted" in response.content
    assert not Answer.objects.exists()


def test_answer_without_key_is_a_400(client):
    learner = make_user()
    session = make_session(learner)
    client.force_login(learner)
    response = client.post(reverse("practice:answer-create", args=[session.pk, 1]), {"given": "B"})
    assert response.status_code == 400


def test_start_form_errors_are_422_with_messages(client):
    client.force_login(make_user())
    response = client.post(
        reverse("practice:session-create"), {"section": math().pk, "difficulty": "mixed", "length": 70}
    )
    assert response.status_code == 422
    assert b"less than or equal to 50" in response.content


def test_timed_session_navigates_back_and_forth_and_finishes_with_omitted(client):
    learner = make_user()
    session = make_session(learner, count=5, mode="timed")
    client.force_login(learner)
    page = client.get(reverse("practice:item-detail", args=[session.pk, 1]))
    assert b"data-timer" in page.content
    response = client.post(
        reverse("practice:answer-create", args=[session.pk, 1]), {"given": "B", "key": _key(page)}
    )
    assert response["Location"] == reverse("practice:item-detail", args=[session.pk, 2])
    back = client.get(reverse("practice:item-detail", args=[session.pk, 1]))
    assert b"Your answer" in back.content and b"Correct!" not in back.content  # explanations come at the end
    client.post(reverse("practice:item-flag", args=[session.pk, 3]), {"flagged": "1"})
    client.post(reverse("practice:session-finish", args=[session.pk]))
    results = client.get(reverse("practice:session-results", args=[session.pk]))
    html = results.content.decode()
    assert "1 / 5" in html and "4 omitted" in html
    assert html.index("Question 3") < html.index("Question 1")  # flagged first
    assert "Practise these mistakes" in html


def test_resume_goes_to_the_first_unanswered_question(client):
    learner = make_user()
    session = make_session(learner)
    answer_submit(
        session=session, question=session.items.get(position=1).question, given="B", key=uuid.uuid4()
    )
    client.force_login(learner)
    response = client.get(session.get_absolute_url())
    assert response["Location"] == reverse("practice:item-detail", args=[session.pk, 2])
    listing = client.get(reverse("practice:session-list"))
    assert b"Pick up where you left off" in listing.content


def _learner_urls(session) -> list[tuple[str, str]]:
    pk = session.pk
    return [
        ("get", reverse("practice:session-detail", args=[pk])),
        ("get", reverse("practice:item-detail", args=[pk, 1])),
        ("post", reverse("practice:answer-create", args=[pk, 1])),
        ("post", reverse("practice:item-flag", args=[pk, 1])),
        ("post", reverse("practice:session-finish", args=[pk])),
        ("get", reverse("practice:session-results", args=[pk])),
        ("post", reverse("practice:session-mistakes", args=[pk])),
    ]


def test_another_learners_session_urls_all_give_404(client):
    owner, intruder = make_user(), make_user()
    session = make_session(owner)
    client.force_login(intruder)
    for method, url in _learner_urls(session):
        data = {"given": "B", "key": str(uuid.uuid4()), "flagged": "1"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
    session.refresh_from_db()
    assert session.is_open and not Answer.objects.exists() and not session.items.filter(flagged=True).exists()
    # The owner can use every one of them.
    client.force_login(owner)
    for method, url in _learner_urls(session):
        data = {"given": "B", "key": str(uuid.uuid4()), "flagged": "1"} if method == "post" else None
        assert getattr(client, method)(url, data).status_code in (200, 302), url
    # And the intruder's own history does not list it.
    client.force_login(intruder)
    assert (
        f"/practice/sessions/{session.pk}/".encode()
        not in client.get(reverse("practice:session-list")).content
    )


def _finished_sessions(learner, count):
    question_ids = [q.pk for q in [make_question() for _ in range(5)]]
    sessions = []
    for _ in range(count):
        session = make_session(learner, question_ids=question_ids)
        sessions.append(session)
    PracticeSession.objects.filter(pk__in=[s.pk for s in sessions[1:]]).update(
        status="completed", completed_at=sessions[0].started_at
    )
    return sessions


@pytest.mark.parametrize("count", [1, 500])
def test_every_learner_page_stays_within_ten_queries(client, django_assert_max_num_queries, count):
    learner = make_user()
    sessions = _finished_sessions(learner, count)
    timed = make_session(learner, mode="timed")
    session = sessions[0]
    client.force_login(learner)
    pages = [
        reverse("home"),
        reverse("practice:session-list"),
        reverse("practice:session-list") + "?page=2",
        reverse("practice:session-detail", args=[session.pk]),
        reverse("practice:item-detail", args=[session.pk, 1]),
        reverse("practice:item-detail", args=[timed.pk, 3]),
    ]
    for url in pages:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code in (200, 302)
    with django_assert_max_num_queries(10):
        client.post(
            reverse("practice:answer-create", args=[session.pk, 1]), {"given": "B", "key": str(uuid.uuid4())}
        )
    with django_assert_max_num_queries(10):
        client.post(reverse("practice:item-flag", args=[timed.pk, 2]), {"flagged": "1"})
    with django_assert_max_num_queries(10):
        client.get(reverse("practice:item-detail", args=[session.pk, 1]))
    practice_session_finish(session=timed)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("practice:session-results", args=[timed.pk])).status_code == 200


def _expire(session):
    past = timezone.now() - timedelta(hours=1)
    PracticeSession.objects.filter(pk=session.pk).update(
        started_at=past - timedelta(minutes=10), deadline=past
    )


def test_timed_session_past_its_deadline_ends_with_everything_unanswered_omitted(client):
    learner = make_user()
    session = make_session(learner, count=5, mode="timed")
    answer_submit(
        session=session, question=session.items.get(position=1).question, given="B", key=uuid.uuid4()
    )
    _expire(session)
    client.force_login(learner)
    response = client.get(reverse("practice:item-detail", args=[session.pk, 2]))
    assert response["Location"] == reverse("practice:session-results", args=[session.pk])
    session.refresh_from_db()
    assert session.status == "timed_out" and session.omitted_count == 4
    results = client.get(response["Location"]).content.decode()
    assert "Time ran out" in results and "1 answered · 4 omitted" in results


def test_an_answer_posted_after_time_out_is_refused_and_not_recorded(client):
    learner = make_user()
    session = make_session(learner, count=5, mode="timed")
    _expire(session)
    client.force_login(learner)
    response = client.post(
        reverse("practice:answer-create", args=[session.pk, 1]), {"given": "B", "key": str(uuid.uuid4())}
    )
    assert response["Location"] == reverse("practice:session-results", args=[session.pk])
    assert not Answer.objects.exists()


def test_matched_difficulty_prefers_levels_that_suit_the_learner(client):
    learner = make_user()
    easy = make_question(difficulty="easy")
    hard = [make_question(difficulty="hard") for _ in range(5)]
    client.force_login(learner)
    client.post(
        reverse("practice:session-create"),
        {"section": math().pk, "difficulty": "matched", "length": 5, "mode": "practice"},
    )
    session = PracticeSession.objects.get(learner=learner)
    first = session.items.get(position=1).question_id
    # A new learner is matched to easy and medium first; hard questions only fill the rest.
    assert first == easy.pk
    assert set(session.items.values_list("question_id", flat=True)) <= {easy.pk, *(q.pk for q in hard)}


def test_option_text_is_sanitised_on_the_page(client):
    learner = make_user()
    question = make_question(
        options=[("<script>alert(1)</script>", False), ("fine", True), ("**bold**", False), ("x", False)]
    )
    session = make_session(learner, question_ids=[question.pk])
    client.force_login(learner)
    html = client.get(reverse("practice:item-detail", args=[session.pk, 1])).content.decode()
    assert "<script>alert(1)</script>" not in html and "<strong>bold</strong>" in html


def test_start_form_refuses_skills_from_the_other_section(client):
    from practice.models import Skill

    client.force_login(make_user())
    wrong = Skill.objects.get(name="Transitions")  # a Reading and Writing skill
    response = client.post(
        reverse("practice:session-create"),
        {"section": math().pk, "skills": [wrong.pk], "difficulty": "mixed", "length": 5, "mode": "practice"},
    )
    assert response.status_code == 422
    assert b"Pick domains and skills from Math only" in response.content
    assert not PracticeSession.objects.exists()


def test_history_is_paginated_newest_first_and_the_home_page_links_to_practice(client):
    learner = make_user()
    sessions = _finished_sessions(learner, 12)
    client.force_login(learner)
    assert reverse("practice:session-list").encode() in client.get(reverse("home")).content
    first = client.get(reverse("practice:session-list")).content.decode()
    second = client.get(reverse("practice:session-list") + "?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count("/results/") + second.count("/results/") == 11  # the open one says Resume
    assert reverse("practice:session-detail", args=[sessions[0].pk]) in first + second


def test_answer_posts_past_the_learners_rate_limit_get_429_and_record_nothing(client, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "answer": (3, 60)}
    learner = make_user()
    session = make_session(learner, count=5)
    client.force_login(learner)
    for position in (1, 2, 3):
        url = reverse("practice:answer-create", args=[session.pk, position])
        assert client.post(url, {"given": "B", "key": str(uuid.uuid4())}).status_code == 302
    url = reverse("practice:answer-create", args=[session.pk, 4])
    response = client.post(url, {"given": "B", "key": str(uuid.uuid4())})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert session.answers.count() == 3


def test_serving_a_question_with_math_and_a_figure_renders_nothing(
    client, monkeypatch, django_assert_max_num_queries
):
    """Math, Markdown and figures are rendered when the question is saved; the page only reads the HTML."""
    import latex2mathml.converter
    import markdown

    import practice.figures
    import practice.models.bank

    question = make_question(
        stem="If \\(\\frac{2}{3}x - 4 = 10\\), what is **x**?",
        figure={"kind": "coordinate_plane", "x_axis": {"min": -5, "max": 5}, "y_axis": {"min": -5, "max": 5},
                "points": [{"x": 1, "y": 2, "label": "P"}]},
    )  # fmt: skip
    learner = make_user()
    session = make_session(learner, question_ids=[question.pk])
    client.force_login(learner)

    def refuse(*args, **kwargs):
        raise AssertionError("rendered while serving a page")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)
    monkeypatch.setattr(latex2mathml.converter, "convert_to_element", refuse)
    monkeypatch.setattr(practice.figures, "render_figure", refuse)
    monkeypatch.setattr(practice.models.bank, "render_figure", refuse)
    with django_assert_max_num_queries(10):
        html = client.get(reverse("practice:item-detail", args=[session.pk, 1])).content.decode()
    assert "<mfrac>" in html and "<strong>x</strong>" in html and "<svg" in html
