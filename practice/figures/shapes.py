"""Figures drawn to fit their box: geometry, and triangle and circle, which are turned into geometry.

Coordinates are the author's (y up, any unit); the drawing keeps their proportions and scales them to
the viewBox. Vertex labels sit outside the shape, side labels beside their side away from the middle,
angle labels inside their angle.
"""

import math

from .svg import FONT, WIDTH, Canvas

MAX_HEIGHT = 300
PAD = 34  # room around the shape for labels


def _fit(points: list[tuple[float, float]], extra: list[tuple[float, float, float]]):
    """A function mapping author coordinates into the canvas, and the canvas size. `extra` are circles
    (x, y, r) that must fit too."""
    xs = [x for x, _ in points] + [x + s * r for x, _, r in extra for s in (-1, 1)]
    ys = [y for _, y in points] + [y + s * r for _, y, r in extra for s in (-1, 1)]
    width, height = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    scale = min((WIDTH - 2 * PAD) / width, (MAX_HEIGHT - 2 * PAD) / height)
    canvas_h = height * scale + 2 * PAD
    left = (WIDTH - width * scale) / 2

    def place(x, y):
        return left + (x - min(xs)) * scale, PAD + (max(ys) - y) * scale

    return place, scale, canvas_h


def _unit(dx, dy):
    length = math.hypot(dx, dy) or 1
    return dx / length, dy / length


def _outward(x, y, cx, cy):
    """Label directions for a point, starting with straight away from (cx, cy)."""
    ux, uy = _unit(x - cx, y - cy)
    turns = [0, 0.5, -0.5, 1.0, -1.0, 1.6, -1.6, math.pi]
    return [(math.cos(math.atan2(uy, ux) + t), math.sin(math.atan2(uy, ux) + t)) for t in turns]


def _angle_mark(canvas, at, one, two, label, right):
    ux, uy = _unit(one[0] - at[0], one[1] - at[1])
    vx, vy = _unit(two[0] - at[0], two[1] - at[1])
    if right:
        size = 11
        corner = [
            (at[0] + ux * size, at[1] + uy * size),
            (at[0] + (ux + vx) * size, at[1] + (uy + vy) * size),
            (at[0] + vx * size, at[1] + vy * size),
        ]
        canvas.polyline(corner, "fig-mark")
    else:
        radius = 20
        start, end = (at[0] + ux * radius, at[1] + uy * radius), (at[0] + vx * radius, at[1] + vy * radius)
        sweep = 1 if ux * vy - uy * vx > 0 else 0
        canvas.path(
            f"M {start[0]:.2f} {start[1]:.2f} A {radius} {radius} 0 0 {sweep} {end[0]:.2f} {end[1]:.2f}",
            "fig-mark",
        )
    if label:
        bx, by = _unit(ux + vx, uy + vy)
        if bx == 0 and by == 0:
            bx, by = -uy, ux
        spread = math.acos(max(-1.0, min(1.0, ux * vx + uy * vy)))
        distance = 24 + 14 / max(math.sin(spread / 2), 0.35) + len(label) * 1.5
        x, y = at[0] + bx * distance, at[1] + by * distance
        canvas.text(x, y + FONT * 0.35, label, cls="fig-label")


def geometry(figure: dict, ident: str) -> Canvas:
    points = figure["points"]
    circles = figure.get("circles") or []
    place, scale, height = _fit(
        [(p["x"], p["y"]) for p in points] + [(t["x"], t["y"]) for t in figure.get("labels") or []],
        [(points[int(c["center"])]["x"], points[int(c["center"])]["y"], c["radius"]) for c in circles],
    )
    canvas = Canvas(WIDTH, height)
    at = [place(p["x"], p["y"]) for p in points]
    cx, cy = sum(x for x, _ in at) / len(at), sum(y for _, y in at) / len(at)
    used = set()
    for polygon in figure.get("polygons") or []:
        ring = [at[int(i)] for i in polygon["vertices"]]
        canvas.polyline(ring, "fig-shade" if polygon.get("shaded") else "fig-line", closed=True)
        used.update(int(i) for i in polygon["vertices"])
    for circle in circles:
        x, y = at[int(circle["center"])]
        canvas.ellipse(x, y, circle["radius"] * scale, circle["radius"] * scale)
    for segment in figure.get("segments") or []:
        a, b = at[int(segment["from"])], at[int(segment["to"])]
        canvas.line(*a, *b, dashed=segment.get("dashed", False))
        used.update((int(segment["from"]), int(segment["to"])))
    for mark in figure.get("angle_marks") or []:
        _angle_mark(
            canvas,
            at[int(mark["at"])],
            at[int(mark["from"])],
            at[int(mark["to"])],
            mark.get("label"),
            mark.get("right", False),
        )
    for index, point in enumerate(points):
        if point.get("dot") or index not in used:
            canvas.dot(*at[index], r=3)
    for circle in circles:
        if circle.get("label"):
            x, y = at[int(circle["center"])]
            r = circle["radius"] * scale
            canvas.label(x + r * 0.72, y - r * 0.72, circle["label"], directions=[(1, -1), (1, 0), (0, -1)])
    for segment in figure.get("segments") or []:
        if segment.get("label"):
            (x1, y1), (x2, y2) = at[int(segment["from"])], at[int(segment["to"])]
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            nx, ny = _unit(y1 - y2, x2 - x1)
            if nx * (mx - cx) + ny * (my - cy) < 0:  # the normal that points away from the middle
                nx, ny = -nx, -ny
            canvas.label(mx, my, segment["label"], directions=[(nx, ny), (-nx, -ny)], gap=6)
    for index, point in enumerate(points):
        if point.get("label"):
            canvas.label(*at[index], point["label"], directions=_outward(*at[index], cx, cy), gap=8)
    for text in figure.get("labels") or []:
        canvas.text(*place(text["x"], text["y"]), text["text"], cls="fig-label")
    return canvas


