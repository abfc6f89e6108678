import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practice.engine import testsim
from practice.engine.blueprint import HARDER
from practice.models import (
    IRT_B_DEFAULTS,
    MODULE_PHASES,
    FormSlot,
    Phase,
    Profile,
    Question,
    TestForm,
    TestModuleAttempt,
    User,
)
from practice.services.fulltests import (
    fulltest_break_end,
    fulltest_module_submit,
    fulltest_save,
    fulltest_start,
)
from practice.services.testmodules import SECTION_OF, section_threshold
from practice.spr import spr_matches

SECTIONS = ("rw", "math")
SECTION_TITLES = {"rw": "Reading and Writing", "math": "Math"}
# The simulated clock: every learner starts here; answers come evenly spaced inside each module's time.
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SPR_WRONG = ("0", "1", "-1", "2", "99999", "-9999")


@dataclass(frozen=True, slots=True)
class Item:
    position: int
    a: float
    b: float
    right: str
    wrong: tuple[str, ...]


class Command(BaseCommand):
    help = (
        "Check the full-length test's precision on simulated learners of known ability: they sit a published "
        "form through the real services under the 2PL model, and the command prints per section the RMSE "
        "of the scaled score, the coverage of the 90% band and the routing accuracy against the goals "
        f"(RMSE <= {testsim.RMSE_GOAL:.0f}, coverage {testsim.COVERAGE_GOAL[0]:.0%}-"
        f"{testsim.COVERAGE_GOAL[1]:.0%}, routing >= {testsim.ROUTING_GOAL:.0%}). Everything it writes is "
        "rolled back (docs/full-test.md, 'Precision, simulated')."
    )

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=1000, help="Simulated learners (default 1000).")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument(
            "--form", metavar="SLUG", help="The published form to sit (default: the first by name)."
        )
        parser.add_argument(
            "--item-parameters",
            choices=("stored", "typical"),
            default="typical",
            help="stored: the items' own irt_a/irt_b; typical (default): parameters typical of calibrated "
            f"items, a ~ LogNormal(median {testsim.TYPICAL_A_MEDIAN}, sigma {testsim.TYPICAL_A_SIGMA}), "
            f"b = the level's centre + N(0, {testsim.TYPICAL_B_SD}), set inside the rolled-back run.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        learners, seed, mode = options["learners"], options["seed"], options["item_parameters"]
        if learners < 1:
            raise CommandError("--learners must be at least 1.")
        form = self._form(options["form"])
        began = time.perf_counter()
        with transaction.atomic():
            try:
                tallies, thresholds = self._simulate(form, learners, seed, mode)
            finally:
                transaction.set_rollback(True)  # the database is left as it was
        seconds = time.perf_counter() - began
        report = {"learners": learners, "seed": seed, "form": form.slug, "item_parameters": mode}
        for section in SECTIONS:
            tally = tallies[section]
            report |= {
                f"{section}_rmse": round(tally.rmse, 2),
                f"{section}_bias": round(tally.bias, 2),
                f"{section}_coverage": round(tally.coverage, 4),
                f"{section}_mean_band_width": round(tally.mean_band_width, 1),
                f"{section}_routing_accuracy": round(tally.routing_accuracy, 4),
                f"{section}_routed_harder": round(tally.routed_harder / tally.count, 4),
                f"{section}_threshold": round(thresholds[section], 3),
                f"{section}_goals_met": tally.goals,
            }
        report["goals_met"] = all(all(tallies[s].goals.values()) for s in SECTIONS)
        report["seconds"] = round(seconds, 1)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self._table(report, tallies)

    def _form(self, slug: str | None) -> TestForm:
        forms = TestForm.objects.published()
        if slug:
            form = forms.filter(slug=slug).first()
            if form is None:
                raise CommandError(f"No published test form with the slug {slug!r}.")
            return form
        form = forms.order_by("name", "pk").first()
        if form is None:
            raise CommandError(
                "No published test form to simulate: publish one first (manage.py assemble_forms --publish)."
            )
        return form

    # --- The simulation (inside the rolled-back transaction) -------------------------------------------

    def _simulate(self, form: TestForm, learners: int, seed: int, mode: str):
        if mode == "typical":
            _set_typical_parameters(form, random.Random(f"{seed}:items"))
        modules = _module_items(form)
        users = _make_learners(learners)
        rnd = random.Random(seed)
        abilities = [{"rw": rnd.gauss(0.0, 1.0), "math": rnd.gauss(0.0, 1.0)} for _ in range(learners)]
        tallies = {section: testsim.SectionTally() for section in SECTIONS}
        thresholds = None
        step = max(min(learners // 10, 50), 1)
        for number, (user, theta) in enumerate(zip(users, abilities, strict=True), start=1):
            attempt, harder = _sit(user, form, theta, modules, random.Random(f"{seed}:learner:{number}"))
            if thresholds is None:  # the form's, the same for every attempt: the one the service routes by
                thresholds = {section: section_threshold(attempt, section) for section in SECTIONS}
            for section in SECTIONS:
                tallies[section].add(
                    theta=theta[section],
                    score=getattr(attempt, f"{section}_score"),
                    low=getattr(attempt, f"{section}_low"),
                    high=getattr(attempt, f"{section}_high"),
                    harder=harder[section],
                    threshold=thresholds[section],
                )
            if number % step == 0 or number == learners:
                running = ", ".join(
                    f"{section} RMSE {t.rmse:.1f} coverage {t.coverage:.3f} routing {t.routing_accuracy:.3f}"
                    for section, t in tallies.items()
                )
                self.stderr.write(f"  {number}/{learners} learners: {running}")
        return tallies, thresholds

    def _table(self, report: dict, tallies: dict) -> None:
        lo, hi = testsim.COVERAGE_GOAL
        self.stdout.write(
            f"{report['learners']} simulated learners, form {report['form']}, "
            f"{report['item_parameters']} item parameters, seed {report['seed']}, {report['seconds']} s"
        )
        self.stdout.write(f"  {'':<20} {'RMSE':>6} {'bias':>6} {'coverage':>9} {'band':>5} {'routing':>8}")
        for section in SECTIONS:
            tally = tallies[section]
            self.stdout.write(
                f"  {SECTION_TITLES[section]:<20} {tally.rmse:>6.1f} {tally.bias:>+6.1f} "
                f"{100 * tally.coverage:>8.1f}% {tally.mean_band_width:>5.0f} "
                f"{100 * tally.routing_accuracy:>7.1f}%"
            )
        self.stdout.write(
            f"  {'goal':<20} {'<= ' + str(int(testsim.RMSE_GOAL)):>6} {'':>6} "
            f"{f'{100 * lo:.0f}-{100 * hi:.0f}%':>9} {'':>5} {f'>= {100 * testsim.ROUTING_GOAL:.0f}%':>8}"
        )
        for section in SECTIONS:
            goals = tallies[section].goals
            verdicts = ", ".join(f"{name} {self._verdict(ok)}" for name, ok in goals.items())
            self.stdout.write(f"  {SECTION_TITLES[section]}: {verdicts}")
        if report["goals_met"]:
            self.stdout.write(self.style.SUCCESS("PASS: every goal is met."))
        else:
            self.stdout.write(self.style.ERROR("FAIL: a goal is missed."))

    def _verdict(self, ok: bool) -> str:
        return self.style.SUCCESS("PASS") if ok else self.style.ERROR("FAIL")


def _set_typical_parameters(form: TestForm, rnd: random.Random) -> None:
    """Give the form's items calibrated-looking parameters (rolled back with everything else)."""
    questions = list(
        Question.objects.filter(form_slots__module__form=form).distinct().order_by("pk").only("difficulty")
    )
    centres = [IRT_B_DEFAULTS.get(question.difficulty, 0.0) for question in questions]
    for question, (a, b) in zip(questions, testsim.typical_parameters(centres, rnd), strict=True):
        question.irt_a, question.irt_b = a, b
    Question.objects.bulk_update(questions, ["irt_a", "irt_b"])


def _module_items(form: TestForm) -> dict[int, list[Item]]:
    """Each module's items in order, with their 2PL parameters, right answer and wrong answers."""
    slots = (
        FormSlot.objects.filter(module__form=form)
        .select_related("question")
        .prefetch_related("question__options")
        .order_by("module_id", "position")
    )
    modules: dict[int, list[Item]] = {}
    for slot in slots:
        question = slot.question
        question.fill_defaults()
        if question.type == Question.Type.MCQ:
            labels = sorted(option.label for option in question.options.all())
            right = next(option.label for option in question.options.all() if option.is_correct)
            wrong = tuple(label for label in labels if label != right)
        else:
            right = question.spr_answers[0]
            wrong = tuple(v for v in SPR_WRONG if not spr_matches(v, question.spr_answers))[:1]
        modules.setdefault(slot.module_id, []).append(
            Item(position=slot.position, a=question.irt_a, b=question.irt_b, right=right, wrong=wrong)
        )
    return modules


def _make_learners(count: int) -> list[User]:
    # A token per run, so two runs side by side never wait on each other's uncommitted usernames.
    token = uuid.uuid4().hex[:6]
    names = [f"sim-{number:06d}-{token}" for number in range(1, count + 1)]
    users = User.objects.bulk_create(
        User(username=name, email=f"{name}@simulated.invalid", password=make_password(None)) for name in names
    )
    Profile.objects.bulk_create(Profile(user=user, display_name=user.username) for user in users)
    return users


def _sit(user: User, form: TestForm, theta: dict, modules: dict, rnd: random.Random):
    """One learner sits the whole form; returns the completed attempt and whether each section's module 2
    was the harder one."""
    now = START
    attempt = fulltest_start(learner=user, form=form, now=now).attempt
    harder = {}
    for phase in MODULE_PHASES:
        section = SECTION_OF[phase]
        if phase == Phase.MATH1:
            attempt = fulltest_break_end(attempt=attempt, now=now)
        module_attempt = TestModuleAttempt.objects.select_related("module").get(attempt=attempt, phase=phase)
        items = modules[module_attempt.module_id]
        if phase in (Phase.RW2, Phase.MATH2):
            harder[section] = module_attempt.module.variant == HARDER
        now = module_attempt.started_at
        gap = (module_attempt.deadline - module_attempt.started_at) / (len(items) + 2)
        for item in items:
            now += gap
            correct = testsim.answers_correctly(theta[section], item.a, item.b, rnd)
            fulltest_save(
                learner=user,
                attempt_id=attempt.pk,
                phase=phase,
                position=item.position,
                changes={"given": item.right if correct else rnd.choice(item.wrong)},
                now=now,
            )
        now += gap
        attempt = fulltest_module_submit(attempt=attempt, phase=phase, now=now)
    return attempt, harder
