"""The figure spec: which kinds exist, which fields each takes, and every rule a spec must follow.

A spec is JSON: objects, lists, finite numbers, booleans and short plain-text labels. Unknown kinds and
keys are refused, every list is bounded, and each problem names its path ("figure.points[3].x: must be
a number"). docs/question-format.md is the reference for authors.
"""

import math
from collections.abc import Callable

LIMIT = 1_000_000  # no coordinate or value beyond ± this
MAX_POINTS = 200  # points of a scatterplot, curve, plane or geometry figure
MAX_ITEMS = 30  # lines, segments, circles, bars, bins, labels ...
MAX_TICKS = 60  # (max - min) / step on an axis
LABEL_MAX = 40
TITLE_MAX = 80
ALT_MAX = 2000

Checker = Callable[[list[str], object, str], None]


def _number(*, positive: bool = False, integer: bool = False, low: float = -LIMIT) -> Checker:
    def check(problems, value, path):
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{path}: must be a number")
        elif not math.isfinite(value) or not low <= value <= LIMIT:
            problems.append(f"{path}: must be a finite number from {low:g} to {LIMIT:g}")
        elif positive and value <= 0:
            problems.append(f"{path}: must be greater than 0")
        elif integer and value != int(value):
            problems.append(f"{path}: must be a whole number")

    return check


def _text(limit: int) -> Checker:
    def check(problems, value, path):
        if not isinstance(value, str):
            problems.append(f"{path}: must be text")
        elif len(value) > limit:
            problems.append(f"{path}: at most {limit} characters (now {len(value)})")
        elif any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in value):
            problems.append(f"{path}: must be plain text on one line (no control characters)")

    return check


def _boolean(problems, value, path):
    if not isinstance(value, bool):
        problems.append(f"{path}: must be true or false")


def _choice(*values: str) -> Checker:
    def check(problems, value, path):
        if value not in values:
            problems.append(f"{path}: must be one of {', '.join(values)}")

    return check


def _object(required: dict[str, Checker], optional: dict[str, Checker] | None = None) -> Checker:
    optional = optional or {}

    def check(problems, value, path):
        if not isinstance(value, dict):
            problems.append(f"{path}: must be an object with {', '.join(required) or 'fields'}")
            return
        unknown = sorted(set(value) - set(required) - set(optional), key=str)
        if unknown:
            allowed = ", ".join([*required, *optional])
            problems.append(f"{path}: unknown key(s) {', '.join(map(str, unknown))} (allowed: {allowed})")
        for name, checker in required.items():
            if name not in value:
                problems.append(f"{path}.{name}: is required")
            else:
                checker(problems, value[name], f"{path}.{name}")
        for name, checker in optional.items():
            if name in value and value[name] is not None:
                checker(problems, value[name], f"{path}.{name}")

    return check


def _list(item: Checker, *, most: int = MAX_ITEMS, least: int = 0) -> Checker:
    def check(problems, value, path):
        if not isinstance(value, list):
            problems.append(f"{path}: must be a list")
        elif not least <= len(value) <= most:
            size = f"exactly {least}" if least == most else f"{least} to {most}"
            problems.append(f"{path}: must have {size} items (now {len(value)})")
        else:
            for index, entry in enumerate(value):
                item(problems, entry, f"{path}[{index}]")

    return check


NUMBER = _number()
POSITIVE = _number(positive=True)
INDEX = _number(integer=True, low=0)
LABEL = _text(LABEL_MAX)
TITLE = _text(TITLE_MAX)
XY = _object({"x": NUMBER, "y": NUMBER})
POINT = _object({"x": NUMBER, "y": NUMBER}, {"label": LABEL})
STYLE = {"label": LABEL, "dashed": _boolean}
AXIS = _object({"min": NUMBER, "max": NUMBER}, {"step": POSITIVE, "title": TITLE})
VALUE_AXIS = _object({"max": POSITIVE}, {"min": NUMBER, "step": POSITIVE, "title": TITLE})

COMMON = {"alt": _text(ALT_MAX), "alt_mode": _choice("extend", "replace"), "title": TITLE}

