"""Server-rendered SVG charts: well-formed, named, escaped, proportional, honest about no data."""

import pytest
from lxml import etree as ET

from accueil.lib.svgchart import Point, Series, bar_chart, line_chart, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(text: str) -> ET._Element:
    return ET.fromstring(text.encode())


def bars(root: ET._Element) -> list[ET.Element]:
    return root.findall(".//svg:rect[@class='bar']", NS)


@pytest.mark.parametrize("horizontal", [False, True])
def test_a_label_holding_markup_is_escaped_and_never_becomes_an_element(horizontal):
    evil = '<script>alert("x")</script>'
    text = bar_chart(
        [Point(evil, 3, evil), Point("ok", 1, "1")],
        title=evil,
        desc=f"a & b {evil}",
        value_label=evil,
        category_label=evil,
        horizontal=horizontal,
    )
    assert "<script" not in text
    root = parse(text)
    assert not root.findall(".//svg:script", NS)
    assert not root.findall(".//script")
    assert root.find("svg:title", NS).text == evil
    assert root.find("svg:desc", NS).text == f"a & b {evil}"
    labels = [t.text for t in root.findall(".//svg:text[@class='category']", NS)]
    assert labels[0].startswith("<script>")  # the text survives, as text


def test_a_legend_and_an_attribute_value_are_escaped_in_the_line_chart():
    evil = '"><script>x</script>'
    text = line_chart(
        [Series(evil, [Point(evil, 1), Point("b", 2)])], title="t", desc="d", chart_id='a"b'
    )
    assert "<script" not in text
    root = parse(text)
    assert root.get("aria-labelledby") == 'a"b-title a"b-desc'
    assert root.find(".//svg:text[@class='legend']", NS).text.startswith('">')


def test_the_chart_is_an_image_named_by_its_title_and_description():
    root = parse(bar_chart([Point("a", 1)], title="Waits", desc="Mean wait by day", chart_id="w"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "w-title w-desc"
    assert root.find("svg:title", NS).get("id") == "w-title"
    assert root.find("svg:desc", NS).get("id") == "w-desc"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None and root.get("height") is None  # scales with the page


@pytest.mark.parametrize(
    "draw",
    [
        lambda: bar_chart([], title="T", desc="D", no_data="Aucune donnée"),
        lambda: bar_chart([Point("a", None)], title="T", desc="D", no_data="Aucune donnée"),
        lambda: bar_chart([], title="T", desc="D", no_data="Aucune donnée", horizontal=True),
        lambda: line_chart([Series("s", [])], title="T", desc="D", no_data="Aucune donnée"),
        lambda: line_chart([], title="T", desc="D", no_data="Aucune donnée"),
    ],
)
def test_no_data_draws_a_chart_that_says_so(draw):
    root = parse(draw())
    assert root.get("role") == "img"
    assert root.find("svg:title", NS).text == "T"
    assert root.find(".//svg:text[@class='no-data']", NS).text == "Aucune donnée"
    assert not bars(root)


@pytest.mark.parametrize("horizontal", [False, True])
def test_bar_lengths_are_proportional_to_the_values(horizontal):
    values = [10, 20, 5, 40]
    root = parse(
        bar_chart([Point(str(v), v) for v in values], title="T", desc="D", horizontal=horizontal)
    )
    size = "width" if horizontal else "height"
    lengths = [float(rect.get(size)) for rect in bars(root)]
    assert len(lengths) == 4
    for value, length in zip(values, lengths, strict=True):
        assert length / lengths[3] == pytest.approx(value / 40, abs=0.01)


def test_a_fixed_maximum_sets_the_scale_so_percentages_compare_across_charts():
    half = parse(bar_chart([Point("a", 50)], title="T", desc="D", max_value=100))
    full = parse(bar_chart([Point("a", 100)], title="T", desc="D", max_value=100))
    assert float(bars(half)[0].get("height")) * 2 == pytest.approx(
        float(bars(full)[0].get("height")), abs=0.2
    )


def test_a_category_without_data_has_no_bar_but_keeps_its_place():
    root = parse(bar_chart([Point("a", 1), Point("b", None), Point("c", 2)], title="T", desc="D"))
    assert len(bars(root)) == 2
    assert [t.text for t in root.findall(".//svg:text[@class='category']", NS)] == ["a", "b", "c"]


def test_ticks_use_the_format_given_in_the_page_language():
    root = parse(
        bar_chart(
            [Point("a", 0.5)],
            title="T",
            desc="D",
            tick_format=lambda v: f"{v:.1f}".replace(".", ","),
        )
    )
    ticks = [t.text for t in root.findall(".//svg:text[@class='tick']", NS)]
    assert ticks[0] == "0,0" and all("," in t for t in ticks)


def test_the_previous_period_is_dashed_and_in_the_legend():
    root = parse(
        line_chart(
            [
                Series("This period", [Point("1", 3), Point("2", 4)]),
                Series("Previous period", [Point("1", 2), Point("2", None)], dashed=True),
            ],
            title="T",
            desc="D",
        )
    )
    lines = root.findall(".//svg:polyline", NS)
    assert len(lines) == 1  # the previous period has a single point: a dot, not a line
    assert lines[0].get("stroke-dasharray") is None
    legend = [t.text for t in root.findall(".//svg:text[@class='legend']", NS)]
    assert legend == ["This period", "Previous period"]
    dashed = [e for e in root.iter() if e.get("stroke-dasharray") == "6 4"]
    assert dashed  # the legend sample of the previous period is dashed too


def test_nothing_executable_is_written():
    text = bar_chart([Point("a", 1, "1")], title="T", desc="D") + line_chart(
        [Series("s", [Point("a", 1), Point("b", 2)])], title="T", desc="D"
    )
    lowered = text.lower()
    for needle in ("<script", "javascript:", "onload", "onclick", "href", "<foreign"):
        assert needle not in lowered


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        (9, [0, 2.5, 5, 7.5, 10]),
        (100, [0, 25, 50, 75, 100]),
        (0, [0, 1]),
        (1, [0, 0.25, 0.5, 0.75, 1]),
    ],
)
def test_ticks_are_round_numbers_reaching_the_top(top, expected):
    assert nice_ticks(top) == expected
