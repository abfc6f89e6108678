"""axe-core audits (WCAG 2.1 A and AA) of the learner's pages in a real browser."""

import pytest

from practice.models import BadgeAward
from tests.harness.axe import axe_violations, format_violations

from ..factories import PASSWORD, ensure_taxonomy, make_session, make_user
from ..learning_factories import answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_pages(transactional_db):
    """Built before the browser starts: Playwright's event loop makes later ORM calls async-unsafe."""
    ensure_taxonomy()
    learner = make_user(username="audit", email="audit@example.org")
    answer_all(make_session(learner, count=5), correct=[True, False, True, True, False])
    for code in ("first-answer", "first-session", "streak-7"):
        BadgeAward.objects.get_or_create(learner=learner, code=code)
    fresh = make_session(learner, count=3)
    return {"session": fresh.pk}


def _log_in(page, base_url):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill("audit")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_learner_pages_have_no_axe_violations(learner_pages, app_server, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    base = app_server.base_url
    _log_in(page, base)
    failures = []

    def audit(name):
        violations = axe_violations(page)
        if violations:
            failures.append(format_violations(violations, where=f"{name} ({page.url})"))

    pages = {
        "badges": "/badges/",
        "dashboard": "/dashboard/",
        "practice start": "/practice/",
        "question": f"/practice/sessions/{learner_pages['session']}/q/1/",
        "class join": "/classes/join/",
    }
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response.ok, f"{name}: {path} answered {response.status}"
        audit(name)

    page.goto(base + "/badges/")
    assert page.locator(".badge-earned").count() == 3
    assert page.locator(".badge-locked").count() > 0
    page.screenshot(path=artifacts_dir / "accessibility-01-badges.png", full_page=True)

    # The states a learner reaches on the same pages: feedback after an answer, a form with errors.
    page.goto(base + pages["question"])
    page.locator(".option label").first.click()
    page.get_by_role("button", name="Submit answer").click()
    page.wait_for_selector(".feedback")
    audit("question feedback")
    page.goto(base + pages["class join"])
    page.get_by_label("Class code").fill("NOPE-0000")
    page.get_by_role("button", name="Join").click()
    audit("class join with an error")

    assert not failures, "\n\n".join(failures)
