"""Chart geometry for the staff page. The template draws it as inline SVG: no JavaScript, no styles."""

from datetime import UTC, datetime

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 600, 170, 58, 26, 14
PLOT_W, PLOT_H = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if value <= step:
            return step
    return value


def _clock(minute_ts: int) -> str:
    return datetime.fromtimestamp(minute_ts, UTC).strftime("%H:%M")


def chart(series: list[dict], field: str, *, title: str, unit: str, kind: str, empty_text: str) -> dict:
    """Bars (kind="bars") or a line (kind="line") for one field of the per-minute series."""
    values = [point[field] for point in series]
    top = _nice_max(max((v for v in values if v is not None), default=0))
    slot = PLOT_W / max(len(values), 1)
    points, bars, dots = [], [], []
    for index, (point, value) in enumerate(zip(series, values, strict=True)):
        label = f"{_clock(point['minute'])} UTC: {'no data' if value is None else f'{value:g} {unit}'}"
        height = 0 if value is None else PLOT_H * value / top
        x = LEFT + index * slot
        y = TOP + PLOT_H - height
        bars.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "w": round(max(slot - 1, 1), 1),
                "h": round(height, 1),
                "label": label,
            }
        )
        if value is not None and kind == "line":
            points.append(f"{x + slot / 2:.1f},{y:.1f}")
            dots.append({"x": round(x + slot / 2, 1), "y": round(y, 1)})
    return {
        "title": title,
        "field": field.replace("_5xx", ""),
        "unit": unit,
        "kind": kind,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "top": TOP,
        "top_label_y": TOP + 6,
        "plot_height": PLOT_H,
        "plot_bottom": TOP + PLOT_H,
        "plot_right": WIDTH - 4,
        "top_label": f"{top:g}",
        "bars": bars if kind == "bars" else [],
        "markers": bars if kind == "line" else [],
        "points": " ".join(points),
        "dots": dots,
        "start": _clock(series[0]["minute"]) if series else "",
        "end": _clock(series[-1]["minute"]) if series else "",
        "empty": not any(values),
        "empty_text": empty_text,
    }


def dashboard_charts(report: dict) -> dict:
    series = report["series"]
    routes = report["windows"]["60m"]["routes"]
    slowest = sorted(
        ({"route": route, **summary} for route, summary in routes.items()),
        key=lambda row: (row["latency_ms"]["p95"] or 0, row["requests"]),
        reverse=True,
    )[:10]
    return {
        "charts": [
            chart(
                series,
                "requests",
                title="Requests per minute",
                unit="requests",
                kind="bars",
                empty_text="no requests recorded yet",
            ),
            chart(
                series,
                "p95_ms",
                title="Latency p95 per minute",
                unit="ms",
                kind="line",
                empty_text="no requests recorded yet",
            ),
            chart(
                series,
                "errors_5xx",
                title="Server errors (5xx) per minute",
                unit="errors",
                kind="bars",
                empty_text="none in the last hour",
            ),
        ],
        "slowest_routes": slowest,
        "totals": report["windows"],
    }
