"""The editorial workflow's log: every status change of a question, who made it and why."""

from django.db import models
from django.utils import timezone

from .accounts import User
from .bank import Question


class QuestionEvent(models.Model):
    """One step of a question's workflow (created, submitted, returned, published, retired).

    Written only by the workflow services (`services/lifecycle.py`); `from_status` is empty when the step
    created the row (a new question, a new version, an imported one). `actor` None is the system (an
    import run with no operator account).
    """

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="question_events"
    )
    from_status = models.CharField(max_length=9, blank=True, choices=Question.Status.choices)
    to_status = models.CharField(max_length=9, choices=Question.Status.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "at", "pk"]
        indexes = [models.Index(fields=["question", "at"], name="question_event_question_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_status=models.F("to_status")), name="question_event_changes_status"
            ),
        ]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status}"
