"""What every item template shares: the variant it returns, number formatting and option assembly.

A template draws numbers from a seeded `random.Random`, computes the key with exact `Fraction`
arithmetic and builds each wrong option from a named common error. A draw that would make a bad item
(a distractor equal to the key or to another distractor, a key the answer field cannot hold) raises
`Reject`, and `Template.variant` draws again from the same generator, so a (code, seed) pair always
gives the same variant.
"""

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

MCQ, SPR = "mcq", "spr"
LABELS = ("A", "B", "C", "D")
MAX_ATTEMPTS = 200
SPR_CHARS = 5  # the answer field's width (one more with a leading minus sign)
MATH_SNIPPET = re.compile(r"\\\((.+?)\\\)", re.DOTALL)


class Reject(Exception):
    """This draw makes a bad item; draw again."""


@dataclass(frozen=True)
class Wrong:
    """A distractor: its option text, the value it stands for and the common error that produces it."""

    text: str
    value: object
    error: str  # the error's name, e.g. "sign error"
    why: str  # how the error leads here, completing "This choice ..."


@dataclass
class Variant:
    code: str
    seed: int
    skill: str
    difficulty: str
    type: str
    stem: str
    explanation: str
    key: object  # the exact answer: a Fraction, or what the correct option stands for
    options: list[tuple[str, bool]] = field(default_factory=list)  # MCQ: (text, correct) for A-D
    spr_answers: list[str] = field(default_factory=list)  # SPR: every accepted form, the fraction first
    errors: dict[str, str] = field(default_factory=dict)  # MCQ: wrong option label -> error name
    params: dict = field(default_factory=dict)  # the numbers drawn, for independent checks

    @property
    def key_label(self) -> str:
        return next(LABELS[i] for i, (_, correct) in enumerate(self.options) if correct)

    def texts(self) -> list[str]:
        """Every Markdown text of the variant (stem, explanation, options)."""
        return [self.stem, self.explanation, *(text for text, _ in self.options)]


@dataclass(frozen=True)
class Template:
    code: str
    skill: str
    difficulty: str
    type: str
    ranges: dict  # the parameter ranges, for the docs and the admin: name -> description
    build: Callable[[random.Random], dict]  # returns the Variant fields below the template's own

    def variant(self, seed: int) -> Variant:
        """The variant for this seed: the same seed always gives the same variant."""
        rng = random.Random(f"{self.code}:{seed}")
        for _ in range(MAX_ATTEMPTS):
            try:
                built = self.build(rng)
            except (Reject, ZeroDivisionError):
                continue
            return Variant(
                code=self.code,
                seed=seed,
                skill=self.skill,
                difficulty=self.difficulty,
                type=self.type,
                **built,
            )
        raise RuntimeError(f"template {self.code} found no valid variant for seed {seed}")


# --- Formatting ---


def m(latex: str) -> str:
    """Inline math: LaTeX between \\( and \\)."""
    return f"\\({latex}\\)"


