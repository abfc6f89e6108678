"""LaTeX math in question text: found before Markdown, converted to MathML, checked and sanitised."""

import re
import sys
from html.parser import HTMLParser

import pytest

from prepnexus.markdown import QUESTION, render_markdown
from prepnexus.mathml import (
    MATHML_ATTRIBUTES,
    MATHML_TAGS,
    MAX_FORMULA_CHARS,
    MAX_MATH_CHARS_PER_TEXT,
    MathError,
    find_math,
    to_mathml,
)

# What SAT math needs, and a broad sweep of what latex2mathml knows beyond it.
CORPUS = [
    r"\frac{2}{3}x", r"\dfrac{a}{b}", r"\tfrac12", r"\cfrac{1}{2}", r"\sqrt{x}", r"\sqrt[3]{x^6y^3}", r"x^2",
    r"x_1", r"x_1^2", r"a_{n+1}", r"f(x) = x^2 - 3x + 2", r"f^{-1}(x)", r"\left(\frac{1}{2}\right)^{t/3}",
    r"\left[x\right]", r"\left|x\right|", r"\left\{x\right\}", r"\overline{AB}", r"\angle ABC",
    r"\triangle ABC", r"\pi r^2", r"\theta", r"\sin x", r"\cos\theta", r"\tan 30^\circ", r"48\degree",
    r"a \le b \ge c \ne d", r"a \leq b \geq c \neq d", r"x < y > z", r"\cdot \times \div \pm \mp",
    r"\infty", r"15\%", r"\$5", r"\overrightarrow{AB}", r"\overleftrightarrow{AB}", r"\sum_{i=1}^{n} i",
    r"\prod_{i}", r"\int_0^1 x\,dx", r"\lim_{x\to0}", r"\log_2 8", r"\ln x", r"\mathbb{R}", r"\mathrm{cm}",
    r"\mathbf{v}", r"\boldsymbol{x}", r"\mathit{x}", r"\mathcal{A}", r"\mathsf{x}", r"\mathtt{x}",
    r"\hat{x}", r"\bar{x}", r"\vec{v}", r"\dot{x}", r"\tilde{x}", r"\underline{x}", r"\widehat{ABC}",
    r"\perp \parallel \cong \sim \approx", r"\binom{n}{k}", r"|x|", r"\lvert x\rvert", r"\{1,2\}",
    r"a\quad b\qquad c\,d\;e\!f\ g", r"\underbrace{a+b}_{c}", r"\overbrace{a}^{b}", r"\stackrel{?}{=}",
    r"\overset{a}{b}", r"\underset{a}{b}", r"\operatorname{lcm}", r"\max \min \gcd",
    r"\cdots \ldots \vdots \ddots", r"x' x''", r"\mid \in \notin \subset \cup \cap \emptyset",
    r"\alpha\beta\gamma\Delta\Sigma\Omega\mu\sigma",
    r"\to \Rightarrow \iff \leftrightarrow \longrightarrow", r"\lt \gt", r"\frac{\sqrt{2}}{2}", r"\boxed{x}",
    r"\fbox{x}", r"\mbox{x}", r"\text{cost: } 5", r"\textbf{x}", r"\textit{x}", r"\displaystyle\frac12",
    r"\textstyle x", r"\scriptstyle x", r"\not=", r"x \pmod{3}", r"\hspace{1em}", r"\phantom{x}",
    r"\cancel{x}", r"\circ \bigcirc \square \star \ast \prime", r"1{,}000", r"e^{i\pi}", r"x^{\frac{1}{2}}",
    r"\sec\csc\cot\arcsin", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{bmatrix}1&2\\3&4\end{bmatrix}",
    r"\begin{matrix}a\\b\end{matrix}", r"\begin{vmatrix}a\end{vmatrix}", r"\begin{Vmatrix}a\end{Vmatrix}",
    r"\begin{Bmatrix}a\end{Bmatrix}", r"\begin{cases}x&x>0\\-x&x\le0\end{cases}",
    r"\begin{array}{c|c}1&2\\\hline 3&4\end{array}", r"\begin{array}{lr}1&2\\\hdashline 3&4\end{array}",
    r"\begin{align*}a&=b\\c&=d\end{align*}", r"\begin{smallmatrix}1&2\end{smallmatrix}", r"\substack{a\\b}",
    r"\xrightarrow{f}", r"\langle x\rangle", r"\lfloor x\rfloor", r"\lceil x\rceil", r"\big( \Big( \bigg(",
    r"\left.\frac{a}{b}\right|", r"\therefore \because \propto", r"\sum\limits_{i}", r"\tag{1}",
    r"\mathring{A}", r"\rule{1em}{1em}", r"\kern1em", r"\mathrel{=}", r"\genfrac(]{0pt}{2}{a}{b}",
    r"\dbinom{a}{b}", r"\root 3 \of x", r"a \over b", r"\Large x", r"\small x", r"\llap{a}", r"\rlap{a}",
    r"\smash{a}", r"\LaTeX", r"\skew{3}{\hat}{a}", r"\displaylines{a\\b}", r"\pmatrix{a\cr b}", r"\mathop{x}",
    r"a \middle| b", r"\left( a \middle| b \right)", r"\partial \nabla \det", r"\oint", r"\sideset{}{'}\sum",
    r"\mathbf{2} \mathbf{+}", r"a\\b", r"\begin{matrix*}[r]1\end{matrix*}", r"\mathpunct{,}", r"\mathbin{+}",
    r"\mathchoice{a}{b}{c}{d}", r"\mspace{1mu}", r"\verb", r"\vphantom{a}", r"\colon", r"\backslash",
]  # fmt: skip


