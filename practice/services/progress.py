"""Progress writes: proficiency after each answer, and what a finished session records.

`learning_answer_recorded` is called by `services.answers.answer_submit` inside the answer's
transaction; it is the one place the learning engine hears about an answer.
"""

import json
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..engine import spaced
from ..engine.ability import SkillState, update_skill
from ..engine.irt import ItemParams
from ..engine.mastery import Level, next_mastery
from ..engine.streaks import streak_after
from ..models import (
    Answer,
    Assignment,
    AssignmentProgress,
    BadgeAward,
    LearnerStats,
    PracticeSession,
    Question,
    ReviewItem,
    Role,
    ScoreSnapshot,
)
from ..selectors.progress import predicted_scores
from ..tenancy import user_scope
from .activity import badges_award, badges_for_stats, local_date, progress_changed, stats_lock

PERFECT_SESSION_MIN = 5


def item_params(question: Question) -> ItemParams:
    question.fill_defaults()
    return ItemParams(a=question.irt_a, b=question.irt_b, c=question.irt_c)


# The answer hook runs inside every answer_submit, so it is two SQL statements on the common path
# (the practice pages keep a 10-query budget per request):
# 1. lock-and-read: upsert the (learner, skill) proficiency row (ON CONFLICT DO UPDATE locks it and
#    returns its latest committed version even after waiting for a concurrent answer), with the
#    section's pacing, the learner's time zone, the review item, badges held and the counts badges need;
# 2. write: the new estimate, the day's activity, the running totals and streak (atomic upserts
#    computed from the row's latest values), and the review item when there is one to schedule.
# Lock order is proficiency row, then stats row, then review item; reviews and flashcards take the
# stats row first and never a proficiency row, so no cycle (deadlock) is possible.
_ANSWER_READ_SQL = """
WITH p AS (
    INSERT INTO practice_skillproficiency
        (learner_id, skill_id, mean, var, answers, correct, level, updated_at)
    VALUES (%(learner)s, %(skill)s, 0.0, 1.0, 0, 0, 0, %(now)s)
    ON CONFLICT (learner_id, skill_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
    RETURNING id, mean, var, answers, correct, proficient_since, mastered_at
)
SELECT p.id, p.mean, p.var, p.answers, p.correct, p.proficient_since, p.mastered_at,
       sec.seconds_per_question, sec.id,
       COALESCE((SELECT pr.time_zone FROM practice_profile pr WHERE pr.user_id = %(learner)s), 'UTC'),
       r.fsrs_state, r.last_reviewed_at, r.id IS NOT NULL,
       ARRAY(SELECT b.code FROM practice_badgeaward b WHERE b.learner_id = %(learner)s),
       (SELECT count(*) FROM practice_skillproficiency x
         WHERE x.learner_id = %(learner)s AND x.level >= 3 AND x.skill_id <> %(skill)s),
       ARRAY(SELECT DISTINCT d.section_id FROM practice_skillproficiency x
               JOIN practice_skill s ON s.id = x.skill_id JOIN practice_domain d ON d.id = s.domain_id
              WHERE x.learner_id = %(learner)s AND x.answers > 0),
       st.answers, st.reviews, st.sessions_completed, st.current_streak, st.longest_streak,
       st.last_active_day
FROM p
JOIN practice_skill sk ON sk.id = %(skill)s
JOIN practice_domain dm ON dm.id = sk.domain_id
JOIN practice_section sec ON sec.id = dm.section_id
LEFT JOIN practice_reviewitem r ON r.learner_id = %(learner)s AND r.question_id = %(question)s
LEFT JOIN practice_learnerstats st ON st.learner_id = %(learner)s
"""

# The streak rule (engine.streaks.streak_after) repeated in SQL so the write stays one statement;
# test_streak_sql_agrees_with_streak_after holds the two together.
_STREAK = """CASE
    WHEN practice_learnerstats.last_active_day IS NULL
      OR EXCLUDED.last_active_day > practice_learnerstats.last_active_day + 1 THEN 1
    WHEN EXCLUDED.last_active_day = practice_learnerstats.last_active_day + 1
      THEN practice_learnerstats.current_streak + 1
    ELSE practice_learnerstats.current_streak END"""

