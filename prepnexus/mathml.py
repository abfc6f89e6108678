"""LaTeX math in question text to MathML, once, at save time (latex2mathml), and what of it nh3 keeps.

Authors write `\\( ... \\)` inline and `\\[ ... \\]` for a display formula; `$` is never a delimiter
(prices are common in items). `find_math()` finds the formulas before Markdown runs (Markdown would eat
their backslashes, underscores and asterisks) and `to_mathml()` converts one. Anything that cannot be
converted faithfully raises `MathError` with the line and the reason: unbalanced braces, an unknown
command or environment, a command that could carry markup or define macros, a formula too long or
too deeply nested. The converter's output is then checked against the allow-list below and sanitised
by nh3 with it, so only these elements and attributes, with plain values, ever reach a page.
"""

import functools
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, tostring

import nh3
from latex2mathml import commands
from latex2mathml import exceptions as latex_errors
from latex2mathml.converter import convert_to_element
from latex2mathml.tokenizer import tokenize

# Budgets: one formula, all the formulas of one text, and how deep braces, \left and the resulting
# MathML may nest (latex2mathml recurses once per level).
MAX_FORMULA_CHARS = 2_000
MAX_MATH_CHARS_PER_TEXT = 20_000
MAX_BRACE_DEPTH = 30
MAX_ELEMENT_DEPTH = 60

# Exactly what latex2mathml emits for the commands allowed below, found by converting a broad corpus
# (prepnexus/tests/test_mathml.py keeps it so).
MATHML_TAGS = frozenset({
    "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom", "mroot", "mrow",
    "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder",
    "munderover",
})  # fmt: skip
_VARIANT = frozenset({"mathvariant"})
_MO_ATTRIBUTES = frozenset({
    "accent", "fence", "form", "lspace", "mathvariant", "maxsize", "minsize", "movablelimits", "rspace",
    "separator", "stretchy",
})  # fmt: skip
MATHML_ATTRIBUTES = {
    "math": frozenset({"display"}),
    "menclose": frozenset({"notation"}),
    "mfrac": frozenset({"linethickness"}),
    "mi": _VARIANT,
    "mn": _VARIANT,
    "mtext": _VARIANT,
    "mo": _MO_ATTRIBUTES,
    "mover": frozenset({"accent"}),
    "mpadded": frozenset({"depth", "height", "lspace", "voffset", "width"}),
    "mspace": frozenset({"depth", "height", "linebreak", "mathbackground", "width"}),
    "mstyle": frozenset({"displaystyle", "mathsize", "scriptlevel"}),
    "mtable": frozenset({"columnlines", "columnspacing", "displaystyle", "rowlines", "rowspacing"}),
    "mtd": frozenset({"columnalign"}),
}
# Values are keywords, numbers and lengths ("true", "bold-italic", "-0.167em", "0em 2em", "-1width"):
# nothing with a colon, slash, parenthesis or quote, so never a URL, a style or markup.
_PLAIN_VALUE = re.compile(r"^[-+.\w ]{0,40}$")
_EXACT_VALUES = {("math", "display"): {"block", "inline"}, ("mspace", "mathbackground"): {"black"}}

# Commands latex2mathml knows that could carry a link, a style, a class or a colour into the page, or
# define macros (which can expand exponentially).
REFUSED_COMMANDS = frozenset({
    r"\href", r"\url", r"\style", r"\class", r"\cssId", r"\color", r"\textcolor", r"\colorbox",
    r"\fcolorbox", r"\mathcolor", r"\verb", r"\newcommand", r"\renewcommand", r"\def", r"\let",
    r"\newenvironment", r"\renewenvironment", r"\DeclareMathOperator", r"\require", r"\html",
})  # fmt: skip
ENVIRONMENTS = frozenset(name.lstrip("\\") for name in commands.MATRICES)
_BEGIN_END = re.compile(r"^\\(begin|end)\{([a-zA-Z]+\*?)\}$")
_COMMAND = re.compile(r"^\\[a-zA-Z]+\*?$")
_ENTITY = re.compile(r"&#x([0-9a-fA-F]+);")

