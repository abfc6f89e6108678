"""Map the two legacy SQLite apps onto PrepNexus, accounting for every source row.

``legacy_import(path=..., kind=...)`` reads the file with ``LegacyReader`` table by table (parents first),
one transaction per batch. Each batch writes its objects and their ``LegacyRecord`` rows (the legacy-id
map) together with PostgreSQL ``COPY``, ids taken from the tables' own sequences beforehand so children
can point at parents without a round trip per row. Lookups (users by email, questions, sessions, cards)
are kept in memory per run, so no query is made per row.

A row already in the map is not read again: each table resumes after the highest legacy id recorded for
this file (identified by its SHA-256), and the recorded states are replayed into the report. A re-run
therefore writes nothing and reports the same; a run after a failure resumes at the failed batch.
``dry_run`` runs everything inside one outer transaction, checks the deferred constraints after each
batch, and rolls back.

The writes bypass ``Model.save()`` (which would cost a query per row), so this module fills every
column itself, renders the Markdown fields as ``save()`` would, and leaves the database's constraints
and triggers as the last line of defence.
"""

import hashlib
import json
import math
import operator
import queue
import re
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import markdown
import nh3
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from practice.engine.spaced import LEITNER_INTERVAL_DAYS
from practice.models import (
    IRT_B_DEFAULTS,
    MCQ_LABELS,
    Answer,
    BadgeAward,
    Flashcard,
    FlashcardReview,
    LegacyRecord,
    PracticeSession,
    Profile,
    Question,
    QuestionOption,
    ReviewRating,
    Scheduler,
    ScoreSnapshot,
    Section,
    SessionItem,
    Skill,
    SkillProficiency,
    StudyPreference,
    User,
)
from practice.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from practice.spr import SprFormatError, parse_spr, spr_matches

from . import parsing as p
from .reader import LegacyFormatError, LegacyReader, LegacyRow
from .report import IMPORTED, MERGED, REJECTED, ImportReport, ProgressMeter

KINDS = ("satprep", "leitner")
DEFAULT_BATCH_SIZE = 2000
PLACEHOLDER_DOMAIN = "legacy.invalid"  # RFC 2606: can never be a real inbox
# Legacy badge names -> the catalogue's codes; "Math Whiz" and "Grammar Guru" have no equivalent.
BADGES = {"first steps": "first-answer", "streak 7": "streak-7", "century": "answers-100"}
ANSWER_KEY_NAMESPACE = uuid.UUID("6f1b6a52-44a1-4d55-9a43-1f6a0f0c2b11")


class LegacyImportError(Exception):
    """The file cannot be imported at all (missing, not SQLite, the other kind); nothing was written."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def open_legacy(path, kind: str) -> LegacyReader:
    """Open PATH as a legacy file of KIND, or raise LegacyImportError saying what it is instead."""
    if kind not in KINDS:
        raise LegacyImportError(f"unknown legacy kind {kind!r} (expected satprep or leitner)")
    path = Path(path)
    if not path.exists():
        raise LegacyImportError(f"{path} does not exist")
    if not path.is_file():
        raise LegacyImportError(f"{path} is not a file")
    try:
        detected = LegacyReader(path)
    except LegacyFormatError as exc:
        if "not a SQLite database" in str(exc):
            raise LegacyImportError(str(exc)) from exc
        detected = None
    if detected is not None:
        if detected.kind != kind:
            detected.close()
            raise LegacyImportError(f"{path.name} is a {detected.kind} database, not {kind}")
        return detected
    try:
        return LegacyReader(path, kind)
    except LegacyFormatError as exc:
        raise LegacyImportError(str(exc)) from exc


# --- rendering Markdown as Question.save() and flashcard_create() do, without their per-call setup ----

_MARKDOWN = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
# Text with none of Markdown's block or inline syntax renders as one paragraph of itself.
_PLAIN_TEXT = re.compile(
    r"\A[^\s\d*_`#<>\[\]!&\\|~=+\-{}^$.:'\"]" r"(?:[^\t\n\r*_`#<>\[\]!&\\|~={}^$]*\S)?\Z"
)


def render(text: str, *, inline: bool = False) -> str:
    """The same HTML as practice.rendering.render_markdown (a test holds them equal on every sample)."""
    if not text:
        return ""
    if _PLAIN_TEXT.match(text) and "  " not in text:
        html = f"<p>{text}</p>"
    else:
        html = _MARKDOWN.reset().convert(text)
    html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


# --- writing with COPY ------------------------------------------------------------------------------


def _allocate_ids(cursor, model: type[models.Model], count: int) -> list[int]:
    """COUNT fresh primary keys from MODEL's own sequence (so the rows can be COPYed with their ids)."""
    if count == 0:
        return []
    table = model._meta.db_table
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
    )
    return [row[0] for row in cursor.fetchall()]


