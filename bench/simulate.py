"""Simulated learners answering through the real learning engine under a 2PL model.

    .venv/bin/python bench/simulate.py [--learners 400] [--items 30] [--seed 7]

Each learner has a known section ability and skill abilities scattered around it. They answer items
from a bank shaped like the Digital SAT (domains, shares and skills per section), chosen either by the
engine's adaptive selection or at random, and the engine's estimates after every answer are compared
with the truth. Prints, per section and overall:
- RMSE of the predicted section score against the true score after N adaptive items (goal <= 60);
- how often the 90% band covers the true score (goal >= 85%);
- items adaptive selection needs to match random selection's precision after N items (goal <= 60%).
"""

import argparse
import math
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepnexus.settings")

from practice.engine.ability import (
    SectionEstimate,
    SkillState,
    estimate_section,
    skill_weights,
    update_skill,
)
from practice.engine.irt import ItemParams, p_correct
from practice.engine.scores import predict_section, scale_section
from practice.engine.selection import Candidate, select_items

# Section -> domain -> (share, number of skills); the shares are the Digital SAT's.
SECTIONS = {
    "Reading and Writing": {
        "Information and Ideas": (26, 3),
        "Craft and Structure": (28, 3),
        "Expression of Ideas": (20, 2),
        "Standard English Conventions": (26, 2),
    },
    "Math": {
        "Algebra": (35, 5),
        "Advanced Math": (35, 3),
        "Problem-Solving and Data Analysis": (15, 7),
        "Geometry and Trigonometry": (15, 4),
    },
}
ITEMS_PER_SKILL = 60
TRUE_SKILL_SPREAD = 0.3


def build_bank(section: str, rng: random.Random):
    domains = {d: (share, [f"{d}/{i}" for i in range(k)]) for d, (share, k) in SECTIONS[section].items()}
    weights = skill_weights(domains)
    bank = [
        Candidate(
            key=(skill, j),
            skill=skill,
            item=ItemParams(a=rng.uniform(0.8, 2.0), b=max(min(rng.gauss(0, 1.3), 3.0), -3.0), c=0.0),
        )
        for skill in weights
        for j in range(ITEMS_PER_SKILL)
    ]
    return weights, bank


def run_learner(bank, weights, n_items, adaptive, rng):
    theta_s = rng.gauss(0, 1)
    truth = {k: theta_s + rng.gauss(0, TRUE_SKILL_SPREAD) for k in weights}
    true_t = sum(w * truth[k] for k, w in weights.items())
    states: dict = {}
    used: set = set()
    counts: dict = {}
    trace = []
    pool = list(bank)
    rng.shuffle(pool)
    for step in range(n_items):
        if adaptive:
            est = estimate_section(states, weights)
            [cand] = select_items(
                bank, estimates=est.skills, weights=weights, n=1, recent=used, already=counts
            )
        else:
            cand = pool[step]
        used.add(cand.key)
        counts[cand.skill] = counts.get(cand.skill, 0) + 1
        correct = rng.random() < p_correct(truth[cand.skill], cand.item)
        states[cand.skill] = update_skill(states.get(cand.skill, SkillState()), cand.item, correct)
        est = estimate_section(states, weights)
        trace.append((est.theta, est.sd))
    return true_t, trace


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db",
        type=int,
        metavar="LEARNERS",
        default=0,
        help="Also run LEARNERS simulated learners through the real services on a throwaway PostgreSQL.",
    )
    args = parser.parse_args()
    if args.db:
        run_on_database(args.db, args.items, args.seed)
    rng = random.Random(args.seed)
    n = args.items
    print(f"{args.learners} simulated learners per section, {n} items per section, 2PL responses\n")
    all_ok = True
    summary = []
    for section in SECTIONS:
        weights, bank = build_bank(section, rng)
        sq = {"adaptive": [0.0] * n, "random": [0.0] * n}
        final_sq = covered = 0
        for _ in range(args.learners):
            for mode in ("adaptive", "random"):
                true_t, trace = run_learner(bank, weights, n, mode == "adaptive", rng)
                for i, (theta, _sd) in enumerate(trace):
                    sq[mode][i] += (SCALE(theta) - SCALE(true_t)) ** 2
                if mode == "adaptive":
                    theta, sd = trace[-1]
                    truth = scale_section(true_t)
                    pred = predict_section(SectionEstimate(theta, sd, n, {}))
                    final_sq += (pred.score - truth) ** 2
                    covered += pred.low <= truth <= pred.high
        rmse = {m: [math.sqrt(v / args.learners) for v in vals] for m, vals in sq.items()}
        score_rmse = math.sqrt(final_sq / args.learners)
        coverage = covered / args.learners
        target = rmse["random"][-1]
        need = next((i + 1 for i, v in enumerate(rmse["adaptive"]) if v <= target), None)
        ratio = (need or math.inf) / n
        ok = score_rmse <= 60 and coverage >= 0.85 and ratio <= 0.60
        all_ok &= ok
        summary.append((section, score_rmse, coverage, need, ratio))
        print(f"== {section}: {len(weights)} skills, {len(bank)} items")
        print(f"   RMSE of predicted section score after {n} adaptive items: {score_rmse:.1f} (goal <= 60)")
        print(f"   90% band covers the true score: {coverage:.1%} (goal >= 85%)")
        print(f"   RMSE after {n} random items: {target:.1f} points; adaptive reaches it after {need} items")
        print(f"   adaptive/random items for the same precision: {ratio:.0%} (goal <= 60%)")
        curve = ", ".join(
            f"{i}:{rmse['adaptive'][i - 1]:.0f}/{rmse['random'][i - 1]:.0f}" for i in (5, 10, 15, 20, 25, n)
        )
        print(f"   RMSE adaptive/random by items answered: {curve}\n")
    print("ALL GOALS MET" if all_ok else "SOME GOALS MISSED")
    return 0 if all_ok else 1


def run_on_database(learners: int, items: int, seed: int) -> None:
    """bench/simulate_learners.py on a private PostgreSQL and Redis (answer_submit, matched sessions)."""
    from tests.harness.servers import Gunicorn, ThrowawayPostgres, ThrowawayRedis

    pg = ThrowawayPostgres().start()
    redis = ThrowawayRedis().start()
    try:
        env = {
            "DATABASE_URL": pg.create_database("prepnexus_sim"),
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "sim",
            "DJANGO_SECRET_KEY": "simulation-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "LOG_LEVEL": "WARNING",
        }
        app = Gunicorn(env)  # used only for its runners; no server is started
        app.manage("migrate", "--noinput")
        out = app.python(
            "-m", "bench.simulate_learners", f"--learners={learners}", f"--items={items}", f"--seed={seed}"
        )
        print("== Through the real services on PostgreSQL (bench/simulate_learners.py)")
        print("   " + out.stdout.strip().splitlines()[-1] + "\n")
    finally:
        redis.stop()
        pg.destroy()


def SCALE(theta):
    return 500 + 100 * theta


if __name__ == "__main__":
    sys.exit(main())
