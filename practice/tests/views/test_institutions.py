"""Institution pages: classes, joining with a code, invitations, the access trail."""

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import AccessEvent, Classroom, Enrollment, Membership, User
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_classroom, make_school

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


def test_a_teacher_creates_a_class_with_an_unguessable_code(client):
    institution, _, teacher, _, _ = make_school()
    client.force_login(teacher)
    response = client.post(reverse("teach:class-create"), {"name": "SAT Math, period 2"})
    assert response.status_code == 302
    with _as_operator():
        classroom = Classroom.objects.get(name="SAT Math, period 2")
        assert classroom.institution == institution
        assert classroom.teacher_links.get().teacher == teacher
    assert len(classroom.join_code) == 11


def test_a_duplicate_class_name_is_a_422_with_a_message(client):
    _, _, teacher, classroom, _ = make_school()
    client.force_login(teacher)
    response = client.post(reverse("teach:class-create"), {"name": classroom.name.upper()})
    assert response.status_code == 422
    assert "already has a class called" in response.content.decode()


def test_a_learner_joins_by_code_once_and_a_wrong_code_is_refused(client):
    _, _, _, classroom, _ = make_school()
    learner = make_user()
    client.force_login(learner)
    url = reverse("practice:class-join")
    code = classroom.join_code
    spaced = f"{code[:4].lower()} {code[4:]}"
    assert client.post(url, {"code": spaced}).status_code == 302
    twice = client.post(url, {"code": code})
    assert twice.status_code == 409 and "already in" in twice.content.decode()
    with _as_operator():
        assert Enrollment.objects.filter(classroom=classroom, learner=learner).count() == 1
        assert Membership.objects.get(user=learner).role == "learner"
    response = client.post(url, {"code": "ZZZZZZZZZZZ"})
    assert response.status_code == 422
    assert "No open class has this code" in response.content.decode()
    assert client.post(url, {"code": "<script>"}).status_code == 422


def test_join_attempts_are_rate_limited(client, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "class-join": (3, 900)}
    client.force_login(make_user())
    url = reverse("practice:class-join")
    statuses = [client.post(url, {"code": "ZZZZZZZZZZZ"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]


def test_an_archived_class_cannot_be_joined(client):
    institution, *_ = make_school()
    classroom = make_classroom(institution, archived=True)
    client.force_login(make_user())
    assert client.post(reverse("practice:class-join"), {"code": classroom.join_code}).status_code == 422


def test_an_admin_invites_a_teacher_and_gets_a_one_time_link(client):
    institution, admin, *_ = make_school()
    client.force_login(admin)
    url = reverse("teach:institution-detail", args=[institution.pk])
    response = client.post(url, {"email": "new.teacher@example.org", "name": "Ms Rivera", "role": "teacher"})
    assert response.status_code == 200
    assert "/accounts/reset/" in response.content.decode()
    with _as_operator():
        membership = Membership.objects.get(user__email="new.teacher@example.org")
    assert membership.role == "teacher" and membership.invited_by == admin
    assert not membership.user.has_usable_password()
    # The admin typed the address, as for a roster's new accounts: verified by them.
    assert membership.user.email_verified_at is not None and membership.user.email_verified_by == admin
    assert client.post(url, {"email": "not-an-email", "role": "teacher"}).status_code == 422


def test_an_existing_account_joins_by_invitation_only_once_its_address_is_verified(client):
    institution, admin, *_ = make_school()
    someone = make_user(email="claimed@example.org")  # signed up themselves; address not verified
    client.force_login(admin)
    url = reverse("teach:institution-detail", args=[institution.pk])
    response = client.post(url, {"email": "Claimed@example.org", "role": "teacher"})
    assert response.status_code == 422 and "not verified yet" in response.content.decode()
    with _as_operator():
        assert not Membership.objects.filter(user=someone).exists()
    User.objects.filter(pk=someone.pk).update(email_verified_at=timezone.now(), email_verified_by=someone)
    assert client.post(url, {"email": "claimed@example.org", "role": "teacher"}).status_code == 200
    with _as_operator():
        assert Membership.objects.get(user=someone).role == "teacher"


def test_a_teacher_cannot_open_the_institution_admin_pages(client):
    institution, _, teacher, *_ = make_school()
    client.force_login(teacher)
    assert client.get(reverse("teach:institution-detail", args=[institution.pk])).status_code == 404
    assert client.get(reverse("teach:access-list", args=[institution.pk])).status_code == 404


def test_a_class_page_records_one_access_row_naming_every_learner(client, django_assert_max_num_queries):
    institution, admin, teacher, classroom, learners = make_school()
    client.force_login(teacher)
    assert client.get(classroom.get_absolute_url()).status_code == 200
    with _as_operator():
        event = AccessEvent.objects.get()
    assert event.actor == teacher and event.actor_role == "teacher"
    assert event.learner_ids == sorted(u.pk for u in learners)
    assert event.classroom_id == classroom.pk and event.institution_id == institution.pk
    # The learner sees who looked; the admin sees and exports the trail.
    client.force_login(learners[0])
    assert teacher.username in client.get(reverse("practice:access-mine")).content.decode()
    client.force_login(admin)
    assert (
        teacher.username in client.get(reverse("teach:access-list", args=[institution.pk])).content.decode()
    )
    export = client.get(reverse("teach:access-export", args=[institution.pk]))
    assert export.status_code == 200 and teacher.username in export.content.decode()


def test_someone_who_teaches_nowhere_gets_a_page_that_says_so(client):
    client.force_login(make_user())
    response = client.get(reverse("teach:class-list"))
    assert response.status_code == 403
    assert "Teachers only" in response.content.decode()


def test_the_dashboard_links_a_teachers_classes_and_a_learners_not(client):
    _, _, teacher, _, learners = make_school()
    client.force_login(teacher)
    assert reverse("teach:class-list") in client.get(reverse("practice:dashboard")).content.decode()
    client.force_login(learners[0])
    assert reverse("teach:class-list") not in client.get(reverse("practice:dashboard")).content.decode()
