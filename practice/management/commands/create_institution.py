import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practice.models import Institution
from practice.services.institutions import institution_create
from practice.tenancy import operator_access


class Command(BaseCommand):
    help = (
        "Create an institution and its first admin, and print a one-time link for the admin to set a "
        "password. An admin email that already has an account becomes this institution's admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help='The institution\'s name, e.g. "Lincoln High School".')
        parser.add_argument("--admin-email", required=True, help="Email of the first institution admin.")
        parser.add_argument("--admin-name", default="", help="The admin's display name.")
        parser.add_argument("--slug", default="", help="Short name for URLs (default: from the name).")
        parser.add_argument("--time-zone", default="UTC", help="IANA time zone, e.g. America/Chicago.")
        parser.add_argument("--test-date", default="", help="Default target test date, YYYY-MM-DD.")
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL,
            help="Base URL of the site for the link (default SITE_URL).",
        )

    def handle(self, *args, **options):
        test_date = None
        if options["test_date"]:
            try:
                test_date = datetime.date.fromisoformat(options["test_date"])
            except ValueError as exc:
                raise CommandError(
                    f"--test-date must look like 2027-03-13, not {options['test_date']!r}."
                ) from exc
        with operator_access(reason="create_institution", actor="operator"):
            if Institution.objects.filter(name__iexact=options["name"].strip()).exists():
                raise CommandError(f"An institution called {options['name']!r} exists already.")
            try:
                institution, invitation = institution_create(
                    name=options["name"],
                    slug=options["slug"],
                    time_zone=options["time_zone"],
                    default_test_date=test_date,
                    admin_email=options["admin_email"],
                    admin_name=options["admin_name"],
                )
            except ValidationError as exc:
                problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
                raise CommandError(f"Not created: {problems}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Created {institution.name} (slug {institution.slug}, id {institution.pk}).")
        )
        if invitation.set_password_path:
            link = options["site_url"].rstrip("/") + invitation.set_password_path
            self.stdout.write(f"New admin account {invitation.user.email}. One-time link to set a password:")
            self.stdout.write(link)
        else:
            self.stdout.write(
                f"{invitation.user.email} already had an account and is now this institution's admin; "
                "they log in as before."
            )
