"""Pure functions that turn the legacy apps' loosely typed SQLite values into Python values.

Every function takes the value exactly as Python's sqlite3 returns it (int, float, str, bytes or None) and
either returns a clean value or raises LegacyValueError with a message fit for the import report. None
(SQL NULL) passes through as None unless the function says otherwise; whether NULL is acceptable for a
column is the caller's decision.

Assumption checked against the generator: naive timestamps are UTC (the legacy apps wrote
``datetime.utcnow()``; the same instant appears in every format in the sample files).
"""

import ast
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

__all__ = [
    "MATH",
    "READING_AND_WRITING",
    "SKILL_ALIASES",
    "TAXONOMY",
    "UNCLASSIFIED",
    "LegacyValueError",
    "RepairableValue",
    "SkillRef",
    "normalise_skill",
    "parse_bool",
    "parse_box",
    "parse_choices",
    "parse_correct_answer",
    "parse_date",
    "parse_difficulty",
    "parse_email",
    "parse_float",
    "parse_int",
    "parse_json",
    "parse_level",
    "parse_mode",
    "parse_score",
    "parse_seconds",
    "parse_section",
    "parse_text",
    "parse_timestamp",
]


class LegacyValueError(ValueError):
    """A legacy value that cannot be imported as it is; the message says what was found and why."""


class RepairableValue(LegacyValueError):
    """A value that is wrong as written but whose meaning is clear: REPAIRED is what it stands for.

    The reader records both the error (what ``--strict`` rejects) and the repair (what a normal run keeps,
    with a note): ``kind`` names the repair for the report's counts, ``action`` says what was done.
    """

    def __init__(self, message: str, *, repaired, kind: str, action: str):
        super().__init__(message)
        self.repaired, self.kind, self.action = repaired, kind, action


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- timestamps --------------------------------------------------------------------------------------

# Seconds since 1970 between 1973 and 2100: 9 or 10 digits; more digits are likely milliseconds.
_EPOCH_MIN, _EPOCH_MAX = 100_000_000, 4_102_444_800
_EPOCH_TEXT_RE = re.compile(r"\A[+]?\d{9,10}(?:\.\d+)?\Z")
_DATE_RE = re.compile(r"\A(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\Z")
_DATETIME_RE = re.compile(
    r"\A(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ]"
    r"(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<tz>Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\Z"
)


def _epoch(seconds: float, original) -> datetime:
    if not _EPOCH_MIN <= seconds <= _EPOCH_MAX:
        hint = " (milliseconds?)" if seconds > _EPOCH_MAX else ""
        raise LegacyValueError(f"epoch seconds {_show(original)} are out of the plausible range{hint}")
    return datetime.fromtimestamp(seconds, tz=UTC)


