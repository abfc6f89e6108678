"""The learner's dashboard, review queue and flashcards in a real browser, with screenshots."""

from datetime import timedelta

import pytest
from django.utils import timezone

from practice.models import ReviewItem, Skill

from .factories import PASSWORD, ensure_taxonomy, make_question, make_session, make_user, reading_writing
from .learning_factories import answer_all, make_flashcard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_with_history(transactional_db):
    """Built before the browser starts: Playwright's event loop makes later ORM calls async-unsafe."""
    ensure_taxonomy()
    learner = make_user(username="dash", email="dash@example.org")
    start = timezone.now() - timedelta(days=20)
    for day in range(0, 20, 2):
        session = make_session(learner, count=6)
        answer_all(
            session, correct=[True, True, False, True, day % 4 == 0, True], start=start + timedelta(days=day)
        )
    rw_skills = list(Skill.objects.filter(domain__section=reading_writing()))
    rw_questions = [make_question(skill=rw_skills[i % len(rw_skills)]).pk for i in range(12)]
    session = make_session(learner, section=reading_writing(), question_ids=rw_questions)
    answer_all(session, correct=[True, False, True, True, True, False, True, True, True, True, False, True])
    ReviewItem.objects.filter(learner=learner).update(due=timezone.now() - timedelta(minutes=5))
    for i in range(3):
        make_flashcard(learner, front=f"**Term {i}**: what does it mean?", back=f"Meaning number {i}.")
    return learner


def _log_in(page, base_url):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill("dash")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_dashboard_review_and_flashcards_in_a_browser(
    learner_with_history, app_server, browser, artifacts_dir
):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    _log_in(page, app_server.base_url)

    page.goto(app_server.base_url + "/dashboard/")
    assert page.get_by_role("heading", name="Predicted score").is_visible()
    assert page.get_by_role("img", name="Predicted scores with 90% bands").is_visible()
    assert page.get_by_role("img", name="Accuracy and time practised per week").is_visible()
    assert page.get_by_role("heading", name="Mastery by skill").is_visible()
    assert page.locator(".site-nav .badge-count").first.is_visible()
    page.screenshot(path=artifacts_dir / "learning-01-dashboard.png", full_page=True)

    page.get_by_role("link", name="Review").first.click()
    assert page.get_by_role("heading", name="Review your mistakes").is_visible()
    page.screenshot(path=artifacts_dir / "learning-02-review-queue.png", full_page=True)
    page.get_by_role("link", name="Start reviewing").click()
    page.locator("label.option").nth(1).click()
    page.screenshot(path=artifacts_dir / "learning-03-review-question.png", full_page=True)
    page.get_by_role("button", name="Check answer").click()
    assert page.get_by_role("status").get_by_text("Correct.").is_visible()
    page.screenshot(path=artifacts_dir / "learning-04-review-result.png", full_page=True)

    page.goto(app_server.base_url + "/flashcards/")
    page.get_by_role("link", name="New card").click()
    page.get_by_label("Front").fill("What is a *transition* word?")
    page.get_by_label("Back").fill("A word that links ideas, such as **however**.")
    page.get_by_role("button", name="Save card").click()
    assert page.get_by_text("Card added.").is_visible()
    page.get_by_label("Search your cards").fill("transition")
    page.get_by_role("button", name="Search").click()
    assert page.locator(".flashcard").count() == 1
    page.screenshot(path=artifacts_dir / "learning-05-flashcards.png", full_page=True)

    page.get_by_role("link", name="Review (4 due)").click()
    page.get_by_text("Show answer").click()
    page.screenshot(path=artifacts_dir / "learning-06-flashcard-review.png", full_page=True)
    page.get_by_role("button", name="Good").click()
    assert page.get_by_text("3 cards due.").is_visible()

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(app_server.base_url + "/dashboard/")
    page.screenshot(path=artifacts_dir / "learning-07-dashboard-mobile.png", full_page=True)
