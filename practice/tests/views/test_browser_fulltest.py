"""The full-length test end to end in a real browser, under the site's CSP, with axe audits on every page.

The test starts its own gunicorn with FULL_TEST_TIME_SCALE set, so modules last seconds, not minutes; the
form's module time limits are set in the data so Reading and Writing module 1 keeps a hideable timer (over
five minutes) and module 2 runs out while the test waits.
"""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from conftest import _database_url
from practice.models import FormModule
from tests.harness.axe import axe_violations, format_violations
from tests.harness.servers import Gunicorn

from ..factories import PASSWORD, make_user
from ..fulltest_factories import make_full_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIME_SCALE = 0.05
# Seconds before scaling: RW module 1 gets 350 s (the timer can be hidden), RW module 2 runs out in 12 s,
# Math modules get 200 s each; the break (600 s) becomes 30 s.
LIMITS = {
    ("Reading and Writing", 1): 7000,
    ("Reading and Writing", 2): 240,
    ("Math", 1): 4000,
    ("Math", 2): 4000,
}


@pytest.fixture
def test_taker(transactional_db):
    """Built before the browser starts: Playwright's event loop makes later ORM calls async-unsafe."""
    form = make_full_form("Practice form A")
    for (section, stage), seconds in LIMITS.items():
        FormModule.objects.filter(form=form, section__name=section, stage=stage).update(
            time_limit_seconds=seconds
        )
    make_user(username="taker", email="taker@example.org")
    make_user(username="nojs", email="nojs@example.org")
    return form


@pytest.fixture
def fast_server(test_taker):
    server = Gunicorn(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "FULL_TEST_TIME_SCALE": str(TIME_SCALE),
            "DB_POOL_SIZE": "1",
            "DB_MAX_OVERFLOW": "3",
        },
        workers=1,
        threads=4,
    ).start()
    yield server
    server.stop()


def _watch(page, allowed=()) -> list[str]:
    """Console errors (a CSP refusal is one) and page errors, except the expected ones (`allowed`, regexes);
    CSP violations are recorded from before the page's own scripts run."""
    problems = []

    def on_console(msg):
        if msg.type == "error" and not any(re.search(pattern, msg.text) for pattern in allowed):
            problems.append(f"console error on {page.url}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error on {page.url}: {error}"))
    page.add_init_script(
        """{
            window.__csp = [];
            document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
                `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
        }"""
    )
    return problems


def _log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


class Checks:
    """axe (WCAG 2.1 A/AA) and the CSP on each page; screenshots named in order."""

    def __init__(self, page, artifacts_dir, prefix):
        self.page, self.dir, self.prefix, self.n = page, artifacts_dir, prefix, 0

    def audit(self, where):
        violations = axe_violations(self.page)
        assert not violations, format_violations(violations, where=f"{where} ({self.page.url})")
        assert self.page.evaluate("window.__csp") == [], where

    def shot(self, name, **kwargs):
        self.page.screenshot(path=self.dir / f"{self.prefix}-{self.n:02d}-{name}.png", **kwargs)
        self.n += 1


def _saves(page):
    return page.expect_response(lambda r: r.url.endswith("/save/") and r.request.method == "POST")


def _blur(page):
    page.evaluate("document.activeElement && document.activeElement.blur()")


