"""The dashboard's body (charts, scores, mastery, badges), cached per learner with their progress version.

Every learning write gives the learner a new progress version (`services.activity.progress_changed`),
so a cached body is used only while it was built for the current version, per day and time zone.
"""

import uuid
from datetime import date

from django.core.cache import cache
from django.template.loader import render_to_string

from .. import charts
from ..badges import BY_CODE
from ..models import User
from .progress import latest_badges, predicted_scores, score_history, skill_rows, weekly_activity

DASHBOARD_CACHE_SECONDS = 24 * 3600
BODY_TEMPLATE = "practice/includes/_dashboard_body.html"


def progress_version_key(learner_id: int) -> str:
    return f"learning:progress-version:{learner_id}"


def progress_version(learner_id: int) -> str:
    """A token that changes whenever the learner's progress does (a missing one is made afresh)."""
    key = progress_version_key(learner_id)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, None)
        version = cache.get(key) or version
    return version


def progress_versions(learner_ids: list[int], known: dict[int, str | None] | None = None) -> dict[int, str]:
    """`progress_version` of many learners in at most three cache round trips: the ones missing are made
    with SET NX in one pipeline (a version a learning write sets meanwhile wins), then read back."""
    known = dict(known) if known is not None else {}
    missing = [pk for pk in learner_ids if known.get(pk) is None]
    if known.keys() != set(learner_ids) and missing:
        found = cache.get_many([progress_version_key(pk) for pk in missing])
        for pk in missing:
            known[pk] = found.get(progress_version_key(pk))
        missing = [pk for pk in missing if known[pk] is None]
    if missing:
        pipeline = cache.client.get_client(write=True).pipeline()
        for pk in missing:
            cache.client.set(
                progress_version_key(pk), uuid.uuid4().hex, timeout=None, client=pipeline, nx=True
            )
        pipeline.execute()
        found = cache.get_many([progress_version_key(pk) for pk in missing])
        for pk in missing:
            known[pk] = found.get(progress_version_key(pk)) or uuid.uuid4().hex
    return {pk: known[pk] for pk in learner_ids}


def dashboard_body_context(*, learner: User, today: date) -> dict:
    scores = predicted_scores(learner=learner, rows=skill_rows(learner=learner))
    history = score_history(learner=learner)
    weeks = weekly_activity(learner=learner, today=today)
    return {
        "scores": scores,
        "bands": charts.score_bands(scores),
        "history": history,
        "trend": charts.trend(history),
        "weeks": weeks,
        "week_bars": charts.weekly_bars(weeks),
        "badges": [(award, BY_CODE.get(award.code)) for award in latest_badges(learner=learner)],
    }


def dashboard_body_html(*, learner: User, today: date, time_zone: str, request=None) -> str:
    """The body's HTML from the cache when it was built for the current progress version, else built
    and stored. One cache round trip reads both the version and the body."""
    key = f"learning:dashboard:{learner.pk}:{today}:{time_zone}"
    version_key = progress_version_key(learner.pk)
    cached = cache.get_many([version_key, key])
    version = cached.get(version_key) or progress_version(learner.pk)
    stored = cached.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    body = render_to_string(BODY_TEMPLATE, dashboard_body_context(learner=learner, today=today), request)
    cache.set(key, (version, body), DASHBOARD_CACHE_SECONDS)
    return body
