"""Benchmark data, fast, with COPY: questions, learners, sessions and answers, plus the derived tables.

    DATABASE_URL=... .venv/bin/python -m bench.generate_load_data [--answers 1000000]
        [--learner-answers 10000] [--learners 2000] [--questions 2000] [--seed 42]
        [--institutions 1 --classes-per-institution 50 --learners-per-class 200]

Runs on whatever database DATABASE_URL names, with the project's settings (DJANGO_SETTINGS_MODULE,
default prepnexus.settings); the benchmarks run it on their own throwaway PostgreSQL. Exits 1 with
"CommandError: ..." on impossible volumes, like a management command.
"""

import os
import sys
import time
from pathlib import Path

import django

if __name__ == "__main__":  # run as a script: Django must be set up before the models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    django.setup()

from django.core.management.base import BaseCommand, CommandError

from bench.loadgen import FOCUS_USERNAME, InstitutionShape, generate


class Command(BaseCommand):
    help = (
        "Generate realistic benchmark data fast with COPY: questions, learners, sessions and answers, plus "
        f"the derived learning tables. One learner ({FOCUS_USERNAME}) gets a long history. Generated "
        "usernames start with 'load-'. With --institutions, also schools with staff, classes, enrollments "
        "and assignments. Safe to re-run: does nothing when the data is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--answers", type=int, default=1_000_000, help="Answers in all (default 1,000,000)."
        )
        parser.add_argument(
            "--learner-answers",
            type=int,
            default=10_000,
            help=f"Answers of {FOCUS_USERNAME} (default 10,000).",
        )
        parser.add_argument("--learners", type=int, default=2_000, help="Other learners (default 2,000).")
        parser.add_argument(
            "--questions", type=int, default=2_000, help="Published questions (default 2,000)."
        )
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--institutions",
            type=int,
            default=0,
            help="Institutions to build, each with an admin, a teacher per class, classes, enrolled learners "
            "(with their own histories) and assignments (default 0). Their learners share the answers with "
            "the plain --learners.",
        )
        parser.add_argument(
            "--classes-per-institution", type=int, default=50, help="Classes per institution (default 50)."
        )
        parser.add_argument(
            "--learners-per-class", type=int, default=200, help="Learners per class (default 200)."
        )

    def handle(self, *args, **options):
        if (
            options["learner_answers"] > options["answers"]
            or min(options["answers"], options["questions"]) < 10
        ):
            raise CommandError("Need answers >= learner-answers, and at least 10 answers and 10 questions.")
        shape = InstitutionShape(
            options["institutions"], options["classes_per_institution"], options["learners_per_class"]
        )
        if shape.institutions < 0 or min(shape.classes, shape.learners_per_class) < 1:
            raise CommandError("Need institutions >= 0, and at least 1 class and 1 learner per class.")
        started = time.monotonic()
        focus = generate(
            answers=options["answers"],
            learner_answers=options["learner_answers"],
            learners=options["learners"],
            questions=options["questions"],
            seed=options["seed"],
            shape=shape,
            log=lambda msg: self.stdout.write(msg),
        )
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s; focus learner: {focus.username}")
        )


if __name__ == "__main__":
    # The first two items only name the program in the usage line.
    Command().run_from_argv(["python", "-m bench.generate_load_data", *sys.argv[1:]])
