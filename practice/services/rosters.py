"""Roster uploads: plan what a checked roster file would do (create, match, refuse each row), then commit
the plan all or nothing.

The preview and the commit run the same `roster_plan`; the commit re-plans inside its one transaction and
refuses unless every row is fine and the plan is the one the uploader saw (its digest), so nothing the
uploader did not see is written. Existing accounts are matched by verified email only: an address anyone
could have typed at signup does not let a roster pull that account into a class.
"""

import hashlib
import json
import secrets
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models.functions import Lower
from django.utils import timezone

from ..formats.roster import RosterRow
from ..models import Classroom, Enrollment, Institution, Membership, Profile, Role, User
from ..selectors.institutions import classroom_list
from ..tenancy import STAFF_ROLES, Scope, institution_scope
from .accounts import username_base
from .institutions import enrollments_add_bulk, set_password_path

CREATE, MATCH, ALREADY, REFUSE = "create", "match", "already", "refuse"
ACTION_LABELS = {
    CREATE: "New account",
    MATCH: "Existing account",
    ALREADY: "Already in class",
    REFUSE: "Refused",
}
UNVERIFIED = (
    "An account with this email exists but its address is not verified; the learner can join with the "
    "class code instead."
)
BATCH = 1000


@dataclass(frozen=True)
class PlannedRow:
    row: int
    email: str
    name: str
    class_name: str
    external_id: str
    action: str
    reason: str = ""
    classroom_id: int | None = None
    user_id: int | None = None

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass(frozen=True)
class RosterPlan:
    institution_id: int
    rows: list[PlannedRow]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.action for row in self.rows)
        return {action: found.get(action, 0) for action in ACTION_LABELS}

    @property
    def refused(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == REFUSE]

    @property
    def digest(self) -> str:
        """A fingerprint of what the commit would do: the same rows with the same actions and targets."""
        shape = [
            [r.row, r.email.casefold(), r.name, r.external_id, r.classroom_id, r.action, r.user_id]
            for r in self.rows
        ]
        payload = json.dumps([self.institution_id, shape], separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedAccount:
    row: int
    user_id: int
    email: str
    name: str
    class_name: str
    set_password_path: str


@dataclass(frozen=True)
class RosterResult:
    created: list[CreatedAccount]
    matched_ids: list[int]
    already_ids: list[int]

    @property
    def learner_ids(self) -> list[int]:
        return [a.user_id for a in self.created] + self.matched_ids + self.already_ids


def _uploader_scope(*, institution: Institution, actor: User) -> Scope:
    role = (
        Membership.objects.filter(institution=institution, user=actor, role__in=STAFF_ROLES)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise ValidationError(f"Only teachers and admins of {institution} can upload its rosters.")
    return Scope(actor.pk, {institution.pk: role})


def _email_key(email: str) -> str:
    return email.strip().lower()


def roster_plan(
    *,
    institution: Institution,
    actor: User,
    rows: list[RosterRow],
    default_classroom: Classroom | None = None,
) -> RosterPlan:
    """What committing these rows would do, row by row: create an account, match one, or refuse (why).

    Admins may name any active class of the institution, teachers only the classes they teach (the
    selectors' rule); a blank class means `default_classroom` (a class's own upload page).
    """
    with institution_scope([institution.pk], user_id=actor.pk):
        scope = _uploader_scope(institution=institution, actor=actor)
        classes = {c.name.casefold(): c for c in classroom_list(scope=scope).filter(institution=institution)}
        if default_classroom is not None:
            default_classroom = next((c for c in classes.values() if c.pk == default_classroom.pk), None)
            if default_classroom is None:
                raise ValidationError("You cannot add learners to that class (is it archived?).")
        emails = {_email_key(r.email) for r in rows if not r.problem}
        users = {
            u.email_key: u
            for u in User.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails)
            .only("pk", "email", "email_verified_at")
        }
        user_ids = [u.pk for u in users.values()]
        members = {
            m.user_id: m
            for m in Membership.objects.filter(institution=institution, user_id__in=user_ids).only(
                "user_id", "role", "external_id"
            )
        }
        enrolled = set(
            Enrollment.objects.filter(
                institution=institution, learner_id__in=user_ids, classroom__in=list(classes.values())
            ).values_list("classroom_id", "learner_id")
        )
        external_ids = {r.external_id for r in rows if r.external_id and not r.problem}
        id_owner = dict(
            Membership.objects.filter(institution=institution, external_id__in=external_ids).values_list(
                "external_id", "user_id"
            )
        )
        planned = [
            _row_plan(row, classes, default_classroom, users, members, enrolled, id_owner, institution)
            for row in rows
        ]
    return RosterPlan(institution_id=institution.pk, rows=planned)


def _row_plan(row, classes, default_classroom, users, members, enrolled, id_owner, institution) -> PlannedRow:
    fields = {
        "row": row.row,
        "email": row.email,
        "name": row.name,
        "class_name": row.class_name or (default_classroom.name if default_classroom else ""),
        "external_id": row.external_id,
    }

    def refuse(reason: str) -> PlannedRow:
        return PlannedRow(**fields, action=REFUSE, reason=reason)

    classroom = classes.get(row.class_name.casefold()) if row.class_name else default_classroom
    unknown = (
        f"No active class called “{row.class_name}” that you can add learners to." if row.class_name else ""
    )
    if row.problem:
        return refuse(" ".join(filter(None, [row.problem, unknown if classroom is None else ""])))
    if classroom is None:
        return refuse(unknown)
    fields["classroom_id"] = classroom.pk
    user = users.get(_email_key(row.email))
    owner = id_owner.get(row.external_id) if row.external_id else None
    if user is None:
        if owner is not None:
            return refuse(f"external_id {row.external_id} belongs to another member of {institution}.")
        return PlannedRow(**fields, action=CREATE)
    fields["user_id"] = user.pk
    membership = members.get(user.pk)
    if membership is not None and membership.role != Role.LEARNER:
        return refuse(
            f"{user.email} is a {membership.get_role_display().lower()} of {institution}; staff are not "
            "enrolled from a roster."
        )
    if user.email_verified_at is None:
        return refuse(UNVERIFIED)
    if owner is not None and owner != user.pk:
        return refuse(f"external_id {row.external_id} belongs to another member of {institution}.")
    if membership is not None and row.external_id and membership.external_id not in ("", row.external_id):
        return refuse(f"This learner's external_id here is {membership.external_id}, not {row.external_id}.")
    if (classroom.pk, user.pk) in enrolled:
        return PlannedRow(**fields, action=ALREADY, reason="Already in class.")
    return PlannedRow(**fields, action=MATCH)


def roster_commit(
    *,
    institution: Institution,
    actor: User,
    rows: list[RosterRow],
    digest: str,
    default_classroom: Classroom | None = None,
) -> RosterResult:
    """Carry out the previewed plan, all or nothing: new accounts (verified by `actor`, no password yet,
    each with a one-time set-password link), learner memberships and enrollments.

    Refused (ValidationError, nothing written) if any row is refused or the plan is no longer the one
    whose digest the preview showed.
    """
    try:
        with institution_scope([institution.pk], user_id=actor.pk):
            plan = roster_plan(
                institution=institution, actor=actor, rows=rows, default_classroom=default_classroom
            )
            if plan.refused:
                first = ", ".join(str(r.row) for r in plan.refused[:10])
                raise ValidationError(
                    f"{len(plan.refused):,} row(s) are refused (row {first}"
                    f"{'…' if len(plan.refused) > 10 else ''}); nothing was added. Fix the file and upload "
                    "it again."
                )
            if plan.digest != digest:
                raise ValidationError(
                    "Accounts or classes changed since the preview, so it no longer shows what would "
                    "happen; nothing was added. Upload the file again to see the new preview."
                )
            return _plan_write(plan=plan, institution=institution, actor=actor)
    except IntegrityError as exc:
        raise ValidationError(
            "Accounts or classes changed while the roster was being added; nothing was added. Upload the "
            "file again to see the new preview."
        ) from exc


def _usernames(emails: list[str]) -> list[str]:
    """Unique usernames for new accounts, as username_from_email makes them, one query per round."""
    bases = [username_base(email) for email in emails]
    names = list(bases)
    chosen: set[str] = set()
    pending = list(range(len(names)))
    while pending:
        taken = set(
            User.objects.annotate(key=Lower("username"))
            .filter(key__in={names[i].lower() for i in pending})
            .values_list("key", flat=True)
        )
        retry = []
        for i in pending:
            if names[i].lower() in taken or names[i].lower() in chosen:
                names[i] = f"{bases[i]}{secrets.randbelow(10**6)}"
                retry.append(i)
            else:
                chosen.add(names[i].lower())
        pending = retry
    return names


def _plan_write(*, plan: RosterPlan, institution: Institution, actor: User) -> RosterResult:
    now = timezone.now()
    new_rows = [r for r in plan.rows if r.action == CREATE]
    users = []
    for row, username in zip(new_rows, _usernames([r.email for r in new_rows]), strict=True):
        user = User(
            username=username,
            email=User.objects.normalize_email(row.email),
            email_verified_at=now,
            email_verified_by=actor,
        )
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=BATCH)
    Profile.objects.bulk_create(
        [
            Profile(user=user, display_name=row.name, time_zone=institution.time_zone)
            for row, user in zip(new_rows, users, strict=True)
        ],
        batch_size=BATCH,
    )
    matched = [r for r in plan.rows if r.action == MATCH]
    members = {
        m.user_id: m
        for m in Membership.objects.filter(
            institution=institution, user_id__in=[r.user_id for r in matched]
        ).only("pk", "user_id", "external_id")
    }
    Membership.objects.bulk_create(
        [
            Membership(
                institution=institution,
                user=user,
                role=Role.LEARNER,
                external_id=row.external_id,
                invited_by=actor,
            )
            for row, user in zip(new_rows, users, strict=True)
        ]
        + [
            Membership(
                institution=institution,
                user_id=row.user_id,
                role=Role.LEARNER,
                external_id=row.external_id,
                invited_by=actor,
            )
            for row in matched
            if row.user_id not in members
        ],
        batch_size=BATCH,
    )
    named = []
    for row in matched:
        membership = members.get(row.user_id)
        if membership is not None and row.external_id and not membership.external_id:
            membership.external_id = row.external_id
            named.append(membership)
    Membership.objects.bulk_update(named, ["external_id"], batch_size=BATCH)
    pairs = [(row.classroom_id, user.pk) for row, user in zip(new_rows, users, strict=True)]
    pairs += [(row.classroom_id, row.user_id) for row in matched]
    enrollments_add_bulk(
        institution=institution, pairs=pairs, source=Enrollment.Source.ROSTER, batch_size=BATCH
    )
    return RosterResult(
        created=[
            CreatedAccount(
                row=row.row,
                user_id=user.pk,
                email=user.email,
                name=row.name,
                class_name=row.class_name,
                set_password_path=set_password_path(user),
            )
            for row, user in zip(new_rows, users, strict=True)
        ],
        matched_ids=[r.user_id for r in matched],
        already_ids=[r.user_id for r in plan.rows if r.action == ALREADY],
    )
