"""The one escaping rule for CSV text cells, and the question CSV that uses it."""

import csv
import io

import pytest

from practice.formats import csvsafe
from practice.formats.questions import parse_csv, write_csv

TRICKY = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+2",
    "-2",
    "@SUM(A1)",
    "\tcmd",
    "\rcmd",
    "'=already quoted by the learner",
    "''-two apostrophes",
    "'tis plain text",
    "plain text",
    "",
    "a = b",
]


@pytest.mark.parametrize("text", TRICKY)
def test_escape_defuses_formulas_and_unescape_undoes_exactly_that(text):
    cell = csvsafe.escape(text)
    assert not cell.startswith(csvsafe.FORMULA_START)
    assert csvsafe.unescape(cell) == text


def test_escape_leaves_non_text_values_and_harmless_text_alone():
    assert csvsafe.escape_row([-5, 2.5, None, True, "-x", "x"]) == [-5, 2.5, None, True, "'-x", "x"]
    assert csvsafe.unescape("'plain") == "'plain"


def _record(**overrides) -> dict:
    return {
        "external_id": "q-1",
        "section": "Math",
        "domain": "Algebra",
        "skill": "Linear equations in one variable",
        "difficulty": "easy",
        "type": "mcq",
        "passage": "",
        "passage_b": "",
        "stem": "=1+1 is what?",
        "options": ["@first", "-2", "+3", "'=quoted"],
        "correct": "B",
        "answers": [],
        "explanation": "\tIndented",
        "status": "draft",
    } | overrides


def test_question_csv_defuses_formulas_and_reads_back_the_same_records():
    records = [
        _record(),
        _record(external_id="q-2", type="spr", options=[], correct=None, answers=["-2", "-2.0"]),
    ]
    out = io.StringIO()
    write_csv(records, out)
    cells = [cell for row in csv.reader(io.StringIO(out.getvalue())) for cell in row]
    assert not [cell for cell in cells if cell.startswith(csvsafe.FORMULA_START)]
    assert "'=1+1 is what?" in cells and "'-2|-2.0" in cells and "''=quoted" in cells
    rows = [record for _, record in parse_csv(out.getvalue())]
    assert rows[0]["stem"] == "=1+1 is what?"
    assert rows[0]["options"] == ["@first", "-2", "+3", "'=quoted"]
    assert rows[0]["explanation"] == "Indented"  # the reader strips surrounding space, as before
    assert rows[1]["answers"] == ["-2", "-2.0"]
