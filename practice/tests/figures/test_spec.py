"""The figure spec refuses what it should, with a message that names the path of the problem."""

import copy
import math

import pytest

from practice.figures import KINDS, figure_problems

from .samples import GOOD, HOSTILE


def _with(kind: str, **changes) -> dict:
    spec = copy.deepcopy(GOOD[kind])
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


def test_every_kind_has_a_good_sample_with_no_problems():
    assert set(GOOD) == set(KINDS)
    for kind, spec in GOOD.items():
        assert figure_problems(spec) == [], kind


def test_no_figure_is_fine_and_a_figure_must_be_an_object_of_a_known_kind():
    assert figure_problems(None) == []
    assert figure_problems("<svg onload=alert(1)>") == [
        "figure: must be an object with a kind (" + ", ".join(KINDS) + ")"
    ]
    assert figure_problems({"kind": "svg", "markup": "<svg/>"}) == [
        "figure.kind: must be one of " + ", ".join(KINDS)
    ]


def test_unknown_keys_are_refused_at_every_level():
    spec = _with("coordinate_plane", svg="<svg/>")
    spec["points"][0]["style"] = "fill:red"
    problems = figure_problems(spec)
    assert any(p.startswith("figure: unknown key(s) svg") for p in problems)
    assert any(p.startswith("figure.points[0]: unknown key(s) style") for p in problems)


