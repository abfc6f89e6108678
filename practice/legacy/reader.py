"""Streaming, read-only readers over the two legacy SQLite files.

``LegacyReader(path).batches("responses", batch_size=1000)`` yields lists of LegacyRow in primary-key
order, reading with ``fetchmany`` so memory stays flat at any scale. Each LegacyRow carries the verbatim
source row (for the import report), the typed values, and one error message per column that could not be
read. The reader never drops or raises on a bad row: deciding to import, merge or reject it is the
importer's job. Foreign keys are not resolved here (that needs the target's legacy-id map), but
``orphans()`` lists the rows whose reference points at nothing in the source file itself.
"""

import functools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import parsing as p
from .hashers import LegacyPasswordError, legacy_password_encode

Parser = Callable[[object], object]


def _required(parser: Parser) -> Parser:
    def parse(value):
        result = parser(value)
        if result is None:
            raise p.LegacyValueError("required value is NULL")
        return result

    return parse


def _password(value) -> str:
    try:
        return legacy_password_encode(value)
    except LegacyPasswordError as exc:
        raise p.LegacyValueError(str(exc)) from exc


_id = _required(partial(p.parse_int, minimum=1))
_fk = partial(p.parse_int, minimum=1)
_text = p.parse_text
_required_text = partial(p.parse_text, required=True)
_timestamp = p.parse_timestamp


@dataclass(frozen=True)
class Column:
    """One source column: its parser, and the key its typed value gets (defaults to the column name)."""

    name: str
    parse: Parser
    to: str | None = None

    @property
    def key(self) -> str:
        return self.to or self.name


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    # (column, referenced table): the source's own references, for orphans().
    references: tuple[tuple[str, str], ...] = ()
    # Values computed from several columns once each column has been read: derive(raw, values, errors).
    derive: Callable[[dict, dict, dict], None] | None = None


def _derive_question(raw: dict, values: dict, errors: dict) -> None:
    """The taxonomy skill (from topic and section) and the answer checked against the question type."""
    if "section" in values:
        try:
            values["skill"] = p.normalise_skill(values.get("topic"), values["section"])
        except p.LegacyValueError as exc:
            errors["topic"] = str(exc)
    if "choices" in values:
        values["grid_in"] = values["choices"] is None
        try:
            values["correct_answer"] = p.parse_correct_answer(
                raw.get("correct_answer"), grid_in=values["grid_in"]
            )
        except p.LegacyValueError as exc:
            values.pop("correct_answer", None)
            errors["correct_answer"] = str(exc)


def _derive_proficiency(raw: dict, values: dict, errors: dict) -> None:
    values["skill"] = p.normalise_skill(values.get("topic"))


# Tables in the order an importer must load them (parents first).
SCHEMAS: dict[str, tuple[TableSpec, ...]] = {
    "satprep": (
        TableSpec(
            "users",
            (
                Column("id", _id),
                Column("email", p.parse_email),
                Column("username", partial(p.parse_text, required=True, max_length=150)),
                Column("hashed_password", _password, to="password"),
                Column("is_active", p.parse_bool),
                Column("created_at", _timestamp),
            ),
        ),
        TableSpec(
            "questions",
            (
                Column("id", _id),
                Column("section", p.parse_section),
                Column("topic", _text),
                Column("difficulty", _required(p.parse_difficulty)),
                Column("question_text", _required_text),
                Column("choices", p.parse_choices),
                Column("correct_answer", _required_text),
                Column("explanation", _text),
                Column("created_at", _timestamp),
            ),
            derive=_derive_question,
        ),
        TableSpec(
            "practice_sessions",
            (
                Column("id", _id),
                Column("user_id", _required(_fk)),
                Column("section", p.parse_section),
                Column("mode", p.parse_mode),
                Column("started_at", _timestamp),
                Column("completed_at", _timestamp),
            ),
            references=(("user_id", "users"),),
        ),
        TableSpec(
            "responses",
            (
                Column("id", _id),
                Column("session_id", _required(_fk)),
                Column("question_id", _required(_fk)),
                Column("user_id", _required(_fk)),
                Column("selected_answer", _text),
                Column("is_correct", p.parse_bool),
                Column("time_spent", p.parse_seconds),
                Column("answered_at", _timestamp),
            ),
            references=(
                ("session_id", "practice_sessions"),
                ("question_id", "questions"),
                ("user_id", "users"),
            ),
        ),
        TableSpec(
            "results",
            (
                Column("id", _id),
                Column("session_id", _required(_fk)),
                Column("user_id", _required(_fk)),
                Column("total_questions", partial(p.parse_int, minimum=0)),
                Column("correct_count", partial(p.parse_int, minimum=0)),
                Column("score", p.parse_score),
                Column("created_at", _timestamp),
            ),
            references=(("session_id", "practice_sessions"), ("user_id", "users")),
        ),
        TableSpec(
            "badges",
            (
                Column("id", _id),
                Column("user_id", _required(_fk)),
                Column("name", _required_text),
                Column("description", _text),
                Column("awarded_at", _timestamp),
            ),
            references=(("user_id", "users"),),
        ),
        TableSpec(
            "proficiency",
            (
                Column("id", _id),
                Column("user_id", _required(_fk)),
                Column("topic", _text),
                Column("level", _required(p.parse_level)),
                Column("updated_at", _timestamp),
            ),
            references=(("user_id", "users"),),
            derive=_derive_proficiency,
        ),
    ),
    "leitner": (
        TableSpec(
            "users",
            (
                Column("id", _id),
                Column("username", partial(p.parse_text, required=True, max_length=150)),
                Column("password_hash", _password, to="password"),
                Column("email", p.parse_email),
                Column("created_at", _timestamp),
            ),
        ),
        TableSpec(
            "cards",
            (
                Column("id", _id),
                Column("user_id", _required(_fk)),
                Column("front", _required_text),
                Column("back", _required_text),
                Column("box", p.parse_box),
                Column("next_review", _timestamp),
                Column("last_reviewed", _timestamp),
                Column("created_at", _timestamp),
            ),
            references=(("user_id", "users"),),
        ),
        TableSpec(
            "review_log",
            (
                Column("id", _id),
                Column("card_id", _required(_fk)),
                Column("user_id", _required(_fk)),
                Column("reviewed_at", _timestamp),
                Column("correct", _required(p.parse_bool)),
                Column("box_before", p.parse_box),
                Column("box_after", p.parse_box),
            ),
            references=(("card_id", "cards"), ("user_id", "users")),
        ),
    ),
}


