"""Adaptive ("matched to me") item selection.

Greedy, one item at a time:
1. Content balance: each skill has a target share of the session (its share of the section from the
   domain weights). The next skill is the one furthest below its target, with a bonus for weak skills
   (low expected accuracy), so weak skills come first and no skill is starved.
2. Within that skill, the item with the most Fisher information at the skill's current estimate.
3. Items answered recently are skipped while anything else is left.
The returned order puts the weakest skills' items first.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from .irt import ItemParams, information
from .mastery import expected_accuracy

WEAKNESS_BONUS = 1.5


@dataclass(frozen=True, slots=True)
class Candidate:
    key: Hashable
    skill: Hashable
    item: ItemParams


def select_items(
    candidates: Iterable[Candidate],
    *,
    estimates: Mapping[Hashable, tuple[float, float]],
    weights: Mapping[Hashable, float],
    n: int,
    recent: frozenset | set = frozenset(),
    already: Mapping[Hashable, int] | None = None,
) -> list[Candidate]:
    """Pick n candidates for a learner whose skill estimates are `estimates` (skill -> (mean, sd)).

    `already` counts items per skill answered earlier in the same session (for balance across calls).
    """
    fresh: dict[Hashable, list[Candidate]] = {}
    stale: dict[Hashable, list[Candidate]] = {}
    for cand in candidates:
        (stale if cand.key in recent else fresh).setdefault(cand.skill, []).append(cand)
    counts: Counter = Counter(already or {})
    total = sum(counts.values())
    chosen: list[Candidate] = []
    for _ in range(n):
        pools = fresh if any(fresh.values()) else stale
        skills = [s for s, items in pools.items() if items]
        if not skills:
            break

        def priority(skill, total=total):
            mean = estimates.get(skill, (0.0, 1.0))[0]
            target = weights.get(skill, 0.0) * (total + 1)
            return (
                target
                - counts[skill]
                + WEAKNESS_BONUS * weights.get(skill, 0.0) * (1.0 - expected_accuracy(mean))
            )

        skill = max(skills, key=priority)
        theta = estimates.get(skill, (0.0, 1.0))[0]
        items = pools[skill]
        best = max(range(len(items)), key=lambda i: information(theta, items[i].item))
        chosen.append(items.pop(best))
        counts[skill] += 1
        total += 1
    weakness = {c.skill: expected_accuracy(estimates.get(c.skill, (0.0, 1.0))[0]) for c in chosen}
    return sorted(chosen, key=lambda c: weakness[c.skill])
