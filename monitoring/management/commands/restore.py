from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from monitoring import backups, postgres


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` with pg_restore, then verify every table's row count "
        "and checksum against its manifest and that `migrate --check` is clean. Refuses a non-empty "
        "database unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The .dump file (or its .manifest.json).")
        parser.add_argument(
            "--database-url",
            default=None,
            help="PostgreSQL URL of the target database (default: this site's DATABASE_URL).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a non-empty target (pg_restore --clean --if-exists).",
        )

    def handle(self, *args, file, database_url, force, verbosity, **options):
        url = database_url or postgres.default_database_url()
        progress = self.stdout.write if verbosity >= 1 else postgres.quiet
        # Our own pooled connections must not hold anything the restore has to drop.
        connections.close_all()
        try:
            dump, manifest = backups.load_manifest(file)
            backups.restore_run(dump=dump, manifest=manifest, url=url, force=force, progress=progress)
        except (postgres.BackupError, OSError) as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {dump.name} into {postgres.describe(url)}: {len(manifest['tables'])} tables and "
                f"{rows} rows match the manifest, migrations are in sync."
            )
        )
