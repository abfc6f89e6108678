"""Item calibration: new IRT a and b for a section's questions from their answers, linked to the bank's
current scale, and the one write that saves them (docs/learning-engine.md, "Item calibration")."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ..engine.calibration import Linking, calibrate_2pl, link_scales
from ..engine.irt import ItemParams
from ..models import Question, Section
from ..selectors.calibration import first_responses

DEFAULT_MIN_RESPONSES = 200


@dataclass(frozen=True)
class ItemChange:
    """One question's current and newly estimated parameters (c is kept), with its response count."""

    question_id: int
    label: str
    responses: int
    old: ItemParams
    new: ItemParams
    anchor: bool

    @property
    def moved_a(self) -> float:
        return self.new.a - self.old.a

    @property
    def moved_b(self) -> float:
        return self.new.b - self.old.b


@dataclass(frozen=True)
class SectionCalibration:
    section: Section
    changes: list[ItemChange]
    too_few: int  # questions with answers, but fewer than the minimum
    learners: int
    linking: Linking
    iterations: int
    converged: bool


def calibration_plan(
    *,
    section: Section,
    min_responses: int = DEFAULT_MIN_RESPONSES,
    anchor_min_responses: int | None = None,
    method: str = "mean_sigma",
) -> SectionCalibration:
    """Calibrate the section's questions with at least `min_responses` first answers (drafts and
    pretest items alike) and link the result to the current scale. Reads only.

    Each item keeps its guessing floor c; a and b are estimated (2PL when c = 0). The anchors are the
    calibrated items with at least `anchor_min_responses` (default: the same minimum); with fewer than
    two of those, every calibrated item anchors the scale.
    """
    if min_responses < 1:
        raise ValidationError("The minimum number of responses must be at least 1.")
    responses = first_responses(section=section)
    counts = Counter(question_id for row in responses.values() for question_id in row)
    chosen = {question_id for question_id, n in counts.items() if n >= min_responses}
    matrix = [{q: right for q, right in row.items() if q in chosen} for row in responses.values()]
    matrix = [row for row in matrix if row]
    questions = Question.objects.in_bulk(chosen)
    old = {pk: ItemParams(a=q.irt_a, b=q.irt_b, c=q.irt_c) for pk, q in questions.items()}
    result = calibrate_2pl(matrix, guessing={pk: params.c for pk, params in old.items()})
    anchor_min = anchor_min_responses or min_responses
    anchors = {pk for pk in chosen if counts[pk] >= anchor_min}
    if len(anchors) < 2:
        anchors = chosen
    linking = link_scales(result.items, old, anchors=anchors, method=method)
    changes = [
        ItemChange(
            question_id=pk,
            label=questions[pk].external_id or f"#{pk}",
            responses=counts[pk],
            old=old[pk],
            new=linking.apply(result.items[pk]),
            anchor=pk in anchors,
        )
        for pk in sorted(chosen, key=lambda pk: (questions[pk].external_id, pk))
    ]
    return SectionCalibration(
        section=section,
        changes=changes,
        too_few=len(counts) - len(chosen),
        learners=len(matrix),
        linking=linking,
        iterations=result.iterations,
        converged=result.converged,
    )


@transaction.atomic
def question_irt_update(*, changes: Sequence[ItemChange]) -> int:
    """Save the new a and b of every change in one transaction; refuse all of them if any question's
    parameters were edited since the plan was made."""
    questions = Question.objects.select_for_update().in_bulk([change.question_id for change in changes])
    stale = [
        change.label
        for change in changes
        if change.question_id not in questions
        or (questions[change.question_id].irt_a, questions[change.question_id].irt_b)
        != (change.old.a, change.old.b)
    ]
    if stale:
        raise ValidationError(f"Changed or deleted since the calibration ran: {', '.join(stale[:10])}.")
    for change in changes:
        question = questions[change.question_id]
        question.irt_a, question.irt_b = round(change.new.a, 4), round(change.new.b, 4)
    Question.objects.bulk_update(list(questions.values()), ["irt_a", "irt_b"])
    return len(questions)
