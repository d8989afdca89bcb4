"""Highlighting evidence in a document's text: offsets, nesting, and escaping."""

from __future__ import annotations

from html.parser import HTMLParser

from server.web.highlight import Span, highlight


def span(begin: int, end: int, number: int, title: str = "t") -> Span:
    return Span(begin, end, number, f"/page/claim/{number}", "ct-x", title)


class Collector(HTMLParser):
    """The elements and the text of a fragment, as a browser's parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.linked: dict[str, str] = {}  # text inside each highlight link, by href
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._open.append((tag, dict(attrs).get("class", "") or ""))
        self._href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        self._open.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._open and self._open[-1][1].startswith("ev "):
            self.linked[self._href] = self.linked.get(self._href, "") + data


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_a_span_becomes_a_link_to_its_claim_followed_by_its_number():
    html = str(highlight("They killed 150 people.", [span(12, 22, 1, "casualty figure: 150")]))
    assert html == (
        'They killed <a class="ev ct-x depth-1" href="/page/claim/1" '
        'title="casualty figure: 150">150 people</a>'
        '<a class="marker ct-x" href="/page/claim/1" title="casualty figure: 150">1</a>.'
    )


def test_nested_spans_link_each_piece_to_the_innermost_claim_and_every_claim_keeps_a_marker():
    text = "the deaths of 150 people, including 20 children, in Baku"
    outer = span(0, 47, 1)  # "the deaths of ... 20 children"
    inner = span(26, 47, 2)  # "including 20 children"
    doc = parse(str(highlight(text, [outer, inner])))
    assert doc.linked == {
        "/page/claim/1": "the deaths of 150 people, ",
        "/page/claim/2": "including 20 children",
    }
    markers = [a["href"] for tag, a in doc.tags if tag == "a" and a["class"].startswith("marker")]
    assert markers == ["/page/claim/1", "/page/claim/2"]  # both end at 47: by number
    nested = [a for tag, a in doc.tags if tag == "a" and "depth-2" in a["class"]]
    assert len(nested) == 1  # the piece covered twice is marked as such
    assert "".join(t for t in doc.text if not t.isdigit()) == text


def test_markup_in_the_text_stays_text_wherever_the_offsets_cut_it():
    text = 'Before <script>alert("x")</script> & <b>bold</b> after'
    # Spans that start and end inside the tags and inside the entity-like "&".
    spans = [span(9, 20, 1), span(36, 41, 2), span(0, len(text), 3)]
    html = str(highlight(text, spans))
    doc = parse(html)
    assert {tag for tag, _ in doc.tags} == {"a"}  # no script, no b: only our links
    assert "".join(t for t in doc.text if not t.isdigit()) == text
    assert "<script" not in html and "<b>" not in html


def test_attribute_values_cannot_break_out():
    html = str(highlight("abc", [Span(0, 3, 1, '/x" onclick="alert(1)', "ct", '"><script>')]))
    doc = parse(html)
    assert all("onclick" not in attrs for _, attrs in doc.tags)
    assert doc.tags[0][1]["title"] == '"><script>'


def test_spans_outside_the_text_or_empty_are_left_out():
    html = str(highlight("short", [span(2, 99, 1), span(3, 3, 2), span(-1, 2, 3), span(0, 5, 4)]))
    doc = parse(html)
    assert list(doc.linked) == ["/page/claim/4"]


def test_offsets_count_code_points_not_bytes():
    text = "\u201ccrime against humanity\u201d \u2014 \U0001f30d 613 killed"
    begin = text.index("613")
    html = str(highlight(text, [span(begin, begin + len("613 killed"), 1)]))
    assert parse(html).linked == {"/page/claim/1": "613 killed"}
