"""Marking an answer: the one place that decides whether a learner's entry is right."""

from django.core.exceptions import ValidationError

from .models import MCQ_LABELS, Question, QuestionOption
from .spr import SprFormatError, spr_matches


def grade_answer(question: Question, given: str, correct_label: str | None = None) -> tuple[str, bool]:
    """Normalise the learner's entry and mark it; raise ValidationError for an entry that breaks the rules."""
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
