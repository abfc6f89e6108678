"""Geometry for the dashboard's server-rendered SVG charts (the templates draw them; no JavaScript)."""

from dataclasses import dataclass

from .engine.scores import Prediction


@dataclass
class BandBar:
    label: str
    prediction: Prediction
    x_score: float = 0
    x_low: float = 0
    width_band: float = 0


def band_bars(items: list[tuple[str, Prediction]], width: float = 300) -> list[BandBar]:
    """Each score as a marker over its 90% band on its own scale, `width` units wide."""
    bars = []
    for label, pred in items:
        bar = BandBar(label, pred)
        if pred.enough_data:
            span = pred.maximum - pred.minimum

            def x(v, span=span, lo=pred.minimum):
                return round((v - lo) / span * width, 1)

            bar.x_score, bar.x_low = x(pred.score), x(pred.low)
            bar.width_band = max(round(x(pred.high) - x(pred.low), 1), 2)
        bars.append(bar)
    return bars


def trend(snapshots, width: float = 600, height: float = 160, lo: int = 400, hi: int = 1600) -> dict:
    """A line of predicted totals and a polygon of their bands, oldest to newest."""
    n = len(snapshots)
    if n == 0:
        return {"points": "", "band": "", "dots": [], "gridlines": []}

    def xy(i, v):
        x = width / 2 if n == 1 else i * width / (n - 1)
        y = height - (v - lo) / (hi - lo) * height
        return round(x, 1), round(y, 1)

    line = [xy(i, s.total) for i, s in enumerate(snapshots)]
    upper = [xy(i, s.total_high) for i, s in enumerate(snapshots)]
    lower = [xy(i, s.total_low) for i, s in enumerate(snapshots)][::-1]
    gridlines = [{"y": xy(0, v)[1], "label": v} for v in (400, 800, 1200, 1600)]
    return {
        "points": " ".join(f"{x},{y}" for x, y in line),
        "band": " ".join(f"{x},{y}" for x, y in upper + lower),
        "dots": [{"x": x, "y": y, "snap": s} for (x, y), s in zip(line, snapshots, strict=True)],
        "gridlines": gridlines,
    }


def weekly_bars(weeks: list[dict], width: float = 600, height: float = 120) -> list[dict]:
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
                "x": round(i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "cx": round(i * slot + slot / 2, 1),
                "acc_y": round(height - acc_h, 1),
                "acc_h": acc_h,
                "min_y": round(height - min_h, 1),
                "min_h": min_h,
            }
        )
    return bars
