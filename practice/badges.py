"""The badge catalogue. Awards live in BadgeAward (unique per learner and code)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BadgeSpec:
    code: str
    name: str
    description: str
    symbol: str  # a short text glyph shown in the badge; no images needed


CATALOGUE = (
    BadgeSpec("first-answer", "First steps", "Answer your first question.", "1"),
    BadgeSpec("first-session", "Warmed up", "Finish your first practice session.", "S"),
    BadgeSpec("answers-100", "Century", "Answer 100 questions.", "100"),
    BadgeSpec("answers-1000", "Marathoner", "Answer 1,000 questions.", "1k"),
    BadgeSpec("streak-7", "Week streak", "Practise 7 days in a row.", "7d"),
    BadgeSpec("streak-30", "Month streak", "Practise 30 days in a row.", "30d"),
    BadgeSpec("skill-mastered", "Mastery", "Master a skill.", "M"),
    BadgeSpec("skills-proficient-5", "Well rounded", "Reach Proficient in 5 skills.", "5P"),
    BadgeSpec("perfect-session", "Flawless", "Finish a session of 5 or more questions with none wrong.", "P"),
    BadgeSpec("both-sections", "All-rounder", "Practise both Reading and Writing and Math.", "2"),
    BadgeSpec("reviews-50", "Comeback", "Complete 50 reviews (mistakes or flashcards).", "50R"),
    BadgeSpec("flashcards-10", "Card maker", "Create 10 flashcards.", "10F"),
)
BY_CODE = {spec.code: spec for spec in CATALOGUE}
CHOICES = [(spec.code, spec.name) for spec in CATALOGUE]