_CONVERTER_REASONS = {
    latex_errors.ExtraLeftOrMissingRightError: r"\left without a matching \right (or the reverse)",
    latex_errors.NumeratorNotFoundError: "a fraction is missing its numerator",
    latex_errors.DenominatorNotFoundError: "a fraction is missing its denominator",
    latex_errors.MissingSuperScriptOrSubscriptError: "^ or _ has nothing after it",
    latex_errors.DoubleSubscriptsError: "two subscripts in a row (group them: x_{ab})",
    latex_errors.DoubleSuperscriptsError: "two superscripts in a row (group them: x^{ab})",
    latex_errors.NoAvailableTokensError: "a command is missing its argument",
    latex_errors.MissingEndError: r"\begin without a matching \end",
    latex_errors.InvalidAlignmentError: "invalid column alignment",
    latex_errors.InvalidWidthError: "invalid width",
    latex_errors.InvalidStyleForGenfracError: r"invalid style for \genfrac",
    latex_errors.LimitsMustFollowMathOperatorError: r"\limits must follow an operator such as \sum",
}


class MathError(ValueError):
    """A formula that cannot be rendered; `line` is the line of the text it starts on."""

    def __init__(self, reason: str, line: int = 1):
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Formula:
    start: int  # the opening delimiter's index in the text
    end: int  # just past the closing delimiter
    latex: str
    display: bool
    line: int


_OPENERS = {"(": (")", False), "[": ("]", True)}
_CLOSERS = {")": "(", "]": "["}


_BACKTICKS = re.compile(r"`+")


def _code_span_end(text: str, index: int, paragraph_end: int) -> int:
    """Where the backtick run at `index` and its code span end (as Python-Markdown reads them: the same
    number of backticks, in the same paragraph), or just past the run when it closes nothing."""
    run_end = _BACKTICKS.match(text, index).end()
    ticks = run_end - index
    search = run_end
    while (found := text.find("`", search, paragraph_end)) >= 0:
        after = _BACKTICKS.match(text, found).end()
        if after - found == ticks:
            return after
        search = after
    return run_end


def find_math(text: str) -> list[Formula]:
    """The formulas of a text, in order, skipping code spans; MathError for an unclosed or stray delimiter."""
    formulas, index, total, paragraph_end = [], 0, 0, -1
    while index < len(text):
        char = text[index]
        if char == "`":
            if paragraph_end < index:
                found = text.find("\n\n", index)
                paragraph_end = len(text) if found < 0 else found
            index = _code_span_end(text, index, paragraph_end)
            continue
        if char != "\\" or index + 1 == len(text):
            index += 1
            continue
        mark = text[index + 1]
        if mark in _CLOSERS:
            line = text.count("\n", 0, index) + 1
            raise MathError(f"\\{mark} closes no \\{_CLOSERS[mark]}", line)
        if mark not in _OPENERS:
            index += 2  # an escaped character, "\\" included, is never a delimiter
            continue
        closer, display = _OPENERS[mark]
        formula = _read_formula(text, index, closer, display)
        total += len(formula.latex)
        if total > MAX_MATH_CHARS_PER_TEXT:
            raise MathError(
                f"more than {MAX_MATH_CHARS_PER_TEXT:,} characters of math in one text", formula.line
            )
        formulas.append(formula)
        index = formula.end
    return formulas


def _read_formula(text: str, start: int, closer: str, display: bool) -> Formula:
    line = text.count("\n", 0, start) + 1
    opener = text[start : start + 2]
    index = start + 2
    while index < len(text):
        char = text[index]
        if char == "\n" and text[index + 1 : index + 2] == "\n":
            break  # a blank line ends the paragraph, and the formula never closed
        if char == "\\" and index + 1 < len(text):
            mark = text[index + 1]
            if mark == closer:
                return Formula(start, index + 2, text[start + 2 : index], display, line)
            if mark in _OPENERS or mark in _CLOSERS:
                raise MathError(f"\\{mark} inside the formula that {opener} opened", line)
            index += 2
            continue
        index += 1
    raise MathError(f"{opener} is not closed (end the formula with \\{closer})", line)


