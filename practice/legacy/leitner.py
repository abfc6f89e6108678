"""The Leitner flashcard app: its tables mapped onto accounts, flashcards and their reviews.

``LeitnerImport.tables`` lists the app's tables in load order, each with its handler (``base.Table``).
"""

from datetime import datetime, timedelta

from django.db import connection

from practice.engine.spaced import LEITNER_INTERVAL_DAYS
from practice.models import Flashcard, FlashcardReview, ReviewRating, Scheduler
from practice.rendering import render_markdown

from .base import USERS, BatchWrites, LegacyImport, Outcome, Table
from .reader import LegacyReader, LegacyRow


class LeitnerImport(LegacyImport):
    """One run over one Leitner flashcard app file."""

    kind = "leitner"
    hash_column = "password_hash"
    merged_account_note = "; the leitner password was not imported (the account keeps its own)"
    flashcard_scheduler = Scheduler.LEITNER

    def __init__(self, reader: LegacyReader, **options) -> None:
        super().__init__(reader, **options)
        self.cards: dict[int, tuple[int, int]] = {}  # legacy id -> (pk, owner pk)
        self.created: dict[int, datetime] = {}  # legacy card id -> its creation, for its reviews' repairs

    def _import_cards(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "cards"
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("next_review", "last_reviewed", "created_at"))
            values, notes = row.values, []
            if why is None:
                owner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and (len(values["front"]) > 2000 or len(values["back"]) > 4000):
                why = "the front is over 2,000 or the back over 4,000 characters"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            # The card's creation can stand in for its last review, and "due now" for its next one.
            trusted_last = None if "last_reviewed" in row.errors else values.get("last_reviewed")
            created = self._time(
                row,
                "created_at",
                min(trusted_last or self.now, self.now),
                "its last review" if trusted_last and trusted_last < self.now else "the import's time",
                notes,
                repairs,
            )
            created = created or self.now
            last = self._time(row, "last_reviewed", created, "the card's creation", notes, repairs)
            due = self._time(row, "next_review", self.now, "due now: the import's time", notes, repairs)
            if due is None:
                due = created
                notes.append("next_review is NULL: due from its creation")
            pk = self._pk(Flashcard)
            writes.add(
                Flashcard,
                {
                    "id": pk,
                    "owner_id": owner,
                    "front": values["front"],
                    "back": values["back"],
                    "front_html": render_markdown(values["front"]),
                    "back_html": render_markdown(values["back"]),
                    "scheduler": Scheduler.LEITNER,
                    "fsrs_state": None,
                    "leitner_box": values["box"],
                    "due": due,
                    "last_reviewed_at": last,
                    "review_count": 0,  # set from the imported reviews
                    "created_at": created,
                    "updated_at": self.now,
                },
            )
            self.cards[row.legacy_id] = (pk, owner)
            self.created[row.legacy_id] = created
            outcomes.append(self._keep(table, row, Flashcard, pk, notes, repairs=repairs))
        return outcomes

    def _import_review_log(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "review_log"
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("reviewed_at",))
            values, notes = row.values, []
            if why is None:
                card_pk, why = self._parent("cards", values["card_id"], "card_id")
            if why is None:
                user_pk, why = self._parent("users", values["user_id"], "user_id")
            if why is None and user_pk != self.cards[values["card_id"]][1]:
                why = f"user_id {values['user_id']} is not the owner of card {values['card_id']}"
            if why is None and values.get("reviewed_at") is None and self.strict:
                why = "reviewed_at: required value is NULL"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            created = self.created[values["card_id"]]
            reviewed = self._time(
                row, "reviewed_at", created, "the card's creation", notes, repairs, required=True
            )
            pk = self._pk(FlashcardReview)
            writes.add(
                FlashcardReview,
                {
                    "id": pk,
                    "card_id": card_pk,
                    "learner_id": user_pk,
                    "rating": int(ReviewRating.GOOD if values["correct"] else ReviewRating.AGAIN),
                    "scheduler": Scheduler.LEITNER,
                    "reviewed_at": reviewed,
                    "due_after": reviewed + timedelta(days=LEITNER_INTERVAL_DAYS[values["box_after"]]),
                },
            )
            outcomes.append(self._keep(table, row, FlashcardReview, pk, notes, repairs=repairs))
        return outcomes

    def _reload_cards(self, by_pk: dict[int, int]) -> None:
        for pk, owner, created in Flashcard.objects.filter(pk__in=by_pk).values_list(
            "pk", "owner_id", "created_at"
        ):
            self.cards[by_pk[pk]] = (pk, owner)
            self.created[by_pk[pk]] = created

    def _count_card_reviews(self, writes: BatchWrites) -> None:
        cards = sorted({row["card_id"] for row in writes.rows.get(FlashcardReview, [])})
        if cards:
            with connection.cursor() as cursor:
                cursor.execute(_CARD_COUNTS_SQL, [cards])

    # Every table of the app, in load order (parents first).
    tables = {
        "users": USERS,
        "cards": Table(_import_cards, reload=_reload_cards),
        "review_log": Table(_import_review_log, after_batch=_count_card_reviews),
    }


_CARD_COUNTS_SQL = """
UPDATE practice_flashcard f SET review_count = c.n
  FROM (SELECT card_id, count(*) AS n FROM practice_flashcardreview
         WHERE card_id = ANY(%s) GROUP BY card_id) c
 WHERE f.id = c.card_id AND f.review_count <> c.n
"""
