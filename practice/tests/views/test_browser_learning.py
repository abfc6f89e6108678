"""The learner's dashboard, review queue and flashcards in a real browser, with screenshots."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practice.models import ReviewItem, Skill

from ..factories import PASSWORD, ensure_taxonomy, make_question, make_session, make_user, reading_writing
from ..learning_factories import answer_all, make_flashcard

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


@pytest.fixture
def csv_learner(transactional_db):
    learner = make_user(username="cards", email="cards@example.org")
    make_flashcard(learner, front="What is a *ratio*?", back="A comparison of two quantities.")
    return learner


def test_flashcard_csv_import_in_a_browser(csv_learner, app_server, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(app_server.base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill("cards")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(app_server.base_url + "/flashcards/")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", name="The CSV format")).to_be_visible()
    bad = "front,back,leitner_box\nWhat is a *ratio*?,A comparison of two quantities.,1\nSlope?,3,9\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "cards.csv", "mimeType": "text/csv", "buffer": bad.encode()}]
    )
    page.get_by_role("button", name="Import cards").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    row_error = page.get_by_text("Row 3: leitner_box must be a whole number from 1 to 5, not “9”.")
    expect(row_error).to_be_visible()
    page.screenshot(path=artifacts_dir / "learning-08-flashcard-import-errors.png", full_page=True)

    good = (
        "front,back,leitner_box,due\n"
        "What is a *ratio*?,A comparison of two quantities.,1,\n"
        '"Define **ubiquitous**","Found everywhere, e.g. *phones*.",2,2030-03-01\n'
        "Slope of y = 3x + 2?,3,,\n"
    )
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "cards.csv", "mimeType": "text/csv", "buffer": good.encode()}]
    )
    page.get_by_role("button", name="Import cards").click()
    expect(page.get_by_text("2 imported, 1 skipped as duplicates.")).to_be_visible()
    expect(page.locator(".flashcard")).to_have_count(3)
    expect(page.locator(".flashcard-front strong", has_text="ubiquitous")).to_be_visible()
    page.screenshot(path=artifacts_dir / "learning-09-flashcard-import-done.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    exported = info.value.path().read_text(encoding="utf-8")
    assert exported.startswith("front,back,scheduler,leitner_box,due") and "ubiquitous" in exported


@pytest.fixture
def imported_learner(transactional_db):
    """A learner brought over by a real satprep import, holding badges PrepNexus has no badge for."""
    from practice.legacy.importer import legacy_import
    from practice.models import LegacyBadge

    from ..legacy import samples as legacy_samples

    ensure_taxonomy()
    legacy_import(path=legacy_samples.sample("satprep"), kind="satprep")
    learner = LegacyBadge.objects.order_by("learner_id").first().learner
    learner.set_password(PASSWORD)
    learner.save(update_fields=["password"])
    return learner, list(learner.legacy_badges.values_list("name", flat=True))


def test_imported_legacy_badges_show_under_their_own_heading(
    imported_learner, app_server, browser, artifacts_dir
):
    learner, names = imported_learner
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(app_server.base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill(learner.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(app_server.base_url + "/badges/")
    heading = page.get_by_role("heading", name="From your earlier app")
    expect(heading).to_be_visible()
    section = page.locator("section[aria-labelledby=legacy-badges]")
    for name in names:
        expect(section.get_by_role("heading", name=name)).to_be_visible()
    expect(section).to_contain_text("SAT Prep Suite")
    section.scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "learning-10-legacy-badges.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts_dir / "learning-11-legacy-badges-mobile.png", full_page=True)