def _select_passage_text(page, start, end):
    page.evaluate(
        """([start, end]) => {
            const text = document.querySelector('[data-passage] p').firstChild;
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, end);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        [start, end],
    )


def _seconds_left(page) -> int:
    return int(page.locator("[data-test-timer]").get_attribute("data-seconds-left"))


def _at(page, phase, position):
    page.wait_for_url(re.compile(rf"/full-test/\d+/{phase}/{position}/$"))


def test_a_learner_sits_the_whole_test_with_its_tools(test_taker, fast_server, browser, artifacts_dir):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    # The one error the page causes on purpose: the 422 of an SPR entry the rules refuse.
    problems = _watch(page, allowed=[r"status of 422"])
    check = Checks(page, artifacts_dir, "fulltest")
    base = fast_server.base_url
    _log_in(page, base, "taker")

    # 1. The front page, then start.
    page.goto(base + "/full-test/")
    check.audit("full-test list")
    check.shot("list", full_page=True)
    page.get_by_role("button", name="Start the full-length test").click()
    _at(page, "rw1", 1)
    expect(page.get_by_role("heading", name="Question 1 of 27")).to_be_visible()
    check.shot("rw1-start")

    # 2. Reading and Writing, module 1. Over five minutes left: the timer can be hidden and shown.
    assert page.locator("#test-keys").is_visible()
    assert not page.get_by_role("button", name="Clear highlights").is_visible()
    first_seconds = _seconds_left(page)
    assert 300 < first_seconds <= 350
    timer_toggle = page.get_by_role("button", name="Hide timer")
    timer_toggle.click()
    assert not page.locator("[data-timer-display]").is_visible()
    page.get_by_role("button", name="Show timer").click()
    assert page.locator("[data-timer-display]").is_visible()

    with _saves(page):
        page.locator("label[for=option-B]").click()  # the mouse
    with _saves(page):
        page.locator("label[for=strike-C]").click()
    assert "is-struck" in page.locator("[data-option=C]").get_attribute("class")
    _select_passage_text(page, 2, 7)
    with _saves(page):
        page.get_by_role("button", name="Highlight selection").click()
    expect(page.locator("mark.test-highlight")).to_have_text("short")
    with _saves(page):
        page.get_by_label("Your notes on question 1").fill("Check the garden numbers.")
    with _saves(page):
        page.get_by_text("Mark for review").click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    check.audit("RW question")
    check.shot("rw1-q1-tools")

    _blur(page)
    page.keyboard.press("ArrowRight")
    _at(page, "rw1", 2)
    with _saves(page):
        page.keyboard.press("c")
    with _saves(page):
        page.keyboard.press("f")
    assert page.locator("[data-flag]").is_checked()
    _select_passage_text(page, 8, 16)
    with _saves(page):
        page.keyboard.press("h")
    expect(page.locator("mark.test-highlight")).to_have_text("original")
    page.keyboard.press("ArrowRight")  # right after a letter key: moves on, does not change the answer
    _at(page, "rw1", 3)
    page.keyboard.press("ArrowLeft")
    _at(page, "rw1", 2)
    assert page.locator("#option-C").is_checked()

    page.locator("[data-navigator] summary").click()
    check.shot("rw1-navigator")
    page.locator("[data-nav-cell='5']").click()
    _at(page, "rw1", 5)
    with _saves(page):
        page.keyboard.press("d")
    page.locator("[data-navigator] summary").click()
    page.locator("[data-nav-cell='1']").click()
    _at(page, "rw1", 1)

    # A reload in the middle of the module: everything is still there and the clock kept running.
    page.wait_for_timeout(1500)
    page.reload()
    assert _seconds_left(page) < first_seconds
    assert page.locator("#option-B").is_checked()
    assert page.locator("#strike-C").is_checked()
    assert "is-struck" in page.locator("[data-option=C]").get_attribute("class")
    assert page.locator("[data-flag]").is_checked()
    expect(page.locator("mark.test-highlight")).to_have_text("short")
    assert page.get_by_label("Your notes on question 1").input_value() == "Check the garden numbers."
    assert page.get_by_role("button", name="Clear highlights").is_visible()
    cells = {n: page.locator(f"[data-nav-cell='{n}']").get_attribute("class") for n in (1, 2, 3, 5)}
    assert "is-answered" in cells[1] and "is-flagged" in cells[1]
    assert "is-answered" in cells[2] and "is-flagged" in cells[2]
    assert "is-answered" not in cells[3]
    assert "is-answered" in cells[5] and "is-flagged" not in cells[5]

    # On a phone-sized screen the passage, the options and the footer stack.
    page.set_viewport_size({"width": 390, "height": 844})
    check.audit("RW question on a small screen")
    check.shot("rw1-small-screen", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("[data-navigator] summary").click()
    page.get_by_role("link", name="Go to the review page").click()
    page.wait_for_url(re.compile(r"/rw1/review/$"))
    expect(page.get_by_text("3 of 27 questions answered")).to_be_visible()
    check.audit("review page")
    check.shot("rw1-review", full_page=True)
    page.get_by_role("button", name=re.compile("Submit module 1")).click()

    # 3. Module 2 runs out: the timer shows from the start (under five minutes), reaches 0:00 and the page
    # moves on to the break by itself.
    _at(page, "rw2", 1)
    assert "is-forced" in page.locator("[data-test-timer]").get_attribute("class")
    assert not page.locator("[data-timer-toggle]").is_visible()
    with _saves(page):
        page.keyboard.press("b")
    check.shot("rw2-forced-timer")
    loads = []
    page.on("load", lambda p: loads.append(p.url))
    expect(page.locator("[data-timer-display]")).to_have_text("0:00", timeout=20_000)
    page.wait_for_url(re.compile(r"/break/$"), timeout=15_000)
    assert loads == [page.url], "the page goes straight to the break, without reloading the module first"

    # 4. The break.
    expect(page.get_by_role("heading", name="Take a break")).to_be_visible()
    check.audit("break")
    check.shot("break")
    page.get_by_role("button", name="Resume testing").click()

    # 5. Math module 1: calculator (graphing, then scientific), reference sheet, an SPR answer.
    _at(page, "math1", 1)
    with _saves(page):
        page.locator("label[for=option-B]").click()
    page.get_by_role("button", name="Calculator", exact=True).click()
    page.wait_for_selector("#calc-board svg")
    row = page.get_by_role("textbox", name="Expression 1", exact=True)
    row.fill("x^2-3")
    row.press("Enter")
    assert page.locator("#calc-board svg path").count() >= 1
    page.get_by_role("tab", name="Scientific").click()
    entry = page.locator("#calc-sci-input")
    entry.fill("sqrt(16)+2^3")
    entry.press("Enter")
    expect(page.locator("[data-calc-sci-out]")).to_have_text("12")
    page.get_by_role("tab", name="Graphing").click()
    # The page makes room for the calculator: the question is not under the panel.
    panel_left = page.locator("#calc-panel").bounding_box()["x"]
    question = page.locator(".test-question").bounding_box()
    assert question["x"] + question["width"] <= panel_left
    check.shot("math1-calculator")
    page.get_by_role("button", name="Reference sheet").click()
    expect(page.get_by_role("dialog", name="Reference sheet")).to_be_visible()
    check.audit("Math question with the calculator and reference sheet open")
    check.shot("math1-calculator-and-reference")
    page.get_by_role("button", name="Close calculator").click()
    page.get_by_role("button", name="Close reference sheet").click()

    page.locator("[data-navigator] summary").click()
    page.locator("[data-nav-cell='4']").click()
    _at(page, "math1", 4)
    spr = page.get_by_label("Your answer to question 4")
    with _saves(page) as refused:
        spr.fill("3 1/2")
    assert refused.value.status == 422
    expect(page.locator("[data-save-status]")).to_contain_text("Not saved:")
    assert "is-error" in page.locator("[data-save-status]").get_attribute("class")
    assert spr.get_attribute("aria-invalid") == "true"
    check.shot("math1-spr-refused")
    with _saves(page) as accepted:
        spr.fill("7/2")
    assert accepted.value.status == 200
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert spr.get_attribute("aria-invalid") is None
    page.locator("[data-navigator] summary").click()
    page.get_by_role("link", name="Go to the review page").click()
    page.wait_for_url(re.compile(r"/math1/review/$"))
    expect(page.get_by_text("2 of 22 questions answered")).to_be_visible()
    page.get_by_role("button", name=re.compile("Submit module 1")).click()

    # 6. Math module 2: a few answers, then submit.
    _at(page, "math2", 1)
    with _saves(page):
        page.keyboard.press("b")
    page.get_by_role("button", name="Save and next →").click()
    _at(page, "math2", 2)
    with _saves(page):
        page.locator("label[for=option-A]").click()
    page.get_by_role("button", name="Save and next →").click()
    _at(page, "math2", 3)
    page.locator("[data-navigator] summary").click()
    page.get_by_role("link", name="Go to the review page").click()
    page.wait_for_url(re.compile(r"/math2/review/$"))
    page.get_by_role("button", name=re.compile("Submit module 2")).click()

    # 7. The score report.
    page.wait_for_url(re.compile(r"/report/$"))
    report = page.locator(".score-report")
    expect(report).to_contain_text("A PrepNexus estimate of the SAT scale.")
    assert page.locator(".score-card").count() == 3
    assert all(
        re.search(r"Range \d+\u2013\d+", text) for text in page.locator(".score-band").all_inner_texts()
    )
    assert page.locator(".domain-list li").count() >= 4
    modules = page.locator("#time-heading + .table tbody tr")
    assert modules.count() == 4
    assert "Time ran out" in modules.nth(1).inner_text()
    first = page.locator(".report-question").first
    first.locator("summary").click()
    expect(first.locator(".explanation")).to_contain_text("Add one")
    expect(first).to_contain_text("Check the garden numbers.")
    check.audit("score report")
    check.shot("report", full_page=True)
    check.shot("report-top", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1300})
    first.scroll_into_view_if_needed()
    check.shot("report-question")
    page.emulate_media(media="print")
    check.shot("report-print", full_page=True)
    check.shot("report-print-top", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1400})

    assert not problems, "\n".join(problems)


def test_without_javascript_save_and_next_saves_the_answers(test_taker, fast_server, browser, artifacts_dir):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = fast_server.base_url
    _log_in(page, base, "nojs")
    page.goto(base + "/full-test/")
    page.get_by_role("button", name="Start the full-length test").click()
    _at(page, "rw1", 1)
    page.locator("label[for=option-B]").click()
    page.get_by_text("Mark for review").click()
    page.get_by_role("button", name="Save and next →").click()
    _at(page, "rw1", 2)
    page.locator("label[for=option-D]").click()
    page.get_by_role("button", name="Save and next →").click()
    _at(page, "rw1", 3)
    page.screenshot(path=artifacts_dir / "fulltest-nojs-00-q3.png")
    # What needs the script (the highlighter, the key hints) is not offered without it.
    assert not page.get_by_role("button", name="Highlight selection").is_visible()
    assert not page.locator("#test-keys").is_visible()

    page.locator("[data-navigator] summary").click()
    page.locator("[data-nav-cell='1']").click()
    _at(page, "rw1", 1)
    assert page.locator("#option-B").is_checked()
    assert page.locator("[data-flag]").is_checked()
    assert "is-answered" in page.locator("[data-nav-cell='2']").get_attribute("class")
    page.goto(re.sub(r"/rw1/1/$", "/rw1/2/", page.url))
    assert page.locator("#option-D").is_checked()
    page.goto(re.sub(r"/rw1/2/$", "/rw1/review/", page.url))
    expect(page.get_by_text("2 of 27 questions answered")).to_be_visible()

    # On through plain forms to Math, where an SPR entry the rules refuse comes back as a 422 page.
    page.get_by_role("button", name=re.compile("Submit module 1")).click()
    _at(page, "rw2", 1)
    page.goto(re.sub(r"/rw2/1/$", "/rw2/review/", page.url))
    page.get_by_role("button", name=re.compile("Submit module 2")).click()
    page.wait_for_url(re.compile(r"/break/$"))
    page.get_by_role("button", name="Resume testing").click()
    _at(page, "math1", 1)
    page.goto(re.sub(r"/math1/1/$", "/math1/4/", page.url))
    page.get_by_label("Your answer to question 4").fill("3 1/2")
    with page.expect_response(lambda r: r.url.endswith("/save/")) as refused:
        page.get_by_role("button", name="Save and next →").click()
    assert refused.value.status == 422
    expect(page.locator("#given-errors")).to_contain_text("Mixed numbers")
    assert not page.get_by_role("button", name="Calculator").is_visible()
    assert page.get_by_label("Your answer to question 4").input_value() == "3 1/2"
    page.screenshot(path=artifacts_dir / "fulltest-nojs-01-spr-422.png")
    page.get_by_label("Your answer to question 4").fill("7/2")
    page.get_by_role("button", name="Save and next →").click()
    _at(page, "math1", 5)
    context.close()
