"""The second wall: PostgreSQL's row-level security, proved through the app's own connection."""

import pytest
from django.db import DatabaseError, connection, transaction

from practice.models import (
    AccessEvent,
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
)
from practice.tenancy import institution_scope, join_code_scope, operator_access, user_scope

from ..institution_factories import make_assignment, make_school

pytestmark = pytest.mark.django_db

INSTITUTION_MODELS = [Membership, Classroom, ClassTeacher, Enrollment, Assignment, AssignmentProgress]


@pytest.fixture
def two_schools():
    a = make_school(name="Lincoln High")
    b = make_school(name="Roosevelt Prep")
    make_assignment(a[3], learners=a[4])
    make_assignment(b[3], learners=b[4])
    return a, b


def test_the_app_connects_as_a_role_that_row_level_security_binds():
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'practice\\_%%' "
            "AND relrowsecurity AND relforcerowsecurity ORDER BY relname"
        )
        forced = {row[0] for row in cursor.fetchall()}
    assert {m._meta.db_table for m in [*INSTITUTION_MODELS, AccessEvent, Institution]} <= forced


def test_an_unscoped_query_in_institution_a_returns_no_row_of_b(two_schools):
    (a, *_), (_b, *_) = two_schools
    with institution_scope([a.pk]):
        for model in INSTITUTION_MODELS:
            rows = list(model.objects.all())  # deliberately unscoped
            assert rows, model.__name__
            assert {row.institution_id for row in rows} == {a.pk}, model.__name__
        assert list(Institution.objects.all()) == [a]


def test_with_no_context_the_database_shows_no_institution_row(two_schools):
    for model in [*INSTITUTION_MODELS, AccessEvent, Institution]:
        assert not model.objects.exists(), model.__name__
    with operator_access(reason="test", actor="tests"):
        assert Membership.objects.count() == 8  # 2 x (admin, teacher, 2 learners)


def test_a_write_for_another_institution_is_refused_by_the_database(two_schools):
    (a, *_), (b, _, _, b_class, _) = two_schools
    with (
        institution_scope([a.pk]),
        pytest.raises(DatabaseError, match="row-level security"),
        transaction.atomic(),
    ):
        Enrollment.objects.create(institution_id=b.pk, classroom_id=b_class.pk, learner_id=a.pk)
    with institution_scope([a.pk]):
        # An UPDATE of B's rows finds none to change.
        assert Classroom.objects.filter(institution_id=b.pk).update(name="Taken") == 0
    with operator_access(reason="test", actor="tests"):
        assert Classroom.objects.get(pk=b_class.pk).name != "Taken"


def test_the_context_is_per_transaction_and_leaves_no_trace(two_schools):
    (a, *_), _ = two_schools
    with institution_scope([a.pk]):
        assert Classroom.objects.count() == 1
        with operator_access(reason="test", actor="tests"):
            assert Classroom.objects.count() == 2
        assert Classroom.objects.count() == 1  # the nested block's bypass ended with it
    assert Classroom.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('app.institution_ids', true), current_setting('app.rls_bypass', true)"
        )
        assert cursor.fetchone() in [("", ""), (None, None)]


def test_user_scope_sees_the_institutions_of_the_users_roles(two_schools):
    (a, _admin, teacher, classroom, learners), (_b, *_) = two_schools
    with user_scope(teacher, roles=["admin", "teacher"]) as scope:
        assert scope.roles == {a.pk: "teacher"}
        assert set(Classroom.objects.values_list("pk", flat=True)) == {classroom.pk}
    with user_scope(learners[0], roles=["admin", "teacher"]) as scope:
        assert scope.roles == {}
        assert not Classroom.objects.exists()


def test_a_join_code_reveals_its_class_and_nothing_else(two_schools):
    (_a, _, _, classroom, _), (_b, _, _, _other, _) = two_schools
    with join_code_scope(classroom.join_code):
        assert list(Classroom.objects.all()) == [classroom]
        assert not Enrollment.objects.exists()
    with join_code_scope("NOT-A-CODE"):
        assert not Classroom.objects.exists()


def test_the_access_trail_refuses_update_and_delete(two_schools):
    (a, admin, *_), _ = two_schools
    with institution_scope([a.pk]):
        event = AccessEvent.objects.create(
            institution=a,
            actor=admin,
            actor_name="admin",
            actor_role="admin",
            what="class overview",
            learner_ids=[1],
        )
    statements = ("UPDATE practice_accessevent SET what = 'x'", "DELETE FROM practice_accessevent")
    # The policies have no UPDATE or DELETE rule: not even the operator path changes a row.
    with operator_access(reason="test", actor="tests"), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            assert cursor.rowcount == 0
    # Where row-level security does not apply (a superuser; here the owner with FORCE lifted inside this
    # test's transaction), the trigger refuses.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE practice_accessevent NO FORCE ROW LEVEL SECURITY")
        for statement in statements:
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE practice_accessevent FORCE ROW LEVEL SECURITY")
    with operator_access(reason="test", actor="tests"):
        assert AccessEvent.objects.get(pk=event.pk).what == "class overview"


def test_a_learner_sees_the_trail_rows_that_name_them_only(two_schools):
    (a, admin, _, _, learners), _ = two_schools
    with institution_scope([a.pk]):
        AccessEvent.objects.create(
            institution=a,
            actor=admin,
            actor_name="admin",
            actor_role="admin",
            what="roster",
            learner_ids=[learners[0].pk],
        )
    with user_scope(learners[1], roles=[]):
        assert not AccessEvent.objects.exists()
    with user_scope(learners[0], roles=[]):
        assert AccessEvent.objects.count() == 1


def test_deleting_an_account_removes_its_hidden_institution_rows(two_schools):
    from practice.services.accounts import account_delete

    (_a, _, _, _, learners), _ = two_schools
    account_delete(user=learners[0])
    with operator_access(reason="test", actor="tests"):
        assert not Enrollment.objects.filter(learner_id=learners[0].pk).exists()
        assert not AssignmentProgress.objects.filter(learner_id=learners[0].pk).exists()
        assert Enrollment.objects.filter(learner_id=learners[1].pk).exists()
