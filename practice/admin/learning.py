"""A learner's progress in the admin: read-only, the services keep it."""

from django.contrib import admin

from prepnexus.admin import ReadOnlyAdmin

from ..models import (
    BadgeAward,
    Flashcard,
    LearnerStats,
    ReviewItem,
    ScoreSnapshot,
    SkillProficiency,
)

# --- Learning: staff can look at (not rewrite) a learner's progress. Read-only: the services keep these
# rows consistent with the answers and reviews they summarise, and an edit here would bypass them. ---


@admin.register(SkillProficiency)
class SkillProficiencyAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "skill", "level", "mean", "var", "answers", "correct", "updated_at"]
    list_filter = ["level", "skill__domain__section"]
    search_fields = ["learner__username", "learner__email", "skill__name"]
    list_select_related = ["learner", "skill"]
    raw_id_fields = ["learner"]
    readonly_fields = [f.name for f in SkillProficiency._meta.fields]


@admin.register(LearnerStats)
class LearnerStatsAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "answers", "correct", "reviews", "sessions_completed", "current_streak"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    readonly_fields = [f.name for f in LearnerStats._meta.fields]


@admin.register(BadgeAward)
class BadgeAwardAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "code", "awarded_at"]
    list_filter = ["code"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    raw_id_fields = ["learner"]


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "question", "reason", "due", "reviews", "lapses"]
    list_filter = ["reason"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner", "question"]
    raw_id_fields = ["learner", "question"]


@admin.register(Flashcard)
class FlashcardAdmin(ReadOnlyAdmin):
    audit_learner_field = "owner_id"
    list_display = ["owner", "front", "scheduler", "leitner_box", "due"]
    list_filter = ["scheduler"]
    search_fields = ["owner__username", "front", "back"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    audit_learner_field = "learner_id"
    list_display = ["learner", "taken_at", "reading_writing", "math", "total"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    raw_id_fields = ["learner", "session"]
