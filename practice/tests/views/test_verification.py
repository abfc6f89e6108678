"""Verified email pages: following the link, asking for another, changing the address, the notice."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from practice.models import OutboundMail, User
from practice.services.verification import verify_token_make

from ..factories import PASSWORD, make_user
from ..jobs import run_jobs
from ..services.test_verification import old_token

pytestmark = pytest.mark.django_db


def _verify_url(user):
    return reverse("email-verify", args=[verify_token_make(user=user)])


def test_the_link_shows_a_confirm_page_and_the_button_verifies(client, django_assert_max_num_queries):
    user = make_user(email="ada@example.org")
    client.force_login(user)
    url = _verify_url(user)
    with django_assert_max_num_queries(6):
        page = client.get(url)
    assert page.status_code == 200
    assert b"Yes, this is my address" in page.content and b"ada@example.org" in page.content
    user.refresh_from_db()
    assert user.email_verified_at is None  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    user.refresh_from_db()
    assert user.email_verified_at is not None and user.email_verified_by == user
    profile = client.get(reverse("profile"))
    assert b"your email address is verified" in profile.content
    assert b"Please verify your email address" not in profile.content


def test_a_signed_out_visitor_is_sent_to_log_in_and_back(client):
    user = make_user()
    url = _verify_url(user)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(url).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is None
    response = client.post(response["Location"], {"username": user.username, "password": PASSWORD})
    assert response["Location"] == url


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda user: verify_token_make(user=user)[:-3] + "xyz", "not valid"),
        (lambda user: "garbage", "not valid"),
        (lambda user: old_token(user, 49), "has expired"),
        (lambda user: verify_token_make(user=make_user()), "different account"),
    ],
    ids=["tampered", "garbage", "expired", "other-account"],
)
def test_a_bad_link_is_a_400_that_says_why_and_offers_a_new_one(client, method, token, reason):
    user = make_user()
    client.force_login(user)
    response = getattr(client, method)(reverse("email-verify", args=[token(user)]))
    assert response.status_code == 400
    assert reason.encode() in response.content
    assert b"Send me a new link" in response.content
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_to_an_old_address_is_a_400(client):
    user = make_user(email="old@example.org")
    url = _verify_url(user)
    client.force_login(user)
    response = client.post(reverse("email-change"), {"email": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400 and b"no longer has" in response.content
    user.refresh_from_db()
    assert user.email == "new@example.org" and user.email_verified_at is None


def test_a_bad_link_signed_out_asks_to_log_in_for_a_new_one(client):
    response = client.get(reverse("email-verify", args=["nonsense:abc:def"]))
    assert response.status_code == 400 and b"Log in" in response.content


def test_the_notice_and_resend_button_show_while_unverified(client, django_assert_max_num_queries):
    user = make_user()
    client.force_login(user)
    for name in ("profile", "practice:dashboard"):
        page = client.get(reverse(name))
        assert b"Please verify your email address" in page.content
        assert reverse("email-verify-resend").encode() in page.content
    User.objects.filter(pk=user.pk).update(email_verified_at=user.date_joined)
    for name in ("profile", "practice:dashboard"):
        assert b"Please verify your email address" not in client.get(reverse(name)).content


def test_resend_is_rate_limited_per_learner(client, settings):
    settings.RATELIMITS = settings.RATELIMITS | {"email-verify": (3, 3600)}
    user = make_user()
    client.force_login(user)
    for _ in range(3):
        response = client.post(reverse("email-verify-resend"))
        assert response.status_code == 302
    response = client.post(reverse("email-verify-resend"))
    assert response.status_code == 429 and response["Retry-After"]
    assert b"Too many requests" in response.content
    other = make_user()
    client.force_login(other)
    assert client.post(reverse("email-verify-resend")).status_code == 302


def test_resend_needs_a_post_and_a_login(client):
    assert client.post(reverse("email-verify-resend")).status_code == 302  # to the login page
    client.force_login(make_user())
    assert client.get(reverse("email-verify-resend")).status_code == 405


def test_resend_when_already_verified_says_so(client):
    user = make_user()
    User.objects.filter(pk=user.pk).update(email_verified_at=user.date_joined)
    client.force_login(user)
    response = client.post(reverse("email-verify-resend"), follow=True)
    assert b"already verified" in response.content


def test_changing_the_address_needs_the_password(client):
    user = make_user(email="mine@example.org")
    User.objects.filter(pk=user.pk).update(email_verified_at=user.date_joined, email_verified_by=user)
    client.force_login(user)
    assert client.get(reverse("email-change")).status_code == 200
    response = client.post(reverse("email-change"), {"email": "new@example.org", "password": "wrong-guess-1"})
    assert response.status_code == 422 and b"That is not your password" in response.content
    user.refresh_from_db()
    assert user.email == "mine@example.org" and user.email_verified_at is not None
    response = client.post(reverse("email-change"), {"email": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert user.email_verified_at is None and user.email_verified_by is None
    assert b"Please verify your email address" in client.get(reverse("profile")).content


@pytest.mark.parametrize(
    ("email", "message"),
    [("taken@example.org", b"Another account already uses"), ("not-an-address", b"valid email")],
)
def test_changing_to_a_taken_or_bad_address_is_a_422(client, email, message):
    make_user(email="taken@example.org")
    user = make_user(email="mine@example.org")
    client.force_login(user)
    response = client.post(reverse("email-change"), {"email": email, "password": PASSWORD})
    assert response.status_code == 422 and message in response.content
    user.refresh_from_db()
    assert user.email == "mine@example.org"


def test_staff_creating_an_account_in_the_admin_verify_it_and_the_log_says_who(client):
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:practice_user_add"),
        {
            "username": "made-by-staff",
            "email": "Made@Example.org",
            "usable_password": "false",
            "password1": "",
            "password2": "",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="made-by-staff")
    assert user.email_verified_at is not None and user.email_verified_by == staff
    assert LogEntry.objects.filter(
        user=staff, object_id=str(user.pk), change_message__contains="verified by"
    ).exists()


def test_the_admin_refuses_an_address_another_account_has(client):
    staff = make_user(is_staff=True, is_superuser=True)
    make_user(email="taken@example.org")
    client.force_login(staff)
    response = client.post(
        reverse("admin:practice_user_add"),
        {
            "username": "second",
            "email": "TAKEN@example.org",
            "usable_password": "false",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and b"An account with this email already exists" in response.content
    assert not User.objects.filter(username="second").exists()


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def _link(text: str) -> str:
    [url] = re.findall(r"https?://\S+/accounts/verify/[^/\s]+/", text)
    return urlsplit(url).path


def test_a_new_learner_gets_the_link_through_the_worker_and_it_verifies_the_account(client, smtp_server):
    response = client.post(
        reverse("signup"),
        {
            "email": "Grace@Example.org",
            "display_name": "Grace",
            "password1": "a-long-unusual-passphrase-7",
            "password2": "a-long-unusual-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert smtp_server.messages == []  # sent by the worker, never in the request
    assert run_jobs() == 1
    [message] = smtp_server.messages
    assert message["To"] == "Grace@example.org"
    assert message["Subject"] == "Verify your email address for PrepNexus"
    assert "List-Unsubscribe" not in message  # essential mail
    parts = _parts(message)
    path = _link(parts["text/plain"])
    assert path in parts["text/html"]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    user = User.objects.get(email="Grace@example.org")
    assert user.email_verified_at is not None and user.email_verified_by == user
    assert OutboundMail.objects.get(user=user).status == "sent"


def test_resend_and_change_each_mail_a_new_link_and_an_old_address_gets_nothing_more(client, smtp_server):
    user = make_user(email="first@example.org")
    client.force_login(user)
    assert client.post(reverse("email-verify-resend")).status_code == 302
    response = client.post(reverse("email-change"), {"email": "second@example.org", "password": PASSWORD})
    assert response.status_code == 302
    run_jobs()
    # The link queued for the first address is skipped: the account no longer has it.
    assert [m["To"] for m in smtp_server.messages] == ["second@example.org"]
    assert OutboundMail.objects.get(to_address="first@example.org").status == "skipped"
    path = _link(_parts(smtp_server.messages[0])["text/plain"])
    assert client.post(path).status_code == 302
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_staff_changing_an_address_in_the_admin_verify_the_new_one(client):
    staff = make_user(is_staff=True, is_superuser=True)
    learner = make_user(email="old@example.org")
    client.force_login(staff)
    url = reverse("admin:practice_user_change", args=[learner.pk])
    form = client.get(url).context["adminform"].form
    skip = ("password", "groups", "user_permissions", "date_joined", "last_login")
    data = {
        name: "on" if value is True else value
        for name, value in form.initial.items()
        if name in form.fields and value not in (None, False) and name not in skip
    }
    data |= {
        "email": "new@example.org",
        "date_joined_0": learner.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": learner.date_joined.strftime("%H:%M:%S"),
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-0-id": str(learner.profile.pk),
        "profile-0-user": str(learner.pk),
        "profile-0-display_name": learner.profile.display_name,
        "profile-0-time_zone": "UTC",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    learner.refresh_from_db()
    assert learner.email == "new@example.org" and learner.email_verified_by == staff
    assert LogEntry.objects.filter(
        user=staff, change_message__contains="new@example.org verified by"
    ).exists()
