import pytest

from blog.markdown import reading_minutes, render_markdown

from .xss import XSS_PAYLOADS, executable_markup


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendering_strips_every_known_xss_payload(payload):
    html = render_markdown(f"Intro text.\n\n{payload}\n\nOutro.")
    assert executable_markup(html) == []
    assert "<script" not in html.lower()


def test_markdown_features_survive_sanitizing():
    html = render_markdown(
        "# Big title\n\n## Section one\n\nA [safe link](https://example.org) and `code`.\n\n"
        "| Left | Right |\n|:--|--:|\n| a | 1 |\n\n```python\nprint('<b>')\n```\n"
    )
    assert '<h2 id="big-title">' in html  # the page's title is the only h1
    assert '<h2 id="section-one">' in html
    assert 'class="headerlink" href="#section-one"' in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">safe link</a>' in html
    assert '<th align="right">Right</th>' in html
    assert '<code class="language-python">' in html
    assert "print(&#x27;&lt;b&gt;&#x27;)" in html or "print('&lt;b&gt;')" in html


def test_reading_minutes_rounds_up_and_is_at_least_one():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 231) == 2


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
