import pytest
from django.core.exceptions import ValidationError

from practice.models import Profile, User
from practice.services.accounts import learner_signup

from ..factories import make_user

pytestmark = pytest.mark.django_db


def test_database_refuses_duplicate_email_in_another_case():
    from django.db import IntegrityError, transaction

    make_user(email="ada@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(username="other", email="Ada@Example.ORG")


def test_signup_is_one_transaction(monkeypatch):
    def broken_create(*args, **kwargs):
        raise RuntimeError("profile write failed")

    monkeypatch.setattr(Profile.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        learner_signup(email="c@example.org", password="a-long-unusual-passphrase-7")
    assert not User.objects.filter(email="c@example.org").exists()


def test_signup_service_rejects_duplicate():
    learner_signup(email="d@example.org", password="a-long-unusual-passphrase-7")
    with pytest.raises(ValidationError):
        learner_signup(email=" D@example.ORG ", password="a-long-unusual-passphrase-7")
