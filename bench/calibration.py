"""Item calibration on simulated answers: how well the engine recovers known item parameters.

    .venv/bin/python -m bench.calibration [--learners 5000] [--items 60] [--seed 2026]

Learners with abilities theta ~ N(0, 1) answer items with a in [0.6, 2.0] and b in [-2.5, 2.5] under
the 2PL; `practice.engine.calibration` estimates (a, b) by marginal maximum likelihood. Prints, per
scenario, the correlations and RMSEs of the estimates against the truth, the EM iterations and the
time taken. Goals (the unit test's): r(b) >= 0.9 and r(a) >= 0.7.

Scenarios: the unit test's size (2,000 x 40); the full size given; a sparse design where each learner
answers a third of the items (as learners meet a bank); 3PL answers with c = 0.25 calibrated with c
held fixed (the bank's multiple-choice items); and an abler, wider population (N(0.8, 1.4^2)) whose
standardised estimates are linked back to the true scale by mean/sigma on all items.
"""

import argparse
import math
import random
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from practice.engine.calibration import (
    calibrate_2pl,
    correlation,
    link_scales,
    simulate_items,
    simulate_responses,
)
from practice.engine.irt import ItemParams, p_correct


def _rmse(xs, ys) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs))


def scenario(
    name: str,
    *,
    learners: int,
    items: int,
    seed: int,
    share: float = 1.0,
    guessing: float = 0.0,
    mean: float = 0.0,
    sd: float = 1.0,
    link: bool = False,
) -> dict:
    rng = random.Random(seed)
    truth = [ItemParams(a=p.a, b=p.b, c=guessing) for p in simulate_items(items, rng)]
    thetas = [rng.gauss(mean, sd) for _ in range(learners)]
    if guessing:
        responses = [{j: rng.random() < p_correct(t, item) for j, item in enumerate(truth)} for t in thetas]
    else:
        responses = simulate_responses(thetas, truth, rng)
    if share < 1.0:
        responses = [{j: v for j, v in row.items() if rng.random() < share} for row in responses]
    started = time.perf_counter()
    result = calibrate_2pl(responses, guessing=dict.fromkeys(range(items), guessing))
    seconds = time.perf_counter() - started
    estimates = dict(result.items)
    if link:
        linking = link_scales(estimates, dict(enumerate(truth)))
        estimates = {j: linking.apply(p) for j, p in estimates.items()}
    est = [estimates[j] for j in range(items)]
    return {
        "scenario": name,
        "learners": learners,
        "items": items,
        "answers": sum(len(row) for row in responses),
        "r_b": correlation([e.b for e in est], [t.b for t in truth]),
        "r_a": correlation([e.a for e in est], [t.a for t in truth]),
        "rmse_b": _rmse([e.b for e in est], [t.b for t in truth]),
        "rmse_a": _rmse([e.a for e in est], [t.a for t in truth]),
        "iterations": result.iterations,
        "seconds": seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.learners < 10 or args.items < 2:
        parser.error("need at least 10 learners and 2 items")
    n, m, seed = args.learners, args.items, args.seed
    rows = [
        scenario("unit-test size", learners=2000, items=40, seed=seed),
        scenario("full", learners=n, items=m, seed=seed),
        scenario("sparse (1/3 of items each)", learners=n, items=m, seed=seed, share=1 / 3),
        scenario("3PL, c = 0.25 held fixed", learners=n, items=m, seed=seed, guessing=0.25),
        scenario("N(0.8, 1.4^2), linked", learners=n, items=m, seed=seed, mean=0.8, sd=1.4, link=True),
    ]
    print(
        f"{'scenario':<28} {'learners':>8} {'items':>5} {'answers':>8} {'r(b)':>6} {'r(a)':>6} "
        f"{'RMSE b':>7} {'RMSE a':>7} {'EM it':>5} {'s':>6}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<28} {r['learners']:>8} {r['items']:>5} {r['answers']:>8} "
            f"{r['r_b']:>6.3f} {r['r_a']:>6.3f} {r['rmse_b']:>7.3f} {r['rmse_a']:>7.3f} "
            f"{r['iterations']:>5} {r['seconds']:>6.1f}"
        )
    failed = [r["scenario"] for r in rows if r["r_b"] < 0.9 or r["r_a"] < 0.7]
    print("goals r(b) >= 0.9 and r(a) >= 0.7:", "met" if not failed else f"missed by {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
