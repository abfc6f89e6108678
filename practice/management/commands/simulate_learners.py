from django.core.management.base import BaseCommand, CommandError

from practice.simulation import ensure_bank, simulate


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
