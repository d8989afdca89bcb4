"""Casualty figures of each source side by side, as server-made SVG.

Figures are compared per category (casualty kind and victim group: "killed,
civilians"), never across categories. A figure's qualifier turns it into a range
(``at least 131`` is [131, inf), ``some 800`` is about [720, 880]) and a category's
figures are judged:

- ``agree``: every figure gives the same number;
- ``compatible``: the numbers differ but the ranges overlap ("at least 131" and "150");
- ``conflict``: two sources give figures no single number fits ("131" and "150"): the
  chart shades the gap between the lowest and highest figure, so the disagreement is
  visible as such, and such categories come first;
- ``varies``: no number fits every figure, but every two sources share a figure that
  fits: the spread is within one source (it gives 150 and 4,000), shaded the same way;
- ``single``: only one figure.

Each category is its own panel with its own scale (its axis says so), because a death
toll and an injury count side by side on one axis would hide the smaller one.
Every piece of text is escaped; the SVG uses presentation attributes only (no inline
``style``), so it passes a strict Content-Security-Policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Okabe-Ito colours (distinguishable with colour-blindness), then a neutral grey.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6B7280"]
CONFLICT = "#C81E1E"
APPROXIMATE = 0.10  # "some 800", "about 800": within 10%

# The range of numbers a figure allows, by the slug of its qualifier (the ontology's
# "Figure qualifiers" scheme, whose definitions these follow); a slug not listed is
# read as exact, which can only make a conflict more visible, never hide one.
RANGES = {
    "exact": lambda n: (n, n),
    "approximately": lambda n: (n * (1 - APPROXIMATE), n * (1 + APPROXIMATE)),
    "at-least": lambda n: (n, math.inf),
    "more-than": lambda n: (n + 1, math.inf),
    "at-most": lambda n: (0, n),
    "up-to": lambda n: (0, n),
    "fewer-than": lambda n: (0, max(n - 1, 0)),
    "order-of-magnitude": lambda n: (n, n * 10 - 1),  # "thousands": 1,000 to 9,999
}
SIGNS = {
    "approximately": "\u2248 ",
    "at-least": "\u2265 ",
    "more-than": "> ",
    "at-most": "\u2264 ",
    "up-to": "\u2264 ",
    "fewer-than": "< ",
    "order-of-magnitude": "~",
}

STATUS_TEXT = {
    "single": "one figure",
    "agree": "sources agree",
    "compatible": "figures differ, qualifiers reconcile them",
    "conflict": "sources conflict",
    "varies": "a source gives differing figures",
}


@dataclass(frozen=True)
class Figure:
    """One casualty figure as one source states it."""

    category: str  # "killed, civilians"
    source: str  # label of the statement's issuer or title
    source_key: str  # the statement's IRI: one colour per source
    count: int
    qualifier: str  # slug of the qualifier concept, "" when none
    text: str  # the figure as written ("some 800")
    href: str  # the claim's page


@dataclass(frozen=True)
class Comparison:
    category: str
    figures: tuple[Figure, ...]
    status: str  # single | agree | compatible | conflict
    low: int  # lowest and highest number given
    high: int

    @property
    def sources(self) -> int:
        return len({f.source_key for f in self.figures})

    @property
    def status_text(self) -> str:
        text = STATUS_TEXT[self.status]
        if self.status in ("conflict", "varies"):
            text += f": {self.low:,} to {self.high:,}"
        return text


def bounds(figure: Figure) -> tuple[float, float]:
    """The range of numbers a figure allows, given its qualifier."""
    return RANGES.get(figure.qualifier, RANGES["exact"])(figure.count)


def fits(figures: list[Figure]) -> bool:
    """True when one number lies in every figure's range."""
    return max(bounds(f)[0] for f in figures) <= min(bounds(f)[1] for f in figures)


def judge(figures: list[Figure]) -> str:
    """The verdict on one category's figures (see the module's docstring)."""
    if len(figures) == 1:
        return "single"
    if len({f.count for f in figures}) == 1:
        return "agree"
    if fits(figures):
        return "compatible"
    by_source: dict[str, list[Figure]] = {}
    for figure in figures:
        by_source.setdefault(figure.source_key, []).append(figure)
    sources = list(by_source.values())
    # Sources conflict when some two of them give no figures that fit together; when
    # every two share a fitting pair, the spread comes from within a source.
    for i, first in enumerate(sources):
        for second in sources[i + 1 :]:
            if not any(fits([a, b]) for a in first for b in second):
                return "conflict"
    return "varies"


