"""Progress reads: skill estimates, predicted scores, the dashboard's summary, activity and history."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..engine.ability import SectionEstimate, SkillState, estimate_section, skill_weights
from ..engine.mastery import Level
from ..engine.scores import Prediction, predict_section, predict_total
from ..models import (
    BadgeAward,
    DailyActivity,
    Flashcard,
    LearnerStats,
    LegacyBadge,
    ReviewItem,
    ScoreSnapshot,
    Skill,
    User,
)

READING_WRITING, MATH = "reading-and-writing", "math"


@dataclass
class SkillRow:
    pk: int
    name: str
    domain_id: int
    domain: str
    domain_weight: float
    section_id: int
    section: str
    section_slug: str
    state: SkillState | None
    level: int
    estimate: tuple[float, float] = (0.0, 1.0)

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def level_css(self) -> str:
        return Level(self.level).name.lower().replace("_", "-")


@dataclass
class SectionProgress:
    pk: int
    name: str
    slug: str
    estimate: SectionEstimate
    prediction: Prediction
    weights: dict
    domains: list = field(default_factory=list)  # [(domain name, weight, [SkillRow])]


def skill_rows(*, learner: User) -> list[SkillRow]:
    """Every skill with the learner's estimate on it, in one query."""
    rows = (
        Skill.objects.annotate(
            p=FilteredRelation("proficiencies", condition=Q(proficiencies__learner=learner))
        )
        .order_by("domain__section__position", "domain__position", "position", "name")
        .values(
            "pk",
            "name",
            "domain_id",
            "domain__name",
            "domain__weight",
            "domain__section_id",
            "domain__section__name",
            "domain__section__slug",
            "p__mean",
            "p__var",
            "p__answers",
            "p__correct",
            "p__level",
        )
    )
    return [
        skill_row(
            r,
            SkillState(r["p__mean"], r["p__var"], r["p__answers"], r["p__correct"])
            if r["p__mean"] is not None
            else None,
            r["p__level"] or 0,
        )
        for r in rows
    ]


def skill_row(skill: dict, state: SkillState | None, level: int) -> SkillRow:
    """A SkillRow from a skill's `values()` (pk, name, domain and section columns) and an estimate."""
    return SkillRow(
        pk=skill["pk"],
        name=skill["name"],
        domain_id=skill["domain_id"],
        domain=skill["domain__name"],
        domain_weight=float(skill["domain__weight"]),
        section_id=skill["domain__section_id"],
        section=skill["domain__section__name"],
        section_slug=skill["domain__section__slug"],
        state=state,
        level=level,
    )


def section_progress(rows: list[SkillRow]) -> dict[str, SectionProgress]:
    """Group skills by section and domain; estimate each section and predict its score."""
    by_section: dict[str, list[SkillRow]] = {}
    for row in rows:
        by_section.setdefault(row.section_slug, []).append(row)
    out = {}
    for slug, srows in by_section.items():
        domains: dict[int, tuple[float, list]] = {}
        for row in srows:
            domains.setdefault(row.domain_id, (row.domain_weight, []))[1].append(row.pk)
        weights = skill_weights(domains)
        states = {row.pk: row.state for row in srows if row.state is not None}
        estimate = estimate_section(states, weights)
        grouped: dict[int, tuple[str, float, list]] = {}
        for row in srows:
            row.estimate = estimate.skills[row.pk]
            grouped.setdefault(row.domain_id, (row.domain, row.domain_weight, []))[2].append(row)
        out[slug] = SectionProgress(
            pk=srows[0].section_id,
            name=srows[0].section,
            slug=slug,
            estimate=estimate,
            prediction=predict_section(estimate),
            weights=weights,
            domains=list(grouped.values()),
        )
    return out


def predicted_scores(*, learner: User, rows: list[SkillRow] | None = None) -> dict:
    """Predicted Reading and Writing, Math and total scores (each a Prediction with its 90% band)."""
    sections = section_progress(rows if rows is not None else skill_rows(learner=learner))
    empty = SectionEstimate(0.0, 1.0, 0, {})
    rw = sections.get(READING_WRITING)
    ma = sections.get(MATH)
    rw_est = rw.estimate if rw else empty
    ma_est = ma.estimate if ma else empty
    return {
        "reading_writing": predict_section(rw_est),
        "math": predict_section(ma_est),
        "total": predict_total(rw_est, ma_est),
        "sections": sections,
    }


@dataclass
class LearnerSummary:
    """What the dashboard header needs about a learner, from one query."""

    time_zone: str
    display_name: str
    stats: LearnerStats | None
    reviews_due: int
    cards_due: int
    open_session_id: int | None
    # Whether they are a learner of any institution (so may have assignments to show).
    institution_learner: bool = False
    # Whether they teach or administer at any institution (the dashboard links their classes).
    teaches: bool = False


