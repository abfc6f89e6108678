"""Practice session writes: start, build from mistakes, finish, expire; mark items shown and flagged."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from ..engine.templates import templates_for
from ..models import (
    Answer,
    Assignment,
    Difficulty,
    PracticeSession,
    Question,
    Section,
    SessionItem,
    Skill,
    User,
)
from ..selectors.questions import matched_question_ids
from .progress import learning_session_completed
from .variants import variants_mint

SESSION_MIN_LENGTH, SESSION_MAX_LENGTH = 5, 50
# Answers posted within this many seconds after the deadline still count (network and rendering lag).
DEADLINE_GRACE = timedelta(seconds=2)


class SessionClosed(ValidationError):
    """The session has ended (finished or out of time); it takes no more answers."""


def _pick_questions(
    *, learner: User, section: Section, skills, domains, difficulty: str, length: int
) -> list[int]:
    questions = Question.objects.published().in_scope(section=section, skills=skills, domains=domains)
    if difficulty == PracticeSession.DifficultyChoice.MATCHED:
        picked = matched_question_ids(
            learner=learner, section=section, skills=skills, domains=domains, length=length
        )
        return picked + _fresh_variant_ids(
            section=section, skills=skills, domains=domains, difficulty=difficulty, count=length - len(picked)
        )
    if difficulty in Difficulty.values:
        questions = questions.filter(difficulty=difficulty)
    # Seen: this question or any version of it (a new version of an item answered is not new to them).
    seen = Exists(
        Answer.objects.filter(learner=learner).filter(
            Q(question=OuterRef("pk")) | Q(question__family=OuterRef("family"))
        )
    )
    rows = list(questions.annotate(seen=seen).order_by("seen", "?").values_list("pk", "seen")[:length])
    unseen = [pk for pk, was_seen in rows if not was_seen]
    # Unseen questions first; where the scope's templates can make more, fresh variants come before
    # anything the learner has already answered.
    fresh = _fresh_variant_ids(
        section=section, skills=skills, domains=domains, difficulty=difficulty, count=length - len(unseen)
    )
    return (unseen + fresh + [pk for pk, was_seen in rows if was_seen])[:length]


def _fresh_variant_ids(*, section: Section, skills, domains, difficulty: str, count: int) -> list[int]:
    """Freeze `count` new variants of the templates of the skills in scope (none if no template fits)."""
    if count <= 0:
        return []
    if skills:
        names = [skill.name for skill in skills]
    else:
        in_scope = (
            Skill.objects.filter(domain__in=domains)
            if domains
            else Skill.objects.filter(domain__section=section)
        )
        names = list(in_scope.values_list("name", flat=True))
    templates = templates_for(names, difficulty if difficulty in Difficulty.values else None)
    return [question.pk for question in variants_mint(templates=templates, count=count)]


@transaction.atomic
def practice_session_start(
    *,
    learner: User,
    section: Section,
    mode: str = PracticeSession.Mode.PRACTICE,
    difficulty: str = PracticeSession.DifficultyChoice.MIXED,
    length: int = 10,
    domains=(),
    skills=(),
    question_ids: list[int] | None = None,
    source_session: PracticeSession | None = None,
    scope: str = "",
    assignment: Assignment | None = None,
) -> PracticeSession:
    """Start a session: pick the questions (no repeats, unseen first) and lay them out in order.
    `assignment`: the teacher's assignment this session works on (its end completes the assignment)."""
    if question_ids is None:
        if not SESSION_MIN_LENGTH <= length <= SESSION_MAX_LENGTH:
            raise ValidationError(
                {"length": f"Choose between {SESSION_MIN_LENGTH} and {SESSION_MAX_LENGTH} questions."}
            )
        if any(skill.domain.section_id != section.pk for skill in skills) or any(
            domain.section_id != section.pk for domain in domains
        ):
            raise ValidationError("Choose domains and skills from the section you are practising.")
        question_ids = _pick_questions(
            learner=learner,
            section=section,
            skills=skills,
            domains=domains,
            difficulty=difficulty,
            length=length,
        )
    question_ids = list(dict.fromkeys(question_ids))[:SESSION_MAX_LENGTH]
    if not question_ids:
        raise ValidationError("No published questions match these choices yet. Try a wider selection.")
    if not scope:
        names = [skill.name for skill in skills] or [domain.name for domain in domains]
        scope = "; ".join(names) if names else "Mixed"
    now = timezone.now()
    session = PracticeSession(
        learner=learner,
        section=section,
        mode=mode,
        difficulty=difficulty,
        scope=scope[:300],
        length=len(question_ids),
        started_at=now,
        source_session=source_session,
        assignment=assignment,
    )
    if mode == PracticeSession.Mode.TIMED:
        session.time_limit_s = section.seconds_per_question * len(question_ids)
        session.deadline = now + timedelta(seconds=session.time_limit_s)
    session.full_clean()
    session.save()
    SessionItem.objects.bulk_create(
        SessionItem(session=session, question_id=qid, position=position)
        for position, qid in enumerate(question_ids, start=1)
    )
    return session


