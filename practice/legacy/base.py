"""What every legacy import shares: the run, the id map, the write path and the reading thread.

A run reads the file with ``LegacyReader`` table by table (parents first), one transaction per batch.
Each batch writes its objects and their ``LegacyRecord`` rows (the legacy-id map) together with
PostgreSQL ``COPY``, ids taken from the tables' own sequences beforehand so children can point at parents
without a round trip per row. Lookups (users by email, questions, sessions, cards) are kept in memory per
run, so no query is made per row.

A row already in the map is not read again: each table resumes after the highest legacy id recorded for
this file (identified by its SHA-256), and the recorded states are replayed into the report. A re-run
therefore writes nothing and reports the same; a run after a failure resumes at the failed batch. The one
exception is a row an earlier run rejected (not one redacted when its learner deleted their account): it is
read again, and if this version of the importer repairs it, its record becomes the imported one.

Where a value is wrong but its meaning is clear, the row is repaired rather than rejected, and the repair
is noted (what was found, what was done) and counted by kind: the reader's repairable values
(``parsing.RepairableValue``: a Python-list ``choices``, a Leitner box outside 1..5, an impossible
duration) and, in the handlers, an unreadable or impossible timestamp replaced by the nearest trustworthy
time (``_time``). ``strict=True`` rejects those rows instead, as the importer did before repairs.
``dry_run`` runs everything inside one outer transaction, checks the deferred constraints after each
batch, and rolls back.

Each source app has a module (``satprep``, ``leitner``) with a subclass of ``LegacyImport`` whose
``tables`` registry maps every source table to its handler (and the optional steps around it). The
``users`` handler is here, as both apps have one.

The writes bypass ``Model.save()`` (which would cost a query per row), so the handlers fill every column
themselves, render the Markdown fields with ``render_markdown`` as ``save()`` would, and leave the
database's constraints and triggers as the last line of defence.
"""

import functools
import math
import operator
import queue
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from practice.engine.streaks import streak_from_days
from practice.models import (
    LEGACY_MUST_RESET_PREFIX,
    LegacyRecord,
    Profile,
    Section,
    Skill,
    StudyPreference,
    User,
)
from practice.rows import allocate_ids, copy_rows

from . import parsing as p
from .reader import LegacyReader, LegacyRow
from .report import IMPORTED, MERGED, REJECTED, ImportReport, ProgressMeter

DEFAULT_BATCH_SIZE = 2000
UNTRUSTED_TIME = "unreadable or impossible time replaced"  # the repair kind of _time
FUTURE_SLACK = timedelta(days=1)  # a legacy clock a little ahead of ours is not a broken one
PLACEHOLDER_DOMAIN = "legacy.invalid"  # RFC 2606: can never be a real inbox
REDACTED = "[redacted]"  # stands for a rejected user row's password hash in the id map and the report
# The reason of a record stripped when its learner deleted their account (services.accounts): never re-read.
REDACTED_REASON = "redacted:"


class LegacyImportError(Exception):
    """The file cannot be imported at all (missing, not SQLite, the other kind); nothing was written."""


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
    repairs: list[str] = field(default_factory=list)  # the kinds of repair made to keep the row


@dataclass
class BatchWrites:
    """A batch's new rows per model, in insert order (parents before children)."""

    rows: dict[type[models.Model], list[dict]] = field(default_factory=dict)

    def add(self, model: type[models.Model], row: dict) -> None:
        self.rows.setdefault(model, []).append(row)


@dataclass(frozen=True)
class Table:
    """How one source table is imported: its handler, and the optional steps around its batches.

    Each is called with the run first (they are the source app's ``LegacyImport`` methods).
    """

    # handle(run, batch, writes): adds the batch's new rows to `writes`; one Outcome per source row.
    handle: Callable[..., list[Outcome]]
    # prepare(run): once before the table's first batch; reads what the handler needs from the source.
    prepare: Callable[..., None] | None = None
    # reload(run, {PrepNexus pk: legacy id}): rebuilds the run's lookups from an earlier run's rows.
    reload: Callable[..., None] | None = None
    # after_batch(run, writes): in the batch's transaction, after its COPY; keeps derived columns true.
    after_batch: Callable[..., None] | None = None


