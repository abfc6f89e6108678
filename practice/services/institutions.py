"""Institution writes: onboarding an institution and its first admin, inviting teachers, classes, joining a
class with its code, and the access trail.

Every function here runs inside the tenancy context its caller set (`practice.tenancy`): the policies of
the database admit only rows of the institutions in that context, so a write for another institution
fails there even if a check here were missed.
"""

from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from ..models import (
    AccessEvent,
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
    Profile,
    Role,
    User,
)
from ..tenancy import institution_scope, join_code_scope
from .accounts import username_from_email

JOIN_CODE_CHARACTERS = set("23456789ABCDEFGHJKMNPQRSTVWXYZ")


@dataclass(frozen=True)
class Invitation:
    """A user to be told about their new membership, with a one-time link to set a password if needed."""

    user: User
    created: bool
    set_password_path: str | None


def set_password_path(user: User) -> str:
    """A one-time link to choose a password: Django's reset token dies once the password changes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )


def _user_for_email(*, email: str, name: str = "", verified_by: User | None = None) -> tuple[User, bool]:
    """The account with this email (any case), or a new one with no usable password yet (its address
    verified by VERIFIED_BY, who typed it, as a roster's new accounts are)."""
    email = User.objects.normalize_email(email.strip())
    existing = User.objects.filter(email__iexact=email).first()
    if existing:
        return existing, False
    user = User(username=username_from_email(email), email=email)
    if verified_by is not None:
        user.email_verified_at, user.email_verified_by = timezone.now(), verified_by
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"email": "An account with this email was created at the same moment; retry."}
        ) from exc
    Profile.objects.create(user=user, display_name=name.strip()[:80])
    return user, True


def _invitation(user: User, created: bool) -> Invitation:
    return Invitation(
        user=user, created=created, set_password_path=set_password_path(user) if created else None
    )


@transaction.atomic
def institution_create(
    *,
    name: str,
    admin_email: str,
    admin_name: str = "",
    slug: str = "",
    time_zone: str = "UTC",
    default_test_date=None,
) -> tuple[Institution, Invitation]:
    """Create an institution and its first admin (operators and platform staff, under operator_access)."""
    institution = Institution(
        name=name.strip(),
        slug=slug or slugify(name)[:60],
        time_zone=time_zone,
        default_test_date=default_test_date,
    )
    institution.full_clean()
    institution.save()
    user, created = _user_for_email(email=admin_email, name=admin_name)
    Membership.objects.create(institution=institution, user=user, role=Role.ADMIN)
    return institution, _invitation(user, created)


