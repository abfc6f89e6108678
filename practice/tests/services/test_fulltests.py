"""The full-length test's services: start and resume, saves, the server's clock, routing, scoring."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice.models import (
    Answer,
    Phase,
    PracticeSession,
    SkillProficiency,
    TestAttempt,
    TestModuleAttempt,
    TestResponse,
)
from practice.services.fulltests import (
    TestClosed,
    TestNotFound,
    accommodation_set,
    fulltest_break_end,
    fulltest_module_submit,
    fulltest_save,
    fulltest_start,
    fulltest_sync,
)
from practice.services.testmodules import module_learning_record

from ..factories import make_user
from ..fulltest_factories import make_full_form, right_answer, wrong_answer
from ..jobs import queued, run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return make_full_form()


@pytest.fixture
def learner():
    return make_user(username="sitter")


def _responses(attempt, phase):
    return list(
        TestResponse.objects.filter(module_attempt__attempt=attempt, module_attempt__phase=phase)
        .select_related("slot__question")
        .order_by("position")
    )


def _answer_module(attempt, phase, correct, now):
    for response in _responses(attempt, phase):
        question = response.slot.question
        given = right_answer(question) if correct(response.position) else wrong_answer(question)
        fulltest_save(
            learner=attempt.learner,
            attempt_id=attempt.pk,
            phase=phase,
            position=response.position,
            changes={"given": given},
            now=now,
        )


def test_start_opens_reading_and_writing_module_1_with_its_clock(form, learner):
    now = timezone.now()
    started = fulltest_start(learner=learner, now=now)
    attempt = started.attempt
    assert started.created and attempt.phase == Phase.RW1 and attempt.form == form
    module = TestModuleAttempt.objects.get(attempt=attempt)
    assert module.module.variant == "routing" and module.module.section.name == "Reading and Writing"
    assert module.deadline == now + timedelta(seconds=1920)
    assert attempt.phase_deadline == module.deadline
    assert TestResponse.objects.filter(module_attempt=module).count() == 27


def test_a_second_start_resumes_the_open_test(form, learner):
    first = fulltest_start(learner=learner).attempt
    again = fulltest_start(learner=learner)
    assert not again.created and again.attempt.pk == first.pk
    assert TestAttempt.objects.filter(learner=learner).count() == 1


def test_saves_are_idempotent_and_the_newest_wins(form, learner):
    attempt = fulltest_start(learner=learner).attempt
    save = lambda seq, **changes: fulltest_save(  # noqa: E731
        learner=learner, attempt_id=attempt.pk, phase="rw1", position=3, changes=changes, seq=seq
    )
    assert save(100, given="a").applied
    replay = save(100, given="a")
    assert not replay.applied and replay.given == "A"
    assert save(300, given="C", flagged=True, eliminated="db").applied
    late = save(200, given="D")  # an older save arriving late changes nothing
    assert not late.applied and late.given == "C"
    response = TestResponse.objects.get(module_attempt__attempt=attempt, position=3)
    assert (response.given, response.flagged, response.eliminated, response.seq) == ("C", True, "BD", 300)
    assert save(400, given="").given == ""  # clearing an answer
    assert TestResponse.objects.filter(module_attempt__attempt=attempt, position=3).count() == 1


def test_bad_entries_are_refused_with_reasons(form, learner):
    attempt = fulltest_start(learner=learner).attempt
    with pytest.raises(ValidationError) as error:
        fulltest_save(learner=learner, attempt_id=attempt.pk, phase="rw1", position=1, changes={"given": "E"})
    assert "A, B, C or D" in str(error.value)
    with pytest.raises(ValidationError):
        fulltest_save(
            learner=learner, attempt_id=attempt.pk, phase="rw1", position=1, changes={"highlights": [[5, 2]]}
        )
    with pytest.raises(ValidationError):
        fulltest_save(
            learner=learner, attempt_id=attempt.pk, phase="rw1", position=1, changes={"note": "x" * 2001}
        )


def test_another_learner_module_or_position_is_not_found(form, learner):
    attempt = fulltest_start(learner=learner).attempt
    other = make_user(username="other")
    for who, phase, position in (
        (other, "rw1", 1),
        (learner, "rw2", 1),
        (learner, "math1", 1),
        (learner, "rw1", 28),
    ):
        with pytest.raises(TestNotFound):
            fulltest_save(
                learner=who, attempt_id=attempt.pk, phase=phase, position=position, changes={"given": "A"}
            )


def test_a_save_after_the_deadline_is_refused_and_the_module_closes_at_its_deadline(form, learner):
    start = timezone.now() - timedelta(minutes=40)
    attempt = fulltest_start(learner=learner, now=start).attempt
    fulltest_save(
        learner=learner,
        attempt_id=attempt.pk,
        phase="rw1",
        position=1,
        changes={"given": "B"},
        now=start + timedelta(minutes=10),
    )
    with pytest.raises(TestClosed):
        fulltest_save(learner=learner, attempt_id=attempt.pk, phase="rw1", position=2, changes={"given": "B"})
    module = TestModuleAttempt.objects.get(attempt=attempt, phase="rw1")
    assert module.closed_reason == "timed_out" and module.closed_at == module.deadline
    assert TestResponse.objects.get(module_attempt=module, position=1).given == "B"
    assert TestResponse.objects.get(module_attempt=module, position=2).given == ""
    attempt.refresh_from_db()
    rw2 = TestModuleAttempt.objects.get(attempt=attempt, phase="rw2")
    assert attempt.phase == Phase.RW2 and rw2.started_at == module.deadline
    with pytest.raises(TestClosed):
        fulltest_save(learner=learner, attempt_id=attempt.pk, phase="rw1", position=1, changes={"given": "C"})


def test_a_learner_back_after_hours_finds_the_whole_test_ended_with_a_report(form, learner):
    start = timezone.now() - timedelta(hours=5)
    attempt = fulltest_start(learner=learner, now=start).attempt
    _answer_module(attempt, "rw1", lambda p: True, start + timedelta(minutes=5))
    attempt = fulltest_sync(attempt=TestAttempt.objects.get(pk=attempt.pk))
    assert attempt.status == "completed" and attempt.phase == Phase.DONE
    phases = list(TestModuleAttempt.objects.filter(attempt=attempt).values_list("phase", "closed_reason"))
    assert phases == [
        ("rw1", "timed_out"),
        ("rw2", "timed_out"),
        ("math1", "timed_out"),
        ("math2", "timed_out"),
    ]
    assert 200 <= attempt.math_score <= 800 and attempt.total_score == attempt.rw_score + attempt.math_score


def _sit(form, learner, correct):
    now = timezone.now() - timedelta(hours=3)
    attempt = fulltest_start(learner=learner, now=now).attempt
    for phase in ("rw1", "rw2"):
        _answer_module(attempt, phase, correct, now)
        attempt = fulltest_module_submit(attempt=attempt, phase=phase, now=now + timedelta(seconds=1))
        now += timedelta(minutes=1)
    assert attempt.phase == Phase.BREAK
    attempt = fulltest_break_end(attempt=attempt, now=now)
    assert attempt.phase == Phase.MATH1
    for phase in ("math1", "math2"):
        _answer_module(attempt, phase, correct, now)
        attempt = fulltest_module_submit(attempt=attempt, phase=phase, now=now + timedelta(seconds=1))
        now += timedelta(minutes=1)
    return TestAttempt.objects.get(pk=attempt.pk)


def test_a_strong_learner_is_routed_harder_and_scores_high(form, learner):
    attempt = _sit(form, learner, lambda p: True)
    variants = dict(TestModuleAttempt.objects.filter(attempt=attempt).values_list("phase", "module__variant"))
    assert variants == {"rw1": "routing", "rw2": "harder", "math1": "routing", "math2": "harder"}
    assert attempt.status == "completed" and attempt.rw_score >= 700 and attempt.math_score >= 700
    assert attempt.rw_low <= attempt.rw_score <= attempt.rw_high
    assert attempt.total_low <= attempt.total_score <= attempt.total_high
    assert attempt.total_score == attempt.rw_score + attempt.math_score


def test_a_weak_learner_is_routed_easier_and_scores_low(form, learner):
    attempt = _sit(form, learner, lambda p: p % 4 == 0)
    variants = dict(TestModuleAttempt.objects.filter(attempt=attempt).values_list("phase", "module__variant"))
    assert variants["rw2"] == "easier" and variants["math2"] == "easier"
    assert attempt.rw_score <= 450 and attempt.math_score <= 450


def test_pretest_items_do_not_count(form, learner):
    """Two learners who differ only on the pretest items get the same scores."""
    other = make_user(username="twin")
    pretest_positions = {5, 12}
    first = _sit(form, learner, lambda p: p not in pretest_positions)
    second = _sit(form, other, lambda p: True)
    assert (first.rw_score, first.math_score, first.rw_theta) == (
        second.rw_score,
        second.math_score,
        second.rw_theta,
    )


def test_the_answers_feed_the_learning_engine(form, learner):
    attempt = _sit(form, learner, lambda p: p % 2 == 0)
    modules = TestModuleAttempt.objects.filter(attempt=attempt)
    # Each module's end queued its learning job in its own transaction; the worker runs them.
    assert not any(m.session_id for m in modules) and len(queued("module_learning_record")) == 4
    assert run_jobs() == 4
    assert all(m.session_id for m in modules.all())
    sessions = PracticeSession.objects.filter(test_module__attempt=attempt)
    assert sessions.count() == 4 and all(not s.is_open for s in sessions)
    answered = TestResponse.objects.filter(module_attempt__attempt=attempt).exclude(given="").count()
    assert Answer.objects.filter(session__in=sessions).count() == answered
    for session in sessions:
        answers = Answer.objects.filter(session=session)
        assert session.answered_count == answers.count()
        assert session.correct_count == answers.filter(is_correct=True).count()
        assert all(0 <= a.time_spent_ms <= session.time_limit_s * 1000 for a in answers)
    assert SkillProficiency.objects.filter(learner=learner, answers__gt=0).exists()


def test_the_learning_job_records_a_module_once(form, learner):
    """A job run again (its worker died after the commit) records nothing more."""
    attempt = fulltest_start(learner=learner).attempt
    fulltest_save(
        learner=learner, attempt_id=attempt.pk, phase="rw1", position=1, changes={"given": "A"}, seq=1
    )
    fulltest_module_submit(attempt=attempt, phase="rw1")
    module = TestModuleAttempt.objects.get(attempt=attempt, phase="rw1")
    assert module_learning_record.call(module_attempt_id=module.pk) is True
    assert module_learning_record.call(module_attempt_id=module.pk) is False
    assert run_jobs() == 1  # the queued copy finds the session made
    assert PracticeSession.objects.filter(test_module__attempt=attempt).count() == 1
    assert Answer.objects.filter(session__test_module=module).count() == 1


def test_extended_time_and_breaks_apply_to_the_learner(form, learner):
    accommodation_set(learner=learner, time_multiplier="1.5", extended_breaks=True, set_by=None)
    now = timezone.now()
    attempt = fulltest_start(learner=learner, now=now).attempt
    assert attempt.phase_deadline == now + timedelta(seconds=1920 * 1.5)
    attempt = fulltest_module_submit(attempt=attempt, phase="rw1", now=now)
    attempt = fulltest_module_submit(attempt=attempt, phase="rw2", now=now)
    assert attempt.phase == Phase.BREAK and attempt.phase_deadline == now + timedelta(seconds=1200)


def test_the_break_ends_by_itself_and_math_starts_then(form, learner):
    now = timezone.now() - timedelta(minutes=30)
    attempt = fulltest_start(learner=learner, now=now).attempt
    attempt = fulltest_module_submit(attempt=attempt, phase="rw1", now=now)
    attempt = fulltest_module_submit(attempt=attempt, phase="rw2", now=now)
    attempt = fulltest_sync(attempt=attempt)
    math1 = TestModuleAttempt.objects.get(attempt=attempt, phase="math1")
    assert attempt.phase == Phase.MATH1 and math1.started_at == now + timedelta(seconds=600)


def test_submitting_an_ended_module_is_refused(form, learner):
    attempt = fulltest_start(learner=learner).attempt
    attempt = fulltest_module_submit(attempt=attempt, phase="rw1")
    with pytest.raises(TestClosed):
        fulltest_module_submit(attempt=attempt, phase="rw1")


def test_a_save_takes_two_statements(form, learner):
    attempt = fulltest_start(learner=learner).attempt
    with CaptureQueriesContext(connection) as queries:
        fulltest_save(learner=learner, attempt_id=attempt.pk, phase="rw1", position=2, changes={"given": "A"})
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) == 2, statements
