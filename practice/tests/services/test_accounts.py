import json
import uuid

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from blog.tests.factories import make_post
from practice.models import Answer, LegacyRecord, Profile, ReviewItem, ScoreSnapshot, User
from practice.services.accounts import account_delete, learner_signup
from practice.services.flashcards import flashcard_review, study_preference_set
from practice.services.review import review_answer_submit
from practice.services.sessions import practice_session_finish

from ..factories import make_user
from ..learning_factories import make_answered_session, make_flashcard

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


# --- Deleting an account ---


def _rich_learner():
    """A learner with a row in every table a learner can have rows in, and legacy records about them."""
    learner = make_user()
    session = make_answered_session(learner, count=5, correct=[True, False, True, False, True])
    practice_session_finish(session=session)
    if not ScoreSnapshot.objects.filter(learner=learner).exists():
        ScoreSnapshot.objects.create(learner=learner, session=session, total=1000)
    item = ReviewItem.objects.filter(learner=learner).first()
    review_answer_submit(item=item, given="B", key=uuid.uuid4(), time_spent_ms=20_000)
    flashcard_review(card=make_flashcard(learner), rating=3)
    study_preference_set(learner=learner, scheduler="leitner")
    answer = Answer.objects.filter(learner=learner).first()
    sha = "a" * 64

    def record(table, legacy_id, state, **fields):
        return LegacyRecord.objects.create(
            source="satprep", source_sha256=fields.pop("sha", sha), table=table, legacy_id=legacy_id,
            state=state, **fields,
        )  # fmt: skip

    theirs = [
        record("users", 7, "imported", object_model="practice.user", object_id=learner.pk,
               notes=[f"username {learner.username!r} was taken"]),
        record("responses", 100, "imported", object_model="practice.answer", object_id=answer.pk),
        record("responses", 101, "rejected", reason="question 3 was rejected",
               raw={"id": 101, "user_id": 7, "selected_answer": "B"}),
        record("users", 8, "rejected", reason="username: empty",
               raw={"id": 8, "email": learner.email.upper(), "username": ""}),
    ]  # fmt: skip
    others = [
        record("responses", 102, "rejected", reason="x", raw={"id": 102, "user_id": 9}),
        record("responses", 103, "rejected", reason="x", raw={"id": 103, "user_id": 7}, sha="b" * 64),
    ]
    return learner, theirs, others


def _user_foreign_keys():
    """Every (model, column) in the app registry that holds a user's id."""
    return [
        (model, field.attname)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]


def test_account_delete_leaves_no_row_with_their_id_and_redacts_their_legacy_records():
    learner, theirs, others = _rich_learner()
    bystander = make_user()
    make_answered_session(bystander, count=5)
    pk, username, email = learner.pk, learner.username, learner.email
    keys = _user_foreign_keys()
    holding = [f"{m._meta.label}.{column}" for m, column in keys if m._base_manager.filter(**{column: pk})]
    assert len(holding) >= 12, holding  # the learner really had rows everywhere before

    account_delete(user=learner)

    assert not User.objects.filter(pk=pk).exists()
    left = [f"{m._meta.label}.{column}" for m, column in keys if m._base_manager.filter(**{column: pk})]
    assert left == []
    for record in LegacyRecord.objects.filter(pk__in=[r.pk for r in theirs]):
        assert (record.state, record.object_model, record.object_id) == ("rejected", "", None)
        assert record.raw == {} and record.notes == [] and record.reason.startswith("redacted")
    stored = json.dumps(list(LegacyRecord.objects.values()), default=str)
    assert username not in stored and email.lower() not in stored.lower()
    for record in others:
        fresh = LegacyRecord.objects.get(pk=record.pk)
        assert (fresh.raw, fresh.reason) == (record.raw, record.reason)
    assert Answer.objects.filter(learner=bystander).count() == 5


def test_account_delete_is_all_or_nothing_and_says_what_blocks_it():
    learner, theirs, _ = _rich_learner()
    learner.is_staff = True  # only staff write posts; a post's author is protected from deletion
    learner.save(update_fields=["is_staff"])
    make_post(author=learner)
    with pytest.raises(ValidationError, match="blog posts"):
        account_delete(user=learner)
    assert User.objects.filter(pk=learner.pk).exists()
    assert Answer.objects.filter(learner=learner).count() == 5
    assert LegacyRecord.objects.get(pk=theirs[0].pk).object_id == learner.pk
