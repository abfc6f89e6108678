"""Institutions in the staff admin: staff pass the policies through the admin site's logged path, can
onboard an institution, filter every institution-owned model by institution, and every look at learners'
data is in the access trail."""

import pytest
from django.urls import reverse

from practice.models import AccessEvent, Institution, Membership
from practice.tenancy import operator_access

from .factories import make_user
from .institution_factories import make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_staff_onboard_an_institution_with_its_first_admin(staff_client):
    response = staff_client.post(
        reverse("admin:practice_institution_add"),
        {
            "name": "Hillside Academy",
            "slug": "hillside",
            "time_zone": "Europe/London",
            "admin_email": "head@hillside.example.org",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "one-time link to set a password" in response.content.decode()
    with operator_access(reason="test", actor="tests"):
        membership = Membership.objects.select_related("institution", "user").get()
    assert membership.institution.slug == "hillside" and membership.role == "admin"
    assert membership.user.email == "head@hillside.example.org"


@pytest.mark.parametrize(
    "model", ["membership", "classroom", "enrollment", "assignment", "assignmentprogress", "accessevent"]
)
def test_every_institution_owned_model_lists_and_filters_by_institution(staff_client, model):
    school_a = make_school(name="Lincoln High")[0]
    make_school(name="Roosevelt Prep")
    url = reverse(f"admin:practice_{model}_changelist")
    response = staff_client.get(url)
    assert response.status_code == 200
    assert "By institution" in response.content.decode() or "institution" in response.content.decode()
    filtered = staff_client.get(url, {"institution__id__exact": school_a.pk})
    assert filtered.status_code == 200


def test_staff_see_every_institutions_rows_and_the_look_is_on_record(staff_client):
    make_school(name="Lincoln High")
    make_school(name="Roosevelt Prep")
    response = staff_client.get(reverse("admin:practice_enrollment_changelist"))
    assert response.content.decode().count("/change/") >= 4  # 2 learners in each school
    with operator_access(reason="test", actor="tests"):
        event = AccessEvent.objects.get(what="admin: enrollments")
    assert event.actor_role == "staff" and len(event.learner_ids) == 4


def test_institutions_are_hidden_from_the_app_outside_the_admin():
    make_school(name="Lincoln High")
    assert not Institution.objects.exists()
