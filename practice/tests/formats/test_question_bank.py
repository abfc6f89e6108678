"""Integrity of the starter bank (practice/data/questions/*.json), checked through the real importer.

Every rule for a valid question is the importer's (services.questions.question_problems); what this
file adds is the starter bank's house style: coverage, id pattern, passage lengths, one number per SPR.
"""

import io
import re
from collections import Counter

import latex2mathml.converter
import pytest
from django.core.management import call_command

from practice.figures import figure_problems
from practice.formats.questions import RECORD_FIELDS, read_rows
from practice.models import CROSS_TEXT_SKILL, READING_AND_WRITING, Difficulty, Domain, Question, Skill
from practice.seeding import bank_files
from practice.services.questions import questions_import
from practice.spr import spr_matches

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not bank_files(), reason="the starter bank is not on this branch yet"),
]


@pytest.fixture
def bank():
    created = 0
    for path in bank_files():
        # Raises with row numbers on any invalid row.
        created += questions_import(rows=read_rows(path)).created
    assert created >= 200
    return Question.objects.select_related("skill__domain__section").prefetch_related("options")


def test_bank_has_200_published_questions_with_explanations(bank):
    assert bank.filter(status="published").count() >= 200
    assert not bank.filter(explanation="").exists()


def test_bank_covers_every_skill_five_times_and_every_difficulty_per_domain(bank):
    per_skill = Counter(q.skill_id for q in bank)
    thin = [s.name for s in Skill.objects.all() if per_skill[s.pk] < 5]
    assert thin == []
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


@pytest.mark.parametrize("path", bank_files(), ids=lambda path: path.name)
def test_bank_file_passes_the_import_check_and_the_check_writes_nothing(path):
    out = io.StringIO()
    call_command("import_questions", str(path), "--dry-run", stdout=out)
    assert "Dry run, nothing written: would have created" in out.getvalue()
    assert not Question.objects.exists()


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


def test_bank_math_notation_converts_and_figures_are_valid(records):
    # LaTeX between \( and \) must convert (the renderer uses latex2mathml); figures pass the spec.
    for record in records:
        texts = [record["stem"], record["explanation"], record["passage"], *record["options"]]
        for snippet in (s for text in texts for s in re.findall(r"\\\((.*?)\\\)", text, flags=re.S)):
            latex2mathml.converter.convert(snippet)
        assert figure_problems(record.get("figure")) == [], record["external_id"]