def tex(value) -> str:
    """An exact number in LaTeX: 7, -7, \\frac{7}{2}, -\\frac{7}{2}."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def frac(numerator, denominator) -> str:
    """A fraction as written, not reduced: \\frac{12}{8}."""
    return f"\\frac{{{numerator}}}{{{denominator}}}"


def plain(value) -> str:
    """An exact number as plain text: 7, -7, 7/2."""
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def decimal_text(value, places: int = 2) -> str:
    """A number with at most `places` decimals, exactly (Reject if it needs more): 12.5, 3, 0.75."""
    value = Fraction(value)
    scaled = value * 10**places
    if scaled.denominator != 1:
        raise Reject(f"{value} needs more than {places} decimals")
    whole, part = divmod(abs(scaled.numerator), 10**places)
    text = str(whole) + (f".{part:0{places}d}".rstrip("0") if part else "")
    return f"-{text}" if value < 0 else text


def term(coefficient, variable: str = "", first: bool = False) -> str:
    """One signed term of a sum: " + 3x", " - x", "-5" (first), "" when the coefficient is 0."""
    coefficient = Fraction(coefficient)
    if coefficient == 0:
        return ""
    size = abs(coefficient)
    body = "" if variable and size == 1 else tex(size)
    body += variable
    if first:
        return f"-{body}" if coefficient < 0 else body
    return f" - {body}" if coefficient < 0 else f" + {body}"


def poly(*coefficients, variable: str = "x") -> str:
    """A polynomial in LaTeX from its coefficients, highest power first: poly(2, -3, 1) is 2x^{2} - 3x + 1."""
    degree = len(coefficients) - 1
    parts = []
    for power, coefficient in zip(range(degree, -1, -1), coefficients, strict=True):
        name = "" if power == 0 else variable if power == 1 else f"{variable}^{{{power}}}"
        parts.append(term(coefficient, name, first=not "".join(parts)))
    return "".join(parts) or "0"


def snippets(text: str) -> list[str]:
    """The LaTeX snippets of a Markdown text (what sits between \\( and \\))."""
    return MATH_SNIPPET.findall(text)


# --- Student-produced responses ---


def _fits(text: str) -> bool:
    return len(text) <= (SPR_CHARS + 1 if text.startswith("-") else SPR_CHARS)


def _decimal_forms(value: Fraction) -> list[str]:
    """Exact decimals if the value terminates, else the field-filling rounded and truncated forms."""
    sign, size = ("-" if value < 0 else ""), abs(value)
    whole = size.numerator // size.denominator
    part = size - whole
    leads = [f"{whole}."] if whole else ["0.", "."]
    forms = []
    for places in range(1, SPR_CHARS):
        scaled = part * 10**places
        if scaled.denominator == 1:  # terminates: the exact decimal, with and without its leading 0
            return [f for f in (f"{sign}{lead}{int(scaled):0{places}d}" for lead in leads) if _fits(f)]
    for lead in leads:
        places = SPR_CHARS - len(lead)
        if places < 1:
            continue
        scaled = part * 10**places
        down = scaled.numerator // scaled.denominator
        up = down + (1 if scaled - down >= Fraction(1, 2) else 0)
        forms += [f"{sign}{lead}{digits:0{places}d}" for digits in (up, down) if digits < 10**places]
    return list(dict.fromkeys(forms))


def spr_forms(value) -> list[str]:
    """Every accepted entry for an exact answer, the exact one first (Reject if it does not fit the field)."""
    value = Fraction(value)
    canonical = plain(value)
    if not _fits(canonical):
        raise Reject(f"{canonical} does not fit the answer field")
    if value.denominator == 1:
        return [canonical]
    return [canonical, *(form for form in _decimal_forms(value) if form != canonical)]


# --- Multiple choice ---


def mcq(rng: random.Random, *, key_text: str, key, wrongs: list[Wrong], solution: str) -> dict:
    """Shuffle the key and three distractors into A-D and write the explanation's verdict on each.

    Rejects the draw when a distractor stands for the key's value or repeats another option.
    """
    if len(wrongs) != 3:
        raise ValueError("a multiple-choice template needs exactly three distractors")
    values = [key, *(wrong.value for wrong in wrongs)]
    texts = [key_text, *(wrong.text for wrong in wrongs)]
    if len(set(values)) != 4 or len(set(texts)) != 4:
        raise Reject("a distractor repeats the key or another distractor")
    order = [None, *wrongs]
    rng.shuffle(order)
    options, errors, verdicts = [], {}, []
    for label, wrong in zip(LABELS, order, strict=True):
        if wrong is None:
            options.append((key_text, True))
            verdicts.insert(0, f"Choice {label} is correct.")
        else:
            options.append((wrong.text, False))
            errors[label] = wrong.error
            verdicts.append(f"Choice {label} is incorrect ({wrong.error}): this choice {wrong.why}.")
    explanation = solution + "\n\n" + "\n\n".join(verdicts)
    return {"options": options, "errors": errors, "explanation": explanation}
