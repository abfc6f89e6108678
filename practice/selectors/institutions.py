"""Institution reads for the teacher pages, scoped by membership (the first wall; row-level security in
the database is the second).

Teachers see their own classes; institution admins see every class of their institution. Anything
else, including another institution's ids, is a 404. Every function takes the `Scope` the request
entered (`practice.tenancy.user_scope`), so it also runs inside that scope's transaction.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ..models import (
    AccessEvent,
    Assignment,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
    Role,
    User,
)
from ..tenancy import Scope


def institutions_for(scope: Scope) -> list[Institution]:
    return list(Institution.objects.filter(pk__in=scope.institution_ids).order_by("name"))


def admin_institution_get(*, scope: Scope, pk: int) -> Institution:
    """An institution the user administers, or 404."""
    if not scope.admin_of(pk):
        raise Http404("No such institution.")
    try:
        return Institution.objects.get(pk=pk)
    except Institution.DoesNotExist as exc:
        raise Http404("No such institution.") from exc


def classroom_list(*, scope: Scope, include_archived: bool = False) -> QuerySet[Classroom]:
    """The classes a user may open: every class where they are admin, their own where they teach."""
    admin_of = [pk for pk, role in scope.roles.items() if role == Role.ADMIN]
    teaches = ClassTeacher.objects.filter(classroom=OuterRef("pk"), teacher_id=scope.user_id)
    classes = (
        Classroom.objects.filter(institution_id__in=scope.institution_ids)
        .filter(Q(institution_id__in=admin_of) | Exists(teaches))
        .select_related("institution")
        .annotate(learner_count=Count("enrollments", distinct=True))
        .order_by("institution__name", "name", "pk")
    )
    return classes if include_archived else classes.filter(archived=False)


def classroom_get(*, scope: Scope, pk: int) -> Classroom:
    """A class the user teaches or administers, or 404 (whatever institution it belongs to)."""
    try:
        return classroom_list(scope=scope, include_archived=True).get(pk=pk)
    except Classroom.DoesNotExist as exc:
        raise Http404("No such class.") from exc


def classroom_teachers(*, classroom: Classroom) -> list[User]:
    return list(User.objects.filter(class_links__classroom=classroom).order_by("username"))


def classroom_learners(*, classroom: Classroom) -> QuerySet[User]:
    return (
        User.objects.filter(enrollments__classroom=classroom)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


def learner_in_classes_get(*, scope: Scope, classroom: Classroom, learner_pk: int) -> User:
    """A learner enrolled in this class (which the user may open), or 404."""
    try:
        return classroom_learners(classroom=classroom).get(pk=learner_pk)
    except User.DoesNotExist as exc:
        raise Http404("No such learner in this class.") from exc


def institution_staff(*, institution: Institution) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(institution=institution, role__in=[Role.ADMIN, Role.TEACHER])
        .select_related("user")
        .order_by("role", "user__username")
    )


def enrollment_exists(*, classroom: Classroom, learner: User) -> bool:
    return Enrollment.objects.filter(classroom=classroom, learner=learner).exists()


def assignment_get(*, scope: Scope, pk: int) -> Assignment:
    """An assignment of a class the user may open, or 404."""
    classes = classroom_list(scope=scope, include_archived=True).values("pk")
    try:
        return Assignment.objects.select_related("classroom__institution", "section", "form").get(
            pk=pk, classroom__in=classes
        )
    except Assignment.DoesNotExist as exc:
        raise Http404("No such assignment.") from exc


def access_events_for_institution(*, institution: Institution) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(institution=institution).order_by("-at", "-pk")


def access_events_for_learner(*, learner: User) -> QuerySet[AccessEvent]:
    """Every look at this learner's data (the trail's policy admits rows that name the learner)."""
    return AccessEvent.objects.filter(learner_ids__contains=[learner.pk]).order_by("-at", "-pk")
