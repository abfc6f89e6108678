"""Demo content for `manage.py seed_demo`: the starter question bank, published."""

from pathlib import Path

from .formats.questions import read_rows
from .services.questions import ImportFailed, questions_import

# The starter bank: one prepnexus-questions/1 file per section, imported in name order.
BANK = Path(__file__).resolve().parent / "data" / "questions"


def bank_files() -> list[Path]:
    return sorted(BANK.glob("*.json"))


def seed_demo_content(stdout, style) -> None:
    """Import the starter bank idempotently (the same service as import_questions)."""
    files = bank_files()
    if not files:
        stdout.write(style.WARNING("No question bank in practice/data/questions/; skipping questions."))
        return
    for path in files:
        try:
            report = questions_import(rows=read_rows(path), status="published")
        except ImportFailed as exc:
            for error in exc.errors[:20]:
                stdout.write(style.ERROR(f"{path.name}: {error}"))
            raise
        stdout.write(
            style.SUCCESS(f"Question bank ({path.name}): ")
            + f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}."
        )