# The dashboard's hottest read: one round trip, written out in SQL because building it from four ORM
# subqueries cost more Python time than the query itself.
_SUMMARY_SQL = """
SELECT p.time_zone, p.display_name,
       s.id, s.answers, s.correct, s.reviews, s.sessions_completed, s.current_streak, s.longest_streak,
       s.last_active_day,
       (SELECT count(*) FROM practice_reviewitem r WHERE r.learner_id = %(id)s AND r.due <= %(now)s),
       (SELECT count(*) FROM practice_flashcard f WHERE f.owner_id = %(id)s AND f.due <= %(now)s),
       (SELECT ps.id FROM practice_practicesession ps
         WHERE ps.learner_id = %(id)s AND ps.status = 'in_progress'
         ORDER BY ps.started_at DESC, ps.id DESC LIMIT 1),
       pn_has_role(%(id)s, ARRAY['learner']),
       pn_has_role(%(id)s, ARRAY['admin', 'teacher'])
FROM (SELECT %(id)s::bigint AS id) u
LEFT JOIN practice_profile p ON p.user_id = u.id
LEFT JOIN practice_learnerstats s ON s.learner_id = u.id
"""


def learner_summary(*, learner: User) -> LearnerSummary:
    """Profile time zone, stats, due counts, the open session to resume and whether the learner belongs
    to an institution, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_SUMMARY_SQL, {"id": learner.pk, "now": timezone.now()})
        row = cursor.fetchone()
    stats = None
    if row[2] is not None:
        stats = LearnerStats(
            pk=row[2],
            learner_id=learner.pk,
            answers=row[3],
            correct=row[4],
            reviews=row[5],
            sessions_completed=row[6],
            current_streak=row[7],
            longest_streak=row[8],
            last_active_day=row[9],
        )
    return LearnerSummary(
        time_zone=row[0] or "UTC",
        display_name=row[1] or "",
        stats=stats,
        reviews_due=row[10],
        cards_due=row[11],
        open_session_id=row[12],
        institution_learner=row[13],
        teaches=row[14],
    )


def weekly_activity(*, learner: User, today, weeks: int = 8) -> list[dict]:
    """Accuracy and time per week for the last `weeks` weeks (oldest first), from the daily totals."""
    start = today - timedelta(days=7 * weeks - 1)
    buckets = [
        {"start": start + timedelta(days=7 * i), "answers": 0, "correct": 0, "time_ms": 0}
        for i in range(weeks)
    ]
    for row in DailyActivity.objects.filter(learner=learner, day__gte=start, day__lte=today).values(
        "day", "answers", "correct", "time_spent_ms"
    ):
        bucket = buckets[(row["day"] - start).days // 7]
        bucket["answers"] += row["answers"]
        bucket["correct"] += row["correct"]
        bucket["time_ms"] += row["time_spent_ms"]
    for bucket in buckets:
        n = bucket["answers"]
        bucket["accuracy"] = round(100 * bucket["correct"] / n) if n else None
        bucket["avg_seconds"] = round(bucket["time_ms"] / n / 1000) if n else None
        bucket["minutes"] = round(bucket["time_ms"] / 60000)
    return buckets


def score_history(*, learner: User, limit: int = 20) -> list[ScoreSnapshot]:
    recent = list(
        ScoreSnapshot.objects.filter(learner=learner, total__isnull=False).order_by("-taken_at", "-pk")[
            :limit
        ]
    )
    return recent[::-1]


def latest_badges(*, learner: User, limit: int = 4) -> list[BadgeAward]:
    return list(BadgeAward.objects.filter(learner=learner).order_by("-awarded_at", "-pk")[:limit])


def legacy_badges(*, learner: User) -> list[LegacyBadge]:
    """The badges a legacy app awarded the learner that PrepNexus has none for, oldest first."""
    return list(LegacyBadge.objects.filter(learner=learner).order_by("awarded_at", "pk"))


def badge_awards_by_code(*, learner: User) -> dict[str, BadgeAward]:
    """Every badge the learner has earned, by code."""
    return {award.code: award for award in BadgeAward.objects.filter(learner=learner)}


def _due_count(queryset):
    """The number of the user's items that are due, as a subquery on User (0 when none)."""
    owner = queryset.owner_field
    return Coalesce(
        Subquery(
            queryset.filter(**{owner: OuterRef("pk")})
            .order_by()
            .values(owner)
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def due_count_annotations(now) -> dict:
    """`reviews_due` and `cards_due` as subqueries on User, for reading many users' counts in one query."""
    return {
        "reviews_due": _due_count(ReviewItem.objects.due(now)),
        "cards_due": _due_count(Flashcard.objects.due(now)),
    }


def due_counts(*, learner: User) -> dict:
    """Reviews and flashcards due now (for the navigation), in one query."""
    now = timezone.now()
    row = (
        User.objects.filter(pk=learner.pk)
        .annotate(
            reviews_due=_due_count(ReviewItem.objects.due(now)),
            cards_due=_due_count(Flashcard.objects.due(now)),
        )
        .values("reviews_due", "cards_due")
        .first()
    )
    return row or {"reviews_due": 0, "cards_due": 0}


def nav_summary(*, user: User) -> dict:
    """What the navigation shows (name, reviews and cards due) in one query: a page that passes this
    in its context saves the context processor's two look-ups."""
    now = timezone.now()
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            reviews_due=_due_count(ReviewItem.objects.due(now)),
            cards_due=_due_count(Flashcard.objects.due(now)),
            display=F("profile__display_name"),
        )
        .values("reviews_due", "cards_due", "display")
        .first()
    ) or {"reviews_due": 0, "cards_due": 0, "display": ""}
    return {
        "learning_due": {"reviews_due": row["reviews_due"], "cards_due": row["cards_due"]},
        "nav_name": row["display"] or user.get_username(),
    }
