"""Figures drawn on axes: coordinate_plane, scatterplot, bar_chart, histogram and dot_plot.

Data coordinates map to the viewBox through a Frame; anything that could leave the plot (lines,
parabolas, circles, curves) is clipped to it here, so no clip paths or ids are needed.
"""

import math

from .svg import FONT, WIDTH, Canvas, clip_polyline, nice_step, text_width, tick_text, ticks


class Frame:
    """Data (x right, y up) to viewBox (y down) for the rectangle left, top, width, height."""

    def __init__(self, x_range, y_range, left, top, width, height):
        (self.x0, self.x1), (self.y0, self.y1) = x_range, y_range
        self.left, self.top, self.width, self.height = left, top, width, height

    def px(self, x: float) -> float:
        return self.left + (x - self.x0) / (self.x1 - self.x0) * self.width

    def py(self, y: float) -> float:
        return self.top + (self.y1 - y) / (self.y1 - self.y0) * self.height

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.px(x), self.py(y)

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.left, self.top, self.left + self.width, self.top + self.height)


def _step(axis: dict, target: int = 10) -> float:
    return axis.get("step") or nice_step(axis["max"] - axis.get("min", 0), target)


def _every(spacing: float, widest: float) -> int:
    """Label every n-th tick so labels `widest` wide do not touch when ticks are `spacing` apart."""
    return max(1, math.ceil((widest + 6) / max(spacing, 1e-9)))


def _draw_runs(canvas, frame, points, cls="fig-curve", dashed=False):
    runs = clip_polyline([frame.point(x, y) for x, y in points], frame.box)
    for run in runs:
        canvas.polyline(run, cls, dashed=dashed)
    return runs


def _label_run(canvas, runs, text):
    """Label a drawn curve near the far end of its longest visible run."""
    if text and runs:
        run = max(runs, key=len)
        x, y = run[max(0, int(len(run) * 0.85) - 1)] if len(run) > 2 else run[-1]
        canvas.label(x, y, text, gap=9)


def _line_points(line, frame):
    if "x" in line:
        return [(line["x"], frame.y0), (line["x"], frame.y1)]
    if "through" in line:
        (a, b) = line["through"]
        if a["x"] == b["x"]:
            return [(a["x"], frame.y0), (a["x"], frame.y1)]
        slope = (b["y"] - a["y"]) / (b["x"] - a["x"])
        intercept = a["y"] - slope * a["x"]
    else:
        slope, intercept = line["slope"], line["intercept"]
    return [(frame.x0, slope * frame.x0 + intercept), (frame.x1, slope * frame.x1 + intercept)]


def _grid_and_axes(canvas, frame, x_axis, y_axis, grid):
    x_ticks = ticks(frame.x0, frame.x1, _step(x_axis))
    y_ticks = ticks(frame.y0, frame.y1, _step(y_axis))
    if grid:
        for x in x_ticks:
            canvas.line(
                frame.px(x), frame.top, frame.px(x), frame.top + frame.height, "fig-grid", block=False
            )
        for y in y_ticks:
            canvas.line(
                frame.left, frame.py(y), frame.left + frame.width, frame.py(y), "fig-grid", block=False
            )
    return x_ticks, y_ticks


def _y_labels_width(y_ticks) -> float:
    return max((text_width(tick_text(y)) for y in y_ticks), default=0)