@transaction.atomic
def practice_session_from_mistakes(*, session: PracticeSession) -> PracticeSession:
    """A practice-mode session built from the questions this session got wrong or left unanswered."""
    missed = list(
        SessionItem.objects.filter(session=session)
        .exclude(answer__is_correct=True)
        .order_by("position")
        .values_list("question_id", flat=True)
    )
    if not missed:
        raise ValidationError("There are no mistakes to practise in this session.")
    return practice_session_start(
        learner=session.learner,
        section=session.section,
        mode=PracticeSession.Mode.PRACTICE,
        question_ids=missed,
        source_session=session,
        scope=f"Mistakes from session {session.pk}",
    )


@transaction.atomic
def practice_session_finish(*, session: PracticeSession, now: datetime | None = None) -> PracticeSession:
    """End a session (the learner is done); unanswered questions count as omitted."""
    now = now or timezone.now()
    locked = PracticeSession.objects.select_for_update().get(pk=session.pk)
    if locked.is_open:
        timed_out = locked.deadline is not None and now > locked.deadline + DEADLINE_GRACE
        locked.status = PracticeSession.Status.TIMED_OUT if timed_out else PracticeSession.Status.COMPLETED
        locked.completed_at = now
        locked.save(update_fields=["status", "completed_at"])
        learning_session_completed(session=locked, now=now)
    session.status, session.completed_at = locked.status, locked.completed_at
    return session


def practice_session_expire_if_due(
    *, session: PracticeSession, now: datetime | None = None
) -> PracticeSession:
    """Close a timed session whose time has run out; a no-op (and no query) otherwise."""
    now = now or timezone.now()
    if session.is_open and session.deadline is not None and now > session.deadline + DEADLINE_GRACE:
        with transaction.atomic():
            expired = PracticeSession.objects.filter(
                pk=session.pk, status=PracticeSession.Status.IN_PROGRESS
            ).update(status=PracticeSession.Status.TIMED_OUT, completed_at=session.deadline)
            session.refresh_from_db(
                fields=["status", "completed_at", "answered_count", "correct_count", "length"]
            )
            if expired:
                learning_session_completed(session=session, now=now)
    return session


def session_item_mark_shown(*, item: SessionItem, now: datetime | None = None) -> None:
    """Remember when the learner first saw this question (the server's clock measures time spent)."""
    if item.shown_at is None:
        now = now or timezone.now()
        SessionItem.objects.filter(pk=item.pk, shown_at__isnull=True).update(shown_at=now)
        item.shown_at = now


@transaction.atomic
def session_item_flag(*, item: SessionItem, flagged: bool) -> SessionItem:
    """Flag (or unflag) a question for review."""
    item.flagged = flagged
    item.save(update_fields=["flagged"])
    return item
