"""The one rule for text cells in every CSV PrepNexus writes: spreadsheets must not run them as formulas.

A text cell that would start with = + - @, a tab or a carriage return (after any run of apostrophes) is
written with one more leading apostrophe; spreadsheets show such a cell as text. `unescape` removes
exactly that apostrophe and nothing else, so `unescape(escape(text)) == text` for every text, including
text that itself starts with an apostrophe. Numbers, dates and other non-text values pass unchanged.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")


def escape(value):
    """VALUE as a CSV cell: text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_ESCAPE.match(value):
        return "'" + value
    return value


def unescape(value: str) -> str:
    """A cell read back from a CSV we wrote: removes the apostrophe `escape` added, if it added one."""
    if value.startswith("'") and _NEEDS_ESCAPE.match(value, 1):
        return value[1:]
    return value


def escape_row(values) -> list:
    return [escape(value) for value in values]
