"""The SAT Prep Suite: its tables mapped onto accounts, questions, sessions, answers and progress.

``SatprepImport.tables`` lists the suite's tables in load order, each with its handler (``base.Table``).
"""

import math
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, models

from practice.models import (
    IRT_B_DEFAULTS,
    MCQ_LABELS,
    Answer,
    BadgeAward,
    LegacyBadge,
    PracticeSession,
    Question,
    QuestionOption,
    ScoreSnapshot,
    SessionItem,
    SkillProficiency,
)
from practice.rendering import render_markdown
from practice.spr import SprFormatError, parse_spr, spr_matches

from . import parsing as p
from .base import USERS, BatchWrites, LegacyImport, Outcome, Table
from .reader import LegacyReader, LegacyRow
from .report import MERGED

# Legacy badge names -> the catalogue's codes. Any other name ("Math Whiz", "Grammar Guru") has no
# equivalent and is kept as a LegacyBadge.
BADGES = {"first steps": "first-answer", "streak 7": "streak-7", "century": "answers-100"}
LEGACY_BADGE = "badge with no PrepNexus equivalent kept as a legacy badge"  # the repair's kind
ANSWER_KEY_NAMESPACE = uuid.UUID("6f1b6a52-44a1-4d55-9a43-1f6a0f0c2b11")


@dataclass
class QuestionInfo:
    pk: int
    type: str
    correct: str | None  # the correct label for multiple choice
    spr_answers: list[str]
    section_id: int


