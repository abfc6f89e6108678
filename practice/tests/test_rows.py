import pytest
from django.db import connection
from django.utils import timezone

from practice.models import Flashcard, LegacyRecord
from practice.rows import allocate_ids, copy_rows

from .factories import make_user


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
