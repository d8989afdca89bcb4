"""The casualty chart: how figures are judged against each other, and the SVG drawn."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from server.charts import Figure, bounds, casualty_chart, compare, judge, scale

SVG = "{http://www.w3.org/2000/svg}"


def fig(
    count: int, qualifier: str = "exact", source: str = "A", category: str = "killed"
) -> Figure:
    return Figure(
        category=category,
        source=source,
        source_key=f"urn:stmt:{source}",
        count=count,
        qualifier=qualifier,
        text=str(count),
        href=f"/page/claim/{source}-{count}",
    )


@pytest.mark.parametrize(
    ("qualifier", "expected"),
    [
        ("exact", (150, 150)),
        ("at-least", (150, math.inf)),
        ("more-than", (151, math.inf)),
        ("at-most", (0, 150)),
        ("up-to", (0, 150)),
        ("fewer-than", (0, 149)),
        ("approximately", (135, 165)),
        ("order-of-magnitude", (150, 1499)),
        ("a-qualifier-nobody-defined", (150, 150)),
    ],
)
def test_each_qualifier_gives_the_range_its_definition_says(qualifier, expected):
    low, high = bounds(fig(150, qualifier))
    assert low == pytest.approx(expected[0])
    assert high == pytest.approx(expected[1]) if not math.isinf(expected[1]) else math.isinf(high)


@pytest.mark.parametrize(
    ("figures", "verdict"),
    [
        ([fig(150)], "single"),
        ([fig(150, source="A"), fig(150, source="B")], "agree"),
        ([fig(150, source="A"), fig(131, source="B")], "conflict"),
        ([fig(150, source="A"), fig(131, "at-least", source="B")], "compatible"),
        ([fig(744, source="A"), fig(800, "approximately", source="B")], "compatible"),
        ([fig(600, source="A"), fig(800, "approximately", source="B")], "conflict"),
        (
            [
                fig(150, source="A"),
                fig(100, "more-than", source="B"),
                fig(200, "fewer-than", source="C"),
            ],
            "compatible",
        ),
        ([fig(99, source="A"), fig(100, "at-least", source="B")], "conflict"),
        # Sources A and B agree on 150; A alone also says 4,000: the spread is within A.
        ([fig(150, source="A"), fig(4000, source="A"), fig(150, source="B")], "varies"),
        ([fig(1275, source="A"), fig(3979, source="A")], "varies"),
        ([fig(150, source="A"), fig(4000, source="A"), fig(131, source="B")], "conflict"),
    ],
)
def test_figures_are_judged_by_whether_one_number_fits_them_all(figures, verdict):
    assert judge(figures) == verdict


def test_figures_are_compared_within_their_category_only():
    comparisons = compare(
        [
            fig(150, source="A", category="killed, civilians"),
            fig(744, source="A", category="injured, civilians"),
            fig(131, source="B", category="killed, civilians"),
        ]
    )
    # Disagreements come first, whatever order the figures came in.
    assert [(c.category, c.status, c.low, c.high, c.sources) for c in comparisons] == [
        ("killed, civilians", "conflict", 131, 150, 2),
        ("injured, civilians", "single", 744, 744, 1),
    ]
    assert [
        c.status for c in compare([fig(1, category="x"), fig(2, source="B"), fig(3, source="C")])
    ] == [
        "conflict",
        "single",
    ]
    assert comparisons[0].status_text == "sources conflict: 131 to 150"


@pytest.mark.parametrize(
    ("largest", "axis"), [(20, (25, 5)), (150, (200, 50)), (744, (800, 200)), (3, (4, 1))]
)
def test_axes_end_on_round_numbers_above_the_largest_figure(largest, axis):
    assert scale(largest) == axis


def panels(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(SVG + "g") if "panel" in g.get("class", "")]


def test_the_chart_is_well_formed_svg_with_bars_in_proportion():
    svg = str(casualty_chart(compare([fig(150, source="A"), fig(131, source="B")])))
    (panel,) = panels(svg)
    bars = [r for r in panel.iter(SVG + "rect") if r.get("class") != "conflict-band"]
    widths = [float(r.get("width")) for r in bars]
    assert widths[0] / widths[1] == pytest.approx(150 / 131, rel=0.01)
    # Every bar links to its claim.
    links = [a.get("href") for a in panel.iter(SVG + "a")]
    assert links == ["/page/claim/A-150", "/page/claim/B-131"]


def test_a_conflict_is_shaded_between_the_lowest_and_highest_figure():
    svg = str(
        casualty_chart(
            compare(
                [
                    fig(150, source="A", category="killed"),
                    fig(131, source="B", category="killed"),
                    fig(744, source="A", category="injured"),
                    fig(800, "approximately", source="B", category="injured"),
                ]
            )
        )
    )
    killed, injured = panels(svg)
    assert "status-conflict" in killed.get("class")
    (band,) = [r for r in killed.iter(SVG + "rect") if r.get("class") == "conflict-band"]
    bars = [r for r in killed.iter(SVG + "rect") if r.get("class") != "conflict-band"]
    ends = sorted(float(b.get("x")) + float(b.get("width")) for b in bars)
    assert float(band.get("x")) == pytest.approx(ends[0], abs=0.2)
    assert float(band.get("x")) + float(band.get("width")) == pytest.approx(ends[1], abs=0.2)
    assert "status-compatible" in injured.get("class")
    assert not [r for r in injured.iter(SVG + "rect") if r.get("class") == "conflict-band"]
    texts = "".join(injured.itertext())
    assert "\u2248 800" in texts and "qualifiers reconcile" in texts


def test_source_names_and_figures_are_escaped_in_the_svg():
    hostile = Figure(
        category='killed <script>alert("x")</script>',
        source="<img src=x onerror=alert(1)> & Co",
        source_key="urn:s",
        count=5,
        qualifier="",
        text='"5"',
        href='/page/claim/x"onmouseover="alert(1)',
    )
    svg = str(casualty_chart(compare([hostile])))
    root = ET.fromstring(svg)  # parses: nothing broke out of its element or attribute
    assert not list(root.iter(SVG + "script")) and not list(root.iter("script"))
    assert not list(root.iter(SVG + "img")) and not list(root.iter("img"))
    (link,) = root.iter(SVG + "a")
    assert link.get("href") == '/page/claim/x"onmouseover="alert(1)'
    assert link.get("onmouseover") is None
    assert "<img src=x onerror=alert(1)> & Co" in "".join(root.itertext())


def test_no_figures_no_chart():
    assert str(casualty_chart([])) == ""


def test_a_crowded_panel_draws_the_lowest_and_highest_figures_and_says_so():
    crowd = [fig(100 + i, source=f"S{i}") for i in range(30)] + [fig(5, source="low")]
    (comparison,) = compare(crowd)
    assert comparison.status == "conflict" and (comparison.low, comparison.high) == (5, 129)
    svg = str(casualty_chart([comparison]))
    (panel,) = panels(svg)
    hrefs = [a.get("href") for a in panel.iter(SVG + "a")]
    assert len(hrefs) == 12
    assert "/page/claim/low-5" in hrefs and "/page/claim/S29-129" in hrefs
    assert "12 of 31 figures drawn" in "".join(panel.itertext())