class SatprepImport(LegacyImport):
    """One run over one SAT Prep Suite file."""

    kind = "satprep"
    hash_column = "hashed_password"

    def __init__(self, reader: LegacyReader, **options) -> None:
        super().__init__(reader, **options)
        self.questions: dict[int, QuestionInfo] = {}
        self.sessions: dict[int, tuple[int, int, int]] = {}  # legacy id -> (pk, learner pk, section pk)
        self.started: dict[int, datetime] = {}  # legacy session id -> its start, for its rows' repairs
        # session pk -> {question pk: (model, pk) of the answer, or the item when the question was omitted}
        self.session_items: dict[int, dict[int, tuple[type[models.Model], int]]] = defaultdict(dict)
        self.positions: dict[int, int] | None = None  # session pk -> last item position; loaded when needed
        self.snapshots: set[int] = set()  # session pks with a snapshot
        self.proficiency: dict[tuple[int, int], dict] = {}  # (learner, skill) -> row made by this run
        # Rows an earlier batch wrote whose level this batch replaced (another topic of the same skill):
        # updated after the batch's COPY, which only inserts.
        self.proficiency_updates: list[dict] = []
        # From the whole source, before the first session (_prepare_practice_sessions): per legacy session,
        # how many responses it has and how many of them fall in each section.
        self.source_sizes: dict[int, int] = {}
        self.section_votes: dict[int, Counter] = defaultdict(Counter)

    def _import_questions(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "questions"
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("created_at",))
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            values, notes = row.values, []
            repairs = self._repaired(row, notes)
            ref: p.SkillRef = values["skill"]
            section = ref.section or values.get("section")
            if section is None:
                outcomes.append(
                    self._reject(table, row, f"topic {values.get('topic')!r} is unknown and no section")
                )
                continue
            grid_in, answer = values["grid_in"], values["correct_answer"]
            if grid_in:
                try:
                    parse_spr(answer)
                except SprFormatError as exc:
                    outcomes.append(self._reject(table, row, f"correct_answer: {exc.message}"))
                    continue
            skill = self.skills[(section, ref.skill)]
            topic = values.get("topic")
            if not ref.known:
                notes.append(f"unknown topic {topic!r}: kept under {section} / Unclassified, as a draft")
            elif ref.aliased:
                notes.append(f"topic {topic!r} aliased to {ref.skill!r}")
            elif topic != ref.skill:
                notes.append(f"topic {topic!r} normalised to {ref.skill!r}")
            explanation = values.get("explanation") or ""
            if not explanation.strip():
                explanation = ""
                notes.append("no explanation: imported as a draft")
            published = bool(explanation) and ref.known
            created = self._time(row, "created_at", self.now, "the import's time", notes, repairs) or self.now
            difficulty = values["difficulty"]
            pk = self._pk(Question)
            writes.add(
                Question,
                {
                    "id": pk,
                    "skill_id": skill.pk,
                    "difficulty": difficulty,
                    "type": Question.Type.SPR if grid_in else Question.Type.MCQ,
                    "passage": "",
                    "passage_b": "",
                    "stem": values["question_text"],
                    "explanation": explanation,
                    "spr_answers": [answer] if grid_in else [],
                    "status": Question.Status.PUBLISHED if published else Question.Status.DRAFT,
                    "irt_a": 1.0,
                    "irt_b": IRT_B_DEFAULTS[difficulty],
                    "irt_c": 0.0 if grid_in else 0.25,
                    "external_id": f"satprep:{self.tag}:{row.legacy_id}",
                    "author_id": None,
                    "template_code": "",
                    "template_seed": None,
                    "stem_html": render_markdown(values["question_text"]),
                    "passage_html": "",
                    "passage_b_html": "",
                    "explanation_html": render_markdown(explanation),
                    "figure": None,  # the legacy bank has no figures
                    "figure_svg": "",
                    "figure_alt": "",
                    "created_at": created,
                    "updated_at": self.now,
                    "published_at": created if published else None,
                },
            )
            if not grid_in:
                for label, text in zip(MCQ_LABELS, values["choices"], strict=True):
                    writes.add(
                        QuestionOption,
                        {
                            "id": None,
                            "question_id": pk,
                            "label": label,
                            "text": text,
                            "text_html": render_markdown(text, inline=True),
                            "is_correct": label == answer,
                        },
                    )
            self.questions[row.legacy_id] = QuestionInfo(
                pk,
                Question.Type.SPR if grid_in else Question.Type.MCQ,
                None if grid_in else answer,
                [answer] if grid_in else [],
                skill.domain.section_id,
            )
            outcomes.append(self._keep(table, row, Question, pk, notes, repairs=repairs))
        return outcomes

    def _prepare_practice_sessions(self) -> None:
        """Per session, from the source: how many responses it has, and the section most of them are in."""
        source = self.reader.connection
        self.source_sizes = dict(
            source.execute("SELECT session_id, count(*) FROM responses GROUP BY session_id")
        )
        self.section_votes = defaultdict(Counter)
        for session_id, section, count in source.execute(
            "SELECT r.session_id, q.section, count(*) FROM responses r "
            "JOIN questions q ON q.id = r.question_id "
            "GROUP BY r.session_id, q.section"
        ):
            try:
                name = p.parse_section(section)
            except p.LegacyValueError:
                continue
            if name:
                self.section_votes[session_id][name] += count

    def _import_practice_sessions(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "practice_sessions"
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("started_at", "completed_at"))
            values, notes = row.values, []
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and values.get("started_at") is None and self.strict:
                why = "started_at: required value is NULL"
            size = self.source_sizes.get(row.legacy_id, 0)
            if why is None and size > 50:
                why = f"it has {size} responses; a session holds at most 50"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            # Each time stands in for the other when it is missing or cannot be trusted.
            trusted_end = None if "completed_at" in row.errors else values.get("completed_at")
            started = self._time(
                row,
                "started_at",
                trusted_end or self.now,
                "its completion time" if trusted_end else "the import's time",
                notes,
                repairs,
                required=True,
            )
            completed = self._time(row, "completed_at", started, "its start time", notes, repairs)
            section_name = values.get("section")
            if section_name is None:
                votes = self.section_votes.get(row.legacy_id)
                section_name = votes.most_common(1)[0][0] if votes else p.READING_AND_WRITING
                notes.append(
                    f"no section (mixed): filed under {section_name}, the section of most of its questions"
                )
            section = self.sections[section_name]
            if completed is not None and completed < started:
                notes.append("completed_at is before started_at (date-only precision): kept as recorded")
            if completed is None:
                notes.append("abandoned: imported as unfinished")
            mode = values.get("mode") or PracticeSession.Mode.PRACTICE
            limit = (
                section.seconds_per_question * max(1, size) if mode == PracticeSession.Mode.TIMED else None
            )
            pk = self._pk(PracticeSession)
            writes.add(
                PracticeSession,
                {
                    "id": pk,
                    "learner_id": learner,
                    "section_id": section.pk,
                    "mode": mode,
                    "difficulty": PracticeSession.DifficultyChoice.MIXED,
                    "scope": "Imported from the SAT Prep Suite"
                    + ("" if values.get("section") else " (mixed)"),
                    # Its items (one per question it answered) set it after each batch of responses.
                    "length": 1,
                    "status": PracticeSession.Status.COMPLETED
                    if completed
                    else PracticeSession.Status.IN_PROGRESS,
                    "answered_count": 0,
                    "correct_count": 0,
                    "time_limit_s": limit,
                    "started_at": started,
                    "deadline": started + timedelta(seconds=limit) if limit else None,
                    "completed_at": completed,
                    "source_session_id": None,
                },
            )
            self.sessions[row.legacy_id] = (pk, learner, section.pk)
            self.started[row.legacy_id] = started
            outcomes.append(self._keep(table, row, PracticeSession, pk, notes, repairs=repairs))
        return outcomes

    def _import_responses(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "responses"
        if self.positions is None:
            self._load_positions()
        outcomes = []
        for row in batch:
            # An unreadable is_correct is marked against the key, as a NULL one is (unless strict).
            why = self._unreadable(row, times=("answered_at", "is_correct"))
            values, notes = row.values, []
            if why is None:
                session_pk, why = self._parent("practice_sessions", values["session_id"], "session_id")
            if why is None:
                question_pk, why = self._parent("questions", values["question_id"], "question_id")
            if why is None:
                user_pk, why = self._session_learner(values)
            if why is None and question_pk in self.session_items[session_pk]:
                model, pk = self.session_items[session_pk][question_pk]
                reason = (
                    f"a second response to question {values['question_id']} in its session: "
                    "a PrepNexus session holds one answer per question, so the first is kept"
                )
                outcomes.append(self._keep(table, row, model, pk, (), MERGED, reason))
                continue
            if why is None and len(self.session_items[session_pk]) >= 50:
                why = "the session already holds 50 questions"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            info = self.questions[values["question_id"]]
            given = (values.get("selected_answer") or "").strip()
            is_correct = values.get("is_correct")
            if "is_correct" in row.errors and given:
                found = row.errors["is_correct"]
                notes.append(f"repaired is_correct: {found}: marked against the answer key")
                repairs.append("unreadable is_correct marked against the key")
            if info.type == Question.Type.MCQ:
                given = given.upper()
                if given and given not in MCQ_LABELS:
                    outcomes.append(self._reject(table, row, f"selected_answer {given!r} is not one of A-D"))
                    continue
            elif len(given) > 6:
                outcomes.append(self._reject(table, row, f"selected_answer {given!r} is over 6 characters"))
                continue
            if given and is_correct is None:
                try:
                    if info.type == Question.Type.MCQ:
                        is_correct = given == info.correct
                    else:
                        is_correct = spr_matches(given, info.spr_answers)
                except SprFormatError as exc:
                    outcomes.append(self._reject(table, row, f"selected_answer {given!r}: {exc.message}"))
                    continue
                if "is_correct" not in row.errors:
                    notes.append("is_correct was NULL: marked against the answer key")
            self.positions[session_pk] += 1
            item_pk = self._pk(SessionItem)
            writes.add(
                SessionItem,
                {
                    "id": item_pk,
                    "session_id": session_pk,
                    "question_id": question_pk,
                    "position": self.positions[session_pk],
                    "flagged": False,
                    "shown_at": None,
                },
            )
            if not given:
                notes.append("no answer selected: the question is left omitted")
                self.session_items[session_pk][question_pk] = (SessionItem, item_pk)
                outcomes.append(self._keep(table, row, SessionItem, item_pk, notes, repairs=repairs))
                continue
            seconds = values.get("time_spent")
            if seconds is None and "time_spent" not in row.errors:
                notes.append("time_spent is NULL: recorded as unknown")
            answered = self._time(
                row,
                "answered_at",
                self.started[values["session_id"]],
                "the session's start",
                notes,
                repairs,
                required=True,
            )
            answer_pk = self._pk(Answer)
            writes.add(
                Answer,
                {
                    "id": answer_pk,
                    "session_id": session_pk,
                    "item_id": item_pk,
                    "question_id": question_pk,
                    "learner_id": user_pk,
                    "given": given,
                    "is_correct": bool(is_correct),
                    "time_spent_ms": round(seconds * 1000) if seconds is not None else None,
                    "key": uuid.uuid5(
                        ANSWER_KEY_NAMESPACE, f"satprep:{self.sha256}:response:{row.legacy_id}"
                    ),
                    "answered_at": answered or self.now,
                },
            )
            self.session_items[session_pk][question_pk] = (Answer, answer_pk)
            outcomes.append(self._keep(table, row, Answer, answer_pk, notes, repairs=repairs))
        return outcomes

    def _load_positions(self) -> None:
        self.positions = defaultdict(int)
        session_pks = [pk for pk, _, _ in self.sessions.values()]
        items = SessionItem.objects.filter(session_id__in=session_pks)
        for session_id, question_id, position, item_pk, answer_pk in items.values_list(
            "session_id", "question_id", "position", "pk", "answer__pk"
        ):
            target = (Answer, answer_pk) if answer_pk else (SessionItem, item_pk)
            self.session_items[session_id][question_id] = target
            self.positions[session_id] = max(self.positions[session_id], position)

    def _session_learner(self, values: dict) -> tuple[int | None, str | None]:
        """The learner of a row that names both its session and its user, who must be the session's."""
        user_pk, why = self._parent("users", values["user_id"], "user_id")
        if why is None and user_pk != self.sessions[values["session_id"]][1]:
            return None, f"user_id {values['user_id']} is not the session's learner"
        return user_pk, why

    def _import_results(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "results"
        session_pks = [
            self.sessions[r.values["session_id"]][0]
            for r in batch
            if r.values.get("session_id") in self.sessions
        ]
        counts = {
            pk: (answered, correct)
            for pk, answered, correct in PracticeSession.objects.filter(pk__in=session_pks).values_list(
                "pk", "answered_count", "correct_count"
            )
        }
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("created_at",))
            values, notes = row.values, []
            if why is None:
                session_pk, why = self._parent("practice_sessions", values["session_id"], "session_id")
            if why is None:
                _, why = self._session_learner(values)
            if why is None and session_pk in self.snapshots:
                why = f"a second result for session {values['session_id']}"
            total, correct = values.get("total_questions"), values.get("correct_count")
            if why is None and total is not None and correct is not None and correct > total:
                why = f"correct_count {correct} exceeds total_questions {total}"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            taken = self._time(
                row, "created_at", self.started[values["session_id"]], "the session's start", notes, repairs
            )
            _, learner, section_id = self.sessions[values["session_id"]]
            answered, right = counts.get(session_pk, (None, None))
            if (total, correct) != (answered, right):
                notes.append(
                    f"legacy result says {correct} of {total} correct; the session holds {right} of "
                    f"{answered} (one answer per question; the other responses were merged or rejected)"
                )
            score, is_math = values.get("score"), self.sections[p.MATH].pk == section_id
            pk = self._pk(ScoreSnapshot)
            writes.add(
                ScoreSnapshot,
                {
                    "id": pk,
                    "learner_id": learner,
                    "session_id": session_pk,
                    "taken_at": taken or self.now,
                    "reading_writing": None if is_math else score,
                    "reading_writing_low": None,
                    "reading_writing_high": None,
                    "math": score if is_math else None,
                    "math_low": None,
                    "math_high": None,
                    "total": None,
                    "total_low": None,
                    "total_high": None,
                },
            )
            self.snapshots.add(session_pk)
            outcomes.append(self._keep(table, row, ScoreSnapshot, pk, notes, repairs=repairs))
        return outcomes

    def _import_badges(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "badges"
        learners = {self.ids["users"].get(row.values.get("user_id")) for row in batch} - {None}
        held = {
            (learner, code): pk
            for pk, learner, code in BadgeAward.objects.filter(learner_id__in=learners).values_list(
                "pk", "learner_id", "code"
            )
        }
        kept = {
            (learner, name): pk
            for pk, learner, name in LegacyBadge.objects.filter(
                learner_id__in=learners, source=self.kind
            ).values_list("pk", "learner_id", "name")
        }
        outcomes = []
        for row in batch:
            why = self._unreadable(row, times=("awarded_at",))
            values, notes = row.values, []
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            name = " ".join(values.get("name", "").split())
            code = BADGES.get(name.lower())
            if why is None and code is None and self.strict:
                why = f"no such badge in PrepNexus: {values['name']!r}"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            repairs = self._repaired(row, notes)
            awarded = self._time(row, "awarded_at", self.now, "the import's time", notes, repairs)
            awarded = awarded or self.now
            if code is None:
                outcomes.append(self._legacy_badge(row, learner, name, awarded, kept, writes, notes, repairs))
                continue
            if (learner, code) in held:
                reason = f"the learner already holds {code}"
                pk = held[(learner, code)]
                outcomes.append(self._keep(table, row, BadgeAward, pk, notes, MERGED, reason, repairs))
                continue
            pk = self._pk(BadgeAward)
            writes.add(BadgeAward, {"id": pk, "learner_id": learner, "code": code, "awarded_at": awarded})
            held[(learner, code)] = pk
            notes.append(f"{values['name']!r} is the badge {code}")
            outcomes.append(self._keep(table, row, BadgeAward, pk, notes, repairs=repairs))
        return outcomes

    def _legacy_badge(self, row, learner, name, awarded, kept, writes, notes, repairs) -> Outcome:
        """A badge PrepNexus has none for, kept as the learner's legacy badge (once per name)."""
        name = name[:200]
        if (learner, name) in kept:
            reason = f"the learner already holds the legacy badge {name!r}"
            pk = kept[(learner, name)]
            return self._keep("badges", row, LegacyBadge, pk, notes, MERGED, reason, repairs)
        pk = self._pk(LegacyBadge)
        writes.add(
            LegacyBadge,
            {
                "id": pk,
                "learner_id": learner,
                "source": self.kind,
                "name": name,
                "description": row.values.get("description") or "",
                "awarded_at": awarded,
            },
        )
        kept[(learner, name)] = pk
        notes.append(
            f"repaired name: PrepNexus has no badge {row.values['name']!r}: kept as a legacy badge, shown on "
            "the learner's badges page (it counts toward no PrepNexus badge)"
        )
        return self._keep("badges", row, LegacyBadge, pk, notes, repairs=[*repairs, LEGACY_BADGE])

    def _import_proficiency(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "proficiency"
        learners = {self.ids["users"].get(row.values.get("user_id")) for row in batch} - {None}
        existing = dict(
            ((learner, skill), pk)
            for pk, learner, skill in SkillProficiency.objects.filter(learner_id__in=learners).values_list(
                "pk", "learner_id", "skill_id"
            )
        )
        outcomes, changed = [], {}
        for row in batch:
            why = self._unreadable(row, times=("updated_at",))
            values, notes = row.values, []
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and not values["skill"].known:
                why = f"unknown topic {values.get('topic')!r} (proficiency has no section to file it by)"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            ref: p.SkillRef = values["skill"]
            repairs = self._repaired(row, notes)
            if ref.aliased:
                notes.append(f"topic {values.get('topic')!r} aliased to {ref.skill!r}")
            skill = self.skills[(ref.section, ref.skill)].pk
            level = values["level"]
            updated = self._time(row, "updated_at", self.now, "the import's time", notes, repairs) or self.now
            clipped = min(max(level, 0.02), 0.98)
            # A prior whose expected accuracy on a typical item (a = 1.5, b = 0) is the legacy level.
            mean = math.log(clipped / (1 - clipped)) / 1.5
            key = (learner, skill)
            mine = self.proficiency.get(key)
            if mine is not None:
                if updated > mine["updated_at"]:
                    mine["mean"], mine["updated_at"] = mean, updated
                    changed[mine["id"]] = mine
                    reason = "another topic of the same skill: this newer level replaced the older one"
                else:
                    reason = "another topic of the same skill has a newer level, which was kept"
                outcomes.append(
                    self._keep(table, row, SkillProficiency, mine["id"], notes, MERGED, reason, repairs)
                )
                continue
            if key in existing:
                outcomes.append(
                    self._keep(
                        table,
                        row,
                        SkillProficiency,
                        existing[key],
                        notes,
                        MERGED,
                        "the learner already has an estimate",
                        repairs,
                    )
                )
                continue
            pk = self._pk(SkillProficiency)
            data = {
                "id": pk,
                "learner_id": learner,
                "skill_id": skill,
                "mean": mean,
                "var": 1.0,
                "answers": 0,
                "correct": 0,
                "level": 0,
                "proficient_since": None,
                "mastered_at": None,
                "updated_at": updated,
            }
            writes.add(SkillProficiency, data)
            self.proficiency[key] = data
            existing[key] = pk
            outcomes.append(self._keep(table, row, SkillProficiency, pk, notes, repairs=repairs))
        new = {row["id"] for row in writes.rows.get(SkillProficiency, [])}
        self.proficiency_updates = [data for pk, data in changed.items() if pk not in new]
        return outcomes

    # --- rebuilding the lookups of rows an earlier run recorded ----------------------------------------

    def _reload_questions(self, by_pk: dict[int, int]) -> None:
        correct = dict(
            QuestionOption.objects.filter(question_id__in=by_pk, is_correct=True).values_list(
                "question_id", "label"
            )
        )
        for pk, qtype, answers, section_id in Question.objects.filter(pk__in=by_pk).values_list(
            "pk", "type", "spr_answers", "skill__domain__section_id"
        ):
            self.questions[by_pk[pk]] = QuestionInfo(pk, qtype, correct.get(pk), answers, section_id)

    def _reload_practice_sessions(self, by_pk: dict[int, int]) -> None:
        for pk, learner, section, started in PracticeSession.objects.filter(pk__in=by_pk).values_list(
            "pk", "learner_id", "section_id", "started_at"
        ):
            self.sessions[by_pk[pk]] = (pk, learner, section)
            self.started[by_pk[pk]] = started

    def _reload_results(self, by_pk: dict[int, int]) -> None:
        self.snapshots.update(ScoreSnapshot.objects.filter(pk__in=by_pk).values_list("session_id", flat=True))

    # --- derived state, after each batch -----------------------------------------------------------------

    def _count_session_items(self, writes: BatchWrites) -> None:
        sessions = sorted({row["session_id"] for row in writes.rows.get(SessionItem, [])})
        if sessions:
            with connection.cursor() as cursor:
                cursor.execute(_SESSION_COUNTS_SQL, [sessions])

    def _update_proficiency(self, writes: BatchWrites) -> None:
        with connection.cursor() as cursor:
            for data in self.proficiency_updates:
                cursor.execute(
                    "UPDATE practice_skillproficiency SET mean = %s, updated_at = %s WHERE id = %s",
                    [data["mean"], data["updated_at"], data["id"]],
                )
        self.proficiency_updates = []

    # Every table of the suite, in load order (parents first).
    tables = {
        "users": USERS,
        "questions": Table(_import_questions, reload=_reload_questions),
        "practice_sessions": Table(
            _import_practice_sessions, prepare=_prepare_practice_sessions, reload=_reload_practice_sessions
        ),
        "responses": Table(_import_responses, after_batch=_count_session_items),
        "results": Table(_import_results, reload=_reload_results),
        "badges": Table(_import_badges),
        "proficiency": Table(_import_proficiency, after_batch=_update_proficiency),
    }


_SESSION_COUNTS_SQL = """
UPDATE practice_practicesession s
   SET length = GREATEST(1, c.items), answered_count = c.answered, correct_count = c.correct
  FROM (SELECT i.session_id, count(*) AS items, count(a.id) AS answered,
               count(a.id) FILTER (WHERE a.is_correct) AS correct
          FROM practice_sessionitem i LEFT JOIN practice_answer a ON a.item_id = i.id
         WHERE i.session_id = ANY(%s) GROUP BY i.session_id) c
 WHERE s.id = c.session_id
"""
