"""Test form services on the real starter bank: assembly, publishing against the blueprint, cloning."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from practice.models import FormModule, FormSlot, Question, TestForm
from practice.services.forms import (
    form_assemble,
    form_clone,
    form_problems,
    form_publish,
    form_retire,
    forms_assemble,
)

from ..factories import make_question
from ..forms_factories import make_form, module_of

pytestmark = pytest.mark.django_db


def _layout(form: TestForm) -> list[tuple]:
    return list(
        FormSlot.objects.filter(module__form=form)
        .order_by("module__section__position", "module__stage", "module__variant", "position")
        .values_list("module__section__name", "module__variant", "position", "question_id", "pretest")
    )


def test_three_assembled_forms_are_published_valid_and_distinct_where_the_bank_allows(starter_bank):
    forms = forms_assemble(count=3, seed=7, publish=True)
    assert [form.name for form in forms] == ["Form A", "Form B", "Form C"]
    assert list(TestForm.objects.published()) == forms
    for form in forms:
        assert form.status == TestForm.Status.PUBLISHED and form.published_at is not None
        assert form_problems(form) == []
        assert FormSlot.objects.filter(module__form=form).count() == 3 * 27 + 3 * 22
    slots = FormSlot.objects.filter(module__form__in=forms).select_related("question__skill__domain")
    operational = Counter(slot.question_id for slot in slots if not slot.pretest)
    assert len(operational) >= 400  # of 405 operational slots
    demand, cell = Counter(), {}
    for slot in slots:
        key = (slot.question.skill.domain.name, slot.question.difficulty)
        demand[key] += 1
        cell[slot.question_id] = key
    bank = Counter(Question.objects.published().values_list("skill__domain__name", "difficulty").iterator())
    for question_id, uses in operational.items():
        if uses > 1:  # only where that domain and level held fewer items than the three forms needed
            assert bank[cell[question_id]] < demand[cell[question_id]], cell[question_id]


def test_assembly_is_deterministic_for_a_seed_and_bank(starter_bank):
    first = form_assemble(name="One", seed=3)
    layout = _layout(first)
    first.delete()
    assert _layout(form_assemble(name="One", seed=3)) == layout


def test_a_form_assembled_beside_a_retired_one_may_reuse_its_items(starter_bank):
    first = form_assemble(name="Old", seed=1)
    second = form_assemble(name="New", seed=1)
    old = set(
        FormSlot.objects.filter(module__form=first, pretest=False).values_list("question_id", flat=True)
    )
    new = set(
        FormSlot.objects.filter(module__form=second, pretest=False).values_list("question_id", flat=True)
    )
    assert not old & new
    form_retire(form=first)
    second.delete()
    again = form_assemble(name="New", seed=1)
    assert (
        set(FormSlot.objects.filter(module__form=again, pretest=False).values_list("question_id", flat=True))
        & old
    )


def test_publishing_a_form_that_breaks_the_blueprint_is_refused_with_every_reason():
    form = make_form()
    module = module_of(form, "Math", "routing")
    FormSlot.objects.create(module=module, position=1, question=make_question(status="draft", explanation=""))
    with pytest.raises(ValidationError) as refused:
        form_publish(form=form)
    reasons = refused.value.messages
    assert "Math module 1 (routing): it has 1 item; it needs 22 (20 operational and 2 pretest)." in reasons
    assert any("is not published" in reason for reason in reasons)
    assert (
        "Reading and Writing module 2 (harder): it has 0 items; it needs 27 (25 operational and 2 pretest)."
        in reasons
    )
    form.refresh_from_db()
    assert form.status == TestForm.Status.DRAFT and form.published_at is None


def test_an_item_in_two_modules_of_a_form_keeps_it_from_being_published(starter_bank):
    form = form_assemble(name="Twice", seed=2)
    easier, harder = module_of(form, "Math", "easier"), module_of(form, "Math", "harder")
    taken = FormSlot.objects.get(module=easier, position=1)
    FormSlot.objects.filter(module=harder, position=1).update(question=taken.question)
    with pytest.raises(ValidationError, match="appears 2 times in the form"):
        form_publish(form=form)


def test_clone_is_a_draft_copy_with_the_same_slots(starter_bank):
    form = form_publish(form=form_assemble(name="Form Z", seed=5))
    clone = form_clone(form=form)
    assert clone.name == "Form Z (copy)" and clone.slug == "form-z-copy"
    assert clone.status == TestForm.Status.DRAFT and clone.published_at is None
    assert FormModule.objects.filter(form=clone).count() == 6
    assert _layout(clone) == _layout(form)
    assert form_clone(form=form).slug == "form-z-copy-2"
    assert form_problems(clone) == []
