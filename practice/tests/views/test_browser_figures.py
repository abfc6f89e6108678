"""Question figures in a real browser, at desktop and phone width, with screenshots to look at."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from practice.formats.questions import read_rows
from practice.models import Question
from practice.seeding import bank_files
from practice.services.questions import questions_import
from practice.services.sessions import practice_session_start

from ..factories import PASSWORD, ensure_taxonomy, make_user, math

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One item of each kind of figure from the starter bank, with the start of its text alternative.
SHOWN = {
    "pn-m-lf-917": "Coordinate plane, x from -2 to 6",
    "pn-m-tvd-903": "Scatterplot of Iced drinks sold against High temperature (°F)",
    "pn-m-ovd-909": "Histogram, Number of workers by Commute time (minutes)",
    "pn-m-ovd-910": "Dot plot, Daily high temperature (°C) from 16 to 32",
    "pn-m-rt-930": "Triangle ABC.",
    "pn-m-circ-935": "Circle with center O.",
    "pn-m-av-940": "Trapezoid ABCD",
}


@pytest.fixture
def figure_session(transactional_db):
    """Written before the browser starts (Playwright's loop makes the ORM refuse to run afterwards)."""
    ensure_taxonomy()
    path = next(path for path in bank_files() if path.name == "math_figures.json")
    questions_import(rows=[(row, r) for row, r in read_rows(path) if r["external_id"] in SHOWN])
    learner = make_user(username="figures2", email="figures2@example.org")
    ids = [Question.objects.get(external_id=external_id).pk for external_id in SHOWN]
    session = practice_session_start(learner=learner, section=math(), mode="timed", question_ids=ids)
    order = list(session.items.order_by("position").values_list("position", "question__external_id"))
    return [
        (reverse("practice:item-detail", args=[session.pk, pos]), external_id) for pos, external_id in order
    ]


def test_figures_render_accessibly_and_fit_desktop_and_phone(
    figure_session, app_server, browser, artifacts_dir
):
    for width, height, name in ((1200, 900, "desktop"), (375, 740, "phone")):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(app_server.base_url + "/accounts/login/")
        page.get_by_label("Email or username").fill("figures2")
        page.locator("#id_password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        for url, external_id in figure_session:
            page.goto(app_server.base_url + url)
            figure = page.get_by_role("img", name=re.compile("^" + re.escape(SHOWN[external_id])))
            expect(figure).to_be_visible()
            box = figure.bounding_box()
            assert 200 <= box["width"] <= min(width, 460) and box["height"] > 80, (external_id, box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, external_id
            figure.screenshot(path=artifacts_dir / f"figure-{name}-{external_id}.png")
        page.screenshot(path=artifacts_dir / f"figure-{name}-page.png", full_page=True)
        page.emulate_media(media="print")
        figure.screenshot(path=artifacts_dir / f"figure-{name}-print.png")
        page.close()
