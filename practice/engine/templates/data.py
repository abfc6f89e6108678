"""Problem-Solving and Data Analysis templates: rates with units and percentages."""

from fractions import Fraction

from .base import MCQ, SPR, Reject, Template, Wrong, decimal_text, frac, m, mcq, spr_forms, tex

TIMES, DIV = "\\times", "\\div"
MACHINES = [
    ("printer", "pages", "page"),
    ("bottling machine", "bottles", "bottle"),
    ("bakery oven", "loaves", "loaf"),
    ("loom", "scarves", "scarf"),
]
ITEMS = ["bicycle", "laptop", "sofa", "camera", "guitar", "tent"]


def ratios_rates_1(rng):
    machine, things, thing = rng.choice(MACHINES)
    minutes = rng.choice([3, 4, 5, 6, 8, 10, 12, 15, 20])
    made = rng.randint(2, 40)
    hours = rng.randint(2, 9)
    rate = Fraction(made, minutes)
    key = rate * 60 * hours
    if key.denominator != 1:
        raise Reject("keep the count whole")
    inverted = Fraction(minutes, made)
    wrongs = [
        Wrong(
            m(decimal_text(rate * hours)),
            rate * hours,
            "forgot to convert units",
            f"multiplies the rate per minute by {m(str(hours))} without turning the hours into minutes",
        ),
        Wrong(
            m(decimal_text(inverted * 60 * hours)),
            inverted * 60 * hours,
            "inverted the rate",
            f"uses minutes per {thing}, {m(tex(inverted))}, as the rate",
        ),
        Wrong(
            m(decimal_text(rate * hours / 60)),
            rate * hours / 60,
            "divided instead of multiplied",
            "divides by 60 to convert hours to minutes where it should multiply by 60",
        ),
    ]
    fraction = f"{frac(made, minutes)} = {tex(rate)}"
    solution = (
        f"The rate is {m(fraction)} {things} per minute, and {hours} hours are "
        f"{m(f'{hours} {TIMES} 60 = {60 * hours}')} minutes. So the {machine} makes "
        f"{m(f'{tex(rate)} {TIMES} {60 * hours} = {key}')} {things}."
    )
    return {
        "stem": (
            f"A {machine} makes {made} {things} every {minutes} minutes. Working at this rate, how many "
            f"{things} does it make in {hours} hours?"
        ),
        "key": key,
        "params": {"made": made, "minutes": minutes, "hours": hours},
        **mcq(rng, key_text=m(str(key)), key=key, wrongs=wrongs, solution=solution),
    }


def percentages_1(rng):
    item = rng.choice(ITEMS)
    p = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60])
    original = Fraction(rng.randint(2, 100) * 20)
    new = original * (100 + p) / 100
    factor = Fraction(100 + p, 100)
    wrongs = [
        Wrong(
            m(decimal_text(new * (100 - p) / 100)),
            new * (100 - p) / 100,
            "took the percent of the wrong amount",
            f"takes {p}% off the new price, but the {p}% increase was of the original price",
        ),
        Wrong(
            m(decimal_text(new - p)),
            new - p,
            "subtracted the percent as a number",
            f"subtracts {p} dollars instead of undoing a {p}% increase",
        ),
        Wrong(
            m(decimal_text(new * factor)),
            new * factor,
            "multiplied instead of divided",
            f"multiplies the new price by {m(decimal_text(factor))} again instead of dividing by it",
        ),
    ]
    share, times = decimal_text(Fraction(p, 100)), decimal_text(factor)
    solution = (
        f"A {p}% increase multiplies the original price by {m(f'1 + {share} = {times}')}. "
        f"So the original price is {m(f'{decimal_text(new)} {DIV} {times} = {decimal_text(original)}')} "
        "dollars. "
        f"Check: {m(f'{decimal_text(original)} {TIMES} {times} = {decimal_text(new)}')}."
    )
    return {
        "stem": (
            f"After its price was increased by {p}%, a {item} costs {decimal_text(new)} dollars. "
            f"What was the price, in dollars, before the increase?"
        ),
        "key": original,
        "params": {"p": p, "new": new},
        **mcq(rng, key_text=m(decimal_text(original)), key=original, wrongs=wrongs, solution=solution),
    }


def percentages_2(rng):
    whole = rng.choice([20, 25, 40, 50, 80, 120, 125, 150, 160, 200, 240, 250, 300, 400, 500, 800])
    part = rng.randint(1, 2 * whole)
    percent = Fraction(100 * part, whole)
    if percent == 100 or (percent * 10).denominator != 1:
        raise Reject("keep the percent to one decimal place")
    return {
        "stem": (
            f"A school club set a goal of collecting {whole} cans of food and collected {part} cans. "
            f"The number of cans collected is what percent of the goal?"
        ),
        "key": percent,
        "spr_answers": spr_forms(percent),
        "params": {"whole": whole, "part": part},
        "explanation": (
            f"Divide the amount collected by the goal and multiply by 100: "
            f"{m(f'{frac(part, whole)} {TIMES} 100 = {decimal_text(percent, 1)}')}. "
            f"So {part} cans are {decimal_text(percent, 1)}% of the goal; enter {decimal_text(percent, 1)} "
            "without the % sign."
        ),
    }


TEMPLATES = [
    Template(
        "ratios-rates-1",
        "Ratios, rates, proportional relationships, and units",
        "medium",
        MCQ,
        {"made": "2..40 per batch", "minutes": "3..20 per batch", "hours": "2..9"},
        ratios_rates_1,
    ),
    Template(
        "percentages-1",
        "Percentages",
        "medium",
        MCQ,
        {"p": "5..60 percent increase", "original": "40..2000 dollars, a multiple of 20"},
        percentages_1,
    ),
    Template(
        "percentages-2",
        "Percentages",
        "easy",
        SPR,
        {"whole": "a goal from 20 to 800", "part": "1..twice the goal"},
        percentages_2,
    ),
]
