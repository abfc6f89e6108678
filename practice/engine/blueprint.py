"""The test-form blueprint: what a full-length form must be before it is published. Pure Python.

Per section a form has a routing module 1 and an easier and a harder module 2. Each module holds the
section's operational items plus exactly two unscored pretest items, and:

- module 1 mixes the levels: at least a quarter of its operational items are easy, a quarter medium
  and a quarter hard;
- the easier module 2 has at most 10% hard operational items and more easy than hard ones; the harder
  module 2 the reverse (at most 10% easy, more hard than easy);
- each domain's operational count is within 1 of its share of the section (largest-remainder rounding
  of weight times operational count);
- in Reading and Writing the items run in domain order (Craft and Structure, Information and Ideas,
  Standard English Conventions, Expression of Ideas) and, within a domain, from easier to harder;
- every item is published and of the module's section, and no item appears twice in the form.

`practice.services.forms.form_problems` turns a form's rows into `ModuleItems` and asks `form_problems`.
"""

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

READING_AND_WRITING = "Reading and Writing"
MATH = "Math"
EASY, MEDIUM, HARD = "easy", "medium", "hard"
DIFFICULTIES = (EASY, MEDIUM, HARD)
DIFFICULTY_RANK = {EASY: 0, MEDIUM: 1, HARD: 2}
ROUTING, EASIER, HARDER = "routing", "easier", "harder"
MODULES = ((1, ROUTING), (2, EASIER), (2, HARDER))  # (stage, variant) of each section's three modules
RW_DOMAIN_ORDER = (
    "Craft and Structure",
    "Information and Ideas",
    "Standard English Conventions",
    "Expression of Ideas",
)
DOMAIN_TOLERANCE = 1  # a domain may be one item over or under its rounded share
MIN_SHARE_IN_ROUTING = Fraction(1, 4)  # of each level in module 1
MAX_OFF_LEVEL_SHARE = Fraction(1, 10)  # hard items in the easier module, easy ones in the harder


@dataclass(frozen=True)
class SectionSpec:
    length: int  # slots per module, pretest included
    pretest: int
    minutes: int
    domain_order: tuple[str, ...] = ()  # the order items must follow, when the section has one

    @property
    def operational(self) -> int:
        return self.length - self.pretest

    @property
    def time_limit_seconds(self) -> int:
        return self.minutes * 60


SECTIONS = {
    READING_AND_WRITING: SectionSpec(length=27, pretest=2, minutes=32, domain_order=RW_DOMAIN_ORDER),
    MATH: SectionSpec(length=22, pretest=2, minutes=35),
}


@dataclass(frozen=True)
class SlotItem:
    position: int
    question_id: int
    label: str  # the question's external id (or #pk), as messages name it
    section: str
    domain: str
    difficulty: str
    published: bool
    pretest: bool = False


@dataclass(frozen=True)
class ModuleItems:
    section: str
    stage: int
    variant: str
    length: int
    time_limit_seconds: int
    slots: tuple[SlotItem, ...]

    @property
    def name(self) -> str:
        return f"{self.section} module {self.stage} ({self.variant})"


