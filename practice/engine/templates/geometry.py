"""Geometry and Trigonometry templates: right triangles, circles, area and volume."""

from fractions import Fraction

from .base import MCQ, SPR, Reject, Template, Wrong, frac, m, mcq, poly, spr_forms, term, tex

TRIPLES = [(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)]
VERTICES = [("A", "B", "C"), ("P", "Q", "R"), ("D", "E", "F"), ("J", "K", "L"), ("X", "Y", "Z")]
PI, TIMES = "\\pi", "\\times"


def right_triangles_1(rng):
    scale = rng.randint(1, 4)
    opposite, adjacent, hypotenuse = (side * scale for side in rng.choice(TRIPLES))
    if rng.random() < 0.5:
        opposite, adjacent = adjacent, opposite
    angle, right, other = rng.choice(VERTICES)
    sine = Fraction(opposite, hypotenuse)
    wrongs = [
        Wrong(
            m(tex(Fraction(adjacent, hypotenuse))),
            Fraction(adjacent, hypotenuse),
            "cosine instead of sine",
            "is the adjacent leg over the hypotenuse, which is the cosine",
        ),
        Wrong(
            m(tex(Fraction(opposite, adjacent))),
            Fraction(opposite, adjacent),
            "tangent instead of sine",
            "is the opposite leg over the adjacent leg, which is the tangent",
        ),
        Wrong(
            m(tex(Fraction(hypotenuse, opposite))),
            Fraction(hypotenuse, opposite),
            "ratio upside down",
            "is the hypotenuse over the opposite leg, the reciprocal of the sine",
        ),
    ]
    adjacent_side, opposite_side, hypotenuse_side = f"{angle}{right}", f"{right}{other}", f"{angle}{other}"
    if rng.random() < 0.5:  # the two legs are given: find the hypotenuse first
        given = f"{m(f'{adjacent_side} = {adjacent}')}, and {m(f'{opposite_side} = {opposite}')}"
        root = f"\\sqrt{{{adjacent}^{{2}} + {opposite}^{{2}}}}"
        found = f"By the Pythagorean theorem, {m(f'{hypotenuse_side} = {root} = {hypotenuse}')}. "
    else:
        given = f"{m(f'{hypotenuse_side} = {hypotenuse}')}, and {m(f'{opposite_side} = {opposite}')}"
        found = ""
    sine_name = f"\\sin {angle}"
    sine_text = f"{sine_name} = {frac(opposite, hypotenuse)}"
    sine_text += f" = {tex(sine)}" if sine.denominator != hypotenuse else ""
    solution = (
        f"{found}The sine of angle {m(angle)} is the leg opposite it, {m(opposite_side)}, over the "
        f"hypotenuse, {m(hypotenuse_side)}: {m(sine_text)}."
    )
    return {
        "stem": (
            f"In triangle {m(angle + right + other)}, angle {m(right)} is a right angle, {given}. "
            f"What is the value of {m(sine_name)}?"
        ),
        "key": sine,
        "params": {"opposite": opposite, "adjacent": adjacent, "hypotenuse": hypotenuse},
        **mcq(rng, key_text=m(tex(sine)), key=sine, wrongs=wrongs, solution=solution),
    }


def circles_1(rng):
    h, k = rng.randint(-9, 9), rng.randint(-9, 9)
    r = rng.randint(1, 12)
    if h == 0 and k == 0:
        raise Reject("keep a square to complete")
    d, e, f = -2 * h, -2 * k, h * h + k * k - r * r
    squares = f"{poly(1, d, 0)}{term(1, 'y^{2}')}{term(e, 'y')}"
    equation = f"{squares}{term(f)} = 0"
    x_part = f"(x{term(-h)})^{{2}}" if h else "x^{2}"
    y_part = f"(y{term(-k)})^{{2}}" if k else "y^{2}"
    completed = f"{x_part} + {y_part} = {r * r}"
    added = " and ".join(m(str(n * n)) for n in (h, k) if n)
    return {
        "stem": (
            f"In the {m('xy')}-plane, the graph of {m(equation)} is a circle. "
            "What is the radius of the circle?"
        ),
        "key": Fraction(r),
        "spr_answers": spr_forms(r),
        "params": {"d": d, "e": e, "f": f},
        "explanation": (
            f"Move the constant to the right: {m(f'{squares} = {-f}')}. Complete the square by adding "
            f"{added} to both sides: {m(completed)}. The right side is the "
            f"radius squared, {m(f'r^{{2}} = {r * r}')}, so the radius is {m(f'r = {r}')}."
        ),
    }


def area_volume_1(rng):
    radius, height = rng.randint(1, 10), rng.randint(2, 15)
    diameter = 2 * radius
    key = radius * radius * height
    wrongs = [
        Wrong(
            m(f"{diameter * diameter * height}{PI}"),
            diameter * diameter * height,
            "used the diameter as the radius",
            f"squares the diameter, {m(str(diameter))}, instead of the radius, {m(str(radius))}",
        ),
        Wrong(
            m(f"{radius * height}{PI}"),
            radius * height,
            "forgot to square the radius",
            f"multiplies {m(PI)}, the radius and the height without squaring the radius",
        ),
        Wrong(
            m(f"{2 * radius * height}{PI}"),
            2 * radius * height,
            "used the lateral area",
            f"is {m(f'2{PI} r h')}, the area of the curved side, not the volume",
        ),
    ]
    solution = (
        f"The radius is half the diameter: {m(f'r = {frac(diameter, 2)} = {radius}')}. The volume of a "
        f"cylinder is {m(f'V = {PI} r^{{2}} h = {PI} {TIMES} {radius}^{{2}} {TIMES} {height} = {key}{PI}')} "
        "cubic centimeters."
    )
    return {
        "stem": (
            f"A right circular cylinder has a base with diameter {diameter} centimeters and a height of "
            f"{height} centimeters. What is the volume, in cubic centimeters, of the cylinder?"
        ),
        "key": Fraction(key),
        "params": {"diameter": diameter, "height": height},
        **mcq(rng, key_text=m(f"{key}{PI}"), key=key, wrongs=wrongs, solution=solution),
    }


TEMPLATES = [
    Template(
        "right-triangles-1",
        "Right triangles and trigonometry",
        "medium",
        MCQ,
        {
            "sides": "a Pythagorean triple up to (9, 40, 41), scaled by 1..4",
            "given": "both legs, or one leg and the hypotenuse",
        },
        right_triangles_1,
    ),
    Template(
        "circles-1",
        "Circles",
        "hard",
        SPR,
        {"center": "(-9..9, -9..9), not the origin", "radius": "1..12"},
        circles_1,
    ),
    Template(
        "area-volume-1",
        "Area and volume",
        "easy",
        MCQ,
        {"radius": "1..10 (the stem gives the diameter)", "height": "2..15"},
        area_volume_1,
    ),
]