class _Elements(HTMLParser):
    """Every element and attribute in a fragment, as the browser's parser would see them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def _converted_corpus() -> list[str]:
    out = []
    for latex in CORPUS:
        try:
            out += [to_mathml(latex), to_mathml(latex, display=True)]
        except MathError:
            continue
    return out


def test_the_allow_list_is_exactly_what_the_converter_emits_for_the_corpus():
    emitted: dict[str, set[str]] = {}
    for html in _converted_corpus():
        for tag, attrs in _Elements(html).found:
            emitted.setdefault(tag, set()).update(attrs)
    assert set(emitted) == MATHML_TAGS
    for tag, attributes in emitted.items():
        assert attributes <= MATHML_ATTRIBUTES.get(tag, frozenset()), tag
    unused = {
        (tag, a) for tag, allowed in MATHML_ATTRIBUTES.items() for a in allowed - emitted.get(tag, set())
    }
    assert unused == set()


@pytest.mark.parametrize(
    "latex", [r"\frac{2}{3}x", r"x^2", r"\sqrt{x+5}", r"f(x) = 4x - 9", r"90^\circ", r"\pi"]
)
def test_sat_notation_converts(latex):
    html = to_mathml(latex)
    assert html.startswith('<math display="inline">') and html.endswith("</math>")


def test_math_in_markdown_keeps_its_backslashes_underscores_and_asterisks():
    html = render_markdown(r"If \(a_1 * b_2 = \frac{2}{3}x\), then *so* what?", profile=QUESTION, math=True)
    assert "<msub><mi>a</mi><mn>1</mn></msub>" in html
    assert "<mo>*</mo>" in html
    assert "<mfrac>" in html and "<em>so</em>" in html
    assert "\\" not in html


def test_display_math_is_a_block_and_inline_options_lose_only_the_paragraph():
    html = render_markdown("Solve:\n\n\\[ 3x + 5 = 20 \\]\n\nfor x.", profile=QUESTION, math=True)
    assert '<p><math display="block">' in html
    option = render_markdown(r"\(\frac{5}{2}\)", profile=QUESTION, inline=True, math=True)
    assert option.startswith('<math display="inline"><mrow><mfrac>')


def test_dollar_signs_are_money_not_math():
    html = render_markdown(r"It costs $5 and \(x\) more, or $7.", profile=QUESTION, math=True)
    assert html.count("<math") == 1 and "$5" in html and "$7" in html


def test_math_inside_code_stays_literal():
    html = render_markdown(
        "Type `\\(x^2\\)` to get \\(x^2\\).\n\n    \\(y_1\\) in a code block", profile=QUESTION, math=True
    )
    assert "<code>\\(x^2\\)</code>" in html
    assert "<pre><code>\\(y_1\\) in a code block" in html
    assert html.count("<math") == 1
    # An unclosed delimiter in a code span is only text.
    assert "<code>\\(</code>" in render_markdown("`\\(` opens a formula", profile=QUESTION, math=True)


def test_without_math_the_delimiters_are_markdown_escapes_as_before():
    assert render_markdown(r"\(x\)", profile=QUESTION) == "<p>(x)</p>"


def test_an_escaped_backslash_is_not_a_delimiter():
    assert find_math(r"a \\(b) c") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("First line\n\\(\\frca{1}{2}\\)", r"line 2: unknown LaTeX command \frca"),
        (r"\(\frac{1}{2}", r"line 1: \( is not closed (end the formula with \))"),
        ("\\(x\n\ny\\)", r"line 1: \( is not closed"),
        (r"a \[ x", r"line 1: \[ is not closed (end the formula with \])"),
        (r"x\) y", r"line 1: \) closes no \("),
        (r"\( a \( b \)", r"\( inside the formula that \( opened"),
        (r"\(\frac{1}{2\)", "line 1: unbalanced braces"),
        (r"\(x}\)", "line 1: unbalanced braces"),
        (r"\(\left( x\)", r"\left without a matching \right"),
        (r"\(x^\)", "^ or _ has nothing after it"),
        (r"\(x_1_2\)", "two subscripts in a row"),
        (r"\(\begin{aligned}a\end{aligned}\)", "unknown LaTeX environment aligned"),
        (r"\(\begin{pmatrix}a\)", r"\begin without a matching \end"),
        (r"\(  \)", "empty formula"),
        (r"\(\frac\)", "missing"),
    ],
)
def test_latex_that_cannot_be_rendered_is_an_error_with_its_line(text, message):
    with pytest.raises(MathError) as raised:
        render_markdown(text, profile=QUESTION, math=True)
    assert message in str(raised.value)


# --- Hostile input: whatever comes out is only allow-listed MathML with plain values ---

HOSTILE = [
    r"\text{<script>alert(1)</script>}",
    r"\text{<img src=x onerror=alert(1)>}",
    r"\mbox{</math><script>alert(1)</script>}",
    r"\text{&lt;script&gt;}",
    r"\operatorname{<svg onload=alert(1)>}",
    r"x \; <script>alert(1)</script>",
    r"\mathrm{<a href=javascript:alert(1)>x</a>}",
    r"\text{\" onmouseover=\"alert(1)}",
    r"\tag{<style>*{}</style>}",
]


@pytest.mark.parametrize("latex", HOSTILE)
def test_markup_smuggled_into_math_comes_out_as_inert_text(latex):
    try:
        html = render_markdown(f"Before \\({latex}\\) after", profile=QUESTION, math=True)
    except MathError:
        return  # refused is inert too
    for tag, attrs in _Elements(html).found:
        assert tag in MATHML_TAGS | QUESTION.tags, tag
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in {"href", "xlink:href", "style", "class", "src"}
            assert not re.search(r"javascript|[<>\"]", value or "")


@pytest.mark.parametrize(
    ("latex", "refused"),
    [
        (r"\href{javascript:alert(1)}{x}", r"\href is not allowed"),
        (r"\url{javascript:alert(1)}", r"\url is not allowed"),
        (r"\style{background:url(x)}{x}", r"\style is not allowed"),
        (r"\class{x}{y}", r"\class is not allowed"),
        (r"\cssId{x}{y}", r"\cssId is not allowed"),
        (r"\color{red}{x}", r"\color is not allowed"),
        (r"\textcolor{red}{x}", r"\textcolor is not allowed"),
        (r"\newcommand{\a}{\a\a}\a", r"\newcommand is not allowed"),
        (r"\def\a{x}\a", r"\def is not allowed"),
        (r"\verb|<script>|", r"\verb is not allowed"),
        (r"\xlink{x}", r"unknown LaTeX command \xlink"),
    ],
)
def test_commands_that_could_carry_links_styles_or_macros_are_refused(latex, refused):
    with pytest.raises(MathError, match=re.escape(refused)):
        to_mathml(latex)


def test_raw_mathml_typed_as_html_is_stripped_like_any_other_tag():
    html = render_markdown('<math><mi onclick="alert(1)">x</mi></math> \\(y\\)', profile=QUESTION, math=True)
    assert html.count("<math") == 1 and "onclick" not in html and "<mi>x</mi>" not in html


def test_a_placeholder_typed_by_an_author_is_only_text():
    html = render_markdown(r"pnmath0000n0e and \(x\)", profile=QUESTION, math=True)
    assert html.startswith("<p>pnmath0000n0e and <math")


# --- Budgets: size and nesting are bounded before the recursive converter runs ---


def test_a_formula_over_the_size_budget_is_refused():
    with pytest.raises(MathError, match="formula longer than"):
        to_mathml("x+" * MAX_FORMULA_CHARS)
    many = " ".join([r"\(" + "x+" * 900 + r"x\)"] * (MAX_MATH_CHARS_PER_TEXT // 1800 + 1))
    with pytest.raises(MathError, match="characters of math in one text"):
        find_math(many)


@pytest.mark.parametrize(
    "latex",
    ["{" * 500 + "x" + "}" * 500, r"\left(" * 100 + "x" + r"\right)" * 100, r"\sqrt" * 300 + "x",
     r"\frac1" * 300 + "2", "x^{" * 300 + "2" + "}" * 300],
)  # fmt: skip
def test_deep_nesting_is_refused_not_a_recursion_crash(latex):
    limit = sys.getrecursionlimit()
    with pytest.raises(MathError, match="nested"):
        to_mathml(latex)
    assert sys.getrecursionlimit() == limit


def test_many_small_formulas_within_the_budget_render():
    text = " and ".join([r"\(x_1^2\)"] * 300)
    assert render_markdown(text, profile=QUESTION, math=True).count("<math") == 300


def test_a_code_span_may_cross_lines_within_its_paragraph_as_in_markdown():
    html = render_markdown("a `x\n\\(y\\)` b \\(z\\)", profile=QUESTION, math=True)
    assert "<code>x\n\\(y\\)</code>" in html and html.count("<math") == 1


def test_a_formula_carried_into_an_attribute_by_raw_html_is_dropped_not_put_back():
    html = render_markdown(
        '<table><tr><td align="\\(x\\)">cell</td></tr></table>\n\nand \\(y\\)', profile=QUESTION, math=True
    )
    assert "align" not in html and 'td align="<' not in html
    assert html.count("<math") == 1 and "<td>cell</td>" in html
