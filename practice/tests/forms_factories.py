"""Helpers for the test-form tests: the real starter bank, and forms built slot by slot."""

from practice import seeding
from practice.formats.questions import read_rows
from practice.models import FormModule, FormSlot, Question, Section, TestForm
from practice.services.forms import form_create
from practice.services.questions import questions_import


def load_bank() -> int:
    """Import the real starter bank (practice/data/questions), published, as seed_demo does."""
    for path in seeding.bank_files():
        questions_import(rows=read_rows(path), status="published")
    return Question.objects.published().count()


def make_form(name: str = "Test form", **overrides) -> TestForm:
    """A draft form with its six empty modules."""
    return form_create(name=name, **overrides)


def module_of(form: TestForm, section: str, variant: str) -> FormModule:
    return FormModule.objects.get(form=form, section=Section.objects.get(name=section), variant=variant)


def fill(module: FormModule, questions, pretest=()) -> list[FormSlot]:
    """Put the questions in the module at positions 1, 2, ...; those in `pretest` are flagged."""
    pretest_ids = {q.pk for q in pretest}
    return FormSlot.objects.bulk_create(
        FormSlot(module=module, position=n, question=q, pretest=q.pk in pretest_ids)
        for n, q in enumerate(questions, start=1)
    )
