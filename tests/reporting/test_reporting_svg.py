"""The inline SVG charts: nice ticks by hand, reduced series, gaps where a value is not finite."""

import math
import re

from gankit.reporting.svg import line_chart, nice_number, nice_ticks, reduce_points, tick_label


def test_nice_numbers_and_ticks_by_hand():
    assert nice_number(0.37, round_=True) == 0.5 and nice_number(1.2, round_=False) == 2
    assert nice_number(730, round_=True) == 1000 and nice_number(30, round_=False) == 50
    assert nice_ticks(0, 1) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 300) == [0.0, 100.0, 200.0, 300.0]
    assert nice_ticks(-0.37, 1.24) == [-0.5, 0.0, 0.5, 1.0, 1.5]
    ticks = nice_ticks(2.0, 2.0)  # a flat series still gets an axis around its value
    assert ticks[0] < 2.0 < ticks[-1]
    assert tick_label(20000) == "20,000" and tick_label(0.5) == "0.5"
    assert tick_label(2e-5) == "2e-5" and tick_label(3e6) == "3e6"


def test_a_long_series_becomes_means_of_equal_runs():
    xs, ys = list(range(10)), [float(v) for v in range(10)]
    assert reduce_points(xs, ys, max_points=20) == (xs, ys)
    rx, ry = reduce_points(xs, ys, max_points=5)
    assert rx == [0.5, 2.5, 4.5, 6.5, 8.5] and ry == rx
    _, with_nan = reduce_points(xs, ys[:4] + [math.nan] + ys[5:], max_points=5)
    assert math.isnan(with_nan[2]) and with_nan[1] == 2.5


def polylines(svg):
    return re.findall(r'<polyline points="([^"]+)"', svg)


def test_a_non_finite_value_breaks_the_line():
    chart = line_chart("loss", [("loss/D", [1, 2, 3, 4, 5], [1.0, 2.0, math.nan, 1.5, 1.0], "#000")])
    lines = polylines(chart)
    assert [len(p.split()) for p in lines] == [2, 2]
    assert "<figcaption>loss</figcaption>" in chart and "loss/D" in chart


def test_points_are_placed_on_the_axes():
    chart = line_chart("y = x", [("y", [0, 10], [0.0, 1.0], "#000")], width=420, height=220)
    (points,) = polylines(chart)
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in points.split()]
    # plot area: x from 56 to 420 - 12, y from 10 (top) to 220 - 34 (bottom); ticks 0..10 and 0..1 fill it
    assert (x0, y0) == (56.0, 186.0) and (x1, y1) == (408.0, 10.0)


def test_a_log_scale_skips_values_that_are_not_positive():
    chart = line_chart("norms", [("grad_norm/G", [1, 2, 3], [0.0, 0.1, 10.0], "#000")], log_y=True)
    (points,) = polylines(chart)
    assert len(points.split()) == 2 and "(log scale)" in chart
    assert ">0.1<" in chart and ">10<" in chart and ">1<" in chart


def test_a_chart_without_finite_values_says_so():
    chart = line_chart("eval/reverse_kl", [("eval/reverse_kl", [10, 20], [math.nan, math.inf], "#000")])
    assert "<svg" not in chart and "no finite values" in chart
