import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import (
    MCQ_LABELS,
    Answer,
    Difficulty,
    PracticeSession,
    Profile,
    Question,
    QuestionOption,
    Section,
    SessionItem,
    Skill,
    User,
)
from .rows import model_rows


def _username_from_email(email: str) -> str:
    base = re.sub(r"[^\w.+-]", "", email.split("@", 1)[0])[:120] or "learner"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}{secrets.randbelow(10**6)}"
    return candidate


@transaction.atomic
def learner_signup(*, email: str, password: str, display_name: str = "") -> User:
    """Create a learner and their profile in one transaction; email is unique in any case."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists."})
    user = User(username=_username_from_email(email), email=email)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two signups raced past the check above; the unique index decided.
        raise ValidationError({"email": "An account with this email already exists."}) from exc
    Profile.objects.create(user=user, display_name=display_name.strip()[:80])
    return user


@transaction.atomic
def profile_update(*, profile: Profile, **fields) -> Profile:
    """Update a learner's profile fields after validating them."""
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save(update_fields=[*fields, "updated_at"])
    return profile


@transaction.atomic
def profile_get_or_create(*, user: User) -> Profile:
    """Return the user's profile, creating it for accounts made outside signup (createsuperuser)."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


# --- Questions ---


class QuestionRefused(ValidationError):
    """A question cannot move to the requested status; the message says why."""


def _option_problem(question: Question, options: list[QuestionOption] | None = None) -> str | None:
    if question.type != Question.Type.MCQ:
        return None
    options = list(question.options.all()) if options is None else options
    labels = sorted(option.label for option in options)
    if labels != list(MCQ_LABELS):
        return f"needs exactly four options A-D (has {len(options)})"
    correct = sum(option.is_correct for option in options)
    if correct != 1:
        return f"needs exactly one correct option (has {correct})"
    return None


def question_publish_problem(question: Question, options: list[QuestionOption] | None = None) -> str | None:
    """Why this question cannot be published, or None when it can."""
    if not question.explanation.strip():
        return "needs an explanation"
    return _option_problem(question, options)


@transaction.atomic
def question_save(
    *,
    question: Question,
    options: list[tuple[str, bool]] | None = None,
) -> Question:
    """Validate and save a question; for multiple choice, replace its options with (text, correct) pairs."""
    # Field rules and clean() give the messages; the constraints are PostgreSQL's to enforce on save
    # (checking each in Python would cost a query apiece).
    question.full_clean(exclude=["author"], validate_unique=False, validate_constraints=False)
    if (
        question.external_id
        and Question.objects.filter(external_id=question.external_id).exclude(pk=question.pk).exists()
    ):
        raise ValidationError(
            {"external_id": f"Another question already has the external id {question.external_id}."}
        )
    built = None
    if question.type == Question.Type.MCQ and options is not None:
        built = [
            QuestionOption(label=label, text=text, is_correct=correct)
            for label, (text, correct) in zip(MCQ_LABELS, options, strict=False)
        ]
        if len(options) != len(MCQ_LABELS) or sum(correct for _, correct in options) != 1:
            raise ValidationError({"options": "Give exactly four options with exactly one correct."})
        for option in built:
            if not option.text.strip():
                raise ValidationError({"options": f"Option {option.label} is empty."})
    if question.status == Question.Status.PUBLISHED:
        current = built if built is not None else (list(question.options.all()) if question.pk else [])
        problem = question_publish_problem(question, current)
        if problem:
            raise QuestionRefused(f"Cannot publish: the question {problem}.")
        if question.published_at is None:
            question.published_at = timezone.now()
    question.save()
    if built is not None:
        from .rendering import render_markdown

        question.options.all().delete()
        for option in built:
            option.question = question
            option.text_html = render_markdown(option.text, inline=True)
        QuestionOption.objects.bulk_create(built)
    return question


@transaction.atomic
def question_publish_many(*, questions) -> tuple[int, list[str]]:
    """Publish the given questions; return how many were published and why the others were not."""
    published, refusals = 0, []
    now = timezone.now()
    ids = list(questions.values_list("pk", flat=True))
    for question in Question.objects.filter(pk__in=ids).select_for_update().prefetch_related("options"):
        problem = question_publish_problem(question)
        if problem:
            refusals.append(f"{question}: {problem}")
            continue
        if question.status != Question.Status.PUBLISHED:
            question.status = Question.Status.PUBLISHED
            question.published_at = question.published_at or now
            question.save(update_fields=["status", "published_at", "updated_at"])
            published += 1
    return published, refusals


@transaction.atomic
def question_retire_many(*, questions) -> int:
    """Retire questions: they leave new sessions but keep their answers and statistics."""
    ids = list(questions.values_list("pk", flat=True))
    return (
        Question.objects.filter(pk__in=ids)
        .exclude(status=Question.Status.RETIRED)
        .update(status=Question.Status.RETIRED, updated_at=timezone.now())
    )


# --- Import and export (format "prepnexus-questions/1", documented in the README) ---

QUESTION_FORMAT = "prepnexus-questions/1"
RECORD_FIELDS = (
    "external_id",
    "section",
    "domain",
    "skill",
    "difficulty",
    "type",
    "passage",
    "passage_b",
    "stem",
    "options",
    "correct",
    "answers",
    "explanation",
)


class ImportFailed(Exception):
    """The file has errors; nothing was written. `errors` holds one message per problem, with its row."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    external_ids: list[str] = field(default_factory=list)