@dataclass(frozen=True)
class Repair:
    """How a repairable value was read: the repair's kind (for the report's counts) and what was done."""

    kind: str
    action: str


@dataclass
class LegacyRow:
    table: str
    legacy_id: int | None
    raw: dict  # the source row exactly as SQLite returned it
    # Typed values; a column that failed to parse is absent, a repairable one holds its repaired value.
    values: dict
    errors: dict[str, str] = field(default_factory=dict)  # column -> reason (repairable ones included)
    repairs: dict[str, Repair] = field(default_factory=dict)  # column -> its repair, for repairable errors

    @property
    def ok(self) -> bool:
        return not self.errors

    def reason(self) -> str:
        """All column errors as one line for the report."""
        return "; ".join(f"{column}: {message}" for column, message in self.errors.items())


@functools.cache
def _plan(spec: TableSpec) -> tuple[tuple[str, str, Parser], ...]:
    return tuple((column.name, column.key, column.parse) for column in spec.columns)


class LegacyFormatError(Exception):
    """The file is not one of the two legacy databases (or not SQLite at all)."""


def parse_row(spec: TableSpec, raw: dict) -> LegacyRow:
    values, errors, repairs = {}, {}, {}
    for name, key, parse in _plan(spec):
        try:
            values[key] = parse(raw.get(name))
        except p.RepairableValue as exc:
            # Both facts are kept: --strict rejects on the error, a normal run keeps the repaired value.
            values[key], errors[name] = exc.repaired, str(exc)
            repairs[name] = Repair(exc.kind, exc.action)
        except p.LegacyValueError as exc:
            errors[name] = str(exc)
    if spec.derive is not None:
        spec.derive(raw, values, errors)
    legacy_id = values.get("id") if isinstance(values.get("id"), int) else None
    return LegacyRow(
        table=spec.name, legacy_id=legacy_id, raw=raw, values=values, errors=errors, repairs=repairs
    )


# SQLite's advice for files from elsewhere (https://sqlite.org/security.html): no value or row longer than
# this is read (a longer one stops the import with "string or blob too big"), no function with side effects
# runs from the file's schema, and defensive mode where Python exposes it.
MAX_VALUE_BYTES = 1 << 20


def _harden(connection: sqlite3.Connection) -> None:
    connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    connection.execute("PRAGMA trusted_schema = OFF")
    # Connection.setconfig is Python 3.12+; on 3.11 the limit and trusted_schema are what is available.
    if hasattr(connection, "setconfig"):
        connection.setconfig(sqlite3.SQLITE_DBCONFIG_DEFENSIVE, True)


