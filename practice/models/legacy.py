"""The legacy-id map (what became of every row imported from the legacy SQLite apps) and the badges the
legacy apps awarded that PrepNexus has no badge for.

One LegacyRecord per source row (imported, merged or rejected), written in the
same transaction as the objects it describes, so a re-run skips what is recorded and a run after a
failure resumes where the last committed batch ended.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class LegacyRecord(models.Model):
    class Source(models.TextChoices):
        SATPREP = "satprep", "SAT Prep Suite"
        LEITNER = "leitner", "Leitner flashcards"

    class State(models.TextChoices):
        IMPORTED = "imported", "Imported"
        MERGED = "merged", "Merged"
        REJECTED = "rejected", "Rejected"

    source = models.CharField(max_length=7, choices=Source.choices)
    source_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the legacy file's bytes.")
    table = models.CharField(max_length=40)
    legacy_id = models.BigIntegerField()
    state = models.CharField(max_length=8, choices=State.choices)
    # The PrepNexus object the row became or was merged into ("practice.answer", pk); empty when rejected.
    object_model = models.CharField(max_length=60, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was rejected, or what it was merged into.")
    notes = models.JSONField(default=list, blank=True, help_text="Adjustments and aliases, for the report.")
    raw = models.JSONField(null=True, blank=True, help_text="The rejected source row, verbatim.")
    created_at = models.DateTimeField(default=timezone.now)
    # The kinds of repair an imported (or merged) row needed; its notes say what was found and done.
    repairs = models.JSONField(default=list, blank=True, help_text="Repairs made to keep the row.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_sha256", "table", "legacy_id"], name="legacyrecord_row_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["imported", "merged", "rejected"]),
                name="legacyrecord_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state="rejected", object_id__isnull=True)
                | (~models.Q(state="rejected") & models.Q(object_id__isnull=False)),
                name="legacyrecord_object_matches_state",
            ),
        ]

    def __str__(self):
        return f"{self.source}.{self.table} #{self.legacy_id}: {self.state}"


class LegacyBadge(models.Model):
    """A badge a legacy app awarded that has no PrepNexus equivalent ("Math Whiz", "Grammar Guru").

    Kept as the learner earned it (name, description, date, source app) and shown under its own heading;
    it is not a PrepNexus badge, so it awards none and counts toward none.
    """

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="legacy_badges"
    )
    source = models.CharField(max_length=7, choices=LegacyRecord.Source.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["awarded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "source", "name"], name="legacybadge_once_per_source"),
            models.CheckConstraint(condition=~models.Q(name=""), name="legacybadge_name_not_empty"),
        ]

    def __str__(self):
        return f"{self.learner}: {self.name} ({self.get_source_display()})"

    @property
    def symbol(self) -> str:
        """The badge's mark on the badges page: its name's initials ("Math Whiz" -> "MW"), like the
        catalogue's short symbols."""
        return "".join(word[0] for word in self.name.split()[:2]).upper() or "?"
