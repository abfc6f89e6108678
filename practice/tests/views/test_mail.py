"""The one-click unsubscribe link (RFC 8058): GET changes nothing, POST (the page's button or a mail
client's List-Unsubscribe-Post) turns the kind off, and a bad token is a 400 page, never a 500."""

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from practice.models import MailPreference
from practice.selectors.mail import mail_wanted
from practice.services.mail import mail_preference_set, mail_queue, unsubscribe_token

from ..factories import make_user
from ..jobs import run_jobs
from ..mails import mail_templates, text  # noqa: F401 (mail_templates is a fixture)

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("practice:mail-unsubscribe", args=[token])


def test_get_shows_a_button_and_changes_nothing(client, django_assert_max_num_queries):
    user = make_user()
    with django_assert_max_num_queries(2):
        response = client.get(_url(unsubscribe_token(user_id=user.pk, kind="digest")))
    assert response.status_code == 200
    assert b"Unsubscribe from the weekly digest" in response.content
    assert b'method="post"' in response.content
    assert not MailPreference.objects.exists() and mail_wanted(user=user, kind="digest")


def test_post_turns_the_kind_off_without_a_login_or_csrf_token():
    user = make_user()
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(unsubscribe_token(user_id=user.pk, kind="digest")))
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    preference = MailPreference.objects.get(user=user, kind="digest")
    assert (preference.enabled, preference.changed_via) == (False, "unsubscribe-link")
    assert not mail_wanted(user=user, kind="digest")
    # A second click is harmless.
    assert client.post(_url(unsubscribe_token(user_id=user.pk, kind="digest"))).status_code == 200
    assert MailPreference.objects.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "",
        "WzEsImRpZ2VzdCJd:1abcde:forged-signature",
        signing.dumps([1, "digest"]),  # signed without the unsubscribe salt
        "::::",
        "%FF%FE",
    ],
)
def test_a_wrong_or_malformed_token_is_a_clear_400(client, token):
    url = _url("x").replace("/x/", f"/{token}/") if token else "/mail/unsubscribe//"
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (400, 404)
        if token:
            assert response.status_code == 400 and b"This unsubscribe link is not valid" in response.content
    assert not MailPreference.objects.exists()


def test_a_tampered_token_or_one_for_a_gone_account_or_unknown_kind_is_a_400(client):
    user = make_user()
    token = unsubscribe_token(user_id=user.pk, kind="digest")
    tampered = token.replace("WzE", "WzI", 1) if token.startswith("WzE") else "A" + token[1:]
    unknown_kind = unsubscribe_token(user_id=user.pk, kind="spam")
    gone = unsubscribe_token(user_id=user.pk + 1000, kind="digest")
    for bad in (tampered, unknown_kind, gone):
        assert client.post(_url(bad)).status_code == 400
    assert not MailPreference.objects.exists()


@pytest.mark.usefixtures("mail_templates")
def test_the_list_unsubscribe_header_one_click_post_unsubscribes(smtp_server):
    user = make_user(email_verified_at=timezone.now())
    mail_queue(kind="digest", period="2026-W49", context={"name": "Ada"}, user=user)
    run_jobs()
    [message] = smtp_server.messages
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link in text(message)
    # As a mail client does it (RFC 8058): a POST with this body, no cookies, no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(link).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not mail_wanted(user=user, kind="digest")
    assert mail_queue(kind="digest", period="2026-W50", context={"name": "Ada"}, user=user) is None


def test_staff_see_outgoing_mail_read_only_without_its_context(client, django_assert_max_num_queries):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    user = make_user()
    mail = mail_queue(kind="password-reset", period="p1", context={"token": "secret-token-1"}, user=user)
    mail_preference_set(user=user, kind="digest", enabled=False, via="admin")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin:practice_outboundmail_changelist"))
    assert response.status_code == 200 and user.email.encode() in response.content
    response = client.get(reverse("admin:practice_outboundmail_change", args=[mail.pk]))
    assert response.status_code == 200 and b"secret-token-1" not in response.content
    assert client.post(reverse("admin:practice_outboundmail_add"), {}).status_code == 403
    assert client.get(reverse("admin:practice_mailpreference_changelist")).status_code == 200
