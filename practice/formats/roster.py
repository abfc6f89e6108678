"""A class roster as CSV: who joins which class, read and checked row by row.

The format, also on the upload page and in docs/institutions-roster.md: UTF-8 (a byte-order mark is
fine), comma-, semicolon- or tab-separated, a header row naming the columns (any case, any order), one
learner per row:

    email        required; the learner's address (at most 254 characters)
    name         required; the name teachers see (at most 80 characters)
    class        required; the name of an active class (at most 120 characters). On a class's own upload
                 page it may be blank or left out: the row goes into that class.
    external_id  optional; the institution's own id for the learner (at most 64 characters)

Other columns are ignored, and the preview says which. Rows are numbered as a spreadsheet shows them: the
header is row 1. A row's problems (a bad email, a blank name, an email or external_id that is also on
another row) are kept with the row, so the preview can show every row with what is wrong with it; a file
that cannot be read as a roster at all raises `RosterRefused`. A cell written with a leading apostrophe
(csvsafe) has it removed.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from . import csvsafe, csvtext

COLUMNS = ["email", "name", "class", "external_id"]
REQUIRED = ("email", "name", "class")
MAX_COLUMNS = 50  # a header naming more is refused before its names are checked
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_LENGTHS = {"email": 254, "name": 80, "class": 120, "external_id": 64}


@dataclass(frozen=True)
class RosterRow:
    """One row of a roster file; `problem` says what is wrong with it (empty when it is fine)."""

    row: int
    email: str
    name: str
    class_name: str
    external_id: str = ""
    problem: str = ""


@dataclass
class RosterFile:
    rows: list[RosterRow]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"Row {row.row}: {row.problem}" for row in self.rows if row.problem]


class RosterRefused(ValueError):
    """The file cannot be read as a roster; `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _header(names: list[str], *, class_required: bool) -> tuple[list[str], list[str]]:
    """The header's column names, lower-cased, and the names of the columns that will be ignored."""
    if len(names) > MAX_COLUMNS:
        raise RosterRefused(
            [
                f"Row 1 names {len(names):,} columns; a roster has at most {MAX_COLUMNS}. Columns: email, "
                "name, class, external_id."
            ]
        )
    names = [name.strip().lower() for name in names]
    required = REQUIRED if class_required else ("email", "name")
    problems = []
    missing = [name for name in required if name not in names]
    if missing:
        problems.append(
            "Row 1 must be a header naming the columns; it has no "
            + " or ".join(f"“{name}”" for name in missing)
            + " column. Required: "
            + ", ".join(required)
            + ". Optional: "
            + ("external_id." if class_required else "class, external_id.")
        )
    repeated = sorted(name for name, count in Counter(names).items() if count > 1 and name in COLUMNS)
    if repeated:
        problems.append("Row 1 names a column twice: " + ", ".join(repeated) + ".")
    if problems:
        raise RosterRefused(problems)
    ignored = [name[:40] or "(blank)" for name in names if name not in COLUMNS]
    return names, ignored


def _show(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def _row_problems(cells: dict, *, class_required: bool) -> list[str]:
    problems = []
    email = cells["email"]
    if not email:
        problems.append("email is blank.")
    elif len(email) > MAX_LENGTHS["email"]:
        problems.append(f"email is longer than {MAX_LENGTHS['email']} characters.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"“{_show(email)}” is not an email address.")
    if not cells["name"]:
        problems.append("name is blank.")
    if class_required and not cells["class"]:
        problems.append("class is blank.")
    for column in ("name", "class", "external_id"):
        if len(cells[column]) > MAX_LENGTHS[column]:
            problems.append(f"{column} is longer than {MAX_LENGTHS[column]} characters.")
    return problems


def _duplicates(rows: list[RosterRow]) -> list[RosterRow]:
    """Mark rows whose email (any case) or external_id is also on another row, naming both rows."""
    first_email: dict[str, int] = {}
    first_id: dict[str, int] = {}
    extra: dict[int, list[str]] = {}
    for row in rows:
        key = row.email.casefold()
        if key:
            if key in first_email:
                extra.setdefault(row.row, []).append(f"email {row.email} is also on row {first_email[key]}.")
                extra.setdefault(first_email[key], []).append(f"email {row.email} is also on row {row.row}.")
            else:
                first_email[key] = row.row
        if row.external_id:
            if row.external_id in first_id:
                other = first_id[row.external_id]
                extra.setdefault(row.row, []).append(f"external_id {row.external_id} is also on row {other}.")
                extra.setdefault(other, []).append(f"external_id {row.external_id} is also on row {row.row}.")
            else:
                first_id[row.external_id] = row.row
    if not extra:
        return rows
    marked = []
    for row in rows:
        if row.row in extra:
            problem = " ".join(filter(None, [row.problem, *extra[row.row]]))
            row = RosterRow(**{**row.__dict__, "problem": problem})
        marked.append(row)
    return marked


def parse(data: bytes, *, class_required: bool = True) -> RosterFile:
    """Every row of a roster file with its problems; RosterRefused when the file is not a roster at all.

    `class_required=False` (a class's own upload page) lets the class column be blank or absent.
    """
    if len(data) > MAX_BYTES:
        raise RosterRefused([too_large_message()])
    text = csvtext.decode(data, RosterRefused)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=csvtext.delimiter(text.partition("\n")[0], ("email", "name"), MAX_COLUMNS),
        strict=True,
    )
    rows: list[RosterRow] = []
    number, header = 1, None
    try:
        header, ignored = _header(next(reader), class_required=class_required)
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue  # blank lines, or a spreadsheet's trailing ",,,"
            if len(rows) >= MAX_ROWS:
                raise RosterRefused(
                    [f"The file has more than {MAX_ROWS:,} learners. Split it and upload each part."]
                )
            cells = {
                name: csvsafe.unescape(value.strip()) for name, value in zip(header, record, strict=False)
            }
            cells = {column: cells.get(column, "").strip() for column in COLUMNS}
            problems = _row_problems(cells, class_required=class_required)
            if len(record) > len(header):
                problems.insert(
                    0,
                    f"{len(record)} values, but the header names {len(header)} columns (put values that "
                    "contain commas in double quotes).",
                )
            rows.append(
                RosterRow(
                    row=number,
                    email=cells["email"][: MAX_LENGTHS["email"] + 1],
                    name=cells["name"][: MAX_LENGTHS["name"] + 1],
                    class_name=cells["class"][: MAX_LENGTHS["class"] + 1],
                    external_id=cells["external_id"][: MAX_LENGTHS["external_id"] + 1],
                    problem=" ".join(problems),
                )
            )
    except csv.Error as exc:
        reason = "a value is far longer than a roster allows" if "field larger" in str(exc) else str(exc)
        raise RosterRefused(
            [f"Row {number + 1 if header else 1}: the CSV cannot be read ({reason})."]
        ) from None
    except StopIteration:
        raise RosterRefused(["The file is empty."]) from None
    if not rows:
        raise RosterRefused(["The file has a header but no learners."])
    return RosterFile(rows=_duplicates(rows), ignored_columns=ignored)


def too_large_message() -> str:
    limit = MAX_BYTES // (1024 * 1024)
    return (
        f"The file is larger than {limit} MB (a roster has at most {MAX_ROWS:,} learners). Split it into "
        "smaller files and upload each one."
    )