# Categories in the chart: disagreements first.
STATUS_ORDER = ["conflict", "varies", "compatible", "agree", "single"]


def compare(figures: list[Figure]) -> list[Comparison]:
    """One comparison per category: conflicts first, then in order of first appearance."""
    by_category: dict[str, list[Figure]] = {}
    for figure in figures:
        by_category.setdefault(figure.category, []).append(figure)
    comparisons = [
        Comparison(
            category=category,
            figures=tuple(group),
            status=judge(group),
            low=min(f.count for f in group),
            high=max(f.count for f in group),
        )
        for category, group in by_category.items()
    ]
    return sorted(comparisons, key=lambda c: STATUS_ORDER.index(c.status))


def colours(figures: list[Figure]) -> dict[str, str]:
    """A colour per source, stable in order of first appearance."""
    keys: list[str] = []
    for figure in figures:
        if figure.source_key not in keys:
            keys.append(figure.source_key)
    return {key: PALETTE[min(i, len(PALETTE) - 1)] for i, key in enumerate(keys)}


def nice_step(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least ``value`` (>= 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def scale(largest: float, ticks: int = 5) -> tuple[float, float]:
    """(axis maximum, tick step): round numbers, the maximum a little above ``largest``."""
    step = nice_step(largest * 1.05 / ticks)
    return step * max(math.ceil(largest * 1.05 / step), 1), step


def qualifier_sign(figure: Figure) -> str:
    return SIGNS.get(figure.qualifier, "")


# Layout, in SVG user units.
WIDTH = 1000
LABEL_W = 340
BAR_W = 500
MAX_BARS = 12  # bars per panel; the verdict always covers every figure
CHAR_W = 7.3  # average width of a 12-unit character (DejaVu Sans), to fit labels
ROW_H = 26
HEAD_H = 30
AXIS_H = 22
GAP = 18


def casualty_chart(comparisons: list[Comparison], title: str = "Casualty figures") -> Markup:
    """The panels of all comparisons in one ``<svg>`` element (empty markup if none)."""
    if not comparisons:
        return Markup("")
    palette = colours([f for c in comparisons for f in c.figures])
    parts: list[Markup] = []
    y = 0
    for comparison in comparisons:
        panel, height = _panel(comparison, palette, y)
        parts.append(panel)
        y += height + GAP
    height = max(y - GAP, 1)
    return Markup(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>{body}</svg>'
    ).format(w=WIDTH, h=height, t=title, body=Markup("").join(parts))


def _panel(c: Comparison, palette: dict[str, str], top: int) -> tuple[Markup, int]:
    highs = [bounds(f)[1] for f in c.figures]
    largest = max([f.count for f in c.figures] + [h for h in highs if not math.isinf(h)])
    scale_max, step = scale(largest)

    def x(value: float) -> float:
        return LABEL_W + min(value, scale_max) / scale_max * BAR_W

    rows_top = top + HEAD_H
    bars = drawn(c.figures)
    rows_h = ROW_H * len(bars)
    out: list[Markup] = []
    status_colour = CONFLICT if c.status in ("conflict", "varies") else "#374151"
    out.append(
        Markup(
            '<g class="panel status-{s}"><text x="0" y="{y}" class="chart-head" '
            'font-size="14" font-weight="600" fill="#111827">{cat}</text>'
            '<text x="{sx}" y="{y}" class="chart-status" font-size="12" fill="{sc}" '
            'text-anchor="end">{st}</text>'
        ).format(
            s=c.status, y=top + 18, cat=c.category, sx=WIDTH, sc=status_colour, st=c.status_text
        )
    )
    if c.status in ("conflict", "varies"):
        out.append(
            Markup(
                '<rect class="conflict-band" x="{x}" y="{y}" width="{w}" height="{h}" '
                'fill="{c}" fill-opacity="0.12"/>'
                '<line x1="{x}" y1="{y}" x2="{x}" y2="{y2}" stroke="{c}" stroke-dasharray="3 3"/>'
                '<line x1="{x2}" y1="{y}" x2="{x2}" y2="{y2}" stroke="{c}" '
                'stroke-dasharray="3 3"/>'
            ).format(
                x=_n(x(c.low)),
                x2=_n(x(c.high)),
                y=rows_top,
                y2=rows_top + rows_h,
                w=_n(max(x(c.high) - x(c.low), 1)),
                h=rows_h,
                c=CONFLICT,
            )
        )
    for i, f in enumerate(bars):
        out.append(_bar(f, palette[f.source_key], rows_top + i * ROW_H, x))
    axis_y = rows_top + rows_h + 4
    out.append(_axis(scale_max, step, axis_y, x))
    if len(bars) < len(c.figures):
        out.append(
            Markup(
                '<text x="{x}" y="{y}" font-size="11" fill="#6B7280" text-anchor="end">'
                "{n} of {total} figures drawn: the lowest, the highest and the first others"
                "</text>"
            ).format(x=WIDTH, y=axis_y + 15, n=len(bars), total=len(c.figures))
        )
    out.append(Markup("</g>"))
    return Markup("").join(out), HEAD_H + rows_h + AXIS_H


def drawn(figures: tuple[Figure, ...], most: int = MAX_BARS) -> list[Figure]:
    """The figures a panel draws: all, or ``most`` of them keeping the lowest and highest
    (so the spread, and any conflict, stays visible), in their original order."""
    if len(figures) <= most:
        return list(figures)
    order = range(len(figures))
    keep = {min(order, key=lambda i: figures[i].count), max(order, key=lambda i: figures[i].count)}
    for i in order:
        if len(keep) >= most:
            break
        keep.add(i)
    return [figures[i] for i in sorted(keep)]


def _bar(f: Figure, colour: str, y: int, x) -> Markup:
    low, high = bounds(f)
    end = x(f.count)
    room = int((LABEL_W - 12) / CHAR_W)
    label = f.source if len(f.source) <= room else f.source[: room - 1].rstrip() + "\u2026"
    parts = [
        Markup(
            '<a href="{href}" class="bar"><title>{src}: {text} ({cat})</title>'
            '<text x="{lx}" y="{ty}" font-size="12" fill="#374151" text-anchor="end">{label}'
            '</text><rect x="{x0}" y="{y}" width="{w}" height="14" rx="2" fill="{c}"/>'
        ).format(
            href=f.href,
            src=f.source,
            text=f.text,
            cat=f.category,
            lx=LABEL_W - 8,
            ty=y + 12,
            label=label,
            x0=LABEL_W,
            y=y + 1,
            w=_n(max(end - LABEL_W, 1)),
            c=colour,
        )
    ]
    if math.isinf(high):  # a lower bound: the range runs on past the bar
        parts.append(
            Markup(
                '<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="{c}" stroke-width="2" '
                'stroke-dasharray="4 3"/>'
            ).format(a=_n(end), b=LABEL_W + BAR_W, y=y + 8, c=colour)
        )
    elif low != high:  # a range: a whisker over it
        parts.append(
            Markup(
                '<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="#111827" stroke-width="1.5"/>'
                '<line x1="{a}" y1="{y0}" x2="{a}" y2="{y1}" stroke="#111827"/>'
                '<line x1="{b}" y1="{y0}" x2="{b}" y2="{y1}" stroke="#111827"/>'
            ).format(a=_n(x(low)), b=_n(x(high)), y=y + 8, y0=y + 3, y1=y + 13)
        )
    value_x = max(end, x(high) if not math.isinf(high) else LABEL_W + BAR_W) + 8
    parts.append(
        Markup(
            '<text x="{vx}" y="{ty}" font-size="12" font-weight="600" fill="#111827">{sign}{n}'
            "</text></a>"
        ).format(vx=_n(value_x), ty=y + 12, sign=qualifier_sign(f), n=f"{f.count:,}")
    )
    return Markup("").join(parts)


def _axis(scale_max: float, step: float, y: int, x) -> Markup:
    parts = [
        Markup('<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="#9CA3AF"/>').format(
            a=LABEL_W, b=LABEL_W + BAR_W, y=y
        )
    ]
    for i in range(round(scale_max / step) + 1):
        value = step * i
        parts.append(
            Markup(
                '<line x1="{x}" y1="{y}" x2="{x}" y2="{y2}" stroke="#9CA3AF"/>'
                '<text x="{x}" y="{ty}" font-size="10" fill="#6B7280" text-anchor="middle">'
                "{v}</text>"
            ).format(x=_n(x(value)), y=y, y2=y + 4, ty=y + 15, v=_tick(value))
        )
    return Markup("").join(parts)


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _n(value: float) -> str:
    return escape(f"{value:.1f}")
