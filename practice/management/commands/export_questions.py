import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practice.formats.questions import question_to_record, write_csv, write_json
from practice.models import Question


class Command(BaseCommand):
    help = (
        "Export questions as JSON or CSV in the format import_questions reads (see the README): the latest "
        "version of each question, with its status and version number."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")
        parser.add_argument("--format", choices=["json", "csv"], help="Default: from --output, else json.")
        parser.add_argument(
            "--status",
            choices=Question.Status.values,
            action="append",
            help="Only these statuses (repeatable).",
        )

    def handle(self, *args, **options):
        output = options["output"]
        file_format = options["format"] or ("csv" if output and output.suffix.lower() == ".csv" else "json")
        statuses = options["status"] or ()
        questions = Question.objects.filter(status__in=statuses) if statuses else Question.objects.all()
        questions = (
            questions.latest_versions(statuses)
            .select_related("skill__domain__section")
            .prefetch_related("options")
        )
        records = [question_to_record(q) for q in questions.order_by("external_id", "pk")]
        writer = write_csv if file_format == "csv" else write_json
        try:
            if output:
                with output.open("w", encoding="utf-8", newline="") as out:
                    writer(records, out)
            else:
                buffer = io.StringIO()
                writer(records, buffer)
                self.stdout.write(buffer.getvalue(), ending="")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc}") from exc
        if output:
            self.stdout.write(self.style.SUCCESS(f"Exported {len(records)} question(s) to {output}."))
