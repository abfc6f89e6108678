"""The class overview's figures: predictions, levels, activity, assignments and who needs attention."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from practice.engine.mastery import Level
from practice.engine.success import sd_from_band, success_probability
from practice.models import AssignmentProgress, LearnerStats, Profile, Skill, SkillProficiency
from practice.selectors.classes import LOW_PROBABILITY, class_overview
from practice.selectors.cohort import learner_figures_many, skill_columns
from practice.selectors.dashboard import progress_version_key
from practice.selectors.progress import predicted_scores, skill_rows
from practice.tenancy import operator_access

from ..institution_factories import make_assignment, make_enrollment, make_school
from ..learning_factories import make_answered_session

pytestmark = pytest.mark.django_db


def give_proficiencies(learner, *, mean=0.0, var=0.2, answers=4, correct=3, level=Level.FAMILIAR):
    """A proficiency row on every listed skill (enough answers in both sections for predictions)."""
    SkillProficiency.objects.bulk_create(
        SkillProficiency(
            learner=learner, skill=skill, mean=mean, var=var, answers=answers, correct=correct, level=level
        )
        for skill in Skill.objects.all()
    )


def set_stats(learner, *, last_active, answers=10, correct=7):
    LearnerStats.objects.update_or_create(
        learner=learner,
        defaults={"answers": answers, "correct": correct, "last_active_day": last_active},
    )


def overview(classroom, **kwargs):
    with operator_access(reason="test", actor="tests"):
        return class_overview(classroom=classroom, **kwargs)


def test_figures_match_the_dashboard_engine_for_each_learner():
    _, _, _, classroom, (first, second) = make_school()
    give_proficiencies(first, mean=0.8, var=0.1, level=Level.PROFICIENT)
    first_skill = skill_columns()[0]["pk"]
    SkillProficiency.objects.create(
        learner=second, skill_id=first_skill, mean=-0.5, var=0.5, answers=2, correct=0, level=1
    )
    rows = {row.learner.pk: row for row in overview(classroom).rows}
    for learner in (first, second):
        expected = predicted_scores(learner=learner, rows=skill_rows(learner=learner))
        figures = rows[learner.pk].figures
        assert figures.total == expected["total"]
        assert figures.reading_writing == expected["reading_writing"]
        assert figures.math == expected["math"]
    assert rows[first.pk].figures.total.enough_data
    assert set(rows[first.pk].levels) == {Level.PROFICIENT}
    assert not rows[second.pk].figures.total.enough_data
    assert rows[second.pk].levels[0] == Level.ATTEMPTED
    assert rows[second.pk].levels[1:] == [0] * (Skill.objects.count() - 1)


def test_answers_count_this_week_and_in_total_and_assignments_count_completed_and_late():
    _, _, _, classroom, (learner, idle) = make_school()
    make_answered_session(learner, count=6, correct=[True, True, True, False, True, False])
    make_answered_session(learner, count=4, start=timezone.now() - timedelta(days=10))
    done = make_assignment(classroom, learners=[learner, idle])
    make_assignment(
        classroom,
        learners=[learner],
        opens_at=timezone.now() - timedelta(days=2),
        due_at=timezone.now() - timedelta(hours=1),
    )
    with operator_access(reason="test", actor="tests"):
        AssignmentProgress.objects.filter(assignment=done, learner=learner).update(
            status="completed", completed_at=timezone.now()
        )
    rows = {row.learner.pk: row for row in overview(classroom).rows}
    row = rows[learner.pk]
    assert row.week_answers == 6 and row.rate_answers == 10
    assert row.answers_total == 10 and row.accuracy == 80
    assert (row.completed, row.assigned, row.late) == (1, 2, 1)
    assert row.last_active == row.today and row.days_inactive == 0 and not row.reasons
    assert (rows[idle.pk].completed, rows[idle.pk].assigned, rows[idle.pk].week_answers) == (0, 1, 0)
    assert rows[idle.pk].reasons == ["Never active"]


def test_inactive_for_eight_days_is_flagged_and_active_is_not():
    _, _, _, classroom, (inactive, active) = make_school()
    today = timezone.now().date()
    set_stats(inactive, last_active=today - timedelta(days=8))
    set_stats(active, last_active=today - timedelta(days=1))
    rows = {row.learner.pk: row for row in overview(classroom).rows}
    assert rows[inactive.pk].reasons == ["Inactive for 8 days"]
    assert rows[active.pk].reasons == []
    assert [row.learner.pk for row in overview(classroom).attention] == [inactive.pk]


def test_a_low_chance_of_reaching_the_target_is_flagged_and_no_target_is_not():
    institution, _, _, classroom, (hopeful, unlikely) = make_school()
    third = make_enrollment(classroom).learner
    today = timezone.now().date()
    for learner in (hopeful, unlikely, third):
        give_proficiencies(learner)
        set_stats(learner, last_active=today)
    Profile.objects.filter(user=hopeful).update(target_score=800, test_date=today + timedelta(days=60))
    Profile.objects.filter(user=unlikely).update(target_score=1600)
    with operator_access(reason="test", actor="tests"):
        institution.default_test_date = today + timedelta(days=14)
        institution.save(update_fields=["default_test_date"])
    classroom.institution = institution
    rows = {row.learner.pk: row for row in overview(classroom).rows}
    total = rows[unlikely.pk].figures.total
    expected = success_probability(
        predicted_total=total.score,
        total_sd=sd_from_band(total.low, total.high),
        questions_per_week=0,
        days_left=14,
        target=1600,
    )
    assert rows[unlikely.pk].test_date == today + timedelta(days=14)  # the institution's default
    assert rows[unlikely.pk].probability == pytest.approx(expected) and expected < LOW_PROBABILITY
    assert rows[unlikely.pk].reasons and "chance of reaching 1600" in rows[unlikely.pk].reasons[0]
    assert rows[hopeful.pk].probability > LOW_PROBABILITY and rows[hopeful.pk].reasons == []
    assert rows[third.pk].probability is None and not rows[third.pk].has_target
    assert rows[third.pk].reasons == []


def test_figures_are_cached_per_progress_version(django_assert_num_queries):
    _, _, _, _, (learner, _) = make_school()
    give_proficiencies(learner, level=Level.ATTEMPTED)
    skills = skill_columns()
    first = learner_figures_many(learner_ids=[learner.pk], skills=skills)
    SkillProficiency.objects.filter(learner=learner).update(level=Level.MASTERED)
    with django_assert_num_queries(0):
        cached = learner_figures_many(learner_ids=[learner.pk], skills=skills)
    assert cached == first
    cache.set(progress_version_key(learner.pk), "new version", None)  # as progress_changed does
    fresh = learner_figures_many(learner_ids=[learner.pk], skills=skills)[learner.pk]
    assert set(fresh.levels.values()) == {Level.MASTERED}


def test_progress_versions_in_bulk_keep_existing_ones_and_agree_with_the_single_lookup():
    from practice.selectors.dashboard import progress_version, progress_versions

    existing = progress_version(1001)
    versions = progress_versions([1001, 1002, 1003])
    assert versions[1001] == existing
    assert versions == {pk: progress_version(pk) for pk in (1001, 1002, 1003)}
    assert progress_versions([1002], known={1002: None}) == {1002: versions[1002]}
