"""Item response theory: the 3PL model and its Fisher information (2PL is c = 0)."""

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ItemParams:
    """IRT parameters: discrimination a > 0, difficulty b (logit scale), guessing floor 0 <= c < 1."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0


def logistic(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def p_correct(theta: float, item: ItemParams) -> float:
    """P(correct | theta) = c + (1 - c) / (1 + exp(-a (theta - b)))."""
    return item.c + (1.0 - item.c) * logistic(item.a * (theta - item.b))


def information(theta: float, item: ItemParams) -> float:
    """Fisher information of one item at theta: a^2 (P - c)^2 / (1 - c)^2 * (1 - P) / P."""
    p = p_correct(theta, item)
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return item.a**2 * ((p - item.c) ** 2 / (1.0 - item.c) ** 2) * ((1.0 - p) / p)
