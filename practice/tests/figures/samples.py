"""One good spec of every kind, for the figure tests (and the browser test's screenshots)."""

import xml.etree.ElementTree as ET


def parse_svg(svg: str) -> ET.Element:
    """Parse the renderer's SVG (raises if it is not well-formed XML)."""
    return ET.fromstring(svg)  # noqa: S314 - our own renderer's output, in a test, not outside input


HOSTILE = '</text><script>alert("x")</script>'

GOOD = {
    "coordinate_plane": {
        "kind": "coordinate_plane",
        "x_axis": {"min": -5, "max": 5},
        "y_axis": {"min": -5, "max": 5},
        "points": [{"x": 1, "y": 3, "label": "A"}, {"x": -3, "y": -2, "label": "B"}],
        "lines": [{"through": [{"x": 0, "y": 1}, {"x": 2, "y": 5}], "label": "\u2113"}],
        "segments": [{"from": {"x": -4, "y": 4}, "to": {"x": -1, "y": 4}, "dashed": True}],
        "curves": [{"points": [{"x": 2, "y": -4}, {"x": 3, "y": -3}, {"x": 4, "y": -1.5}]}],
        "parabolas": [{"a": 1, "b": -2, "c": -3, "label": "f"}],
        "circles": [{"center": {"x": -3, "y": 2}, "radius": 1.5}],
    },
    "scatterplot": {
        "kind": "scatterplot",
        "x_axis": {"min": 0, "max": 10, "title": "Hours studied"},
        "y_axis": {"min": 0, "max": 100, "step": 20, "title": "Score"},
        "points": [{"x": 1, "y": 25}, {"x": 3, "y": 42}, {"x": 5, "y": 57}, {"x": 8, "y": 83}],
        "line_of_fit": {"slope": 7.5, "intercept": 18},
    },
    "bar_chart": {
        "kind": "bar_chart",
        "title": "Books read per month",
        "bars": [{"label": "January", "value": 4}, {"label": "February", "value": 7}],
        "y_axis": {"max": 8, "title": "Books"},
    },
    "histogram": {
        "kind": "histogram",
        "bins": [{"from": 0, "to": 10, "count": 3}, {"from": 10, "to": 20, "count": 6}],
        "x_title": "Minutes",
        "y_axis": {"max": 8, "title": "Number of students"},
    },
    "dot_plot": {
        "kind": "dot_plot",
        "x_axis": {"min": 0, "max": 5, "step": 1, "title": "Pets per household"},
        "dots": [{"value": 0, "count": 2}, {"value": 1, "count": 4}, {"value": 3, "count": 1}],
    },
    "triangle": {
        "kind": "triangle",
        "vertices": [{"label": "A"}, {"label": "B"}, {"label": "C"}],
        "side_labels": ["8", "10", "6"],
        "angle_labels": ["", "x°", ""],
        "right_angle": 0,
    },
    "circle": {
        "kind": "circle",
        "center_label": "O",
        "points": [{"angle": 20, "label": "A"}, {"angle": 140, "label": "B"}, {"angle": 250, "label": "C"}],
        "radii": [{"to": 0, "label": "6"}],
        "chords": [{"from": 1, "to": 2}],
        "arcs": [{"from": 0, "to": 1, "label": "120°"}],
        "central_angles": [{"from": 1, "to": 2, "label": "110°"}],
    },
    "geometry": {
        "kind": "geometry",
        "alt": "Lines m and n are parallel and are cut by a transversal t.",
        "points": [
            {"x": 0, "y": 0},
            {"x": 8, "y": 0},
            {"x": 0, "y": 4},
            {"x": 8, "y": 4},
            {"x": 2, "y": -1},
            {"x": 6, "y": 5},
            {"x": 2.8, "y": 0, "label": "P"},
        ],
        "segments": [{"from": 0, "to": 1}, {"from": 2, "to": 3}, {"from": 4, "to": 5, "label": "t"}],
        "polygons": [{"vertices": [0, 6, 2], "shaded": True}],
        "circles": [{"center": 6, "radius": 0.5}],
        "labels": [{"x": 8.4, "y": 0, "text": "m"}, {"x": 8.4, "y": 4, "text": "n"}],
        "angle_marks": [
            {"at": 6, "from": 1, "to": 5, "label": "65°"},
            {"at": 0, "from": 1, "to": 2, "right": True},
        ],
    },
}
