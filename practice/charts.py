"""Geometry for the dashboard's server-rendered SVG charts (the templates draw them; no JavaScript)."""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

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


# --- SVG markup, rendered in Python: the dashboard draws ~150 shapes, and a template variable per
# coordinate made rendering the slowest part of the page. Every interpolated text is escaped.


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bands_svg(bars: list[BandBar], title_id: str = "bands") -> str:
    desc = " ".join(
        f"{b.label}: {b.prediction.score} (90% band {b.prediction.low} to {b.prediction.high})."
        if b.prediction.enough_data
        else f"{b.label}: not enough data yet."
        for b in bars
    )
    parts = [
        f'<svg viewBox="0 0 460 {len(bars) * 100}" class="chart-svg chart-bands" role="img" '
        f'aria-labelledby="{title_id}-title {title_id}-desc">',
        f'<title id="{title_id}-title">Predicted scores with 90% bands</title>',
        f'<desc id="{title_id}-desc">{escape(desc)}</desc>',
    ]
    for i, b in enumerate(bars):
        p = b.prediction
        parts.append(f'<g transform="translate(140 {i * 100})">')
        parts.append(f'<text x="-10" y="38" class="chart-label" text-anchor="end">{escape(b.label)}</text>')
        parts.append('<rect x="0" y="24" width="300" height="20" class="band-track" rx="4"></rect>')
        if p.enough_data:
            parts.append(
                f'<rect x="{_f(b.x_low)}" y="24" width="{_f(b.width_band)}" height="20" '
                f'class="band-range" rx="4"></rect>'
                f'<line x1="{_f(b.x_score)}" x2="{_f(b.x_score)}" y1="18" y2="50" class="band-marker"></line>'
                f'<text x="{_f(b.x_score)}" y="68" class="chart-value" text-anchor="middle">{p.score}</text>'
            )
        else:
            parts.append(
                '<text x="150" y="39" class="chart-muted" text-anchor="middle">Not enough data yet</text>'
            )
        parts.append(
            f'<text x="0" y="86" class="chart-axis">{p.minimum}</text>'
            f'<text x="300" y="86" class="chart-axis" text-anchor="end">{p.maximum}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  built from numbers and escaped text


def trend_svg(snapshots) -> str:
    geo = trend(snapshots)
    desc = f"{len(snapshots)} sessions. " + " ".join(
        f"{s.taken_at:%b} {s.taken_at.day}: {s.total} ({s.total_low} to {s.total_high})." for s in snapshots
    )
    parts = [
        '<svg viewBox="-40 -10 680 190" class="chart-svg" role="img" '
        'aria-labelledby="trend-title trend-desc">',
        '<title id="trend-title">Predicted total score after each session</title>',
        f'<desc id="trend-desc">{escape(desc)}</desc>',
    ]
    for g in geo["gridlines"]:
        parts.append(
            f'<line x1="0" x2="600" y1="{_f(g["y"])}" y2="{_f(g["y"])}" class="chart-grid"></line>'
            f'<text x="-6" y="{_f(g["y"])}" class="chart-axis" text-anchor="end" dominant-baseline="middle">'
            f"{g['label']}</text>"
        )
    parts.append(f'<polygon points="{geo["band"]}" class="trend-band"></polygon>')
    parts.append(f'<polyline points="{geo["points"]}" class="trend-line"></polyline>')
    parts.extend(
        f'<circle cx="{_f(d["x"])}" cy="{_f(d["y"])}" r="4" class="trend-dot"></circle>' for d in geo["dots"]
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  built from numbers and escaped text


def weeks_svg(weeks: list[dict]) -> str:
    bars = weekly_bars(weeks)
    desc = " ".join(
        f"Week of {b['week']['start']:%b} {b['week']['start'].day}: "
        + (
            f"{b['week']['accuracy']}% correct, {b['week']['minutes']} minutes."
            if b["week"]["answers"]
            else "no practice."
        )
        for b in bars
    )
    parts = [
        '<svg viewBox="-40 -10 680 170" class="chart-svg" role="img" '
        'aria-labelledby="weeks-title weeks-desc">',
        '<title id="weeks-title">Accuracy and time practised per week</title>',
        f'<desc id="weeks-desc">{escape(desc)}</desc>',
        '<line x1="0" x2="600" y1="120" y2="120" class="chart-grid"></line>',
        '<text x="-6" y="0" class="chart-axis" text-anchor="end" dominant-baseline="middle">100%</text>',
        '<text x="-6" y="120" class="chart-axis" text-anchor="end" dominant-baseline="middle">0</text>',
    ]
    for b in bars:
        w = b["week"]
        parts.append(
            f'<rect x="{_f(b["x"])}" y="{_f(b["min_y"])}" width="{_f(b["w"])}" height="{_f(b["min_h"])}" '
            f'class="bar-time"></rect>'
            f'<rect x="{_f(b["x"])}" y="{_f(b["acc_y"])}" width="{_f(b["w"])}" height="{_f(b["acc_h"])}" '
            f'class="bar-accuracy"></rect>'
            f'<text x="{_f(b["cx"])}" y="138" class="chart-axis" text-anchor="middle">'
            f"{w['start']:%b} {w['start'].day}</text>"
        )
        if w["answers"]:
            parts.append(
                f'<text x="{_f(b["cx"])}" y="154" class="chart-axis" text-anchor="middle">'
                f"{w['accuracy']}%</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  built from numbers and escaped text
