"""A real browser enforces the policy: no CSP violation on learner pages or the admin, and the
lockout page a person sees after too many wrong passwords."""

import pytest

from practice.tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_user_outside_the_event_loop(**fields):
    """Playwright's sync API runs an event loop in this thread, where Django refuses ORM calls."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def work():
        try:
            return make_user(**fields)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def collect_violations(page) -> list[str]:
    found = []
    page.on(
        "console",
        lambda msg: (
            found.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: found.append(f"page error: {exc}"))
    return found


def log_in(page, base_url, username, password=PASSWORD):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_admin_and_learner_pages_run_without_csp_violations(app_server, browser, artifacts_dir):
    staff = make_user_outside_the_event_loop(is_staff=True, is_superuser=True)
    learner = make_user_outside_the_event_loop()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    violations = collect_violations(page)
    log_in(page, app_server.base_url, staff.username)
    paths = [
        "/",
        "/accounts/profile/",
        "/admin/",
        "/admin/practice/user/",
        f"/admin/practice/user/{learner.pk}/change/",
        "/admin/practice/user/add/",
        f"/admin/practice/user/{learner.pk}/password/",
        "/admin/axes/accessattempt/",
        "/admin/admin/logentry/",
    ]
    for n, path in enumerate(paths):
        response = page.goto(app_server.base_url + path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        page.screenshot(path=artifacts_dir / f"security-{n:02d}{path.replace('/', '-')}.png", full_page=True)
    # The admin's scripts work under the policy: the user change form's inline profile and the
    # changelist's select-all checkbox are driven by admin JS files.
    page.goto(app_server.base_url + "/admin/practice/user/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()
    assert violations == []


def test_a_locked_out_person_sees_when_to_try_again(app_server, browser, artifacts_dir):
    learner = make_user_outside_the_event_loop()
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    for _ in range(5):
        log_in(page, app_server.base_url, learner.username, "wrong-password-1")
    log_in(page, app_server.base_url, learner.username)
    assert page.get_by_role("heading", name="Too many failed logins").is_visible()
    assert page.get_by_text("try again in 15 minutes").is_visible()
    page.screenshot(path=artifacts_dir / "security-lockout.png", full_page=True)
