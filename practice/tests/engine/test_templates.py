"""Item templates: every variant has a right key, distinct options from named errors and valid LaTeX.

Each template's key is checked here by a second method (substituting the answer back, or computing it
another way from the numbers the variant drew), not by re-running the template's own arithmetic.
"""

import functools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from latex2mathml.converter import convert

from practice.engine.templates import REGISTRY, UnknownTemplate, templates_for, variant_build
from practice.engine.templates.base import snippets, spr_forms, tex
from practice.spr import parse_spr, spr_matches


@functools.cache
def _converts(snippet: str) -> None:
    convert(snippet)  # raises on LaTeX that latex2mathml cannot read; snippets like "x" repeat a lot


SEEDS = st.integers(min_value=0, max_value=2**62)
EXAMPLES, LATEX_EXAMPLES = 2000, 300


def _check_linear_one_var_1(v):
    p = v.params
    assert p["a"] * (v.key + p["b"]) == p["c"]


def _check_linear_one_var_2(v):
    p = v.params
    assert p["a"] * v.key + p["b"] == p["c"] * v.key + p["d"]


def _check_linear_functions_1(v):
    p = v.params
    # Three points on one line: equal slopes between each pair.
    assert (v.key - p["y1"]) * (p["x2"] - p["x1"]) == (p["y2"] - p["y1"]) * (p["x3"] - p["x1"])


def _check_linear_two_var_1(v):
    p = v.params
    # Two points of the line, from x = 0 and x = b, and the slope between them.
    y_at = lambda x: Fraction(p["c"] - p["a"] * x, p["b"])  # noqa: E731
    assert (y_at(p["b"]) - y_at(0)) / p["b"] == v.key


def _check_systems_linear_1(v):
    p = v.params
    y = Fraction(p["c1"] - p["a1"] * v.key, p["b1"])
    assert p["a2"] * v.key + p["b2"] * y == p["c2"]


def _check_linear_inequalities_1(v):
    p = v.params
    _, sign, bound = v.key
    # Points just either side of the bound: only the side the key names satisfies -ax + b < c.
    for x, inside in (
        (bound + Fraction(1, 7), sign in (">", "\\ge")),
        (bound - Fraction(1, 7), sign in ("<", "\\le")),
    ):
        assert (-p["a"] * x + p["b"] < p["c"]) == inside
    assert (-p["a"] * bound + p["b"] == p["c"]) and (sign in ("\\le", "\\ge")) == (not p["strict"])


def _check_nonlinear_functions_1(v):
    p = v.params
    k = p["k"]
    assert v.key == p["a"] * k**2 + p["b"] * k + p["c"]


def _check_nonlinear_equations_1(v):
    p = v.params
    x = v.key
    assert x > 0 and p["a"] * x * x + p["b"] * x + p["c"] == 0
    other = Fraction(-p["b"], p["a"]) - x  # sum of the roots
    assert other < 0


def _check_equivalent_expressions_1(v):
    p = v.params
    for x in (-2, 0, 3):
        assert (p["a"] * x + p["b"]) * (p["c"] * x + p["d"]) == v.key[0] * x * x + v.key[1] * x + v.key[2]


def _check_ratios_rates_1(v):
    p = v.params
    # Proportion: made / minutes = key / (60 * hours).
    assert v.key * p["minutes"] == p["made"] * 60 * p["hours"]


def _check_percentages_1(v):
    p = v.params
    assert v.key + v.key * p["p"] / 100 == p["new"]


def _check_percentages_2(v):
    p = v.params
    assert v.key / 100 * p["whole"] == p["part"]


def _check_right_triangles_1(v):
    p = v.params
    assert p["opposite"] ** 2 + p["adjacent"] ** 2 == p["hypotenuse"] ** 2
    assert v.key == Fraction(p["opposite"], p["hypotenuse"])


def _check_circles_1(v):
    p = v.params
    h, k = Fraction(-p["d"], 2), Fraction(-p["e"], 2)
    assert v.key > 0 and v.key**2 == h * h + k * k - p["f"]


