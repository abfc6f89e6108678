"""`manage.py assemble_forms` and the demo forms seed_demo makes."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.core.management.color import no_style

from practice import seeding
from practice.models import Question, TestForm

from ..factories import load_sample_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_bank():
    """Only the nine-item sample bank: a starter bank the module loaded is deleted inside this test."""
    Question.objects.all().delete()
    return load_sample_questions()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("assemble_forms", *args, stdout=out)
    return out.getvalue()


def test_assemble_forms_publishes_new_forms_after_the_existing_ones(starter_bank):
    assert _run("--count", "2", "--seed", "4", "--publish").splitlines() == [
        "Form A (form-a): Published, meets the blueprint.",
        "Form B (form-b): Published, meets the blueprint.",
    ]
    assert _run("--count", "1").splitlines() == ["Form C (form-c): Draft, meets the blueprint."]
    assert list(TestForm.objects.values_list("name", "status")) == [
        ("Form A", "published"),
        ("Form B", "published"),
        ("Form C", "draft"),
    ]


def test_assemble_forms_fails_cleanly_on_a_bank_too_small(small_bank):
    with pytest.raises(CommandError, match="The bank cannot fill a form: Not enough published"):
        _run("--count", "1")
    with pytest.raises(CommandError, match="--count must be at least 1"):
        _run("--count", "0")
    assert not TestForm.objects.exists()


def test_seed_demo_forms_are_published_once(starter_bank):
    out = io.StringIO()
    seeding.seed_demo_forms(out, no_style())
    first = list(TestForm.objects.values_list("pk", "name", "status", "updated_at"))
    seeding.seed_demo_forms(out, no_style())
    assert list(TestForm.objects.values_list("pk", "name", "status", "updated_at")) == first
    assert [row[1:3] for row in first] == [
        ("Form A", "published"),
        ("Form B", "published"),
        ("Form C", "published"),
    ]
    assert (
        out.getvalue().count("Test forms: Form A (Published), Form B (Published), Form C (Published).") == 2
    )


def test_seed_demo_skips_forms_when_the_bank_is_too_small(small_bank):
    out = io.StringIO()
    seeding.seed_demo_forms(out, no_style())
    assert "the bank cannot fill a full-length form yet; skipping" in out.getvalue()
    assert not TestForm.objects.exists()
