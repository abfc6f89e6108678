import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone

from practice.models import Flashcard, LegacyRecord, Membership, Role
from practice.rows import allocate_ids, copy_rows
from practice.tenancy import operator_access

from .factories import make_user
from .institution_factories import make_institution


@pytest.mark.django_db
def test_copy_rows_writes_rows_with_ids_from_the_sequence_and_json_values():
    learner = make_user()
    now = timezone.now()
    with connection.cursor() as cursor:
        ids = allocate_ids(cursor, Flashcard, 2)
        fields = ["id", "owner_id", "front", "back", "front_html", "back_html", "scheduler", "fsrs_state",
                  "leitner_box", "due", "review_count", "created_at", "updated_at"]  # fmt: skip
        rows = [
            (pk, learner.pk, f"front {pk}", "back", "<p>f</p>", "<p>b</p>", "fsrs", {"card_id": pk}, 1,
             now, 0, now, now)
            for pk in ids
        ]  # fmt: skip
        assert copy_rows(cursor, Flashcard, fields, rows) == 2
    cards = list(Flashcard.objects.filter(pk__in=ids).order_by("pk"))
    assert [card.fsrs_state for card in cards] == [{"card_id": pk} for pk in ids]
    assert Flashcard.objects.create(owner=learner, front="x", back="y", due=now).pk > max(ids)


@pytest.mark.django_db
def test_copy_rows_refuses_a_column_the_model_does_not_have():
    with connection.cursor() as cursor, pytest.raises(ValueError, match="no column"):
        copy_rows(cursor, LegacyRecord, ["nope"], [])


@pytest.mark.django_db
def test_copy_rows_with_policies_writes_past_row_level_security_only_where_the_context_admits():
    institution = make_institution()
    learner = make_user()
    fields = ["institution_id", "user_id", "role", "external_id", "created_at"]
    rows = [(institution.pk, learner.pk, Role.LEARNER, "S1", timezone.now())]
    # PostgreSQL refuses plain COPY into a table its row-level security binds.
    with operator_access(reason="test", actor="tests"), connection.cursor() as cursor:
        with pytest.raises(psycopg.errors.FeatureNotSupported), transaction.atomic():
            copy_rows(cursor, Membership, fields, rows)
        assert copy_rows(cursor, Membership, fields, rows, policies=True) == 1
    # Outside any context the policies refuse the insert.
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        copy_rows(cursor, Membership, fields, rows, policies=True)
    with operator_access(reason="test", actor="tests"):
        assert Membership.objects.get(user=learner).institution_id == institution.pk
