"""The mail core: a mail queued in a transaction is sent once, over real SMTP, by the worker; a down SMTP
server means retries, then a failed row; a recipient who changed their address gets nothing."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from practice.models import MailPreference, OutboundMail
from practice.selectors.mail import mail_wanted
from practice.services.mail import MAIL_KEEP_DAYS, mail_preference_set, mail_prune, mail_queue

from ..factories import make_user
from ..jobs import queued, run_jobs
from ..mails import mail_templates, parts  # noqa: F401 (mail_templates is a fixture)

pytestmark = pytest.mark.usefixtures("mail_templates")


def _verified(**kwargs):
    return make_user(email_verified_at=timezone.now(), **kwargs)


@pytest.mark.django_db
def test_a_mail_queued_in_a_transaction_is_sent_by_the_worker_with_text_and_html(smtp_server):
    user = make_user()
    with transaction.atomic():
        mail = mail_queue(
            kind="note", period="2026-12-03", context={"name": "Ada"}, user=user, essential=True
        )
    assert mail.status == "queued" and smtp_server.messages == []  # nothing is sent in the request
    assert len(queued("mail_deliver")) == 1 and queued("mail_deliver")[0].queue_name == "mail"
    assert run_jobs() == 1
    [message] = smtp_server.messages
    assert message["To"] == user.email and message["Subject"] == "A note for Ada"
    assert message.get_content_type() == "multipart/alternative"
    received = parts(message)
    assert "Hello Ada," in received["text/plain"] and "<p>Hello Ada,</p>" in received["text/html"]
    assert "List-Unsubscribe" not in message  # essential
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.subject) == ("sent", 1, "A note for Ada")
    assert mail.sent_at is not None and mail.message_id == message["Message-ID"]


@pytest.mark.django_db
def test_the_same_kind_address_and_period_is_sent_once(smtp_server):
    user = make_user()
    first = mail_queue(kind="note", period="w1", context={"name": "A"}, user=user, essential=True)
    assert first is not None
    assert mail_queue(kind="note", period="w1", context={"name": "B"}, user=user, essential=True) is None
    alert = {"kind": "note", "period": "w1", "context": {}, "essential": True}
    assert mail_queue(to_address=user.email.upper(), **alert) is None  # the address's case does not matter
    assert mail_queue(kind="note", period="w2", context={"name": "C"}, user=user, essential=True) is not None
    run_jobs()
    assert sorted(m["Subject"] for m in smtp_server.messages) == ["A note for A", "A note for C"]
    # Once sent, the same key still queues nothing.
    assert mail_queue(kind="note", period="w1", context={"name": "D"}, user=user, essential=True) is None
    assert run_jobs() == 0 and len(smtp_server.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_two_transactions_racing_to_queue_the_same_mail_queue_it_once(smtp_server):
    barrier = threading.Barrier(2)
    results = []

    def race():
        try:
            with transaction.atomic():
                barrier.wait()
                results.append(
                    mail_queue(kind="alert", period="p1", context={}, to_address="ops@example.org")
                )
                time.sleep(0.3)  # both have checked and inserted before either commits
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r is None for r in results) == [False, True]
    assert OutboundMail.objects.count() == 1 and len(queued("mail_deliver")) == 1


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=3, TASK_RETRY_SECONDS=10)
def test_a_down_smtp_server_means_a_retry_later(smtp_server):
    smtp_server.stop()
    mail = mail_queue(kind="note", period="p", context={"name": "A"}, user=make_user(), essential=True)
    before = timezone.now()
    run_jobs()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("queued", 1) and "Connection" in mail.last_error
    [job] = DBTaskResult.objects.all()
    assert job.status == TaskResultStatus.READY and job.run_after >= before + timedelta(seconds=10)
    assert run_jobs() == 0  # waiting its backoff


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=2, TASK_RETRY_SECONDS=0)
def test_after_the_last_attempt_the_mail_is_failed_with_its_error(smtp_server):
    smtp_server.stop()
    mail = mail_queue(kind="note", period="p", context={"name": "A"}, user=make_user(), essential=True)
    run_jobs()
    run_jobs()
    assert run_jobs() == 0
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == ("failed", 2) and "ConnectionRefusedError" in mail.last_error
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED


@pytest.mark.django_db
@override_settings(TASK_MAX_ATTEMPTS=3, TASK_RETRY_SECONDS=60)
def test_a_mail_is_sent_once_the_smtp_server_is_back(settings, smtp_server):
    settings.EMAIL_PORT = _free_closed_port()
    mail = mail_queue(kind="note", period="p", context={"name": "A"}, user=make_user(), essential=True)
    run_jobs()
    settings.EMAIL_PORT = smtp_server.port
    DBTaskResult.objects.update(run_after=timezone.now())  # its backoff is over
    run_jobs()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == ("sent", 2, "")
    assert len(smtp_server.messages) == 1


def _free_closed_port() -> int:
    import socket  # only this test needs a port nothing listens on

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_a_recipient_whose_address_changed_or_was_deleted_gets_nothing(smtp_server):
    changed, deleted = make_user(), make_user()
    mails = [
        mail_queue(kind="note", period="p", context={"name": "A"}, user=user, essential=True)
        for user in (changed, deleted)
    ]
    changed.email = "new-address@example.org"
    changed.save()
    deleted.delete()
    run_jobs()
    assert smtp_server.messages == []
    for mail in mails:
        mail.refresh_from_db()
        assert mail.status == "skipped" and mail.attempts == 0 and mail.last_error


@pytest.mark.django_db
def test_non_essential_mail_follows_preferences_and_needs_a_verified_address(smtp_server):
    unverified, user = make_user(), _verified()
    digest = {"kind": "digest", "context": {"name": "A"}}
    assert mail_queue(user=unverified, period="w1", **digest) is None
    assert mail_wanted(user=user, kind="digest") and not mail_wanted(user=user, kind="reminder")
    assert mail_wanted(user=user, kind="password-reset")
    mail = mail_queue(user=user, period="w1", **digest)
    assert mail is not None and not mail.essential
    run_jobs()
    [message] = smtp_server.messages
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http://") and "/mail/unsubscribe/" in link
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in parts(message)["text/plain"] and link in parts(message)["text/html"]

    pref = mail_preference_set(user=user, kind="digest", enabled=False, via="profile")
    assert (pref.enabled, pref.changed_via) == (False, "profile")
    assert not mail_wanted(user=user, kind="digest")
    assert mail_queue(user=user, period="w2", **digest) is None
    mail_preference_set(user=user, kind="reminder", enabled=True, via="admin")
    assert mail_wanted(user=user, kind="reminder")
    assert MailPreference.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_a_kind_turned_off_after_queueing_is_skipped(smtp_server):
    user = _verified()
    mail = mail_queue(kind="digest", period="w1", context={"name": "A"}, user=user)
    mail_preference_set(user=user, kind="digest", enabled=False, via="unsubscribe-link")
    run_jobs()
    mail.refresh_from_db()
    assert mail.status == "skipped" and smtp_server.messages == []


@pytest.mark.django_db
def test_a_user_mail_goes_to_the_users_own_address():
    user = make_user()
    with pytest.raises(ValueError, match="current address"):
        mail_queue(
            kind="note", period="p", context={}, user=user, to_address="other@example.org", essential=True
        )
    with pytest.raises(ValueError, match="Unknown way"):
        mail_preference_set(user=user, kind="digest", enabled=False, via="carrier-pigeon")


@pytest.mark.django_db
def test_finished_mails_are_pruned_after_the_keeping_period_queued_ones_never():
    old = timezone.now() - timedelta(days=MAIL_KEEP_DAYS + 1)
    user = make_user()
    for period, status in (("a", "sent"), ("b", "failed"), ("c", "queued"), ("d", "sent")):
        mail = mail_queue(kind="note", period=period, context={}, user=user, essential=True)
        OutboundMail.objects.filter(pk=mail.pk).update(
            status=status, created_at=old if period != "d" else mail.created_at
        )
    assert mail_prune.call(period="2026-12-03") == 2
    assert sorted(OutboundMail.objects.values_list("period", flat=True)) == ["c", "d"]
