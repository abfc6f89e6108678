"""Practice session reads: the learner's sessions, their items, the item an answer is posted to, results."""

import functools
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Answer, PracticeSession, Question, QuestionOption, Section, SessionItem, User
from ..rows import select_columns


def practice_session_get(*, learner: User, pk: int) -> PracticeSession:
    """The learner's own session, or 404 (also for anyone else's)."""
    return get_object_or_404(PracticeSession.objects.select_related("section"), pk=pk, learner=learner)


def practice_session_list(*, learner: User):
    """The learner's sessions, newest first (paginate the result)."""
    return (
        PracticeSession.objects.filter(learner=learner)
        .select_related("section")
        .order_by("-started_at", "-pk")
    )


def practice_session_open_list(*, learner: User, limit: int = 5) -> list[PracticeSession]:
    """Unfinished sessions the learner can resume, newest first."""
    return list(
        PracticeSession.objects.filter(learner=learner, status=PracticeSession.Status.IN_PROGRESS)
        .select_related("section")
        .order_by("-started_at", "-pk")[:limit]
    )


def session_items(*, session: PracticeSession, with_questions: bool = False) -> list[SessionItem]:
    """The session's items in order with their answers (one query; two more with questions and options)."""
    items = SessionItem.objects.filter(session=session).select_related("answer").order_by("position")
    if with_questions:
        items = items.select_related("question__skill__domain").prefetch_related(
            Prefetch("question__options", queryset=QuestionOption.objects.order_by("label"))
        )
    return list(items)


def session_item_get(*, session: PracticeSession, position: int) -> SessionItem:
    """The item at `position` of the session, or 404."""
    return get_object_or_404(SessionItem, session=session, position=position)


# What a question shows but an answer to it never reads: marking needs its type, answers and IRT figures.
_QUESTION_DISPLAY_FIELDS = (
    "passage",
    "passage_b",
    "stem",
    "explanation",
    "passage_html",
    "passage_b_html",
    "stem_html",
    "explanation_html",
    "figure",
    "figure_svg",
    "figure_alt",
)


@functools.cache
def _item_for_answer_sql() -> tuple[str, list[tuple[type, list[str]]]]:
    parts = [
        (SessionItem, "i", ()),
        (PracticeSession, "s", ()),
        (Section, "sec", ()),
        (Question, "q", _QUESTION_DISPLAY_FIELDS),
    ]
    selects = [(model, *select_columns(model, alias, leave_out)) for model, alias, leave_out in parts]
    sql = f"""
        SELECT {", ".join(columns for _, columns, _ in selects)},
               (SELECT o.label FROM practice_questionoption o
                 WHERE o.question_id = i.question_id AND o.is_correct)
        FROM practice_sessionitem i
        JOIN practice_practicesession s ON s.id = i.session_id
        JOIN practice_section sec ON sec.id = s.section_id
        JOIN practice_question q ON q.id = i.question_id
        WHERE i.session_id = %s AND s.learner_id = %s AND i.position = %s"""
    return sql, [(model, names) for model, _, names in selects]


def session_item_for_answer(*, learner: User, session_pk: int, position: int) -> SessionItem:
    """The item an answer is posted to, with its session (and section), its question and the correct
    option's label; 404 for anyone else's session. One query; the question's display text is left out
    (the pages fetch it anew).

    The equivalent of select_related("session__section", "question") with the correct label annotated,
    written out because it runs on every answer POST and compiling that QuerySet cost about 1 ms of CPU,
    ten times more than the query (see practice/rows.py). A test compares the two.
    """
    sql, parts = _item_for_answer_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_pk, learner.pk, position])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No such question in this session.")
    instances, start = [], 0
    for model, names in parts:
        instances.append(model.from_db(connection.alias, names, row[start : start + len(names)]))
        start += len(names)
    item, session, section, question = instances
    session.section = section
    item.session = session
    item.question = question
    item.correct_label = row[start]
    return item


@dataclass
class Tally:
    name: str
    total: int = 0
    correct: int = 0
    children: "OrderedDict[str, Tally]" = field(default_factory=OrderedDict)

    @property
    def accuracy(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


@dataclass
class SessionResults:
    session: PracticeSession
    items: list[SessionItem]
    domains: list[Tally]
    total_time_ms: int
    pacing_s: int

    @property
    def average_time_s(self) -> float:
        answered = [i for i in self.items if hasattr(i, "answer_or_none") and i.answer_or_none]
        return round(self.total_time_ms / 1000 / len(answered), 1) if answered else 0.0


def session_results(*, session: PracticeSession) -> SessionResults:
    """Score, accuracy by domain and skill, pacing and every question, flagged ones first (three queries)."""
    items = session_items(session=session, with_questions=True)
    domains: OrderedDict[str, Tally] = OrderedDict()
    total_time = 0
    for item in items:
        answer = getattr(item, "answer", None) if item_has_answer(item) else None
        item.answer_or_none = answer
        item.correct_label = next((o.label for o in item.question.options.all() if o.is_correct), "")
        skill = item.question.skill
        domain = domains.setdefault(skill.domain.name, Tally(skill.domain.name))
        tally = domain.children.setdefault(skill.name, Tally(skill.name))
        for bucket in (domain, tally):
            bucket.total += 1
            bucket.correct += int(bool(answer and answer.is_correct))
        if answer and answer.time_spent_ms is not None:  # None: an imported answer's unknown time
            total_time += answer.time_spent_ms
            item.over_pace = answer.time_spent_ms > session.section.seconds_per_question * 1000
    ordered = sorted(items, key=lambda i: (not i.flagged, i.position))
    return SessionResults(
        session=session,
        items=ordered,
        domains=list(domains.values()),
        total_time_ms=total_time,
        pacing_s=session.section.seconds_per_question,
    )


def item_has_answer(item: SessionItem) -> bool:
    try:
        item.answer  # noqa: B018  (reads the select_related cache)
    except Answer.DoesNotExist:
        return False
    return True
