import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Probe a running PrepNexus over HTTP; exits non-zero when it is not healthy (Docker HEALTHCHECK)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Base URL of the running app.")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--live", action="store_const", dest="path", const="/health/live", help="Liveness."
        )
        group.add_argument(
            "--ready", action="store_const", dest="path", const="/health/ready", help="Readiness."
        )
        parser.add_argument("--timeout", type=float, default=3.0, help="Seconds to wait for an answer.")
        parser.set_defaults(path="/health/ready")

    def handle(self, *args, url, path, timeout, **options):
        target = url.rstrip("/") + path + ("?format=json" if path != "/health/live" else "")
        if not target.startswith(("http://", "https://")):
            raise CommandError("--url must be an http(s) URL")
        try:
            with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310
                body = response.read().decode(errors="replace").strip()
        except urllib.error.HTTPError as exc:
            raise CommandError(
                f"{target} answered {exc.code}: {exc.read()[:500].decode(errors='replace')}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CommandError(f"{target} did not answer: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"{target}: {response.status} {body[:500]}"))
