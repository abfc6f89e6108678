"""render_markdown: its plain-text shortcut and reused converter give exactly what Markdown gives."""

import random
from concurrent.futures import ThreadPoolExecutor

import markdown
import nh3

from practice.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


def _full_pipeline(text: str, *, inline: bool = False) -> str:
    """Markdown's whole pipeline with a fresh converter per text, then the same sanitiser."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def assert_same_as_markdown(texts):
    for text in texts:
        assert render_markdown(text) == _full_pipeline(text), repr(text)
        assert render_markdown(text, inline=True) == _full_pipeline(text, inline=True), repr(text)


def test_render_markdown_matches_the_full_pipeline_where_plain_text_ends_or_holds_control_characters():
    assert_same_as_markdown(
        [
            "plain words", "Which choice?", "a\x02b", "\x03b", "a\x0bb", "a\x7fb", "ends with *",
            "ends_", "ends <", "ends &", "ends >", "ends `", "ends \\", "x\u2028y", "caf\u00e9 \u2212 1",
            "a\tb", "a\rb", "trailing ", " leading", "3 apples", "it's", '"quoted"', "A | B", "a ~~b~~", "",
        ]
    )  # fmt: skip


def test_render_markdown_matches_the_full_pipeline_on_random_text():
    rng = random.Random(1)
    letters = "abcdefghij KLM \u00e9\u03c0\u2212" * 4
    alphabet = letters + "019.,;:?'\"()-+*_`#<>[]!&\\|~={}^$/%@\t\n\r\x00\x02\x03\x0b\x1f\x7f\u00a0"
    assert_same_as_markdown(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(3000)
    )


def test_render_markdown_gives_each_thread_the_same_html():
    texts = [f"**{n}** and *{n}*\n\n- item {n}\n- other" for n in range(200)]
    expected = [render_markdown(text) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(render_markdown, texts)) == expected
