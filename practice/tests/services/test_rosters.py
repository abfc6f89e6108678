"""Roster plan and commit: create, match by verified email only, refuse with reasons, all or nothing."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.utils import timezone

from practice.formats.roster import parse
from practice.models import AssignmentProgress, Enrollment, Membership, Role, User
from practice.services.rosters import roster_commit, roster_plan
from practice.tenancy import operator_access

from ..factories import make_user
from ..institution_factories import make_assignment, make_classroom, make_enrollment, make_member, make_school

pytestmark = pytest.mark.django_db


def _as_operator():
    return operator_access(reason="test", actor="tests")


def _rows(*lines: str, header: str = "email,name,class,external_id", class_required: bool = True):
    return parse("\n".join([header, *lines]).encode(), class_required=class_required).rows


def _verified(**fields) -> User:
    user = make_user(**fields)
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def _commit(institution, actor, rows, **kwargs):
    plan = roster_plan(institution=institution, actor=actor, rows=rows, **kwargs)
    return roster_commit(institution=institution, actor=actor, rows=rows, digest=plan.digest, **kwargs)


def test_the_plan_creates_matches_and_refuses_each_row_with_a_reason():
    institution, admin, teacher, classroom, learners = make_school()
    known = _verified(email="known@example.com")
    make_user(email="unverified@example.com")
    already = learners[0]
    with _as_operator():
        User.objects.filter(pk=already.pk).update(email_verified_at=timezone.now())
    rows = _rows(
        f"new@example.com,New One,{classroom.name},S-1",
        f"KNOWN@example.com,Known,{classroom.name.upper()},",
        f"unverified@example.com,Unverified,{classroom.name},",
        f"{teacher.email},Teacher,{classroom.name},",
        f"{already.email},Already,{classroom.name},",
        "other@example.com,Other,No Such Class,",
        "bad-email,Bad,P1,",
    )
    plan = roster_plan(institution=institution, actor=admin, rows=rows)
    actions = [(r.row, r.action) for r in plan.rows]
    assert actions == [
        (2, "create"),
        (3, "match"),
        (4, "refuse"),
        (5, "refuse"),
        (6, "already"),
        (7, "refuse"),
        (8, "refuse"),
    ]
    reasons = {r.row: r.reason for r in plan.rows}
    assert "its address is not verified; the learner can join with the class code instead" in reasons[4]
    assert "is a teacher of" in reasons[5]
    assert "No active class called “No Such Class”" in reasons[7]
    assert "not an email address" in reasons[8]
    assert plan.counts == {"create": 1, "match": 1, "already": 1, "refuse": 4}
    assert plan.rows[1].user_id == known.pk


def test_a_teacher_may_name_only_the_classes_they_teach():
    institution, admin, teacher, classroom, _ = make_school()
    other = make_classroom(institution, teachers=[admin])
    rows = _rows(f"a@example.com,A,{classroom.name},", f"b@example.com,B,{other.name},")
    plan = roster_plan(institution=institution, actor=teacher, rows=rows)
    assert [r.action for r in plan.rows] == ["create", "refuse"]
    assert [r.action for r in roster_plan(institution=institution, actor=admin, rows=rows).rows] == [
        "create",
        "create",
    ]


def test_someone_who_is_not_staff_of_the_institution_cannot_plan():
    institution, _, _, _, learners = make_school()
    _, other_admin, _, _, _ = make_school()
    rows = _rows("a@example.com,A,X,")
    for actor in (learners[0], other_admin):
        with pytest.raises(ValidationError):
            roster_plan(institution=institution, actor=actor, rows=rows)


def test_commit_creates_verified_accounts_memberships_and_enrollments_with_assignments():
    institution, admin, _, classroom, _ = make_school()
    assignment = make_assignment(classroom)
    existing = _verified(email="existing@example.com")
    rows = _rows(
        f"New@Example.COM,New Learner,{classroom.name},S-1",
        f"existing@example.com,Existing,{classroom.name},S-2",
    )
    result = _commit(institution, admin, rows)
    assert len(result.created) == 1 and result.matched_ids == [existing.pk]
    new = User.objects.get(email__iexact="new@example.com")
    assert new.email == "New@example.com"  # the domain is normalised, as at signup
    assert not new.has_usable_password()
    assert new.email_verified_at is not None and new.email_verified_by == admin
    assert new.profile.display_name == "New Learner"
    account = result.created[0]
    _, token = account.set_password_path.rstrip("/").split("/")[-2:]
    assert default_token_generator.check_token(new, token)
    with _as_operator():
        members = dict(
            Membership.objects.filter(institution=institution, user__in=[new, existing]).values_list(
                "user_id", "external_id"
            )
        )
        assert members == {new.pk: "S-1", existing.pk: "S-2"}
        assert Membership.objects.get(institution=institution, user=new).role == Role.LEARNER
        sources = set(
            Enrollment.objects.filter(classroom=classroom, learner__in=[new, existing]).values_list(
                "source", flat=True
            )
        )
        assert sources == {Enrollment.Source.ROSTER}
        assert (
            AssignmentProgress.objects.filter(assignment=assignment, learner__in=[new, existing]).count() == 2
        )


def test_a_refused_row_means_nothing_is_written():
    institution, admin, _, classroom, _ = make_school()
    make_user(email="unverified@example.com")
    users_before = User.objects.count()
    rows = _rows(f"a@example.com,A,{classroom.name},", f"unverified@example.com,U,{classroom.name},")
    plan = roster_plan(institution=institution, actor=admin, rows=rows)
    with pytest.raises(ValidationError, match="row 3"):
        roster_commit(institution=institution, actor=admin, rows=rows, digest=plan.digest)
    assert User.objects.count() == users_before
    with _as_operator():
        assert Enrollment.objects.filter(classroom=classroom).count() == 2  # the school's own two


def test_a_plan_that_changed_since_the_preview_is_refused():
    institution, admin, _, classroom, _ = make_school()
    rows = _rows(f"late@example.com,Late,{classroom.name},")
    plan = roster_plan(institution=institution, actor=admin, rows=rows)
    _verified(email="late@example.com")  # signed up (and verified) between preview and commit
    with pytest.raises(ValidationError, match="changed since the preview"):
        roster_commit(institution=institution, actor=admin, rows=rows, digest=plan.digest)
    with _as_operator():
        assert not Enrollment.objects.filter(learner__email="late@example.com").exists()


def test_committing_the_same_roster_again_creates_nothing():
    institution, admin, _, classroom, _ = make_school()
    rows = _rows(f"a@example.com,A,{classroom.name},1", f"b@example.com,B,{classroom.name},2")
    assert len(_commit(institution, admin, rows).created) == 2
    users = User.objects.count()
    plan = roster_plan(institution=institution, actor=admin, rows=rows)
    assert [r.action for r in plan.rows] == ["already", "already"]
    again = _commit(institution, admin, rows)
    assert again.created == [] and len(again.already_ids) == 2
    assert User.objects.count() == users


def test_an_external_id_of_another_member_is_refused():
    institution, admin, _, classroom, learners = make_school()
    with _as_operator():
        Membership.objects.filter(institution=institution, user=learners[0]).update(external_id="S-9")
    plan = roster_plan(
        institution=institution, actor=admin, rows=_rows(f"z@example.com,Z,{classroom.name},S-9")
    )
    assert plan.rows[0].action == "refuse" and "S-9 belongs to another member" in plan.rows[0].reason


def test_a_class_page_roster_defaults_blank_classes_to_that_class():
    institution, _, teacher, classroom, _ = make_school()
    rows = _rows("a@example.com,A", header="email,name", class_required=False)
    result = _commit(institution, teacher, rows, default_classroom=classroom)
    with _as_operator():
        assert Enrollment.objects.filter(classroom=classroom, learner_id=result.created[0].user_id).exists()


def test_a_learner_of_another_institution_with_a_verified_email_is_matched():
    institution, admin, _, classroom, _ = make_school()
    other_institution, _, _, other_class, _ = make_school()
    learner = _verified(email="shared@example.com")
    make_enrollment(other_class, learner)
    result = _commit(institution, admin, _rows(f"shared@example.com,S,{classroom.name},"))
    assert result.matched_ids == [learner.pk]
    with _as_operator():
        assert set(Membership.objects.filter(user=learner).values_list("institution_id", flat=True)) == {
            institution.pk,
            other_institution.pk,
        }


def test_a_full_size_roster_commits_in_bulk(django_assert_max_num_queries):
    institution, admin, _, classroom, _ = make_school()
    make_member(institution, Role.TEACHER)
    make_assignment(classroom)
    rows = _rows(*[f"bulk{n}@example.com,Bulk {n},{classroom.name},B{n}" for n in range(5000)])
    plan = roster_plan(institution=institution, actor=admin, rows=rows)
    with django_assert_max_num_queries(80):
        result = roster_commit(institution=institution, actor=admin, rows=rows, digest=plan.digest)
    assert len(result.created) == 5000
    with _as_operator():
        assert Enrollment.objects.filter(classroom=classroom).count() == 5002
        assert AssignmentProgress.objects.filter(assignment__classroom=classroom).count() == 5000
