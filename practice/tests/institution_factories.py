"""Plain factories for institutions, classes, enrollments and assignments (written past the policies, as
an operator would, so tests can set up any institution's rows)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from practice.models import (
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
    Role,
    Section,
)
from practice.tenancy import operator_access

from .factories import make_user

_seq = itertools.count(1)


def _as_operator():
    return operator_access(reason="test setup", actor="tests")


def make_institution(**overrides) -> Institution:
    n = next(_seq)
    fields = {"name": f"School {n}", "slug": f"school-{n}"} | overrides
    with _as_operator():
        return Institution.objects.create(**fields)


def make_member(institution: Institution, role: str = Role.TEACHER, user=None, **user_fields) -> Membership:
    user = user or make_user(**user_fields)
    with _as_operator():
        return Membership.objects.create(institution=institution, user=user, role=role)


def make_classroom(institution: Institution, *, teachers=(), **overrides) -> Classroom:
    n = next(_seq)
    with _as_operator():
        classroom = Classroom.objects.create(institution=institution, **({"name": f"Class {n}"} | overrides))
        for teacher in teachers:
            ClassTeacher.objects.create(institution=institution, classroom=classroom, teacher=teacher)
    return classroom


def make_enrollment(classroom: Classroom, learner=None) -> Enrollment:
    learner = learner or make_user()
    with _as_operator():
        Membership.objects.get_or_create(
            institution_id=classroom.institution_id, user=learner, defaults={"role": Role.LEARNER}
        )
        return Enrollment.objects.create(
            institution_id=classroom.institution_id, classroom=classroom, learner=learner
        )


def make_assignment(classroom: Classroom, *, learners=(), **overrides) -> Assignment:
    now = timezone.now()
    fields = {
        "title": f"Set {next(_seq)}",
        "section": Section.objects.get(slug="math"),
        "opens_at": now - timedelta(hours=1),
        "due_at": now + timedelta(days=2),
    } | overrides
    with _as_operator():
        assignment = Assignment.objects.create(
            institution_id=classroom.institution_id, classroom=classroom, **fields
        )
        for learner in learners:
            AssignmentProgress.objects.create(
                institution_id=classroom.institution_id, assignment=assignment, learner=learner
            )
    return assignment


def make_test_assignment(classroom: Classroom, *, learners=(), form=None, **overrides) -> Assignment:
    """A full-length test assignment (of `form`, or each learner's next unseen one)."""
    fields = {"kind": Assignment.Kind.FULL_TEST, "form": form, "section": None, "length": None}
    fields |= {"difficulty": "", "mode": ""}
    return make_assignment(classroom, learners=learners, **(fields | overrides))


def make_school(**overrides):
    """An institution with an admin, a teacher, a class they teach and two enrolled learners."""
    institution = make_institution(**overrides)
    admin = make_member(institution, Role.ADMIN).user
    teacher = make_member(institution, Role.TEACHER).user
    classroom = make_classroom(institution, teachers=[teacher])
    learners = [make_enrollment(classroom).learner for _ in range(2)]
    return institution, admin, teacher, classroom, learners
