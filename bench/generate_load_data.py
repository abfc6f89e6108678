"""Benchmark data, fast, with COPY: questions, learners, sessions and answers, plus the derived tables.

    DATABASE_URL=... .venv/bin/python -m bench.generate_load_data [--answers 1000000]
        [--learner-answers 10000] [--learners 2000] [--questions 2000] [--seed 42]

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

from bench.loadgen import FOCUS_USERNAME, generate


class Command(BaseCommand):
    help = (
        "Generate realistic benchmark data fast with COPY: questions, learners, sessions and answers, plus "
        f"the derived learning tables. One learner ({FOCUS_USERNAME}) gets a long history. Generated "
        "usernames start with 'load-'. Safe to re-run: does nothing when the data is already there."
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

    def handle(self, *args, **options):
        if (
            options["learner_answers"] > options["answers"]
            or min(options["answers"], options["questions"]) < 10
        ):
            raise CommandError("Need answers >= learner-answers, and at least 10 answers and 10 questions.")
        started = time.monotonic()
        focus = generate(
            answers=options["answers"],
            learner_answers=options["learner_answers"],
            learners=options["learners"],
            questions=options["questions"],
            seed=options["seed"],
            log=lambda msg: self.stdout.write(msg),
        )
        self.stdout.write(
            self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s; focus learner: {focus.username}")
        )


if __name__ == "__main__":
    # The first two items only name the program in the usage line.
    Command().run_from_argv(["python", "-m bench.generate_load_data", *sys.argv[1:]])