def _skill_index() -> dict[tuple[str, str, str], Skill]:
    return {
        (skill.domain.section.name, skill.domain.name, skill.name): skill
        for skill in Skill.objects.select_related("domain__section")
    }


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be text")
    return value.strip()


def _question_from_record(record: dict, skills: dict) -> tuple[Question, list[tuple[str, bool]] | None]:
    """Build an unsaved Question (and its options) from one record, or raise ValidationError."""
    if not isinstance(record, dict):
        raise ValidationError("each question must be an object")
    unknown = set(record) - set(RECORD_FIELDS) - {"status"}
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
    errors = []
    key = (_text(record, "section"), _text(record, "domain"), _text(record, "skill"))
    skill = skills.get(key)
    if skill is None:
        sections = {k[0] for k in skills}
        domains = {k[1] for k in skills if k[0] == key[0]}
        if key[0] not in sections:
            errors.append(f"section “{key[0]}” is not one of: {', '.join(sorted(sections))}")
        elif key[1] not in domains:
            errors.append(f"domain “{key[1]}” is not a domain of {key[0]}")
        else:
            errors.append(f"skill “{key[2]}” is not a skill of {key[1]}")
    difficulty = _text(record, "difficulty")
    if difficulty not in Difficulty.values:
        errors.append(f"difficulty must be one of {', '.join(Difficulty.values)}, not “{difficulty}”")
    qtype = _text(record, "type")
    options = record.get("options") or []
    answers = record.get("answers") or []
    correct = record.get("correct")
    option_pairs = None
    if qtype == Question.Type.MCQ:
        if not isinstance(options, list) or len(options) != 4 or not all(isinstance(o, str) for o in options):
            errors.append("a multiple-choice question needs exactly 4 options (text)")
        elif any(not o.strip() for o in options):
            errors.append("options must not be empty")
        if correct not in MCQ_LABELS:
            errors.append(f"correct must be one of A, B, C, D, not “{correct}”")
        if answers:
            errors.append("answers must be empty for a multiple-choice question")
        if not errors:
            option_pairs = [
                (text.strip(), label == correct) for label, text in zip(MCQ_LABELS, options, strict=True)
            ]
    elif qtype == Question.Type.SPR:
        if options:
            errors.append("options must be empty for a student-produced response question")
        if correct not in (None, ""):
            errors.append("correct must be empty (null) for a student-produced response question")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
            errors.append("a student-produced response question needs at least one answer")
            answers = []
    else:
        errors.append(f"type must be mcq or spr, not “{qtype}”")
    status = _text(record, "status")
    if status and status not in Question.Status.values:
        errors.append(f"status must be one of {', '.join(Question.Status.values)}")
    if errors:
        raise ValidationError(errors)
    question = Question(
        skill=skill,
        difficulty=difficulty,
        type=qtype,
        passage=_text(record, "passage"),
        passage_b=_text(record, "passage_b"),
        stem=_text(record, "stem"),
        explanation=_text(record, "explanation"),
        spr_answers=[a.strip() for a in answers] if qtype == Question.Type.SPR else [],
        external_id=_text(record, "external_id"),
        status=status or Question.Status.DRAFT,
    )
    if not question.external_id:
        raise ValidationError("external_id is required")
    try:
        question.full_clean(
            exclude=["author", "status", "external_id"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise ValidationError(
            [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        ) from exc
    return question, option_pairs


_COMPARED = ("skill_id", "difficulty", "type", "passage", "passage_b", "stem", "explanation", "spr_answers")


@transaction.atomic
def questions_import(
    *,
    rows: list[tuple[int, dict]],
    dry_run: bool = False,
    status: str = Question.Status.PUBLISHED,
    author: User | None = None,
) -> ImportReport:
    """Create or update questions by external id; all rows are validated first and any error writes nothing.

    `rows` pairs each record with its row number in the file, for error messages. New questions get
    `status` unless the record names one; existing questions keep theirs unless the record names one.
    """
    skills = _skill_index()
    parsed, errors, seen = [], [], {}
    for row, record in rows:
        try:
            question, options = _question_from_record(record, skills)
        except ValidationError as exc:
            errors.extend(f"row {row}: {message}" for message in exc.messages)
            continue
        if question.external_id in seen:
            errors.append(
                f"row {row}: external_id {question.external_id} repeats row {seen[question.external_id]}"
            )
            continue
        seen[question.external_id] = row
        parsed.append((row, record, question, options))
    if errors:
        raise ImportFailed(errors)
    existing = {
        q.external_id: q
        for q in Question.objects.filter(external_id__in=list(seen)).prefetch_related("options")
    }
    report = ImportReport(dry_run=dry_run)
    for row, record, incoming, options in parsed:
        current = existing.get(incoming.external_id)
        try:
            with transaction.atomic():
                if current is None:
                    incoming.author = author
                    incoming.status = _text(record, "status") or status
                    question_save(question=incoming, options=options)
                    report.created += 1
                else:
                    old_options = [(o.text, o.is_correct) for o in current.options.all()]
                    new_status = _text(record, "status") or current.status
                    changed = [
                        name for name in _COMPARED if getattr(current, name) != getattr(incoming, name)
                    ]
                    if new_status != current.status:
                        changed.append("status")
                    options_changed = options is not None and old_options != options
                    if not changed and not options_changed:
                        report.unchanged += 1
                        continue
                    for name in changed:
                        setattr(current, name, getattr(incoming, name) if name != "status" else new_status)
                    if current.type == Question.Type.SPR:
                        current.options.all().delete()
                    question_save(question=current, options=options if options_changed else None)
                    report.updated += 1
        except ValidationError as exc:
            errors.extend(f"row {row}: {message}" for message in exc.messages)
        except IntegrityError as exc:
            errors.append(f"row {row}: refused by the database ({str(exc).splitlines()[0]})")
        report.external_ids.append(incoming.external_id)
    if errors:
        raise ImportFailed(errors)
    if dry_run:
        transaction.set_rollback(True)
    return report


def question_to_record(question: Question) -> dict:
    """One question in the import format (options must be prefetched)."""
    options = sorted(question.options.all(), key=lambda o: o.label)
    is_mcq = question.type == Question.Type.MCQ
    return {
        "external_id": question.external_id or f"pn-db-{question.pk}",
        "section": question.skill.domain.section.name,
        "domain": question.skill.domain.name,
        "skill": question.skill.name,
        "difficulty": question.difficulty,
        "type": question.type,
        "passage": question.passage,
        "passage_b": question.passage_b,
        "stem": question.stem,
        "options": [o.text for o in options] if is_mcq else [],
        "correct": next((o.label for o in options if o.is_correct), None) if is_mcq else None,
        "answers": list(question.spr_answers) if not is_mcq else [],
        "explanation": question.explanation,
        "status": question.status,
    }


# --- Practice sessions ---

SESSION_MIN_LENGTH, SESSION_MAX_LENGTH = 5, 50
# Answers posted within this many seconds after the deadline still count (network and rendering lag).
DEADLINE_GRACE = timedelta(seconds=2)


def _learning():
    """The learning engine's services (imported late: they import this module's models and helpers)."""
    from . import services_progress

    return services_progress


def _learning_selectors():
    from . import selectors_progress

    return selectors_progress


class SessionClosed(ValidationError):
    """The session has ended (finished or out of time); it takes no more answers."""


def _matched_difficulties(*, learner: User, section: Section) -> list[str]:
    """Difficulties that suit the learner's accuracy so far in this section (all when there is no history)."""
    from django.db.models import Count, Q

    stats = Answer.objects.filter(learner=learner, question__skill__domain__section=section).aggregate(
        total=Count("pk"), correct=Count("pk", filter=Q(is_correct=True))
    )
    if stats["total"] < 5:
        return [Difficulty.EASY, Difficulty.MEDIUM]
    accuracy = stats["correct"] / stats["total"]
    if accuracy < 0.5:
        return [Difficulty.EASY, Difficulty.MEDIUM]
    if accuracy < 0.8:
        return [Difficulty.MEDIUM]
    return [Difficulty.MEDIUM, Difficulty.HARD]


def _pick_questions(
    *, learner: User, section: Section, skills, domains, difficulty: str, length: int
) -> list[int]:
    questions = Question.objects.published().filter(skill__domain__section=section)
    if skills:
        questions = questions.filter(skill__in=skills)
    elif domains:
        questions = questions.filter(skill__domain__in=domains)
    order = [
        # Unseen questions first.
        Exists(Answer.objects.filter(learner=learner, question=OuterRef("pk"))).asc(),
    ]
    if difficulty in Difficulty.values:
        questions = questions.filter(difficulty=difficulty)
    elif difficulty == PracticeSession.DifficultyChoice.MATCHED:
        return _learning_selectors().matched_question_ids(
            learner=learner, section=section, skills=skills, domains=domains, length=length
        )
    return list(questions.order_by(*order, "?").values_list("pk", flat=True)[:length])


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
) -> PracticeSession:
    """Start a session: pick the questions (no repeats, unseen first) and lay them out in order."""
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
        _learning().learning_session_completed(session=locked, now=now)
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
            session.refresh_from_db(fields=["status", "completed_at", "correct_count", "length"])
            if expired:
                _learning().learning_session_completed(session=session, now=now)
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


# --- Answers ---


def _check_given(question: Question, given: str, correct_label: str | None = None) -> tuple[str, bool]:
    """Normalise the learner's entry and mark it; raise ValidationError for an entry that breaks the rules."""
    from .spr import SprFormatError, spr_matches

    given = (given or "").strip()
    if question.type == Question.Type.MCQ:
        letter = {"1": "A", "2": "B", "3": "C", "4": "D"}.get(given, given.upper())
        if letter not in MCQ_LABELS:
            raise ValidationError({"given": "Choose one of the options A, B, C or D."})
        if correct_label is None:
            correct_label = (
                QuestionOption.objects.filter(question=question, is_correct=True)
                .values_list("label", flat=True)
                .first()
            )
        return letter, letter == correct_label
    try:
        return given, spr_matches(given, list(question.spr_answers))
    except SprFormatError as exc:
        raise ValidationError({"given": exc.message}) from exc


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
    given, is_correct = _check_given(question, given, getattr(item, "correct_label", None))
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
    _learning().learning_answer_recorded(answer=answer, session=locked)
    return answer
