"""Question math in a real browser: MathML laid out by Chromium with the vendored math font, no JS."""

import pytest

from practice.models import Skill

from ..factories import PASSWORD, ensure_taxonomy, make_question, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEM = (
    "The function \\(f\\) is defined by \\(f(x) = \\frac{2}{3}x^2 + \\sqrt{x + 5}\\). "
    "What is the value of \\(f(4)\\)?\n\n\\[ f(4) = \\frac{2}{3}(4)^2 + \\sqrt{4 + 5} \\]"
)
OPTIONS = [
    ("\\(\\frac{32}{3}\\)", False),
    ("\\(\\frac{41}{3}\\)", True),
    ("\\(13\\)", False),
    ("\\(\\sqrt{41}\\)", False),
]

# Measured in the page: the layout boxes of the MathML elements, and the font that drew them.
MEASURE = """async () => {
  await document.fonts.ready;
  const stem = document.querySelector('.stem');
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top, height: r.height, width: r.width};
  };
  const frac = stem.querySelector('mfrac');
  const sup = stem.querySelector('msup');
  const sqrt = stem.querySelector('msqrt');
  const letter = stem.querySelector('mi');
  const canvas = document.createElement('canvas').getContext('2d');
  const width = (font, text) => { canvas.font = font; return canvas.measureText(text).width; };
  return {
    frac: box(frac), numerator: box(frac.children[0]), denominator: box(frac.children[1]),
    base: box(sup.children[0]), exponent: box(sup.children[1]), sqrt: box(sqrt), letter: box(letter),
    lineHeight: parseFloat(getComputedStyle(stem.querySelector('p')).lineHeight),
    block: getComputedStyle(stem.querySelector('math[display="block"]')).display,
    fontFamily: getComputedStyle(stem.querySelector('math')).fontFamily,
    fontLoaded: [...document.fonts].some((f) => f.family.includes('Noto Sans Math') && f.status === 'loaded'),
    fontCheck: document.fonts.check('16px "Noto Sans Math"', '\\u221A\\u2211'),
    // The vendored file has the math glyphs: they measure differently from the monospace fallback.
    glyphsDiffer: width('40px "Noto Sans Math", monospace', '\\u2211\\u221A\\u222B\\u2264')
                  !== width('40px monospace', '\\u2211\\u221A\\u222B\\u2264'),
    scripts: document.querySelectorAll('script:not([src])').length,
  };
}"""


@pytest.fixture
def session_url(transactional_db):
    """A learner and a one-question Math session, written before the browser starts."""
    ensure_taxonomy()
    learner = make_user(username="mathlearner", email="math@example.org")
    skill = Skill.objects.get(name="Nonlinear functions")
    question = make_question(skill=skill, stem=STEM, options=OPTIONS, explanation="\\(\\frac{32}{3} + 3\\)")
    return make_session(learner, question_ids=[question.pk]).get_absolute_url()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", (1200, 900)), ("phone", (390, 844))])
def test_question_math_is_laid_out_by_the_browser_with_the_math_font(
    session_url, app_server, browser, artifacts_dir, name, viewport
):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    violations = []
    page.on(
        "console",
        lambda message: "Content-Security-Policy" in message.text and violations.append(message.text),
    )
    page.goto(app_server.base_url + "/accounts/login/")
    page.get_by_label("Email or username").fill("mathlearner")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(app_server.base_url + session_url)
    page.wait_for_selector(".stem mfrac")

    m = page.evaluate(MEASURE)
    page.screenshot(path=artifacts_dir / f"math-{name}.png", full_page=True)

    # A fraction is two rows, taller than one line of text, the numerator above the denominator.
    assert m["frac"]["height"] > 1.2 * m["letter"]["height"]
    assert m["numerator"]["top"] + m["numerator"]["height"] <= m["denominator"]["top"] + 1
    # The exponent is raised above its base and smaller.
    assert m["exponent"]["top"] < m["base"]["top"] and m["exponent"]["height"] < m["base"]["height"]
    # The root has a radical sign: wider than its contents, and laid out.
    assert m["sqrt"]["width"] > 0 and m["sqrt"]["height"] >= m["letter"]["height"]
    assert m["block"] == "block math"  # a display formula is its own line
    assert "Noto Sans Math" in m["fontFamily"]
    assert m["fontLoaded"] and m["fontCheck"] and m["glyphsDiffer"]
    assert m["scripts"] == 0  # no inline script: the math needs no client JavaScript
    assert violations == []
    # The options render as math too.
    assert page.locator(".option mfrac").count() == 2
