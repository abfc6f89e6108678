"""Verified email: the signed link that proves a learner owns their address, sending it, and using it.

A link names the account and the address it verifies; it is good for EMAIL_VERIFY_MAX_AGE_HOURS and only
while the account still has that address. What a verified address unlocks: a roster matches an existing
account by verified email only (services/rosters.py), a legacy import merges only into a verified address
(legacy/base.py), and non-essential mail goes only to verified addresses (services/mail.py).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import User
from .mail import mail_queue

SALT = "practice.email-verify"
MAIL_KIND = "verify-email"


class VerifyLinkInvalid(Exception):
    """A verification link that cannot verify anything; the message says why, for the learner."""


def verify_token_make(*, user: User) -> str:
    """A signed, timestamped token naming the account and the address it verifies."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT)


def verify_token_read(token: str) -> tuple[int, str]:
    """(user id, lower-cased address) from a token; VerifyLinkInvalid if forged, mangled or expired."""
    max_age = timedelta(hours=settings.EMAIL_VERIFY_MAX_AGE_HOURS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise VerifyLinkInvalid(
            f"This link has expired: links are good for {settings.EMAIL_VERIFY_MAX_AGE_HOURS} hours."
        ) from None
    except (signing.BadSignature, ValueError):
        raise VerifyLinkInvalid("This link is not valid: it may have been cut short or changed.") from None
    if not (isinstance(data, dict) and isinstance(data.get("u"), int) and isinstance(data.get("e"), str)):
        raise VerifyLinkInvalid("This link is not valid: it may have been cut short or changed.")
    return data["u"], data["e"]


def verify_url(token: str) -> str:
    return settings.SITE_URL + reverse("email-verify", args=[token])


@transaction.atomic
def email_verification_send(*, user: User) -> str:
    """Queue a verification link to the user's current address, in the caller's transaction; return it."""
    token = verify_token_make(user=user)
    # The token's timestamp makes each requested link its own mail (the mail core's once-per-period key).
    mail_queue(
        kind=MAIL_KIND,
        user=user,
        period=token.rsplit(":", 2)[-2],
        context={
            "verify_url": verify_url(token),
            "username": user.username,
            "email": user.email,
            "max_age_hours": settings.EMAIL_VERIFY_MAX_AGE_HOURS,
        },
    )
    return token


def verify_link_check(*, token: str, user: User) -> None:
    """Raise VerifyLinkInvalid unless TOKEN is a live link for USER's account and current address."""
    user_id, address = verify_token_read(token)
    if user_id != user.pk:
        raise VerifyLinkInvalid(
            "This link is for a different account than the one you are signed in to. Log out, then open "
            "the link again and sign in to the account it was sent for."
        )
    if user.email.lower() != address:
        raise VerifyLinkInvalid(
            "This link was sent to an address your account no longer has. Ask for a new link to your "
            "current address."
        )


@transaction.atomic
def email_verify(*, token: str, user: User) -> User:
    """Mark USER's address verified by themself, if TOKEN is a live link for this account and address."""
    user = User.objects.select_for_update().get(pk=user.pk)
    verify_link_check(token=token, user=user)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.email_verified_by = user
        user.save(update_fields=["email_verified_at", "email_verified_by"])
    return user


@transaction.atomic
def user_email_change(*, user: User, email: str) -> User:
    """Give USER a new address: it is unverified until they follow the link mailed to it."""
    email = User.objects.normalize_email(email.strip())
    user = User.objects.select_for_update().get(pk=user.pk)
    if email == user.email:
        raise ValidationError({"email": "That is already your address."})
    taken = User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
    if taken:
        raise ValidationError({"email": "Another account already uses this address."})
    user.email = email
    user.email_verified_at = None
    user.email_verified_by = None
    user.full_clean(exclude=["password", "username"])
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at", "email_verified_by"])
    except IntegrityError as exc:
        # Another account took the address after the check above; the unique index decided.
        raise ValidationError({"email": "Another account already uses this address."}) from exc
    email_verification_send(user=user)
    return user
