import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from blog.seeding import seed_demo_content as blog_seed_demo_content
from practice.models import Classroom, ClassTeacher, Enrollment, Institution, Membership, Profile, Role, User
from practice.seeding import seed_demo_content as practice_seed_demo_content
from practice.services.institutions import enrollment_add
from practice.tenancy import operator_access

DEMO_ACCOUNTS = [
    # username, email, staff, display name, password variable
    ("learner", "learner@demo.prepnexus.invalid", False, "Demo Learner", "DEMO_LEARNER_PASSWORD"),
    ("staff", "staff@demo.prepnexus.invalid", True, "Demo Staff", "DEMO_STAFF_PASSWORD"),
    ("teacher", "teacher@demo.prepnexus.invalid", False, "Demo Teacher", "DEMO_TEACHER_PASSWORD"),
]


class Command(BaseCommand):
    help = "Create the demo learner and staff accounts and load demo content. Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts", action="store_true", help="Load demo content only; create no accounts."
        )

    def handle(self, *args, **options):
        if not options["no_accounts"]:
            self._accounts()
        for loader in self._content_loaders():
            loader(stdout=self.stdout, style=self.style)
        if not options["no_accounts"]:
            self._school()

    def _content_loaders(self):
        """Each app's `seed_demo_content(stdout, style)`: the practice bank, then the blog's posts."""
        return [practice_seed_demo_content, blog_seed_demo_content]

    @transaction.atomic
    def _accounts(self):
        for username, email, staff, display_name, variable in DEMO_ACCOUNTS:
            # Passwords come from the environment (make run keeps them under .run/); otherwise each
            # run sets a fresh random one, so no well-known demo password ever exists.
            password = os.environ.get(variable) or secrets.token_urlsafe(12)
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": email, "is_staff": staff, "is_superuser": staff}
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            Profile.objects.get_or_create(user=user, defaults={"display_name": display_name})
            verb = "Created" if created else "Updated"
            self.stdout.write(
                self.style.SUCCESS(f"{verb} {'staff' if staff else 'learner'} account: ")
                + f"username={username} email={email} password={password}"
            )

    @transaction.atomic
    def _school(self):
        """A demo school: the demo teacher administers it and teaches a class the demo learner is in."""
        with operator_access(reason="seed_demo", actor="operator"):
            school, _ = Institution.objects.get_or_create(
                slug="demo-school", defaults={"name": "PrepNexus Demo School", "time_zone": "UTC"}
            )
            teacher = User.objects.get(username="teacher")
            learner = User.objects.get(username="learner")
            Membership.objects.get_or_create(institution=school, user=teacher, defaults={"role": Role.ADMIN})
            classroom = Classroom.objects.filter(institution=school, name="SAT Prep, period 1").first()
            if classroom is None:
                classroom = Classroom.objects.create(institution=school, name="SAT Prep, period 1")
            ClassTeacher.objects.get_or_create(institution=school, classroom=classroom, teacher=teacher)
            enrollment_add(classroom=classroom, learner=learner, source=Enrollment.Source.STAFF)
        self.stdout.write(
            self.style.SUCCESS("Demo school: ")
            + f"{school.name}, class {classroom.name!r} (join code {classroom.join_code}); "
            "the teacher account administers it at /teach/"
        )
