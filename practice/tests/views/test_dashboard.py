"""The dashboard, badges and navigation pages."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from practice.models import (
    BadgeAward,
    DailyActivity,
    LegacyBadge,
    ScoreSnapshot,
    Skill,
    SkillProficiency,
)

from ..factories import make_session, make_user
from ..learning_factories import make_answered_session

pytestmark = pytest.mark.django_db


def _grow_history(learner, days=400):
    """A long history straight into the tables the dashboard reads."""
    today = timezone.now().date()
    DailyActivity.objects.bulk_create(
        DailyActivity(
            learner=learner, day=today - timedelta(days=d), answers=20, correct=13, time_spent_ms=1_500_000
        )
        for d in range(1, days + 1)
    )
    ScoreSnapshot.objects.bulk_create(
        ScoreSnapshot(
            learner=learner,
            taken_at=timezone.now() - timedelta(days=d),
            reading_writing=600,
            reading_writing_low=550,
            reading_writing_high=650,
            math=620,
            math_low=570,
            math_high=670,
            total=1220,
            total_low=1150,
            total_high=1290,
        )
        for d in range(days)
    )
    SkillProficiency.objects.bulk_create(
        SkillProficiency(learner=learner, skill=skill, mean=0.5, var=0.2, answers=30, correct=20, level=3)
        for skill in Skill.objects.exclude(proficiencies__learner=learner)
    )
    BadgeAward.objects.bulk_create(
        [BadgeAward(learner=learner, code=code) for code in ("answers-100", "streak-7", "streak-30")],
        ignore_conflicts=True,
    )


def test_dashboard_needs_login(client):
    response = client.get(reverse("practice:dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_dashboard_for_a_new_learner_says_not_enough_data(client):
    client.force_login(make_user())
    response = client.get(reverse("practice:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not enough data yet" in html
    assert "Start practising" in html
    assert "style=" not in html and "<script" not in html


def test_dashboard_query_count_does_not_grow_with_history(client, django_assert_max_num_queries):
    learner = make_user()
    make_answered_session(learner, count=3)
    client.force_login(learner)
    with django_assert_max_num_queries(8) as small:
        assert client.get(reverse("practice:dashboard")).status_code == 200
    _grow_history(learner)
    for _ in range(3):
        make_answered_session(learner, count=5)
    make_session(learner, count=5)  # an open session to resume
    cache.delete_pattern("learning:dashboard:*")  # measure the uncached page
    with django_assert_max_num_queries(8) as large:
        response = client.get(reverse("practice:dashboard"))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    with django_assert_max_num_queries(4):  # the cached body needs only the per-request summary
        client.get(reverse("practice:dashboard"))
    html = response.content.decode()
    assert "Resume your session" in html
    assert html.count("badge-chip") == 4


def test_dashboard_cache_follows_the_learners_progress(client, django_capture_on_commit_callbacks):
    learner = make_user()
    client.force_login(learner)
    assert "Not enough data yet" in client.get(reverse("practice:dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_answered_session(learner, count=5)
    html = client.get(reverse("practice:dashboard")).content.decode()
    assert "First steps" in html  # the new badge shows: the answer gave the learner a new version


def test_dashboard_shows_scores_trend_mastery_and_weeks(client):
    learner = make_user()
    _grow_history(learner, days=30)
    client.force_login(learner)
    response = client.get(reverse("practice:dashboard"))
    html = response.content.decode()
    scores = response.context["scores"]
    assert scores["total"].enough_data and scores["total"].low < scores["total"].score < scores["total"].high
    assert "Score trend" in html and "<polyline" in html and "1220" in html
    assert "Proficient" in html and "Algebra" in html and "Craft and Structure" in html
    assert len(response.context["weeks"]) == 8
    assert response.context["weeks"][-2]["accuracy"] == 65
    assert response.context["streak"] == 0  # stats row absent: no live streak
    assert 'role="img"' in html and "<desc" in html


def test_dashboard_predicts_scores_once_there_is_enough_data(client):
    learner = make_user()
    SkillProficiency.objects.bulk_create(
        SkillProficiency(learner=learner, skill=skill, mean=1.0, var=0.3, answers=3, correct=3, level=2)
        for skill in Skill.objects.all()
    )
    client.force_login(learner)
    scores = client.get(reverse("practice:dashboard")).context["scores"]
    for key in ("reading_writing", "math"):
        assert scores[key].enough_data and 550 <= scores[key].score <= 650
        assert scores[key].low < scores[key].score < scores[key].high
    assert scores["total"].score == scores["reading_writing"].score + scores["math"].score


def test_badges_page_lists_the_catalogue_with_earned_ones(client):
    learner = make_user()
    make_answered_session(learner, count=1)
    client.force_login(learner)
    html = client.get(reverse("practice:badge-list")).content.decode()
    assert "First steps" in html and "Month streak" in html and "Not earned yet" in html


def test_badges_page_shows_legacy_badges_under_their_own_heading_in_one_query(
    client, django_assert_max_num_queries
):
    learner = make_user()
    other = make_user()
    LegacyBadge.objects.create(
        learner=other, source="satprep", name="Someone Else's", awarded_at=timezone.now()
    )
    client.force_login(learner)
    html = client.get(reverse("practice:badge-list")).content.decode()
    assert "From your earlier app" not in html  # nothing to show: no heading
    for n in range(6):
        LegacyBadge.objects.create(
            learner=learner,
            source="satprep",
            name=f"Grammar Guru {n}",
            description="Fifty <b>grammar</b> questions",
            awarded_at=timezone.now() - timedelta(days=n),
        )
    with django_assert_max_num_queries(8):  # the same with 1 legacy badge or 600
        html = client.get(reverse("practice:badge-list")).content.decode()
    assert "From your earlier app" in html and "Grammar Guru 5" in html and "SAT Prep Suite" in html
    assert "Fifty &lt;b&gt;grammar&lt;/b&gt; questions" in html  # legacy text is escaped, never markup
    assert "Someone Else" not in html
    assert "You have earned 0 of" in html  # legacy badges count toward no PrepNexus badge


def test_results_page_shows_the_predicted_score(client):
    learner = make_user()
    session = make_answered_session(learner, count=5)
    client.force_login(learner)
    html = client.get(reverse("practice:session-results", args=[session.pk])).content.decode()
    assert "Your predicted score now" in html and "Not enough data yet" in html
