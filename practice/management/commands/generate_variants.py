from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from practice.engine.templates import REGISTRY
from practice.models import Question
from practice.services.variants import variant_create


class Command(BaseCommand):
    help = (
        "Freeze variants of item templates as published questions: seeds 1..N of TEMPLATE (or of every "
        "template with --all). Safe to re-run: a variant already stored is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("template", nargs="?", help="Template code, e.g. linear-one-var-1.")
        parser.add_argument("--all", action="store_true", help="Every template.")
        parser.add_argument("--count", type=int, default=10, help="Variants per template (default 10).")
        parser.add_argument("--start", type=int, default=1, help="First seed (default 1).")
        parser.add_argument("--list", action="store_true", help="List the templates and stop.")

    def handle(self, *args, **options):
        if options["list"]:
            for template in REGISTRY.values():
                self.stdout.write(
                    f"{template.code}\t{template.type}\t{template.difficulty}\t{template.skill}"
                )
            return
        if options["all"] == bool(options["template"]):
            raise CommandError("Name one TEMPLATE or pass --all (--list shows the codes).")
        if options["template"] and options["template"] not in REGISTRY:
            raise CommandError(f"There is no item template “{options['template']}” (--list shows the codes).")
        if not 1 <= options["count"] <= 10_000:
            raise CommandError("--count must be between 1 and 10000.")
        if options["start"] < 0:
            raise CommandError("--start must be 0 or more.")
        codes = list(REGISTRY) if options["all"] else [options["template"]]
        seeds = range(options["start"], options["start"] + options["count"])
        for code in codes:
            before = Question.objects.filter(template_code=code).count()
            try:
                for seed in seeds:
                    variant_create(template_code=code, seed=seed)
            except ValidationError as exc:
                raise CommandError(f"{code}: {' '.join(exc.messages)}") from exc
            created = Question.objects.filter(template_code=code).count() - before
            self.stdout.write(f"{code}: {created} new, {len(seeds) - created} already stored")
        self.stdout.write(
            self.style.SUCCESS(f"Done: {len(codes)} template(s), seeds {seeds.start}..{seeds.stop - 1}.")
        )
