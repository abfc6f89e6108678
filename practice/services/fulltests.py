"""Full-length test writes: start or resume, save a response, end a module, the break, and scoring.

The clock is the server's. A module's deadline is stored when it starts; whenever an attempt is
touched, `fulltest_sync` ends every phase whose deadline has passed, at its deadline, and starts the
next one then: a learner who comes back late finds the modules closed with what they saved. Module 2
of a section starts as module 1 ends, Math module 1 as the break ends (or when the learner ends it).

A module's end marks its responses, routes the section (module 1) or scores it (module 2), and records
its answers in a practice session so the learning engine hears about them as it does for practice.
Rules and figures: docs/full-test.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from ..models import (
    MCQ_LABELS,
    FormModule,
    FormSlot,
    Phase,
    Question,
    TestAccommodation,
    TestAttempt,
    TestForm,
    TestModuleAttempt,
    TestResponse,
    User,
)
from ..spr import SprFormatError, parse_spr
from .sessions import DEADLINE_GRACE
from .testmodules import (
    SECTION_OF,
    attempt_complete,
    module_learning_record,
    module_mark,
    section_modules,
    section_route,
    section_score,
)

BREAK_SECONDS = 600
NOTE_MAX_CHARS = 2000
HIGHLIGHTS_MAX = 100
HIGHLIGHT_MAX_OFFSET = 50_000

_NEXT = {Phase.RW1: Phase.RW2, Phase.RW2: Phase.BREAK, Phase.BREAK: Phase.MATH1, Phase.MATH1: Phase.MATH2}


class TestClosed(ValidationError):
    """The module (or the whole test) has ended; it takes no more saves. Views answer 409."""

    __test__ = False


class TestNotFound(Exception):
    """No such module or item in the learner's own test. Views answer 404."""

    __test__ = False


def time_scale() -> float:
    """FULL_TEST_TIME_SCALE shortens every module and break (browser tests); 1 in production."""
    return float(getattr(settings, "FULL_TEST_TIME_SCALE", 1.0))


def module_seconds(module: FormModule, attempt: TestAttempt) -> float:
    return module.time_limit_seconds * attempt.time_multiplier * time_scale()


def break_seconds(attempt: TestAttempt) -> float:
    return BREAK_SECONDS * attempt.break_multiplier * time_scale()


# --- Start and resume -------------------------------------------------------------------------------------


def _form_for(learner: User) -> TestForm:
    """The published form the learner has sat least often (the first by name among equals)."""
    form = (
        TestForm.objects.published()
        .annotate(sat=Count("attempts", filter=Q(attempts__learner=learner)))
        .order_by("sat", "name", "pk")
        .first()
    )
    if form is None:
        raise ValidationError(
            "No full-length practice test is available yet. Ask your teacher or the site's staff."
        )
    return form


@dataclass(frozen=True)
class Started:
    attempt: TestAttempt
    created: bool


def fulltest_start(
    *, learner: User, form: TestForm | None = None, assignment=None, now: datetime | None = None
) -> Started:
    """Start a full test, or resume the one already open (a learner has at most one; the database says so)."""
    now = now or timezone.now()
    existing = TestAttempt.objects.filter(learner=learner, status=TestAttempt.Status.IN_PROGRESS).first()
    if existing is not None:
        return Started(fulltest_sync(attempt=existing, now=now), created=False)
    if form is not None and form.status != TestForm.Status.PUBLISHED:
        raise ValidationError("This test form is not published.")
    form = form or _form_for(learner)
    accommodation = TestAccommodation.objects.filter(learner=learner).first()
    try:
        with transaction.atomic():
            attempt = TestAttempt.objects.create(
                learner=learner,
                form=form,
                assignment=assignment,
                phase=Phase.RW1,
                phase_deadline=now,  # set by the module's start below
                time_multiplier=accommodation.multiplier if accommodation else 1.0,
                break_multiplier=2.0 if accommodation and accommodation.extended_breaks else 1.0,
                started_at=now,
            )
            _module_begin(attempt, Phase.RW1, at=now)
    except IntegrityError:
        # Another request (a double click, a second tab) started one first: resume that one.
        existing = TestAttempt.objects.filter(learner=learner, status=TestAttempt.Status.IN_PROGRESS).first()
        if existing is None:
            raise
        return Started(fulltest_sync(attempt=existing, now=now), created=False)
    return Started(attempt, created=True)


def _module_begin(
    attempt: TestAttempt, phase: str, *, at: datetime, module: FormModule | None = None
) -> None:
    """Start a module at `at`: its clock, and a response row for every slot."""
    if module is None:
        module = section_modules(attempt, SECTION_OF[phase])["routing"]
    deadline = at + timedelta(seconds=module_seconds(module, attempt))
    module_attempt = TestModuleAttempt.objects.create(
        attempt=attempt, phase=phase, module=module, started_at=at, deadline=deadline
    )
    slots = FormSlot.objects.filter(module=module).order_by("position").values_list("pk", "position")
    TestResponse.objects.bulk_create(
        [TestResponse(module_attempt=module_attempt, slot_id=pk, position=position) for pk, position in slots]
    )
    attempt.phase, attempt.phase_deadline = phase, deadline
    attempt.save(update_fields=["phase", "phase_deadline"])


