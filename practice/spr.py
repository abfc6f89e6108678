"""Student-produced response (SPR) entries, checked by the Digital SAT's rules.

- A fraction and its decimal are equivalent: 3/4, .75 and 0.75 all match.
- Negatives are allowed. At most 5 characters, or 6 with a leading minus sign.
- A decimal too long for the field may be rounded or truncated, as long as it fills the field.
- Mixed numbers (3 1/2) and symbols ($ % ,) are refused with a message; they are not marked wrong.
"""

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

MAX_CHARS = 5
_NUMBER = re.compile(r"^-?(?:\d+(?:\.\d*)?|\.\d+|\d+/\d+)$")
_MIXED = re.compile(r"^-?\d+\s+\d+\s*/\s*\d+$")
_SYMBOLS = set("$%,€£")


class SprFormatError(ValueError):
    """The entry breaks the answer-entry rules; the learner should re-enter it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_spr(raw: str) -> Fraction:
    """Parse an SPR entry to an exact number, or raise SprFormatError saying what to fix."""
    text = (raw or "").strip()
    if not text:
        raise SprFormatError("Enter an answer.")
    if _MIXED.match(text):
        raise SprFormatError("Mixed numbers such as 3 1/2 are not accepted. Enter 7/2 or 3.5 instead.")
    symbols = sorted({char for char in text if char in _SYMBOLS})
    if symbols:
        raise SprFormatError(
            f"Symbols such as {', '.join(symbols)} are not accepted. "
            "Enter only digits, a decimal point, a fraction bar (/) and a minus sign."
        )
    if any(char.isspace() for char in text):
        raise SprFormatError("Remove the spaces from your answer.")
    if not _NUMBER.match(text):
        raise SprFormatError(
            "Enter a number: digits with an optional decimal point, fraction bar (/) or leading minus sign."
        )
    limit = MAX_CHARS + 1 if text.startswith("-") else MAX_CHARS
    if len(text) > limit:
        raise SprFormatError(
            f"Answers are at most {MAX_CHARS} characters ({MAX_CHARS + 1} with a minus sign); "
            f"yours has {len(text)}."
        )
    if "/" in text:
        numerator, denominator = text.lstrip("-").split("/")
        if int(denominator) == 0:
            raise SprFormatError("A fraction cannot have 0 as its denominator.")
        value = Fraction(int(numerator), int(denominator))
        return -value if text.startswith("-") else value
    return Fraction(Decimal(text))


def _fills_field(text: str) -> bool:
    return len(text) == (MAX_CHARS + 1 if text.startswith("-") else MAX_CHARS)


def spr_matches(given: str, accepted: list[str]) -> bool:
    """True when the entry equals one of the accepted answers (raises SprFormatError if malformed)."""
    value = parse_spr(given)
    text = given.strip()
    places = len(text.split(".", 1)[1]) if "." in text else None
    for answer in accepted:
        target = parse_spr(answer)
        if value == target:
            return True
        # A long decimal may be cut short, rounded or truncated, if the entry fills the whole field.
        if places is not None and _fills_field(text) and target.denominator != 1:
            exact = Decimal(target.numerator) / Decimal(target.denominator)
            step = Decimal(1).scaleb(-places)
            for rounding in (ROUND_HALF_UP, ROUND_DOWN):
                if value == Fraction(exact.quantize(step, rounding=rounding)):
                    return True
    return False
