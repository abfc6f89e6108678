"""Integrity of the starter bank (practice/data/questions/*.json), checked through the real importer.

Every rule for a valid question is the importer's (services.questions.question_problems); what this
file adds is the starter bank's house style: coverage, id pattern, passage lengths, one number per SPR.
"""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from practice.figures import figure_problems
from practice.formats.questions import RECORD_FIELDS, read_rows
from practice.models import (
    CROSS_TEXT_SKILL,
    READING_AND_WRITING,
    Difficulty,
    Domain,
    Question,
    Skill,
)
from practice.seeding import bank_files
from practice.services.questions import questions_import
from practice.spr import spr_matches
from prepnexus.mathml import find_math

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not bank_files(), reason="the starter bank is not on this branch yet"),
]


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker) -> list[Question]:
    """The whole bank imported once through the real importer, which runs the one validator on every row
    and raises with row numbers on any invalid one; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        created = sum(questions_import(rows=read_rows(path)).created for path in bank_files())
        assert created >= 600
        yield list(Question.objects.select_related("skill__domain__section").prefetch_related("options"))
        transaction.set_rollback(True)


def test_bank_has_600_published_questions_with_explanations(bank):
    assert sum(q.status == "published" for q in bank) >= 600
    assert all(q.explanation for q in bank)


def test_bank_covers_every_skill_fifteen_times_in_every_difficulty(bank):
    per_skill = Counter(q.skill_id for q in bank)
    thin = [s.name for s in Skill.objects.all() if per_skill[s.pk] < 15]
    assert thin == []
    levels = {(q.skill_id, q.difficulty) for q in bank}
    assert {
        (s.name, d) for s in Skill.objects.all() for d in Difficulty.values if (s.pk, d) not in levels
    } == set()
    for domain in Domain.objects.all():
        levels = {q.difficulty for q in bank if q.skill.domain_id == domain.pk}
        assert levels == set(Difficulty.values), domain.name


def test_bank_multiple_choice_has_one_correct_option_and_spr_answers_are_valid(bank):
    for question in bank:
        options = list(question.options.all())
        if question.type == "mcq":
            assert len(options) == 4 and sum(o.is_correct for o in options) == 1, question.external_id
        else:
            assert question.spr_answers and not options, (
                question.external_id
            )  # parsed by full_clean on import


def test_about_a_quarter_of_math_is_student_produced_response(bank):
    math = [q for q in bank if q.skill.domain.section.name == "Math"]
    share = sum(q.type == "spr" for q in math) / len(math)
    assert 0.2 <= share <= 0.35


# --- House style of the file itself ---


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [record for path in bank_files() for _, record in read_rows(path)]


def test_a_bank_file_passes_the_import_commands_check_and_the_check_writes_nothing():
    # The bank fixture imports every file through the same service; this is the operator's command.
    path = min(bank_files(), key=lambda path: path.stat().st_size)
    before = Question.objects.count()  # the bank fixture's rows, when it ran first
    out = io.StringIO()
    call_command("import_questions", str(path), "--dry-run", stdout=out)
    assert "Dry run, nothing written: would have" in out.getvalue()
    assert Question.objects.count() == before


def test_external_ids_are_unique_across_the_bank_files(records):
    # The importer updates by external_id: an id in two files would silently overwrite one of the items.
    repeated = [eid for eid, n in Counter(r["external_id"] for r in records).items() if n > 1]
    assert repeated == []


def test_bank_records_spell_out_every_field_and_ids_name_their_section(records):
    for record in records:
        # Every field spelled out; a figure only where the question has one.
        assert set(RECORD_FIELDS) <= set(record) <= {*RECORD_FIELDS, "figure"}, record["external_id"]
        prefix = "rw" if record["section"] == READING_AND_WRITING else "m"
        assert re.fullmatch(rf"pn-{prefix}-[a-z0-9]+(-[a-z0-9]+)*-\d{{3}}", record["external_id"])


def test_bank_reading_and_writing_passages_are_short_and_conventions_show_the_blank(records):
    for record in records:
        if record["section"] != READING_AND_WRITING:
            continue
        words = len(record["passage"].split()) + len(record["passage_b"].split())
        longest = 300 if record["skill"] == CROSS_TEXT_SKILL else 150
        assert 25 <= words <= longest, record["external_id"]
        if record["domain"] == "Standard English Conventions":
            assert "______" in record["passage"], record["external_id"]


def test_bank_never_repeats_a_passage_and_stem(records):
    texts = Counter((r["passage"], r["passage_b"], r["stem"]) for r in records)
    assert [text for text, count in texts.items() if count > 1] == []


def test_bank_spr_accepted_answers_are_all_the_same_number(records):
    # Every form is one a learner could enter for the first (exact) one: equal, or a decimal rounded
    # or truncated to fill the field. (Other questions may accept several different numbers.)
    for record in records:
        first, *others = record["answers"] or [""]
        assert all(spr_matches(answer, [first]) for answer in others), record["external_id"]


# --- Math notation: LaTeX between \( \) and \[ \], rendered to MathML by the question renderer ---

_FORMULA = re.compile(r"\\\(|\\\[")
# Plain-text math a Math item should have written as LaTeX (units such as cm³ stay text).
_PLAIN_MATH = re.compile(r"\d\s*[=<>≤≥≠]\s*-?\d|\b[a-z]\s*[=<>≤≥]\s|(?<!cm)[²³]|[√π]|\d/\d")


def _text_fields(record: dict) -> list[tuple[str, str]]:
    fields = [(name, record[name]) for name in ("passage", "passage_b", "stem", "explanation")]
    return fields + [(f"option {chr(65 + index)}", text) for index, text in enumerate(record["options"])]


def test_bank_math_renders_through_the_validator_every_path_uses(bank):
    # The fixture's import ran question_from_record and question_problems on every row (the path the
    # admin and question_save take too), refusing LaTeX it cannot render; here: it is stored as MathML.
    formulas = 0
    for question in bank:
        fields = [
            (question.stem, question.stem_html),
            (question.passage, question.passage_html),
            (question.passage_b, question.passage_b_html),
            (question.explanation, question.explanation_html),
        ]
        fields += [(option.text, option.text_html) for option in question.options.all()]
        for text, html in fields:
            found = len(find_math(text))
            formulas += found
            assert bool(found) <= ("<math" in html), question.external_id
    assert formulas > 500  # the Math items write their math as LaTeX


def test_bank_math_is_latex_and_spr_answers_stay_plain_entries(records):
    for record in records:
        assert not any(_FORMULA.search(answer) for answer in record["answers"]), record["external_id"]
        if record["section"] != "Math":
            continue
        for name, text in _text_fields(record):
            outside = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]|\*\*[^*]+\*\*", " ", text, flags=re.DOTALL)
            assert not _PLAIN_MATH.search(outside), (record["external_id"], name, outside)


def test_bank_figures_are_valid_and_drawn_with_a_text_alternative(bank):
    # The import refused any invalid spec (the one validator); every figure is stored as our own SVG.
    drawn = [question for question in bank if question.figure is not None]
    assert len(drawn) >= 40
    for question in drawn:
        assert figure_problems(question.figure) == [], question.external_id
        assert question.figure_svg.startswith("<svg") and question.figure_alt, question.external_id


def test_every_multiple_choice_explanation_names_the_key_and_answers_each_wrong_option(records):
    # "**B** is correct. <why>" (or "Choice B is correct"), then a bullet (or a "Choice X is incorrect"
    # sentence) for every other option: the explanation says why the key is right and each distractor wrong.
    for record in records:
        if record["type"] != "mcq":
            continue
        text, key = record["explanation"], record["correct"]
        assert f"**{key}** is correct" in text or f"Choice {key} is correct" in text, record["external_id"]
        wrong = " ".join(re.findall(r"(?m)^\s*[-*]\s.*$", text) + re.findall(r"Choices? [A-D][^.]*\.", text))
        for label in "ABCD".replace(key, ""):
            assert re.search(rf"(?<![\w\\])\**{label}\**(?!\w)", wrong), (record["external_id"], label)
