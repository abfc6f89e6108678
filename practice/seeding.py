"""Demo content for `manage.py seed_demo`: the starter question bank, published."""

from pathlib import Path

from .formats.questions import read_rows
from .services.questions import ImportFailed, questions_import

BANK = Path(__file__).resolve().parent / "data" / "question_bank.json"


def seed_demo_content(stdout, style) -> None:
    """Import the starter bank idempotently (the same service as import_questions)."""
    if not BANK.exists():
        stdout.write(
            style.WARNING("No question bank at practice/data/question_bank.json; skipping questions.")
        )
        return
    try:
        report = questions_import(rows=read_rows(BANK), status="published")
    except ImportFailed as exc:
        for error in exc.errors[:20]:
            stdout.write(style.ERROR(error))
        raise
    stdout.write(
        style.SUCCESS("Question bank: ")
        + f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}."
    )
