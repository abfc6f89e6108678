import io

import pytest
from django.core.management.color import no_style
from playwright.sync_api import expect

from blog.seeding import seed_demo_content as blog_seed_demo_content
from practice.tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_blog(transactional_db):
    """Seeded before the browser starts: Playwright's event loop forbids database calls afterwards."""
    # The blog's own demo content only: transactional tests flush the practice taxonomy, which the
    # question bank in the full seed_demo needs.
    blog_seed_demo_content(io.StringIO(), no_style())
    make_user(username="editor", is_staff=True, is_superuser=True)


def test_a_visitor_goes_from_the_index_to_a_post_to_a_tag_page(app_server, demo_blog, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(app_server.base_url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Blog").click()
    expect(page.get_by_role("heading", name="The PrepNexus blog")).to_be_visible()
    assert page.get_by_role("link", name="Calculator strategy").count() == 0  # scheduled
    assert page.get_by_role("link", name="Your test-day checklist").count() == 0  # draft
    page.screenshot(path=artifacts_dir / "blog-01-index.png", full_page=True)

    page.get_by_role("link", name="Student-produced responses: entering answers the test will accept").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Student-produced responses")
    expect(page.locator(".prose pre code")).to_be_visible()
    assert (
        page.locator('link[rel="canonical"]')
        .get_attribute("href")
        .endswith("/blog/student-produced-responses/")
    )
    page.screenshot(path=artifacts_dir / "blog-02-post.png", full_page=True)

    page.locator(".article-header").get_by_role("link", name="Math").click()
    expect(page.get_by_role("heading", name="Posts tagged Math")).to_be_visible()
    page.screenshot(path=artifacts_dir / "blog-03-tag.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(app_server.base_url + "/blog/pacing-the-digital-sat/")
    page.screenshot(path=artifacts_dir / "blog-04-post-mobile.png", full_page=True)
    page.close()


def test_staff_schedule_and_preview_in_the_admin(app_server, demo_blog, browser, artifacts_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(app_server.base_url + "/admin/login/?next=/admin/blog/post/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Scheduled for")).to_be_visible()
    page.screenshot(path=artifacts_dir / "blog-05-admin-list.png", full_page=True)

    page.get_by_role("link", name="Your test-day checklist").click()
    with context.expect_page() as preview_info:
        page.get_by_role("button", name="Preview the body").click()
    preview = preview_info.value
    preview.wait_for_load_state()
    expect(preview.get_by_text("Unsaved")).to_be_visible()
    preview.screenshot(path=artifacts_dir / "blog-06-admin-preview.png", full_page=True)

    # A staff member can read the draft on the site; a visitor cannot.
    page.goto(app_server.base_url + "/blog/test-day-checklist/")
    expect(page.get_by_text("Only staff can see it")).to_be_visible()
    visitor = browser.new_page()
    response = visitor.goto(app_server.base_url + "/blog/test-day-checklist/")
    assert response.status == 404
    context.close()
