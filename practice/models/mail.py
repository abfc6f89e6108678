"""Outgoing mail: each mail as a row (its idempotency key, status, attempts) and each learner's choice of
which non-essential mails they want. The job that sends a row is in services.mail (docs/email.md)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

# kind -> essential. Essential mails (account security, operator alerts) ignore preferences and carry no
# unsubscribe link; the others can be turned off, and are sent only to a verified address.
MAIL_KINDS: dict[str, bool] = {
    "verify-email": True,
    "password-reset": True,
    "reminder": False,
    "digest": False,
    "alert": True,
}
# Kinds sent to an operator address, not to a user.
USERLESS_KINDS = frozenset({"alert"})
# Whether a non-essential kind is wanted when the user has never said: reminders are opt-in.
MAIL_DEFAULT_ENABLED: dict[str, bool] = {"reminder": False, "digest": True}


class OutboundMail(models.Model):
    """One mail: queued in the transaction that asks for it, sent by the `mail_deliver` job."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        FAILED = "failed"
        SKIPPED = "skipped"

    kind = models.CharField(max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_address = models.EmailField()
    # Which occurrence this is (a day, a week, a request's own id): with kind and address, the mail's
    # idempotency key.
    period = models.CharField(max_length=32)
    essential = models.BooleanField(default=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    subject = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "kind", Lower("to_address"), "period", name="outboundmail_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="outboundmail_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} for {self.period} ({self.status})"


class MailPreference(models.Model):
    """A user's choice for one non-essential kind; no row means the kind's default."""

    class Via(models.TextChoices):
        PROFILE = "profile"
        UNSUBSCRIBE_LINK = "unsubscribe-link"
        ADMIN = "admin"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    enabled = models.BooleanField()
    changed_at = models.DateTimeField(auto_now=True)
    changed_via = models.CharField(max_length=16, choices=Via.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="mailpreference_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.enabled else 'off'}"
