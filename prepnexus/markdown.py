"""Markdown to sanitised HTML: the one renderer for every kind of content, with a profile per kind.

A profile says which Markdown extensions run and what nh3 keeps afterwards. Blog posts use POST;
question text and flashcards use QUESTION (through `practice.rendering`). Whatever an author types as
raw HTML, only the profile's tags, attributes and URL schemes survive. With `math=True` (question
text), LaTeX between \\( \\) and \\[ \\] becomes MathML (`prepnexus.mathml`): each formula is taken out
before Markdown runs, stands in as a placeholder, and is put back converted and sanitised afterwards.
"""

import html as html_escaping
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor

from .mathml import Formula, find_math, to_mathml


@dataclass(frozen=True)
class Profile:
    tags: frozenset[str]
    attributes: Mapping[str, frozenset[str]]
    extensions: tuple[str, ...]
    extension_configs: Mapping[str, dict] = field(default_factory=dict)
    url_schemes: frozenset[str] | None = None  # None: nh3's defaults
    link_rel: str | None = None
    attribute_filter: Callable[[str, str, str], str | None] | None = None
    # The page title is the only h1, so a body's "# Heading" becomes an h2, like "## Heading".
    demote_h1: bool = False


_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_CLASS_VALUE = re.compile(r"^[\w -]{0,80}$")


def _plain_class_names(tag: str, attribute: str, value: str) -> str | None:
    # Only plain class names (language-python, headerlink, toc); nothing that could carry markup.
    if attribute == "class" and not _CLASS_VALUE.match(value):
        return None
    return value


# Blog posts: tables, fenced code, footnotes, heading anchors, links and images. Everything else
# (scripts, styles, event handlers, iframes, SVG, forms) is stripped.
_POST_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})  # fmt: skip
POST = Profile(
    tags=_POST_TAGS,
    attributes={
        "a": frozenset({"href", "title", "class"}),
        "abbr": frozenset({"title"}),
        "code": frozenset({"class"}),
        "div": frozenset({"class"}),
        "img": frozenset({"src", "alt", "title", "width", "height"}),
        "ol": frozenset({"start"}),
        "span": frozenset({"class"}),
        "td": frozenset({"align"}),
        "th": frozenset({"align"}),
        **{f"h{n}": frozenset({"id"}) for n in range(2, 7)},
    },
    extensions=("abbr", "def_list", "fenced_code", "footnotes", "sane_lists", "tables", "toc"),
    extension_configs={
        "toc": {"permalink": "#", "permalink_title": "Link to this section"},
        "tables": {"use_align_attribute": True},
    },
    url_schemes=frozenset({"http", "https", "mailto"}),
    link_rel="noopener noreferrer nofollow",
    attribute_filter=_plain_class_names,
    demote_h1=True,
)

# Question text, answer options and flashcards: a small set of formatting tags; no links, no images.
_QUESTION_TAGS = frozenset({
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr", "span", "u",
})  # fmt: skip
QUESTION = Profile(
    tags=_QUESTION_TAGS,
    attributes={"th": frozenset({"align"}), "td": frozenset({"align"})},
    extensions=("tables", "sane_lists"),
)


# One line with none of Markdown's block or inline syntax, no control character (Markdown drops STX and
# ETX) and no double space is exactly what Markdown renders as one paragraph of itself. Such text skips
# the parser: most short texts (answer choices, flashcard sides) are like this, and the legacy importer
# renders tens of thousands of them.
_SYNTAX = r"\x00-\x1f\x7f*_`#<>\[\]!&\\|~={}^$"
_PLAIN_TEXT = re.compile(rf"\A[^\s\d+\-.:'\"{_SYNTAX}](?:[^{_SYNTAX}]*[^\s{_SYNTAX}])?\Z")
_converters = threading.local()

# Python-Markdown finds a link's text by scanning from each "[" to its "]" (and its address from "(" to
# ")"), once per link pattern, so a card of 4,000 unclosed "[" scanned 24 million characters: seconds of
# CPU. The link patterns of one conversion share a budget of characters scanned, a few times the text's
# length (real links use about one pass per pattern); once it is spent, the remaining brackets stay plain
# text. The scanning is then at most the budget plus one paragraph.
LINK_SCAN_BASE = 2_000
LINK_SCAN_PER_CHAR = 8