def _check_area_volume_1(v):
    p = v.params
    assert v.key == Fraction(p["diameter"], 2) ** 2 * p["height"]


CHECKS = {
    "linear-one-var-1": _check_linear_one_var_1,
    "linear-one-var-2": _check_linear_one_var_2,
    "linear-functions-1": _check_linear_functions_1,
    "linear-two-var-1": _check_linear_two_var_1,
    "systems-linear-1": _check_systems_linear_1,
    "linear-inequalities-1": _check_linear_inequalities_1,
    "nonlinear-functions-1": _check_nonlinear_functions_1,
    "nonlinear-equations-1": _check_nonlinear_equations_1,
    "equivalent-expressions-1": _check_equivalent_expressions_1,
    "ratios-rates-1": _check_ratios_rates_1,
    "percentages-1": _check_percentages_1,
    "percentages-2": _check_percentages_2,
    "right-triangles-1": _check_right_triangles_1,
    "circles-1": _check_circles_1,
    "area-volume-1": _check_area_volume_1,
}


def test_every_template_has_an_independent_check():
    assert set(CHECKS) == set(REGISTRY)


def test_at_least_ten_math_skills_have_templates():
    assert len({template.skill for template in REGISTRY.values()}) >= 10


@pytest.mark.parametrize("code", sorted(REGISTRY))
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=SEEDS)
def test_every_variant_is_a_sound_item(code, seed):
    v = variant_build(code, seed)
    CHECKS[code](v)
    if v.type == "mcq":
        texts = [text for text, _ in v.options]
        assert len(v.options) == 4 and len(set(texts)) == 4
        assert sum(correct for _, correct in v.options) == 1
        key_text = texts[["ABCD".index(v.key_label)][0]]
        assert set(v.errors) == set("ABCD") - {v.key_label}
        for label, error in v.errors.items():
            assert f"Choice {label} is incorrect ({error})" in v.explanation
        assert f"Choice {v.key_label} is correct." in v.explanation
        assert key_text.strip("\\()").split(" ")[-1] in v.explanation
    else:
        assert v.spr_answers and not v.options
        first = v.spr_answers[0]
        assert parse_spr(first) == v.key
        assert len(set(v.spr_answers)) == len(v.spr_answers)
        for form in v.spr_answers:
            parse_spr(form)  # the entry rules: raises on a bad form
            assert spr_matches(form, [first]) and spr_matches(form, v.spr_answers)
        assert any(form in v.explanation for form in v.spr_answers) or tex(v.key) in v.explanation


@pytest.mark.parametrize("code", sorted(REGISTRY))
@settings(max_examples=LATEX_EXAMPLES, deadline=None, database=None)
@given(seed=SEEDS)
def test_every_latex_snippet_converts_to_mathml(code, seed):
    # The snippets differ between variants only in their numbers, so fewer examples cover them.
    for text in variant_build(code, seed).texts():
        assert text.count("\\(") == text.count("\\)")
        for snippet in snippets(text):
            _converts(snippet)


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_a_seed_always_gives_the_same_variant(code):
    assert variant_build(code, 42) == variant_build(code, 42)
    stems = {variant_build(code, seed).stem for seed in range(30)}
    assert len(stems) > 20  # and different seeds give different items


def test_unknown_template_code_is_a_clear_error():
    with pytest.raises(UnknownTemplate):
        variant_build("no-such-template", 1)


def test_templates_for_filters_by_skill_and_difficulty():
    found = templates_for(["Percentages"], difficulty="easy")
    assert [t.code for t in found] == ["percentages-2"]


@pytest.mark.parametrize(
    ("value", "forms"),
    [
        (Fraction(7, 2), ["7/2", "3.5"]),
        (Fraction(-3, 4), ["-3/4", "-0.75", "-.75"]),
        (Fraction(2, 3), ["2/3", "0.667", "0.666", ".6667", ".6666"]),
        (Fraction(12), ["12"]),
    ],
)
def test_spr_forms_lists_every_accepted_entry(value, forms):
    assert spr_forms(value) == forms