def _check_latex(latex: str, line: int) -> None:
    """Refuse what latex2mathml would drop, guess at or recurse on without limit, before converting."""
    if not latex.strip():
        raise MathError("empty formula", line)
    if len(latex) > MAX_FORMULA_CHARS:
        raise MathError(f"formula longer than {MAX_FORMULA_CHARS:,} characters", line)
    open_groups: list[str] = []  # "{" and \left, innermost last
    for token in tokenize(latex):
        if token in ("{", commands.LEFT):
            open_groups.append(token)
            if len(open_groups) > MAX_BRACE_DEPTH:
                raise MathError(f"formula nested more than {MAX_BRACE_DEPTH} levels deep", line)
        elif token in ("}", commands.RIGHT):
            opener = "{" if token == "}" else commands.LEFT  # noqa: S105 (LaTeX, not a secret)
            if not open_groups or open_groups.pop() != opener:
                raise MathError(_UNMATCHED[opener], line)
        elif token in REFUSED_COMMANDS:
            raise MathError(f"{token} is not allowed in question math", line)
        elif (found := _BEGIN_END.match(token)) and found.group(2) not in ENVIRONMENTS:
            raise MathError(f"unknown LaTeX environment {found.group(2)}", line)
    if open_groups:
        raise MathError(_UNMATCHED[open_groups[-1]], line)


_UNMATCHED = {
    "{": "unbalanced braces: a { without its }, or a } without its {",
    commands.LEFT: r"\left without a matching \right, or a \right without its \left",
}


def _check_tree(root: Element, line: int) -> None:
    """Every element and attribute on the allow-list, every command known; text entities decoded."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_ELEMENT_DEPTH:
            raise MathError(f"formula nested more than {MAX_ELEMENT_DEPTH} levels deep", line)
        if element.tag not in MATHML_TAGS:
            raise MathError(f"the converter produced <{element.tag}>, which is not allowed", line)
        if element.text and _COMMAND.match(element.text) and element.tag != "mtext":
            raise MathError(f"unknown LaTeX command {element.text}", line)
        element.attrib.pop("xmlns", None)  # the HTML parser puts <math> in the MathML namespace itself
        for name, value in element.attrib.items():
            if _attribute_value(element.tag, name, value) is None:
                raise MathError(f"the converter produced {name}={value!r} on <{element.tag}>", line)
        if element.text:
            element.text = _ENTITY.sub(lambda m: chr(int(m.group(1), 16)), element.text)
        stack.extend((child, depth + 1) for child in element)


def _attribute_value(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter for MathML: the value when it is allowed, else None (dropped)."""
    if attribute not in MATHML_ATTRIBUTES.get(tag, ()):
        return None
    exact = _EXACT_VALUES.get((tag, attribute))
    if exact is not None:
        return value if value in exact else None
    return value if _PLAIN_VALUE.match(value) else None


def to_mathml(latex: str, *, display: bool = False, line: int = 1) -> str:
    """One formula as sanitised MathML (display="block" for a display formula); MathError if it cannot be.

    Formulas repeat (\\(x\\), \\(f(x)\\)) and a question is rendered by its check and again when saved,
    so conversions are cached by (formula, display); the error names LINE either way.
    """
    html, reason = _converted(latex, display)
    if reason is not None:
        raise MathError(reason, line)
    return html


@functools.lru_cache(maxsize=4096)
def _converted(latex: str, display: bool) -> tuple[str, str | None]:
    try:
        return _to_mathml(latex, display=display, line=1), None
    except MathError as exc:
        return "", exc.reason


def _to_mathml(latex: str, *, display: bool, line: int) -> str:
    _check_latex(latex, line)
    try:
        root = convert_to_element(latex, display="block" if display else "inline")
    except RecursionError:
        raise MathError("formula nested too deeply", line) from None
    except Exception as exc:  # the converter's own errors, and any bug of its on odd input
        reason = _CONVERTER_REASONS.get(type(exc), f"LaTeX the converter cannot read ({type(exc).__name__})")
        raise MathError(reason, line) from exc
    _check_tree(root, line)
    # ElementTree escapes text and attribute values; nh3 re-checks every element and attribute.
    return nh3.clean(
        tostring(root, encoding="unicode", short_empty_elements=False),
        tags=MATHML_TAGS,
        attributes=dict(MATHML_ATTRIBUTES),
        attribute_filter=_attribute_value,
        url_schemes=frozenset(),
        strip_comments=True,
    )
