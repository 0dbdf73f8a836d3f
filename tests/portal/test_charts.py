"""The SVG charts (pure) and the portal's money, number and period formatting."""

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils import translation

from common.charts import Point, axis, bar_chart, line_chart
from common.templatetags.portal import money_text, number_text, percent_text, period_text

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


def _points():
    return [
        Point("5月", D("6"), D("5"), "2026年5月: 6"),
        Point("6月", D("3"), D("5"), "2026年6月: 3"),
        Point("7月", None, D("5"), "not recorded"),
        Point("8月", D("5"), D("5"), "exactly the minimum"),
    ]


def test_bar_chart_is_valid_accessible_svg():
    svg = bar_chart(
        chart_id="kpi-1-distributors", title="新增经销商", description="每月", points=_points()
    )
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "kpi-1-distributors-title kpi-1-distributors-desc"
    assert root.find(f"{SVG}title").text == "新增经销商"
    assert root.find(f"{SVG}desc").text == "每月"
    bars = root.findall(f".//{SVG}rect")
    assert [b.get("class") for b in bars] == ["bar bar-met", "bar bar-missed", "bar bar-met"]
    assert all(float(b.get("height")) > 0 and float(b.get("width")) > 0 for b in bars)
    assert [b.find(f"{SVG}title").text for b in bars][2] == "exactly the minimum"
    assert len(root.findall(f".//{SVG}line[@class='target-line']")) == 4
    assert "viewBox" in svg and "float" not in svg


def test_text_is_escaped():
    nasty = '<script>alert("x")</script> & "quotes"'
    svg = bar_chart(
        chart_id='x" onload="evil',
        title=nasty,
        description=nasty,
        points=[Point(nasty, D(1), None, nasty)],
    )
    assert "<script>" not in svg and 'onload="evil' not in svg
    ElementTree.fromstring(svg)


def test_line_chart_breaks_at_missing_months():
    svg = line_chart(chart_id="v", title="访客", description="", points=_points())
    root = ElementTree.fromstring(svg)
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == 1  # 5月–6月; 8月 stands alone after the gap
    assert len(root.findall(f".//{SVG}circle")) == 3


def test_empty_and_negative_series():
    empty = bar_chart(chart_id="e", title="t", description="d", points=[Point("1月", None)])
    assert "<rect" not in empty
    ElementTree.fromstring(empty)
    negative = bar_chart(
        chart_id="n",
        title="t",
        description="d",
        points=[Point("1月", D("-50")), Point("2月", D(120))],
    )
    rects = ElementTree.fromstring(negative).findall(f".//{SVG}rect")
    assert len(rects) == 2 and all(float(r.get("height")) > 0 for r in rects)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], (D(0), D(4), D(1))),
        ([D(6), D(5)], (D(0), D(6), D(2))),
        ([D("510000"), D("100000")], (D(0), D("600000"), D("200000"))),
        ([D("0.0165")], (D(0), D("0.02"), D("0.005"))),
        ([D(-50), D(120)], (D(-50), D(150), D(50))),
    ],
)
def test_axis_uses_nice_steps(values, expected):
    assert axis(values) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("9310"), "¥9,310.00"),
        ("2793.005", "¥2,793.01"),  # half-up
        (D("-1234.5"), "-¥1,234.50"),
        (0, "¥0.00"),
        (None, "—"),
        (D("1234567890.12"), "¥1,234,567,890.12"),
    ],
)
def test_money(value, text):
    assert money_text(value) == text


def test_money_refuses_floats_quietly():
    assert money_text(1.5) == "1.5"  # never formatted as money


def test_numbers_percent_and_periods():
    assert number_text(D("6240")) == "6,240"
    assert number_text(D("11.50")) == "11.5"
    assert number_text(D("54838.709677"), 2) == "54,838.71"
    assert percent_text(D("0.0150")) == "1.5%"
    assert percent_text("0.003") == "0.3%"
    with translation.override("zh-hans"):
        assert period_text("2026-08") == "2026年8月"
    with translation.override("en"):
        assert period_text("2026-08") == "August 2026"
    assert period_text(None) == "—"
    assert re.fullmatch(r"¥[\d,]+\.\d\d", money_text(D("1")))
