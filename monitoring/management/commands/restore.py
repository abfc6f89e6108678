from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from monitoring import backups, postgres


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a scratch database, verify every table's row "
        "count and checksum and the applied migrations against its manifest and that `migrate --check` is "
        "clean, and only then swap it in for the target. Refuses a non-empty database unless --force, and "
        "then dumps it to --safety-dir first."
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
            help="Replace a non-empty target (after a safety dump of it).",
        )
        parser.add_argument(
            "--safety-dir",
            type=Path,
            default=None,
            help="Where the safety dump of a non-empty target goes (default: BACKUP_DIR/before-restore).",
        )

    def handle(self, *args, file, database_url, force, safety_dir, verbosity, **options):
        url = database_url or postgres.default_database_url()
        progress = self.stdout.write if verbosity >= 1 else postgres.quiet
        # Our own pooled connections must not hold anything the restore has to drop.
        connections.close_all()
        try:
            dump, manifest = backups.load_manifest(file)
            safety = backups.restore_run(
                dump=dump,
                manifest=manifest,
                url=url,
                force=force,
                safety_dir=Path(safety_dir or Path(settings.BACKUP_DIR) / "before-restore"),
                progress=progress,
            )
        except (postgres.BackupError, psycopg.Error, OSError) as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {dump.name} into {postgres.describe(url)}: {len(manifest['tables'])} tables and "
                f"{rows} rows match the manifest, migrations are in sync."
            )
        )
        if safety:
            self.stdout.write(f"What the database held before is in the safety dump {safety}")