def _triangle_geometry(figure: dict) -> dict:
    vertices = figure["vertices"]
    if all("x" in v for v in vertices):
        coords = [(v["x"], v["y"]) for v in vertices]
    else:
        corner = figure.get("right_angle")
        coords = [(0.0, 0.0), (5.0, 0.0), (1.7, 3.4)]
        if corner is not None:  # a 3-4-5 shape with the right angle where the spec says
            shape = [(0.0, 0.0), (4.0, 0.0), (0.0, 3.0)]
            coords = [shape[(index - int(corner)) % 3] for index in range(3)]
    points = [{"x": x, "y": y, "label": v.get("label")} for (x, y), v in zip(coords, vertices, strict=True)]
    sides = figure.get("side_labels") or ["", "", ""]
    marks = []
    for index, text in enumerate(figure.get("angle_labels") or ["", "", ""]):
        if text and index != figure.get("right_angle"):
            marks.append({"at": index, "from": (index + 1) % 3, "to": (index + 2) % 3, "label": text})
    if figure.get("right_angle") is not None:
        index = int(figure["right_angle"])
        marks.append({"at": index, "from": (index + 1) % 3, "to": (index + 2) % 3, "right": True})
    return {
        "points": points,
        "segments": [{"from": i, "to": (i + 1) % 3, "label": sides[i]} for i in range(3)],
        "angle_marks": marks,
    }


def triangle(figure: dict, ident: str) -> Canvas:
    return geometry(_triangle_geometry(figure), ident)


def _circle_geometry(figure: dict) -> dict:
    on = figure.get("points") or []
    points = [{"x": 0.0, "y": 0.0, "label": figure.get("center_label"), "dot": True}]
    points += [
        {
            "x": math.cos(math.radians(p["angle"])),
            "y": math.sin(math.radians(p["angle"])),
            "label": p.get("label"),
            "dot": True,
        }
        for p in on
    ]
    segments = [
        {"from": 0, "to": int(r["to"]) + 1, "label": r.get("label")} for r in figure.get("radii") or []
    ]
    segments += [
        {
            "from": int(c["from"]) + 1,
            "to": int(c["to"]) + 1,
            "label": c.get("label"),
            "dashed": c.get("dashed", False),
        }
        for c in figure.get("chords") or []
    ]
    marks = []
    for angle in figure.get("central_angles") or []:
        ends = (int(angle["from"]) + 1, int(angle["to"]) + 1)
        for end in ends:
            if not any(s["from"] == 0 and s["to"] == end for s in segments):
                segments.append({"from": 0, "to": end})
        marks.append({"at": 0, "from": ends[0], "to": ends[1], "label": angle.get("label")})
    return {
        "points": points,
        "segments": segments,
        "circles": [{"center": 0, "radius": 1}],
        "angle_marks": marks,
    }


def circle(figure: dict, ident: str) -> Canvas:
    canvas = geometry(_circle_geometry(figure), ident)
    # Arcs: drawn over the circle, thicker, with the label outside the middle of the arc.
    if figure.get("arcs"):
        scale = (canvas.height - 2 * PAD) / 2
        cx, cy = WIDTH / 2, canvas.height / 2
        for arc in figure["arcs"]:
            start = math.radians(figure["points"][int(arc["from"])]["angle"])
            end = math.radians(figure["points"][int(arc["to"])]["angle"])
            while end <= start:
                end += 2 * math.pi
            sx, sy = cx + scale * math.cos(start), cy - scale * math.sin(start)
            ex, ey = cx + scale * math.cos(end), cy - scale * math.sin(end)
            large = 1 if end - start > math.pi else 0
            canvas.path(
                f"M {sx:.2f} {sy:.2f} A {scale:.2f} {scale:.2f} 0 {large} 0 {ex:.2f} {ey:.2f}", "fig-arc"
            )
            if arc.get("label"):
                middle = (start + end) / 2
                mx, my = cx + scale * math.cos(middle), cy - scale * math.sin(middle)
                canvas.label(mx, my, arc["label"], directions=[(math.cos(middle), -math.sin(middle))], gap=10)
    return canvas


SHAPES = {"geometry": geometry, "triangle": triangle, "circle": circle}
