from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from practice.models import Section
from practice.services.calibration import (
    DEFAULT_MIN_RESPONSES,
    SectionCalibration,
    calibration_plan,
    question_irt_update,
)


class Command(BaseCommand):
    help = (
        "Re-estimate the IRT a and b of questions with enough answers (2PL by marginal maximum "
        "likelihood, each item's c kept), linked to the current scale on anchor items; prints old -> new. "
        "Writes nothing unless --apply is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-responses",
            type=int,
            default=DEFAULT_MIN_RESPONSES,
            help="Calibrate questions with at least this many learners' first answers "
            f"(default {DEFAULT_MIN_RESPONSES}).",
        )
        parser.add_argument(
            "--anchor-min-responses",
            type=int,
            help="Link the scale on questions with at least this many answers (default: --min-responses); "
            "fewer-answered (pretest) questions are calibrated but do not move the scale.",
        )
        parser.add_argument(
            "--section",
            action="append",
            help="A section's slug or name (repeatable; default: every section).",
        )
        parser.add_argument("--method", choices=["mean_sigma", "mean_mean"], default="mean_sigma")
        parser.add_argument("--apply", action="store_true", help="Save the new parameters (one transaction).")

    def handle(self, *args, **options):
        if options["min_responses"] < 1:
            raise CommandError("--min-responses must be at least 1.")
        sections = self._sections(options["section"])
        plans = []
        for section in sections:
            self.stdout.write(f"Calibrating {section.name}...")
            plan = calibration_plan(
                section=section,
                min_responses=options["min_responses"],
                anchor_min_responses=options["anchor_min_responses"],
                method=options["method"],
            )
            self._report(plan, options["min_responses"])
            plans.append(plan)
        changes = [change for plan in plans for change in plan.changes]
        if not changes:
            self.stdout.write(
                f"No question has {options['min_responses']} responses yet: nothing to calibrate."
            )
            return
        if not options["apply"]:
            self.stdout.write(self.style.WARNING("Dry run: nothing written. Re-run with --apply to save."))
            return
        try:
            saved = question_irt_update(changes=changes)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Saved new a and b for {saved} question(s)."))

    def _sections(self, wanted: list[str] | None) -> list[Section]:
        sections = list(Section.objects.order_by("position"))
        if not wanted:
            return sections
        chosen = []
        for name in wanted:
            match = Section.objects.filter(Q(slug=name) | Q(name__iexact=name)).first()
            if match is None:
                known = ", ".join(s.slug for s in sections)
                raise CommandError(f"Unknown section {name!r}: use one of {known}.")
            chosen.append(match)
        return chosen

    def _report(self, plan: SectionCalibration, min_responses: int) -> None:
        out = self.stdout.write
        if not plan.changes:
            out(f"  no question with {min_responses} or more responses ({plan.too_few} with fewer)")
            return
        out(
            f"  {len(plan.changes)} question(s) from {plan.learners} learner(s); {plan.too_few} with fewer "
            f"than {min_responses} responses left as they are; EM {plan.iterations} iteration(s)"
            + ("" if plan.converged else " (stopped before converging)")
        )
        for change in plan.changes:
            out(
                f"  {change.label:<24} n={change.responses:<5} "
                f"a {change.old.a:5.2f} -> {change.new.a:5.2f} ({change.moved_a:+.2f})  "
                f"b {change.old.b:5.2f} -> {change.new.b:5.2f} ({change.moved_b:+.2f})"
                + ("" if change.anchor else "  [not an anchor]")
            )
        link = plan.linking
        moved_a = [abs(change.moved_a) for change in plan.changes]
        moved_b = [abs(change.moved_b) for change in plan.changes]
        out(
            f"  linked by {link.method.replace('_', '/')} on {link.anchors} anchor(s): "
            f"theta_old = {link.scale:.3f} theta_new {link.shift:+.3f}"
        )
        out(
            f"  mean |change| a {sum(moved_a) / len(moved_a):.2f}, b {sum(moved_b) / len(moved_b):.2f}; "
            f"largest a {max(moved_a):.2f}, b {max(moved_b):.2f}"
        )
