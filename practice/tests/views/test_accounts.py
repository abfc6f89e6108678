import re

import pytest
from django.urls import reverse

from blog.tests.factories import make_post
from practice.models import Answer, OutboundMail, User

from ..factories import PASSWORD, make_user
from ..jobs import run_jobs
from ..learning_factories import make_answered_session
from ..mails import text

pytestmark = pytest.mark.django_db


def _signup(client, email="Ada@Example.org", password="a-long-unusual-passphrase-7", **extra):
    data = {"email": email, "display_name": "Ada", "password1": password, "password2": password, **extra}
    return client.post(reverse("signup"), data)


def test_signup_creates_learner_with_profile_and_logs_in(client):
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email__iexact="ada@example.org")
    assert user.profile.display_name == "Ada"
    assert not user.is_staff
    home = client.get("/")
    assert b"Welcome back, Ada" in home.content


def test_signup_refuses_duplicate_email_in_another_case(client):
    make_user(email="ada@example.org")
    response = _signup(client, email="ADA@EXAMPLE.ORG")
    assert response.status_code == 422
    assert b"An account with this email already exists." in response.content
    assert User.objects.filter(email__iexact="ada@example.org").count() == 1


def test_signup_rejects_weak_and_mismatched_passwords(client):
    response = _signup(client, password="password")
    assert response.status_code == 422
    assert b"This password is too common." in response.content
    response = client.post(
        reverse("signup"),
        {"email": "b@example.org", "password1": "a-long-unusual-passphrase-7", "password2": "different-9"},
    )
    assert response.status_code == 422
    assert b"The two passwords do not match." in response.content
    assert not User.objects.filter(email="b@example.org").exists()


def test_signup_rejects_bad_email(client):
    response = _signup(client, email="not-an-email")
    assert response.status_code == 422
    assert b"Enter a valid email address." in response.content


