import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_logout_and_login_in_a_real_browser(app_server, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(app_server.base_url + "/")
    page.screenshot(path=artifacts_dir / "accounts-01-home-visitor.png", full_page=True)
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Email").fill("browser.learner@example.org")
    page.get_by_label("Display name").fill("Browser Learner")
    page.locator("#id_password1").fill("a-long-unusual-passphrase-7")
    page.get_by_label("Confirm password").fill("a-long-unusual-passphrase-7")
    page.screenshot(path=artifacts_dir / "accounts-02-signup.png", full_page=True)
    page.get_by_role("button", name="Sign up").click()
    assert page.get_by_role("heading", name="Welcome back, Browser Learner").is_visible()
    assert page.get_by_text("Your account is ready").is_visible()
    page.screenshot(path=artifacts_dir / "accounts-03-learner-home.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email or username").fill("BROWSER.LEARNER@example.org")
    page.locator("#id_password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Please enter a correct").is_visible()
    page.screenshot(path=artifacts_dir / "accounts-04-login-error.png", full_page=True)
    page.locator("#id_password").fill("a-long-unusual-passphrase-7")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", name="Welcome back, Browser Learner").is_visible()

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(app_server.base_url + "/accounts/profile/")
    page.screenshot(path=artifacts_dir / "accounts-05-profile-mobile.png", full_page=True)
    assert page.get_by_role("heading", name="Your profile").is_visible()