@transaction.atomic
def member_invite(
    *, institution: Institution, email: str, name: str = "", role: str = Role.TEACHER, invited_by: User | None
) -> Invitation:
    """Add a teacher or admin (or learner) to the institution, creating their account if needed."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose admin, teacher or learner."})
    user, created = _user_for_email(email=email, name=name, verified_by=invited_by)
    membership = Membership.objects.filter(institution=institution, user=user).first()
    if membership is None and user.email_verified_at is None:
        # Whoever signed up with this address may not own it: as for a roster, only a verified one joins.
        raise ValidationError(
            {
                "email": f"{user.email} belongs to an account whose address is not verified yet. Ask its "
                "owner to verify it (the link is on their dashboard), then invite them again."
            }
        )
    if membership is None:
        Membership.objects.create(institution=institution, user=user, role=role, invited_by=invited_by)
    elif membership.role != role:
        if membership.role == Role.ADMIN or role == Role.LEARNER:
            raise ValidationError(
                {"email": f"{user.email} is already a {membership.get_role_display().lower()} here."}
            )
        membership.role = role
        membership.save(update_fields=["role"])
    return _invitation(user, created)


@transaction.atomic
def classroom_create(*, institution: Institution, name: str, teachers: list[User]) -> Classroom:
    """A new class with its teachers (who must be teachers or admins of the institution)."""
    name = name.strip()
    staff = set(
        Membership.objects.filter(
            institution=institution, user__in=teachers, role__in=[Role.TEACHER, Role.ADMIN]
        ).values_list("user_id", flat=True)
    )
    strangers = [t.email for t in teachers if t.pk not in staff]
    if strangers:
        raise ValidationError({"teachers": f"Not a teacher of {institution}: {', '.join(strangers)}."})
    classroom = Classroom(institution=institution, name=name)
    classroom.full_clean(exclude=["join_code"], validate_constraints=False)
    if Classroom.objects.filter(institution=institution, name__iexact=name, archived=False).exists():
        raise ValidationError({"name": f"{institution} already has a class called {name}."})
    try:
        with transaction.atomic():
            classroom.save()
    except IntegrityError as exc:
        raise ValidationError({"name": f"{institution} already has a class called {name}."}) from exc
    ClassTeacher.objects.bulk_create(
        [ClassTeacher(institution=institution, classroom=classroom, teacher=t) for t in teachers]
    )
    return classroom


@transaction.atomic
def classroom_update(
    *, classroom: Classroom, name: str | None = None, archived: bool | None = None
) -> Classroom:
    fields = []
    if name is not None:
        classroom.name = name.strip()
        fields.append("name")
    if archived is not None:
        classroom.archived = archived
        fields.append("archived")
    classroom.full_clean(exclude=["join_code"], validate_constraints=False)
    try:
        with transaction.atomic():
            classroom.save(update_fields=fields)
    except IntegrityError as exc:
        raise ValidationError({"name": "Another active class has this name."}) from exc
    return classroom


@transaction.atomic
def classroom_new_code(*, classroom: Classroom) -> Classroom:
    """Give the class a fresh join code (the old one stops working at once)."""
    classroom.join_code = Classroom._meta.get_field("join_code").default()
    classroom.save(update_fields=["join_code"])
    return classroom


def normalise_join_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enrollment_add(*, classroom: Classroom, learner: User, source: str) -> tuple[Enrollment, bool]:
    """Enroll a learner (making them a learner of the institution if they are not a member yet) and hand
    them the class's open whole-class assignments. Runs in the caller's transaction and context."""
    Membership.objects.get_or_create(
        institution_id=classroom.institution_id, user=learner, defaults={"role": Role.LEARNER}
    )
    enrollment = Enrollment.objects.filter(classroom=classroom, learner=learner).first()
    if enrollment:
        return enrollment, False
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                institution_id=classroom.institution_id, classroom=classroom, learner=learner, source=source
            )
    except IntegrityError:
        return Enrollment.objects.get(classroom=classroom, learner=learner), False
    AssignmentProgress.objects.bulk_create(
        [
            AssignmentProgress(institution_id=classroom.institution_id, assignment_id=pk, learner=learner)
            for pk, _ in _open_assignments([classroom.pk])
        ],
        ignore_conflicts=True,
    )
    return enrollment, True


def _open_assignments(classroom_ids) -> list[tuple[int, int]]:
    """(assignment id, class id) of the whole-class assignments a learner joining these classes gets."""
    return list(
        Assignment.objects.filter(
            classroom_id__in=classroom_ids, whole_class=True, due_at__gt=timezone.now()
        ).values_list("pk", "classroom_id")
    )


def enrollments_add_bulk(
    *, institution: Institution, pairs: list[tuple[int, int]], source: str, batch_size: int = 1000
) -> list[Enrollment]:
    """`enrollment_add` for many (class id, learner id) pairs at once, all new (a roster commit): the
    learners must already be members; each gets the class's open whole-class assignments. A pair that is
    enrolled meanwhile raises IntegrityError, so the caller's transaction fails whole."""
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(institution=institution, classroom_id=class_id, learner_id=learner_id, source=source)
            for class_id, learner_id in pairs
        ],
        batch_size=batch_size,
    )
    by_class: dict[int, list[int]] = {}
    for assignment_id, class_id in _open_assignments({class_id for class_id, _ in pairs}):
        by_class.setdefault(class_id, []).append(assignment_id)
    AssignmentProgress.objects.bulk_create(
        [
            AssignmentProgress(institution=institution, assignment_id=assignment_id, learner_id=learner_id)
            for class_id, learner_id in pairs
            for assignment_id in by_class.get(class_id, ())
        ],
        ignore_conflicts=True,
        batch_size=batch_size,
    )
    return enrollments


def classroom_join(*, learner: User, code: str) -> tuple[Classroom, bool]:
    """Join the class with this code. Returns (class, joined now); a wrong or archived code is refused."""
    code = normalise_join_code(code)
    if not code or set(code) - JOIN_CODE_CHARACTERS:
        raise ValidationError({"code": "That is not a class code. Check it with your teacher."})
    with join_code_scope(code):
        classroom = Classroom.objects.filter(join_code=code).first()
        if classroom is None or classroom.archived:
            raise ValidationError({"code": "No open class has this code. Check it with your teacher."})
        with institution_scope([classroom.institution_id], user_id=learner.pk):
            membership = Membership.objects.filter(
                institution_id=classroom.institution_id, user=learner
            ).first()
            if membership and membership.role != Role.LEARNER:
                raise ValidationError(
                    {"code": "You teach at this institution; join classes as a learner only."}
                )
            _, joined = enrollment_add(classroom=classroom, learner=learner, source=Enrollment.Source.CODE)
    return classroom, joined


def access_record(
    *,
    actor: User,
    role: str,
    institution_id: int | None,
    what: str,
    learner_ids,
    classroom_id=None,
    action: str = AccessEvent.Action.VIEW,
    path: str = "",
    client_ip: str | None = None,
) -> AccessEvent:
    """Record one look at learners' data: one INSERT per page, naming every learner shown."""
    return AccessEvent.objects.create(
        institution_id=institution_id,
        actor=actor,
        actor_name=actor.get_username()[:150],
        actor_role=role[:16],
        action=action,
        what=what[:120],
        classroom_id=classroom_id,
        learner_ids=sorted(set(learner_ids)),
        path=path[:300],
        client_ip=client_ip,
    )
