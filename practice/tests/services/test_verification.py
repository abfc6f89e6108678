"""Verified email: the signed link, verifying with it, changing the address, what verifying unlocks."""

import time

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from practice.formats.roster import parse
from practice.models import OutboundMail, User
from practice.services.accounts import learner_signup
from practice.services.rosters import roster_plan
from practice.services.verification import (
    SALT,
    VerifyLinkInvalid,
    email_verify,
    user_email_change,
    verify_token_make,
    verify_token_read,
)

from ..factories import make_user
from ..institution_factories import make_school

pytestmark = pytest.mark.django_db


def old_token(user: User, hours: float) -> str:
    """A link made HOURS ago."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - hours * 3600))

    return Earlier(salt=SALT).sign_object({"u": user.pk, "e": user.email.lower()})


def test_a_token_names_the_account_and_its_address_in_lower_case():
    user = make_user(email="Ada.Lovelace@Example.org")
    assert verify_token_read(verify_token_make(user=user)) == (user.pk, "ada.lovelace@example.org")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t[: len(t) // 2],  # cut short
        lambda t: "not-a-token",
        lambda t: signing.dumps({"u": 1, "e": "a@example.org"}, salt="another.purpose"),
        lambda t: signing.dumps(["u", 1], salt=SALT),  # signed by us, but not a link's shape
    ],
    ids=["tampered", "truncated", "garbage", "other-salt", "wrong-shape"],
)
def test_a_forged_or_mangled_token_is_refused_with_a_reason(mangle):
    user = make_user()
    with pytest.raises(VerifyLinkInvalid, match="not valid"):
        verify_token_read(mangle(verify_token_make(user=user)))


def test_a_token_expires_after_the_configured_hours(settings):
    settings.EMAIL_VERIFY_MAX_AGE_HOURS = 48
    user = make_user()
    assert verify_token_read(old_token(user, 47)) == (user.pk, user.email.lower())
    with pytest.raises(VerifyLinkInvalid, match="expired: links are good for 48 hours"):
        verify_token_read(old_token(user, 49))
    settings.EMAIL_VERIFY_MAX_AGE_HOURS = 72
    verify_token_read(old_token(user, 49))


def test_verify_records_when_and_that_the_learner_verified_it_themself():
    user = learner_signup(email="ada@example.org", password="a-long-unusual-passphrase-7")
    assert user.email_verified_at is None
    email_verify(token=verify_token_make(user=user), user=user)
    user.refresh_from_db()
    assert user.email_verified_at is not None and user.email_verified_by_id == user.pk


def test_verify_again_keeps_the_first_time():
    user = make_user()
    token = verify_token_make(user=user)
    first = email_verify(token=token, user=user).email_verified_at
    assert email_verify(token=token, user=user).email_verified_at == first


def test_a_link_for_another_account_verifies_nothing():
    owner, other = make_user(), make_user()
    with pytest.raises(VerifyLinkInvalid, match="different account"):
        email_verify(token=verify_token_make(user=owner), user=other)
    assert not User.objects.filter(email_verified_at__isnull=False).exists()


def test_a_link_to_an_address_the_account_no_longer_has_verifies_nothing():
    user = make_user(email="old@example.org")
    token = verify_token_make(user=user)
    user_email_change(user=user, email="new@example.org")
    with pytest.raises(VerifyLinkInvalid, match="no longer has"):
        email_verify(token=token, user=user)
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_changing_the_address_clears_the_verification():
    user = make_user(email="old@example.org")
    email_verify(token=verify_token_make(user=user), user=user)
    user = user_email_change(user=user, email="New@Example.ORG")
    user.refresh_from_db()
    assert user.email == "New@example.org"
    assert user.email_verified_at is None and user.email_verified_by is None
    email_verify(token=verify_token_make(user=user), user=user)
    user.refresh_from_db()
    assert user.email_verified_at is not None


@pytest.mark.parametrize("taken", ["other@example.org", "OTHER@example.org"])
def test_changing_to_an_address_another_account_has_is_refused(taken):
    make_user(email="other@example.org")
    user = make_user(email="mine@example.org")
    with pytest.raises(ValidationError, match="Another account already uses this address"):
        user_email_change(user=user, email=taken)
    user.refresh_from_db()
    assert user.email == "mine@example.org"


def test_changing_to_the_same_address_is_refused_and_keeps_the_verification():
    user = make_user(email="mine@example.org")
    email_verify(token=verify_token_make(user=user), user=user)
    with pytest.raises(ValidationError, match="already your address"):
        user_email_change(user=user, email="mine@example.org")
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_a_roster_matches_a_self_registered_learner_only_once_they_verify():
    institution, admin, _, classroom, _ = make_school()
    learner = learner_signup(email="kim@example.org", password="a-long-unusual-passphrase-7")
    rows = parse(f"email,name,class,external_id\nkim@example.org,Kim,{classroom.name},\n".encode()).rows

    def action():
        [row] = roster_plan(institution=institution, actor=admin, rows=rows).rows
        return row.action

    assert action() == "refuse"
    email_verify(token=verify_token_make(user=learner), user=learner)
    assert action() == "match"


def test_signup_queues_one_essential_verification_mail_in_its_transaction():
    user = learner_signup(email="ada@example.org", password="a-long-unusual-passphrase-7")
    [mail] = OutboundMail.objects.filter(user=user)
    assert (mail.kind, mail.to_address, mail.essential, mail.status) == (
        "verify-email",
        "ada@example.org",
        True,
        "queued",
    )
    assert mail.context["verify_url"].startswith("http")
    assert "/accounts/verify/" in mail.context["verify_url"]


def test_a_refused_signup_queues_no_mail():
    make_user(email="ada@example.org")
    with pytest.raises(ValidationError):
        learner_signup(email="ADA@example.org", password="a-long-unusual-passphrase-7")
    assert not OutboundMail.objects.exists()


def test_changing_the_address_queues_a_link_to_the_new_one():
    user = make_user(email="old@example.org")
    user_email_change(user=user, email="new@example.org")
    assert list(OutboundMail.objects.values_list("to_address", flat=True)) == ["new@example.org"]
