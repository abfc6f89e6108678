"""Online ability estimates.

Each (learner, skill) keeps a Gaussian posterior N(mean, var) for the skill's ability theta under a
N(0, 1) prior. An answer updates it by assumed-density filtering: multiply the Gaussian by the 3PL
likelihood of the response on a fixed grid, then match the first two moments (an exact EAP step for one
response, then a Gaussian summary). Two floats per skill, O(grid) per answer, order-independent enough
for practice, and it always has a standard error.

A section's ability combines its skills hierarchically: theta_skill = theta_section + delta_skill with
delta_skill ~ N(0, SKILL_SPREAD^2). Skills with little data borrow strength from the section instead of
shrinking to the population mean, which is what makes 30 answers spread over many skills enough.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .irt import ItemParams, p_correct

PRIOR_MEAN = 0.0
PRIOR_VAR = 1.0
# How far one skill's ability typically sits from the learner's section ability (logits).
SKILL_SPREAD = 0.35
GRID = tuple(-5.0 + i * 0.1 for i in range(101))
# Keep a skill's posterior from collapsing after very long, perfectly consistent runs.
MIN_VAR = 0.01


@dataclass(frozen=True, slots=True)
class SkillState:
    """Posterior N(mean, var) of one skill's ability, plus answer counts."""

    mean: float = PRIOR_MEAN
    var: float = PRIOR_VAR
    n: int = 0
    n_correct: int = 0

    @property
    def sd(self) -> float:
        return math.sqrt(self.var)


def update_skill(state: SkillState, item: ItemParams, correct: bool) -> SkillState:
    """Fold one response into a skill's Gaussian posterior (moment-matched grid update)."""
    sd = math.sqrt(state.var)
    lo, hi = state.mean - 6 * sd, state.mean + 6 * sd
    total = s1 = s2 = 0.0
    for x in GRID:
        if x < lo or x > hi:
            continue
        prior = math.exp(-0.5 * (x - state.mean) ** 2 / state.var)
        p = p_correct(x, item)
        w = prior * (p if correct else 1.0 - p)
        total += w
        s1 += w * x
        s2 += w * x * x
    if total <= 0.0:  # numerically impossible response far out in the tail: leave the state alone
        return SkillState(state.mean, state.var, state.n + 1, state.n_correct + int(correct))
    mean = s1 / total
    var = max(s2 / total - mean * mean, MIN_VAR)
    return SkillState(mean, var, state.n + 1, state.n_correct + int(correct))


def skill_likelihood(state: SkillState) -> tuple[float, float]:
    """The Gaussian likelihood the answers contributed: (centre, precision); precision 0 means no data."""
    precision = max(1.0 / state.var - 1.0 / PRIOR_VAR, 0.0)
    if precision < 1e-9:
        return 0.0, 0.0
    centre = (state.mean / state.var - PRIOR_MEAN / PRIOR_VAR) / precision
    return centre, precision


@dataclass(frozen=True, slots=True)
class SectionEstimate:
    """A section's ability (theta, sd) and every skill's hierarchical estimate (mean, sd)."""

    theta: float
    sd: float
    n: int
    skills: Mapping[object, tuple[float, float]]


def estimate_section(states: Mapping[object, SkillState], weights: Mapping[object, float]) -> SectionEstimate:
    """Combine skill states into the section ability, weighted by each skill's share of the section.

    `weights` maps every skill of the section to its share (they sum to 1); skills missing from
    `states` have no answers yet. The returned theta is the weighted mean of the skills' abilities,
    T = sum_k w_k theta_k, with its posterior sd.
    """
    # 1. Section ability: prior N(0, 1) times each skill's marginal likelihood N(m_k, 1/p_k + spread^2).
    tau2 = SKILL_SPREAD**2
    lik = {k: skill_likelihood(states[k]) if k in states else (0.0, 0.0) for k in weights}
    prec_s = 1.0 / PRIOR_VAR
    num = PRIOR_MEAN / PRIOR_VAR
    for centre, precision in lik.values():
        if precision > 0:
            v = 1.0 / precision + tau2
            prec_s += 1.0 / v
            num += centre / v
    mu_s, var_s = num / prec_s, 1.0 / prec_s
    # 2. Given the section ability, each skill is shrunk toward it by r_k = tau^2 / (tau^2 + 1/p_k).
    skills = {}
    pull = 0.0  # sum_k w_k r_k
    direct = 0.0  # sum_k w_k r_k m_k
    resid = 0.0  # sum_k w_k^2 s_k^2
    for k, w in weights.items():
        centre, precision = lik[k]
        r = tau2 * precision / (tau2 * precision + 1.0)
        s2 = tau2 / (1.0 + tau2 * precision)
        mean_k = (1.0 - r) * mu_s + r * centre
        var_k = (1.0 - r) ** 2 * var_s + s2
        skills[k] = (mean_k, math.sqrt(var_k))
        pull += w * r
        direct += w * r * centre
        resid += w * w * s2
    theta = (1.0 - pull) * mu_s + direct
    var = (1.0 - pull) ** 2 * var_s + resid
    n = sum(states[k].n for k in weights if k in states)
    return SectionEstimate(theta=theta, sd=math.sqrt(var), n=n, skills=skills)


def skill_weights(domains: Mapping[object, tuple[float, list]]) -> dict[object, float]:
    """Spread each domain's share of the section evenly over its skills.

    `domains` maps a domain to (share, [skill keys]); shares are normalised so they sum to 1.
    """
    total = sum(share for share, skills in domains.values() if skills) or 1.0
    weights: dict[object, float] = {}
    for share, skills in domains.values():
        for skill in skills:
            weights[skill] = share / total / len(skills)
    return weights


def grid_posterior(responses, grid=GRID) -> tuple[float, float]:
    """(posterior mean, posterior sd) of one ability from 2PL responses [(a, b, correct)], exactly, on
    `grid` under the N(0, 1) prior. Routing (module 1) and a full test's pattern scoring use it."""
    items = [(ItemParams(a=a, b=b), bool(correct)) for a, b, correct in responses]
    logs = []
    for x in grid:
        log = -0.5 * (x - PRIOR_MEAN) ** 2 / PRIOR_VAR
        for item, correct in items:
            p = p_correct(x, item)
            log += math.log(max(p if correct else 1.0 - p, 1e-300))
        logs.append(log)
    top = max(logs)
    weights = [math.exp(log - top) for log in logs]
    total = sum(weights)
    mean = sum(w * x for w, x in zip(weights, grid, strict=True)) / total
    var = sum(w * (x - mean) ** 2 for w, x in zip(weights, grid, strict=True)) / total
    return mean, math.sqrt(max(var, 0.0))
