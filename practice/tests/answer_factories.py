"""Answers in bulk for the item statistics and calibration tests: learners, sessions and answers as rows.

The answer service records one answer at a time; these tests need hundreds with chosen options and
times, so they write the rows directly (one completed session per learner, counters consistent).
"""

import itertools
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from practice.models import Answer, PracticeSession, Question, Section, SessionItem, User

_seq = itertools.count(1)


def make_learners(count: int) -> list[User]:
    """Learners without a password hash (fast); they never log in."""
    n = next(_seq)
    users = [User(username=f"bulk{n}-{i}", email=f"bulk{n}-{i}@example.org") for i in range(count)]
    for user in users:
        user.set_unusable_password()
    return User.objects.bulk_create(users)


def record_answers(
    section: Section,
    learners: Sequence[User],
    answers: Sequence[dict[Question, str | bool]],
    *,
    seconds: Sequence[dict[Question, float | None]] | None = None,
    correct_label: str = "B",
) -> None:
    """answers[i] is learner i's session: question -> the option chosen (A-D) or True/False (right or
    wrong, as B or A). Factory questions have B right. Times default to 30 s; None is an unknown time."""
    now = timezone.now()
    for index, (learner, given) in enumerate(zip(learners, answers, strict=True)):
        chosen = {q: (correct_label if g is True else "A" if g is False else g) for q, g in given.items()}
        right = {q: g == correct_label for q, g in chosen.items()}
        session = PracticeSession.objects.create(
            learner=learner,
            section=section,
            length=len(chosen),
            answered_count=len(chosen),
            correct_count=sum(right.values()),
            status=PracticeSession.Status.COMPLETED,
            started_at=now - timedelta(hours=1),
            completed_at=now,
        )
        items = SessionItem.objects.bulk_create(
            SessionItem(session=session, question=q, position=p) for p, q in enumerate(chosen, start=1)
        )
        times = seconds[index] if seconds else {}
        Answer.objects.bulk_create(
            Answer(
                session=session,
                item=item,
                question=item.question,
                learner=learner,
                given=chosen[item.question],
                is_correct=right[item.question],
                time_spent_ms=None
                if times.get(item.question, 30) is None
                else int(1000 * times.get(item.question, 30)),
                key=uuid.uuid4(),
                answered_at=now - timedelta(minutes=30) + timedelta(seconds=item.position),
            )
            for item in items
        )
