"""Advanced Math templates: nonlinear functions, nonlinear equations and equivalent expressions."""

from fractions import Fraction
from math import gcd

from .base import MCQ, SPR, Reject, Template, Wrong, m, mcq, plain, poly, spr_forms, tex


def _nonzero(rng, low, high):
    return rng.choice([n for n in range(low, high + 1) if n != 0])


def nonlinear_functions_1(rng):
    a = rng.choice([n for n in range(-5, 6) if n not in (-1, 0, 1)])
    b, c = _nonzero(rng, -9, 9), rng.randint(-20, 20)
    k = -rng.randint(2, 6)
    value = a * k * k + b * k + c
    wrongs = [
        Wrong(
            m(str(-a * k * k + b * k + c)),
            -a * k * k + b * k + c,
            "sign error",
            f"treats {m(f'({k})^{{2}}')} as {m(str(-k * k))}",
        ),
        Wrong(
            m(str(a * 2 * k + b * k + c)),
            a * 2 * k + b * k + c,
            "doubled instead of squared",
            f"uses {m(f'2({k})')} for {m(f'({k})^{{2}}')}",
        ),
        Wrong(
            m(str((a * k) ** 2 + b * k + c)),
            (a * k) ** 2 + b * k + c,
            "squared the coefficient too",
            f"squares {m(f'{a}({k})')} instead of squaring {m(str(k))} alone",
        ),
    ]
    function = f"f(x) = {poly(a, b, c)}"
    solution = (
        f"Substitute {m(str(k))} for {m('x')}: {m(f'f({k}) = {a}({k})^{{2}} + ({b})({k}) + ({c})')}. "
        f"Since {m(f'({k})^{{2}} = {k * k}')}, this is {m(f'{a * k * k} + ({b * k}) + ({c}) = {value}')}."
    )
    return {
        "stem": f"The function {m('f')} is defined by {m(function)}. What is the value of {m(f'f({k})')}?",
        "key": Fraction(value),
        "params": {"a": a, "b": b, "c": c, "k": k},
        **mcq(rng, key_text=m(str(value)), key=Fraction(value), wrongs=wrongs, solution=solution),
    }


def nonlinear_equations_1(rng):
    q = rng.randint(2, 7)
    p = rng.choice([n for n in range(1, 20) if gcd(n, q) == 1])
    r = rng.randint(1, 9)
    # (qx - p)(x + r) = 0 has the solutions p/q and -r.
    coefficients = (q, q * r - p, -p * r)
    root = Fraction(p, q)
    left = poly(*coefficients)
    equation = f"{left} = 0"
    return {
        "stem": f"What is the positive solution to the equation {m(equation)}?",
        "key": root,
        "spr_answers": spr_forms(root),
        "params": {"a": coefficients[0], "b": coefficients[1], "c": coefficients[2]},
        "explanation": (
            f"Factor the left side: {m(f'{left} = ({poly(q, -p)})({poly(1, r)})')}. "
            f"A product is 0 when a factor is 0, so {m(f'x = {tex(root)}')} or {m(f'x = {-r}')}. "
            f"The positive solution is {m(tex(root))}, entered as {plain(root)}"
            + (f" or {spr_forms(root)[1]}." if len(spr_forms(root)) > 1 else ".")
        ),
    }


def equivalent_expressions_1(rng):
    a, c = rng.randint(1, 6), rng.randint(2, 7)
    b, d = _nonzero(rng, -9, 9), _nonzero(rng, -9, 9)
    x2, x1, x0 = a * c, a * d + b * c, b * d
    key = (x2, x1, x0)
    wrongs = [
        Wrong(
            m(poly(x2, 0, x0)),
            (x2, 0, x0),
            "forgot the middle term",
            f"multiplies only the first terms and the last terms, missing {m(poly(a * d, 0))} "
            f"and {m(poly(b * c, 0))}",
        ),
        Wrong(
            m(poly(x2, a * d - b * c, x0)),
            (x2, a * d - b * c, x0),
            "sign error",
            f"subtracts {m(poly(b * c, 0))} instead of adding it",
        ),
        Wrong(
            m(poly(x2, x1, b + d)),
            (x2, x1, b + d),
            "added instead of multiplied",
            f"adds the constants {m(str(b))} and {m(str(d))} instead of multiplying them",
        ),
    ]
    product = f"({poly(a, b)})({poly(c, d)})"
    solution = (
        f"Distribute: {m(f'{product} = {poly(x2, 0, 0)} + ({a * d}x) + ({b * c}x) + ({x0})')}. "
        f"Combining the {m('x')} terms gives {m(poly(x2, x1, x0))}."
    )
    if x1 == 0:
        raise Reject("keep the middle term")
    return {
        "stem": f"Which of the following is equivalent to {m(product)}?",
        "key": key,
        "params": {"a": a, "b": b, "c": c, "d": d},
        **mcq(rng, key_text=m(poly(*key)), key=key, wrongs=wrongs, solution=solution),
    }


TEMPLATES = [
    Template(
        "nonlinear-functions-1",
        "Nonlinear functions",
        "medium",
        MCQ,
        {"a": "-5..5, not -1, 0 or 1", "b": "-9..9, not 0", "c": "-20..20", "k": "-6..-2"},
        nonlinear_functions_1,
    ),
    Template(
        "nonlinear-equations-1",
        "Nonlinear equations in one variable and systems of equations in two variables",
        "hard",
        SPR,
        {"q": "2..7", "p": "1..19, coprime to q (the key is p/q)", "r": "1..9 (the other solution is -r)"},
        nonlinear_equations_1,
    ),
    Template(
        "equivalent-expressions-1",
        "Equivalent expressions",
        "medium",
        MCQ,
        {"a": "1..6", "c": "2..7", "b, d": "-9..9, not 0"},
        equivalent_expressions_1,
    ),
]