class LegacyImport:
    """One run over one legacy file. A source app's subclass sets the class attributes below; use
    ``run()``, or ``legacy_import()``, the entry point, which picks the subclass."""

    kind: ClassVar[str]
    # Every table of the source app, in load order, to how it is imported.
    tables: ClassVar[dict[str, Table]]
    # The source column of the users' password hashes (its parse error costs the password, not the user).
    hash_column: ClassVar[str]
    # Added to the reason when a source account merges into an existing PrepNexus account.
    merged_account_note: ClassVar[str] = ""
    # The flashcard scheduler a new account's StudyPreference names, if the source app had one.
    flashcard_scheduler: ClassVar[str | None] = None

    def __init__(
        self,
        reader: LegacyReader,
        *,
        sha256: str,
        batch_size: int = DEFAULT_BATCH_SIZE,
        dry_run: bool = False,
        merge_accounts_before: datetime | None = None,
        strict: bool = False,
        progress: Callable[[str], None] | None = None,
        progress_interval: float = 0.5,
    ):
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        if merge_accounts_before is not None and timezone.is_naive(merge_accounts_before):
            raise ValueError("merge_accounts_before must be timezone-aware")
        if reader.kind != self.kind:
            raise ValueError(f"{type(self).__name__} imports {self.kind} files, not {reader.kind}")
        self.reader, self.sha256 = reader, sha256
        self.batch_size, self.dry_run = batch_size, dry_run
        # Self-registered accounts joined before this are trusted with their unverified email (accounts
        # older than verification); None trusts none. Verified and legacy-imported addresses always are.
        self.merge_accounts_before = merge_accounts_before
        # strict: reject what would be repaired (the importer's behaviour before repairs existed).
        self.strict = strict
        self.progress, self.progress_interval = progress, progress_interval
        self.report = ImportReport(
            kind=self.kind, source=reader.path.name, dry_run=dry_run, sha256=sha256, strict=strict
        )
        self.now = timezone.now()
        self.tag = sha256[:8]
        self.rates: dict[str, float] = {}
        # legacy id -> PrepNexus pk per table (imported or merged rows), and the rejected ids per table.
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)
        self.rejected: dict[str, set[int]] = defaultdict(set)
        # Rows an earlier run rejected that this run reads again, per table: legacy id -> recorded reason.
        self.retry: dict[str, dict[int, str]] = defaultdict(dict)
        self.learners: set[int] = set()  # every account the file's rows belong to, for _finish
        self.sections: dict[str, Section] = {}  # by name; set by _load_reference
        self.skills: dict[tuple[str, str], Skill] = {}  # by (section name, skill name)
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
        unhandled = [table for table in self.reader.tables if table not in self.tables]
        if unhandled:
            raise LegacyImportError(f"no handler for {self.kind} table(s) {', '.join(unhandled)}")
        self._load_reference()
        for table in self.reader.tables:
            self._table(table, self.tables[table])
        self._finish()

    def _table(self, table: str, spec: Table) -> None:
        total = self.reader.count(table)
        self.report.table(table, total)
        last = self._replay(table, spec)
        recorded = sum(self.report.counts[table].values())
        if recorded:
            self._say(f"{table:<20} {recorded:>9,} rows recorded by an earlier run of this file")
        meter = ProgressMeter(self._say, table, total - recorded, interval=self.progress_interval)
        if spec.prepare is not None:
            spec.prepare(self)
        retry = sorted(self.retry[table])
        if retry:
            self._say(f"{table:<20} {len(retry):>9,} rows an earlier run rejected are read again")
        for batch in self.reader.batches_of(table, retry, self.batch_size):
            self._batch(table, spec, batch)
            meter.advance(len(batch))
        for batch in read_ahead(self.reader, table, self.batch_size, last):
            self._batch(table, spec, batch)
            meter.advance(len(batch))
        self.rates[table] = meter.finish()

    def _batch(self, table: str, spec: Table, batch: list[LegacyRow]) -> None:
        """One batch in one transaction: its objects, their records and the derived columns."""
        with transaction.atomic():
            writes = BatchWrites()
            outcomes = spec.handle(self, batch, writes)
            self._write(table, writes, outcomes)
            if spec.after_batch is not None:
                spec.after_batch(self, writes)
            with connection.cursor() as cursor:
                # The deferred checks COMMIT would run, run now: a dry run sees the same failures, and
                # the failing batch is the one named.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for outcome in outcomes:
            self._account(table, outcome, outcome.raw)

    def _say(self, line: str) -> None:
        if self.progress is not None:
            self.progress(line)

    def _account(self, table: str, outcome: Outcome, raw: dict | None) -> None:
        if outcome.state == REJECTED:
            self.report.rejected(table, outcome.legacy_id, reason=outcome.reason, raw=raw)
        elif outcome.state == MERGED:
            into = f"{outcome.model._meta.model_name} {outcome.object_id}"
            self.report.merged(
                table, outcome.legacy_id, into=into, reason=outcome.reason, repairs=outcome.repairs
            )
        else:
            self.report.imported(table, outcome.legacy_id, repairs=outcome.repairs)
        for note in outcome.notes:
            self.report.note(table, outcome.legacy_id, note)

    def _pk(self, model: type[models.Model]) -> int:
        """A fresh primary key from MODEL's sequence, drawn a batch at a time (gaps are harmless)."""
        pool = self._pools.setdefault(model, [])
        if not pool:
            with connection.cursor() as cursor:
                pool.extend(reversed(allocate_ids(cursor, model, min(self.batch_size, 5000))))
        return pool.pop()

    def _write(self, table: str, writes: BatchWrites, outcomes: list[Outcome]) -> None:
        retry = self.retry[table]
        # A row read again keeps its record when it is rejected again for the same reason; otherwise the
        # new outcome replaces the old record (in this transaction, so a failure leaves the old one).
        replaced = [
            outcome.legacy_id
            for outcome in outcomes
            if outcome.legacy_id in retry
            and (outcome.state != REJECTED or outcome.reason != retry[outcome.legacy_id])
        ]
        unchanged = {outcome.legacy_id for outcome in outcomes if outcome.legacy_id in retry} - set(replaced)
        if replaced:
            LegacyRecord.objects.filter(
                source=self.kind, source_sha256=self.sha256, table=table, legacy_id__in=replaced
            ).delete()
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
                "repairs": outcome.repairs,
            }
            for outcome in outcomes
            if outcome.legacy_id not in unchanged
        ]
        with connection.cursor() as cursor:
            for model, rows in [*writes.rows.items(), (LegacyRecord, records)]:
                if rows:
                    # Rows nothing points at have no id: the table's identity default numbers them.
                    # Columns a legacy row has no value for (later, nullable ones) are left to NULL.
                    fields = tuple(
                        f for f in _attnames(model, with_id=rows[0]["id"] is not None) if f in rows[0]
                    )
                    copy_rows(cursor, model, fields, map(operator.itemgetter(*fields), rows))

    def _replay(self, table: str, spec: Table) -> int:
        """Account for the rows an earlier run recorded; return the highest legacy id recorded."""
        records = LegacyRecord.objects.filter(source=self.kind, source_sha256=self.sha256, table=table)
        last = 0
        fields = ("legacy_id", "state", "object_model", "object_id", "reason", "notes", "raw", "repairs")
        for legacy_id, state, model, object_id, reason, notes, raw, repairs in records.order_by(
            "legacy_id"
        ).values_list(*fields):
            last = legacy_id
            if state == REJECTED and not self.strict and not reason.startswith(REDACTED_REASON):
                # Read again: this version may repair what an earlier one rejected (or its parent may now
                # be imported). Its outcome is accounted for when it is read.
                self.retry[table][legacy_id] = reason
                continue
            if state == REJECTED:
                self.rejected[table].add(legacy_id)
                self.report.rejected(table, legacy_id, reason=reason, raw=_unstorable(raw))
            else:
                self.ids[table][legacy_id] = object_id
                if state == MERGED:
                    into = f"{model.rsplit('.', 1)[-1]} {object_id}"
                    self.report.merged(table, legacy_id, into=into, reason=reason, repairs=repairs)
                else:
                    self.report.imported(table, legacy_id, repairs=repairs)
            for note in notes:
                self.report.note(table, legacy_id, note)
        if last and spec.reload is not None:
            spec.reload(self, {pk: legacy for legacy, pk in self.ids[table].items()})
        return last

    def _load_reference(self) -> None:
        self.sections = {section.name: section for section in Section.objects.all()}
        self.skills = {
            (skill.domain.section.name, skill.name): skill
            for skill in Skill.all_objects.select_related("domain__section")
        }
        missing = [name for name in self.sections if (name, p.UNCLASSIFIED) not in self.skills]
        if missing or not self.sections:
            raise LegacyImportError("the taxonomy has no Unclassified skills; run manage.py migrate first")

    # --- helpers for the handlers ---------------------------------------------------------------------

    def _parent(self, table: str, legacy_id: int, column: str) -> tuple[int | None, str | None]:
        """The PrepNexus pk a legacy reference resolves to, or (None, why it does not)."""
        if legacy_id in self.rejected[table]:
            return None, f"{_singular(table)} {legacy_id} was rejected"
        pk = self.ids[table].get(legacy_id)
        if pk is None:
            return None, f"dangling foreign key: {column} {legacy_id} matches no {_singular(table)}"
        return pk, None

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
        repairs: Iterable[str] = (),
    ) -> Outcome:
        self.ids[table][row.legacy_id] = pk
        kinds = list(dict.fromkeys(repairs))
        return Outcome(row.legacy_id, state, model, pk, reason=reason, notes=list(notes), repairs=kinds)

    def _unreadable(
        self, row: LegacyRow, ignore: tuple[str, ...] = (), times: tuple[str, ...] = ()
    ) -> str | None:
        """The reason to reject a row with unreadable columns, or None.

        IGNORE: columns whose error the handler deals with itself. Unless the run is strict, neither do the
        reader's repairable values nor TIMES, the timestamp columns the handler replaces with ``_time``.
        """
        if row.legacy_id is None:
            raise LegacyImportError(f"{row.table} has a row without a usable id: {row.raw!r}")
        if not row.errors:
            return None
        if not self.strict:
            ignore = (*ignore, *row.repairs, *times)
        errors = {column: message for column, message in row.errors.items() if column not in ignore}
        return "; ".join(f"{column}: {message}" for column, message in errors.items()) or None

    def _repaired(self, row: LegacyRow, notes: list[str]) -> list[str]:
        """Note the reader's repairs of ROW (what was found, what was done); returns their kinds."""
        if self.strict:
            return []
        for column, repair in row.repairs.items():
            notes.append(f"repaired {column}: {row.errors[column]}: {repair.action}")
        return [repair.kind for repair in row.repairs.values()]

    def _time(
        self,
        row: LegacyRow,
        column: str,
        fallback: datetime,
        instead: str,
        notes: list[str],
        repairs: list[str],
        required: bool = False,
    ) -> datetime | None:
        """ROW's COLUMN, or FALLBACK (described by INSTEAD) when it is unreadable or in the future.

        An unreadable value (an impossible date, an unknown format) or one after the import's own time is
        not trustworthy: the nearest trustworthy time takes its place, with a note. NULL stays None unless
        REQUIRED. Strict runs reject unreadable values (through ``_unreadable``) and keep future ones, as
        before repairs.
        """
        value = row.values.get(column)
        if self.strict:
            return value
        if column in row.errors:
            found = row.errors[column]
        elif value is None and required:
            found = "required value is NULL"
        elif value is not None and value > self.now + FUTURE_SLACK:
            found = f"{value:%Y-%m-%d %H:%M}Z is in the future"
        else:
            return value
        notes.append(f"repaired {column}: {found}: {instead} ({_utc(fallback)}) is used instead")
        repairs.append(UNTRUSTED_TIME)
        return fallback

    # --- users (both source apps have them) ---------------------------------------------------------

    def _import_users(self, batch: list[LegacyRow], writes: BatchWrites) -> list[Outcome]:
        table, password_column = "users", self.hash_column
        emails = {
            (row.values.get("email") or self._placeholder(row)).lower()
            for row in batch
            if "email" in row.values
        }
        names = {row.values["username"].lower() for row in batch if "username" in row.values}
        by_email, untrusted = self._accounts_by_email(emails)
        taken = set(
            User.objects.annotate(key=Lower("username")).filter(key__in=names).values_list("key", flat=True)
        )
        outcomes = []
        for row in batch:
            # A malformed email or password hash costs that value, not the account and its history.
            why = self._unreadable(row, ignore=(password_column, "email"), times=("created_at",))
            if why:
                outcome = self._reject(table, row, why)
                # The id map and the report keep a rejected row verbatim, except its password hash.
                if outcome.raw.get(password_column) is not None:
                    outcome.raw = {**outcome.raw, password_column: REDACTED}
                outcomes.append(outcome)
                continue
            values, notes, repairs = row.values, [], []
            joined = self._time(row, "created_at", self.now, "the import's time", notes, repairs)
            email = values.get("email") or self._placeholder(row)
            existing = by_email.get(email.lower())
            if existing is not None and existing in untrusted:
                # Whoever signed up with this address may not own it: the history goes to its own account.
                notes.append(
                    f"email conflict: {email} belongs to user {existing}, an account not"
                    f" trusted to own it ({untrusted[existing]}); imported as a separate account with the"
                    f" placeholder {self._placeholder(row)}"
                )
                email, existing = self._placeholder(row), None
            if existing is not None:
                reason = f"email {email} already belongs to user {existing}" + self.merged_account_note
                outcomes.append(
                    self._keep(table, row, User, existing, notes, MERGED, reason, repairs=repairs)
                )
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
                # Unusable, and marked so the password reset form still mails this account a link.
                password = LEGACY_MUST_RESET_PREFIX + uuid.uuid4().hex
                notes.append(
                    f"password not imported ({row.errors[password_column]}): the account must reset it"
                )
            else:
                password = values["password"]
            active = values.get("is_active") is not False
            if not active:
                notes.append("inactive account")
            joined = joined or self.now
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
            if self.flashcard_scheduler is not None:
                writes.add(
                    StudyPreference,
                    {
                        "id": None,
                        "learner_id": pk,
                        "flashcard_scheduler": self.flashcard_scheduler,
                    },
                )
            by_email[email.lower()] = pk
            taken.add(username.lower())
            self.learners.add(pk)
            outcomes.append(self._keep(table, row, User, pk, notes, repairs=repairs))
        return outcomes

    def _accounts_by_email(self, emails: set[str]) -> tuple[dict[str, int], dict[int, str]]:
        """The accounts holding these (lower-cased) emails, and why each untrusted one is untrusted.

        A source account merges only into an account whose email is trusted: a verified address (its
        owner followed the mailed link, or staff or a roster created the account), an account a legacy
        import made (its address is the earlier app's own), or a self-registered one that joined before
        ``merge_accounts_before`` (an operator's decision for accounts older than verification).
        """
        found = list(
            User.objects.annotate(key=Lower("email"))
            .filter(key__in=emails)
            .values_list("key", "pk", "email_verified_at", "date_joined")
        )
        imported = set(
            LegacyRecord.objects.filter(
                table="users",
                state=IMPORTED,
                object_id__in=[pk for _, pk, verified, _ in found if verified is None],
            ).values_list("object_id", flat=True)
        )
        cutoff = self.merge_accounts_before
        untrusted = {}
        for _key, pk, verified, joined in found:
            if verified is not None or pk in imported or (cutoff is not None and joined < cutoff):
                continue
            untrusted[pk] = "its address is not verified; " + (
                f"joined {_utc(joined)}, not before --merge-accounts-before {_utc(cutoff)}"
                if cutoff is not None
                else "no --merge-accounts-before given"
            )
        return {key: pk for key, pk, _, _ in found}, untrusted

    def _reload_users(self, by_pk: dict[int, int]) -> None:
        self.learners.update(by_pk)

    def _placeholder(self, row: LegacyRow) -> str:
        return f"{self.kind}-{self.tag}-{row.legacy_id}@{PLACEHOLDER_DOMAIN}"

    # --- derived state ------------------------------------------------------------------------------

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
                streaks = [(learner, *streak_from_days(days)) for learner, days in cursor.fetchall()]
                cursor.executemany(
                    "UPDATE practice_learnerstats "
                    "SET current_streak = %s, longest_streak = %s, last_active_day = %s "
                    "WHERE learner_id = %s AND (current_streak, longest_streak, last_active_day) "
                    "IS DISTINCT FROM (%s, %s, %s::date)",
                    [(c, lo, last, learner, c, lo, last) for learner, c, lo, last in streaks],
                )