# --- The clock ----------------------------------------------------------------------------------------------


def fulltest_sync(*, attempt: TestAttempt, now: datetime | None = None) -> TestAttempt:
    """End every phase whose time has run out (at its deadline) and start the next; no query if none has."""
    now = now or timezone.now()
    if not attempt.is_open or now <= attempt.phase_deadline + DEADLINE_GRACE:
        return attempt
    with transaction.atomic():
        locked = TestAttempt.objects.select_for_update().get(pk=attempt.pk)
        while locked.is_open and now > locked.phase_deadline + DEADLINE_GRACE:
            _phase_end(locked, at=locked.phase_deadline, reason=TestModuleAttempt.Closed.TIMED_OUT)
    return locked


@transaction.atomic
def fulltest_module_submit(*, attempt: TestAttempt, phase: str, now: datetime | None = None) -> TestAttempt:
    """The learner ends the module from its review page; a module already ended is refused (409)."""
    now = now or timezone.now()
    locked = fulltest_sync(attempt=TestAttempt.objects.select_for_update().get(pk=attempt.pk), now=now)
    if locked.phase != phase or not locked.is_open:
        raise TestClosed("This module has already ended.")
    _phase_end(locked, at=now, reason=TestModuleAttempt.Closed.SUBMITTED)
    return locked


@transaction.atomic
def fulltest_break_end(*, attempt: TestAttempt, now: datetime | None = None) -> TestAttempt:
    """The learner resumes testing before the break is over (idempotent once Math has started)."""
    now = now or timezone.now()
    locked = fulltest_sync(attempt=TestAttempt.objects.select_for_update().get(pk=attempt.pk), now=now)
    if locked.is_open and locked.phase == Phase.BREAK:
        _phase_end(locked, at=now, reason=TestModuleAttempt.Closed.SUBMITTED)
    return locked


def _phase_end(attempt: TestAttempt, *, at: datetime, reason: str) -> None:
    """End the attempt's current phase at `at` and start the next one then. The attempt row is locked."""
    phase = attempt.phase
    if phase == Phase.BREAK:
        _module_begin(attempt, Phase.MATH1, at=at)
        return
    module_attempt = TestModuleAttempt.objects.select_related("module").get(attempt=attempt, phase=phase)
    module_attempt.closed_at, module_attempt.closed_reason = min(at, module_attempt.deadline), reason
    module_attempt.save(update_fields=["closed_at", "closed_reason"])
    responses = module_mark(module_attempt)
    # Queued in this transaction: the module's end and its learning job commit together or not at all.
    module_learning_record.enqueue(module_attempt_id=module_attempt.pk)
    section = SECTION_OF[phase]
    if phase in (Phase.RW1, Phase.MATH1):
        variant = section_route(attempt, section, responses)
        _module_begin(attempt, _NEXT[phase], at=at, module=section_modules(attempt, section)[variant])
        return
    section_score(attempt, section)
    if phase == Phase.RW2:
        attempt.phase = Phase.BREAK
        attempt.phase_deadline = at + timedelta(seconds=break_seconds(attempt))
        attempt.save(update_fields=["phase", "phase_deadline"])
        return
    attempt_complete(attempt, at=at)


# --- Saving a response (the hot path) ---------------------------------------------------------------------

# One statement finds the learner's response in the open attempt's module and locks the module row
# (FOR SHARE: saves from two tabs go side by side; the module's end waits for them and they for it).
_SAVE_FIND_SQL = """
SELECT m.id, m.deadline, m.closed_at, q.type, r.id, t.status
  FROM practice_testmoduleattempt m
  JOIN practice_testattempt t ON t.id = m.attempt_id
  JOIN practice_testresponse r ON r.module_attempt_id = m.id AND r.position = %(position)s
  JOIN practice_formslot s ON s.id = r.slot_id
  JOIN practice_question q ON q.id = s.question_id
 WHERE m.attempt_id = %(attempt)s AND m.phase = %(phase)s AND t.learner_id = %(learner)s
   FOR SHARE OF m
"""

_SAVE_FIELDS = ("given", "flagged", "eliminated", "note", "highlights")


@dataclass(frozen=True)
class Saved:
    """What the server holds after a save; `applied` is False for a replay or a save older than the last."""

    given: str
    flagged: bool
    eliminated: str
    applied: bool
    seq: int


