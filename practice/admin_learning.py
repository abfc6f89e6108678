"""Admin for the learning features: staff can look at (not rewrite) a learner's progress."""

from django.contrib import admin

from .models import BadgeAward, Flashcard, LearnerStats, ReviewItem, ScoreSnapshot, SkillProficiency


@admin.register(SkillProficiency)
class SkillProficiencyAdmin(admin.ModelAdmin):
    list_display = ["learner", "skill", "level", "mean", "var", "answers", "correct", "updated_at"]
    list_filter = ["level", "skill__domain__section"]
    search_fields = ["learner__username", "learner__email", "skill__name"]
    list_select_related = ["learner", "skill"]
    raw_id_fields = ["learner"]
    readonly_fields = [f.name for f in SkillProficiency._meta.fields]


@admin.register(LearnerStats)
class LearnerStatsAdmin(admin.ModelAdmin):
    list_display = ["learner", "answers", "correct", "reviews", "sessions_completed", "current_streak"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    readonly_fields = [f.name for f in LearnerStats._meta.fields]


@admin.register(BadgeAward)
class BadgeAwardAdmin(admin.ModelAdmin):
    list_display = ["learner", "code", "awarded_at"]
    list_filter = ["code"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    raw_id_fields = ["learner"]


@admin.register(ReviewItem)
class ReviewItemAdmin(admin.ModelAdmin):
    list_display = ["learner", "question", "reason", "due", "reviews", "lapses"]
    list_filter = ["reason"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner", "question"]
    raw_id_fields = ["learner", "question"]


@admin.register(Flashcard)
class FlashcardAdmin(admin.ModelAdmin):
    list_display = ["owner", "front", "scheduler", "leitner_box", "due"]
    list_filter = ["scheduler"]
    search_fields = ["owner__username", "front", "back"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ["learner", "taken_at", "reading_writing", "math", "total"]
    search_fields = ["learner__username", "learner__email"]
    list_select_related = ["learner"]
    raw_id_fields = ["learner", "session"]