def _tzinfo(text: str | None, original) -> timezone:
    if text is None or text in ("Z", "z", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise LegacyValueError(f"impossible UTC offset in {_show(original)}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_timestamp(value) -> datetime | None:
    """Any legacy timestamp -> an aware datetime in UTC.

    Reads naive 'YYYY-MM-DD HH:MM:SS' and 'YYYY-MM-DDTHH:MM:SS' (taken as UTC), ISO 8601 with 'Z' or an
    offset, with or without fractional seconds, epoch seconds (integer, real or digits as text) and plain
    dates (midnight UTC). An impossible date such as 2023-02-30 raises LegacyValueError.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise LegacyValueError(f"timestamp expected, found a boolean {_show(value)}")
    if isinstance(value, int | float):
        return _epoch(float(value), value)
    if not isinstance(value, str):
        raise LegacyValueError(f"timestamp expected, found {type(value).__name__} {_show(value)}")
    text = value.strip()
    if not text:
        return None
    if _EPOCH_TEXT_RE.match(text):
        return _epoch(float(text), value)
    if match := _DATE_RE.match(text):
        parts = {key: int(part) for key, part in match.groupdict().items()}
        return _build(value, parts["y"], parts["m"], parts["d"])
    if match := _DATETIME_RE.match(text):
        fraction = (match["f"] or "").ljust(6, "0")[:6]
        moment = _build(
            value,
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["H"]),
            int(match["M"]),
            int(match["S"] or 0),
            int(fraction or 0),
            tzinfo=_tzinfo(match["tz"], value),
        )
        return moment.astimezone(UTC)
    raise LegacyValueError(f"unrecognised timestamp format {_show(value)}")


def _build(original, *parts: int, tzinfo: timezone = UTC) -> datetime:
    try:
        return datetime(*parts, tzinfo=tzinfo)
    except ValueError as exc:
        raise LegacyValueError(f"impossible date {_show(original)}: {exc}") from exc


def parse_date(value) -> date | None:
    """A legacy date or datetime -> the calendar date (in UTC). For due dates such as next_review."""
    moment = parse_timestamp(value)
    return None if moment is None else moment.date()


# --- scalars -----------------------------------------------------------------------------------------

_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n"}


def parse_bool(value) -> bool | None:
    """0/1 (integer or text), 'true'/'false' in any case (and t/f, yes/no) -> bool."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise LegacyValueError(f"boolean expected (0/1, true/false), found {_show(value)}")


# PostgreSQL's bigint; no legacy integer is legitimately larger, and a longer digit string would make int()
# raise (Python refuses over 4,300 digits) or cost quadratic time.
_INT_LIMIT = 2**63 - 1


def parse_int(value, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise LegacyValueError(f"integer expected, found a boolean {_show(value)}")
    if isinstance(value, float) and value.is_integer():
        if abs(value) > _INT_LIMIT:
            raise LegacyValueError(f"integer {_show(value)} is too large (at most {_INT_LIMIT:,})")
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        if len(value.strip().lstrip("+-").lstrip("0")) > len(str(_INT_LIMIT)):
            raise LegacyValueError(f"integer {_show(value)} is too large (at most {_INT_LIMIT:,})")
        value = int(value)
    if not isinstance(value, int):
        raise LegacyValueError(f"integer expected, found {_show(value)}")
    if abs(value) > _INT_LIMIT:
        raise LegacyValueError(f"integer {_show(value)} is too large (at most {_INT_LIMIT:,})")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise LegacyValueError(f"{value} is out of range {minimum}..{maximum}")
    return value


def parse_float(value, *, minimum: float | None = None, maximum: float | None = None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise LegacyValueError(f"number expected, found a boolean {_show(value)}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise LegacyValueError(f"number expected, found {_show(value)}") from None
    if not isinstance(value, int | float) or value != value or value in (float("inf"), float("-inf")):
        raise LegacyValueError(f"number expected, found {_show(value)}")
    value = float(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise LegacyValueError(f"{value} is out of range {minimum}..{maximum}")
    return value


MAX_SECONDS = 24 * 3600.0  # no one spends longer on one question; a longer time is a broken clock


def parse_seconds(value) -> float | None:
    """responses.time_spent: seconds, NULL when the legacy app did not measure it.

    A negative, absurd (over a day) or unreadable duration is repairable: the time becomes unknown (None).
    """
    try:
        seconds = parse_float(value)
    except LegacyValueError as exc:
        problem = str(exc)
    else:
        if seconds is None or 0.0 <= seconds <= MAX_SECONDS:
            return seconds
        problem = f"duration {_show(value)} is " + (
            "negative" if seconds < 0 else f"over {MAX_SECONDS:,.0f} seconds"
        )
    raise RepairableValue(
        problem,
        repaired=None,
        kind="impossible or unreadable duration made unknown",
        action="the time spent is recorded as unknown",
    )


def parse_level(value) -> float | None:
    """proficiency.level: 0.0 .. 1.0; a level a little outside that (a rounding slip) is clamped."""
    level = parse_float(value)
    if level is not None and not 0.0 <= level <= 1.0:
        clamped = min(max(level, 0.0), 1.0)
        raise RepairableValue(
            f"{level} is out of range 0.0..1.0",
            repaired=clamped,
            kind="level clamped to 0..1",
            action=f"clamped to {clamped:g}",
        )
    return level


def parse_score(value) -> int | None:
    """results.score: an estimated section score, 200 .. 800."""
    return parse_int(value, minimum=200, maximum=800)


def parse_box(value) -> int:
    """A Leitner box, 1 .. 5. NULL, 0 and 6 occur in the legacy data: repairable, a NULL box becomes 1 (the
    column's default) and a box outside 1..5 is clamped (0 and below -> 1, 6 and above -> 5)."""
    if value is None:
        raise RepairableValue(
            "Leitner box is NULL (expected 1..5)", repaired=1, kind="NULL box set to 1", action="set to box 1"
        )
    try:
        number = parse_int(value)
    except LegacyValueError:
        raise LegacyValueError(f"Leitner box {_show(value)} is out of range (expected 1..5)") from None
    if not 1 <= number <= 5:
        clamped = 1 if number < 1 else 5
        raise RepairableValue(
            f"Leitner box {_show(value)} is out of range (expected 1..5)",
            repaired=clamped,
            kind="box outside 1..5 clamped",
            action=f"clamped to box {clamped}",
        )
    return number


def parse_text(value, *, required: bool = False, max_length: int | None = None) -> str | None:
    """Free text, kept verbatim (Unicode, tabs and newlines included). NUL cannot go into PostgreSQL."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LegacyValueError("required text is empty" if value is not None else "required text is NULL")
        return None if value is None else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise LegacyValueError(f"text expected, found {type(value).__name__}")
    if "\x00" in value:
        raise LegacyValueError("text contains a NUL character, which PostgreSQL cannot store")
    if max_length is not None and len(value) > max_length:
        raise LegacyValueError(f"text is {len(value)} characters, longer than {max_length}")
    return value


_EMAIL_RE = re.compile(r"\A[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def parse_email(value) -> str | None:
    """Trimmed email with the domain lower-cased (as Django normalises it); NULL or blank -> None.

    The local part keeps its case and any Unicode ('zoë6@example.com' is a real inbox). Uniqueness is
    case-insensitive: compare ``email.lower()``, as the database's unique index on Lower(email) does.
    """
    text = parse_text(value)
    if text is None or not text.strip():
        return None
    text = unicodedata.normalize("NFC", text.strip())
    if not _EMAIL_RE.match(text):
        raise LegacyValueError(f"not an email address: {_show(value)}")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


# --- questions ---------------------------------------------------------------------------------------

EASY, MEDIUM, HARD = "easy", "medium", "hard"
_DIFFICULTY = {"1": EASY, "easy": EASY, "2": MEDIUM, "medium": MEDIUM, "3": HARD, "hard": HARD}


def parse_difficulty(value) -> str | None:
    """'1'/'2'/'3', 1/2/3 or easy/medium/hard in any case -> 'easy' | 'medium' | 'hard'."""
    if value is None:
        return None
    key = str(value).strip().lower() if isinstance(value, str | int) and not isinstance(value, bool) else None
    if key in _DIFFICULTY:
        return _DIFFICULTY[key]
    raise LegacyValueError(f"unknown difficulty {_show(value)} (expected 1-3 or easy/medium/hard)")


MATH = "Math"
READING_AND_WRITING = "Reading and Writing"
_SECTIONS = {
    "math": MATH,
    "maths": MATH,
    "reading": READING_AND_WRITING,
    "writing": READING_AND_WRITING,
    "reading writing": READING_AND_WRITING,
    "reading and writing": READING_AND_WRITING,
    "rw": READING_AND_WRITING,
}


def _key(text: str) -> str:
    """Case-, punctuation- and whitespace-insensitive key for hand-entered labels."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


def parse_section(value) -> str | None:
    """'Math'/'math'/'MATH' -> 'Math'; 'Reading'/'Writing'/'reading_writing' -> 'Reading and Writing'."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        key = _key(value.replace("&", " and "))
        if key in _SECTIONS:
            return _SECTIONS[key]
    raise LegacyValueError(f"unknown section {_show(value)}")


def parse_mode(value) -> str | None:
    """practice_sessions.mode: 'practice' or 'timed'."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in ("practice", "timed"):
        return value.strip().lower()
    raise LegacyValueError(f"unknown session mode {_show(value)} (expected practice or timed)")


# The Digital SAT taxonomy (section -> domain -> skills), as the practice app stores it.
TAXONOMY: dict[str, dict[str, list[str]]] = {
    READING_AND_WRITING: {
        "Information and Ideas": [
            "Central Ideas and Details",
            "Command of Evidence (Textual)",
            "Command of Evidence (Quantitative)",
            "Inferences",
        ],
        "Craft and Structure": ["Words in Context", "Text Structure and Purpose", "Cross-Text Connections"],
        "Expression of Ideas": ["Rhetorical Synthesis", "Transitions"],
        "Standard English Conventions": ["Boundaries", "Form, Structure, and Sense"],
    },
    MATH: {
        "Algebra": [
            "Linear equations in one variable",
            "Linear functions",
            "Linear equations in two variables",
            "Systems of two linear equations in two variables",
            "Linear inequalities in one or two variables",
        ],
        "Advanced Math": [
            "Nonlinear functions",
            "Nonlinear equations in one variable and systems of equations in two variables",
            "Equivalent expressions",
        ],
        "Problem-Solving and Data Analysis": [
            "Ratios, rates, proportional relationships, and units",
            "Percentages",
            "One-variable data: distributions and measures of center and spread",
            "Two-variable data: models and scatterplots",
            "Probability and conditional probability",
            "Inference from sample statistics and margin of error",
            "Evaluating statistical claims: observational studies and experiments",
        ],
        "Geometry and Trigonometry": [
            "Area and volume",
            "Lines, angles, and triangles",
            "Right triangles and trigonometry",
            "Circles",
        ],
    },
}
UNCLASSIFIED = "Unclassified"

# Legacy free-text topics that are not spelled as the taxonomy spells them.
SKILL_ALIASES: dict[str, str] = {
    "Systems of two linear equations": "Systems of two linear equations in two variables",
    "Probability": "Probability and conditional probability",
    # The legacy app had one "Command of Evidence" topic, filed under Reading; its items are the
    # text-based kind, so they join the Textual skill (the import report lists them as aliased).
    "Command of Evidence": "Command of Evidence (Textual)",
}


@dataclass(frozen=True)
class SkillRef:
    """Where a legacy topic lands in the taxonomy."""

    section: str | None
    domain: str | None
    skill: str
    known: bool  # False: kept under "Unclassified" and reported
    aliased: bool = False  # True: matched through SKILL_ALIASES, not by name


_SKILLS: dict[str, tuple[str, str, str]] = {
    _key(skill): (section, domain, skill)
    for section, domains in TAXONOMY.items()
    for domain, skills in domains.items()
    for skill in skills
}
_ALIASES = {_key(alias): _key(target) for alias, target in SKILL_ALIASES.items()}


def normalise_skill(topic, section: str | None = None) -> SkillRef:
    """A legacy free-text topic -> a taxonomy skill, ignoring case, punctuation and stray whitespace.

    SECTION (already normalised with parse_section) is checked against the skill's own section; a topic
    that contradicts it raises LegacyValueError. An unknown or empty topic is not an error: it lands on
    the "Unclassified" skill of SECTION with known=False, so the row is kept and reported.
    """
    key = _key(topic) if isinstance(topic, str) else ""
    aliased = key in _ALIASES
    found = _SKILLS.get(_ALIASES.get(key, key))
    if found is None:
        return SkillRef(section=section, domain=None, skill=UNCLASSIFIED, known=False)
    skill_section, domain, skill = found
    if section is not None and section != skill_section:
        raise LegacyValueError(
            f"topic {_show(topic)} is a {skill_section} skill but the section is {section}"
        )
    return SkillRef(section=skill_section, domain=domain, skill=skill, known=True, aliased=aliased)


# --- JSON columns and answers ------------------------------------------------------------------------


def parse_json(value, *, column: str = "value"):
    """A JSON text column -> the decoded value; NULL -> None. Invalid JSON raises with the parser's reason."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise LegacyValueError(f"{column} should be JSON text, found {type(value).__name__} {_show(value)}")
    try:
        return json.loads(value)
    except RecursionError:
        raise LegacyValueError(f"{column} is JSON nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        hint = " (it looks like a Python list, not JSON)" if value.lstrip().startswith("['") else ""
        raise LegacyValueError(f"{column} is not valid JSON{hint}: {exc.msg} at position {exc.pos}") from exc


def parse_choices(value) -> list[str] | None:
    """questions.choices: a JSON array of 4 non-empty strings; NULL for grid-in (student-produced) items.

    Some rows hold a Python list literal instead (``"['A) 1', 'B) 2', 'C) 3', 'D) 4']"``). Its meaning is
    clear, so it is repairable: read as a literal list of strings (never evaluated) and, when every choice
    starts with its own label ("A) ", "B. " ...), the labels are dropped (the options carry them).
    """
    try:
        choices = parse_json(value, column="choices")
    except LegacyValueError as error:
        literal = python_string_list(value)
        if literal is None:
            raise
        checked = _checked_choices(literal, value)
        unlabelled = _without_labels(checked)
        action = "read as a list of strings (never evaluated)" + (
            ", the A-D labels written into each choice dropped" if unlabelled != checked else ""
        )
        raise RepairableValue(
            str(error), repaired=unlabelled, kind="choices as a Python list parsed", action=action
        ) from None
    if choices is None:
        return None
    return _checked_choices(choices, value)


def _checked_choices(choices, value) -> list[str]:
    if not isinstance(choices, list) or not all(isinstance(choice, str) for choice in choices):
        raise LegacyValueError(f"choices must be a JSON array of strings, found {_show(value)}")
    if len(choices) != 4:
        raise LegacyValueError(f"a multiple-choice question needs exactly 4 choices, found {len(choices)}")
    if any(not choice.strip() for choice in choices):
        raise LegacyValueError("a choice is empty")
    return choices


_LABEL_RE = re.compile(r"\A\s*([A-D])\s*[).:]\s+")
MAX_LITERAL_CHARS = 20_000  # a choices column is a few hundred characters; the parser's cost stays small


def python_string_list(value) -> list[str] | None:
    """VALUE as a Python list (or tuple) literal whose items are all string literals, else None.

    Parsed with ``ast.parse`` and checked node by node: only a list of plain string constants is
    accepted, so nothing is evaluated, called or looked up, and a long or deeply nested text is refused
    before parsing.
    """
    if not isinstance(value, str) or len(value) > MAX_LITERAL_CHARS:
        return None
    text = value.strip()
    if not text.startswith(("[", "(")):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = tree.body
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    items = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        items.append(element.value)
    return items


def _without_labels(choices: list[str]) -> list[str]:
    """Drop "A) ", "B. " ... when each of the four choices starts with its own label, in order."""
    matches = [_LABEL_RE.match(choice) for choice in choices]
    if all(match and match.group(1) == label for match, label in zip(matches, "ABCD", strict=True)):
        stripped = [choice[match.end() :] for choice, match in zip(choices, matches, strict=True)]
        if all(item.strip() for item in stripped):
            return stripped
    return choices


_GRID_IN_RE = re.compile(r"\A-?(?:\d+(?:\.\d*)?|\.\d+|\d+/\d+)\Z")


def parse_correct_answer(value, *, grid_in: bool) -> str:
    """'A'..'D' for multiple choice; for grid-in, a number or fraction within the Digital SAT's length."""
    text = parse_text(value, required=True).strip()
    if not grid_in:
        if text.upper() in ("A", "B", "C", "D"):
            return text.upper()
        raise LegacyValueError(f"multiple-choice answer must be A-D, found {_show(value)}")
    limit = 6 if text.startswith("-") else 5
    if not _GRID_IN_RE.match(text) or len(text) > limit:
        raise LegacyValueError(
            f"grid-in answer {_show(value)} is not a number or fraction of at most 5 characters"
        )
    return text
