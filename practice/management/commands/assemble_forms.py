from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practice.services.forms import AssemblyError, form_problems, forms_assemble


class Command(BaseCommand):
    help = (
        "Assemble full-length test forms from the published question bank (deterministic for a seed), "
        "named Form A, Form B, ... after those that exist. Drafts unless --publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=3, help="How many forms to assemble (default 3).")
        parser.add_argument("--seed", type=int, default=0, help="Seed for the choice among equal items.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish each form (it must meet the blueprint)."
        )

    def handle(self, *args, count, seed, publish, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        try:
            forms = forms_assemble(count=count, seed=seed, publish=publish)
        except AssemblyError as exc:
            raise CommandError(f"The bank cannot fill a form: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("A form breaks the blueprint:\n" + "\n".join(exc.messages)) from exc
        for form in forms:
            problems = form_problems(form)
            state = "meets the blueprint" if not problems else f"{len(problems)} blueprint problem(s)"
            self.stdout.write(
                self.style.SUCCESS(f"{form.name} ({form.slug}): ") + f"{form.get_status_display()}, {state}."
            )