def largest_remainder(weights: dict[str, Fraction | float | int], count: int) -> dict[str, int]:
    """Share `count` out in proportion to `weights`: floors, then one more each to the largest
    remainders (ties to the key listed first). The result sums to `count`."""
    total = sum(Fraction(str(w)) for w in weights.values())
    if total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {key: Fraction(str(w)) * count / total for key, w in weights.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    order = sorted(exact, key=lambda key: (-(exact[key] - shares[key]), list(exact).index(key)))
    for key in order[: count - sum(shares.values())]:
        shares[key] += 1
    return shares


def difficulty_bounds(variant: str, operational: int) -> dict[str, tuple[int, int]]:
    """The (minimum, maximum) operational count of each level a module of this variant allows."""
    if variant == ROUTING:
        least = math.ceil(operational * MIN_SHARE_IN_ROUTING)
        return dict.fromkeys(DIFFICULTIES, (least, operational))
    most = math.floor(operational * MAX_OFF_LEVEL_SHARE)
    off = HARD if variant == EASIER else EASY
    return {level: (0, most if level == off else operational) for level in DIFFICULTIES}


def module_problems(module: ModuleItems, weights: dict[str, float]) -> list[str]:
    """Everything wrong with one module, each as a sentence naming the module."""
    spec = SECTIONS.get(module.section)
    if spec is None:
        return [f"{module.name}: no blueprint for the section {module.section}."]
    problems = _shape_problems(module, spec)
    if not module.slots:
        return [f"{module.name}: {problem}" for problem in problems]  # an empty module: no more to say
    problems += _item_problems(module)
    operational = [slot for slot in module.slots if not slot.pretest]
    problems += _difficulty_problems(module, operational)
    problems += _domain_problems(module, operational, weights)
    if spec.domain_order:
        problems += _order_problems(module, spec.domain_order)
    return [f"{module.name}: {problem}" for problem in problems]


def form_problems(modules: list[ModuleItems], weights: dict[str, dict[str, float]]) -> list[str]:
    """Everything that keeps a form from meeting the blueprint; an empty list means it may be published.

    `weights` maps each section to its domains' weights, in the section's domain order.
    """
    problems = []
    present = Counter((module.section, module.stage, module.variant) for module in modules)
    for section in SECTIONS:
        for stage, variant in MODULES:
            if not present[(section, stage, variant)]:
                problems.append(f"{section} has no module {stage} ({variant}).")
    for module in modules:
        problems += module_problems(module, weights.get(module.section, {}))
    places: dict[int, list[str]] = {}
    labels = {}
    for module in modules:
        for slot in module.slots:
            places.setdefault(slot.question_id, []).append(f"{module.name} position {slot.position}")
            labels[slot.question_id] = slot.label
    for question_id, where in places.items():
        if len(where) > 1:
            problems.append(
                f"Item {labels[question_id]} appears {len(where)} times in the form: {'; '.join(where)}."
            )
    return problems


def _a(variant: str) -> str:
    return f"{'an' if variant[0] in 'aeiou' else 'a'} {variant}"


def _items(count: int, kind: str = "") -> str:
    return " ".join(filter(None, [str(count), kind, "item" if count == 1 else "items"]))


def _shape_problems(module: ModuleItems, spec: SectionSpec) -> list[str]:
    problems = []
    if module.length != spec.length:
        problems.append(f"its length is {module.length}; the blueprint says {spec.length}.")
    if module.time_limit_seconds != spec.time_limit_seconds:
        problems.append(
            f"its time limit is {module.time_limit_seconds} s; the blueprint says "
            f"{spec.time_limit_seconds} s ({spec.minutes} min)."
        )
    if len(module.slots) != spec.length:
        problems.append(
            f"it has {_items(len(module.slots))}; it needs {spec.length} "
            f"({spec.operational} operational and {spec.pretest} pretest)."
        )
    positions = sorted(slot.position for slot in module.slots)
    if positions != list(range(1, len(positions) + 1)):
        problems.append("its positions must run from 1 without gaps.")
    pretest = sum(slot.pretest for slot in module.slots)
    if module.slots and pretest != spec.pretest:
        problems.append(f"it has {_items(pretest, 'pretest')}; it needs exactly {spec.pretest}.")
    return problems


def _item_problems(module: ModuleItems) -> list[str]:
    problems = []
    for slot in module.slots:
        if not slot.published:
            problems.append(f"item {slot.label} (position {slot.position}) is not published.")
        if slot.section != module.section:
            problems.append(f"item {slot.label} (position {slot.position}) is a {slot.section} item.")
    return problems


def _difficulty_problems(module: ModuleItems, operational: list[SlotItem]) -> list[str]:
    counts = Counter(slot.difficulty for slot in operational)
    total = len(operational)
    problems = []
    for level, (least, most) in difficulty_bounds(module.variant, total).items():
        if counts[level] < least:
            problems.append(
                f"it has {_items(counts[level], f'{level} operational')}; module 1 needs at least a quarter "
                f"of each level ({least} of {total})."
            )
        elif counts[level] > most:
            problems.append(
                f"it has {_items(counts[level], f'{level} operational')}; "
                f"{_a(module.variant)} module allows at most 10% ({most} of {total})."
            )
    if module.variant in (EASIER, HARDER):
        more, fewer = (EASY, HARD) if module.variant == EASIER else (HARD, EASY)
        if counts[more] <= counts[fewer]:
            problems.append(
                f"{_a(module.variant)} module needs more {more} than {fewer} operational items "
                f"(it has {counts[more]} {more} and {counts[fewer]} {fewer})."
            )
    return problems


def _domain_problems(
    module: ModuleItems, operational: list[SlotItem], weights: dict[str, float]
) -> list[str]:
    counts = Counter(slot.domain for slot in operational)
    quotas = largest_remainder(weights, len(operational))
    problems = []
    for domain, quota in quotas.items():
        if abs(counts[domain] - quota) > DOMAIN_TOLERANCE:
            problems.append(
                f"it has {_items(counts[domain], f'{domain} operational')}; the domain weights call for "
                f"{quota} (±{DOMAIN_TOLERANCE})."
            )
    for domain in sorted(set(counts) - set(quotas)):
        problems.append(
            f"it has {_items(counts[domain], 'operational')} in {domain}, a domain with no weight."
        )
    return problems


def _order_problems(module: ModuleItems, order: tuple[str, ...]) -> list[str]:
    problems = []
    slots = [slot for slot in sorted(module.slots, key=lambda s: s.position) if slot.domain in order]
    for before, after in itertools.pairwise(slots):
        if order.index(after.domain) < order.index(before.domain):
            problems.append(
                f"item {after.label} ({after.domain}, position {after.position}) comes after "
                f"{before.domain}; items run in domain order: {', '.join(order)}."
            )
            break
    for before, after in itertools.pairwise(slots):
        if (
            after.domain == before.domain
            and DIFFICULTY_RANK[after.difficulty] < DIFFICULTY_RANK[before.difficulty]
        ):
            problems.append(
                f"item {after.label} ({after.difficulty}, position {after.position}) follows a "
                f"{before.difficulty} item; within a domain items run from easier to harder."
            )
            break
    return problems