def coordinate_plane(figure: dict, ident: str) -> Canvas:
    x_axis, y_axis = figure["x_axis"], figure["y_axis"]
    x_span, y_span = x_axis["max"] - x_axis["min"], y_axis["max"] - y_axis["min"]
    ratio = y_span / x_span
    y_tick_width = _y_labels_width(ticks(y_axis["min"], y_axis["max"], _step(y_axis)))
    left, right, top = y_tick_width + 12, 18, 20
    plot_w = WIDTH - left - right
    plot_h = plot_w * ratio if 0.5 <= ratio <= 1.5 else plot_w * 0.75
    canvas = Canvas(WIDTH, top + plot_h + 30)
    frame = Frame((x_axis["min"], x_axis["max"]), (y_axis["min"], y_axis["max"]), left, top, plot_w, plot_h)
    x_ticks, y_ticks = _grid_and_axes(canvas, frame, x_axis, y_axis, figure.get("grid", True))
    # The axes cross at the origin when it is in view, else they run along the low edges.
    ox = 0 if x_axis["min"] <= 0 <= x_axis["max"] else x_axis["min"]
    oy = 0 if y_axis["min"] <= 0 <= y_axis["max"] else y_axis["min"]
    ax, ay = frame.point(ox, oy)
    canvas.line(frame.left, ay, frame.left + plot_w + 8, ay, "fig-axis")
    canvas.line(ax, frame.top + plot_h, ax, frame.top - 8, "fig-axis")
    canvas.polyline(
        [
            (frame.left + plot_w + 8, ay - 4),
            (frame.left + plot_w + 14, ay),
            (frame.left + plot_w + 8, ay + 4),
        ],
        "fig-dot",
        closed=True,
        block=False,
    )
    canvas.polyline(
        [(ax - 4, frame.top - 8), (ax, frame.top - 14), (ax + 4, frame.top - 8)],
        "fig-dot",
        closed=True,
        block=False,
    )
    canvas.text(frame.left + plot_w + 6, ay - 8, x_axis.get("title") or "x", anchor="end", cls="fig-label")
    canvas.text(ax + 8, frame.top - 4, y_axis.get("title") or "y", anchor="start", cls="fig-label")
    x_every = _every(plot_w / max(len(x_ticks) - 1, 1), max(text_width(tick_text(x)) for x in x_ticks))
    for index, x in enumerate(x_ticks):
        canvas.line(frame.px(x), ay - 3, frame.px(x), ay + 3, "fig-tick", block=False)
        if x != ox and (round(x / _step(x_axis)) % x_every == 0 or (index == 0 and ox != 0)):
            canvas.text(frame.px(x), ay + FONT + 3, tick_text(x), cls="fig-tick-label")
    y_every = _every(plot_h / max(len(y_ticks) - 1, 1), FONT * 0.2)
    for y in y_ticks:
        canvas.line(ax - 3, frame.py(y), ax + 3, frame.py(y), "fig-tick", block=False)
        if y != oy and round(y / _step(y_axis)) % y_every == 0:
            canvas.text(ax - 6, frame.py(y) + FONT * 0.35, tick_text(y), anchor="end", cls="fig-tick-label")
    # The origin's "O" sits below-left of it, unless a y tick label is already there.
    if ox == 0 and oy == 0 and (oy == y_axis["min"] or plot_h / max(len(y_ticks) - 1, 1) > FONT * 1.4):
        canvas.text(ax - 6, ay + FONT + 1, "O", anchor="end", cls="fig-tick-label")
    pending = []
    for line in figure.get("lines") or []:
        runs = _draw_runs(canvas, frame, _line_points(line, frame), "fig-line", line.get("dashed", False))
        pending.append((runs, line.get("label")))
    for segment in figure.get("segments") or []:
        ends = [(segment["from"]["x"], segment["from"]["y"]), (segment["to"]["x"], segment["to"]["y"])]
        pending.append(
            (_draw_runs(canvas, frame, ends, "fig-line", segment.get("dashed", False)), segment.get("label"))
        )
    for parabola in figure.get("parabolas") or []:
        a, b, c = parabola["a"], parabola["b"], parabola["c"]
        xs = [frame.x0 + (frame.x1 - frame.x0) * i / 240 for i in range(241)]
        points = [(x, a * x * x + b * x + c) for x in xs]
        pending.append(
            (_draw_runs(canvas, frame, points, dashed=parabola.get("dashed", False)), parabola.get("label"))
        )
    for curve in figure.get("curves") or []:
        points = [(p["x"], p["y"]) for p in curve["points"]]
        pending.append(
            (_draw_runs(canvas, frame, points, dashed=curve.get("dashed", False)), curve.get("label"))
        )
    for circle in figure.get("circles") or []:
        (cx, cy), r = (circle["center"]["x"], circle["center"]["y"]), circle["radius"]
        ring = [
            (cx + r * math.cos(2 * math.pi * i / 120), cy + r * math.sin(2 * math.pi * i / 120))
            for i in range(121)
        ]
        pending.append(
            (_draw_runs(canvas, frame, ring, dashed=circle.get("dashed", False)), circle.get("label"))
        )
    for point in figure.get("points") or []:
        canvas.dot(*frame.point(point["x"], point["y"]))
    for point in figure.get("points") or []:
        if point.get("label"):
            canvas.label(*frame.point(point["x"], point["y"]), point["label"])
    for runs, text in pending:
        _label_run(canvas, runs, text)
    return canvas


