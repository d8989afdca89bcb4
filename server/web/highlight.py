"""A document's text with its claims' evidence highlighted, built from escaped pieces.

The text is cut at every evidence boundary; each piece is escaped on its own and only
then wrapped in markup we write, so nothing in the document can become markup, however
the offsets fall (inside ``<script>``, between ``&`` and ``;``...). Spans may nest or
overlap: a piece links to the innermost claim covering it, and a numbered marker after
each span links to that span's claim, so every claim stays reachable.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """One evidence span of one claim; offsets are ``str`` indices into the text."""

    begin: int
    end: int
    number: int  # the claim's number on the page, shown in markers
    href: str  # the claim's page
    css: str  # class naming the claim type, for colour
    title: str  # tooltip: the claim in words


def valid(span: Span, text: str) -> bool:
    return 0 <= span.begin < span.end <= len(text)


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` as HTML with every valid span highlighted and linked.

    Invalid spans (outside the text, empty) are left out; callers report them.
    """
    spans = [s for s in spans if valid(s, text)]
    cuts = sorted({0, len(text)} | {s.begin for s in spans} | {s.end for s in spans})
    ending: dict[int, list[Span]] = {}
    for span in spans:
        ending.setdefault(span.end, []).append(span)
    parts: list[Markup] = []
    for start, stop in pairwise(cuts):
        piece = escape(text[start:stop])
        covering = [s for s in spans if s.begin <= start and stop <= s.end]
        if covering:
            inner = min(covering, key=lambda s: (s.end - s.begin, s.number))
            depth = min(len(covering), 3)
            parts.append(
                Markup('<a class="ev {} depth-{}" href="{}" title="{}">{}</a>').format(
                    inner.css, depth, inner.href, inner.title, piece
                )
            )
        else:
            parts.append(piece)
        for span in sorted(ending.get(stop, []), key=lambda s: s.number):
            parts.append(
                Markup('<a class="marker {}" href="{}" title="{}">{}</a>').format(
                    span.css, span.href, span.title, span.number
                )
            )
    return Markup("").join(parts)
