"""Account writes: signup and the learner's profile."""

import re
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Profile, User


def _username_from_email(email: str) -> str:
    base = re.sub(r"[^\w.+-]", "", email.split("@", 1)[0])[:120] or "learner"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(10**6)}"
    return candidate


@transaction.atomic
def learner_signup(*, email: str, password: str, display_name: str = "") -> User:
    """Create a learner and their profile in one transaction; email is unique in any case."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists."})
    user = User(username=_username_from_email(email), email=email)
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
    return user


@transaction.atomic
def profile_update(*, profile: Profile, **fields) -> Profile:
    """Update a learner's profile fields after validating them."""
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