class LegacyReader:
    """A read-only view of one legacy SQLite file; use as a context manager or call close()."""

    def __init__(self, path: str | Path, kind: str | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise LegacyFormatError(f"{self.path} does not exist")
        # mode=ro: the import never writes to (or journals next to) the source file. as_uri() escapes the
        # path, so a name holding ?, # or % opens that file and no URI parameter comes from it.
        self.connection = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
        _harden(self.connection)
        try:
            present = {
                name
                for (name,) in self.connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            problems = [message for (message,) in self.connection.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            self.close()
            raise LegacyFormatError(f"{self.path.name} is not a SQLite database: {exc}") from exc
        if problems != ["ok"]:
            self.close()
            detail = " ".join(" ".join(problems).split())[:300]
            raise LegacyFormatError(
                f"{self.path.name} is corrupt (SQLite's quick_check: {detail}); not imported"
            )
        self.kind = kind or self._detect(present)
        if self.kind not in SCHEMAS:
            self.close()
            raise LegacyFormatError(f"unknown legacy kind {self.kind!r} (expected satprep or leitner)")
        self.specs = {spec.name: spec for spec in SCHEMAS[self.kind]}
        missing = set(self.specs) - present
        if missing:
            self.close()
            raise LegacyFormatError(
                f"{self.path.name} is not a {self.kind} database: no {', '.join(sorted(missing))}"
            )
        for spec in self.specs.values():
            have = {row[1] for row in self.connection.execute(f'PRAGMA table_info("{spec.name}")')}
            lacking = {column.name for column in spec.columns} - have
            if lacking:
                self.close()
                raise LegacyFormatError(
                    f"{self.kind}.{spec.name} lacks column(s) {', '.join(sorted(lacking))}"
                )

    @staticmethod
    def _detect(tables: set[str]) -> str | None:
        if {"questions", "practice_sessions"} <= tables:
            return "satprep"
        if {"cards", "review_log"} <= tables:
            return "leitner"
        return None

    def __enter__(self) -> "LegacyReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    @property
    def tables(self) -> list[str]:
        """Table names in load order (parents before children)."""
        return list(self.specs)

    def count(self, table: str) -> int:
        self._spec(table)
        return self.connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]

    def batches(self, table: str, batch_size: int = 1000, after_id: int = 0) -> Iterator[list[LegacyRow]]:
        """Rows of TABLE with id > AFTER_ID in id order, BATCH_SIZE at a time (resume from the last id)."""
        spec = self._spec(table)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        columns = ", ".join(f'"{column.name}"' for column in spec.columns)
        cursor = self.connection.execute(
            f'SELECT {columns} FROM "{table}" WHERE id > ? ORDER BY id',
            (after_id,),
        )
        names = [column.name for column in spec.columns]
        try:
            while rows := cursor.fetchmany(batch_size):
                yield [parse_row(spec, dict(zip(names, row, strict=True))) for row in rows]
        finally:
            cursor.close()

    def batches_of(self, table: str, ids: list[int], batch_size: int = 1000) -> Iterator[list[LegacyRow]]:
        """The rows of TABLE with these ids, in id order, BATCH_SIZE at a time (rows an earlier run
        rejected, read again)."""
        spec = self._spec(table)
        columns = ", ".join(f'"{column.name}"' for column in spec.columns)
        names = [column.name for column in spec.columns]
        ids = sorted(set(ids))
        step = min(batch_size, 500)  # bound parameters per statement stay far below SQLite's limit
        batch: list[LegacyRow] = []
        for start in range(0, len(ids), step):
            chunk = ids[start : start + step]
            marks = ", ".join("?" * len(chunk))
            for row in self.connection.execute(
                f'SELECT {columns} FROM "{table}" WHERE id IN ({marks}) ORDER BY id', chunk
            ):
                batch.append(parse_row(spec, dict(zip(names, row, strict=True))))
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def rows(self, table: str, batch_size: int = 1000) -> Iterator[LegacyRow]:
        for batch in self.batches(table, batch_size):
            yield from batch

    def orphans(self) -> dict[tuple[str, str], list[int]]:
        """(table, column) -> ids of rows whose reference is set but matches no row of the parent table."""
        found = {}
        for spec in self.specs.values():
            for column, parent in spec.references:
                ids = [
                    row_id
                    for (row_id,) in self.connection.execute(
                        f'SELECT c.id FROM "{spec.name}" c LEFT JOIN "{parent}" p ON p.id = c."{column}" '
                        f'WHERE c."{column}" IS NOT NULL AND p.id IS NULL ORDER BY c.id'
                    )
                ]
                found[(spec.name, column)] = ids
        return found

    def _spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            raise ValueError(f"{self.kind} has no table {table!r}; it has {', '.join(self.specs)}") from None
