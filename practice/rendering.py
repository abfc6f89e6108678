"""Markdown to sanitised HTML for question text. Authors are staff, but HTML is never trusted."""

import re
import threading

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "span", "u",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"th": {"align"}, "td": {"align"}}

# One line with none of Markdown's block or inline syntax, no control character (Markdown drops STX and
# ETX) and no double space is exactly what Markdown renders as one paragraph of itself. Such text skips
# the parser: most short texts (answer choices, flashcard sides) are like this, and the legacy importer
# renders tens of thousands of them.
_SYNTAX = r"\x00-\x1f\x7f*_`#<>\[\]!&\\|~={}^$"
_PLAIN_TEXT = re.compile(rf"\A[^\s\d+\-.:'\"{_SYNTAX}](?:[^{_SYNTAX}]*[^\s{_SYNTAX}])?\Z")
_converters = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's Markdown instance (building one costs more than converting a typical text)."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        _converters.markdown = converter
    return converter


def render_markdown(text: str, *, inline: bool = False) -> str:
    """Render Markdown to HTML that only contains harmless formatting tags."""
    if not text:
        return ""
    if _PLAIN_TEXT.match(text) and "  " not in text:
        html = f"<p>{text}</p>"
    else:
        html = _converter().reset().convert(text)
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