def clean_save(question_type: str, changes: dict) -> dict:
    """Check a save's fields; raise ValidationError (422) naming what is wrong. Absent fields stay as
    they are."""
    clean = {}
    errors = {}
    if "given" in changes:
        given = (changes["given"] or "").strip()
        if given and question_type == Question.Type.MCQ:
            given = given.upper()
            if given not in MCQ_LABELS:
                errors["given"] = "Choose one of the options A, B, C or D."
        elif given:
            try:
                parse_spr(given)
            except SprFormatError as exc:
                errors["given"] = exc.message
            if len(given) > 6:
                errors.setdefault("given", "Up to 5 characters, or 6 with a minus sign.")
        clean["given"] = given
    if "flagged" in changes:
        clean["flagged"] = bool(changes["flagged"])
    if "eliminated" in changes:
        letters = (changes["eliminated"] or "").upper()
        if question_type != Question.Type.MCQ and letters:
            errors["eliminated"] = "Only multiple-choice options can be struck out."
        elif any(letter not in MCQ_LABELS for letter in letters):
            errors["eliminated"] = "Struck-out options are letters A to D."
        clean["eliminated"] = "".join(sorted(set(letters)))
    if "note" in changes:
        note = changes["note"] or ""
        if len(note) > NOTE_MAX_CHARS:
            errors["note"] = f"Notes are limited to {NOTE_MAX_CHARS} characters."
        clean["note"] = note
    if "highlights" in changes:
        highlights = changes["highlights"]
        if not _valid_highlights(highlights):
            errors["highlights"] = (
                f"Highlights are up to {HIGHLIGHTS_MAX} pairs [start, end] of character offsets "
                "in the passage."
            )
        else:
            clean["highlights"] = [[int(start), int(end)] for start, end in highlights]
    if errors:
        raise ValidationError(errors)
    return clean


def _valid_highlights(value) -> bool:
    if not isinstance(value, list) or len(value) > HIGHLIGHTS_MAX:
        return False
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            return False
        start, end = pair
        if (
            not (isinstance(start, int) and isinstance(end, int))
            or isinstance(start, bool)
            or isinstance(end, bool)
        ):
            return False
        if not 0 <= start < end <= HIGHLIGHT_MAX_OFFSET:
            return False
    return True


def fulltest_save(
    *,
    learner: User,
    attempt_id: int,
    phase: str,
    position: int,
    changes: dict,
    seq: int | None = None,
    now: datetime | None = None,
) -> Saved:
    """Save the learner's state of one item: the answer (blank clears it), flag, struck-out options, note,
    highlights. Idempotent: the state with the highest `seq` (the client's clock in ms; the server's when
    absent) wins, so a retry, a double click or a late older save changes nothing.

    Raises TestNotFound (404) for anything not in the learner's own module, TestClosed (409) once the
    module has ended or its time is up (then the module is ended, at its deadline), ValidationError (422)
    for an entry that breaks the rules. Two statements when the save lands.
    """
    now = now or timezone.now()
    seq = int(now.timestamp() * 1000) if seq is None else int(seq)
    if not 0 < seq < 2**62:
        raise ValidationError({"seq": "The save's sequence number is out of range. Reload the page."})
    expired = False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _SAVE_FIND_SQL,
            {"attempt": attempt_id, "phase": phase, "position": position, "learner": learner.pk},
        )
        row = cursor.fetchone()
        if row is None:
            raise TestNotFound("No such question in your test.")
        _module_id, deadline, closed_at, question_type, response_id, _status = row
        if closed_at is not None:
            raise TestClosed("This module has ended; it takes no more answers.")
        if now > deadline + DEADLINE_GRACE:
            expired = True
        else:
            clean = clean_save(question_type, changes)
            sets = ", ".join(f"{name} = %({name})s" for name in _SAVE_FIELDS if name in clean)
            params = {**clean, "id": response_id, "seq": seq, "now": now}
            if "highlights" in params:
                params["highlights"] = Jsonb(params["highlights"])
            cursor.execute(
                f"""UPDATE practice_testresponse
                           SET {sets + ", " if sets else ""}seq = %(seq)s, saved_at = %(now)s
                         WHERE id = %(id)s AND seq < %(seq)s
                     RETURNING given, flagged, eliminated, seq""",
                params,
            )
            updated = cursor.fetchone()
            applied = updated is not None
            if not applied:
                cursor.execute(
                    "SELECT given, flagged, eliminated, seq FROM practice_testresponse WHERE id = %s",
                    [response_id],
                )
                updated = cursor.fetchone()
    if expired:
        attempt = TestAttempt.objects.get(pk=attempt_id)
        fulltest_sync(attempt=attempt, now=now)
        raise TestClosed("Time is up for this module. Your answers saved before the deadline count.")
    given, flagged, eliminated, stored_seq = updated
    return Saved(given=given, flagged=flagged, eliminated=eliminated, applied=applied, seq=stored_seq)


# --- Accommodations ---------------------------------------------------------------------------------------


@transaction.atomic
def accommodation_set(
    *, learner: User, time_multiplier: str, extended_breaks: bool, set_by: User | None, note: str = ""
) -> TestAccommodation:
    """Record a learner's approved accommodations; they apply to tests started from now on."""
    accommodation, _ = TestAccommodation.objects.select_for_update().get_or_create(learner=learner)
    accommodation.time_multiplier = time_multiplier
    accommodation.extended_breaks = extended_breaks
    accommodation.note = note
    accommodation.set_by = set_by
    accommodation.updated_at = timezone.now()
    accommodation.full_clean()
    accommodation.save()
    return accommodation
