from django.core.management.base import BaseCommand, CommandError

from practice.engine.success_sim import BRIER_GOAL, DECILE_TOLERANCE, DEFAULT_SEED, evaluate


class Command(BaseCommand):
    help = (
        "Check the learner success-probability model on a simulated cohort whose growth rates are known: "
        "prints the Brier score and the calibration table by decile of predicted probability, and PASS or "
        f"FAIL against the goals (Brier <= {BRIER_GOAL}, every decile within +/-{DECILE_TOLERANCE:.0%} "
        "points). Reads and writes nothing in the database (docs/success-model.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=2000, help="Cohort size (default 2000).")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--check", action="store_true", help="Fail (non-zero exit) when a goal is missed."
        )

    def handle(self, *args, **options):
        learners, seed = options["learners"], options["seed"]
        if learners < 10:
            raise CommandError("--learners must be at least 10 (one per decile).")
        self.stdout.write(f"Simulating {learners} learners (seed {seed})...")
        report = evaluate(learners=learners, seed=seed)
        tolerance = 100.0 * DECILE_TOLERANCE
        self.stdout.write(
            f"Brier score: {report.brier:.4f} (goal <= {BRIER_GOAL}) {self._verdict(report.brier_ok)}"
        )
        self.stdout.write("Calibration by decile of predicted probability:")
        self.stdout.write(
            f"  {'decile':>6} {'learners':>8} {'predicted':>9} {'observed':>8} {'diff (pts)':>10}"
        )
        for number, row in enumerate(report.deciles, start=1):
            line = (
                f"  {number:>6} {row.count:>8} {100 * row.mean_predicted:>8.1f}% {100 * row.observed:>7.1f}% "
                f"{row.difference:>+10.1f}"
            )
            self.stdout.write(line if abs(row.difference) <= tolerance else self.style.WARNING(line + "  <-"))
        verdict = self._verdict(report.calibration_ok)
        self.stdout.write(f"Calibration (every decile within +/-{tolerance:.0f} points): {verdict}")
        if report.passed:
            self.stdout.write(self.style.SUCCESS("PASS: the model meets both goals."))
            return
        message = "FAIL: the model misses a goal."
        if options["check"]:
            raise CommandError(message)
        self.stdout.write(self.style.ERROR(message))

    def _verdict(self, ok: bool) -> str:
        return self.style.SUCCESS("PASS") if ok else self.style.ERROR("FAIL")
