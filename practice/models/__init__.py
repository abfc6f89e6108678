"""Every model of the practice app, re-exported so `from practice.models import Question` works.

Modules by domain: accounts (user, profile), bank (taxonomy, questions), sessions (practice sessions,
items, answers), progress (proficiency, score history, totals, activity, badges), review (mistakes to
review), flashcards, institutions (institutions, members, classes, assignments, the
access trail), forms (full-length test forms: modules and slots), fulltests (a learner's sitting of a
form: modules, responses, scores; accommodations), legacy (the legacy-id map),
workflow (the question workflow's event log), mail (outgoing mail, mail preferences), jobs (background
workers' heartbeats, periodic runs), versioning (the database's rules for question versions).

Dependencies run one way: models import nothing from services, selectors, views, urls, admin, forms or
formats. Inside this package a module imports its siblings directly (`from .bank import Question`),
never this __init__. Migrations name `practice.models.validate_time_zone`; it is re-exported for them.
"""

from .accounts import LEGACY_MUST_RESET_PREFIX, Profile, User, validate_time_zone
from .bank import (
    CROSS_TEXT_SKILL,
    IRT_B_DEFAULTS,
    MCQ_LABELS,
    READING_AND_WRITING,
    Difficulty,
    Domain,
    EveryRowManager,
    ListedManager,
    Question,
    QuestionOption,
    QuestionQuerySet,
    Section,
    Skill,
)
from .flashcards import (
    Flashcard,
    FlashcardQuerySet,
    FlashcardReview,
    Scheduler,
    StudyPreference,
    flashcard_text_clean,
)
from .forms import FormModule, FormSlot, TestForm, TestFormQuerySet
from .fulltests import (
    MODULE_PHASES,
    PHASE_ORDER,
    Phase,
    TestAccommodation,
    TestAttempt,
    TestModuleAttempt,
    TestResponse,
)
from .institutions import (
    AccessEvent,
    Assignment,
    AssignmentProgress,
    Classroom,
    ClassTeacher,
    Enrollment,
    Institution,
    Membership,
    Role,
)
from .jobs import PeriodicRun, WorkerBeat
from .legacy import LegacyBadge, LegacyRecord
from .mail import MAIL_DEFAULT_ENABLED, MAIL_KINDS, USERLESS_KINDS, MailPreference, OutboundMail
from .progress import BadgeAward, DailyActivity, LearnerStats, ScoreSnapshot, SkillProficiency
from .review import ReviewAttempt, ReviewItem, ReviewItemQuerySet, ReviewRating
from .sessions import Answer, PracticeSession, SessionItem
from .workflow import QuestionEvent

__all__ = [
    "CROSS_TEXT_SKILL",
    "IRT_B_DEFAULTS",
    "LEGACY_MUST_RESET_PREFIX",
    "MAIL_DEFAULT_ENABLED",
    "MAIL_KINDS",
    "MCQ_LABELS",
    "MODULE_PHASES",
    "PHASE_ORDER",
    "READING_AND_WRITING",
    "USERLESS_KINDS",
    "AccessEvent",
    "Answer",
    "Assignment",
    "AssignmentProgress",
    "BadgeAward",
    "ClassTeacher",
    "Classroom",
    "DailyActivity",
    "Difficulty",
    "Domain",
    "Enrollment",
    "EveryRowManager",
    "Flashcard",
    "FlashcardQuerySet",
    "FlashcardReview",
    "FormModule",
    "FormSlot",
    "Institution",
    "LearnerStats",
    "LegacyBadge",
    "LegacyRecord",
    "ListedManager",
    "MailPreference",
    "Membership",
    "OutboundMail",
    "PeriodicRun",
    "Phase",
    "PracticeSession",
    "Profile",
    "Question",
    "QuestionEvent",
    "QuestionOption",
    "QuestionQuerySet",
    "ReviewAttempt",
    "ReviewItem",
    "ReviewItemQuerySet",
    "ReviewRating",
    "Role",
    "Scheduler",
    "ScoreSnapshot",
    "Section",
    "SessionItem",
    "Skill",
    "SkillProficiency",
    "StudyPreference",
    "TestAccommodation",
    "TestAttempt",
    "TestForm",
    "TestFormQuerySet",
    "TestModuleAttempt",
    "TestResponse",
    "User",
    "WorkerBeat",
    "flashcard_text_clean",
    "validate_time_zone",
]
