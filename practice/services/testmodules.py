"""What a full-length test module's end does: mark its responses, route the section or score it, and
queue the job that records its answers for the learning engine; and the attempt's completion. Called by
`services.fulltests` with the attempt row locked (docs/full-test.md).
"""

import functools
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from ..engine import testscore
from ..engine.blueprint import EASIER, HARDER
from ..engine.routing import route, routing_threshold
from ..grading import grade_answer
from ..models import (
    FormModule,
    FormSlot,
    Phase,
    PracticeSession,
    Question,
    SessionItem,
    TestAttempt,
    TestModuleAttempt,
    TestResponse,
)
from .answers import ClosedAnswer, answers_record_closed
from .assignments import assignment_test_completed
from .sessions import practice_session_finish

# The namespace of the idempotency keys of the answers a closed module records for the learning engine.
_ANSWER_KEYS = uuid.UUID("6f1f9e6e-3b7a-4a59-9f51-8a0c2f3d1b27")
SECTION_OF = {Phase.RW1: "rw", Phase.RW2: "rw", Phase.MATH1: "math", Phase.MATH2: "math"}
_SECTION_NAMES = {"rw": "Reading and Writing", "math": "Math"}


def section_modules(attempt: TestAttempt, section: str) -> dict[str, FormModule]:
    return {
        module.variant: module
        for module in FormModule.objects.filter(
            form_id=attempt.form_id, section__name=_SECTION_NAMES[section]
        )
    }


def module_mark(module_attempt: TestModuleAttempt) -> list[TestResponse]:
    """Mark every response of the closed module (an unanswered item is wrong); returns them, with slots."""
    responses = list(
        TestResponse.objects.filter(module_attempt=module_attempt)
        .select_related("slot__question")
        .order_by("position")
    )
    correct_labels = dict(
        Question.objects.filter(
            pk__in=[r.slot.question_id for r in responses], options__is_correct=True
        ).values_list("pk", "options__label")
    )
    for response in responses:
        question = response.slot.question
        response.correct_label = correct_labels.get(question.pk)  # the answers recorded next reuse it
        if not response.given:
            response.is_correct = False
            continue
        try:
            _, response.is_correct = grade_answer(question, response.given, response.correct_label)
        except ValidationError:
            response.is_correct = False  # saves are checked, so only an entry the rules changed since
    TestResponse.objects.bulk_update(responses, ["is_correct"])
    return responses


def _scored(responses) -> list[tuple[float, float, bool]]:
    out = []
    for response in responses:
        if response.slot.pretest:
            continue
        question = response.slot.question
        question.fill_defaults()
        out.append((question.irt_a, question.irt_b, bool(response.is_correct)))
    return out


def section_threshold(attempt: TestAttempt, section: str) -> float:
    """The routing threshold of the section's two module 2s, from their scored items' (a, b)."""
    modules = section_modules(attempt, section)
    items = {}
    for variant in (EASIER, HARDER):
        rows = FormSlot.objects.filter(module=modules[variant], pretest=False).values_list(
            "question__irt_a", "question__irt_b"
        )
        items[variant] = tuple(rows)  # NOT NULL: Question.save fills the defaults
    return _threshold_of(items[EASIER], items[HARDER])


@functools.lru_cache(maxsize=256)
def _threshold_of(easier: tuple, harder: tuple) -> float:
    """Memoised on the parameters themselves (about 60 ms of CPU to find the crossing): every learner of
    a form routes on the same two modules, and a recalibration changes the key, never a stale value."""
    return routing_threshold(easier, harder).theta


def section_route(attempt: TestAttempt, section: str, responses) -> str:
    """Module 2's variant by the routing rule on module 1's scored items (docs/test-forms.md)."""
    return route(_scored(responses), section_threshold(attempt, section))


def section_score(attempt: TestAttempt, section: str) -> None:
    responses = (
        TestResponse.objects.filter(
            module_attempt__attempt=attempt, module_attempt__phase__in=_phases_of(section)
        )
        .select_related("slot__question")
        .order_by("module_attempt__started_at", "position")
    )
    result = testscore.score_section(_scored(responses))
    for name in ("theta", "sd", "score", "low", "high"):
        setattr(attempt, f"{section}_{name}", getattr(result, name))
    attempt.save(update_fields=[f"{section}_{name}" for name in ("theta", "sd", "score", "low", "high")])


