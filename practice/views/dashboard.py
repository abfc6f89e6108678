"""The learner's dashboard and badges."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.safestring import mark_safe

from ..badges import CATALOGUE
from ..selectors.assignments import learner_assignments
from ..selectors.dashboard import dashboard_body_html
from ..selectors.progress import badge_awards_by_code, learner_summary, legacy_badges
from ..services.activity import local_date, streak_current


@login_required
def dashboard(request):
    summary = learner_summary(learner=request.user)
    today = local_date(summary.time_zone)
    body = dashboard_body_html(
        learner=request.user, today=today, time_zone=summary.time_zone, request=request
    )
    context = {
        "summary": summary,
        "stats": summary.stats,
        "streak": streak_current(summary.stats, today),
        "body": mark_safe(body),  # noqa: S308  our own rendered, autoescaped template
        # Not in the cached body: a teacher's new assignment does not change the learner's progress.
        # Learners of no institution (self-study) have none, and pay no query for them.
        "assigned": learner_assignments(learner=request.user) if summary.institution_learner else None,
        # The summary already holds what the navigation shows: these override the context processor's
        # lazy look-ups, so they cost no query.
        "learning_due": {"reviews_due": summary.reviews_due, "cards_due": summary.cards_due},
        "nav_name": summary.display_name or request.user.username,
    }
    return render(request, "practice/dashboard_detail.html", context)


@login_required
def badge_list(request):
    earned = badge_awards_by_code(learner=request.user)
    badges = [(spec, earned.get(spec.code)) for spec in CATALOGUE]
    context = {
        "badges": badges,
        "earned_count": len(earned),
        "legacy_badges": legacy_badges(learner=request.user),
    }
    return render(request, "practice/badge_list.html", context)
