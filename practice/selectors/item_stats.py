"""Classical item statistics per question (responses, p-value, point-biserial, time, options) and flags.

One grouped query for any number of questions. The point-biserial is the Pearson correlation between
the item score (1 right, 0 wrong) and the learner's *rest score*: the learner's proportion correct over
all their other answers in the same section (every answer they gave there, this one left out). A whole
section's answers are a steadier yardstick than one 5-50 question session, whose items adaptive
selection also picks to suit the learner. Every answer counts as a response (a learner who met a
question in two sessions counts twice); answers whose learner has no other answer in the section have
no rest score and are left out of the correlation only.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from ..models import MCQ_LABELS

# A question is judged only once it has this many responses.
MIN_RESPONSES = 30
LOW_DISCRIMINATION = 0.1  # point-biserial below this: the item hardly separates strong from weak
TOO_EASY = 0.95  # p-value above: nearly everyone is right
TOO_HARD = 0.05  # p-value below: nearly everyone is wrong
RARE_DISTRACTOR = 0.02  # a wrong option chosen by fewer than this share of responses

FLAGS = {
    "low_discrimination": f"discrimination below {LOW_DISCRIMINATION} (or negative)",
    "too_easy": f"more than {TOO_EASY:.0%} right",
    "too_hard": f"fewer than {TOO_HARD:.0%} right",
    "rare_distractor": f"a wrong option chosen by under {RARE_DISTRACTOR:.0%}",
}

# The learner's section totals come from their sessions' counters (answered_count, correct_count), which
# the answer write keeps in step with the answers in the same statement: summing 1 row per session
# instead of 1 per answer keeps a changelist page over a million answers fast.
_STATS_SQL = """
WITH target AS (
    SELECT a.question_id, a.learner_id, s.section_id, a.is_correct::int AS x, a.given, a.time_spent_ms
      FROM practice_answer a
      JOIN practice_practicesession s ON s.id = a.session_id
     {where}
),
totals AS (
    SELECT learner_id, section_id, sum(answered_count) AS n, sum(correct_count) AS k
      FROM practice_practicesession
     WHERE learner_id IN (SELECT learner_id FROM target)
     GROUP BY learner_id, section_id
),
stats AS (
    SELECT t.question_id, count(*) AS responses, avg(t.x)::float AS p,
           corr(t.x::float, (tt.k - t.x)::float / NULLIF(tt.n - 1, 0)) FILTER (WHERE tt.n > 1) AS rpb,
           avg(t.time_spent_ms)::float AS mean_ms,
           {option_counts}
      FROM target t
      JOIN totals tt ON tt.learner_id = t.learner_id AND tt.section_id = t.section_id
     GROUP BY t.question_id
    HAVING count(*) >= %(min_responses)s
)
SELECT st.question_id, q.type, o.label, st.responses, st.p, st.rpb, st.mean_ms, st.a, st.b, st.c, st.d
  FROM stats st
  JOIN practice_question q ON q.id = st.question_id
  LEFT JOIN practice_questionoption o ON o.question_id = st.question_id AND o.is_correct
"""
_OPTION_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE t.given = '{label}') AS {label.lower()}" for label in MCQ_LABELS
)


@dataclass(frozen=True)
class ItemStats:
    question_id: int
    responses: int
    p_value: float  # proportion correct
    point_biserial: float | None  # None: no variance to correlate (e.g. everyone right)
    mean_seconds: float | None  # None: no answer with a known time
    correct_label: str | None  # multiple choice only
    option_counts: dict[str, int] = field(default_factory=dict)  # multiple choice only: A-D -> times chosen
    flags: tuple[str, ...] = ()

    @property
    def option_shares(self) -> dict[str, float]:
        return {label: count / self.responses for label, count in self.option_counts.items()}

    @property
    def flag_texts(self) -> list[str]:
        return [FLAGS[flag] for flag in self.flags]


def item_flags(
    *, responses: int, p_value: float, point_biserial: float | None, option_counts: dict, correct_label
) -> tuple[str, ...]:
    """The misbehaviour flags of an item; none until it has MIN_RESPONSES responses."""
    if responses < MIN_RESPONSES:
        return ()
    flags = []
    if point_biserial is not None and point_biserial < LOW_DISCRIMINATION:
        flags.append("low_discrimination")
    if p_value > TOO_EASY:
        flags.append("too_easy")
    if p_value < TOO_HARD:
        flags.append("too_hard")
    if correct_label and any(
        count < RARE_DISTRACTOR * responses
        for label, count in option_counts.items()
        if label != correct_label
    ):
        flags.append("rare_distractor")
    return tuple(flags)


def item_statistics(
    *, question_ids: Iterable[int] | None = None, min_responses: int = 1
) -> dict[int, ItemStats]:
    """ItemStats per question with at least `min_responses` answers (all questions when no ids given);
    one query whatever the number of questions."""
    params: dict = {"min_responses": min_responses}
    where = ""
    if question_ids is not None:
        params["ids"] = list(question_ids)
        if not params["ids"]:
            return {}
        where = "WHERE a.question_id = ANY(%(ids)s)"
    sql = _STATS_SQL.format(where=where, option_counts=_OPTION_COUNTS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    stats = {}
    for question_id, kind, correct_label, responses, p_value, rpb, mean_ms, *counts in rows:
        option_counts = dict(zip(MCQ_LABELS, counts, strict=True)) if kind == "mcq" else {}
        stats[question_id] = ItemStats(
            question_id=question_id,
            responses=responses,
            p_value=p_value,
            point_biserial=rpb,
            mean_seconds=None if mean_ms is None else mean_ms / 1000,
            correct_label=correct_label if kind == "mcq" else None,
            option_counts=option_counts,
            flags=item_flags(
                responses=responses,
                p_value=p_value,
                point_biserial=rpb,
                option_counts=option_counts,
                correct_label=correct_label if kind == "mcq" else None,
            ),
        )
    return stats


def flagged_question_ids(*, flag: str | None = None) -> list[int]:
    """Questions with any flag (or with `flag`), over the whole bank: one query."""
    return [
        pk
        for pk, stats in item_statistics(min_responses=MIN_RESPONSES).items()
        if (flag in stats.flags if flag else stats.flags)
    ]