def _boxed_axes(figure, canvas_height_extra=0):
    """A scatterplot's frame: a box with ticks and labels on its left and bottom edges, and titles."""
    x_axis, y_axis = figure["x_axis"], figure["y_axis"]
    y_ticks = ticks(y_axis["min"], y_axis["max"], _step(y_axis, 8))
    left = _y_labels_width(y_ticks) + 12 + (FONT + 8 if y_axis.get("title") else 0)
    x_ticks = ticks(x_axis["min"], x_axis["max"], _step(x_axis, 8))
    top, right = 14, max(14, text_width(tick_text(x_ticks[-1])) / 2 + 4)  # room for the last tick label
    plot_w = WIDTH - left - right
    plot_h = plot_w * 0.72
    bottom = FONT + 12 + (FONT + 10 if x_axis.get("title") else 0)
    canvas = Canvas(WIDTH, top + plot_h + bottom)
    frame = Frame((x_axis["min"], x_axis["max"]), (y_axis["min"], y_axis["max"]), left, top, plot_w, plot_h)
    if figure.get("grid", True):
        _grid_and_axes(
            canvas, frame, {**x_axis, "step": _step(x_axis, 8)}, {**y_axis, "step": _step(y_axis, 8)}, True
        )
    canvas.polyline(
        [(left, top), (left + plot_w, top), (left + plot_w, top + plot_h), (left, top + plot_h)],
        "fig-frame",
        closed=True,
        block=False,
    )
    _bottom_ticks(canvas, frame, x_ticks)
    _left_ticks(canvas, frame, y_ticks)
    _titles(canvas, frame, x_axis.get("title"), y_axis.get("title"))
    return canvas, frame


def _bottom_ticks(canvas, frame, x_ticks, labels=None):
    base = frame.top + frame.height
    every = _every(frame.width / max(len(x_ticks) - 1, 1), max(text_width(tick_text(x)) for x in x_ticks))
    for index, x in enumerate(x_ticks):
        canvas.line(frame.px(x), base, frame.px(x), base + 4, "fig-tick", block=False)
        if index % every == 0:
            canvas.text(
                frame.px(x), base + FONT + 5, labels[index] if labels else tick_text(x), cls="fig-tick-label"
            )


def _left_ticks(canvas, frame, y_ticks):
    every = _every(frame.height / max(len(y_ticks) - 1, 1), FONT * 0.2)
    for index, y in enumerate(y_ticks):
        canvas.line(frame.left - 4, frame.py(y), frame.left, frame.py(y), "fig-tick", block=False)
        if index % every == 0:
            canvas.text(
                frame.left - 7, frame.py(y) + FONT * 0.35, tick_text(y), anchor="end", cls="fig-tick-label"
            )


def _titles(canvas, frame, x_title, y_title, below=FONT + 5):
    if x_title:
        canvas.text(
            frame.left + frame.width / 2,
            frame.top + frame.height + below + FONT + 8,
            x_title,
            cls="fig-title",
        )
    if y_title:
        x, y = FONT, frame.top + frame.height / 2
        canvas.text(x, y, y_title, cls="fig-title", rotate=-90)


def scatterplot(figure: dict, ident: str) -> Canvas:
    canvas, frame = _boxed_axes(figure)
    fit = figure.get("line_of_fit")
    runs = []
    if fit:
        ends = [
            (frame.x0, fit["slope"] * frame.x0 + fit["intercept"]),
            (frame.x1, fit["slope"] * frame.x1 + fit["intercept"]),
        ]
        runs = _draw_runs(canvas, frame, ends, "fig-fit", fit.get("dashed", False))
    for point in figure["points"]:
        canvas.dot(*frame.point(point["x"], point["y"]), r=3.5)
    if fit:
        _label_run(canvas, runs, fit.get("label"))
    return canvas