def _copy(cursor, model: type[models.Model], rows: list[dict]) -> None:
    """COPY ROWS (dicts keyed by attname, every concrete column given; id None: numbered by the table)."""
    if not rows:
        return
    fields = model._meta.concrete_fields
    if rows[0]["id"] is None:
        # Nothing points at these rows: the table's identity default numbers them inside COPY.
        fields = [f for f in fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_columns = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    pick = operator.itemgetter(*(f.attname for f in fields))
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = pick(row)
            if json_columns:
                values = list(values)
                for i in json_columns:
                    # COPY's text format hands the column its input text; PostgreSQL parses the JSON.
                    if values[i] is not None:
                        values[i] = _EMPTY_JSON_LIST if values[i] == [] else json.dumps(values[i])
            copy.write_row(values)


_EMPTY_JSON_LIST = "[]"


@dataclass
class Outcome:
    """What became of one source row; written as a LegacyRecord in the batch's transaction."""

    legacy_id: int
    state: str
    model: type[models.Model] | None = None
    object_id: int | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    raw: dict | None = None


@dataclass
class BatchWrites:
    """A batch's new rows per model, in insert order (parents before children)."""

    rows: dict[type[models.Model], list[dict]] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: dict) -> None:
        self.rows.setdefault(model, []).append(row)


@dataclass
class QuestionInfo:
    pk: int
    type: str
    correct: str | None  # the correct label for multiple choice
    spr_answers: list[str]
    section_id: int


