"""manage.py import_legacy {satprep,leitner} PATH [--dry-run] [--report FILE] [--batch-size N]
[--merge-accounts-before DATETIME] [--strict]"""

import argparse
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from practice.legacy.importer import DEFAULT_BATCH_SIZE, KINDS, LegacyImportError, legacy_import


class Command(BaseCommand):
    help = (
        "Import a legacy SQLite file (the SAT Prep Suite or the Leitner flashcard app). Every source row "
        "ends imported, repaired, merged or rejected; a re-run changes nothing (except that rows an earlier "
        "run rejected and this one can repair are imported) and a run after a failure resumes."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Which legacy app the file comes from.")
        parser.add_argument("path", help="The legacy SQLite file (opened read-only).")
        parser.add_argument("--dry-run", action="store_true", help="Do everything, then roll back.")
        parser.add_argument(
            "--report",
            metavar="FILE",
            help="Write the JSON report here, and a CSV of rejected rows per table.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="N",
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--merge-accounts-before",
            type=_aware_datetime,
            metavar="DATETIME",
            help=(
                "Merge a legacy account into a self-registered PrepNexus account with its email only if that "
                "account joined before this moment, e.g. 2026-01-01T00:00Z (emails are not verified, so by "
                "default no self-registered account is merged into; staff-made and legacy-imported ones are)."
            ),
        )

        parser.add_argument(
            "--strict",
            action="store_true",
            help=(
                "Reject rows with a wrong value instead of repairing them (a Python-list choices, a Leitner "
                "box outside 1..5, an unreadable time, an impossible duration, a badge PrepNexus lacks)."
            ),
        )

    def handle(
        self, *args, kind, path, dry_run, report, batch_size, merge_accounts_before, strict, **options
    ):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        progress = _Progress(self.stderr, verbosity=options["verbosity"])
        try:
            run = legacy_import(
                path=path,
                kind=kind,
                batch_size=batch_size,
                dry_run=dry_run,
                merge_accounts_before=merge_accounts_before,
                strict=strict,
                progress=progress,
            )
        except LegacyImportError as exc:
            raise CommandError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise CommandError(
                f"reading {path} failed ({exc}); earlier batches are kept, run the command again to resume"
            ) from exc
        except DatabaseError as exc:
            # A constraint refused a batch: the batches before it are committed, so the next run resumes.
            raise CommandError(
                f"the database refused a batch ({str(exc).splitlines()[0]}); earlier batches are kept, "
                "fix the cause and run the command again to resume"
            ) from exc
        finally:
            progress.close()
        result = run.report
        for line in result.summary_lines():
            self.stdout.write(line)
        if report:
            for written in result.write(Path(report)):
                self.stdout.write(f"wrote {written}")
        if dry_run:
            self.stdout.write(self.style.WARNING("dry run: nothing was committed"))
        problems = result.verify()
        if problems:
            raise CommandError("verification failed:\n" + "\n".join(problems))
        verified = "verified: every source row is imported, repaired, merged or rejected"
        self.stdout.write(self.style.SUCCESS(verified))


def _aware_datetime(value: str):
    """An argparse type: an ISO 8601 date and time with a time zone."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date and time like 2026-01-01T00:00Z")
    if timezone.is_naive(moment):
        raise argparse.ArgumentTypeError(f"{value!r} has no time zone: add Z for UTC, e.g. 2026-01-01T00:00Z")
    return moment


class _Progress:
    """Progress lines on stderr: redrawn in place on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream, verbosity: int = 1):
        self.stream, self.quiet = stream, verbosity == 0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.current = None
        self.interval = 0.5 if self.tty else 5.0

    def __call__(self, line: str) -> None:
        if self.quiet:
            return
        label = line.split(" ", 1)[0]
        if self.tty:
            if self.current not in (None, label):
                self.stream.write("\n", ending="")
            self.stream.write(f"\r{line}", ending="")
            self.stream.flush()
        else:
            self.stream.write(line)
        self.current = label

    def close(self) -> None:
        if self.tty and self.current is not None and not self.quiet:
            self.stream.write("\n", ending="")
            self.stream.flush()
