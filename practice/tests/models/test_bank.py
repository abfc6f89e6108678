import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from practice.models import Domain, Question, QuestionOption, Section, Skill

from ..factories import make_question

pytestmark = pytest.mark.django_db


def test_taxonomy_has_both_sections_all_domains_and_skills_with_weights():
    assert list(Section.objects.values_list("name", "seconds_per_question")) == [
        ("Reading and Writing", 71),
        ("Math", 95),
    ]
    weights = {d.name: float(d.weight) for d in Domain.objects.all()}
    assert weights == {
        "Information and Ideas": 0.26,
        "Craft and Structure": 0.28,
        "Expression of Ideas": 0.20,
        "Standard English Conventions": 0.26,
        "Algebra": 0.35,
        "Advanced Math": 0.35,
        "Problem-Solving and Data Analysis": 0.15,
        "Geometry and Trigonometry": 0.15,
    }
    for section in Section.objects.all():
        assert sum(d.weight for d in section.domains.all()) == 1
    assert Skill.objects.filter(domain__section__name="Reading and Writing").count() == 11
    assert Skill.objects.filter(domain__section__name="Math").count() == 19
    assert Skill.objects.filter(name="Cross-Text Connections", domain__name="Craft and Structure").exists()


@pytest.mark.parametrize(
    ("difficulty", "kind", "b", "c"), [("easy", "mcq", -1, 0.25), ("hard", "spr", 1, 0.0)]
)
def test_irt_parameters_default_from_difficulty_and_type(difficulty, kind, b, c):
    extra = {"spr_answers": ["2"]} if kind == "spr" else {}
    question = make_question(difficulty=difficulty, type=kind, **extra)
    assert (question.irt_a, question.irt_b, question.irt_c) == (1.0, b, c)


def test_markdown_is_rendered_and_sanitised():
    question = make_question(stem="Is **this** safe? <script>alert(1)</script><img src=x onerror=alert(1)>")
    assert "<strong>this</strong>" in question.stem_html
    assert "<script" not in question.stem_html
    assert "onerror" not in question.stem_html
    assert "<img" not in question.stem_html


def test_database_refuses_published_question_without_explanation():
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(explanation="")


def test_database_refuses_spr_without_answers_and_mcq_with_answers():
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(spr_answers=["3"])
    spr = make_question(type="spr", spr_answers=["3"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=spr.pk).update(spr_answers=[])


def test_database_refuses_two_correct_options():
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionOption.objects.filter(question=question, label="A").update(is_correct=True)


def test_database_refuses_published_mcq_without_four_options_at_commit():
    question = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionOption.objects.filter(question=question, label="D").delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # A draft may be incomplete while it is being written.
    draft = make_question(status="draft")
    with transaction.atomic():
        QuestionOption.objects.filter(question=draft, label="D").delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_database_refuses_bad_difficulty_and_duplicate_external_id():
    question = make_question(external_id="dup-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(difficulty="tough")
    with pytest.raises(ValidationError, match="already has the external id dup-1"):
        make_question(external_id="dup-1")
    other = make_question()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=other.pk).update(external_id="dup-1")
