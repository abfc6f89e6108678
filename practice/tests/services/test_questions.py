import pytest
from django.core.exceptions import ValidationError

from practice.formats.questions import read_rows
from practice.models import Question, Skill
from practice.seeding import bank_files
from practice.services.questions import ImportFailed, question_publish_many, questions_import

from ..factories import make_question, sample_records

pytestmark = pytest.mark.django_db


def test_publish_refuses_question_without_explanation_or_proper_options():
    draft = make_question(status="draft", explanation="")
    published, refusals = question_publish_many(questions=Question.objects.filter(pk=draft.pk))
    assert published == 0 and "explanation" in refusals[0]
    with pytest.raises(ValidationError, match="Exactly one option must be marked correct"):
        make_question(options=[("1", True), ("2", True), ("3", False), ("4", False)])


def test_save_refuses_repeated_options_and_a_second_passage_outside_cross_text():
    with pytest.raises(ValidationError, match="Options B and D are the same"):
        make_question(options=[("1", False), ("2", True), ("3", False), ("2", False)])
    with pytest.raises(ValidationError, match="Only a Cross-Text Connections question has a second"):
        make_question(passage="One text.", passage_b="Another text.")
    cross_text = Skill.objects.get(name="Cross-Text Connections")
    with pytest.raises(ValidationError, match="needs both passages"):
        make_question(skill=cross_text, passage="One text.", passage_b="")
    make_question(skill=cross_text, passage="One text.", passage_b="Another text.")
    assert Question.objects.count() == 1


def test_save_renders_latex_to_mathml_and_refuses_latex_it_cannot_render():
    question = make_question(
        stem="If \\(f(x) = \\frac{2}{3}x^2\\), what is \\(f(3)\\)? It costs $5.",
        explanation="\\[ f(3) = \\frac{2}{3} \\cdot 9 = 6 \\]",
        options=[("\\(2\\)", False), ("\\(6\\)", True), ("\\(\\sqrt{6}\\)", False), ("9", False)],
    )
    assert "<mfrac>" in question.stem_html and "$5" in question.stem_html
    assert question.explanation_html.startswith('<p><math display="block">')
    assert question.options.get(label="C").text_html.startswith('<math display="inline"><mrow><msqrt>')
    with pytest.raises(ValidationError) as raised:
        make_question(stem="Line one\n\\(\\frca{1}{2}\\)", passage="\\(x")
    assert raised.value.message_dict["stem"] == ["line 2: unknown LaTeX command \\frca"]
    assert raised.value.message_dict["passage"] == ["line 1: \\( is not closed (end the formula with \\))"]
    with pytest.raises(ValidationError, match=r"Option D, line 1: unknown LaTeX command \\\\bogus"):
        make_question(options=[("1", False), ("2", True), ("3", False), ("\\(\\bogus\\)", False)])


def test_import_refuses_invalid_latex_naming_the_row_field_and_line():
    record = sample_records()[4] | {"explanation": "First\nSecond \\(\\frac{1}{2\\)"}
    with pytest.raises(ImportFailed) as raised:
        questions_import(rows=[(7, record)])
    assert raised.value.errors == [
        "row 7: explanation, line 2: unbalanced braces: a { without its }, or a } without its {"
    ]
    assert not Question.objects.exists()


def test_saving_a_question_reject_math_even_when_clean_is_skipped():
    question = make_question()
    question.stem = "\\(\\frca\\)"
    with pytest.raises(ValueError, match="unknown LaTeX command"):
        question.save()


def test_reimporting_the_bank_rerenders_questions_saved_before_their_math_was_latex():
    # What seed_demo (and import_questions) do on an existing database: questions whose text changed are
    # saved again through question_save, so their *_html fields are rendered anew, options included.
    path = next(path for path in bank_files() if path.name == "math.json")
    record = next(record for _, record in read_rows(path) if record["external_id"] == "pn-m-leq1-003")
    old = record | {
        "stem": "If (2/3)x \u2212 4 = 10, what is the value of x?",
        "options": ["9", "28/3", "21", "42"],
    }
    questions_import(rows=[(1, old)])
    stored = Question.objects.get(external_id="pn-m-leq1-003")
    assert "<math" not in stored.stem_html
    report = questions_import(rows=[(1, record)])
    assert report.updated == 1
    stored.refresh_from_db()
    assert "<mfrac>" in stored.stem_html
    assert stored.options.get(label="B").text_html.startswith('<math display="inline"><mrow><mfrac>')
