"""`manage.py check_worker`: exit 0 if a background worker on this host is alive (a health check)."""

import socket

from django.core.management.base import BaseCommand, CommandError

from practice.selectors.jobs import worker_alive


class Command(BaseCommand):
    help = "Exit 0 if a `run_worker` on this host marked itself alive within WORKER_DEAD_SECONDS, else 1."

    def add_arguments(self, parser):
        parser.add_argument("--hostname", default="", help="The worker's host (default: this one).")

    def handle(self, *, hostname, **options):
        hostname = hostname or socket.gethostname()[:255]
        if not worker_alive(hostname=hostname):
            raise CommandError(f"No background worker on {hostname} is alive.")
        self.stdout.write(f"A background worker on {hostname} is alive.")
