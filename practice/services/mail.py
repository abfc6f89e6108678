"""Outgoing mail. A mail is queued in the transaction that asks for it (`mail_queue`: a row with its
idempotency key, and the job that sends it); the `mail_deliver` job sends it over SMTP from the worker,
never inside a request, retrying with the worker's backoff. Non-essential mails carry a one-click
unsubscribe link (RFC 8058). See docs/email.md."""

from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from ..models import MAIL_KINDS, USERLESS_KINDS, MailPreference, OutboundMail, User
from ..selectors.mail import mail_wanted

_UNSUBSCRIBE_SALT = "practice.mail.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """A signed token naming the user and the kind, for the unsubscribe link; it does not expire."""
    return signing.dumps([user_id, kind], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """The (user id, kind) a token names; signing.BadSignature for a wrong, tampered or malformed one."""
    try:
        value = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (ValueError, UnicodeError) as exc:  # a signed value that is not the JSON we wrote
        raise signing.BadSignature("malformed token") from exc
    if not (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
        and value[1] in MAIL_KINDS
    ):
        raise signing.BadSignature("malformed token")
    return value[0], value[1]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("practice:mail-unsubscribe", args=[token])


def mail_queue(
    *,
    kind: str,
    period: str,
    context: dict,
    user: User | None = None,
    to_address: str = "",
    essential: bool | None = None,
) -> OutboundMail | None:
    """Queue one mail of `kind` to the user's current address (or `to_address`) for `period`, in the
    caller's transaction, with its send job. Returns None, queueing nothing, when that (kind, address,
    period) is already queued or sent, when the user has no address, or when a non-essential kind is
    turned off for the user (MailPreference) or the user's address is not verified.

    `context` must be JSON-serialisable: it is stored on the row and rendered by the job."""
    if essential is None:
        essential = MAIL_KINDS.get(kind, False)
    if user is not None:
        if to_address and to_address.lower() != (user.email or "").lower():
            raise ValueError("A user's mail goes to the user's current address; leave to_address empty.")
        to_address = user.email or ""
        if not essential and (user.email_verified_at is None or not mail_wanted(user=user, kind=kind)):
            return None
    elif kind not in USERLESS_KINDS and not essential:
        raise ValueError(f"A {kind!r} mail needs a user (for its unsubscribe link).")
    if not to_address:
        return None
    key = {"kind": kind, "period": period}
    if OutboundMail.objects.annotate(to=Lower("to_address")).filter(to=to_address.lower(), **key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: losing a race leaves the caller's transaction usable
            mail = OutboundMail.objects.create(
                user=user, to_address=to_address, essential=essential, context=context, **key
            )
            mail_deliver.enqueue(mail_id=mail.pk)
    except IntegrityError:
        return None  # the same mail, queued by a concurrent transaction that committed first
    return mail


@transaction.atomic
def mail_preference_set(*, user: User, kind: str, enabled: bool, via: str) -> MailPreference:
    """Record the user's choice for a kind of mail ("profile", "unsubscribe-link" or "admin")."""
    if via not in MailPreference.Via.values:
        raise ValueError(f"Unknown way of changing a preference: {via!r}.")
    preference, _ = MailPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled, "changed_via": via}
    )
    return preference


def _skip_reason(mail: OutboundMail) -> str:
    """Why a queued mail must not go out now, or ""."""
    if mail.kind in USERLESS_KINDS and mail.user_id is None:
        return ""
    if mail.user is None:
        return "The recipient's account was deleted."
    if (mail.user.email or "").lower() != mail.to_address.lower():
        return "The recipient's address changed after the mail was queued."
    if not mail.essential and not mail_wanted(user=mail.user, kind=mail.kind):
        return "The recipient turned this kind of mail off after it was queued."
    return ""


def _message(mail: OutboundMail) -> EmailMultiAlternatives:
    context = {**mail.context, "site_url": settings.SITE_URL, "user": mail.user, "kind": mail.kind}
    headers = {"Message-ID": mail.message_id, "Auto-Submitted": "auto-generated"}
    if not mail.essential and mail.user_id is not None:
        context["unsubscribe_url"] = unsubscribe_url(user_id=mail.user_id, kind=mail.kind)
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject = " ".join(render_to_string(f"mail/{mail.kind}.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"mail/{mail.kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to_address],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"mail/{mail.kind}.html", context), "text/html")
    mail.subject = subject[:255]
    return message


@task(queue_name="mail")
def mail_deliver(*, mail_id: int) -> str:
    """Send one queued mail, once: its row is locked while it is sent, and a sent row is left alone. An
    SMTP error raises, so the worker runs the job again after its backoff; after the last attempt
    (TASK_MAX_ATTEMPTS) the row is marked failed with the error. Once the row is sent, skipped or failed,
    its context (which may hold a secret, such as a reset link's token) is cleared. Returns the status."""
    error = None
    with transaction.atomic():
        mail = OutboundMail.objects.select_for_update(of=("self",)).select_related("user").get(pk=mail_id)
        if mail.status != OutboundMail.Status.QUEUED:
            return mail.status
        reason = _skip_reason(mail)
        if reason:
            mail.status, mail.last_error, mail.context = OutboundMail.Status.SKIPPED, reason, {}
            mail.save(update_fields=["status", "last_error", "context"])
            return mail.status
        mail.attempts += 1
        mail.message_id = mail.message_id or make_msgid(domain=_message_domain())
        try:
            _message(mail).send()
        except Exception as exc:  # SMTP, network or template: recorded, then raised for the retry
            error = exc
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if mail.attempts >= settings.TASK_MAX_ATTEMPTS:
                mail.status = OutboundMail.Status.FAILED
        else:
            mail.status, mail.sent_at, mail.last_error = OutboundMail.Status.SENT, timezone.now(), ""
        if mail.status != OutboundMail.Status.QUEUED:
            mail.context = {}  # done with: a reset link's token is not kept once it has been sent
        fields = ["status", "attempts", "sent_at", "last_error", "message_id", "subject", "context"]
        mail.save(update_fields=fields)
    if error is not None:
        raise error
    return mail.status


# Finished mails are kept this long: the staff's record of what was sent, and the idempotency key of any
# period a job could still queue for (weeks at most).
MAIL_KEEP_DAYS = 90


@task()
def mail_prune(*, period: str) -> int:
    """Daily: delete mails finished (sent, skipped, failed) more than MAIL_KEEP_DAYS ago."""
    before = timezone.now() - timedelta(days=MAIL_KEEP_DAYS)
    with transaction.atomic():
        deleted, _ = (
            OutboundMail.objects.exclude(status=OutboundMail.Status.QUEUED)
            .filter(created_at__lt=before)
            .delete()
        )
    return deleted


def _message_domain() -> str:
    """The domain of Message-IDs: the sender's."""
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rpartition("@")[2] or "prepnexus.invalid"
