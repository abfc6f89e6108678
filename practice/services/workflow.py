"""Question workflow writes, as staff make them: submit for review, return to draft, publish, retire.

Each is one transaction that locks the question and logs a `QuestionEvent` (through
`lifecycle.question_transition`). Publishing checks the question by the one rule every way in uses
(`question_problems`, options included) and refuses a reviewer publishing their own question; the
database refuses it again (CHECK question_publisher_not_author). Refusals are ValidationErrors whose
message says why; the `_many` forms collect them for the admin's bulk actions.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Question, User
from .lifecycle import question_transition
from .questions import question_problems

Status = Question.Status


@transaction.atomic
def question_submit_for_review(*, question: Question, actor: User | None, note: str = "") -> Question:
    """Draft → in review: the author asks a reviewer to check and publish it."""
    return question_transition(question=question, to_status=Status.IN_REVIEW, actor=actor, note=note)


@transaction.atomic
def question_return_to_draft(*, question: Question, actor: User | None, note: str = "") -> Question:
    """In review → draft: the reviewer sends it back (the note says what to change)."""
    return question_transition(question=question, to_status=Status.DRAFT, actor=actor, note=note)


@transaction.atomic
def question_publish(*, question: Question, actor: User | None, note: str = "") -> Question:
    """In review → published, by a reviewer who is not its author; retires the family's previous version."""
    locked = (
        Question.objects.select_for_update(of=("self",))
        .select_related("skill__domain__section")
        .prefetch_related("options")
        .get(pk=question.pk)
    )
    if locked.status == Status.IN_REVIEW:  # else question_transition says why it cannot be published
        locked.status = Status.PUBLISHED
        problems = question_problems(locked, list(locked.options.all()))
        if problems:
            raise ValidationError(f"{locked}: {' '.join(ValidationError(problems).messages)}")
        locked.status = Status.IN_REVIEW
    return question_transition(question=locked, to_status=Status.PUBLISHED, actor=actor, note=note)


@transaction.atomic
def question_retire(*, question: Question, actor: User | None, note: str = "") -> Question:
    """Retire: it leaves new sessions but keeps its answers, statistics and review items."""
    return question_transition(question=question, to_status=Status.RETIRED, actor=actor, note=note)


def _each(step, *, questions, actor: User | None, skip: str) -> tuple[int, list[str]]:
    done, refusals = 0, []
    for question in questions.order_by("pk"):
        if question.status == skip:
            continue  # already there: nothing to do, nothing to refuse
        try:
            with transaction.atomic():
                step(question=question, actor=actor)
        except ValidationError as exc:
            refusals.extend(exc.messages)
        else:
            done += 1
    return done, refusals


@transaction.atomic
def question_submit_many(*, questions, actor: User | None = None) -> tuple[int, list[str]]:
    """Submit the given questions for review; return how many moved and why the others did not."""
    return _each(question_submit_for_review, questions=questions, actor=actor, skip=Status.IN_REVIEW)


@transaction.atomic
def question_return_many(*, questions, actor: User | None = None) -> tuple[int, list[str]]:
    """Return the given questions to draft; return how many moved and why the others did not."""
    return _each(question_return_to_draft, questions=questions, actor=actor, skip=Status.DRAFT)


@transaction.atomic
def question_publish_many(*, questions, actor: User | None = None) -> tuple[int, list[str]]:
    """Publish the given questions; return how many were published and why the others were not."""
    return _each(question_publish, questions=questions, actor=actor, skip=Status.PUBLISHED)


@transaction.atomic
def question_retire_many(*, questions, actor: User | None = None) -> int:
    """Retire the given questions (any not yet retired); return how many were retired."""
    return _each(question_retire, questions=questions, actor=actor, skip=Status.RETIRED)[0]
