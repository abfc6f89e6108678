"""calibrate_items: a dry run changes nothing, --apply writes linked estimates, bad input is refused."""

import io
import random
import statistics

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from practice.engine.irt import ItemParams, logistic
from practice.models import Question
from practice.selectors.calibration import first_responses
from practice.services.calibration import calibration_plan, question_irt_update

from ..answer_factories import make_learners, record_answers
from ..factories import make_question, make_questions, math

pytestmark = pytest.mark.django_db

TRUE_B = [-1.5, -0.8, -0.2, 0.3, 0.9, 1.6]


def _run(*args) -> str:
    out = io.StringIO()
    call_command("calibrate_items", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def answered_bank():
    """Six questions (stored b = true b, a = 1, c = 0) answered by 250 learners under the 2PL, and a
    pretest question 60 of them met."""
    rng = random.Random(17)
    questions = [make_question(irt_a=1.0, irt_b=b, irt_c=0.0) for b in TRUE_B]
    pretest = make_question(irt_a=1.0, irt_b=0.0, irt_c=0.0, status=Question.Status.DRAFT)
    thetas = [rng.gauss(0, 1) for _ in range(250)]
    sessions = []
    for i, theta in enumerate(thetas):
        answers = {
            q: rng.random() < logistic(1.3 * (theta - b)) for q, b in zip(questions, TRUE_B, strict=True)
        }
        if i < 60:
            answers[pretest] = rng.random() < logistic(theta - 0.5)
        sessions.append(answers)
    record_answers(math(), make_learners(len(thetas)), sessions)
    return questions, pretest


def _params() -> dict[int, tuple[float, float, float]]:
    return {q.pk: (q.irt_a, q.irt_b, q.irt_c) for q in Question.objects.all()}


def test_dry_run_prints_old_and_new_and_changes_nothing(answered_bank):
    questions, pretest = answered_bank
    before = _params()
    out = _run("--min-responses", "50", "--anchor-min-responses", "100", "--section", "math")
    assert _params() == before
    assert "Dry run: nothing written" in out
    assert "7 question(s) from 250 learner(s)" in out
    for question in [*questions, pretest]:
        assert question.external_id in out
    assert f"{pretest.external_id}" in next(line for line in out.splitlines() if "[not an anchor]" in line)
    assert "linked by mean/sigma on 6 anchor(s)" in out


def test_apply_writes_estimates_on_the_current_scale(answered_bank):
    questions, _ = answered_bank
    out = _run("--min-responses", "100", "--apply")
    assert "Saved new a and b for 6 question(s)." in out
    new_b = [Question.objects.get(pk=q.pk).irt_b for q in questions]
    new_a = [Question.objects.get(pk=q.pk).irt_a for q in questions]
    # Mean/sigma linking keeps the anchors' mean and spread of b; the order follows the truth.
    assert statistics.mean(new_b) == pytest.approx(statistics.mean(TRUE_B), abs=1e-3)
    assert statistics.pstdev(new_b) == pytest.approx(statistics.pstdev(TRUE_B), abs=1e-3)
    assert statistics.correlation(new_b, TRUE_B) > 0.95
    assert all(a > 0 for a in new_a) and new_a != [1.0] * 6
    assert all(Question.objects.get(pk=q.pk).irt_c == 0.0 for q in questions)
    # Re-running calibrates the same answers again: safe, and the scale stays where it was.
    _run("--min-responses", "100", "--apply")
    again = [Question.objects.get(pk=q.pk).irt_b for q in questions]
    assert statistics.mean(again) == pytest.approx(statistics.mean(TRUE_B), abs=1e-3)


def test_too_few_responses_calibrates_nothing(answered_bank):
    before = _params()
    out = _run("--min-responses", "1000", "--apply")
    assert "No question has 1000 responses yet" in out and _params() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "history"], "Unknown section 'history'"),
        (["--min-responses", "0"], "--min-responses must be at least 1"),
    ],
)
def test_bad_input_is_refused_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_first_answer_per_learner_and_question_counts():
    question, other = make_questions(2)
    (learner,) = make_learners(1)
    record_answers(math(), [learner], [{question: False, other: True}])
    record_answers(math(), [learner], [{question: True}])  # a later session: a second attempt
    assert first_responses(section=math()) == {learner.pk: {question.pk: False, other.pk: True}}


def test_update_refuses_parameters_edited_since_the_plan(answered_bank):
    plan = calibration_plan(section=math(), min_responses=100)
    questions, _ = answered_bank
    Question.objects.filter(pk=questions[0].pk).update(irt_b=2.0)
    before = _params()
    with pytest.raises(ValidationError, match="Changed or deleted since the calibration ran"):
        question_irt_update(changes=plan.changes)
    assert _params() == before
    assert isinstance(plan.changes[0].new, ItemParams)
