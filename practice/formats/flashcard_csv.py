"""A learner's flashcards as CSV: the deck out (streamed) and a file in (read and checked row by row).

The format, also in the README and on the import page: UTF-8 (a byte-order mark is fine), a header row
naming the columns, one card per row. `front` and `back` are required; every other column is optional
and may be left out or blank:

    front, back          the card's Markdown (at most 2,000 and 4,000 characters)
    scheduler            fsrs or leitner (what the card used where it came from; informational)
    leitner_box          1 to 5
    due                  when the card is next due: 2025-03-01, 2025-03-01 09:30 or ISO 8601 with an
                         offset (2025-03-01T09:30:00+00:00); without an offset, the learner's time zone
    last_reviewed_at     like `due`, not in the future
    reviews              how many times the card was reviewed
    fsrs_state, fsrs_step, fsrs_stability, fsrs_difficulty
                         the FSRS memory state (learning/review/relearning, the learning step, stability
                         in days, difficulty 1-10); all or none of state, stability and difficulty

`id` and `created_at` (in the full export's flashcards.csv) are accepted and ignored; a header naming more
than MAX_COLUMNS columns is refused before its names are checked. Rows are numbered as
a spreadsheet shows them: the header is row 1. A text cell that would start with = + - @ or a tab is
written with a leading apostrophe, so spreadsheets do not run it as a formula; reading removes it again
(the rule is `csvsafe`, shared by every CSV the product writes).
"""

import csv
import io
import math
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime

from ..models import Flashcard, User, flashcard_text_clean
from . import csvsafe, csvtext

COLUMNS = [
    "front",
    "back",
    "scheduler",
    "leitner_box",
    "due",
    "last_reviewed_at",
    "reviews",
    "fsrs_state",
    "fsrs_step",
    "fsrs_stability",
    "fsrs_difficulty",
]
REQUIRED = ("front", "back")
IGNORED = ("id", "created_at")
# Every column the format knows, with room to spare: a header naming more is refused before it is read
# further (a 2 MB header of 300,000 names must not cost more than reading it once).
MAX_COLUMNS = 20
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 20
EXPORT_CHUNK = 500
FSRS_STATES = {"learning": 1, "review": 2, "relearning": 3}
FSRS_STATE_NAMES = {number: name for name, number in FSRS_STATES.items()}
YEARS = (1970, 2999)


@dataclass(frozen=True)
class CardRow:
    """One checked row of an import file."""

    row: int
    front: str
    back: str
    leitner_box: int | None = None
    due: datetime | None = None
    last_reviewed_at: datetime | None = None
    reviews: int = 0
    fsrs: dict | None = None  # {"state", "step", "stability", "difficulty"} when the file had them


class CsvRefused(ValueError):
    """The file cannot be imported; `messages` say why, with row numbers."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


# --- Export ---


class _Line:
    """A file-like object whose write() hands back what the csv writer produced."""

    def write(self, value: str) -> str:
        return value


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def _fsrs_cells(state: dict | None) -> list:
    if not state or state.get("stability") is None:
        return ["", "", "", ""]
    step = state.get("step")
    return [
        FSRS_STATE_NAMES.get(state.get("state"), ""),
        "" if step is None else step,
        state["stability"],
        state.get("difficulty") if state.get("difficulty") is not None else "",
    ]


def export_lines(learner: User) -> Iterator[str]:
    """The learner's cards as CSV text, oldest first, read through a cursor and sent in chunks."""
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    rows = (
        Flashcard.objects.filter(owner=learner)
        .order_by("pk")
        .values_list(
            "front",
            "back",
            "scheduler",
            "leitner_box",
            "due",
            "last_reviewed_at",
            "review_count",
            "fsrs_state",
        )
    )
    buffer = []
    for front, back, scheduler, box, due, last, reviews, state in rows.iterator(chunk_size=EXPORT_CHUNK):
        line = [front, back, scheduler, box, _when(due), _when(last), reviews, *_fsrs_cells(state)]
        buffer.append(writer.writerow(csvsafe.escape_row(line)))
        if len(buffer) >= EXPORT_CHUNK:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


# --- Import ---


def _header(names: list[str]) -> list[str]:
    if len(names) > MAX_COLUMNS:
        raise CsvRefused(
            [
                f"Row 1 names {len(names):,} columns; a flashcard file has at most {MAX_COLUMNS}. "
                "Required: front, back. Optional: " + ", ".join(COLUMNS[2:]) + "."
            ]
        )
    names = [name.strip().lower() for name in names]
    known = set(COLUMNS) | set(IGNORED)
    problems = []
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(
            "Row 1 must be a header naming the columns; it has no "
            + " or ".join(f"“{name}”" for name in missing)
            + " column. Required: front, back. Optional: "
            + ", ".join(COLUMNS[2:])
            + "."
        )
    unknown = [name or "(blank)" for name in names if name not in known]
    if unknown:
        problems.append(
            "Row 1 names unknown column(s): "
            + ", ".join(f"“{name[:40]}”" for name in unknown[:5])
            + ". Known columns: "
            + ", ".join(COLUMNS)
            + "."
        )
    repeated = sorted(name for name, count in Counter(names).items() if count > 1 and name in known)
    if repeated:
        problems.append("Row 1 names a column twice: " + ", ".join(repeated) + ".")
    if problems:
        raise CsvRefused(problems)
    return names


