"""The one Markdown renderer, with each content profile."""

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
