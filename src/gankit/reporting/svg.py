"""Training curves as inline SVG line charts, drawn with the standard library (no script, no external font).

A chart is a `<figure>`: an `<svg>` with axes, "nice" ticks (1, 2 or 5 times a power of ten: Heckbert,
"Nice numbers for graph labels", Graphics Gems 1990), one polyline per series (broken where a value is not
finite, or not positive on a log scale) and a legend in HTML below. A long series is reduced to at most
`MAX_POINTS` points, each the mean of an equal run of consecutive logged intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

#: Okabe & Ito's colour-blind-safe palette (2008), then darker greys.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
MAX_POINTS = 400


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def reduce_points(xs: Sequence[float], ys: Sequence[float], max_points: int = MAX_POINTS) -> tuple[list, list]:
    """At most `max_points` points: means of equal consecutive runs (a non-finite value makes its run's mean
    non-finite, so a NaN still shows as a gap)."""
    n = len(xs)
    if n <= max_points:
        return list(xs), list(ys)
    out_x, out_y = [], []
    for b in range(max_points):
        lo, hi = b * n // max_points, (b + 1) * n // max_points
        out_x.append(sum(xs[lo:hi]) / (hi - lo))
        out_y.append(sum(ys[lo:hi]) / (hi - lo))
    return out_x, out_y


def nice_number(x: float, round_: bool) -> float:
    """1, 2, 5 or 10 times a power of ten near `x` (rounded, or the ceiling when `round_` is False)."""
    exponent = math.floor(math.log10(x))
    fraction = x / 10 ** exponent
    if round_:
        nice = 1 if fraction < 1.5 else 2 if fraction < 3 else 5 if fraction < 7 else 10
    else:
        nice = 1 if fraction <= 1 else 2 if fraction <= 2 else 5 if fraction <= 5 else 10
    return nice * 10 ** exponent


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Tick values covering [lo, hi] at a nice spacing (about `count` of them)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_number(nice_number(hi - lo, False) / max(count - 1, 1), True)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)  # loose: the ticks enclose the data
    return [round(i * step, 12) for i in range(first, min(last, first + 50) + 1)]


def tick_label(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _segments(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split a polyline where a point is missing (None)."""
    segments: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(point)
    return [s for s in segments if s]


def line_chart(title: str, lines: Sequence[tuple[str, Sequence[float], Sequence[float], str]], *,
               log_y: bool = False, width: int = 420, height: int = 220, legend: bool = True,
               x_label: str = "generator step") -> str:
    """A `<figure>` with one chart: `lines` are (label, xs, ys, colour); non-finite ys are gaps."""
    left, right, top, bottom = 56, 12, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    reduced = []
    for label, xs, ys, stroke in lines:
        rx, ry = reduce_points(list(xs), [float(y) for y in ys])
        keep = [(x, y) if math.isfinite(y) and (y > 0 or not log_y) else None for x, y in zip(rx, ry)]
        reduced.append((label, keep, stroke))
    shown = [p for _, pts, _ in reduced for p in pts if p is not None]
    caption = f"<figcaption>{escape(title)}{' (log scale)' if log_y else ''}</figcaption>"
    if not shown:
        return (f'<figure class="chart">{caption}<p class="empty">no finite values'
                f'{" above 0" if log_y else ""} to plot</p></figure>')
    transform = (lambda v: math.log10(v)) if log_y else (lambda v: v)
    x_lo, x_hi = min(p[0] for p in shown), max(p[0] for p in shown)
    y_lo, y_hi = min(transform(p[1]) for p in shown), max(transform(p[1]) for p in shown)
    if log_y:
        y_ticks = [float(e) for e in range(math.floor(y_lo), math.ceil(y_hi) + 1)]
        if len(y_ticks) < 2:
            y_ticks = [math.floor(y_lo), math.floor(y_lo) + 1.0]
    else:
        y_ticks = nice_ticks(y_lo, y_hi)
    x_ticks = nice_ticks(x_lo, x_hi) if x_hi > x_lo else [x_lo]
    y_min, y_max = min(y_ticks + [y_lo]), max(y_ticks + [y_hi])
    x_min, x_max = min(x_ticks + [x_lo]), max(x_ticks + [x_hi])
    if x_max == x_min:
        x_min, x_max = x_min - 1, x_max + 1
    if y_max == y_min:
        y_min, y_max = y_min - 1, y_max + 1

    def px(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def py(y: float) -> float:
        return top + plot_h - (transform(y) - y_min) / (y_max - y_min) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="plot"/>']
    for t in y_ticks:
        y = top + plot_h - (t - y_min) / (y_max - y_min) * plot_h
        label = tick_label(10 ** t) if log_y else tick_label(t)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 4}" y="{y + 3.5:.1f}" text-anchor="end">{label}</text>')
    for t in x_ticks:
        x = px(t)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{tick_label(t)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" class="axis">'
                 f'{escape(x_label)}</text>')
    for label, points, stroke in reduced:
        for segment in _segments(points):
            if len(segment) == 1:
                x, y = segment[0]
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2" fill="{stroke}"/>')
                continue
            coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in segment)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="1.5">'
                         f'<title>{escape(label)}</title></polyline>')
    parts.append("</svg>")
    keys = "".join(f'<span><i style="background:{stroke}"></i>{escape(label)}</span>'
                   for label, _, stroke in reduced) if legend else ""
    legend_html = f'<div class="legend">{keys}</div>' if keys else ""
    return f'<figure class="chart">{caption}{"".join(parts)}{legend_html}</figure>'
