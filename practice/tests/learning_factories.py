"""Factories for the learning features (on top of practice's factories)."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from practice.models import Flashcard, PracticeSession, Profile
from practice.services.answers import answer_submit
from practice.services.flashcards import flashcard_create
from practice.services.sessions import session_item_mark_shown

from .factories import make_session, make_user


def make_flashcard(owner=None, **overrides) -> Flashcard:
    owner = owner or make_user()
    fields = {"front": "What is **ratio**?", "back": "A comparison of two quantities."} | overrides
    return flashcard_create(owner=owner, **fields)


def set_time_zone(learner, name: str) -> None:
    Profile.objects.filter(user=learner).update(time_zone=name)
    learner.refresh_from_db()
    if hasattr(learner, "_state"):
        learner._state.fields_cache.pop("profile", None)


def answer_all(
    session: PracticeSession,
    *,
    correct: bool | list[bool] = True,
    seconds: float = 30,
    start: datetime | None = None,
):
    """Answer every question of a session (B is right in factory questions), `seconds` apart."""
    now = start or timezone.now()
    pattern = correct if isinstance(correct, list) else [correct] * session.length
    answers = []
    for item, right in zip(session.items.order_by("position"), pattern, strict=False):
        session_item_mark_shown(item=item, now=now)
        now += timedelta(seconds=seconds)
        answers.append(
            answer_submit(
                session=session,
                question=item.question,
                given="B" if right else "A",
                key=uuid.uuid4(),
                now=now,
            )
        )
    return answers


def make_answered_session(learner=None, *, count=5, correct=True, seconds=30, start=None, **kwargs):
    learner = learner or make_user()
    session = make_session(learner, count=count, **kwargs)
    answer_all(session, correct=correct, seconds=seconds, start=start)
    session.refresh_from_db()
    return session
