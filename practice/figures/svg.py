"""The SVG document every figure is drawn into, and the label placer that keeps text off the lines.

This is the only SVG writer in the project. Every text value goes through `escape` (XML text and
attribute escaping); every number is formatted here. Strokes and text use currentColor, so a figure
takes the page's text colour and prints black on white; sizes come from the viewBox alone (width 100%,
no pixel height), so it scales to a phone. Styling hooks are the `fig-*` classes in site.css.
"""

import itertools
import math
from xml.sax.saxutils import escape as _xml_escape

FONT = 14  # user units; the viewBox is WIDTH wide
WIDTH = 360
CHAR = 0.6  # a character's width as a share of the font size (a generous estimate)


# Presentation attributes per class, so a figure reads right with no stylesheet at all; site.css may
# refine them (a stylesheet rule beats a presentation attribute).
LOOK = {
    "fig-line": 'stroke-width="2"',
    "fig-fit": 'stroke-width="2"',
    "fig-curve": 'stroke-width="2"',
    "fig-axis": 'stroke-width="1.25"',
    "fig-frame": 'stroke-width="1"',
    "fig-grid": 'stroke-width="0.75" stroke-opacity="0.22"',
    "fig-tick": 'stroke-width="1"',
    "fig-mark": 'stroke-width="1.25"',
    "fig-dot": 'fill="currentColor" stroke="none"',
    "fig-hollow": 'fill="none" stroke-width="1.5"',
    "fig-bar": 'fill="currentColor" fill-opacity="0.18" stroke-width="1.25"',
    "fig-shade": 'fill="currentColor" fill-opacity="0.1" stroke-width="2"',
    "fig-arc": 'stroke-width="3.5"',
    "fig-text": 'fill="currentColor" stroke="none"',
    # Labels wear a thin white halo, so a line passing behind one does not cut through its letters.
    "fig-label": 'fill="currentColor" stroke="#fff" stroke-width="3" paint-order="stroke"',
    "fig-tick-label": 'fill="currentColor" stroke="#fff" stroke-width="3" paint-order="stroke"',
    "fig-title": 'fill="currentColor" stroke="none" font-weight="600"',
}


def _look(cls: str) -> str:
    return f'class="{cls}" {LOOK.get(cls, "")}'.rstrip()


def escape(text: str) -> str:
    """Text for an XML text node or a double-quoted attribute."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&#x27;"})


def fmt(value: float) -> str:
    """A coordinate in the SVG: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tick_text(value: float) -> str:
    """A tick label: 3, 2.5, and negatives with a true minus sign (U+2212), as print uses."""
    rounded = round(value, 6)
    text = str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"
    return text.replace("-", "\u2212")


