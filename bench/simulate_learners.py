"""Simulated learners of known ability practising through the real services, on a scratch database.

    DATABASE_URL=... .venv/bin/python -m bench.simulate_learners [--learners 20] [--items 30]
        [--per-skill 40] [--seed 7]

Runs on whatever database DATABASE_URL names, with the project's settings (DJANGO_SETTINGS_MODULE,
default prepnexus.settings); bench/simulate.py --db runs it on its own throwaway PostgreSQL. Exits 1
with "CommandError: ..." on impossible volumes, like a management command.
"""

import os
import sys
from pathlib import Path

import django

if __name__ == "__main__":  # run as a script: Django must be set up before the models are imported
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")
    django.setup()

from django.core.management.base import BaseCommand, CommandError

from bench.simulation import ensure_bank, simulate


class Command(BaseCommand):
    help = (
        "Simulate learners of known ability practising 'matched to me' sessions through the real services "
        "(answer_submit, proficiency, selection) and print the RMSE and band coverage of the predicted "
        "section scores. Writes simulated accounts (usernames start with 'sim-') and a 2PL question bank; "
        "run it on a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=20)
        parser.add_argument("--items", type=int, default=30, help="Items per section (default 30).")
        parser.add_argument("--per-skill", type=int, default=40, help="Bank size per skill (default 40).")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, **options):
        if options["learners"] < 1 or options["items"] < 10:
            raise CommandError("Need at least 1 learner and 10 items per section.")
        self.stdout.write(
            f"bank: {ensure_bank(per_skill=options['per_skill'], seed=options['seed'])} questions"
        )
        result = simulate(
            learners=options["learners"],
            items=options["items"],
            seed=options["seed"],
            log=lambda msg: self.stdout.write(msg),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.learners} learners x {result.items} matched items per section through the "
                f"services: RMSE {result.rmse:.1f} points, 90% band coverage {result.coverage:.0%}"
            )
        )


if __name__ == "__main__":
    # The first two items only name the program in the usage line.
    Command().run_from_argv(["python", "-m bench.simulate_learners", *sys.argv[1:]])
