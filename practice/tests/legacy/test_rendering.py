"""render_markdown gives exactly what Markdown gives on every text of the legacy samples."""

import contextlib
import json
import sqlite3

import pytest

from ..test_rendering import assert_same_as_markdown
from . import samples as legacy_samples


@pytest.mark.parametrize("kind", ["satprep", "leitner"])
def test_render_markdown_matches_the_full_pipeline_on_every_legacy_text(kind):
    texts = set()
    for path in (legacy_samples.sample(kind), legacy_samples.generated(kind, 5)):
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        if kind == "satprep":
            for row in db.execute("SELECT question_text, choices, explanation FROM questions"):
                texts.update(t for t in (row["question_text"], row["explanation"]) if t)
                with contextlib.suppress(json.JSONDecodeError):
                    texts.update(json.loads(row["choices"] or "[]"))
        else:
            for row in db.execute("SELECT front, back FROM cards"):
                texts.update((row["front"], row["back"]))
        db.close()
    texts.update(
        ["1. a list", "*stars*", "a  b", "x\ny", "<b>x</b>", "A & B", "# head", "- item", "'quoted'"]
    )
    assert_same_as_markdown(texts)