class LegacyImport:
    """One run over one legacy file. Use ``run()``; ``legacy_import()`` is the entry point."""

    def __init__(
        self,
        reader: LegacyReader,
        *,
        sha256: str,
        batch_size: int = DEFAULT_BATCH_SIZE,
        dry_run: bool = False,
        progress: Callable[[str], None] | None = None,
        progress_interval: float = 0.5,
    ):
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        self.reader, self.kind, self.sha256 = reader, reader.kind, sha256
        self.batch_size, self.dry_run = batch_size, dry_run
        self.progress, self.progress_interval = progress, progress_interval
        self.report = ImportReport(kind=self.kind, source=reader.path.name, dry_run=dry_run, sha256=sha256)
        self.now = timezone.now()
        self.tag = sha256[:8]
        self.rates: dict[str, float] = {}
        # legacy id -> PrepNexus pk per table (imported or merged rows), and the rejected ids per table.
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)
        self.rejected: dict[str, set[int]] = defaultdict(set)
        self.questions: dict[int, QuestionInfo] = {}
        self.sessions: dict[int, tuple[int, int, int]] = {}  # legacy id -> (pk, learner pk, section pk)
        # session pk -> {question pk: (model, pk) of the answer, or the item when the question was omitted}
        self.session_items: dict[int, dict[int, tuple[type[models.Model], int]]] = defaultdict(dict)
        self.positions: dict[int, int] | None = None  # session pk -> last item position
        self.snapshots: set[int] = set()  # session pks with a snapshot
        self.cards: dict[int, tuple[int, int]] = {}  # legacy id -> (pk, owner pk)
        self.proficiency: dict[tuple[int, int], dict] = {}  # (learner, skill) -> row made by this run
        self.learners: set[int] = set()
        self._pools: dict[type[models.Model], list[int]] = {}

    # --- the run ------------------------------------------------------------------------------------

    def run(self) -> ImportReport:
        if self.dry_run:
            with transaction.atomic():
                self._run()
                transaction.set_rollback(True)
        else:
            self._run()
        return self.report

    def _run(self) -> None:
        self._load_reference()
        for table in self.reader.tables:
            self._table(table)
        self._finish()

    def _table(self, table: str) -> None:
        total = self.reader.count(table)
        self.report.table(table, total)
        last = self._replay(table)
        recorded = sum(self.report.counts[table].values())
        if recorded:
            self._say(f"{table:<20} {recorded:>9,} rows recorded by an earlier run of this file")
        meter = ProgressMeter(self._say, table, total - recorded, interval=self.progress_interval)
        handler = getattr(self, f"_{self.kind}_{table}")
        prepare = getattr(self, f"_prepare_{self.kind}_{table}", None)
        if prepare is not None:
            prepare()
        for batch in _prefetched(self.reader, table, self.batch_size, last):
            with transaction.atomic():
                writes = BatchWrites()
                outcomes = handler(batch, writes)
                self._write(table, writes, outcomes)
                self._after_batch(table, writes)
                with connection.cursor() as cursor:
                    # The deferred checks COMMIT would run, run now: a dry run sees the same failures, and
                    # the failing batch is the one named.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            raws = {row.legacy_id: row.raw for row in batch}
            for outcome in outcomes:
                self._account(table, outcome, raws[outcome.legacy_id])
            meter.advance(len(batch))
        self.rates[table] = meter.finish()

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    def _account(self, table: str, outcome: Outcome, raw: dict | None) -> None:
        if outcome.state == REJECTED:
            self.report.rejected(table, outcome.legacy_id, reason=outcome.reason, raw=raw)
        elif outcome.state == MERGED:
            into = f"{outcome.model._meta.model_name} {outcome.object_id}"
            self.report.merged(table, outcome.legacy_id, into=into, reason=outcome.reason)
        else:
            self.report.imported(table, outcome.legacy_id)
        for note in outcome.notes:
            self.report.note(table, outcome.legacy_id, note)

    def _pk(self, model: type[models.Model]) -> int:
        """A fresh primary key from MODEL's sequence, drawn a batch at a time (gaps are harmless)."""
        pool = self._pools.setdefault(model, [])
        if not pool:
            with connection.cursor() as cursor:
                pool.extend(reversed(_allocate_ids(cursor, model, min(self.batch_size, 5000))))
        return pool.pop()

    def _write(self, table: str, writes: BatchWrites, outcomes: list[Outcome]) -> None:
        records = [
            {
                "id": None,
                "source": self.kind,
                "source_sha256": self.sha256,
                "table": table,
                "legacy_id": outcome.legacy_id,
                "state": outcome.state,
                "object_model": outcome.model._meta.label_lower if outcome.model else "",
                "object_id": outcome.object_id,
                "reason": outcome.reason,
                "notes": outcome.notes,
                "raw": _storable(outcome.raw),
                "created_at": self.now,
            }
            for outcome in outcomes
        ]
        with connection.cursor() as cursor:
            for model, rows in writes.rows.items():
                _copy(cursor, model, rows)
            _copy(cursor, LegacyRecord, records)

    def _replay(self, table: str) -> int:
        """Account for the rows an earlier run recorded; return the highest legacy id recorded."""
        records = LegacyRecord.objects.filter(source=self.kind, source_sha256=self.sha256, table=table)
        last = 0
        fields = ("legacy_id", "state", "object_model", "object_id", "reason", "notes", "raw")
        for legacy_id, state, model, object_id, reason, notes, raw in records.order_by(
            "legacy_id"
        ).values_list(*fields):
            last = legacy_id
            if state == REJECTED:
                self.rejected[table].add(legacy_id)
                self.report.rejected(table, legacy_id, reason=reason, raw=_unstorable(raw))
            else:
                self.ids[table][legacy_id] = object_id
                if state == MERGED:
                    into = f"{model.rsplit('.', 1)[-1]} {object_id}"
                    self.report.merged(table, legacy_id, into=into, reason=reason)
                else:
                    self.report.imported(table, legacy_id)
            for note in notes:
                self.report.note(table, legacy_id, note)
        if last:
            self._reload(table)
        return last

    # --- reference data and what earlier runs left -----------------------------------------------------

    def _load_reference(self) -> None:
        self.sections = {section.name: section for section in Section.objects.all()}
        self.skills: dict[tuple[str, str], Skill] = {
            (skill.domain.section.name, skill.name): skill
            for skill in Skill.all_objects.select_related("domain__section")
        }
        missing = [name for name in self.sections if (name, p.UNCLASSIFIED) not in self.skills]
        if missing or not self.sections:
            raise LegacyImportError("the taxonomy has no Unclassified skills; run manage.py migrate first")

    def _reload(self, table: str) -> None:
        """Rebuild the in-memory lookups of TABLE's recorded rows from the database (a resumed run)."""
        pks = list(self.ids[table].values())
        by_pk = {pk: legacy for legacy, pk in self.ids[table].items()}
        if table == "users":
            self.learners.update(pks)
        elif table == "questions":
            correct = dict(
                QuestionOption.objects.filter(question_id__in=pks, is_correct=True).values_list(
                    "question_id", "label"
                )
            )
            for pk, qtype, answers, section_id in Question.objects.filter(pk__in=pks).values_list(
                "pk", "type", "spr_answers", "skill__domain__section_id"
            ):
                self.questions[by_pk[pk]] = QuestionInfo(pk, qtype, correct.get(pk), answers, section_id)
        elif table == "practice_sessions":
            for pk, learner, section in PracticeSession.objects.filter(pk__in=pks).values_list(
                "pk", "learner_id", "section_id"
            ):
                self.sessions[by_pk[pk]] = (pk, learner, section)
        elif table == "results":
            self.snapshots.update(
                ScoreSnapshot.objects.filter(pk__in=pks).values_list("session_id", flat=True)
            )
        elif table == "cards":
            for pk, owner in Flashcard.objects.filter(pk__in=pks).values_list("pk", "owner_id"):
                self.cards[by_pk[pk]] = (pk, owner)

    # --- shared helpers -------------------------------------------------------------------------------

    def _parent(self, table: str, legacy_id: int, column: str) -> tuple[int | None, str | None]:
        """The PrepNexus pk a legacy reference resolves to, or (None, why it does not)."""
        if legacy_id in self.rejected[table]:
            return None, f"{_singular(table)} {legacy_id} was rejected"
        pk = self.ids[table].get(legacy_id)
        if pk is None:
            return None, f"dangling foreign key: {column} {legacy_id} matches no {_singular(table)}"
        return pk, None

    def _session_learner(self, values: dict) -> tuple[int | None, str | None]:
        """The learner of a row that names both its session and its user, who must be the session's."""
        user_pk, why = self._parent("users", values["user_id"], "user_id")
        if why is None and user_pk != self.sessions[values["session_id"]][1]:
            return None, f"user_id {values['user_id']} is not the session's learner"
        return user_pk, why

    def _reject(self, table: str, row: LegacyRow, reason: str) -> Outcome:
        self.rejected[table].add(row.legacy_id)
        return Outcome(row.legacy_id, REJECTED, reason=reason, raw=row.raw)

    def _keep(
        self,
        table: str,
        row: LegacyRow,
        model: type[models.Model],
        pk: int,
        notes: Iterable[str] = (),
        state: str = IMPORTED,
        reason: str = "",
    ) -> Outcome:
        self.ids[table][row.legacy_id] = pk
        return Outcome(row.legacy_id, state, model, pk, reason=reason, notes=list(notes))

    @staticmethod
    def _unreadable(row: LegacyRow, ignore: tuple[str, ...] = ()) -> str | None:
        """The reason to reject a row with unreadable columns, or None."""
        if row.legacy_id is None:
            raise LegacyImportError(f"{row.table} has a row without a usable id: {row.raw!r}")
        if not row.errors:
            return None
        errors = {column: message for column, message in row.errors.items() if column not in ignore}
        return "; ".join(f"{column}: {message}" for column, message in errors.items()) or None

    # --- users (both kinds) ---------------------------------------------------------------------------

    def _users(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table, password_column = "users", ("hashed_password" if self.kind == "satprep" else "password_hash")
        emails = {
            (row.values.get("email") or self._placeholder(row)).lower()
            for row in batch
            if "email" in row.values
        }
        names = {row.values["username"].lower() for row in batch if "username" in row.values}
        by_email = dict(
            User.objects.annotate(key=Lower("email")).filter(key__in=emails).values_list("key", "pk")
        )
        taken = set(
            User.objects.annotate(key=Lower("username")).filter(key__in=names).values_list("key", flat=True)
        )
        outcomes = []
        for row in batch:
            # A malformed email or password hash costs that value, not the account and its history.
            why = self._unreadable(row, ignore=(password_column, "email"))
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            values, notes = row.values, []
            email = values.get("email") or self._placeholder(row)
            existing = by_email.get(email.lower())
            if existing is not None:
                reason = f"email {email} already belongs to user {existing}"
                if self.kind == "leitner":
                    reason += "; the leitner password was not imported (the account keeps its own)"
                outcomes.append(self._keep(table, row, User, existing, state=MERGED, reason=reason))
                self.learners.add(existing)
                continue
            pk = self._pk(User)
            if "email" in row.errors:
                notes.append(f"email not imported ({row.errors['email']}): given the placeholder {email}")
            elif not values.get("email"):
                notes.append(f"no email: given the placeholder {email}")
            username = values["username"]
            if username.lower() in taken:
                suffix = f"-{self.kind}-{row.legacy_id}"
                username = username[: 150 - len(suffix)] + suffix
                notes.append(f"username {values['username']!r} was taken: imported as {username!r}")
            if password_column in row.errors:
                password = "!" + uuid.uuid4().hex  # unusable, as set_unusable_password() writes it
                notes.append(
                    f"password not imported ({row.errors[password_column]}): the account must reset it"
                )
            else:
                password = values["password"]
            active = values.get("is_active") is not False
            if not active:
                notes.append("inactive account")
            joined = values.get("created_at") or self.now
            writes.add(
                User,
                {
                    "id": pk,
                    "password": password,
                    "last_login": None,
                    "is_superuser": False,
                    "username": username,
                    "first_name": "",
                    "last_name": "",
                    "email": email,
                    "is_staff": False,
                    "is_active": active,
                    "date_joined": joined,
                },
            )
            writes.add(
                Profile,
                {
                    "id": None,
                    "user_id": pk,
                    "display_name": values["username"][:80],
                    "target_score": None,
                    "test_date": None,
                    "time_zone": "UTC",
                    "created_at": joined,
                    "updated_at": self.now,
                },
            )
            if self.kind == "leitner":
                writes.add(
                    StudyPreference,
                    {
                        "id": None,
                        "learner_id": pk,
                        "flashcard_scheduler": Scheduler.LEITNER,
                    },
                )
            by_email[email.lower()] = pk
            taken.add(username.lower())
            self.learners.add(pk)
            outcomes.append(self._keep(table, row, User, pk, notes))
        return outcomes

    _satprep_users = _users
    _leitner_users = _users

    def _placeholder(self, row: LegacyRow) -> str:
        return f"{self.kind}-{self.tag}-{row.legacy_id}@{PLACEHOLDER_DOMAIN}"

    # --- satprep ----------------------------------------------------------------------------------------

    def _satprep_questions(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "questions"
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            values, notes = row.values, []
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
            created = values.get("created_at") or self.now
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
                    "stem_html": render(values["question_text"]),
                    "passage_html": "",
                    "passage_b_html": "",
                    "explanation_html": render(explanation),
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
                            "text_html": render(text, inline=True),
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
            outcomes.append(self._keep(table, row, Question, pk, notes))
        return outcomes

    def _prepare_satprep_practice_sessions(self) -> None:
        """Per session, from the source: how many responses it has, and the section most of them are in."""
        source = self.reader.connection
        self.source_sizes = dict(
            source.execute("SELECT session_id, count(*) FROM responses GROUP BY session_id")
        )
        self.section_votes: dict[int, Counter] = defaultdict(Counter)
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

    def _satprep_practice_sessions(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "practice_sessions"
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
            values, notes = row.values, []
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and values.get("started_at") is None:
                why = "started_at: required value is NULL"
            size = self.source_sizes.get(row.legacy_id, 0)
            if why is None and size > 50:
                why = f"it has {size} responses; a session holds at most 50"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            started, completed = values["started_at"], values.get("completed_at")
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
            outcomes.append(self._keep(table, row, PracticeSession, pk, notes))
        return outcomes

    def _satprep_responses(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "responses"
        if self.positions is None:
            self._load_positions()
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
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
            info = self.questions[values["question_id"]]
            given = (values.get("selected_answer") or "").strip()
            is_correct = values.get("is_correct")
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
                outcomes.append(self._keep(table, row, SessionItem, item_pk, notes))
                continue
            seconds = values.get("time_spent")
            if seconds is None:
                notes.append("time_spent unknown: recorded as 0")
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
                    "time_spent_ms": round(seconds * 1000) if seconds is not None else 0,
                    "key": uuid.uuid5(
                        ANSWER_KEY_NAMESPACE, f"satprep:{self.sha256}:response:{row.legacy_id}"
                    ),
                    "answered_at": values.get("answered_at") or self.now,
                },
            )
            self.session_items[session_pk][question_pk] = (Answer, answer_pk)
            outcomes.append(self._keep(table, row, Answer, answer_pk, notes))
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

    def _satprep_results(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
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
            why = self._unreadable(row)
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
                    "taken_at": values.get("created_at") or self.now,
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
            outcomes.append(self._keep(table, row, ScoreSnapshot, pk, notes))
        return outcomes

    def _satprep_badges(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "badges"
        learners = {self.ids["users"].get(row.values.get("user_id")) for row in batch} - {None}
        held = {
            (learner, code): pk
            for pk, learner, code in BadgeAward.objects.filter(learner_id__in=learners).values_list(
                "pk", "learner_id", "code"
            )
        }
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
            values = row.values
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            code = BADGES.get(" ".join(values.get("name", "").lower().split()))
            if why is None and code is None:
                why = f"no such badge in PrepNexus: {values['name']!r}"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            if (learner, code) in held:
                outcomes.append(
                    self._keep(
                        table,
                        row,
                        BadgeAward,
                        held[(learner, code)],
                        (),
                        MERGED,
                        f"the learner already holds {code}",
                    )
                )
                continue
            pk = self._pk(BadgeAward)
            writes.add(
                BadgeAward,
                {
                    "id": pk,
                    "learner_id": learner,
                    "code": code,
                    "awarded_at": values.get("awarded_at") or self.now,
                },
            )
            held[(learner, code)] = pk
            outcomes.append(
                self._keep(table, row, BadgeAward, pk, [f"{values['name']!r} is the badge {code}"])
            )
        return outcomes

    def _satprep_proficiency(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
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
            why = self._unreadable(row)
            values, notes = row.values, []
            if why is None:
                learner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and not values["skill"].known:
                why = f"unknown topic {values.get('topic')!r} (proficiency has no section to file it by)"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            ref: p.SkillRef = values["skill"]
            if ref.aliased:
                notes.append(f"topic {values.get('topic')!r} aliased to {ref.skill!r}")
            skill = self.skills[(ref.section, ref.skill)].pk
            level, updated = values["level"], values.get("updated_at") or self.now
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
                outcomes.append(self._keep(table, row, SkillProficiency, mine["id"], notes, MERGED, reason))
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
            outcomes.append(self._keep(table, row, SkillProficiency, pk, notes))
        new = {row["id"] for row in writes.rows.get(SkillProficiency, [])}
        self._proficiency_updates = [data for pk, data in changed.items() if pk not in new]
        return outcomes

    # --- leitner ------------------------------------------------------------------------------------------

    def _leitner_cards(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "cards"
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
            values, notes = row.values, []
            if why is None:
                owner, why = self._parent("users", values["user_id"], "user_id")
            if why is None and (len(values["front"]) > 2000 or len(values["back"]) > 4000):
                why = "the front is over 2,000 or the back over 4,000 characters"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            created = values.get("created_at") or self.now
            due = values.get("next_review")
            if due is None:
                due = created
                notes.append("next_review is NULL: due from its creation")
            pk = self._pk(Flashcard)
            writes.add(
                Flashcard,
                {
                    "id": pk,
                    "owner_id": owner,
                    "front": values["front"],
                    "back": values["back"],
                    "front_html": render(values["front"]),
                    "back_html": render(values["back"]),
                    "scheduler": Scheduler.LEITNER,
                    "fsrs_state": None,
                    "leitner_box": values["box"],
                    "due": due,
                    "last_reviewed_at": values.get("last_reviewed"),
                    "review_count": 0,  # set from the imported reviews
                    "created_at": created,
                    "updated_at": self.now,
                },
            )
            self.cards[row.legacy_id] = (pk, owner)
            outcomes.append(self._keep(table, row, Flashcard, pk, notes))
        return outcomes

    def _leitner_review_log(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table = "review_log"
        outcomes = []
        for row in batch:
            why = self._unreadable(row)
            values = row.values
            if why is None:
                card_pk, why = self._parent("cards", values["card_id"], "card_id")
            if why is None:
                user_pk, why = self._parent("users", values["user_id"], "user_id")
            if why is None and user_pk != self.cards[values["card_id"]][1]:
                why = f"user_id {values['user_id']} is not the owner of card {values['card_id']}"
            if why is None and values.get("reviewed_at") is None:
                why = "reviewed_at: required value is NULL"
            if why:
                outcomes.append(self._reject(table, row, why))
                continue
            reviewed = values["reviewed_at"]
            pk = self._pk(FlashcardReview)
            writes.add(
                FlashcardReview,
                {
                    "id": pk,
                    "card_id": card_pk,
                    "learner_id": user_pk,
                    "rating": int(ReviewRating.GOOD if values["correct"] else ReviewRating.AGAIN),
                    "scheduler": Scheduler.LEITNER,
                    "reviewed_at": reviewed,
                    "due_after": reviewed + timedelta(days=LEITNER_INTERVAL_DAYS[values["box_after"]]),
                },
            )
            outcomes.append(self._keep(table, row, FlashcardReview, pk))
        return outcomes

    # --- derived state ------------------------------------------------------------------------------------

    def _after_batch(self, table: str, writes: BatchWrites) -> None:
        """Keep what is derived from the batch's rows equal to what was written, in the same transaction."""
        with connection.cursor() as cursor:
            if table == "responses":
                sessions = sorted({row["session_id"] for row in writes.rows.get(SessionItem, [])})
                if sessions:
                    cursor.execute(_SESSION_COUNTS_SQL, [sessions])
            elif table == "review_log":
                cards = sorted({row["card_id"] for row in writes.rows.get(FlashcardReview, [])})
                if cards:
                    cursor.execute(_CARD_COUNTS_SQL, [cards])
            elif table == "proficiency":
                for data in getattr(self, "_proficiency_updates", []):
                    cursor.execute(
                        "UPDATE practice_skillproficiency SET mean = %s, updated_at = %s WHERE id = %s",
                        [data["mean"], data["updated_at"], data["id"]],
                    )
                self._proficiency_updates = []

    def _finish(self) -> None:
        """Recompute the learners' days, running totals and streaks from what they now hold."""
        learners = sorted(self.learners)
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, len(learners), 5000):
                chunk = learners[start : start + 5000]
                cursor.execute(_ACTIVITY_SQL, [chunk, chunk])
                cursor.execute(_STATS_SQL, [chunk])
                cursor.execute(
                    "SELECT learner_id, array_agg(day ORDER BY day) FROM practice_dailyactivity "
                    "WHERE learner_id = ANY(%s) GROUP BY learner_id",
                    [chunk],
                )
                streaks = [(learner, *_streaks(days)) for learner, days in cursor.fetchall()]
                cursor.executemany(
                    "UPDATE practice_learnerstats "
                    "SET current_streak = %s, longest_streak = %s, last_active_day = %s "
                    "WHERE learner_id = %s AND (current_streak, longest_streak, last_active_day) "
                    "IS DISTINCT FROM (%s, %s, %s::date)",
                    [(c, lo, last, learner, c, lo, last) for learner, c, lo, last in streaks],
                )


def _storable(raw: dict | None) -> dict | None:
    """A source row as jsonb can hold it: a BLOB, or text with NUL (which jsonb refuses), as hex."""
    if raw is None:
        return None
    out = {}
    for key, value in raw.items():
        if isinstance(value, bytes):
            value = {"hex": value.hex()}
        elif isinstance(value, str) and "\x00" in value:
            value = {"text_hex": value.encode("utf-8").hex()}
        out[key] = value
    return out


def _unstorable(raw: dict | None) -> dict | None:
    """The source row exactly as it was read (the inverse of _storable; source values are never dicts)."""
    if raw is None:
        return None
    out = {}
    for key, value in raw.items():
        if isinstance(value, dict) and "hex" in value:
            value = bytes.fromhex(value["hex"])
        elif isinstance(value, dict) and "text_hex" in value:
            value = bytes.fromhex(value["text_hex"]).decode("utf-8")
        out[key] = value
    return out


_DONE = object()


def _prefetched(reader: LegacyReader, table: str, batch_size: int, after_id: int):
    """TABLE's batches, read and parsed in a second thread while this one waits on PostgreSQL.

    The thread opens its own read-only connection (sqlite3 connections stay in their thread) and keeps
    at most two batches ahead. An error in it is raised here; leaving the loop early stops it.
    """
    batches: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            with LegacyReader(reader.path, reader.kind) as own:
                for batch in own.batches(table, batch_size, after_id=after_id):
                    if not put(batch):
                        return
        except Exception as exc:  # handed to the consumer, which raises it
            put(exc)
            return
        put(_DONE)

    worker = threading.Thread(target=read, name=f"legacy-read-{table}", daemon=True)
    worker.start()
    try:
        while (item := batches.get()) is not _DONE:
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _singular(table: str) -> str:
    return {
        "users": "user",
        "questions": "question",
        "practice_sessions": "session",
        "cards": "card",
    }.get(table, table)


def _streaks(days: list[date]) -> tuple[int, int, date | None]:
    """(current streak ending on the last active day, longest streak, last active day)."""
    longest = current = 0
    previous = None
    for day in days:
        current = current + 1 if previous is not None and day == previous + timedelta(days=1) else 1
        longest = max(longest, current)
        previous = day
    return current, longest, previous


_SESSION_COUNTS_SQL = """
UPDATE practice_practicesession s
   SET length = GREATEST(1, c.items), answered_count = c.answered, correct_count = c.correct
  FROM (SELECT i.session_id, count(*) AS items, count(a.id) AS answered,
               count(a.id) FILTER (WHERE a.is_correct) AS correct
          FROM practice_sessionitem i LEFT JOIN practice_answer a ON a.item_id = i.id
         WHERE i.session_id = ANY(%s) GROUP BY i.session_id) c
 WHERE s.id = c.session_id
"""

_CARD_COUNTS_SQL = """
UPDATE practice_flashcard f SET review_count = c.n
  FROM (SELECT card_id, count(*) AS n FROM practice_flashcardreview
         WHERE card_id = ANY(%s) GROUP BY card_id) c
 WHERE f.id = c.card_id AND f.review_count <> c.n
"""

# Days in the learner's time zone, as activity_record counts them; only rows whose figures differ change.
_ACTIVITY_SQL = """
WITH tz AS (
    SELECT u.id AS learner_id, COALESCE(pr.time_zone, 'UTC') AS zone
      FROM practice_user u LEFT JOIN practice_profile pr ON pr.user_id = u.id
     WHERE u.id = ANY(%s)
), days AS (
    SELECT learner_id, day, sum(answers) AS answers, sum(correct) AS correct, sum(ms) AS ms,
           sum(reviews) AS reviews
      FROM (
        SELECT a.learner_id, (a.answered_at AT TIME ZONE tz.zone)::date AS day, 1 AS answers,
               a.is_correct::int AS correct, a.time_spent_ms AS ms, 0 AS reviews
          FROM practice_answer a JOIN tz ON tz.learner_id = a.learner_id
        UNION ALL
        SELECT r.learner_id, (r.reviewed_at AT TIME ZONE tz.zone)::date, 0, 0, 0, 1
          FROM practice_flashcardreview r JOIN tz ON tz.learner_id = r.learner_id
        UNION ALL
        SELECT r.learner_id, (r.reviewed_at AT TIME ZONE tz.zone)::date, 0, 0, 0, 1
          FROM practice_reviewattempt r JOIN tz ON tz.learner_id = r.learner_id
      ) x GROUP BY learner_id, day
)
INSERT INTO practice_dailyactivity (learner_id, day, answers, correct, time_spent_ms, reviews)
SELECT learner_id, day, answers, correct, ms, reviews FROM days WHERE learner_id = ANY(%s)
ON CONFLICT (learner_id, day) DO UPDATE SET
    answers = EXCLUDED.answers, correct = EXCLUDED.correct,
    time_spent_ms = EXCLUDED.time_spent_ms, reviews = EXCLUDED.reviews
WHERE (practice_dailyactivity.answers, practice_dailyactivity.correct, practice_dailyactivity.time_spent_ms,
       practice_dailyactivity.reviews) IS DISTINCT FROM
      (EXCLUDED.answers, EXCLUDED.correct, EXCLUDED.time_spent_ms, EXCLUDED.reviews)
"""

_STATS_SQL = """
INSERT INTO practice_learnerstats
    (learner_id, answers, correct, reviews, sessions_completed,
     current_streak, longest_streak, last_active_day)
SELECT u.id,
       (SELECT count(*) FROM practice_answer a WHERE a.learner_id = u.id),
       (SELECT count(*) FROM practice_answer a WHERE a.learner_id = u.id AND a.is_correct),
       (SELECT count(*) FROM practice_flashcardreview r WHERE r.learner_id = u.id)
         + (SELECT count(*) FROM practice_reviewattempt r WHERE r.learner_id = u.id),
       (SELECT count(*) FROM practice_practicesession s
         WHERE s.learner_id = u.id AND s.status <> 'in_progress'),
       0, 0, NULL
  FROM practice_user u WHERE u.id = ANY(%s)
ON CONFLICT (learner_id) DO UPDATE SET
    answers = EXCLUDED.answers, correct = EXCLUDED.correct, reviews = EXCLUDED.reviews,
    sessions_completed = EXCLUDED.sessions_completed
WHERE (practice_learnerstats.answers, practice_learnerstats.correct, practice_learnerstats.reviews,
       practice_learnerstats.sessions_completed) IS DISTINCT FROM
      (EXCLUDED.answers, EXCLUDED.correct, EXCLUDED.reviews, EXCLUDED.sessions_completed)
"""


def legacy_import(
    *,
    path: str | Path,
    kind: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    progress_interval: float = 0.5,
) -> LegacyImport:
    """Import one legacy file of KIND; returns the finished run (``.report`` accounts for every row)."""
    reader = open_legacy(path, kind)
    try:
        run = LegacyImport(
            reader,
            sha256=file_sha256(Path(path)),
            batch_size=batch_size,
            dry_run=dry_run,
            progress=progress,
            progress_interval=progress_interval,
        )
        run.run()
        return run
    finally:
        reader.close()


__all__ = ["KINDS", "LegacyImport", "LegacyImportError", "legacy_import", "open_legacy", "render"]
