"""Algebra templates: linear equations, linear functions, systems and inequalities."""

from fractions import Fraction

from .base import MCQ, SPR, Reject, Template, Wrong, frac, m, mcq, plain, poly, spr_forms, term, tex


def _nonzero(rng, low, high):
    return rng.choice([n for n in range(low, high + 1) if n != 0])


def linear_one_var_1(rng):
    a, b = rng.randint(2, 9), _nonzero(rng, -12, 12)
    x = Fraction(rng.randint(-10, 12))
    c = a * (x + b)
    equation = f"{a}(x{term(b)}) = {tex(c)}"
    wrongs = [
        Wrong(
            m(f"x = {tex((c - b) / a)}"),
            (c - b) / a,
            "forgot to distribute",
            f"comes from writing {m(f'{a}x{term(b)}')} instead of {m(f'{a}x{term(a * b)}')}",
        ),
        Wrong(
            m(f"x = {tex(c / a + b)}"),
            c / a + b,
            "sign error",
            f"{'adds' if b > 0 else 'subtracts'} {m(tex(abs(b)))} on the right instead of "
            f"{'subtracting' if b > 0 else 'adding'} it",
        ),
        Wrong(
            m(f"x = {tex(c * a - b)}"),
            c * a - b,
            "multiplied instead of divided",
            f"multiplies {m(tex(c))} by {m(str(a))} instead of dividing by it",
        ),
    ]
    solution = (
        f"Divide both sides of {m(equation)} by {m(str(a))}: {m(f'x{term(b)} = {tex(c / a)}')}. "
        f"Then {'subtract' if b > 0 else 'add'} {m(tex(abs(b)))}: {m(f'x = {tex(x)}')}. "
        f"Check: {m(f'{a}({tex(x)}{term(b)}) = {a}({tex(x + b)}) = {tex(c)}')}."
    )
    return {
        "stem": f"If {m(equation)}, what is the value of {m('x')}?",
        "key": x,
        "params": {"a": a, "b": b, "c": c},
        **mcq(rng, key_text=m(f"x = {tex(x)}"), key=x, wrongs=wrongs, solution=solution),
    }


def linear_one_var_2(rng):
    a, c = rng.sample([n for n in range(-9, 10) if n != 0], 2)
    b, d = rng.randint(-20, 20), rng.randint(-20, 20)
    x = Fraction(d - b, a - c)
    if x == 0 or x.denominator > 9:
        raise Reject("keep the answer a short fraction")
    left, right = poly(a, b), poly(c, d)
    collected = poly(a, 0) + term(-c, "x") + f" = {tex(d)}{term(-b)}"
    return {
        "stem": f"What value of {m('x')} satisfies the equation {m(f'{left} = {right}')}?",
        "key": x,
        "spr_answers": spr_forms(x),
        "params": {"a": a, "b": b, "c": c, "d": d},
        "explanation": (
            f"Collect the {m('x')} terms on the left and the numbers on the right: "
            f"{m(collected)}, so {m(f'{poly(a - c, 0)} = {tex(d - b)}')}. "
            + (f"Divide by {m(tex(a - c))}: {m(f'x = {tex(x)}')}. " if a - c != 1 else "")
            + f"Enter it as {plain(x)}. "
            f"Check: both sides equal {m(tex(a * x + b))} at {m(f'x = {tex(x)}')}."
        ),
    }


