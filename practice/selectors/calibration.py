"""Reads for item calibration: the response matrix of a section from the stored answers."""

from ..models import Answer, Section


def first_responses(*, section: Section) -> dict[int, dict[int, bool]]:
    """learner id -> {question id -> right} for the section's questions, from each learner's FIRST answer
    to each question (a later attempt at a question seen before says more about memory than ability)."""
    rows = (
        Answer.objects.filter(question__skill__domain__section=section)
        .order_by("learner_id", "question_id", "answered_at", "pk")
        .distinct("learner_id", "question_id")
        .values_list("learner_id", "question_id", "is_correct")
    )
    matrix: dict[int, dict[int, bool]] = {}
    for learner_id, question_id, right in rows.iterator(chunk_size=10_000):
        matrix.setdefault(learner_id, {})[question_id] = right
    return matrix
