"""The answer write: record a learner's answer exactly once and tell the learning engine."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from ..grading import grade_answer
from ..models import Answer, PracticeSession, Question, SessionItem
from ..rows import model_rows
from .progress import learning_answer_recorded
from .sessions import DEADLINE_GRACE, SessionClosed

# The answer row and the session's counters in one statement (it runs on every submission): the same
# INSERT and UPDATE that Answer.objects.create() and session.save(update_fields=...) would send, without
# compiling them. The unique constraints still refuse a duplicate with an IntegrityError.
_ANSWER_INSERT_SQL = """
WITH answer AS (
    INSERT INTO practice_answer
        (session_id, item_id, question_id, learner_id, given, is_correct, time_spent_ms, key, answered_at)
    VALUES (%(session)s, %(item)s, %(question)s, %(learner)s, %(given)s, %(correct)s, %(ms)s, %(key)s,
            %(now)s)
    RETURNING id
)
UPDATE practice_practicesession
   SET answered_count = %(answered)s, correct_count = %(correct_count)s, status = %(status)s,
       completed_at = %(completed_at)s
 WHERE id = %(session)s
RETURNING (SELECT id FROM answer)
"""


@transaction.atomic
def answer_submit(
    *,
    session: PracticeSession,
    question: Question,
    given: str,
    key: uuid.UUID,
    item: SessionItem | None = None,
    now: datetime | None = None,
) -> Answer:
    """Record the learner's answer exactly once, even when the browser double-posts or retries.

    The only path that records an answer. A replay with the same key, or a second answer to an answered
    question, returns the first answer unchanged. The session row is locked, so concurrent posts to one
    session serialise; the unique constraints on (session, question) and key are the last line of defence.
    Pass `item` when the caller already has the question's SessionItem (saves a query).
    """
    now = now or timezone.now()
    if item is None or item.session_id != session.pk or item.question_id != question.pk:
        item = SessionItem.objects.filter(session_id=session.pk, question=question).first()
        if item is None:
            raise ValidationError("This question is not part of the session.")
    # NO KEY UPDATE serialises answers to this session without blocking the FK checks of other inserts.
    # These two statements run on every submission: hand-written, they skip the QuerySet compiler.
    locked = model_rows(PracticeSession, "WHERE id = %s FOR NO KEY UPDATE", [session.pk])
    if not locked:
        raise PracticeSession.DoesNotExist("The session no longer exists.")
    locked = locked[0]
    # A separate statement after the lock: its snapshot sees what the previous lock holder committed.
    earlier = model_rows(Answer, "WHERE key = %s OR item_id = %s", [key, item.pk])
    for existing in earlier:
        if existing.item_id == item.pk:
            return existing
    if earlier:
        raise ValidationError("This answer form was already used for another question. Reload the page.")
    if not locked.is_open:
        raise SessionClosed("This session has ended; it takes no more answers.")
    if locked.deadline is not None and now > locked.deadline + DEADLINE_GRACE:
        raise SessionClosed("Time is up for this session.")
    given, is_correct = grade_answer(question, given, getattr(item, "correct_label", None))
    started = item.shown_at or locked.started_at
    time_spent_ms = max(0, int((now - started).total_seconds() * 1000))
    if locked.time_limit_s:
        time_spent_ms = min(time_spent_ms, locked.time_limit_s * 1000)
    locked.answered_count += 1
    locked.correct_count += int(is_correct)
    update_fields = ["answered_count", "correct_count"]
    if locked.mode == PracticeSession.Mode.PRACTICE and locked.answered_count == locked.length:
        locked.status, locked.completed_at = PracticeSession.Status.COMPLETED, now
        update_fields += ["status", "completed_at"]
    answer = Answer(
        session=locked,
        item=item,
        question=question,
        learner_id=locked.learner_id,
        given=given,
        is_correct=is_correct,
        time_spent_ms=time_spent_ms,
        key=key,
        answered_at=now,
    )
    # The router hears of the write as with save(): it keeps the learner's next reads on the primary.
    using = router.db_for_write(Answer, instance=answer)
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(
                _ANSWER_INSERT_SQL,
                {
                    "session": locked.pk,
                    "item": item.pk,
                    "question": question.pk,
                    "learner": locked.learner_id,
                    "given": given,
                    "correct": is_correct,
                    "ms": time_spent_ms,
                    "key": key,
                    "now": now,
                    "answered": locked.answered_count,
                    "correct_count": locked.correct_count,
                    "status": locked.status,
                    "completed_at": locked.completed_at,
                },
            )
            (answer.pk,) = cursor.fetchone()
    except IntegrityError as exc:
        # This session is locked, so only a concurrent post in another session can hold this key.
        # The transaction is rolled back as the error leaves it; nothing is half-written.
        raise ValidationError("This answer form was already used. Reload the page.") from exc
    answer._state.adding, answer._state.db = False, using
    for name in update_fields:
        setattr(session, name, getattr(locked, name))
    # The learning engine hears about the answer here, in this transaction (proficiency, review, badges).
    learning_answer_recorded(answer=answer, session=locked)
    return answer


@dataclass(frozen=True)
class ClosedAnswer:
    """One answer of a closed full-test module, already marked when the module ended."""

    item: SessionItem
    question: Question
    given: str
    is_correct: bool
    key: uuid.UUID
    answered_at: datetime


@transaction.atomic
def answers_record_closed(*, session: PracticeSession, entries: list[ClosedAnswer]) -> list[Answer]:
    """Record a closed full-test module's answers in its (open, timed) practice session at once.

    The other path that records answers, beside answer_submit: a module's answers are final when it
    ends (saves were checked and the module marked them), so they go in with one INSERT and one counter
    UPDATE instead of a locked round trip each; the learning engine then hears about each in the order
    they were given, as it does for practice. The unique constraints still refuse a second recording.
    """
    answers = []
    for entry in entries:
        started = entry.item.shown_at or session.started_at
        spent = max(0, int((entry.answered_at - started).total_seconds() * 1000))
        if session.time_limit_s:
            spent = min(spent, session.time_limit_s * 1000)
        answers.append(
            Answer(
                session=session,
                item=entry.item,
                question=entry.question,
                learner_id=session.learner_id,
                given=entry.given,
                is_correct=entry.is_correct,
                time_spent_ms=spent,
                key=entry.key,
                answered_at=entry.answered_at,
            )
        )
    Answer.objects.bulk_create(answers)
    session.answered_count = len(answers)
    session.correct_count = sum(1 for answer in answers if answer.is_correct)
    session.save(update_fields=["answered_count", "correct_count"])
    for answer in sorted(answers, key=lambda a: a.answered_at):
        learning_answer_recorded(answer=answer, session=session)
    return answers
