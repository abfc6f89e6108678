"""Item statistics: p-value, point-biserial against the rest score, mean time, option counts and flags."""

import statistics

import pytest
from django.urls import reverse

from practice.selectors.item_stats import MIN_RESPONSES, flagged_question_ids, item_statistics

from ..answer_factories import make_learners, record_answers
from ..factories import make_question, make_questions, make_session, make_user, math
from ..learning_factories import answer_all

pytestmark = pytest.mark.django_db


def test_statistics_of_hand_built_answers():
    x, y, z = make_questions(3)
    learners = make_learners(5)
    record_answers(
        math(),
        learners,
        [
            {x: "B", y: True, z: True},
            {x: "B", y: True, z: False},
            {x: "C", y: False, z: True},
            {x: "A", y: False, z: False},
            {x: "B"},  # no other answer in the section: no rest score
        ],
        seconds=[{x: 10}, {x: 20}, {x: None}, {x: 40}, {x: 60}],
    )
    stats = item_statistics(question_ids=[x.pk, y.pk, z.pk])
    sx = stats[x.pk]
    assert sx.responses == 5
    assert sx.p_value == pytest.approx(0.6)
    assert sx.option_counts == {"A": 1, "B": 3, "C": 1, "D": 0} and sx.correct_label == "B"
    assert sx.mean_seconds == pytest.approx(32.5)  # the unknown time is left out
    # Rest score: the learner's proportion right on their other answers in the section.
    expected = statistics.correlation([1, 1, 0, 0], [2 / 2, 1 / 2, 1 / 2, 0 / 2])
    assert sx.point_biserial == pytest.approx(expected)
    assert stats[z.pk].point_biserial == pytest.approx(statistics.correlation([1, 0, 1, 0], [1, 1, 0, 0]))
    assert sx.flags == ()  # too few responses to judge
    assert item_statistics(question_ids=[]) == {}
    assert x.pk not in item_statistics(question_ids=[x.pk], min_responses=6)


def test_rest_scores_from_session_counters_agree_with_the_answers():
    # The SQL takes a learner's section totals from the sessions' counters, for speed; answers recorded
    # through the answer service must give the same rest scores as the answers themselves.
    questions = make_questions(4)
    patterns = [[True, True, False, True], [False, True, False, False], [True, False, True, True]]
    rests, scores = [], []
    for pattern in patterns:
        learner = make_user()
        first = make_session(learner, question_ids=[q.pk for q in questions[:2]])
        second = make_session(learner, question_ids=[q.pk for q in questions[2:]])
        answer_all(first, correct=pattern[:2])
        answer_all(second, correct=pattern[2:])
        scores.append(int(pattern[0]))
        rests.append(sum(pattern[1:]) / 3)
    stats = item_statistics(question_ids=[questions[0].pk])[questions[0].pk]
    assert stats.point_biserial == pytest.approx(statistics.correlation(scores, rests))


def _flag_bank():
    """40 learners: 20 strong (right on the fillers) and 20 weak, answering four kinds of question."""
    fillers = make_questions(4)
    easy, reversed_, good, few = make_questions(4)
    learners = make_learners(40)
    sessions = []
    for i in range(40):
        strong = i < 20
        wrong = "ACD"[i % 3]
        answers = {f: "B" if strong else wrong for f in fillers}
        answers |= {easy: "B", reversed_: wrong if strong else "B", good: "B" if strong else wrong}
        if i < 10:
            answers[few] = "B"
        sessions.append(answers)
    record_answers(math(), learners, sessions)
    return easy, reversed_, good, few


def test_flags_of_misbehaving_items():
    easy, reversed_, good, few = _flag_bank()
    stats = item_statistics(question_ids=[easy.pk, reversed_.pk, good.pk, few.pk])
    assert stats[easy.pk].flags == ("too_easy", "rare_distractor")
    assert stats[easy.pk].point_biserial is None  # everyone right: nothing to correlate
    assert stats[reversed_.pk].point_biserial < 0 and stats[reversed_.pk].flags == ("low_discrimination",)
    assert stats[good.pk].point_biserial > 0.9 and stats[good.pk].flags == ()
    assert stats[few.pk].responses < MIN_RESPONSES and stats[few.pk].flags == ()
    assert set(flagged_question_ids()) == {easy.pk, reversed_.pk}
    assert flagged_question_ids(flag="low_discrimination") == [reversed_.pk]


def test_flags_too_hard_and_spr_has_no_options():
    hard = make_question()
    spr = make_question(type="spr", spr_answers=["12"])
    record_answers(math(), make_learners(30), [{hard: "C", spr: False} for _ in range(30)])
    stats = item_statistics(question_ids=[hard.pk, spr.pk])
    assert stats[hard.pk].flags == ("too_hard", "rare_distractor")  # A and D never chosen
    assert stats[spr.pk].option_counts == {} and stats[spr.pk].flags == ("too_hard",)


@pytest.fixture
def staff_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_admin_filter_columns_and_panel(staff_client):
    easy, reversed_, good, _ = _flag_bank()
    url = reverse("admin:practice_question_changelist")
    page = staff_client.get(url, {"misbehaving": "any"}).content.decode()
    assert easy.external_id in page and reversed_.external_id in page and good.external_id not in page
    page = staff_client.get(url, {"misbehaving": "too_easy"}).content.decode()
    assert easy.external_id in page and reversed_.external_id not in page
    page = staff_client.get(url).content.decode()
    assert "too easy, rare distractor" in page and "-1.00" in page
    page = staff_client.get(reverse("admin:practice_question_change", args=[reversed_.pk])).content.decode()
    assert "Option B (correct)" in page and "20 (50%)" in page
    assert "discrimination below 0.1" in page


def test_changelist_query_count_does_not_grow_with_the_page(staff_client, django_assert_max_num_queries):
    url = reverse("admin:practice_question_changelist")
    _flag_bank()
    with django_assert_max_num_queries(8) as small:
        assert staff_client.get(url).status_code == 200
    questions = make_questions(40)
    record_answers(math(), make_learners(3), [dict.fromkeys(questions, True)] * 3)
    with django_assert_max_num_queries(8) as large:
        assert staff_client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
