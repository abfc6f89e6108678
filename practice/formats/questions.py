"""Question files (format "prepnexus-questions/1"): JSON or CSV read into records and written out.

Parse and serialise only; checking a record against the bank is `services.questions`' job. CSV text
cells are written through `csvsafe` (no spreadsheet formulas) and read back through its inverse.
"""

import csv
import io
import json
from pathlib import Path

from ..models import Question
from . import csvsafe

QUESTION_FORMAT = "prepnexus-questions/1"
RECORD_FIELDS = (
    "external_id",
    "section",
    "domain",
    "skill",
    "difficulty",
    "type",
    "passage",
    "passage_b",
    "stem",
    "options",
    "correct",
    "answers",
    "explanation",
)
# Fields a record may leave out: a question without a figure, a status left to the import's default.
OPTIONAL_FIELDS = ("figure", "status")

CSV_COLUMNS = [
    *(name for name in RECORD_FIELDS if name not in ("options", "answers")),
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "answers",
    "figure",
    "status",
]


class FileRefused(ValueError):
    """The file cannot be read as a question file at all."""


class BadJsonCell(str):
    """A CSV cell that should hold JSON and does not; the import reports it against its row."""

    __slots__ = ()


def _json_cell(text: str):
    """A CSV cell holding JSON (the figure): None when empty, the value, or BadJsonCell with the reason."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return BadJsonCell(f"not valid JSON ({exc.msg} at character {exc.pos + 1})")


def read_rows(path: Path, file_format: str | None = None) -> list[tuple[int, dict]]:
    """Return (row number, record) pairs. JSON rows count questions from 1; CSV rows count file lines."""
    file_format = file_format or ("csv" if path.suffix.lower() == ".csv" else "json")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileRefused(f"cannot read {path.name}: {exc}") from exc
    return parse_csv(text) if file_format == "csv" else parse_json(text)


def parse_json(text: str) -> list[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != QUESTION_FORMAT:
        raise FileRefused(f'expected an object with "format": "{QUESTION_FORMAT}" and a "questions" list')
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise FileRefused('"questions" must be a list')
    return list(enumerate(questions, start=1))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def parse_csv(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = set(CSV_COLUMNS) - set(OPTIONAL_FIELDS) - set(reader.fieldnames or [])
    if missing:
        raise FileRefused(f"CSV is missing column(s): {', '.join(sorted(missing))}")
    rows = []
    for cells in reader:
        row = {name: csvsafe.unescape(value) for name, value in cells.items() if isinstance(value, str)}
        record = {
            name: (row.get(name) or "").strip()
            for name in RECORD_FIELDS
            if name not in ("options", "answers", "correct")
        }
        options = [(row.get(f"option_{letter}") or "").strip() for letter in "abcd"]
        record["options"] = options if any(options) else []
        record["correct"] = (row.get("correct") or "").strip() or None
        record["answers"] = _split(row.get("answers") or "")
        if (row.get("figure") or "").strip():
            record["figure"] = _json_cell(row["figure"])
        if (row.get("status") or "").strip():
            record["status"] = row["status"].strip()
        rows.append((reader.line_num, record))
    return rows


def write_json(records: list[dict], out) -> None:
    json.dump({"format": QUESTION_FORMAT, "questions": records}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_csv(records: list[dict], out) -> None:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for record in records:
        options = record["options"] + [""] * (4 - len(record["options"]))
        row = {name: record.get(name) or "" for name in CSV_COLUMNS if name in record}
        row.update({f"option_{letter}": text for letter, text in zip("abcd", options, strict=True)})
        row["answers"] = "|".join(record["answers"])
        figure = record.get("figure")
        row["figure"] = (
            "" if figure is None else json.dumps(figure, ensure_ascii=False, separators=(",", ":"))
        )
        writer.writerow({name: csvsafe.escape(value) for name, value in row.items()})


def question_to_record(question: Question) -> dict:
    """One question in the import format (options must be prefetched)."""
    options = sorted(question.options.all(), key=lambda o: o.label)
    is_mcq = question.type == Question.Type.MCQ
    return {
        "external_id": question.external_id or f"pn-db-{question.pk}",
        "section": question.skill.domain.section.name,
        "domain": question.skill.domain.name,
        "skill": question.skill.name,
        "difficulty": question.difficulty,
        "type": question.type,
        "passage": question.passage,
        "passage_b": question.passage_b,
        "stem": question.stem,
        "options": [o.text for o in options] if is_mcq else [],
        "correct": next((o.label for o in options if o.is_correct), None) if is_mcq else None,
        "answers": list(question.spr_answers) if not is_mcq else [],
        "explanation": question.explanation,
        "figure": question.figure,
        "status": question.status,
    }
