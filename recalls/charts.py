"""A small server-rendered SVG line chart of a recall's open and remedied units over time."""

import datetime

#: Drawing area of the chart in SVG user units.
WIDTH, HEIGHT, MARGIN = 600, 160, 24


def _points(values: list[int], top: int, step: float) -> str:
    return " ".join(
        f"{MARGIN + index * step:.1f},{HEIGHT - MARGIN - value * (HEIGHT - 2 * MARGIN) / top:.1f}"
        for index, value in enumerate(values)
    )


def progress_chart(series: list[tuple[datetime.date, int, int]]) -> dict | None:
    """Return the polylines and labels that the recall page draws, or None with no history.

    Points are spaced one per day with a change, not by calendar time, which
    keeps a campaign with long quiet spells readable.
    """
    if not series:
        return None
    if len(series) == 1:
        # One point draws no line, so the starting state is repeated.
        series = [series[0], series[0]]
    top = max(max(row[1], row[2]) for row in series) or 1
    step = (WIDTH - 2 * MARGIN) / (len(series) - 1)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "open_points": _points([row[1] for row in series], top, step),
        "remedied_points": _points([row[2] for row in series], top, step),
        "first_day": series[0][0],
        "last_day": series[-1][0],
        "top": top,
        "last_open": series[-1][1],
        "last_remedied": series[-1][2],
        "baseline_y": HEIGHT - MARGIN,
        "right_x": WIDTH - MARGIN,
        "margin": MARGIN,
    }