def _value_frame(figure, values, category_labels):
    axis = dict(figure.get("y_axis") or {})
    low = axis.get("min", 0)
    if "max" not in axis:
        step = nice_step(max(max(values) - low, 1), 5)
        axis["max"] = low + step * math.ceil((max(values) - low) / step - 1e-9) or low + step
    step = axis.get("step") or nice_step(axis["max"] - low, 5)
    y_ticks = ticks(low, axis["max"], step)
    left = _y_labels_width(y_ticks) + 12 + (FONT + 8 if axis.get("title") else 0)
    top = 14 + (FONT + 10 if figure.get("title") else 0)
    plot_w = WIDTH - left - 12
    band = plot_w / max(len(category_labels), 1)
    widest = max((text_width(text) for text in category_labels), default=0)
    slanted = widest > band - 4
    label_room = (widest * 0.6 + FONT + 6) if slanted else FONT + 8
    plot_h = plot_w * 0.6
    bottom = label_room + (FONT + 10 if figure.get("x_title") else 0) + 4
    canvas = Canvas(WIDTH, top + plot_h + bottom)
    frame = Frame((0, len(category_labels) or 1), (low, axis["max"]), left, top, plot_w, plot_h)
    for y in y_ticks:
        canvas.line(frame.left, frame.py(y), frame.left + plot_w, frame.py(y), "fig-grid", block=False)
    canvas.line(frame.left, top, frame.left, top + plot_h, "fig-axis", block=False)
    canvas.line(frame.left, top + plot_h, frame.left + plot_w, top + plot_h, "fig-axis", block=False)
    _left_ticks(canvas, frame, y_ticks)
    if figure.get("title"):
        canvas.text(WIDTH / 2, 14 + FONT, figure["title"], cls="fig-title")
    _titles(canvas, frame, figure.get("x_title"), axis.get("title"), below=label_room - 3)
    return canvas, frame, slanted


def bar_chart(figure: dict, ident: str) -> Canvas:
    bars = figure["bars"]
    canvas, frame, slanted = _value_frame(
        figure, [bar["value"] for bar in bars], [bar["label"] for bar in bars]
    )
    base = frame.top + frame.height
    for index, bar in enumerate(bars):
        x0, x1 = frame.px(index + 0.2), frame.px(index + 0.8)
        top = frame.py(bar["value"])
        canvas.rect(x0, top, x1 - x0, base - top)
        middle = (x0 + x1) / 2
        if slanted:
            canvas.text(
                middle + 4, base + FONT + 2, bar["label"], anchor="end", cls="fig-tick-label", rotate=-35
            )
        else:
            canvas.text(middle, base + FONT + 5, bar["label"], cls="fig-tick-label")
    return canvas


def histogram(figure: dict, ident: str) -> Canvas:
    bins = figure["bins"]
    edges = [bins[0]["from"], *(each["to"] for each in bins)]
    canvas, frame, _ = _value_frame(figure, [each["count"] for each in bins], [""] * len(bins))
    frame.x0, frame.x1 = edges[0], edges[-1]
    base = frame.top + frame.height
    for each in bins:
        x0, x1 = frame.px(each["from"]), frame.px(each["to"])
        canvas.rect(x0, frame.py(each["count"]), x1 - x0, base - frame.py(each["count"]))
    _bottom_ticks(canvas, frame, edges)
    return canvas


def dot_plot(figure: dict, ident: str) -> Canvas:
    axis, dots = figure["x_axis"], figure["dots"]
    tallest = max(dot["count"] for dot in dots)
    radius, pitch = 5.0, 12.0
    top = 12 + (FONT + 10 if figure.get("title") else 0)
    plot_h = tallest * pitch + 6
    bottom = FONT + 14 + (FONT + 10 if axis.get("title") else 0)
    canvas = Canvas(WIDTH, top + plot_h + bottom)
    frame = Frame((axis["min"], axis["max"]), (0, 1), 20, top, WIDTH - 40, plot_h)
    base = top + plot_h
    canvas.line(frame.left - 8, base, frame.left + frame.width + 8, base, "fig-axis", block=False)
    _bottom_ticks(canvas, frame, ticks(axis["min"], axis["max"], _step(axis)))
    for dot in dots:
        for level in range(int(dot["count"])):
            canvas.dot(frame.px(dot["value"]), base - radius - 3 - level * pitch, r=radius)
    if figure.get("title"):
        canvas.text(WIDTH / 2, 12 + FONT, figure["title"], cls="fig-title")
    _titles(canvas, frame, axis.get("title"), None)
    return canvas


PLOTS = {
    "coordinate_plane": coordinate_plane,
    "scatterplot": scatterplot,
    "bar_chart": bar_chart,
    "histogram": histogram,
    "dot_plot": dot_plot,
}