def _show(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _integer(value: str, name: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, not “{_show(value)}”.")
    return number


def _number(value: str, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, not “{_show(value)}”.")
    return number


def _datetime(value: str, name: str, tz: zoneinfo.ZoneInfo) -> datetime:
    problem = (
        f"{name} must be a date or a date and time, such as 2025-03-01, 2025-03-01 09:30 or "
        f"2025-03-01T09:30:00+00:00, not “{_show(value)}”."
    )
    try:
        when = parse_datetime(value)
        if when is None:
            day = parse_date(value)
            when = datetime.combine(day, time()) if day else None
    except ValueError:
        when = None
    if when is None:
        raise ValueError(problem)
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise ValueError(f"{name} must be between the years {YEARS[0]} and {YEARS[1]}, not “{_show(value)}”.")
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)


def _fsrs(cells: dict) -> dict | None:
    names = ("fsrs_state", "fsrs_step", "fsrs_stability", "fsrs_difficulty")
    if not any(cells.get(name) for name in names):
        return None
    missing = [name for name in ("fsrs_state", "fsrs_stability", "fsrs_difficulty") if not cells.get(name)]
    if missing:
        raise ValueError(
            "fsrs_state, fsrs_stability and fsrs_difficulty go together; " + ", ".join(missing) + " is blank."
        )
    state = FSRS_STATES.get(cells["fsrs_state"].lower())
    if state is None:
        raise ValueError(
            f"fsrs_state must be learning, review or relearning, not “{_show(cells['fsrs_state'])}”."
        )
    step = None
    if state != FSRS_STATES["review"]:
        step = _integer(cells.get("fsrs_step") or "0", "fsrs_step", 0, 100)
    return {
        "state": state,
        "step": step,
        "stability": _number(cells["fsrs_stability"], "fsrs_stability", 0.001, 36500),
        "difficulty": _number(cells["fsrs_difficulty"], "fsrs_difficulty", 1, 10),
    }


def _card_row(number: int, cells: dict, tz: zoneinfo.ZoneInfo, now: datetime) -> CardRow:
    """Check one row; raises ValueError with every problem of the row."""
    problems = []
    try:
        front, back = flashcard_text_clean(
            csvsafe.unescape(cells.get("front", "")), csvsafe.unescape(cells.get("back", ""))
        )
    except ValidationError as exc:
        problems += [message for messages in exc.message_dict.values() for message in messages]
        front = back = ""
    values: dict = {}
    scheduler = cells.get("scheduler", "").lower()
    if scheduler and scheduler not in ("fsrs", "leitner"):
        problems.append(f"scheduler must be fsrs or leitner, not “{_show(cells['scheduler'])}”.")
    checks = [
        ("leitner_box", lambda v: _integer(v, "leitner_box", 1, 5)),
        ("due", lambda v: _datetime(v, "due", tz)),
        ("last_reviewed_at", lambda v: _datetime(v, "last_reviewed_at", tz)),
        ("reviews", lambda v: _integer(v, "reviews", 0, 1_000_000)),
    ]
    for name, check in checks:
        if cells.get(name):
            try:
                values[name] = check(cells[name])
            except ValueError as exc:
                problems.append(str(exc))
    if values.get("last_reviewed_at") and values["last_reviewed_at"] > now:
        problems.append("last_reviewed_at is in the future.")
    try:
        values["fsrs"] = _fsrs(cells)
    except ValueError as exc:
        problems.append(str(exc))
    if problems:
        raise ValueError(" ".join(problems))
    return CardRow(row=number, front=front, back=back, **values)


def parse(data: bytes, *, time_zone: str, now: datetime) -> list[CardRow]:
    """Every card of an import file, checked; CsvRefused lists the problems (all rows are checked)."""
    text = csvtext.decode(data, CsvRefused)
    try:
        tz = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=csvtext.delimiter(text.partition("\n")[0], REQUIRED, MAX_COLUMNS),
        strict=True,
    )
    rows, errors, number, header = [], [], 1, None
    try:
        header = _header(next(reader))
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines, or a spreadsheet's trailing ",,,,"
            if len(rows) + len(errors) >= MAX_ROWS:
                raise CsvRefused(
                    [f"The file has more than {MAX_ROWS:,} cards. Split it and upload each part."]
                )
            if len(record) > len(header):
                errors.append(
                    f"Row {number}: {len(record)} values, but the header names {len(header)} columns "
                    "(put values that contain commas in double quotes)."
                )
                continue
            cells = {name: value.strip() for name, value in zip(header, record, strict=False)}
            try:
                rows.append(_card_row(number, cells, tz, now))
            except ValueError as exc:
                errors.append(f"Row {number}: {exc}")
    except csv.Error as exc:
        reason = "a value is far longer than a card allows" if "field larger" in str(exc) else str(exc)
        errors.append(f"Row {number + 1 if header else 1}: the CSV cannot be read ({reason}).")
    except StopIteration:
        raise CsvRefused(["The file is empty."]) from None
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(f"… and {len(errors) - MAX_ERRORS:,} more rows with problems.")
        raise CsvRefused(shown)
    if not rows:
        raise CsvRefused(["The file has a header but no cards."])
    return rows
