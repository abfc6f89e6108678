"""Question bank reads: options, the skill taxonomy for choosing, answer statistics, matched picks."""

from datetime import timedelta

from django.db.models import Count, FloatField, Func, Q
from django.utils import timezone

from ..engine.irt import ItemParams
from ..engine.selection import Candidate, select_items
from ..models import Answer, Question, QuestionOption, Skill, User
from .progress import section_progress, skill_rows


def question_for_display(*, pk: int) -> Question:
    """A question with its skill and domain, for the question page."""
    return Question.objects.select_related("skill__domain").get(pk=pk)


def question_options(*, question: Question) -> list[QuestionOption]:
    return list(QuestionOption.objects.filter(question=question).order_by("label"))


def skills_for_choice():
    """Every skill with its domain and section, in taxonomy order (one query), for the start form."""
    return Skill.objects.select_related("domain__section").order_by(
        "domain__section__position", "domain__position", "position"
    )


class PercentileCont(Func):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    contains_aggregate = True


def question_answer_stats(*, question_ids) -> dict[int, dict]:
    """Attempts, % correct and median time (s) per question, in one grouped query."""
    rows = (
        Answer.objects.filter(question_id__in=list(question_ids))
        .values("question_id")
        .annotate(
            attempts=Count("pk"),
            correct=Count("pk", filter=Q(is_correct=True)),
            median_ms=PercentileCont("time_spent_ms"),
        )
    )
    return {
        row["question_id"]: {
            "attempts": row["attempts"],
            "percent_correct": round(100 * row["correct"] / row["attempts"]) if row["attempts"] else None,
            "median_seconds": round(row["median_ms"] / 1000, 1) if row["median_ms"] is not None else None,
        }
        for row in rows
    }


RECENT_DAYS = 14


def matched_question_ids(
    *, learner: User, section, skills=(), domains=(), length: int, now=None
) -> list[int]:
    """'Matched to me': the most informative published questions at the learner's current skill
    estimates, weak skills first, balanced by the skills' shares, skipping the last RECENT_DAYS' answers."""
    now = now or timezone.now()
    progress = section_progress(skill_rows(learner=learner)).get(section.slug)
    questions = Question.objects.published().in_scope(section=section, skills=skills, domains=domains)
    candidates = [
        Candidate(key=pk, skill=skill_id, item=ItemParams(a=a or 1.0, b=b or 0.0, c=c or 0.0))
        for pk, skill_id, a, b, c in questions.values_list("pk", "skill_id", "irt_a", "irt_b", "irt_c")
    ]
    allowed = {c.skill for c in candidates}
    weights = {k: w for k, w in (progress.weights if progress else {}).items() if k in allowed}
    total = sum(weights.values()) or 1.0
    weights = {k: w / total for k, w in weights.items()} or {k: 1 / len(allowed) for k in allowed}
    recent = set(
        Answer.objects.filter(
            learner=learner, answered_at__gte=now - timedelta(days=RECENT_DAYS)
        ).values_list("question_id", flat=True)
    )
    estimates = progress.estimate.skills if progress else {}
    chosen = select_items(candidates, estimates=estimates, weights=weights, n=length, recent=recent)
    return [c.key for c in chosen]
