"""Item calibration: parameter recovery on simulated 2PL data, linking, and all-right/all-wrong items."""

import math
import random

import pytest

from practice.engine.calibration import (
    A_BOUNDS,
    B_BOUNDS,
    Linking,
    calibrate_2pl,
    correlation,
    link_scales,
    simulate_items,
    simulate_responses,
)
from practice.engine.irt import ItemParams, p_correct


def _rmse(xs, ys) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs))


def test_recovers_known_2pl_parameters():
    rng = random.Random(2026)
    items = simulate_items(40, rng)
    thetas = [rng.gauss(0.0, 1.0) for _ in range(2000)]
    result = calibrate_2pl(simulate_responses(thetas, items, rng))
    estimates = [result.items[j] for j in range(len(items))]
    r_b = correlation([e.b for e in estimates], [i.b for i in items])
    r_a = correlation([e.a for e in estimates], [i.a for i in items])
    print(
        f"\n2,000 learners x 40 items: r(b) = {r_b:.3f}, r(a) = {r_a:.3f}, "
        f"RMSE b = {_rmse([e.b for e in estimates], [i.b for i in items]):.3f}, "
        f"RMSE a = {_rmse([e.a for e in estimates], [i.a for i in items]):.3f}, "
        f"{result.iterations} EM iterations"
    )
    assert result.converged
    assert r_b >= 0.9 and r_a >= 0.7


def test_calibration_linked_to_the_old_scale_recovers_it():
    # The sample is abler and more spread than N(0, 1); calibration standardises it, linking undoes that.
    rng = random.Random(11)
    items = simulate_items(25, rng)
    thetas = [rng.gauss(0.8, 1.4) for _ in range(1200)]
    result = calibrate_2pl(simulate_responses(thetas, items, rng))
    old = dict(enumerate(items))
    raw_b = [result.items[j].b for j in old]
    linking = link_scales(result.items, old)
    linked = [linking.apply(result.items[j]) for j in old]
    true_b = [item.b for item in items]
    assert linking.scale == pytest.approx(1.4, abs=0.2) and linking.shift == pytest.approx(0.8, abs=0.2)
    assert _rmse([p.b for p in linked], true_b) < 0.25 < _rmse(raw_b, true_b)


def test_linking_maps_a_shifted_and_scaled_scale_back():
    rng = random.Random(3)
    old = {f"q{j}": item for j, item in enumerate(simulate_items(10, rng))}
    scale, shift = 1.7, -0.6  # theta_old = 1.7 theta_new - 0.6
    new = {k: ItemParams(a=p.a * scale, b=(p.b - shift) / scale) for k, p in old.items()}
    for method in ("mean_sigma", "mean_mean"):
        linking = link_scales(new, old, method=method)
        assert (linking.scale, linking.shift) == (pytest.approx(scale), pytest.approx(shift))
        for key, params in old.items():
            back = linking.apply(new[key])
            assert (back.a, back.b) == (pytest.approx(params.a), pytest.approx(params.b))
    # Only the anchors set the scale: a moved non-anchor item does not disturb it.
    moved = new | {"q0": ItemParams(a=1.0, b=5.0)}
    linking = link_scales(moved, old, anchors=[k for k in old if k != "q0"])
    assert (linking.scale, linking.shift, linking.anchors) == (pytest.approx(scale), pytest.approx(shift), 9)


def test_linking_falls_back_when_the_anchors_do_not_spread():
    old = {1: ItemParams(a=1.0, b=0.0), 2: ItemParams(a=1.0, b=0.0)}  # default parameters, all b = 0
    new = {1: ItemParams(a=1.2, b=-0.4), 2: ItemParams(a=0.8, b=0.6)}
    linking = link_scales(new, old)
    assert linking.method == "mean_mean" and linking.scale == pytest.approx(1.0)
    assert linking.shift == pytest.approx(-0.1)  # the anchors' mean b is kept
    assert link_scales(new, {}) == Linking()
    with pytest.raises(ValueError, match="unknown linking method"):
        link_scales(new, old, method="stocking_lord")


def test_all_right_and_all_wrong_items_and_learners_stay_finite():
    rng = random.Random(5)
    items = simulate_items(8, rng)
    responses = simulate_responses([rng.gauss(0, 1) for _ in range(300)], items, rng)
    for row in responses:
        row["everyone right"], row["everyone wrong"] = True, False
    responses += [dict.fromkeys(range(8), True), dict.fromkeys(range(8), False), {}]
    result = calibrate_2pl(responses)
    easy, hard = result.items["everyone right"], result.items["everyone wrong"]
    others = [result.items[j].b for j in range(8)]
    for params in result.items.values():
        assert math.isfinite(params.a) and math.isfinite(params.b)
        assert A_BOUNDS[0] <= params.a <= A_BOUNDS[1] and B_BOUNDS[0] <= params.b <= B_BOUNDS[1]
    assert easy.b < min(others) and hard.b > max(others)
    # A bank with a single all-right item still gives a finite answer.
    only = calibrate_2pl([{"q": True}] * 50).items["q"]
    assert math.isfinite(only.b) and only.b < 0


def test_a_fixed_guessing_floor_is_kept():
    rng = random.Random(8)
    items = [ItemParams(a=p.a, b=p.b, c=0.25) for p in simulate_items(20, rng)]
    thetas = [rng.gauss(0, 1) for _ in range(1500)]
    responses = [{j: rng.random() < p_correct(t, item) for j, item in enumerate(items)} for t in thetas]
    result = calibrate_2pl(responses, guessing=dict.fromkeys(range(20), 0.25))
    assert all(result.items[j].c == 0.25 for j in range(20))
    assert correlation([result.items[j].b for j in range(20)], [i.b for i in items]) >= 0.9


def test_an_item_answered_near_its_guessing_floor_still_converges():
    # c = 0.25 held fixed and 26% right: the likelihood is nearly flat and not concave. Plain Fisher
    # scoring swung this item between iterations (no convergence in 150); step-halving settles it.
    rng = random.Random(0)
    items = simulate_items(8, rng)
    responses = simulate_responses([rng.gauss(0, 1) for _ in range(400)], items, rng)
    for row in responses:
        row["near floor"] = rng.random() < 0.26
    result = calibrate_2pl(responses, guessing={"near floor": 0.25}, max_iterations=150)
    assert result.converged and result.iterations < 50
    near = result.items["near floor"]
    assert math.isfinite(near.a) and near.b > max(result.items[j].b for j in range(8))