def linear_functions_1(rng):
    slope = Fraction(_nonzero(rng, -6, 6), rng.choice([1, 1, 2, 3]))
    intercept = Fraction(rng.randint(-15, 15))
    x1 = rng.randint(-5, 5)
    x2 = x1 + rng.choice([k for k in (2, 3, 4, 6) if (slope * k).denominator == 1])
    x3 = rng.choice([n for n in range(-8, 13) if n not in (x1, x2)])
    y1, y2, y3 = (slope * x + intercept for x in (x1, x2, x3))
    if y2 == y1:
        raise Reject("flat")
    run_over_rise = Fraction(x2 - x1) / (y2 - y1)
    wrongs = [
        Wrong(
            m(tex(y1 + run_over_rise * (x3 - x1))),
            y1 + run_over_rise * (x3 - x1),
            "slope upside down",
            f"uses the change in {m('x')} over the change in {m('f(x)')}, {m(tex(run_over_rise))}, "
            "as the slope",
        ),
        Wrong(
            m(tex(y1 - slope * (x3 - x1))),
            y1 - slope * (x3 - x1),
            "sign error",
            f"uses {m(tex(-slope))} as the slope",
        ),
        Wrong(
            m(tex(slope * x3)),
            slope * x3,
            "forgot the intercept",
            f"multiplies the slope by {m(str(x3))} but leaves out the {m('y')}-intercept {m(tex(intercept))}",
        ),
    ]
    slope_working = f"{frac(f'{tex(y2)} - ({tex(y1)})', f'{x2} - ({x1})')} = {tex(slope)}"
    solution = (
        f"The slope is {m(slope_working)}. "
        f"So {m(f'f(x) = {tex(y1)} + {tex(slope)}(x - ({x1}))')}, "
        f"which is {m(f'f(x) = {poly(slope, intercept)}')}, "
        f"and {m(f'f({x3}) = {tex(slope)}({x3}){term(intercept)} = {tex(y3)}')}."
    )
    return {
        "stem": (
            f"For the linear function {m('f')}, {m(f'f({x1}) = {tex(y1)}')} and {m(f'f({x2}) = {tex(y2)}')}. "
            f"What is the value of {m(f'f({x3})')}?"
        ),
        "key": y3,
        "params": {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "x3": x3},
        **mcq(rng, key_text=m(tex(y3)), key=y3, wrongs=wrongs, solution=solution),
    }


def linear_two_var_1(rng):
    a, b = _nonzero(rng, -9, 9), _nonzero(rng, -9, 9)
    c = rng.randint(-30, 30)
    slope = Fraction(-a, b)
    if slope.denominator == 1 and rng.random() < 0.7:
        raise Reject("prefer a fractional slope")
    line = f"{poly(a, 0)}{term(b, 'y')} = {c}"
    isolated = term(b, "y", first=True) + f" = {tex(c)}" + term(-a, "x")
    solved = f"y = {tex(Fraction(c, b))}" + term(slope, "x")
    return {
        "stem": (
            f"In the {m('xy')}-plane, a line has the equation {m(line)}. What is the slope of the line?"
        ),
        "key": slope,
        "spr_answers": spr_forms(slope),
        "params": {"a": a, "b": b, "c": c},
        "explanation": (
            f"Solve for {m('y')}: {m(isolated)}"
            + (f", so {m(solved)}. " if b != 1 else ". ")
            + f"The coefficient of {m('x')} is the slope: {m(tex(slope))}, entered as {plain(slope)}."
        ),
    }


def systems_linear_1(rng):
    x, y = rng.randint(-8, 9), rng.randint(-8, 9)
    a1, b1, a2, b2 = (_nonzero(rng, -6, 6) for _ in range(4))
    det = a1 * b2 - a2 * b1
    if det == 0 or x == y:
        raise Reject("no unique solution")
    c1, c2 = a1 * x + b1 * y, a2 * x + b2 * y
    added = a1 * b2 + a2 * b1
    if added == 0:
        raise Reject("undefined distractor")
    wrong_x = Fraction(c1 * b2 + c2 * b1, added)
    wrongs = [
        Wrong(
            m(str(y)), Fraction(y), "solved for the wrong variable", f"is the value of {m('y')}, not {m('x')}"
        ),
        Wrong(m(str(-x)), Fraction(-x), "sign error", f"has the sign of {m('x')} reversed"),
        Wrong(
            m(tex(wrong_x)),
            wrong_x,
            "added instead of subtracted",
            f"adds the scaled equations where subtracting them eliminates {m('y')}",
        ),
    ]
    first, second = f"{poly(a1, 0)}{term(b1, 'y')} = {c1}", f"{poly(a2, 0)}{term(b2, 'y')} = {c2}"
    solution = (
        f"Multiply the first equation by {m(str(b2))} and the second by {m(str(b1))}, then subtract to "
        f"eliminate {m('y')}: {m(f'({a1}({b2}) - ({a2})({b1}))x = {c1}({b2}) - ({c2})({b1})')}, that is "
        f"{m(f'{det}x = {c1 * b2 - c2 * b1}')}, so {m(f'x = {x}')}. Then {m(f'y = {y}')}, and "
        f"{m(f'{a1}({x}){term(b1)}({y}) = {c1}')} and {m(f'{a2}({x}){term(b2)}({y}) = {c2}')} check."
    )
    return {
        "stem": (
            f"The solution to the system of equations {m(first)} and {m(second)} is {m('(x, y)')}. "
            f"What is the value of {m('x')}?"
        ),
        "key": Fraction(x),
        "params": {"a1": a1, "b1": b1, "c1": c1, "a2": a2, "b2": b2, "c2": c2},
        **mcq(rng, key_text=m(str(x)), key=Fraction(x), wrongs=wrongs, solution=solution),
    }


