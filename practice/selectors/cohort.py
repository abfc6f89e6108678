"""Progress figures of many learners at once (a class): predicted scores and skill levels from the
dashboard's engine (`progress.predicted_scores`), run per learner in Python on the proficiency rows of
all of them read in one query, and cached per learner under their progress version (every learning
write gives a new version, so a cached figure is never stale)."""

from collections import defaultdict
from dataclasses import astuple, dataclass

from django.core.cache import cache

from ..engine.ability import SkillState
from ..engine.scores import Prediction
from ..models import Skill, SkillProficiency
from .dashboard import progress_version_key, progress_versions
from .progress import predicted_scores, skill_row

FIGURES_CACHE_SECONDS = 7 * 24 * 3600
# The taxonomy changes only with a migration or an admin edit; a few minutes' staleness is harmless.
SKILLS_CACHE_KEY, SKILLS_CACHE_SECONDS = "teach:skill-columns", 300


@dataclass(frozen=True)
class LearnerFigures:
    """What the overview shows of a learner's progress; cached per learner and progress version."""

    reading_writing: Prediction
    math: Prediction
    total: Prediction
    levels: dict[int, int]  # skill id -> Level value (absent: not started)


def skill_columns() -> list[dict]:
    """The listed skills with what the engine needs (domain weights) and the heatmap shows, in order."""
    skills = cache.get(SKILLS_CACHE_KEY)
    if skills is None:
        skills = _skill_columns()
        cache.set(SKILLS_CACHE_KEY, skills, SKILLS_CACHE_SECONDS)
    return skills


def _skill_columns() -> list[dict]:
    return list(
        Skill.objects.order_by("domain__section__position", "domain__position", "position", "name").values(
            "pk",
            "name",
            "domain_id",
            "domain__name",
            "domain__weight",
            "domain__section_id",
            "domain__section__name",
            "domain__section__slug",
        )
    )


def figures_from_proficiencies(skills: list[dict], proficiencies: list[dict]) -> LearnerFigures:
    """One learner's predictions and levels from their proficiency rows (the dashboard's engine)."""
    by_skill = {p["skill_id"]: p for p in proficiencies}
    rows = []
    for s in skills:
        p = by_skill.get(s["pk"])
        state = SkillState(p["mean"], p["var"], p["answers"], p["correct"]) if p else None
        rows.append(skill_row(s, state, p["level"] if p else 0))
    scores = predicted_scores(learner=None, rows=rows)
    return LearnerFigures(
        reading_writing=scores["reading_writing"],
        math=scores["math"],
        total=scores["total"],
        levels={row.pk: row.level for row in rows if row.level},
    )


def _figures_key(learner_id: int) -> str:
    return f"teach:learner-figures:v2:{learner_id}"


def _pack(figures: LearnerFigures) -> tuple:
    """Plain tuples for the cache: unpickling 200 dataclasses cost a third of the warm page."""
    return (
        astuple(figures.reading_writing),
        astuple(figures.math),
        astuple(figures.total),
        tuple(figures.levels.items()),
    )


def _unpack(packed: tuple) -> LearnerFigures:
    reading_writing, math, total, levels = packed
    return LearnerFigures(Prediction(*reading_writing), Prediction(*math), Prediction(*total), dict(levels))


def learner_figures_many(*, learner_ids: list[int], skills: list[dict]) -> dict[int, LearnerFigures]:
    """Every learner's figures: one cache round trip, then one query for those not cached at their
    current progress version (computed and stored)."""
    keys = [progress_version_key(pk) for pk in learner_ids] + [_figures_key(pk) for pk in learner_ids]
    cached = cache.get_many(keys)
    out: dict[int, LearnerFigures] = {}
    versions: dict[int, str] = {}
    for pk in learner_ids:
        version = cached.get(progress_version_key(pk))
        stored = cached.get(_figures_key(pk))
        if version is not None and stored is not None and stored[0] == version:
            out[pk] = _unpack(stored[1])
        else:
            versions[pk] = version
    if not versions:
        return out
    # A learner without a version yet gets one now (made once, then kept until their progress changes).
    versions = progress_versions(list(versions), known=versions)
    proficiencies = defaultdict(list)
    for row in SkillProficiency.objects.filter(learner_id__in=list(versions)).values(
        "learner_id", "skill_id", "mean", "var", "answers", "correct", "level"
    ):
        proficiencies[row["learner_id"]].append(row)
    fresh = {}
    for pk, version in versions.items():
        out[pk] = figures_from_proficiencies(skills, proficiencies[pk])
        fresh[_figures_key(pk)] = (version, _pack(out[pk]))
    cache.set_many(fresh, FIGURES_CACHE_SECONDS)
    return out
