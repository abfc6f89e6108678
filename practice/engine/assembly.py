"""Assembling one section of a test form from a pool of items so that it meets the blueprint. Pure Python.

Each module's operational items are shared out over the domains by their weights and over the levels
by the variant's mix (`LEVEL_MIX`): the domains are filled in order, each taking the levels still
needed in proportion, so the section's totals come out exact. Within a (domain, level) the item is the
least used by other forms, ties broken by a seeded shuffle; so the same pool and seed give the same
form, and later forms take fresh items while the bank has them. Pretest items come last: any item of
the section not yet in the form, again the least used first. Slots are ordered as the blueprint wants
(Reading and Writing by domain, then level; Math by level), ties by IRT difficulty.
"""

import random
from collections import Counter
from dataclasses import dataclass

from .blueprint import (
    DIFFICULTIES,
    DIFFICULTY_RANK,
    EASIER,
    HARDER,
    ROUTING,
    SectionSpec,
    largest_remainder,
)

# The levels of each variant's operational items, in proportion: module 1 an even mix, the easier
# module about half easy and 8% hard, the harder module the mirror image. Each stays inside the
# blueprint's bounds with a margin.
LEVEL_MIX = {
    ROUTING: {"medium": 1, "easy": 1, "hard": 1},
    EASIER: {"easy": 50, "medium": 42, "hard": 8},
    HARDER: {"hard": 50, "medium": 42, "easy": 8},
}


class AssemblyError(Exception):
    """The pool cannot fill the section as the blueprint asks."""


@dataclass(frozen=True)
class Candidate:
    question_id: int
    domain: str
    difficulty: str
    irt_b: float = 0.0
    uses: int = 0  # how many other forms already hold the item


@dataclass(frozen=True)
class Placed:
    question_id: int
    pretest: bool


def assemble_section(
    *,
    spec: SectionSpec,
    weights: dict[str, float],
    pool: list[Candidate],
    seed: str,
) -> dict[str, list[Placed]]:
    """The ordered slots of the section's three modules (routing, easier, harder), from `pool`."""
    rng = random.Random(seed)
    shuffle = {c.question_id: rng.random() for c in sorted(pool, key=lambda c: c.question_id)}
    ranked = sorted(pool, key=lambda c: (c.uses, shuffle[c.question_id]))
    by_cell: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in ranked:
        by_cell.setdefault((candidate.domain, candidate.difficulty), []).append(candidate)
    domains = [d for d in spec.domain_order if d in weights] + [
        d for d in weights if d not in spec.domain_order
    ]
    taken: set[int] = set()
    chosen = {}
    for left, variant in enumerate((ROUTING, EASIER, HARDER)):
        chosen[variant] = _operational(spec, weights, domains, variant, by_cell, taken, modules_left=3 - left)
    modules = {}
    for variant in (ROUTING, EASIER, HARDER):
        pretest = [c for c in ranked if c.question_id not in taken][: spec.pretest]
        if len(pretest) < spec.pretest:
            raise AssemblyError(f"Not enough items left for {spec.pretest} pretest items per module.")
        taken.update(c.question_id for c in pretest)
        items = [(c, False) for c in chosen[variant]] + [(c, True) for c in pretest]
        items.sort(key=lambda pair: _order_key(pair[0], spec, domains))
        modules[variant] = [Placed(question_id=c.question_id, pretest=pretest) for c, pretest in items]
    return modules


def _operational(spec, weights, domains, variant, by_cell, taken, modules_left) -> list[Candidate]:
    count = spec.operational
    quotas = _shifted_quotas(largest_remainder(weights, count), by_cell, taken, modules_left)
    remaining = largest_remainder(LEVEL_MIX[variant], count)
    picked = []
    for domain in domains:
        quota = quotas[domain]
        left = sum(remaining.values())
        ideal = {level: quota * remaining[level] / left if left else 0 for level in DIFFICULTIES}
        here = Counter()
        for _ in range(quota):
            open_levels = [lv for lv in DIFFICULTIES if _free(by_cell, domain, lv, taken)]
            wanted = [lv for lv in open_levels if remaining[lv] - here[lv] > 0] or open_levels
            if not wanted:
                raise AssemblyError(f"Not enough published {domain} items for the {variant} module.")
            level = max(
                wanted,
                key=lambda lv: (
                    _free(by_cell, domain, lv, taken).uses == 0,
                    ideal[lv] - here[lv],
                    remaining[lv] - here[lv],
                ),
            )
            candidate = _free(by_cell, domain, level, taken)
            taken.add(candidate.question_id)
            picked.append(candidate)
            here[level] += 1
        for level in DIFFICULTIES:
            remaining[level] = max(0, remaining[level] - here[level])
    return picked


def _shifted_quotas(quotas: dict[str, int], by_cell, taken: set[int], modules_left: int) -> dict[str, int]:
    """Move up to one item per domain (the blueprint's tolerance) from domains whose items no form holds
    yet will not last this section's remaining modules to domains with such items to spare, so later
    forms reuse fewer items."""
    fresh = Counter(
        domain
        for (domain, _), cands in by_cell.items()
        for c in cands
        if c.uses == 0 and c.question_id not in taken
    )
    shifted = dict(quotas)
    for short in sorted(quotas, key=lambda d: fresh[d] - quotas[d] * modules_left):
        if fresh[short] >= shifted[short] * modules_left:
            break
        spare = [
            d
            for d in quotas
            if shifted[d] == quotas[d] and fresh[d] > (shifted[d] + 1) * modules_left and d != short
        ]
        if spare:
            richest = max(spare, key=lambda d: fresh[d] - shifted[d] * modules_left)
            shifted[short] -= 1
            shifted[richest] += 1
    return shifted


def _free(by_cell, domain: str, level: str, taken: set[int]) -> Candidate | None:
    return next((c for c in by_cell.get((domain, level), ()) if c.question_id not in taken), None)


def _order_key(candidate: Candidate, spec: SectionSpec, domains: list[str]):
    level = DIFFICULTY_RANK[candidate.difficulty]
    if spec.domain_order:
        return (domains.index(candidate.domain), level, candidate.irt_b, candidate.question_id)
    return (level, candidate.irt_b, domains.index(candidate.domain), candidate.question_id)