class LinkScanBudget(Extension):
    """Bounds the characters the link and image patterns may scan in one conversion."""

    def __init__(self) -> None:
        super().__init__()
        self.left = 0
        self.scanned = 0

    def start(self, text: str) -> None:
        self.left = LINK_SCAN_BASE + LINK_SCAN_PER_CHAR * len(text)
        self.scanned = 0

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Every link, image and reference pattern inherits both scans from LinkInlineProcessor.
        for processor in md.inlinePatterns:
            if isinstance(processor, LinkInlineProcessor):
                processor.getText = self._bounded(processor.getText, refused=("",))
                processor.getLink = self._bounded(processor.getLink, refused=("", None))

    def _bounded(self, scan: Callable, refused: tuple) -> Callable:
        def bounded(data: str, index: int) -> tuple:
            if self.left <= 0:
                return (*refused, index, False)
            result = scan(data, index)
            used = max(0, result[-2] - index)  # every scan returns (..., end index, handled)
            self.left -= used
            self.scanned += used
            return result

        return bounded


def _converter(profile: Profile) -> tuple[markdown.Markdown, LinkScanBudget]:
    """This thread's Markdown instance for the profile (building one costs more than converting a
    typical text), with its link-scan budget."""
    cache = _converters.__dict__.setdefault("by_profile", {})
    pair = cache.get(id(profile))
    if pair is None:
        budget = LinkScanBudget()
        converter = markdown.Markdown(
            extensions=[*profile.extensions, budget],  # last: the link patterns all exist by then
            extension_configs=dict(profile.extension_configs),
            output_format="html",
        )
        pair = cache[id(profile)] = (converter, budget)
    return pair


def render_markdown(text: str, *, profile: Profile, inline: bool = False, math: bool = False) -> str:
    """Markdown to HTML that keeps only what `profile` allows; `inline` drops a lone enclosing <p>.

    `math` renders LaTeX formulas to MathML and raises `mathml.MathError` for one that cannot be.
    """
    if not text:
        return ""
    formulas = find_math(text) if math else []
    if formulas:
        marker = f"pnmath{secrets.token_hex(6)}n"  # letters and digits: Markdown leaves it alone
        text = _with_placeholders(text, formulas, marker)
    if _PLAIN_TEXT.match(text) and "  " not in text:
        html = f"<p>{text}</p>"
    else:
        converter, budget = _converter(profile)
        budget.start(text)
        html = converter.reset().convert(text)
    if profile.demote_h1:
        html = _H1.sub(r"<\1h2", html)
    html = nh3.clean(
        html,
        tags=profile.tags,
        attributes=dict(profile.attributes),
        url_schemes=profile.url_schemes,
        attribute_filter=_text_only(profile.attribute_filter, marker)
        if formulas
        else profile.attribute_filter,
        link_rel=profile.link_rel,
        strip_comments=True,
    )
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    if formulas:
        html = _put_formulas_back(html, formulas, marker)
    return html


def _text_only(attribute_filter: Callable | None, marker: str) -> Callable[[str, str, str], str | None]:
    # A formula is only ever put back into text: raw HTML could carry a placeholder into an attribute
    # value (<td align="\\(x\\)">), where MathML would break out of the quotes. Such a value is dropped.
    def text_only(tag: str, attribute: str, value: str) -> str | None:
        if marker in value:
            return None
        return attribute_filter(tag, attribute, value) if attribute_filter else value

    return text_only


def _with_placeholders(text: str, formulas: list[Formula], marker: str) -> str:
    parts, last = [], 0
    for number, formula in enumerate(formulas):
        parts += [text[last : formula.start], f"{marker}{number}e"]
        last = formula.end
    return "".join(parts) + text[last:]


_CODE = re.compile(r"<code\b.*?</code>", re.DOTALL)


def _put_formulas_back(html: str, formulas: list[Formula], marker: str) -> str:
    # A formula inside code (an indented code block) stays the literal source the author typed.
    in_code = [match.span() for match in _CODE.finditer(html)]

    def formula_html(found: re.Match) -> str:
        formula = formulas[int(found.group(1))]
        if any(start <= found.start() < end for start, end in in_code):
            opener, closer = ("\\[", "\\]") if formula.display else ("\\(", "\\)")
            return html_escaping.escape(f"{opener}{formula.latex}{closer}", quote=False)
        return to_mathml(formula.latex, display=formula.display, line=formula.line)

    return re.sub(rf"{marker}(\d+)e", formula_html, html)
