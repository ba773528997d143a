"""The server-rendered SVG charts."""

import datetime as dt
from xml.etree import ElementTree

from web import charts

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
END = START + dt.timedelta(days=30)
SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_the_member_chart_plots_mood_and_craving_and_marks_missed_checkins_and_alerts():
    readings = [
        charts.Reading(at=START + dt.timedelta(days=1), mood=4, craving=2),
        charts.Reading(at=START + dt.timedelta(days=2), mood=2, craving=None),
        charts.Reading(at=START + dt.timedelta(days=3), mood=None, craving=9),
    ]
    svg = charts.member_chart(
        readings,
        missed=[START + dt.timedelta(days=4)],
        alerts=[charts.Marker(at=START + dt.timedelta(days=3), label="Urgent alert 7", severity="urgent", href="/alerts/7")],
        start=START,
        end=END,
    )
    root = _parse(svg)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Mood 4 (Mar 2 00:00)" in titles and "Mood 2 (Mar 3 00:00)" in titles
    assert "Craving 9 (Mar 4 00:00)" in titles
    assert "Missed check-in (Mar 5)" in titles
    assert "Urgent alert 7" in titles
    # Nothing interactive inside the role="img": the alert's link is beside the chart.
    assert list(root.iter(f"{SVG}a")) == []
    assert 'href="/alerts/7">Urgent alert 7</a>' in svg.alert_links
    assert root.get("role") == "img"
    assert "3 mood answers" not in root.find(f"{SVG}desc").text  # only understood answers count
    assert "2 mood answers (latest 2 of 5), 2 craving answers (latest 9 of 10), 1 missed" in root.find(f"{SVG}desc").text


def test_higher_values_are_drawn_higher():
    readings = [charts.Reading(at=START, mood=1, craving=0), charts.Reading(at=END, mood=5, craving=10)]
    root = _parse(charts.member_chart(readings, [], [], START, END))
    mood_low, mood_high = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")][:2]
    assert mood_high < mood_low  # SVG y grows downwards


def test_labels_are_escaped():
    root = _parse(
        charts.member_chart([], [], [charts.Marker(at=START, label="<script>", severity="crisis")], START, END)
    )
    assert any(t.text == "<script>" for t in root.iter(f"{SVG}title"))


def test_an_empty_chart_still_renders():
    root = _parse(charts.member_chart([], [], [], START, END))
    assert "0 mood answers" in root.find(f"{SVG}desc").text


def test_the_sparkline_describes_the_trend():
    readings = [charts.Reading(at=START, mood=4, craving=3), charts.Reading(at=END, mood=2, craving=8)]
    root = _parse(charts.sparkline(readings))
    assert root.get("aria-label") == "Trend: mood from 4 to 2 of 5; craving from 3 to 8 of 10"
    assert "no answers yet" in charts.sparkline([])
