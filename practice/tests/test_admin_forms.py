"""Test forms in the admin: list, change page with modules and summary, slots, clone and publish."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from practice.models import FormModule, FormSlot, TestForm
from practice.services.forms import form_assemble, form_publish

from .factories import make_user
from .forms_factories import make_form, module_of

pytestmark = pytest.mark.django_db
QUERY_BUDGET = 11  # session, user, form, modules, blueprint (3), summary (2), slot table


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, action, *forms):
    return client.post(
        reverse("admin:practice_testform_changelist"),
        {"action": action, "_selected_action": [form.pk for form in forms]},
        follow=True,
    )


def test_staff_list_forms_and_add_one_with_its_six_modules(staff_client):
    response = staff_client.post(
        reverse("admin:practice_testform_add"), {"name": "Spring mock", "slug": "spring-mock", "notes": ""}
    )
    assert response.status_code == 302
    form = TestForm.objects.get(slug="spring-mock")
    assert form.status == TestForm.Status.DRAFT and form.modules.count() == 6
    response = staff_client.get(reverse("admin:practice_testform_changelist"))
    assert b"Spring mock" in response.content


def test_form_change_page_shows_modules_summary_and_blueprint_in_few_queries(
    staff_client, starter_bank, django_assert_max_num_queries
):
    empty = make_form(name="Empty")
    with django_assert_max_num_queries(QUERY_BUDGET):  # the same budget, empty or full: no N+1
        assert staff_client.get(reverse("admin:practice_testform_change", args=[empty.pk])).status_code == 200
    form = form_assemble(name="Form Q", seed=1)
    url = reverse("admin:practice_testform_change", args=[form.pk])
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = staff_client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Meets the blueprint." in page
    assert "Module 2 (harder): 25 operational + 2 pretest" in page
    assert "Module 1 (routing): 20 operational + 2 pretest" in page
    assert "Craft and Structure" in page and "Geometry and Trigonometry" in page
    module = module_of(form, "Math", "easier")
    assert f"?module__id__exact={module.pk}" in page
    slot = FormSlot.objects.select_related("question__skill").get(module=module, position=22)
    assert f"<td>{slot.question.external_id}</td>" in page and slot.question.skill.name in page


def test_publish_action_refuses_a_form_that_breaks_the_blueprint_with_its_reasons(staff_client):
    form = make_form(name="Half done")
    response = _action(staff_client, "publish_selected", form)
    assert response.status_code == 200
    shown = _messages(response)
    assert "Half done was not published: 6 blueprint problem(s)." in shown
    assert (
        "Half done: Math module 2 (easier): it has 0 items; it needs 22 (20 operational and 2 pretest)."
        in shown
    )
    form.refresh_from_db()
    assert form.status == TestForm.Status.DRAFT


def test_publish_and_clone_actions_on_a_valid_form(staff_client, starter_bank):
    form = form_assemble(name="Form P", seed=2)
    assert "Published Form P." in _messages(_action(staff_client, "publish_selected", form))
    form.refresh_from_db()
    assert form.status == TestForm.Status.PUBLISHED
    shown = _messages(_action(staff_client, "clone_selected", form))
    assert "Cloned Form P as the draft Form P (copy)." in shown
    clone = TestForm.objects.get(name="Form P (copy)")
    assert clone.status == TestForm.Status.DRAFT
    assert (
        FormSlot.objects.filter(module__form=clone).count()
        == FormSlot.objects.filter(module__form=form).count()
    )


def test_module_page_lists_slots_with_their_question_and_edits_them_on_a_draft(staff_client, starter_bank):
    form = form_assemble(name="Form E", seed=3)
    module = module_of(form, "Math", "harder")
    url = reverse("admin:practice_formmodule_change", args=[module.pk])
    page = staff_client.get(url).content.decode()
    slot = FormSlot.objects.select_related("question__skill").get(module=module, position=1)
    assert slot.question.external_id in page and slot.question.skill.name in page
    other = FormSlot.objects.filter(module=module_of(form, "Math", "easier")).first()
    data = _slot_formset(module)
    data["slots-0-question"] = str(other.question_id)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "is already in Module 2 (easier)." in response.content.decode()
    assert FormSlot.objects.get(pk=slot.pk).question_id == slot.question_id
    data["slots-0-question"] = str(slot.question_id)
    data["slots-0-pretest"] = "on"
    assert staff_client.post(url, data).status_code == 302
    assert FormSlot.objects.get(pk=slot.pk).pretest


def test_a_published_form_is_read_only_in_the_admin(staff_client, starter_bank):
    form = form_publish(form=form_assemble(name="Form R", seed=4))
    module = module_of(form, "Math", "routing")
    url = reverse("admin:practice_formmodule_change", args=[module.pk])
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, _slot_formset(module)).status_code == 403
    response = staff_client.post(
        reverse("admin:practice_testform_change", args=[form.pk]), {"name": "Renamed", "slug": form.slug}
    )
    assert response.status_code == 403
    form.refresh_from_db()
    assert form.name == "Form R"
    assert (
        staff_client.post(
            reverse("admin:practice_testform_delete", args=[form.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    response = staff_client.get(reverse("admin:practice_testform_changelist"))
    assert "delete_selected" not in response.context["action_form"].fields["action"].choices.__repr__()


def test_slot_list_filters_by_form_and_pretest(staff_client, starter_bank):
    form = form_assemble(name="Form F", seed=6)
    url = reverse("admin:practice_formslot_changelist")
    response = staff_client.get(url, {"module__form__id__exact": form.pk, "pretest__exact": "1"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 12


def _slot_formset(module: FormModule) -> dict:
    slots = list(FormSlot.objects.filter(module=module).order_by("position"))
    data = {
        "slots-TOTAL_FORMS": str(len(slots)),
        "slots-INITIAL_FORMS": str(len(slots)),
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    for n, slot in enumerate(slots):
        data |= {
            f"slots-{n}-id": str(slot.pk),
            f"slots-{n}-module": str(module.pk),
            f"slots-{n}-position": str(slot.position),
            f"slots-{n}-question": str(slot.question_id),
        }
        if slot.pretest:
            data[f"slots-{n}-pretest"] = "on"
    return data
