"""A learner's data as a streamed ZIP of CSVs or a streamed JSON document.

Rows come from server-side cursors (`iterator`) and leave in chunks, so memory stays flat however long
the history is. Every CSV cell goes through `csvsafe`, so no text runs as a spreadsheet formula.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime

from ..models import (
    Answer,
    BadgeAward,
    DailyActivity,
    Flashcard,
    FlashcardReview,
    LearnerStats,
    LegacyBadge,
    PracticeSession,
    Profile,
    ReviewAttempt,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
    StudyPreference,
    User,
)
from . import csvsafe

CHUNK = 2000


def _tables(learner: User) -> list[tuple[str, list[str], object]]:
    """(name, columns, queryset of value tuples) for everything that is the learner's."""
    return [
        (
            "account",
            ["username", "email", "first_name", "last_name", "date_joined", "last_login"],
            User.objects.filter(pk=learner.pk).values_list(
                "username", "email", "first_name", "last_name", "date_joined", "last_login"
            ),
        ),
        (
            "profile",
            ["display_name", "target_score", "test_date", "time_zone", "created_at", "updated_at"],
            Profile.objects.filter(user=learner).values_list(
                "display_name", "target_score", "test_date", "time_zone", "created_at", "updated_at"
            ),
        ),
        (
            "study_preference",
            ["flashcard_scheduler"],
            StudyPreference.objects.filter(learner=learner).values_list("flashcard_scheduler"),
        ),
        (
            "stats",
            ["answers", "correct", "reviews", "sessions_completed", "current_streak", "longest_streak",
             "last_active_day"],
            LearnerStats.objects.filter(learner=learner).values_list(
                "answers", "correct", "reviews", "sessions_completed", "current_streak", "longest_streak",
                "last_active_day",
            ),
        ),
        (
            "score_snapshots",
            ["taken_at", "session_id", "reading_writing", "reading_writing_low", "reading_writing_high",
             "math", "math_low", "math_high", "total", "total_low", "total_high"],
            ScoreSnapshot.objects.filter(learner=learner).order_by("taken_at", "pk").values_list(
                "taken_at", "session_id", "reading_writing", "reading_writing_low", "reading_writing_high",
                "math", "math_low", "math_high", "total", "total_low", "total_high",
            ),
        ),
        (
            "sessions",
            ["id", "section", "mode", "difficulty", "scope", "length", "status", "answered", "correct",
             "started_at", "completed_at"],
            PracticeSession.objects.filter(learner=learner).order_by("pk").values_list(
                "pk", "section__name", "mode", "difficulty", "scope", "length", "status", "answered_count",
                "correct_count", "started_at", "completed_at",
            ),
        ),
        (
            "answers",
            ["id", "session_id", "question_id", "skill", "given", "is_correct", "time_spent_ms",
             "answered_at"],
            Answer.objects.filter(learner=learner).order_by("pk").values_list(
                "pk", "session_id", "question_id", "question__skill__name", "given", "is_correct",
                "time_spent_ms", "answered_at",
            ),
        ),
        (
            "proficiency",
            ["skill", "domain", "section", "ability", "variance", "answers", "correct", "level",
             "proficient_since", "mastered_at", "updated_at"],
            SkillProficiency.objects.filter(learner=learner).order_by("skill_id").values_list(
                "skill__name", "skill__domain__name", "skill__domain__section__name", "mean", "var",
                "answers", "correct", "level", "proficient_since", "mastered_at", "updated_at",
            ),
        ),
        (
            "flashcards",
            ["id", "front", "back", "scheduler", "leitner_box", "due", "last_reviewed_at", "reviews",
             "created_at"],
            Flashcard.objects.filter(owner=learner).order_by("pk").values_list(
                "pk", "front", "back", "scheduler", "leitner_box", "due", "last_reviewed_at", "review_count",
                "created_at",
            ),
        ),
        (
            "review_items",
            ["id", "question_id", "reason", "due", "reviews", "lapses", "last_reviewed_at", "created_at"],
            ReviewItem.objects.filter(learner=learner).order_by("pk").values_list(
                "pk", "question_id", "reason", "due", "reviews", "lapses", "last_reviewed_at", "created_at"
            ),
        ),
        (
            "review_log",
            ["id", "review_item_id", "question_id", "given", "is_correct", "time_spent_ms", "rating",
             "reviewed_at", "due_after"],
            ReviewAttempt.objects.filter(learner=learner).order_by("pk").values_list(
                "pk", "item_id", "item__question_id", "given", "is_correct", "time_spent_ms", "rating",
                "reviewed_at", "due_after",
            ),
        ),
        (
            "flashcard_review_log",
            ["id", "flashcard_id", "rating", "scheduler", "reviewed_at", "due_after"],
            FlashcardReview.objects.filter(learner=learner).order_by("pk").values_list(
                "pk", "card_id", "rating", "scheduler", "reviewed_at", "due_after"
            ),
        ),
        (
            "badges",
            ["code", "awarded_at"],
            BadgeAward.objects.filter(learner=learner).order_by("awarded_at", "pk").values_list(
                "code", "awarded_at"
            ),
        ),
        (
            "legacy_badges",
            ["name", "description", "source", "awarded_at"],
            LegacyBadge.objects.filter(learner=learner).order_by("awarded_at", "pk").values_list(
                "name", "description", "source", "awarded_at"
            ),
        ),
        (
            "daily_activity",
            ["day", "answers", "correct", "time_spent_ms", "reviews"],
            DailyActivity.objects.filter(learner=learner).order_by("day").values_list(
                "day", "answers", "correct", "time_spent_ms", "reviews"
            ),
        ),
    ]  # fmt: skip


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file whose bytes the generator hands out as they accumulate."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self):
        return True

    def write(self, data):
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def zip_stream(learner: User) -> Iterator[bytes]:
    """A ZIP with one CSV per table, produced while it is being sent."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns, rows in _tables(learner):
            with archive.open(f"{name}.csv", "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(columns)
                for i, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
                    writer.writerow(csvsafe.escape_row(map(_plain, row)))
                    if i % CHUNK == 0:
                        text.flush()
                        yield sink.drain()
                text.flush()
                text.detach()
            yield sink.drain()
    yield sink.drain()


def json_stream(learner: User) -> Iterator[str]:
    """One JSON object {table: [row objects]}, written row by row."""
    yield '{"format": "prepnexus-export-1", "learner": ' + json.dumps(learner.username)
    for name, columns, rows in _tables(learner):
        yield f', "{name}": ['
        buffer = []
        for i, row in enumerate(rows.iterator(chunk_size=CHUNK)):
            buffer.append(("," if i else "") + json.dumps(dict(zip(columns, map(_plain, row), strict=True))))
            if len(buffer) >= CHUNK:
                yield "".join(buffer)
                buffer.clear()
        yield "".join(buffer) + "]"
    yield "}\n"
