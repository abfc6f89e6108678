"""Flashcard writes: create, edit, delete, review, import from CSV, and the scheduler preference."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from ..engine import spaced
from ..formats.flashcard_csv import CardRow
from ..models import (
    Flashcard,
    FlashcardReview,
    ReviewRating,
    Scheduler,
    StudyPreference,
    User,
    flashcard_text_clean,
)
from ..rendering import render_markdown
from .activity import activity_record, badges_award, badges_for_stats, stats_lock


def study_preference_get(*, learner: User) -> StudyPreference:
    pref, _ = StudyPreference.objects.get_or_create(learner=learner)
    return pref


@transaction.atomic
def flashcard_create(*, owner: User, front: str, back: str, now: datetime | None = None) -> Flashcard:
    """Create a card due now, scheduled by the owner's chosen scheduler."""
    now = now or timezone.now()
    front, back = flashcard_text_clean(front, back)
    pref = study_preference_get(learner=owner)
    card = Flashcard(
        owner=owner,
        front=front,
        back=back,
        front_html=render_markdown(front),
        back_html=render_markdown(back),
        scheduler=pref.flashcard_scheduler,
        due=now,
    )
    card.full_clean()
    card.save()
    card.fsrs_state = spaced.fsrs_new(card.pk, now)
    card.save(update_fields=["fsrs_state"])
    if Flashcard.objects.filter(owner=owner).count() >= 10:
        badges_award(learner=owner, codes=["flashcards-10"], now=now)
    return card


@dataclass(frozen=True)
class FlashcardImport:
    imported: int
    skipped: int


IMPORT_BATCH = 500


def _imported_card(row: CardRow, *, owner: User, now: datetime) -> Flashcard:
    """The row as an unsaved card, its Markdown rendered; the scheduler is set once the owner's row is
    locked."""
    try:
        front, back = flashcard_text_clean(row.front, row.back)  # whoever built the rows
    except ValidationError as exc:
        raise ValidationError(f"Row {row.row}: " + " ".join(exc.messages)) from exc
    due = row.due or now
    last = row.last_reviewed_at
    state = spaced.fsrs_new(0, due)  # card_id is set to the pk once the row exists
    if row.fsrs:
        state.update(row.fsrs, last_review=last.isoformat() if last else None)
    box = row.leitner_box
    if box is None:
        # As when a learner switches to Leitner: the box whose interval is closest to the card's.
        box = spaced.leitner_box_for_interval((due - last).total_seconds() / 86400) if last else 1
    card = Flashcard(
        owner=owner,
        front=front,
        back=back,
        front_html=render_markdown(front),
        back_html=render_markdown(back),
        fsrs_state=state,
        leitner_box=box,
        due=due,
        last_reviewed_at=last,
        review_count=row.reviews,
    )
    # Field checks only: full_clean's FK and constraint checks would cost queries per card, and the
    # CHECK constraints hold in PostgreSQL anyway.
    try:
        card.clean_fields(exclude=["owner"])
    except ValidationError as exc:
        raise ValidationError(f"Row {row.row}: " + " ".join(exc.messages)) from exc
    return card


def flashcards_import(*, owner: User, rows: list[CardRow], now: datetime | None = None) -> FlashcardImport:
    """Add checked CSV rows as the owner's cards, all or none; a card the owner already has is skipped.

    Cards follow the owner's scheduler; the file's Leitner box, due date and FSRS memory are kept.
    Every card is checked and rendered before the transaction starts (up to 5,000 of them), so the lock
    on the owner's preference row, which stops two imports of one file from both adding its cards, is
    held only while writing.
    """
    now = now or timezone.now()
    cards: dict[tuple[str, str], Flashcard] = {}
    for row in rows:
        card = _imported_card(row, owner=owner, now=now)
        cards.setdefault((card.front, card.back), card)  # repeated within the file: the first one
    imported = _imported_cards_add(owner=owner, cards=cards, now=now)
    return FlashcardImport(imported=imported, skipped=len(rows) - imported)