# The users table of either source app.
USERS = Table(LegacyImport._import_users, reload=LegacyImport._reload_users)


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%MZ}"


@functools.cache
def _attnames(model: type[models.Model], *, with_id: bool) -> tuple[str, ...]:
    """The attnames of MODEL's concrete columns, in table order, the primary key only if `with_id`."""
    return tuple(f.attname for f in model._meta.concrete_fields if with_id or not f.primary_key)


def _storable(raw: dict | None) -> dict | None:
    """A source row as jsonb can hold it: a BLOB, or text with NUL (which jsonb refuses), as hex; an infinite
    or NaN float (a huge number SQLite stored as REAL) as its repr."""
    if raw is None:
        return None
    out = {}
    for key, value in raw.items():
        if isinstance(value, bytes):
            value = {"hex": value.hex()}
        elif isinstance(value, str) and "\x00" in value:
            value = {"text_hex": value.encode("utf-8").hex()}
        elif isinstance(value, float) and not math.isfinite(value):
            value = {"float": repr(value)}
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
        elif isinstance(value, dict) and "float" in value:
            value = float(value["float"])
        out[key] = value
    return out


_DONE = object()


def read_ahead(reader: LegacyReader, table: str, batch_size: int, after_id: int) -> Iterator[list[LegacyRow]]:
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
               a.is_correct::int AS correct, COALESCE(a.time_spent_ms, 0) AS ms, 0 AS reviews
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
