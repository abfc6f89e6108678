"""Question figures: a small spec of numbers and short plain-text labels, checked, then drawn as SVG.

Pure Python, no Django. `figure_problems` is the one validator (Question.clean() calls it),
`render_figure` the only thing in the project that writes SVG, and `figure_alt` the text alternative.
Only a spec with no problems is ever rendered.

    spec.py    the kinds and their fields; path-based messages ("figure.points[3].x: must be a number")
    alt.py     the text alternative, generated from the spec, led or replaced by the authored `alt`
    svg.py     the SVG document: viewBox, title, escaping, label placement, clipping
    plots.py   kinds drawn on axes: coordinate_plane, scatterplot, bar_chart, histogram, dot_plot
    shapes.py  kinds drawn to fit: geometry, and triangle and circle (turned into geometry)
"""

from .alt import figure_alt
from .plots import PLOTS
from .shapes import SHAPES
from .spec import KINDS, figure_problems

__all__ = ["KINDS", "figure_alt", "figure_problems", "render_figure"]


def render_figure(figure: dict, *, ident: str = "figure") -> str:
    """The SVG of a valid spec (check it with figure_problems first); `ident` prefixes its element ids."""
    safe_ident = "".join(char for char in ident if char.isalnum() or char in "-_") or "figure"
    canvas = {**PLOTS, **SHAPES}[figure["kind"]](figure, safe_ident)
    return canvas.document(kind=figure["kind"], ident=safe_ident, alt=figure_alt(figure))
