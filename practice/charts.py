"""Geometry for the learner's charts. The templates draw it as inline SVG, as the staff monitoring page
does (`monitoring/charts.py`): no JavaScript, no markup built in Python.

Each function returns the coordinates and `desc`, the chart's text alternative. Coordinates come as SVG
number strings (0.1 of a unit at most): Django localises every float a template prints, and that cost
more than the rest of the dashboard's charts together.
"""

from dataclasses import dataclass

from .engine.scores import Prediction

BAND_WIDTH = 300  # the track of each score's band
BAND_ROW = 100  # the height of one score's row


def _n(x: float) -> str:
    """A coordinate as a short SVG number: 182.5, 45, 0."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


@dataclass
class BandBar:
    label: str
    prediction: Prediction
    y: int = 0
    x_score: str = "0"
    x_low: str = "0"
    width_band: str = "0"


def band_bars(items: list[tuple[str, Prediction]], width: float = BAND_WIDTH) -> list[BandBar]:
    """Each score as a marker over its 90% band on its own scale, `width` units wide."""
    bars = []
    for i, (label, pred) in enumerate(items):
        bar = BandBar(label, pred, y=i * BAND_ROW)
        if pred.enough_data:
            span = pred.maximum - pred.minimum

            def x(v, span=span, lo=pred.minimum):
                return round((v - lo) / span * width, 1)

            bar.x_score, bar.x_low = _n(x(pred.score)), _n(x(pred.low))
            bar.width_band = _n(max(round(x(pred.high) - x(pred.low), 1), 2))
        bars.append(bar)
    return bars


def score_bands(scores: dict) -> dict:
    """The total and both section scores (from `selectors.progress.predicted_scores`) with their bands."""
    bars = band_bars(
        [
            ("Total", scores["total"]),
            ("Reading and Writing", scores["reading_writing"]),
            ("Math", scores["math"]),
        ]
    )
    return {
        "bars": bars,
        "height": len(bars) * BAND_ROW,
        "desc": " ".join(
            f"{b.label}: {b.prediction.score} (90% band {b.prediction.low} to {b.prediction.high})."
            if b.prediction.enough_data
            else f"{b.label}: not enough data yet."
            for b in bars
        ),
    }


def trend(
    snapshots,
    width: float = 600,
    height: float = 160,
    lo: int = 400,
    hi: int = 1600,
    noun: str = "sessions",
    title: str = "Predicted total score after each session",
) -> dict:
    """A line of (predicted) totals and a polygon of their bands, oldest to newest."""
    n = len(snapshots)
    desc = f"{n} {noun}. " + " ".join(
        f"{s.taken_at:%b} {s.taken_at.day}: {s.total} ({s.total_low} to {s.total_high})." for s in snapshots
    )
    if n == 0:
        return {"points": "", "band": "", "dots": [], "gridlines": [], "desc": desc, "title": title}

    def xy(i, v):
        x = width / 2 if n == 1 else i * width / (n - 1)
        y = height - (v - lo) / (hi - lo) * height
        return round(x, 1), round(y, 1)

    line = [xy(i, s.total) for i, s in enumerate(snapshots)]
    upper = [xy(i, s.total_high) for i, s in enumerate(snapshots)]
    lower = [xy(i, s.total_low) for i, s in enumerate(snapshots)][::-1]
    return {
        "points": " ".join(f"{x},{y}" for x, y in line),
        "band": " ".join(f"{x},{y}" for x, y in upper + lower),
        "dots": [{"x": _n(x), "y": _n(y)} for x, y in line],
        "gridlines": [{"y": _n(xy(0, v)[1]), "label": v} for v in (400, 800, 1200, 1600)],
        "desc": desc,
        "title": title,
    }


def weekly_bars(weeks: list[dict], width: float = 600, height: float = 120) -> dict:
    """Bars of weekly accuracy (0-100%) and of minutes practised (scaled to the busiest week)."""
    n = len(weeks)
    slot = width / n
    most = max((w["minutes"] for w in weeks), default=0) or 1
    bars = []
    for i, w in enumerate(weeks):
        acc = w["accuracy"] or 0
        acc_h = round(acc / 100 * height, 1)
        min_h = round(w["minutes"] / most * height, 1)
        bars.append(
            {
                "week": w,
                "label": f"{w['start']:%b} {w['start'].day}",
                "x": _n(i * slot + slot * 0.15),
                "w": _n(slot * 0.7),
                "cx": _n(i * slot + slot / 2),
                "acc_y": _n(height - acc_h),
                "acc_h": _n(acc_h),
                "min_y": _n(height - min_h),
                "min_h": _n(min_h),
            }
        )
    desc = " ".join(
        f"Week of {b['label']}: "
        + (f"{w['accuracy']}% correct, {w['minutes']} minutes." if w["answers"] else "no practice.")
        for b, w in zip(bars, weeks, strict=True)
    )
    return {"bars": bars, "desc": desc}
