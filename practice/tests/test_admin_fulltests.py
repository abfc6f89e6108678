"""Full-length tests in the staff admin: staff record a learner's accommodations (who set them is kept),
and read learners' attempts; every look is in the access trail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import AccessEvent, TestAccommodation
from practice.services.fulltests import fulltest_start, fulltest_sync
from practice.tenancy import operator_access

from .factories import make_user
from .fulltest_factories import make_full_form
from .institution_factories import make_school, make_test_assignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_staff_record_accommodations_and_set_by_is_the_staff_user(client, staff):
    learner = make_user(username="sitter")
    response = client.post(
        reverse("admin:practice_testaccommodation_add"),
        {"learner": learner.pk, "time_multiplier": "1.5", "extended_breaks": "on", "note": "504 plan"},
    )
    assert response.status_code == 302
    accommodation = TestAccommodation.objects.get(learner=learner)
    assert accommodation.time_multiplier == "1.5" and accommodation.extended_breaks
    assert accommodation.set_by == staff and accommodation.note == "504 plan"
    change = reverse("admin:practice_testaccommodation_change", args=[accommodation.pk])
    assert client.get(change).status_code == 200
    client.post(change, {"time_multiplier": "2.0", "note": "504 plan, renewed"})
    accommodation.refresh_from_db()
    assert accommodation.time_multiplier == "2.0" and not accommodation.extended_breaks
    assert accommodation.learner == learner
    with operator_access(reason="test", actor="tests"):
        assert AccessEvent.objects.filter(
            what="admin: test accommodations", learner_ids=[learner.pk]
        ).exists()


def test_the_learner_search_finds_learners_for_the_accommodation_form(client, staff):
    make_user(username="findme")
    url = reverse("admin:autocomplete")
    response = client.get(
        url,
        {
            "app_label": "practice",
            "model_name": "testaccommodation",
            "field_name": "learner",
            "term": "findm",
        },
    )
    assert response.status_code == 200 and "findme" in response.content.decode()


def test_attempts_are_listed_read_only_with_scores_and_the_look_is_recorded(client, staff):
    make_full_form()
    learner = make_user(username="sitter")
    attempt = fulltest_sync(
        attempt=fulltest_start(learner=learner, now=timezone.now() - timedelta(hours=6)).attempt
    )
    url = reverse("admin:practice_testattempt_changelist")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "sitter" in html and str(attempt.total_score) in html
    assert client.get(url, {"status__exact": "completed"}).status_code == 200
    assert client.get(reverse("admin:practice_testattempt_change", args=[attempt.pk])).status_code == 200
    assert client.get(reverse("admin:practice_testattempt_add")).status_code == 403
    with operator_access(reason="test", actor="tests"):
        assert AccessEvent.objects.filter(what="admin: test attempts", learner_ids=[learner.pk]).exists()


def test_full_test_assignments_list_and_open_in_the_admin_with_their_kind(client, staff):
    form = make_full_form()
    classroom = make_school()[3]
    assignment = make_test_assignment(classroom, form=form, title="Mock 1")
    response = client.get(reverse("admin:practice_assignment_changelist"), {"kind__exact": "full_test"})
    assert response.status_code == 200 and "Mock 1" in response.content.decode()
    change = client.get(reverse("admin:practice_assignment_change", args=[assignment.pk]))
    assert change.status_code == 200 and form.name in change.content.decode()
