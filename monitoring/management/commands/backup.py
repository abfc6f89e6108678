from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from psycopg.conninfo import conninfo_to_dict

from monitoring import backups, postgres
from monitoring.alerts import alert_backup_failed


class Command(BaseCommand):
    help = (
        "Back up the database with pg_dump (custom format) into a timestamped file, with a manifest of "
        "per-table row counts and checksums and the applied migrations; keep the newest N backups."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Directory for the dump and its manifest (default: BACKUP_DIR).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Keep only the N newest backups of this database in the directory; 0 keeps all "
            "(default: BACKUP_KEEP).",
        )

    def handle(self, *args, output, keep, verbosity, **options):
        output = Path(output or settings.BACKUP_DIR)
        keep = settings.BACKUP_KEEP if keep is None else keep
        if keep < 0:
            raise CommandError("--keep must be 0 (keep all) or a positive number of backups")
        url = postgres.default_database_url()
        progress = self.stdout.write if verbosity >= 1 else postgres.quiet
        try:
            dump, manifest = backups.backup_create(url=url, output=output, progress=progress)
        except (postgres.BackupError, OSError) as exc:
            self._alert(str(exc))
            raise CommandError(f"backup failed: {exc}") from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows, {manifest['dump_bytes']} bytes) "
                f"to {dump}"
            )
        )
        if keep:
            dbname = conninfo_to_dict(url).get("dbname") or "postgres"
            for path in backups.backup_prune(output=output, dbname=dbname, keep=keep):
                self.stdout.write(f"Removed old backup {path.name} (keeping {keep})")

    def _alert(self, error: str) -> None:
        """Tell the operators (docs/monitoring.md#alerts); the hourly overdue check covers a database that
        cannot take the alert now."""
        try:
            alert_backup_failed(error=error)
        except DatabaseError as exc:
            self.stderr.write(f"The operators' alert could not be queued either: {exc}")
