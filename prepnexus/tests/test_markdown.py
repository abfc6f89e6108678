"""The one Markdown renderer, with each content profile."""

import sys

import pytest

from blog.tests.xss import XSS_PAYLOADS, executable_markup
from prepnexus.markdown import POST, QUESTION, render_markdown


@pytest.mark.parametrize("profile", [POST, QUESTION], ids=["post", "question"])
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendering_strips_every_known_xss_payload(payload, profile):
    html = render_markdown(f"Intro text.\n\n{payload}\n\nOutro.", profile=profile)
    assert executable_markup(html) == []
    assert "<script" not in html.lower()


def test_markdown_features_survive_sanitizing():
    html = render_markdown(
        "# Big title\n\n## Section one\n\nA [safe link](https://example.org) and `code`.\n\n"
        "| Left | Right |\n|:--|--:|\n| a | 1 |\n\n```python\nprint('<b>')\n```\n",
        profile=POST,
    )
    assert '<h2 id="big-title">' in html  # the page's title is the only h1
    assert '<h2 id="section-one">' in html
    assert 'class="headerlink" href="#section-one"' in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">safe link</a>' in html
    assert '<th align="right">Right</th>' in html
    assert '<code class="language-python">' in html
    assert "print(&#x27;&lt;b&gt;&#x27;)" in html or "print('&lt;b&gt;')" in html


def test_each_profile_keeps_only_its_own_tags():
    text = "# Title\n\nSee [the guide](https://example.org) ![chart](https://example.org/c.png) *now*."
    post = render_markdown(text, profile=POST)
    question = render_markdown(text, profile=QUESTION)
    assert '<h2 id="title">' in post and "<a href" in post and "<img" in post
    assert "<h" not in question and "<a" not in question and "<img" not in question
    assert "<em>now</em>" in question


def test_inline_drops_only_a_lone_paragraph():
    assert render_markdown("*x*", profile=QUESTION, inline=True) == "<em>x</em>"
    assert render_markdown("a\n\nb", profile=QUESTION, inline=True) == "<p>a</p>\n<p>b</p>"
    assert render_markdown("", profile=POST) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        '<svg onload="alert(1)"></svg>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
    ],
)
def test_the_audit_itself_catches_unsanitized_payloads(raw):
    assert executable_markup(raw) != []


class TooManySteps(Exception):
    pass


def python_steps(call, limit: int) -> int:
    """The Python lines `call` runs (a measure of work that does not depend on the machine's speed);
    stops it with TooManySteps once `limit` is passed."""
    steps = 0

    def line(frame, event, arg):
        nonlocal steps
        steps += 1
        if steps > limit:
            raise TooManySteps(f"more than {limit:,} steps")
        return line

    sys.settrace(lambda frame, event, arg: line)
    try:
        call()
    finally:
        sys.settrace(None)
    return steps


# Rendering 4,000 characters of ordinary Markdown (emphasis on every word) takes about 350,000 steps;
# 4,000 unclosed "[" took over 100 million before the link scans had a budget.
STEP_LIMIT = 1_000_000


@pytest.mark.parametrize("profile", [POST, QUESTION], ids=["post", "question"])
@pytest.mark.parametrize(
    "text",
    ["[" * 4000, "[" * 2000 + "]" * 2000, "![" * 2000, "[a](" * 1000, "[a][" * 1000, "[^" * 2000],
    ids=["unclosed", "nested", "images", "unclosed-addresses", "references", "footnotes"],
)
def test_a_card_of_brackets_renders_in_a_bounded_number_of_steps(text, profile):
    render_markdown("warm *up*", profile=profile)  # the thread's converter is built once, not counted
    ordinary = python_steps(lambda: render_markdown("*a* " * 1000, profile=profile), STEP_LIMIT)
    html = ""

    def render():
        nonlocal html
        html = render_markdown(text, profile=profile)

    assert python_steps(render, STEP_LIMIT) < 2 * ordinary
    assert html.startswith("<p>" + text[:8])  # the brackets stay, as plain text


def test_the_link_scan_budget_leaves_real_links_alone():
    html = render_markdown(
        "See [page](https://example.org/a) and [more](https://example.org/b). " * 300, profile=POST
    )
    assert html.count('<a href="https://example.org/') == 600
    nested = render_markdown("[[a] [b [c]]](https://example.org) " * 300, profile=POST)
    assert nested.count("<a href") == 300
