"""The full test's Math tools (calculator and reference sheet) in a real browser, under the site's CSP.

The page lives on a test-only route (tests/harness/urls.py), so this test starts its own gunicorn with
the harness settings rather than the shared `app_server`.
"""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from conftest import _database_url
from tests.harness.axe import axe_violations, format_violations
from tests.harness.servers import Gunicorn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def harness_server(transactional_db):
    server = Gunicorn(
        {
            "DATABASE_URL": _database_url(connection.settings_dict),
            "DJANGO_SETTINGS_MODULE": "tests.harness.settings",
            "DB_POOL_SIZE": "1",
            "DB_MAX_OVERFLOW": "1",
        },
        workers=1,
        threads=2,
    ).start()
    yield server
    server.stop()


def _watch_console(page) -> list[str]:
    """Errors (a CSP refusal is one) and JSXGraph's own warnings, which it logs as "Warning(n): ..."."""
    problems = []

    def on_console(msg):
        if msg.type == "error" or msg.text.startswith("Warning("):
            problems.append(f"console {msg.type}: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def _record_csp_violations(page) -> None:
    """From before the page's own scripts run (an init script is not subject to the page's CSP)."""
    page.add_init_script(
        """{
            window.__csp = [];
            document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
                `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
        }"""
    )


def test_calculator_and_reference_sheet_work_by_mouse_and_keyboard_under_the_csp(
    harness_server, browser, artifacts_dir
):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems = _watch_console(page)
    _record_csp_violations(page)
    response = page.goto(harness_server.base_url + "/_test/math-tools/")
    assert response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    panel = page.locator("#calc-panel")
    opener = page.get_by_role("button", name="Calculator", exact=True)

    # Opened from the keyboard: focus lands on the panel's heading.
    opener.focus()
    page.keyboard.press("Enter")
    assert panel.is_visible()
    assert opener.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "calc-title"
    page.wait_for_selector("#calc-board svg")

    # Two functions, typed and graphed with Enter.
    first = page.get_by_role("textbox", name="Expression 1", exact=True)
    first.fill("x^2-3")
    first.press("Enter")
    page.get_by_role("button", name="Add expression").click()
    second = page.get_by_role("textbox", name="Expression 2", exact=True)
    assert page.evaluate("document.activeElement.id") == second.get_attribute("id")
    page.keyboard.type("y = 2x+1")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Add expression").click()
    third = page.get_by_role("textbox", name="Expression 3", exact=True)
    third.fill("(1, 2) (3, 4)")
    third.press("Enter")
    assert page.locator("#calc-board svg path").count() >= 2
    assert page.locator("#calc-board svg ellipse").count() >= 2
    assert page.locator(".calc-error:visible").count() == 0

    # A bad expression says what is wrong, next to the field.
    page.get_by_role("button", name="Add expression").click()
    fourth = page.get_by_role("textbox", name="Expression 4", exact=True)
    fourth.fill("2x+")
    fourth.press("Enter")
    assert fourth.get_attribute("aria-invalid") == "true"
    assert "ends too soon" in page.locator(".calc-row").nth(3).locator(".calc-error").inner_text()
    page.get_by_role("button", name="Remove expression 4").click()
    assert page.locator(".calc-row").count() == 3

    # Table of values for y = x^2 - 3 from x = -2, step 1.
    page.locator("summary", has_text="Table of values").click()
    page.locator("#calc-table-expr").select_option(label="1: y = x^2-3")
    page.get_by_label("x from").fill("-2")
    page.get_by_label("step").fill("1")
    page.get_by_role("button", name="Show table").click()
    cells = page.locator(".calc-table tbody tr").all()
    table = [tuple(row.locator("td").all_inner_texts()) for row in cells[:5]]
    assert table == [("-2", "1"), ("-1", "-2"), ("0", "-3"), ("1", "-2"), ("2", "1")]

    # Linear regression on points that lie near y = 2x + 1.
    page.locator("summary", has_text="Regression").click()
    page.get_by_label("Data points").fill("1, 3\n2, 5\n3, 7.2\n4, 8.8")
    page.get_by_label("Model").select_option("linear")
    page.get_by_role("button", name="Fit and graph").click()
    assert page.locator("[data-calc-reg-eq]").inner_text() == "y = 1.96x + 1.1"
    assert page.locator("[data-calc-reg-r2]").inner_text() == "r² = 0.9963"
    expect(page.locator("[data-calc-status]")).to_contain_text("r² = 0.9963")
    page.get_by_label("Model").select_option("exponential")
    page.get_by_label("Data points").fill("0, 3\n1, 6\n2, 12\n3, 24")
    page.get_by_role("button", name="Fit and graph").click()
    assert page.locator("[data-calc-reg-eq]").inner_text() == "y = 3 · 2^x"
    assert page.locator("[data-calc-reg-r2]").inner_text() == "r² = 1"

    page.locator("[data-calc-reg-out]").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "math-tools-00-table-and-regression.png")
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Reset view").click()
    page.locator("#calc-title").scroll_into_view_if_needed()
    page.screenshot(path=artifacts_dir / "math-tools-01-graphing.png")
    panel.screenshot(path=artifacts_dir / "math-tools-02-graphing-panel.png")

    # Scientific mode, reached from the tab list with the arrow keys.
    page.get_by_role("tab", name="Graphing").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Scientific").get_attribute("aria-selected") == "true"
    assert page.locator("#calc-sci").is_visible()
    assert not page.locator("#calc-graph").is_visible()
    entry = page.locator("#calc-sci-input")
    entry.fill("sqrt(16)+2^3")
    entry.press("Enter")
    output = page.locator("[data-calc-sci-out]")
    assert output.inner_text() == "12"
    entry.fill("ans/4")
    entry.press("Enter")
    assert output.inner_text() == "3"
    page.get_by_label("Degrees").check()
    entry.fill("")
    for key in ("sin", "3", "0", ")"):
        page.locator(".calc-keypad button", has_text=re.compile(f"^{re.escape(key)}$")).click()
    assert entry.input_value() == "sin(30)"
    page.get_by_role("button", name="equals").click()
    assert output.inner_text() == "0.5"
    entry.fill("2(3")
    entry.press("Enter")
    assert "“)” is missing" in output.inner_text()
    expect(page.locator("[data-calc-status]")).to_contain_text("missing")
    assert page.locator("[data-calc-history] li").first.inner_text() == "sin(30) = 0.5 (degrees)"

    # The reference sheet open beside it; both audited together.
    ref_opener = page.get_by_role("button", name="Reference", exact=True)
    ref_opener.click()
    ref = page.get_by_role("dialog", name="Reference sheet")
    assert ref.is_visible()
    assert "2π radians" in ref.inner_text()
    page.screenshot(path=artifacts_dir / "math-tools-03-scientific-and-reference.png")
    violations = axe_violations(page)
    assert not violations, format_violations(violations, where="math tools, both panels open")
    page.get_by_role("tab", name="Graphing").click()
    violations = axe_violations(page)
    assert not violations, format_violations(violations, where="math tools, graphing tab")

    # Escape closes the panel that has focus and returns focus to its opener.
    page.locator("#ref-title").focus()
    page.keyboard.press("Escape")
    assert not ref.is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Reference"
    assert ref_opener.get_attribute("aria-expanded") == "false"
    page.get_by_role("textbox", name="Expression 1", exact=True).focus()
    page.keyboard.press("Escape")
    assert not panel.is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Calculator"

    assert page.evaluate("window.__csp") == []
    assert not problems, "\n".join(problems)
