"""Markdown to sanitized HTML: the only way post bodies become markup."""

import math
import re

import markdown
import nh3

# What a post body may contain after rendering. Everything else (scripts, styles, event handlers,
# iframes, SVG, forms) is stripped by nh3, whatever the author typed as raw HTML.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_HEADINGS = {f"h{n}": {"id"} for n in range(2, 7)}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "code": {"class"},
    "div": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "span": {"class"},
    "td": {"align"},
    "th": {"align"},
    **_HEADINGS,
}
URL_SCHEMES = {"http", "https", "mailto"}
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_CLASS_VALUE = re.compile(r"^[\w -]{0,80}$")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Only plain class names (language-python, headerlink, toc); nothing that could carry markup.
    if attribute == "class" and not _CLASS_VALUE.match(value):
        return None
    return value


def render_markdown(text: str) -> str:
    """Render Markdown (tables, fenced code, heading anchors) to HTML that is safe to show anyone."""
    html = markdown.markdown(
        text,
        extensions=["abbr", "def_list", "fenced_code", "footnotes", "sane_lists", "tables", "toc"],
        extension_configs={
            "toc": {"permalink": "#", "permalink_title": "Link to this section"},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )
    # The page title is the only h1, so a body's "# Heading" becomes an h2, like "## Heading".
    html = _H1.sub(r"<\1h2", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


WORDS_PER_MINUTE = 230


def reading_minutes(text: str) -> int:
    """Whole minutes a reader needs for a Markdown body, at least one."""
    return max(1, math.ceil(len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE))