def _phases_of(section: str) -> list[str]:
    return [phase for phase, name in SECTION_OF.items() if name == section]


def section_result(attempt: TestAttempt, section: str) -> testscore.SectionResult:
    return testscore.SectionResult(
        theta=getattr(attempt, f"{section}_theta"),
        sd=getattr(attempt, f"{section}_sd"),
        score=getattr(attempt, f"{section}_score"),
        low=getattr(attempt, f"{section}_low"),
        high=getattr(attempt, f"{section}_high"),
        correct=0,
        scored=0,
    )


def attempt_complete(attempt: TestAttempt, *, at: datetime) -> None:
    total = testscore.score_total(section_result(attempt, "rw"), section_result(attempt, "math"))
    attempt.total_score, attempt.total_low, attempt.total_high = total.score, total.low, total.high
    attempt.status, attempt.phase, attempt.phase_deadline = TestAttempt.Status.COMPLETED, Phase.DONE, None
    attempt.completed_at = at
    attempt.save(
        update_fields=[
            "total_score",
            "total_low",
            "total_high",
            "status",
            "phase",
            "phase_deadline",
            "completed_at",
        ]
    )
    _assignment_progress(attempt, at=at)


def _assignment_progress(attempt: TestAttempt, *, at: datetime) -> None:
    """A test started from a teacher's assignment completes it for the learner."""
    if attempt.assignment_id is None:
        return
    assignment_test_completed(attempt=attempt, now=at)


@task(queue_name="learning")
def module_learning_record(*, module_attempt_id: int) -> bool:
    """The job a module's end queues: its answers, recorded for the learning engine, once (a rerun after a
    worker died finds the session made and does nothing). Off the request: it is half a module end's
    CPU (bench/README.md, "The test-day runs")."""
    with transaction.atomic():
        module_attempt = (
            TestModuleAttempt.objects.select_for_update(of=("self",))
            .select_related("attempt__form", "module")
            .get(pk=module_attempt_id)
        )
        if module_attempt.session_id is not None or module_attempt.closed_at is None:
            return False
        module_record_for_learning(module_attempt.attempt, module_attempt, module_mark(module_attempt))
    return True


def module_record_for_learning(attempt: TestAttempt, module_attempt: TestModuleAttempt, responses) -> None:
    """The module's answers, recorded as a timed practice session's, so proficiency, the predicted score,
    review and badges hear about them exactly as they do for practice (services.answers)."""
    module = module_attempt.module
    session = PracticeSession.objects.create(
        learner_id=attempt.learner_id,
        section_id=module.section_id,
        mode=PracticeSession.Mode.TIMED,
        scope=f"Full-length test: {attempt.form.name}, {module_attempt.get_phase_display()}",
        length=len(responses),
        time_limit_s=max(1, int((module_attempt.deadline - module_attempt.started_at).total_seconds())),
        started_at=module_attempt.started_at,
        deadline=module_attempt.deadline,
    )
    # Time spent on an item: from the save before it (or the module's start) to its own last save.
    shown, previous = {}, module_attempt.started_at
    for response in sorted((r for r in responses if r.given), key=lambda r: r.saved_at or previous):
        shown[response.pk] = previous
        previous = min(response.saved_at or previous, module_attempt.deadline)
    items = SessionItem.objects.bulk_create(
        [
            SessionItem(
                session=session, question_id=r.slot.question_id, position=r.position, shown_at=shown.get(r.pk)
            )
            for r in responses
        ]
    )
    entries = []
    for response, item in zip(responses, items, strict=True):
        if response.given:
            when = min(response.saved_at or module_attempt.started_at, module_attempt.deadline)
            entries.append(
                ClosedAnswer(
                    item=item,
                    question=response.slot.question,
                    given=response.given,
                    is_correct=bool(response.is_correct),
                    key=uuid.uuid5(_ANSWER_KEYS, str(response.pk)),
                    answered_at=when,
                )
            )
    answers_record_closed(session=session, entries=entries)
    practice_session_finish(session=session, now=module_attempt.closed_at)
    module_attempt.session = session
    module_attempt.save(update_fields=["session"])
