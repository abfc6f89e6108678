"""The text alternative of a figure: generated from the spec, led by the authored `alt` when there is one.

`alt_mode` "extend" (the default) puts the authored text first and the generated description after
it; "replace" uses the authored text alone, for figures whose meaning the numbers do not carry.
"""

MOST_LISTED = 40  # points listed one by one; beyond this a description gives counts and ranges


def number(value: float) -> str:
    """A number as a reader says it: 3, 2.5, -0.75 (no trailing zeros, no exponent below a million)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def pair(point: dict) -> str:
    return f"({number(point['x'])}, {number(point['y'])})"


def polynomial(a: float, b: float, c: float) -> str:
    """y = ax² + bx + c written the way a textbook would: y = x² - 4x + 3."""
    terms = []
    for coefficient, power in ((a, "x²"), (b, "x"), (c, "")):
        if coefficient == 0:
            continue
        size = abs(coefficient)
        body = power if size == 1 and power else f"{number(size)}{power}"
        sign = "-" if coefficient < 0 else "+"
        terms.append(f"{'-' if sign == '-' else ''}{body}" if not terms else f"{sign} {body}")
    return "y = " + (" ".join(terms) or "0")


def _named(text: str | None, what: str) -> str:
    return f"{what} {text}" if text else what


def _axis(name: str, axis: dict) -> str:
    """ "x from -5 to 5", or with the axis's title in place of its letter: "Hours studied from 0 to 10"."""
    return f"{axis.get('title') or name} from {number(axis.get('min', 0))} to {number(axis['max'])}"


def _plane(figure: dict) -> list[str]:
    parts = [f"Coordinate plane, {_axis('x', figure['x_axis'])}, {_axis('y', figure['y_axis'])}."]
    for line in figure.get("lines") or []:
        name = _named(line.get("label"), "Line")
        if "through" in line:
            first, second = line["through"]
            parts.append(f"{name} through {pair(first)} and {pair(second)}.")
        elif "x" in line:
            parts.append(f"{name}, the vertical line x = {number(line['x'])}.")
        else:
            parts.append(f"{name}: {polynomial(0, line['slope'], line['intercept'])}.")
    for segment in figure.get("segments") or []:
        name = _named(segment.get("label"), "Segment")
        parts.append(f"{name} from {pair(segment['from'])} to {pair(segment['to'])}.")
    for parabola in figure.get("parabolas") or []:
        name = _named(parabola.get("label"), "Parabola")
        parts.append(f"{name}: {polynomial(parabola['a'], parabola['b'], parabola['c'])}.")
    for curve in figure.get("curves") or []:
        name, points = _named(curve.get("label"), "Curve"), curve["points"]
        if len(points) <= MOST_LISTED:
            parts.append(f"{name} through {', '.join(pair(p) for p in points)}.")
        else:
            parts.append(f"{name} through {len(points)} points from {pair(points[0])} to {pair(points[-1])}.")
    for circle in figure.get("circles") or []:
        name = _named(circle.get("label"), "Circle")
        parts.append(f"{name} with center {pair(circle['center'])} and radius {number(circle['radius'])}.")
    for point in figure.get("points") or []:
        label = point.get("label")
        if label and label.replace("\u2212", "-").replace(" ", "") == pair(point).replace(" ", ""):
            label = None  # a point labelled with its own coordinates
        parts.append(f"{_named(label, 'Point')} at {pair(point)}.")
    return parts


def _scatter(figure: dict) -> list[str]:
    x_axis, y_axis, points = figure["x_axis"], figure["y_axis"], figure["points"]
    against = ""
    if x_axis.get("title") or y_axis.get("title"):
        against = f" of {y_axis.get('title') or 'y'} against {x_axis.get('title') or 'x'}"
    parts = [f"Scatterplot{against}, {_axis('x', x_axis)}, {_axis('y', y_axis)}."]
    if len(points) <= MOST_LISTED:
        listed = ", ".join(pair(p) for p in sorted(points, key=lambda p: (p["x"], p["y"])))
        parts.append(f"{len(points)} points: {listed}.")
    else:
        parts.append(f"{len(points)} points.")
    fit = figure.get("line_of_fit")
    if fit:
        name = _named(fit.get("label"), "Line of fit")
        parts.append(f"{name}: {polynomial(0, fit['slope'], fit['intercept'])}.")
    return parts


