"""Reads about mail: whether a user wants a kind of mail (docs/email.md)."""

from ..models import MAIL_DEFAULT_ENABLED, MAIL_KINDS, MailPreference, User


def mail_wanted(*, user: User, kind: str) -> bool:
    """Whether `user` wants mails of `kind`: always for an essential kind; else their MailPreference, or
    the kind's default when they have never said (reminders off, digests on)."""
    if MAIL_KINDS.get(kind, False):
        return True
    enabled = MailPreference.objects.filter(user=user, kind=kind).values_list("enabled", flat=True).first()
    return MAIL_DEFAULT_ENABLED.get(kind, True) if enabled is None else enabled
