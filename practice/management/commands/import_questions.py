from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practice.formats.questions import FileRefused, read_rows
from practice.models import Question
from practice.services.questions import ImportFailed, questions_import


class Command(BaseCommand):
    help = (
        "Import questions from a JSON or CSV file (format prepnexus-questions/1, see the README). "
        "Every row is checked first; any error imports nothing. Re-running updates questions by external_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["json", "csv"], help="Default: from the file extension.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument(
            "--status",
            choices=Question.Status.values,
            default=Question.Status.PUBLISHED,
            help="Status of new questions whose row names none (default: published).",
        )

    def handle(self, *args, **options):
        path = options["file"]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        try:
            rows = read_rows(path, options["format"])
        except FileRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Checking {len(rows)} question(s) from {path.name}…")
        try:
            report = questions_import(rows=rows, dry_run=options["dry_run"], status=options["status"])
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(self.style.ERROR(error))
            raise CommandError(f"{len(exc.errors)} error(s) in {path.name}; nothing was imported.") from exc
        prefix = "Dry run, nothing written: would have " if report.dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}created {report.created}, updated {report.updated}, unchanged {report.unchanged}."
            )
        )