FIELDS: dict[str, tuple[dict[str, Checker], dict[str, Checker]]] = {
    "coordinate_plane": (
        {"x_axis": AXIS, "y_axis": AXIS},
        {
            "grid": _boolean,
            "points": _list(POINT, most=MAX_POINTS),
            "lines": _list(
                _object(
                    {},
                    {
                        "through": _list(XY, least=2, most=2),
                        "slope": NUMBER,
                        "intercept": NUMBER,
                        "x": NUMBER,
                        **STYLE,
                    },
                )
            ),
            "segments": _list(_object({"from": XY, "to": XY}, STYLE)),
            "curves": _list(_object({"points": _list(XY, least=2, most=MAX_POINTS)}, STYLE)),
            "parabolas": _list(_object({"a": NUMBER, "b": NUMBER, "c": NUMBER}, STYLE)),
            "circles": _list(_object({"center": XY, "radius": POSITIVE}, STYLE)),
        },
    ),
    "scatterplot": (
        {"x_axis": AXIS, "y_axis": AXIS, "points": _list(XY, least=1, most=MAX_POINTS)},
        {"grid": _boolean, "line_of_fit": _object({"slope": NUMBER, "intercept": NUMBER}, STYLE)},
    ),
    "bar_chart": (
        {"bars": _list(_object({"label": LABEL, "value": _number(low=0)}), least=1, most=MAX_ITEMS)},
        {"x_title": TITLE, "y_axis": VALUE_AXIS},
    ),
    "histogram": (
        {
            "bins": _list(
                _object({"from": NUMBER, "to": NUMBER, "count": _number(low=0)}), least=1, most=MAX_ITEMS
            )
        },
        {"x_title": TITLE, "y_axis": VALUE_AXIS},
    ),
    "dot_plot": (
        {
            "x_axis": AXIS,
            "dots": _list(_object({"value": NUMBER, "count": _number(integer=True, low=1)}), least=1),
        },
        {},
    ),
    "triangle": (
        {"vertices": _list(_object({}, {"x": NUMBER, "y": NUMBER, "label": LABEL}), least=3, most=3)},
        {
            "side_labels": _list(LABEL, least=3, most=3),
            "angle_labels": _list(LABEL, least=3, most=3),
            "right_angle": _number(integer=True, low=0),
        },
    ),
    "circle": (
        {},
        {
            "center_label": LABEL,
            "points": _list(_object({"angle": NUMBER}, {"label": LABEL})),
            "radii": _list(_object({"to": INDEX}, {"label": LABEL})),
            "chords": _list(_object({"from": INDEX, "to": INDEX}, STYLE)),
            "arcs": _list(_object({"from": INDEX, "to": INDEX}, {"label": LABEL})),
            "central_angles": _list(_object({"from": INDEX, "to": INDEX}, {"label": LABEL})),
        },
    ),
    "geometry": (
        {"points": _list(POINT, least=1, most=MAX_POINTS)},
        {
            "segments": _list(_object({"from": INDEX, "to": INDEX}, STYLE)),
            "polygons": _list(
                _object({"vertices": _list(INDEX, least=3, most=MAX_ITEMS)}, {"shaded": _boolean})
            ),
            "circles": _list(_object({"center": INDEX, "radius": POSITIVE}, {"label": LABEL})),
            "labels": _list(_object({"x": NUMBER, "y": NUMBER, "text": LABEL})),
            "angle_marks": _list(
                _object({"at": INDEX, "from": INDEX, "to": INDEX}, {"label": LABEL, "right": _boolean})
            ),
        },
    ),
}
KINDS = tuple(FIELDS)


def figure_problems(figure: object, path: str = "figure") -> list[str]:
    """Every rule the spec breaks, one message each with its path; empty when the figure may be drawn."""
    if figure is None:
        return []
    if not isinstance(figure, dict):
        return [f"{path}: must be an object with a kind ({', '.join(KINDS)})"]
    kind = figure.get("kind")
    if kind not in FIELDS:
        return [f"{path}.kind: must be one of {', '.join(KINDS)}"]
    required, optional = FIELDS[kind]
    problems: list[str] = []
    _object({"kind": lambda *_: None, **required}, {**COMMON, **optional})(problems, figure, path)
    if not problems:
        _KIND_RULES.get(kind, lambda *_: None)(problems, figure, path)
    if not problems and figure.get("alt_mode") == "replace" and not (figure.get("alt") or "").strip():
        problems.append(f"{path}.alt: is required when alt_mode is replace")
    return problems


# --- Rules across fields, run once the shapes above are right ---


def _axis_rules(problems, axis: dict, path: str) -> None:
    low, high = axis.get("min", 0), axis["max"]
    if low >= high:
        problems.append(f"{path}.max: must be greater than min ({low:g})")
    elif "step" in axis and (high - low) / axis["step"] > MAX_TICKS:
        problems.append(f"{path}.step: too small: at most {MAX_TICKS} steps from min to max")


def _inside(problems, point: dict, figure: dict, path: str) -> None:
    for name in ("x", "y"):
        axis = figure[f"{name}_axis"]
        if not axis["min"] <= point[name] <= axis["max"]:
            problems.append(
                f"{path}.{name}: {point[name]:g} is outside the axis ({axis['min']:g} to {axis['max']:g})"
            )


