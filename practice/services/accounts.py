"""Account writes: signup, the learner's profile and deleting an account with everything of theirs."""

import re
import secrets

from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import LegacyRecord, Profile, User
from ..selectors.dashboard import progress_version_key
from ..selectors.mail import mail_wanted
from .mail import mail_preference_set
from .verification import email_verification_send

DELETE_CONFIRMATION = "DELETE"


def username_base(email: str) -> str:
    """The username an account with this email gets, before a number is added to make it unique."""
    return re.sub(r"[^\w.+-]", "", email.split("@", 1)[0])[:120] or "learner"


def username_from_email(email: str) -> str:
    base = username_base(email)
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(10**6)}"
    return candidate


@transaction.atomic
def learner_signup(*, email: str, password: str, display_name: str = "") -> User:
    """Create a learner and their profile, and mail them a verification link, in one transaction."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists."})
    user = User(username=username_from_email(email), email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two signups raced past the check above; the unique index decided.
        raise ValidationError({"email": "An account with this email already exists."}) from exc
    Profile.objects.create(user=user, display_name=display_name.strip()[:80])
    email_verification_send(user=user)
    return user


@transaction.atomic
def profile_update(*, profile: Profile, reminders: bool | None = None, **fields) -> Profile:
    """Update a learner's profile fields after validating them, and their choice of daily reminders
    (`reminders`, when given and changed), together."""
    if reminders is not None and reminders != mail_wanted(user=profile.user, kind="reminder"):
        mail_preference_set(user=profile.user, kind="reminder", enabled=reminders, via="profile")
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=[*fields, "updated_at"])
    return profile


@transaction.atomic
def profile_get_or_create(*, user: User) -> Profile:
    """Return the user's profile, creating it for accounts made outside signup (createsuperuser)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete an account and every row that is theirs in one transaction; redact their legacy records.

    The rows go by the database's cascade from the user (sessions, answers, review items, flashcards,
    badges, snapshots, preferences, stats, activity, profile). Legacy records describing those rows or
    naming the account in their source row become rejected rows with no object, reason "redacted" and
    no raw data, so a re-run of the import still accounts for every source row but holds nothing of them.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    pk = user.pk
    legacy_records_redact(user=user)
    try:
        user.delete()
    except models.ProtectedError as exc:
        kinds = sorted(
            {f"{obj._meta.app_label} {obj._meta.verbose_name_plural}" for obj in exc.protected_objects}
        )
        raise ValidationError(
            f"This account still owns {', '.join(kinds)}; reassign or delete them first, then try again."
        ) from exc
    transaction.on_commit(lambda: _forget_cached(pk))


def _forget_cached(pk: int) -> None:
    cache.delete(progress_version_key(pk))
    cache.delete_pattern(f"learning:dashboard:{pk}:*")


def _cascade(user: User) -> list[tuple[type[models.Model], models.QuerySet]]:
    """(model, rows) for every row deleting USER removes by cascade, found through the app registry."""
    found = [(User, User.objects.filter(pk=user.pk))]
    queue, seen = list(found), {User}
    while queue:
        parent, rows = queue.pop(0)
        for relation in parent._meta.related_objects:
            if getattr(relation, "on_delete", None) is not models.CASCADE:
                continue
            child = relation.related_model
            child_rows = child._base_manager.filter(**{f"{relation.field.name}__in": rows.values("pk")})
            found.append((child, child_rows))
            if child not in seen:
                seen.add(child)
                queue.append((child, child_rows))
    return found


def legacy_records_redact(*, user: User) -> int:
    """Strip the legacy-id map of everything about USER: the records of their rows, and the rejected
    source rows that name their legacy account or their email. Returns how many records changed."""
    theirs = Q()
    for model, rows in _cascade(user):
        theirs |= Q(object_model=model._meta.label_lower, object_id__in=rows.values("pk"))
    accounts = LegacyRecord.objects.filter(object_model=User._meta.label_lower, object_id=user.pk)
    for source, sha256, legacy_id in accounts.values_list("source", "source_sha256", "legacy_id"):
        named = Q(raw__user_id=legacy_id) | Q(raw__user_id=str(legacy_id))
        theirs |= Q(source=source, source_sha256=sha256, state=LegacyRecord.State.REJECTED) & named
    theirs |= Q(table="users", state=LegacyRecord.State.REJECTED, raw__email__iexact=user.email)
    return LegacyRecord.objects.filter(theirs).update(
        state=LegacyRecord.State.REJECTED,
        object_model="",
        object_id=None,
        reason=f"redacted: the account was deleted on {timezone.now():%Y-%m-%d}",
        notes=[],
        repairs=[],
        raw={},
    )
