"""Demo content for `manage.py seed_demo`: the starter question bank, published, and three test forms."""

from pathlib import Path

from django.core.exceptions import ValidationError

from .formats.questions import read_rows
from .services.forms import AssemblyError, demo_forms_ensure
from .services.questions import ImportFailed, questions_import

# The starter bank: prepnexus-questions/1 files by section and domain, imported in name order.
BANK = Path(__file__).resolve().parent / "data" / "questions"


def bank_files() -> list[Path]:
    return sorted(BANK.glob("*.json"))


def seed_demo_content(stdout, style) -> None:
    """Import the starter bank idempotently (the same service as import_questions), then the demo forms."""
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
    seed_demo_forms(stdout, style)


def seed_demo_forms(stdout, style) -> None:
    """Forms A, B and C, assembled from the bank and published once; a bank too small is skipped."""
    try:
        forms = demo_forms_ensure()
    except (AssemblyError, ValidationError) as exc:
        reasons = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        stdout.write(style.WARNING("Test forms: the bank cannot fill a full-length form yet; skipping."))
        for reason in reasons[:5]:
            stdout.write(f"  {reason}")
        return
    stdout.write(
        style.SUCCESS("Test forms: ")
        + ", ".join(f"{form.name} ({form.get_status_display()})" for form in forms)
        + "."
    )