def _plane_rules(problems, figure, path):
    _axis_rules(problems, figure["x_axis"], f"{path}.x_axis")
    _axis_rules(problems, figure["y_axis"], f"{path}.y_axis")
    if problems:
        return
    for index, point in enumerate(figure.get("points") or []):
        _inside(problems, point, figure, f"{path}.points[{index}]")
    for index, line in enumerate(figure.get("lines") or []):
        forms = [name for name in ("through", "slope", "x") if name in line]
        where = f"{path}.lines[{index}]"
        if len(forms) != 1 or ("slope" in line) != ("intercept" in line):
            problems.append(f"{where}: give exactly one of through (two points), slope and intercept, or x")
        elif "through" in line and line["through"][0] == line["through"][1]:
            problems.append(f"{where}.through: the two points must differ")
    for index, parabola in enumerate(figure.get("parabolas") or []):
        if parabola["a"] == 0:
            problems.append(f"{path}.parabolas[{index}].a: must not be 0 (that is a line)")


def _scatter_rules(problems, figure, path):
    _axis_rules(problems, figure["x_axis"], f"{path}.x_axis")
    _axis_rules(problems, figure["y_axis"], f"{path}.y_axis")
    if not problems:
        for index, point in enumerate(figure["points"]):
            _inside(problems, point, figure, f"{path}.points[{index}]")


def _value_axis_rules(problems, figure, path, values):
    axis = figure.get("y_axis")
    if axis:
        _axis_rules(problems, axis, f"{path}.y_axis")
        if not problems and max(values) > axis["max"]:
            problems.append(f"{path}.y_axis.max: must be at least the largest value ({max(values):g})")


def _bar_rules(problems, figure, path):
    _value_axis_rules(problems, figure, path, [bar["value"] for bar in figure["bars"]])


def _histogram_rules(problems, figure, path):
    bins = figure["bins"]
    for index, each in enumerate(bins):
        if each["from"] >= each["to"]:
            problems.append(f"{path}.bins[{index}].to: must be greater than from ({each['from']:g})")
        elif index and each["from"] != bins[index - 1]["to"]:
            problems.append(
                f"{path}.bins[{index}].from: must equal the previous bin's to ({bins[index - 1]['to']:g})"
            )
    _value_axis_rules(problems, figure, path, [each["count"] for each in bins])


def _dot_rules(problems, figure, path):
    axis = figure["x_axis"]
    _axis_rules(problems, axis, f"{path}.x_axis")
    for index, dot in enumerate(figure["dots"]):
        if not problems and not axis["min"] <= dot["value"] <= axis["max"]:
            problems.append(f"{path}.dots[{index}].value: {dot['value']:g} is outside the axis")
        if dot["count"] > 20:
            problems.append(f"{path}.dots[{index}].count: at most 20 dots above one value")


def _triangle_rules(problems, figure, path):
    vertices = figure["vertices"]
    placed = ["x" in vertex and "y" in vertex for vertex in vertices]
    if any("x" in v or "y" in v for v in vertices) and not all(placed):
        problems.append(f"{path}.vertices: give x and y for all three vertices or for none")
    elif all(placed):
        (ax, ay), (bx, by), (cx, cy) = ((v["x"], v["y"]) for v in vertices)
        if abs((bx - ax) * (cy - ay) - (by - ay) * (cx - ax)) < 1e-9:
            problems.append(f"{path}.vertices: the three vertices lie on one line")
    if figure.get("right_angle") is not None and figure["right_angle"] > 2:
        problems.append(f"{path}.right_angle: must be the index of a vertex (0, 1 or 2)")


def _indices(problems, items, names, size, path, what):
    for index, item in enumerate(items or []):
        for name in names:
            if item[name] >= size:
                problems.append(
                    f"{path}[{index}].{name}: there is no {what} {item[name]:g} (0 to {size - 1})"
                )


def _circle_rules(problems, figure, path):
    size = len(figure.get("points") or [])
    _indices(problems, figure.get("radii"), ("to",), size, f"{path}.radii", "point")
    for name in ("chords", "arcs", "central_angles"):
        _indices(problems, figure.get(name), ("from", "to"), size, f"{path}.{name}", "point")


def _geometry_rules(problems, figure, path):
    size = len(figure["points"])
    _indices(problems, figure.get("segments"), ("from", "to"), size, f"{path}.segments", "point")
    _indices(problems, figure.get("circles"), ("center",), size, f"{path}.circles", "point")
    _indices(problems, figure.get("angle_marks"), ("at", "from", "to"), size, f"{path}.angle_marks", "point")
    for index, polygon in enumerate(figure.get("polygons") or []):
        for position, vertex in enumerate(polygon["vertices"]):
            if vertex >= size:
                problems.append(
                    f"{path}.polygons[{index}].vertices[{position}]: there is no point {vertex:g}"
                )
    if not (figure.get("alt") or "").strip():
        problems.append(f"{path}.alt: a geometry figure needs an authored text alternative (alt)")


_KIND_RULES = {
    "coordinate_plane": _plane_rules,
    "scatterplot": _scatter_rules,
    "bar_chart": _bar_rules,
    "histogram": _histogram_rules,
    "dot_plot": _dot_rules,
    "triangle": _triangle_rules,
    "circle": _circle_rules,
    "geometry": _geometry_rules,
}
