"""The database holds a test form's structure: one module per place, unique positions and items."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from practice.models import FormModule, FormSlot, Section

from ..factories import make_question
from ..forms_factories import make_form, module_of

pytestmark = pytest.mark.django_db


def _duplicate_raises(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        FormModule.objects.create(**fields)


def test_a_new_form_gets_its_six_modules_sized_and_timed_by_the_blueprint():
    form = make_form()
    modules = {
        (m.section.name, m.stage, m.variant): (m.length, m.time_limit_seconds) for m in form.modules.all()
    }
    assert modules == {
        ("Reading and Writing", 1, "routing"): (27, 1920),
        ("Reading and Writing", 2, "easier"): (27, 1920),
        ("Reading and Writing", 2, "harder"): (27, 1920),
        ("Math", 1, "routing"): (22, 2100),
        ("Math", 2, "easier"): (22, 2100),
        ("Math", 2, "harder"): (22, 2100),
    }


def test_one_module_per_form_section_stage_and_variant():
    form = make_form()
    math = Section.objects.get(name="Math")
    _duplicate_raises(form=form, section=math, stage=2, variant="easier", length=22, time_limit_seconds=2100)


@pytest.mark.parametrize(("stage", "variant"), [(1, "easier"), (1, "harder"), (2, "routing"), (3, "routing")])
def test_stage_and_variant_must_agree(stage, variant):
    form = make_form()
    form.modules.all().delete()
    math = Section.objects.get(name="Math")
    _duplicate_raises(
        form=form, section=math, stage=stage, variant=variant, length=22, time_limit_seconds=2100
    )


def test_a_position_and_a_question_are_used_once_per_module():
    module = module_of(make_form(), "Math", "routing")
    first, second = make_question(), make_question()
    FormSlot.objects.create(module=module, position=1, question=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormSlot.objects.create(module=module, position=1, question=second)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormSlot.objects.create(module=module, position=2, question=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        FormSlot.objects.create(module=module, position=0, question=second)


def test_a_question_in_a_form_cannot_be_deleted():
    question = make_question()
    FormSlot.objects.create(module=module_of(make_form(), "Math", "routing"), position=1, question=question)
    with pytest.raises(ProtectedError):
        question.delete()


def test_form_slugs_are_unique():
    make_form(name="Form A")
    assert make_form(name="Form A").slug == "form-a-2"