@transaction.atomic
def _imported_cards_add(*, owner: User, cards: dict[tuple[str, str], Flashcard], now: datetime) -> int:
    """Write the rendered cards the owner does not have yet, under the lock; how many were added."""
    pref = StudyPreference.objects.select_for_update().get(pk=study_preference_get(learner=owner).pk)
    have = set(Flashcard.objects.filter(owner=owner).values_list("front", "back"))
    new = [card for key, card in cards.items() if key not in have]
    for card in new:
        card.scheduler = pref.flashcard_scheduler
    Flashcard.objects.bulk_create(new, batch_size=IMPORT_BATCH)
    if new:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE practice_flashcard SET fsrs_state = jsonb_set(fsrs_state, '{card_id}', to_jsonb(id)) "
                "WHERE id = ANY(%s)",
                [[card.pk for card in new]],
            )
        if Flashcard.objects.filter(owner=owner).count() >= 10:
            badges_award(learner=owner, codes=["flashcards-10"], now=now)
    return len(new)


@transaction.atomic
def flashcard_update(*, card: Flashcard, front: str, back: str) -> Flashcard:
    front, back = flashcard_text_clean(front, back)
    card.front, card.back = front, back
    card.front_html, card.back_html = render_markdown(front), render_markdown(back)
    card.full_clean()
    card.save(update_fields=["front", "back", "front_html", "back_html", "updated_at"])
    return card


@transaction.atomic
def flashcard_delete(*, card: Flashcard) -> None:
    card.delete()


@transaction.atomic
def flashcard_review(*, card: Flashcard, rating: int, now: datetime | None = None) -> Flashcard:
    """Rate a card Again/Hard/Good/Easy and reschedule it with its scheduler; log the review."""
    if rating not in ReviewRating.values:
        raise ValidationError({"rating": "Choose Again, Hard, Good or Easy."})
    now = now or timezone.now()
    stats = stats_lock(learner=card.owner)
    card = Flashcard.objects.select_for_update().get(pk=card.pk)
    if card.scheduler == Scheduler.LEITNER:
        card.leitner_box, card.due = spaced.leitner_review(card.leitner_box, rating, now)
    else:
        state = card.fsrs_state or spaced.fsrs_new(card.pk, now)
        card.fsrs_state, card.due = spaced.fsrs_review(state, rating, now)
    card.last_reviewed_at = now
    card.review_count += 1
    card.save(update_fields=["leitner_box", "fsrs_state", "due", "last_reviewed_at", "review_count"])
    FlashcardReview.objects.create(
        card=card,
        learner=card.owner,
        rating=rating,
        scheduler=card.scheduler,
        reviewed_at=now,
        due_after=card.due,
    )
    stats = activity_record(learner=card.owner, stats=stats, when=now, reviews=1)
    badges_award(learner=card.owner, codes=badges_for_stats(stats), now=now)
    return card


@transaction.atomic
def study_preference_set(*, learner: User, scheduler: str, now: datetime | None = None) -> StudyPreference:
    """Choose the flashcard scheduler; existing cards switch too, keeping their due dates.

    FSRS -> Leitner puts a card in the box whose interval is closest to its current FSRS interval;
    Leitner -> FSRS keeps the due date on the card's FSRS state.
    """
    if scheduler not in Scheduler.values:
        raise ValidationError({"flashcard_scheduler": "Choose FSRS or Leitner."})
    now = now or timezone.now()
    pref = StudyPreference.objects.select_for_update().get(pk=study_preference_get(learner=learner).pk)
    if pref.flashcard_scheduler == scheduler:
        return pref
    pref.flashcard_scheduler = scheduler
    pref.save(update_fields=["flashcard_scheduler"])
    cards = list(Flashcard.objects.select_for_update().filter(owner=learner).exclude(scheduler=scheduler))
    for card in cards:
        if scheduler == Scheduler.LEITNER:
            last = card.last_reviewed_at or card.created_at
            card.leitner_box = spaced.leitner_box_for_interval((card.due - last).total_seconds() / 86400)
        else:
            state = card.fsrs_state or spaced.fsrs_new(card.pk, now)
            state["due"] = card.due.astimezone(UTC).isoformat()
            card.fsrs_state = state
        card.scheduler = scheduler
    Flashcard.objects.bulk_update(cards, ["scheduler", "leitner_box", "fsrs_state"])
    return pref
