"""The console's SVG line charts: points become path commands in the plot's frame, gaps break
lines, axes scale to round numbers, and an empty chart still says what it is."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from stackworks.console.charts import (
    HEIGHT,
    LineChart,
    Plot,
    Series,
    describe,
    nice_ceiling,
    number,
    path_data,
    render_svg,
    thin,
    time_ticks,
)

T0 = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_a_plot_maps_the_period_to_its_width_and_zero_to_its_bottom() -> None:
    plot = Plot(T0, minutes(60), 100.0, left=10, top=20, width=600, height=200)
    assert plot.x(T0) == 10 and plot.x(minutes(30)) == 310 and plot.x(minutes(60)) == 610
    assert plot.y(0) == 220 and plot.y(50) == 120 and plot.y(100) == 20


def test_values_beyond_the_plot_are_clamped_to_its_edges() -> None:
    plot = Plot(T0, minutes(60), 100.0, left=0, top=0, width=100, height=100)
    assert plot.y(250) == 0 and plot.y(-5) == 100
    assert plot.x(minutes(-10)) == 0 and plot.x(minutes(90)) == 100


def test_points_become_one_move_then_lines_in_plot_coordinates() -> None:
    plot = Plot(T0, minutes(60), 100.0, left=0, top=0, width=600, height=100)
    points = [(T0, 0.0), (minutes(30), 50.0), (minutes(60), 100.0)]
    assert path_data(points, plot) == "M0.0 100.0 L300.0 50.0 L600.0 0.0"


def test_a_missing_value_or_a_long_gap_starts_a_new_run() -> None:
    plot = Plot(T0, minutes(60), 10.0, left=0, top=0, width=60, height=10)
    points = [
        (minutes(0), 1.0),
        (minutes(1), 2.0),
        (minutes(2), None),
        (minutes(3), 3.0),
        (minutes(4), 4.0),
        (minutes(30), 5.0),  # 26 minutes after the previous point: the instance was down
        (minutes(31), 6.0),
    ]
    data = path_data(points, plot, max_gap=timedelta(minutes=5))
    assert data.count("M") == 3
    assert data.startswith("M0.0 9.0 L1.0 8.0 M3.0 7.0 L4.0 6.0 M30.0 5.0")


def test_a_lone_point_is_drawn_as_a_short_dash_and_points_outside_the_period_are_dropped() -> None:
    plot = Plot(T0, minutes(60), 10.0, left=0, top=0, width=60, height=10)
    data = path_data([(minutes(-5), 1.0), (minutes(10), 5.0), (minutes(70), 1.0)], plot)
    assert data == "M8.5 5.0 L11.5 5.0"


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 1), (0.3, 0.5), (1, 1), (1.2, 2), (2.1, 2.5), (3, 5), (7.5, 10), (42, 50), (180, 200)],
)
def test_the_value_axis_rises_to_a_round_number_above_the_highest_value(
    value: float, ceiling: float
) -> None:
    assert nice_ceiling(value) == pytest.approx(ceiling)


def test_time_ticks_fall_on_round_minutes_and_stay_few() -> None:
    hour = time_ticks(minutes(0.5), minutes(60.5))
    assert [t.strftime("%H:%M") for t in hour] == [
        "21:10",
        "21:20",
        "21:30",
        "21:40",
        "21:50",
        "22:00",
    ]
    day = time_ticks(minutes(7), minutes(7 + 24 * 60))
    assert len(day) <= 7 and all(t.minute == 0 and t.hour % 6 == 0 for t in day)


def test_labels_have_at_most_two_decimals_and_no_trailing_zeros() -> None:
    assert [number(v) for v in (0, 12.5, 100.0, 0.125, 2.0 / 3, -0.001)] == [
        "0",
        "12.5",
        "100",
        "0.12",
        "0.67",
        "0",
    ]


def chart(*series: Series, ceiling: float | None = 100.0) -> LineChart:
    return LineChart(
        title="CPU, layer app",
        start=T0,
        end=minutes(60),
        series=series,
        unit="%",
        ceiling=ceiling,
        max_gap=timedelta(minutes=5),
    )


def test_the_svg_is_an_image_named_by_its_title_and_described_in_words() -> None:
    drawn = chart(Series("cpu", [(minutes(10), 20.0), (minutes(20), 40.0), (minutes(30), 30.0)]))
    root = ET.fromstring(str(render_svg(drawn, "cpu-app")))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "cpu-app-title cpu-app-desc"
    assert root.find(f"{SVG}title").text == "CPU, layer app"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == (
        "CPU, layer app, 2026-12-01 21:00 to 2026-12-01 22:00 UTC. cpu: 3 points; latest 30% "
        "at 21:30, lowest 20%, highest 40%, mean 30%."
    )
    [line] = root.findall(f"{SVG}path")
    assert line.get("d", "").startswith("M")
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert {"0%", "50%", "100%", "21:00", "22:00"} <= set(labels)


def test_an_empty_chart_keeps_its_axes_and_says_it_has_no_data() -> None:
    drawn = chart(Series("cpu", []))
    root = ET.fromstring(str(render_svg(drawn, "empty")))
    assert root.findall(f"{SVG}path") == []
    assert "No data for this period" in [t.text for t in root.findall(f"{SVG}text")]
    assert "cpu: no data." in root.find(f"{SVG}desc").text  # type: ignore[union-attr,operator]
    assert describe(chart()) == "CPU, layer app, 2026-12-01 21:00 to 2026-12-01 22:00 UTC."


def test_without_a_fixed_ceiling_the_axis_scales_to_the_data() -> None:
    drawn = chart(Series("load1", [(minutes(10), 0.4), (minutes(20), 1.7)]), ceiling=None)
    root = ET.fromstring(str(render_svg(drawn, "load")))
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert {"0%", "1%", "2%"} <= set(labels) and "100%" not in labels
    [line] = root.findall(f"{SVG}path")
    # 1.7 of 2 is 85 % of the plot's height up from its bottom
    plot_bottom = HEIGHT - 30
    y_of_last = float(line.get("d", "").split()[-1])
    assert y_of_last == pytest.approx(plot_bottom - 0.85 * (plot_bottom - 34), abs=0.1)


def test_several_lines_get_a_legend_and_different_dash_patterns() -> None:
    drawn = chart(
        Series("1 min", [(minutes(1), 1.0), (minutes(2), 2.0)]),
        Series("5 min", [(minutes(1), 1.5), (minutes(2), 1.5)]),
        ceiling=None,
    )
    root = ET.fromstring(str(render_svg(drawn, "loads")))
    paths = root.findall(f"{SVG}path")
    assert len(paths) == 2
    assert paths[0].get("stroke-dasharray") != paths[1].get("stroke-dasharray")
    assert {"1 min", "5 min"} <= {t.text for t in root.findall(f"{SVG}text")}


def test_titles_and_labels_are_escaped() -> None:
    drawn = LineChart(
        title="<script>x</script>", start=T0, end=minutes(60), series=[Series("a&b", [])]
    )
    svg = str(render_svg(drawn, "esc"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)  # still well-formed


def test_thinning_averages_equal_buckets_and_keeps_short_series_as_they_are() -> None:
    points = [(minutes(i), float(i)) for i in range(10)]
    assert thin(points, 20) == points
    assert thin(points, 5) == [
        (minutes(1), 0.5),
        (minutes(3), 2.5),
        (minutes(5), 4.5),
        (minutes(7), 6.5),
        (minutes(9), 8.5),
    ]
    gappy = [(minutes(0), None), (minutes(1), None), (minutes(2), 4.0), (minutes(3), 6.0)]
    assert thin(gappy, 2) == [(minutes(1), None), (minutes(3), 5.0)]
    with pytest.raises(ValueError, match="at_most"):
        thin(points, 0)