def linear_inequalities_1(rng):
    a, b = rng.randint(2, 9), rng.randint(-20, 20)
    c = rng.randint(-20, 20)
    bound = Fraction(b - c, a)
    strict = rng.choice([True, False])
    less, greater = ("<", ">") if strict else ("\\le", "\\ge")
    inequality = f"{poly(-a, b)} {less} {c}"
    key = ("x", greater, bound)
    wrongs = [
        Wrong(
            m(f"x {less} {tex(bound)}"),
            ("x", less, bound),
            "forgot to flip the inequality",
            f"divides by {m(str(-a))} without reversing the inequality sign",
        ),
        Wrong(
            m(f"x {less} {tex(-bound)}"),
            ("x", less, -bound),
            "dropped the negative sign",
            f"divides by {m(str(a))} instead of {m(str(-a))}",
        ),
        Wrong(
            m(f"x {greater} {tex(Fraction(-(b + c), a))}"),
            ("x", greater, Fraction(-(b + c), a)),
            "sign error",
            f"{'adds' if b > 0 else 'subtracts'} {m(str(abs(b)))} on the right instead of "
            f"{'subtracting' if b > 0 else 'adding'} it",
        ),
    ]
    solution = (
        f"{'Subtract' if b > 0 else 'Add'} {m(str(abs(b)))} on both sides: {m(f'{-a}x {less} {c - b}')}. "
        f"Dividing by the negative number {m(str(-a))} reverses the inequality: "
        f"{m(f'x {greater} {tex(bound)}')}."
    )
    return {
        "stem": f"Which of the following is the solution to the inequality {m(inequality)}?",
        "key": key,
        "params": {"a": a, "b": b, "c": c, "strict": strict},
        **mcq(rng, key_text=m(f"x {greater} {tex(bound)}"), key=key, wrongs=wrongs, solution=solution),
    }


TEMPLATES = [
    Template(
        "linear-one-var-1",
        "Linear equations in one variable",
        "easy",
        MCQ,
        {"a": "2..9", "b": "-12..12, not 0", "x": "-10..12 (the key)"},
        linear_one_var_1,
    ),
    Template(
        "linear-one-var-2",
        "Linear equations in one variable",
        "medium",
        SPR,
        {"a, c": "-9..9, distinct, not 0", "b, d": "-20..20", "x": "(d - b)/(a - c), denominator at most 9"},
        linear_one_var_2,
    ),
    Template(
        "linear-functions-1",
        "Linear functions",
        "medium",
        MCQ,
        {"slope": "±1..6 over 1, 2 or 3", "intercept": "-15..15", "x1": "-5..5", "x3": "-8..12"},
        linear_functions_1,
    ),
    Template(
        "linear-two-var-1",
        "Linear equations in two variables",
        "medium",
        SPR,
        {"a, b": "-9..9, not 0", "c": "-30..30"},
        linear_two_var_1,
    ),
    Template(
        "systems-linear-1",
        "Systems of two linear equations in two variables",
        "medium",
        MCQ,
        {"x, y": "-8..9, different", "coefficients": "-6..6, not 0, determinant not 0"},
        systems_linear_1,
    ),
    Template(
        "linear-inequalities-1",
        "Linear inequalities in one or two variables",
        "medium",
        MCQ,
        {"a": "2..9 (the coefficient is -a)", "b, c": "-20..20"},
        linear_inequalities_1,
    ),
]