@pytest.mark.parametrize("identifier", ["learner-x", "LEARNER-X", "x@example.org", "X@Example.org"])
def test_login_by_username_or_email_any_case(client, identifier):
    make_user(username="learner-x", email="x@example.org")
    response = client.post(reverse("login"), {"username": identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_login_with_wrong_password_shows_error(client):
    make_user(username="learner-y")
    response = client.post(reverse("login"), {"username": "learner-y", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only_and_ends_session(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase-42",
            "new_password2": "another-long-phrase-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-phrase-42")


def test_password_reset_flow_by_email_in_any_case(client, settings, smtp_server):
    settings.SITE_URL = "http://testserver"
    user = make_user(email="reset@example.org")
    response = client.post(reverse("password_reset"), {"email": "RESET@example.org"})
    assert response.status_code == 302
    assert smtp_server.messages == []  # queued, not sent in the request
    run_jobs()
    [message] = smtp_server.messages
    assert message["To"] == "reset@example.org" and message["Subject"] == "Reset your PrepNexus password"
    assert "List-Unsubscribe" not in message  # essential
    # The reset token is not kept in the database once the mail is sent.
    assert OutboundMail.objects.get(kind="password-reset").context == {}
    link = re.search(r"http://testserver(/accounts/reset/\S+)", text(message)).group(1)
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-phrase-77", "new_password2": "brand-new-phrase-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-phrase-77")


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(client, smtp_server):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert run_jobs() == 0 and smtp_server.messages == []


def test_profile_requires_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_profile_update_and_validation(client):
    user = make_user()
    client.force_login(user)
    ok = client.post(
        reverse("profile"),
        {
            "display_name": "Grace",
            "target_score": "1450",
            "test_date": "2027-03-13",
            "time_zone": "Europe/Paris",
        },
    )
    assert ok.status_code == 302
    user.profile.refresh_from_db()
    assert (user.profile.display_name, user.profile.target_score, user.profile.time_zone) == (
        "Grace",
        1450,
        "Europe/Paris",
    )
    bad = client.post(
        reverse("profile"),
        {
            "display_name": "Grace",
            "target_score": "1605",
            "test_date": "not a date",
            "time_zone": "Mars/Base",
        },
    )
    assert bad.status_code == 422
    for message in (b"less than or equal to 1600", b"Enter a valid date.", b"Select a valid choice."):
        assert message in bad.content
    odd = client.post(reverse("profile"), {"target_score": "1455", "time_zone": "UTC"})
    assert odd.status_code == 422
    assert b"Scores come in steps of 10." in odd.content
    user.profile.refresh_from_db()
    assert user.profile.target_score == 1450


def test_home_explains_to_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Practise for the Digital SAT" in response.content
    assert b'class="skip-link"' in response.content


def test_home_query_count_is_small_and_flat(client, django_assert_max_num_queries):
    user = make_user()
    client.force_login(user)
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200


def test_seed_demo_creates_accounts_and_is_idempotent(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DEMO_LEARNER_PASSWORD", "learner-demo-pass-1")
    call_command("seed_demo")
    call_command("seed_demo")
    learner = User.objects.get(username="learner")
    assert learner.check_password("learner-demo-pass-1")
    assert User.objects.get(username="staff").is_staff
    assert User.objects.filter(username__in=["learner", "staff", "teacher"]).count() == 3
    # The demo school: the teacher administers it and teaches a class the learner is in (once, re-run or not).
    from practice.models import Enrollment, Membership
    from practice.tenancy import operator_access

    with operator_access(reason="test", actor="tests"):
        assert Membership.objects.get(user__username="teacher").role == "admin"
        assert Enrollment.objects.filter(learner=learner).count() == 1


def test_signed_in_learner_is_loaded_like_the_orm_would_and_a_deactivated_one_is_signed_out(client):
    from practice.backends import EmailOrUsernameBackend

    user = make_user()
    loaded = EmailOrUsernameBackend().get_user(user.pk)
    expected = User.objects.get(pk=user.pk)
    fields = [f.attname for f in User._meta.concrete_fields]
    assert [getattr(loaded, name) for name in fields] == [getattr(expected, name) for name in fields]
    assert not loaded._state.adding and loaded._state.db == "default"
    assert EmailOrUsernameBackend().get_user(user.pk + 1000) is None
    client.force_login(user, backend="practice.backends.EmailOrUsernameBackend")
    assert client.get(reverse("profile")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert EmailOrUsernameBackend().get_user(user.pk) is None
    assert client.get(reverse("profile")).status_code == 302  # back to the login page


# --- Deleting the account ---


def test_profile_links_to_the_account_deletion_page_which_asks_for_password_and_confirmation(client):
    client.force_login(make_user())
    assert reverse("account-delete").encode() in client.get(reverse("profile")).content
    page = client.get(reverse("account-delete"))
    assert page.status_code == 200
    for label in (b'<label for="id_password">Your password', b'<label for="id_confirmation">Type DELETE'):
        assert label in page.content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "wrong-password-1", "confirmation": "DELETE"}, b"That is not your password."),
        ({"password": PASSWORD, "confirmation": ""}, b"This field is required."),
        ({"password": PASSWORD, "confirmation": "delete me"}, b"Type DELETE in capital letters"),
        ({"confirmation": "DELETE"}, b"This field is required."),
    ],
    ids=["wrong-password", "no-confirmation", "wrong-confirmation", "no-password"],
)
def test_account_delete_refuses_without_the_password_and_the_confirmation(client, data, message):
    user = make_user()
    make_answered_session(user, count=5)
    client.force_login(user)
    response = client.post(reverse("account-delete"), data)
    assert response.status_code == 422
    assert message in response.content
    assert User.objects.filter(pk=user.pk).exists()
    assert Answer.objects.filter(learner=user).count() == 5


def test_account_delete_removes_the_account_and_signs_out(client):
    user = make_user()
    make_answered_session(user, count=5)
    client.force_login(user)
    response = client.post(reverse("account-delete"), {"password": PASSWORD, "confirmation": " DELETE "})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Answer.objects.filter(learner_id=user.pk).exists()
    assert client.get(reverse("profile"))["Location"].startswith(reverse("login"))


def test_account_delete_is_never_done_by_a_get(client):
    user = make_user()
    client.force_login(user)
    client.get(reverse("account-delete"), {"password": PASSWORD, "confirmation": "DELETE"})
    assert User.objects.filter(pk=user.pk).exists()


def test_account_delete_attempts_are_rate_limited_per_learner_so_the_password_cannot_be_guessed(
    client, settings
):
    settings.RATELIMITS = settings.RATELIMITS | {"account-delete": (2, 3600)}
    user = make_user()
    client.force_login(user)
    for guess in ("guess-one-1", "guess-two-2"):
        assert (
            client.post(reverse("account-delete"), {"password": guess, "confirmation": "DELETE"}).status_code
            == 422
        )
    response = client.post(reverse("account-delete"), {"password": PASSWORD, "confirmation": "DELETE"})
    assert response.status_code == 429 and response["Retry-After"]
    assert User.objects.filter(pk=user.pk).exists()


def test_account_delete_of_a_blog_author_is_refused_with_a_message_and_nothing_changes(client):
    user = make_user(is_staff=True)
    make_post(author=user)
    client.force_login(user)
    response = client.post(reverse("account-delete"), {"password": PASSWORD, "confirmation": "DELETE"})
    assert response.status_code == 409
    assert b"This account still owns blog posts" in response.content
    assert User.objects.filter(pk=user.pk).exists()


def test_signup_needs_a_password_of_at_least_twelve_characters(client):
    response = _signup(client, password="tr7-Kq9-zXw")  # 11 characters, not a common password
    assert response.status_code == 422
    assert b"at least 12 characters" in response.content
    assert not User.objects.filter(email__iexact="ada@example.org").exists()
    assert _signup(client, password="tr7-Kq9-zXw5").status_code == 302


def test_password_reset_links_use_the_canonical_site_url_whatever_the_host_header(
    client, settings, smtp_server
):
    settings.SITE_URL = "https://prep.example.org"
    settings.ALLOWED_HOSTS = ["prep.example.org", "evil.example.net"]  # a forged Host that passes
    make_user(email="reset@example.org")
    response = client.post(
        reverse("password_reset"), {"email": "reset@example.org"}, HTTP_HOST="evil.example.net"
    )
    assert response.status_code == 302
    run_jobs()
    [message] = smtp_server.messages
    body = text(message)
    assert re.search(r"https://prep\.example\.org/accounts/reset/\S+/\S+/", body)
    assert "evil.example.net" not in body and "evil.example.net" not in message["Subject"]
    assert "https://prep.example.org/accounts/reset/" in message.get_body(("html",)).get_content()


def test_a_password_reset_request_succeeds_while_the_smtp_server_is_down(client, smtp_server):
    smtp_server.stop()
    make_user(email="reset@example.org")
    response = client.post(reverse("password_reset"), {"email": "reset@example.org"})
    assert response.status_code == 302  # the mail waits in the queue for the server
    run_jobs()
    mail = OutboundMail.objects.get(kind="password-reset")
    assert (mail.status, mail.attempts) == ("queued", 1) and smtp_server.messages == []
