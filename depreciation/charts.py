"""Server-rendered SVG charts: geometry computed here, markup in report_chart_*.html.

The functions return plain dicts of coordinates and labels; the templates write the
SVG, so Django's autoescaping covers every label and title.
"""

from decimal import Decimal

WIDTH = 720
HEIGHT = 260
#: Space for the axis labels: left, right, top, bottom, in SVG user units.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 80, 16, 16, 40
#: At most this many x-axis labels are written, so that they do not overlap.
MAX_X_LABELS = 12


def _scale_max(values: list[Decimal]) -> Decimal:
    top = max(values, default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _y(value: Decimal, top: Decimal) -> float:
    plot = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    return round(MARGIN_TOP + plot * float(1 - value / top), 2)


def _x_labels(labels: list[str], positions: list[float]) -> list[dict]:
    step = max(1, -(-len(labels) // MAX_X_LABELS))
    return [{"x": positions[index], "text": labels[index]} for index in range(0, len(labels), step)]


def _y_ticks(top: Decimal) -> list[dict]:
    return [
        {"y": _y(top * share / 4, top), "text": f"{(top * share / 4).quantize(Decimal('1')):,}"}
        for share in range(5)
    ]


def _frame(title: str, top: Decimal) -> dict:
    return {
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "left": MARGIN_LEFT,
        "right": WIDTH - MARGIN_RIGHT,
        "bottom": HEIGHT - MARGIN_BOTTOM,
        "label_y": HEIGHT - MARGIN_BOTTOM + 18,
        "y_ticks": _y_ticks(top),
    }


def line_chart(points: list[tuple[str, Decimal]], *, title: str) -> dict:
    """Return the geometry of a line chart with one marker per (label, value) point."""
    values = [value for _, value in points]
    top = _scale_max(values)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    count = len(points)
    positions = [
        round(MARGIN_LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2), 2)
        for index in range(count)
    ]
    markers = [
        {"x": x, "y": _y(value, top), "label": label, "value": value}
        for x, (label, value) in zip(positions, points, strict=True)
    ]
    return {
        **_frame(title, top),
        "points": markers,
        "polyline": " ".join(f"{marker['x']},{marker['y']}" for marker in markers),
        "x_labels": _x_labels([label for label, _ in points], positions),
    }


def bar_chart(bars: list[tuple[str, Decimal]], *, title: str) -> dict:
    """Return the geometry of a bar chart with one bar per (label, value)."""
    values = [value for _, value in bars]
    top = _scale_max(values)
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    slot = plot_width / len(bars) if bars else plot_width
    bottom = HEIGHT - MARGIN_BOTTOM
    shapes = []
    for index, (label, value) in enumerate(bars):
        y = _y(max(value, Decimal(0)), top)
        shapes.append(
            {
                "x": round(MARGIN_LEFT + slot * index + slot * 0.1, 2),
                "y": y,
                "width": round(slot * 0.8, 2),
                "height": round(bottom - y, 2),
                "label": label,
                "value": value,
            }
        )
    centres = [round(MARGIN_LEFT + slot * (index + 0.5), 2) for index in range(len(bars))]
    return {
        **_frame(title, top),
        "bars": shapes,
        "x_labels": _x_labels([label for label, _ in bars], centres),
    }