@pytest.mark.parametrize(
    ("kind", "changes", "expected"),
    [
        (
            "coordinate_plane",
            {"points": [{"x": 0, "y": 0}] * 3 + [{"x": "3", "y": 1}]},
            "figure.points[3].x: must be a number",
        ),
        ("coordinate_plane", {"points": [{"x": True, "y": 1}]}, "figure.points[0].x: must be a number"),
        (
            "coordinate_plane",
            {"points": [{"x": math.inf, "y": 1}]},
            "figure.points[0].x: must be a finite number",
        ),
        (
            "coordinate_plane",
            {"points": [{"x": math.nan, "y": 1}]},
            "figure.points[0].x: must be a finite number",
        ),
        ("coordinate_plane", {"points": [{"x": 1e9, "y": 1}]}, "figure.points[0].x: must be a finite number"),
        (
            "coordinate_plane",
            {"points": [{"x": 9, "y": 1}]},
            "figure.points[0].x: 9 is outside the axis (-5 to 5)",
        ),
        (
            "coordinate_plane",
            {"points": [{"x": 0, "y": 0}] * 201},
            "figure.points: must have 0 to 200 items (now 201)",
        ),
        (
            "coordinate_plane",
            {"points": [{"x": 0, "y": 0, "label": "L" * 41}]},
            "figure.points[0].label: at most 40 characters (now 41)",
        ),
        (
            "coordinate_plane",
            {"points": [{"x": 0, "y": 0, "label": "A\nB"}]},
            "figure.points[0].label: must be plain text on one line",
        ),
        (
            "coordinate_plane",
            {"points": [{"x": 0, "y": 0, "label": 7}]},
            "figure.points[0].label: must be text",
        ),
        (
            "coordinate_plane",
            {"x_axis": {"min": 5, "max": -5}},
            "figure.x_axis.max: must be greater than min (5)",
        ),
        (
            "coordinate_plane",
            {"x_axis": {"min": -5, "max": 5, "step": 0.01}},
            "figure.x_axis.step: too small",
        ),
        ("coordinate_plane", {"y_axis": None}, "figure.y_axis: is required"),
        ("coordinate_plane", {"lines": [{"slope": 2}]}, "figure.lines[0]: give exactly one of through"),
        (
            "coordinate_plane",
            {"lines": [{"slope": 2, "intercept": 1, "x": 3}]},
            "figure.lines[0]: give exactly one of",
        ),
        (
            "coordinate_plane",
            {"lines": [{"through": [{"x": 1, "y": 1}, {"x": 1, "y": 1}]}]},
            "figure.lines[0].through: the two points must differ",
        ),
        (
            "coordinate_plane",
            {"lines": [{"through": [{"x": 1, "y": 1}]}]},
            "figure.lines[0].through: must have exactly 2 items (now 1)",
        ),
        (
            "coordinate_plane",
            {"parabolas": [{"a": 0, "b": 1, "c": 0}]},
            "figure.parabolas[0].a: must not be 0",
        ),
        (
            "coordinate_plane",
            {"circles": [{"center": {"x": 0, "y": 0}, "radius": -1}]},
            "figure.circles[0].radius: must be greater than 0",
        ),
        ("coordinate_plane", {"grid": "yes"}, "figure.grid: must be true or false"),
        ("scatterplot", {"points": []}, "figure.points: must have 1 to 200 items (now 0)"),
        ("scatterplot", {"line_of_fit": {"slope": 1}}, "figure.line_of_fit.intercept: is required"),
        (
            "bar_chart",
            {"bars": [{"label": "A", "value": -1}]},
            "figure.bars[0].value: must be a finite number from 0",
        ),
        ("bar_chart", {"y_axis": {"max": 5}}, "figure.y_axis.max: must be at least the largest value (7)"),
        (
            "bar_chart",
            {"bars": [{"label": "x", "value": 1}] * 31},
            "figure.bars: must have 1 to 30 items (now 31)",
        ),
        (
            "histogram",
            {"bins": [{"from": 0, "to": 10, "count": 1}, {"from": 12, "to": 20, "count": 1}]},
            "figure.bins[1].from: must equal the previous bin's to (10)",
        ),
        (
            "histogram",
            {"bins": [{"from": 10, "to": 0, "count": 1}]},
            "figure.bins[0].to: must be greater than from (10)",
        ),
        ("dot_plot", {"dots": [{"value": 1, "count": 1.5}]}, "figure.dots[0].count: must be a whole number"),
        ("dot_plot", {"dots": [{"value": 9, "count": 1}]}, "figure.dots[0].value: 9 is outside the axis"),
        (
            "triangle",
            {"vertices": [{"label": "A"}, {"label": "B"}]},
            "figure.vertices: must have exactly 3 items (now 2)",
        ),
        (
            "triangle",
            {"vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": 2, "y": 2}]},
            "figure.vertices: the three vertices lie on one line",
        ),
        (
            "triangle",
            {"vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"label": "C"}]},
            "figure.vertices: give x and y for all three vertices or for none",
        ),
        ("triangle", {"right_angle": 3}, "figure.right_angle: must be the index of a vertex (0, 1 or 2)"),
        ("triangle", {"side_labels": ["1", "2"]}, "figure.side_labels: must have exactly 3 items (now 2)"),
        ("circle", {"chords": [{"from": 0, "to": 7}]}, "figure.chords[0].to: there is no point 7 (0 to 2)"),
        ("circle", {"radii": [{"to": -1}]}, "figure.radii[0].to: must be a finite number from 0"),
        ("geometry", {"alt": None}, "figure.alt: a geometry figure needs an authored text alternative (alt)"),
        (
            "geometry",
            {"polygons": [{"vertices": [0, 1, 99]}]},
            "figure.polygons[0].vertices[2]: there is no point 99",
        ),
        ("geometry", {"alt_mode": "sometimes"}, "figure.alt_mode: must be one of extend, replace"),
        ("bar_chart", {"alt_mode": "replace"}, "figure.alt: is required when alt_mode is replace"),
        ("bar_chart", {"alt": "A" * 2001}, "figure.alt: at most 2000 characters (now 2001)"),
    ],
)
def test_a_bad_spec_is_refused_with_its_path(kind, changes, expected):
    problems = figure_problems(_with(kind, **changes))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_hostile_label_text_is_allowed_as_text():
    # A label is plain text: markup in it is not refused but drawn as the characters it is (see test_svg).
    assert figure_problems(_with("bar_chart", title=HOSTILE)) == []
