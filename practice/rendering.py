"""Question text, options and flashcards to sanitised HTML: the project's renderer, QUESTION profile.

Authors are staff (or the learner, for their own cards), but HTML is never trusted. Question text (stem,
passages, options, explanation) also has LaTeX math, rendered to MathML: `render_question` raises
`MathError` for a formula it cannot render, so `Question.clean()` refuses it before anything is saved.
Flashcards and the legacy import keep plain Markdown (`render_markdown`).
"""

import functools

from prepnexus.markdown import QUESTION
from prepnexus.markdown import render_markdown as _render
from prepnexus.mathml import MathError

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "MathError",
    "math_problem",
    "render_markdown",
    "render_question",
]

# What the QUESTION profile keeps, under the names the legacy importer reads.
ALLOWED_TAGS = QUESTION.tags
ALLOWED_ATTRIBUTES = QUESTION.attributes


def render_markdown(text: str, *, inline: bool = False) -> str:
    """Render Markdown to HTML that only contains harmless formatting tags."""
    return _render(text, profile=QUESTION, inline=inline)


def render_question(text: str, *, inline: bool = False) -> str:
    """Render question Markdown with its LaTeX math as MathML; MathError if a formula cannot be rendered.

    Cached: a question's text is rendered by its check and again when it is saved, and a bank import
    renders each text twice that way (a pure function of its arguments; MathError is not cached).
    """
    return _render_question(text, inline)


@functools.lru_cache(maxsize=1024)
def _render_question(text: str, inline: bool) -> str:
    return _render(text, profile=QUESTION, inline=inline, math=True)


def math_problem(text: str, *, inline: bool = False) -> str | None:
    """Why the text's math cannot be rendered ("line 2: unknown LaTeX command \\frca"), or None."""
    try:
        render_question(text, inline=inline)
    except MathError as exc:
        return str(exc)
    return None