_REVIEW_CTE = """, rev AS (
    INSERT INTO practice_reviewitem
        (learner_id, question_id, reason, fsrs_state, due, reviews, lapses, last_reviewed_at, created_at)
    VALUES (%(learner)s, %(question)s, %(reason)s, %(fsrs)s::jsonb, %(due)s, 0, %(lapse)s, %(now)s, %(now)s)
    ON CONFLICT (learner_id, question_id) DO UPDATE SET
        fsrs_state = EXCLUDED.fsrs_state, due = EXCLUDED.due,
        lapses = practice_reviewitem.lapses + EXCLUDED.lapses, last_reviewed_at = EXCLUDED.last_reviewed_at
    -- A concurrent answer to the same question rescheduled it meanwhile: keep that one.
    WHERE practice_reviewitem.last_reviewed_at IS NOT DISTINCT FROM %(previous_review)s
)"""

_ANSWER_WRITE_SQL = """
WITH prof AS (
    UPDATE practice_skillproficiency
       SET mean = %(mean)s, var = %(var)s, answers = %(n)s, correct = %(n_correct)s, level = %(level)s,
           proficient_since = %(since)s, mastered_at = %(mastered)s, updated_at = %(now)s
     WHERE id = %(pid)s
), act AS (
    INSERT INTO practice_dailyactivity (learner_id, day, answers, correct, time_spent_ms, reviews)
    VALUES (%(learner)s, %(day)s, 1, %(correct)s, %(ms)s, 0)
    ON CONFLICT (learner_id, day) DO UPDATE SET
        answers = practice_dailyactivity.answers + 1,
        correct = practice_dailyactivity.correct + EXCLUDED.correct,
        time_spent_ms = practice_dailyactivity.time_spent_ms + EXCLUDED.time_spent_ms
){review}, st AS (
INSERT INTO practice_learnerstats
    (learner_id, answers, correct, reviews, sessions_completed,
     current_streak, longest_streak, last_active_day)
VALUES (%(learner)s, 1, %(correct)s, 0, 0, 1, 1, %(day)s)
ON CONFLICT (learner_id) DO UPDATE SET
    answers = practice_learnerstats.answers + 1,
    correct = practice_learnerstats.correct + EXCLUDED.correct,
    current_streak = {streak},
    longest_streak = GREATEST(practice_learnerstats.longest_streak, {streak}),
    last_active_day = GREATEST(practice_learnerstats.last_active_day, EXCLUDED.last_active_day)
RETURNING answers
), awarded AS (
    -- Badges the answer earns (worked out from the totals read under the lock); the unique
    -- constraint makes each award happen once.
    INSERT INTO practice_badgeaward (learner_id, code, awarded_at)
    SELECT %(learner)s, code, %(now)s FROM unnest(%(badges)s::varchar[]) AS code
    ON CONFLICT (learner_id, code) DO NOTHING
    RETURNING id, code
)
SELECT (SELECT answers FROM st), ARRAY(SELECT id FROM awarded), ARRAY(SELECT code FROM awarded)
"""


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def learning_answer_recorded(*, answer: Answer, session: PracticeSession | None = None) -> list[BadgeAward]:
    """Everything the learning engine does when an answer is recorded, in the answer's transaction:
    the skill's proficiency, the day's activity, totals and streak, the review item, and badges."""
    learner_id, question = answer.learner_id, answer.question
    now, correct = answer.answered_at, answer.is_correct
    params = {"learner": learner_id, "skill": question.skill_id, "question": question.pk, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(_ANSWER_READ_SQL, params)
        row = cursor.fetchone()
        (pid, mean, var, n, n_correct, since, mastered, pace, section_id, time_zone) = row[:10]
        (review_state, previous_review, has_review, badges_held, other_proficient, sections) = row[10:16]
        (answers, reviews, sessions_completed, current, longest, last_day) = row[16:]
        state = update_skill(SkillState(mean, var, n, n_correct), item_params(question), correct)
        level, since, mastered = next_mastery(
            state=state, correct=correct, now=now, proficient_since=since, mastered_at=mastered
        )
        day = local_date(time_zone, now)
        # The totals after this answer, as the write below computes them, to see which badges it earns.
        current, longest, _ = streak_after(current or 0, longest or 0, last_day, day)
        after = LearnerStats(
            answers=(answers or 0) + 1,
            reviews=reviews or 0,
            sessions_completed=sessions_completed or 0,
            current_streak=current,
            longest_streak=longest,
        )
        codes = badges_for_stats(after)
        if level == Level.MASTERED:
            codes.append("skill-mastered")
        if level >= Level.PROFICIENT and other_proficient + 1 >= 5:
            codes.append("skills-proficient-5")
        if len(set(sections) | {section_id}) >= 2:
            codes.append("both-sections")
        params |= {
            "pid": pid,
            "mean": state.mean,
            "var": state.var,
            "n": state.n,
            "n_correct": state.n_correct,
            "level": int(level),
            "since": since,
            "mastered": mastered,
            "day": day,
            "correct": int(correct),
            "ms": answer.time_spent_ms,
            "badges": [code for code in dict.fromkeys(codes) if code not in set(badges_held)],
        }
        review = ""
        rating = spaced.rating_for_answer(
            correct=correct, time_spent_ms=answer.time_spent_ms, pace_seconds=pace
        )
        slow = spaced.is_slow(time_spent_ms=answer.time_spent_ms, pace_seconds=pace)
        if has_review or not correct or slow:
            card = _json(review_state) if has_review else spaced.fsrs_new(question.pk, now)
            card, due = spaced.fsrs_review(card, rating, now)
            review = _REVIEW_CTE
            params |= {
                "reason": ReviewItem.Reason.MISSED if not correct else ReviewItem.Reason.SLOW,
                "fsrs": json.dumps(card),
                "due": due,
                "lapse": int(has_review and not correct),
                "previous_review": previous_review,
            }
        cursor.execute(_ANSWER_WRITE_SQL.format(review=review, streak=_STREAK), params)
        _answers, award_ids, award_codes = cursor.fetchone()
    progress_changed(learner_id=learner_id)
    awarded = [
        BadgeAward(pk=pk, learner_id=learner_id, code=code, awarded_at=now)
        for pk, code in zip(award_ids, award_codes, strict=True)
    ]
    session = session or answer.session
    if session.status != PracticeSession.Status.IN_PROGRESS:
        awarded += learning_session_completed(session=session, now=now)
    return awarded


def learning_session_completed(*, session: PracticeSession, now: datetime | None = None) -> list[BadgeAward]:
    """Record a finished session once: the predicted-score snapshot, the session count, badges.

    Safe to call from every path that ends a session: the snapshot's unique session is the guard.
    """
    now = now or timezone.now()
    learner = session.learner
    stats = stats_lock(learner=learner)
    if ScoreSnapshot.objects.filter(session=session).exists():
        return []
    scores = predicted_scores(learner=learner)
    rw, ma, total = scores["reading_writing"], scores["math"], scores["total"]
    try:
        with transaction.atomic():
            ScoreSnapshot.objects.create(
                learner=learner,
                session=session,
                taken_at=now,
                reading_writing=rw.score,
                reading_writing_low=rw.low,
                reading_writing_high=rw.high,
                math=ma.score,
                math_low=ma.low,
                math_high=ma.high,
                total=total.score,
                total_low=total.low,
                total_high=total.high,
            )
    except IntegrityError:
        return []
    if session.assignment_id:  # sessions without an assignment pay no query here
        assignment_progress_complete(session=session, now=now)
    stats.sessions_completed += 1
    stats.save(update_fields=["sessions_completed"])
    progress_changed(learner_id=learner.pk)
    codes = badges_for_stats(stats)
    if session.length >= PERFECT_SESSION_MIN and session.correct_count == session.length:
        codes.append("perfect-session")
    return badges_award(learner=learner, codes=codes, now=now)


def assignment_progress_complete(*, session: PracticeSession, now: datetime | None = None) -> int:
    """Mark the assignment this finished session worked on as completed, with its counts, late when it
    ended after the due time. Once only: a completed row is left alone. Returns the rows updated.

    Lives here, beside the session-end hook that calls it (services.assignments starts sessions, so it
    cannot be imported from here without a cycle)."""
    completed_at = session.completed_at or now or timezone.now()
    # The progress rows sit behind row-level security: enter the learner's own institutions.
    with user_scope(session.learner, roles=[Role.LEARNER]):
        return (
            AssignmentProgress.objects.filter(session_id=session.pk)
            .exclude(status=AssignmentProgress.Status.COMPLETED)
            .update(
                status=AssignmentProgress.Status.COMPLETED,
                answered=session.answered_count,
                correct=session.correct_count,
                completed_at=completed_at,
                late=Exists(Assignment.objects.filter(pk=OuterRef("assignment_id"), due_at__lt=completed_at)),
            )
        )
