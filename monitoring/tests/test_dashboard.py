import re

import pytest

from practice.tests.factories import make_user


@pytest.mark.django_db
def test_dashboard_is_for_staff_only(client):
    anonymous = client.get("/monitoring/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(make_user())
    assert client.get("/monitoring/").status_code == 403


@pytest.mark.django_db
def test_dashboard_shows_dependencies_svg_charts_and_slowest_routes(client, django_assert_max_num_queries):
    client.force_login(make_user(is_staff=True))
    for _ in range(3):
        client.get("/")
    client.get("/accounts/profile/")
    with django_assert_max_num_queries(20):
        response = client.get("/monitoring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PostgreSQL" in html and "Redis cache" in html and "No replicas configured" in html
    assert html.count("<svg") == 3
    assert 'role="img"' in html and "<title>" in html
    assert "Slowest routes" in html and "<code>home</code>" in html and "<code>profile</code>" in html
    # A strict CSP is coming: no inline styles or scripts.
    assert not re.search(r"\sstyle=", html) and "<script" not in html and "<style" not in html


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_the_routes_recorded(client, django_assert_max_num_queries):
    client.force_login(make_user(is_staff=True))
    for path in ["/", "/accounts/profile/", "/health/live", "/nope/", "/accounts/login/"]:
        client.get(path)
    with django_assert_max_num_queries(20):
        assert client.get("/monitoring/").status_code == 200


@pytest.fixture
def ops_user(transactional_db):
    # Created before Playwright starts its event loop in this thread (the ORM refuses to run inside one).
    return make_user(username="opsbrowser", password="Ops-pass-test-9931", is_staff=True)


@pytest.mark.browser
def test_staff_see_the_monitoring_page_in_a_browser(ops_user, app_server, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    for _ in range(5):
        page.goto(app_server.base_url + "/")
    page.goto(app_server.base_url + "/accounts/login/?next=/monitoring/")
    page.fill("input[name=username]", "opsbrowser")
    page.fill("input[name=password]", "Ops-pass-test-9931")
    page.click("form button[type=submit]")
    page.wait_for_url("**/monitoring/")
    assert page.locator("h1").inner_text() == "Monitoring"
    assert page.locator("svg.chart").count() == 3
    assert page.locator("svg.chart rect.chart-bar").count() >= 60
    page.screenshot(path=str(artifacts_dir / "monitoring-dashboard.png"), full_page=True)
