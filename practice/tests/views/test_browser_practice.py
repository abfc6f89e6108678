import re

import pytest
from playwright.sync_api import expect

from ..factories import ensure_taxonomy, load_sample_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sample_bank(transactional_db):
    """Written before the browser starts (Playwright's loop makes the ORM refuse to run afterwards)."""
    ensure_taxonomy()
    load_sample_questions()


def test_learner_signs_up_practises_with_the_keyboard_and_reaches_results(
    sample_bank, app_server, browser, artifacts_dir
):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(app_server.base_url + "/accounts/signup/")
    page.get_by_label("Email").fill("keyboard.learner@example.org")
    page.get_by_label("Display name").fill("Keys")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-7")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase-7")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("link", name="Start practising").click()
    assert page.get_by_role("heading", name="Start a session").is_visible()

    page.get_by_label("Reading and Writing").check()
    page.get_by_label("Number of questions").fill("5")
    page.get_by_label("Practice (feedback after each question)").check()
    page.screenshot(path=artifacts_dir / "practice-01-start.png", full_page=True)
    page.get_by_role("button", name="Start practising").click()
    assert page.get_by_role("heading", name="Question 1 of 4").is_visible()  # only 4 RW questions exist
    page.screenshot(path=artifacts_dir / "practice-02-question.png", full_page=True)

    for number in range(1, 5):
        expect(page.get_by_role("heading", name=f"Question {number} of 4")).to_be_visible()
        if number == 1:
            # Strike one option through before answering.
            page.get_by_role("button", name="Eliminate option D").click()
            assert "is-eliminated" in page.locator('[data-option="D"]').get_attribute("class")
        page.locator("body").press("b")
        assert page.locator("#option-B").is_checked()
        page.keyboard.press("Enter")
        page.wait_for_selector(".feedback")
        assert page.get_by_role("heading", name="Explanation").is_visible()
        if number == 1:
            page.screenshot(path=artifacts_dir / "practice-03-feedback.png", full_page=True)
        page.keyboard.press("Enter")  # next question, or the results after the last

    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    assert page.get_by_text("Accuracy by domain and skill").is_visible()
    page.screenshot(path=artifacts_dir / "practice-04-results.png", full_page=True)


def test_timed_session_counts_down_hides_the_timer_and_moves_back_and_forth(
    sample_bank, app_server, browser, artifacts_dir
):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(app_server.base_url + "/accounts/signup/")
    page.get_by_label("Email").fill("timed.learner@example.org")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-7")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase-7")
    page.get_by_role("button", name="Sign up").click()
    page.goto(app_server.base_url + "/practice/")
    page.get_by_role("radio", name="Math").check()
    page.get_by_label("Number of questions").fill("5")
    page.get_by_label("Timed (SAT pacing, review at the end)").check()
    page.get_by_role("button", name="Start practising").click()

    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    timer = page.locator("[data-timer-display]")
    expect(timer).to_have_text(re.compile(r"^7:\d\d$"))  # 5 x 95 s = 7:55 and counting down
    page.screenshot(path=artifacts_dir / "practice-05-timed-question.png", full_page=True)
    page.get_by_role("button", name="Hide timer").click()
    expect(timer).to_be_hidden()
    page.get_by_role("button", name="Show timer").click()
    expect(timer).to_be_visible()

    if page.locator("#id_given").count():
        page.locator("#id_given").fill("3/4")
        page.locator("#id_given").press("Enter")
    else:
        page.locator("body").press("2")
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 2 of 5")).to_be_visible()
    page.get_by_role("button", name="Flag for review").click()
    expect(page.get_by_role("button", name="Flagged for review")).to_be_visible()
    page.locator(".item-nav-link.is-answered").first.click()
    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    expect(page.get_by_text("Your answer").first).to_be_visible()
    expect(page.locator(".feedback")).to_have_count(0)  # explanations come at the end
    page.screenshot(path=artifacts_dir / "practice-06-timed-back.png", full_page=True)

    page.get_by_role("button", name="Finish and see results").click()
    expect(page.get_by_role("heading", name="Your results")).to_be_visible()
    expect(page.get_by_text("1 answered · 4 omitted")).to_be_visible()
    page.screenshot(path=artifacts_dir / "practice-07-timed-results.png", full_page=True)