def _of(figure: dict) -> str:
    return f" of {figure['title']}" if figure.get("title") else ""


def _chart(name: str, figure: dict) -> str:
    """ "Bar chart of Books read (Books)", "Histogram, Number of students by Minutes" ..."""
    values, categories = (figure.get("y_axis") or {}).get("title"), figure.get("x_title")
    if values and categories:
        return f"{name}{_of(figure)}, {values} by {categories}"
    if values:
        return f"{name}{_of(figure)} ({values})"
    return f"{name}{_of(figure)}{f' by {categories}' if categories else ''}"


def _bars(figure: dict) -> list[str]:
    def said(bar):  # "January 4", but "2: 5" where the label is itself a number
        return f"{bar['label']}{':' if bar['label'][-1:].isdigit() else ''} {number(bar['value'])}"

    return [f"{_chart('Bar chart', figure)}: {', '.join(said(bar) for bar in figure['bars'])}."]


def _histogram(figure: dict) -> list[str]:
    listed = ", ".join(
        f"{number(each['from'])} to {number(each['to'])}: {number(each['count'])}" for each in figure["bins"]
    )
    return [f"{_chart('Histogram', figure)}: {listed}."]


def _dots(figure: dict) -> list[str]:
    axis = figure["x_axis"]
    listed = ", ".join(
        f"{dot['count']} {'dot' if dot['count'] == 1 else 'dots'} at {number(dot['value'])}"
        for dot in sorted(figure["dots"], key=lambda d: d["value"])
    )
    return [f"Dot plot{_of(figure)}, {_axis('values', axis)}: {listed}."]


def vertex_names(figure: dict) -> list[str]:
    return [v.get("label") or f"vertex {index + 1}" for index, v in enumerate(figure["vertices"])]


def _triangle(figure: dict) -> list[str]:
    names = vertex_names(figure)
    labelled = all(v.get("label") for v in figure["vertices"])
    parts = [f"Triangle {''.join(names)}." if labelled else "Triangle."]
    joiner = "" if labelled else " to "
    for index, text in enumerate(figure.get("side_labels") or []):
        if text:
            parts.append(f"Side {names[index]}{joiner}{names[(index + 1) % 3]} is labelled {text}.")
    for index, text in enumerate(figure.get("angle_labels") or []):
        if text:
            parts.append(f"The angle at {names[index]} is labelled {text}.")
    if figure.get("right_angle") is not None:
        parts.append(f"The angle at {names[int(figure['right_angle'])]} is a right angle.")
    return parts


def _circle(figure: dict) -> list[str]:
    center = figure.get("center_label") or ""
    points = [p.get("label") or f"point {index + 1}" for index, p in enumerate(figure.get("points") or [])]
    parts = [f"Circle with center {center}." if center else "Circle."]
    if points:
        parts.append(f"On the circle: {', '.join(points)}.")
    for radius in figure.get("radii") or []:
        said = f" labelled {radius['label']}" if radius.get("label") else ""
        parts.append(f"Radius from the center to {points[int(radius['to'])]}{said}.")
    for name, what in (("chords", "Chord"), ("arcs", "Arc"), ("central_angles", "Central angle")):
        for item in figure.get(name) or []:
            said = f" labelled {item['label']}" if item.get("label") else ""
            ends = f"{points[int(item['from'])]} to {points[int(item['to'])]}"
            parts.append(f"{what} from {ends}{said}.")
    return parts


def _geometry(figure: dict) -> list[str]:
    named = [p["label"] for p in figure["points"] if p.get("label")]
    return [f"Points labelled {', '.join(named)}."] if named else []


_DESCRIBE = {
    "coordinate_plane": _plane,
    "scatterplot": _scatter,
    "bar_chart": _bars,
    "histogram": _histogram,
    "dot_plot": _dots,
    "triangle": _triangle,
    "circle": _circle,
    "geometry": _geometry,
}


def figure_alt(figure: dict) -> str:
    """The text alternative of a valid spec."""
    authored = (figure.get("alt") or "").strip()
    if figure.get("alt_mode") == "replace":
        return authored
    generated = " ".join(_DESCRIBE[figure["kind"]](figure))
    title = figure.get("title") if figure["kind"] not in ("bar_chart", "histogram", "dot_plot") else None
    return " ".join(part for part in (authored, f"{title}." if title else "", generated) if part)
