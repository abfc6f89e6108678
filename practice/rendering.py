"""Markdown to sanitised HTML for question text. Authors are staff, but HTML is never trusted."""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "span", "u",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"th": {"align"}, "td": {"align"}}


def render_markdown(text: str, *, inline: bool = False) -> str:
    """Render Markdown to HTML that only contains harmless formatting tags."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