def nice_step(span: float, target: int = 10) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about `target` intervals over `span`."""
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)


def ticks(low: float, high: float, step: float) -> list[float]:
    first = math.ceil(low / step - 1e-9)
    values, index = [], first
    while index * step <= high + step * 1e-9:
        values.append(round(index * step, 10))
        index += 1
    return values


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR


def _boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Canvas:
    """SVG elements in drawing order, plus what is already drawn (for placing labels clear of it)."""

    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.parts: list[str] = []
        self.segments: list[tuple[float, float, float, float]] = []
        self.boxes: list[tuple[float, float, float, float]] = []

    # --- shapes ---

    def line(self, x1, y1, x2, y2, cls="fig-line", *, dashed=False, block=True) -> None:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        self.parts.append(
            f'<line {_look(cls)} x1="{fmt(x1)}" y1="{fmt(y1)}" x2="{fmt(x2)}" y2="{fmt(y2)}"{dash}/>'
        )
        if block:
            self.segments.append((x1, y1, x2, y2))

    def polyline(self, points, cls="fig-line", *, dashed=False, closed=False, block=True) -> None:
        tag = "polygon" if closed else "polyline"
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        coords = " ".join(f"{fmt(x)},{fmt(y)}" for x, y in points)
        self.parts.append(f'<{tag} {_look(cls)} points="{coords}"{dash}/>')
        if block:
            ring = [*points, points[0]] if closed else points
            self.segments.extend((a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(ring))

    def path(self, d: str, cls="fig-line") -> None:
        self.parts.append(f'<path {_look(cls)} d="{d}"/>')

    def ellipse(self, cx, cy, rx, ry, cls="fig-line", *, dashed=False, block=True) -> None:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        self.parts.append(
            f'<ellipse {_look(cls)} cx="{fmt(cx)}" cy="{fmt(cy)}" rx="{fmt(rx)}" ry="{fmt(ry)}"{dash}/>'
        )
        if block:
            steps = 48
            ring = [
                (cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps))
                for i in range(steps + 1)
            ]
            self.segments.extend((a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(ring))

    def dot(self, cx, cy, r=3.5, cls="fig-dot") -> None:
        self.parts.append(f'<circle {_look(cls)} cx="{fmt(cx)}" cy="{fmt(cy)}" r="{fmt(r)}"/>')
        self.boxes.append((cx - r, cy - r, cx + r, cy + r))

    def rect(self, x, y, w, h, cls="fig-bar") -> None:
        self.parts.append(
            f'<rect {_look(cls)} x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}"/>'
        )

    def raw(self, markup: str) -> None:
        """Markup built here from numbers only (groups, clip paths)."""
        self.parts.append(markup)

    # --- text ---

    def text(
        self, x, y, text, *, anchor="middle", cls="fig-text", size=FONT, rotate=None, block=True
    ) -> None:
        turn = f' transform="rotate({fmt(rotate)} {fmt(x)} {fmt(y)})"' if rotate is not None else ""
        small = f' font-size="{fmt(size)}"' if size != FONT else ""
        self.parts.append(
            f'<text {_look(cls)} x="{fmt(x)}" y="{fmt(y)}" text-anchor="{anchor}"{small}{turn}>'
            f"{escape(text)}</text>"
        )
        if block and rotate is None:
            self.boxes.append(self._box(x, y, text, anchor, size))

    @staticmethod
    def _box(x, y, text, anchor, size):
        width = text_width(text, size)
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        return (left - 1, y - size * 0.8, left + width + 1, y + size * 0.25)

    def _cost(self, box) -> float:
        cost = 0.0
        if box[0] < 0 or box[1] < 0 or box[2] > self.width or box[3] > self.height:
            cost += 100
        cost += 10 * sum(clip(*segment, box) is not None for segment in self.segments)
        cost += 12 * sum(_boxes_overlap(box, other) for other in self.boxes)
        return cost

    def label(self, x, y, text, *, directions=None, gap=7.0, cls="fig-label", size=FONT) -> None:
        """Write `text` next to (x, y), in the first of `directions` (unit vectors, best first) that
        keeps it clear of lines, other labels and the edge; if none does, the least crowded."""
        directions = directions or [(1, -1), (-1, -1), (1, 1), (-1, 1), (0, -1), (0, 1), (1, 0), (-1, 0)]
        best = None
        for rank, (dx, dy) in enumerate(directions):
            length = math.hypot(dx, dy) or 1
            ux, uy = dx / length, dy / length
            anchor = "start" if ux > 0.3 else "end" if ux < -0.3 else "middle"
            tx = x + ux * gap
            ty = y + uy * gap + size * (0.35 + 0.4 * uy)  # text hangs above its baseline
            box = self._box(tx, ty, text, anchor, size)
            cost = self._cost(box) + rank * 0.5
            if best is None or cost < best[0]:
                best = (cost, tx, ty, anchor)
            if cost < 1:
                break
        _, tx, ty, anchor = best
        self.text(tx, ty, text, anchor=anchor, cls=cls, size=size)

    # --- the document ---

    def document(self, *, kind: str, ident: str, alt: str) -> str:
        title_id = f"{ident}-title"
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="figure-svg figure-{kind}" '
            f'viewBox="0 0 {fmt(self.width)} {fmt(self.height)}" width="100%" role="img" '
            f'aria-labelledby="{title_id}" font-size="{FONT}" fill="none" stroke="currentColor" '
            f'stroke-linecap="round" stroke-linejoin="round">'
            f'<title id="{title_id}">{escape(alt)}</title>' + "".join(self.parts) + "</svg>"
        )


def clip(x1, y1, x2, y2, box):
    """The part of a segment inside box (left, top, right, bottom), or None."""
    left, top, right, bottom = box
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return None
    return (x1 + low * dx, y1 + low * dy, x1 + high * dx, y1 + high * dy)


def clip_polyline(points, box) -> list[list[tuple[float, float]]]:
    """The runs of a polyline that lie inside box, each a list of points."""
    runs: list[list[tuple[float, float]]] = []
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        part = clip(x1, y1, x2, y2, box)
        if part is None:
            continue
        start, end = (part[0], part[1]), (part[2], part[3])
        if runs and math.dist(runs[-1][-1], start) < 1e-6:
            runs[-1].append(end)
        else:
            runs.append([start, end])
    return runs
