import pytest
from playwright.sync_api import expect

from .factories import ensure_taxonomy, load_sample_questions

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
