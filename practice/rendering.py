"""Question text, options and flashcards to sanitised HTML: the project's renderer, QUESTION profile.

Authors are staff (or the learner, for their own cards), but HTML is never trusted.
"""

from prepnexus.markdown import QUESTION
from prepnexus.markdown import render_markdown as _render

# What the QUESTION profile keeps, under the names the legacy importer reads.
ALLOWED_TAGS = QUESTION.tags
ALLOWED_ATTRIBUTES = QUESTION.attributes


def render_markdown(text: str, *, inline: bool = False) -> str:
    """Render Markdown to HTML that only contains harmless formatting tags."""
    return _render(text, profile=QUESTION, inline=inline)
