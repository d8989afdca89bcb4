"""One pass over a document's text: every mention the claim extractors work from.

The spaCy pipeline gives tokens, sentences, gazetteer and cue spans; the regex parsers
give numbers, dates and article references; ``entities`` and ``events`` resolve names.
Claim extractors read an :class:`Analysis` and never re-parse the text.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, Span

from loaders.articles import ArticleReference, find_articles
from loaders.dates import DateMention, find_dates
from loaders.entities import Mention, find_entities
from loaders.events import EventMention, find_events
from loaders.nlp import CUES, GAZETTEER, get_pipeline
from loaders.numbers import NumberMention, find_numbers
from loaders.reference import Reference, load_reference


@dataclass
class Analysis:
    text: str
    doc: Doc
    reference: Reference
    entities: list[Mention]
    events: list[EventMention]
    dates: list[DateMention]
    numbers: list[NumberMention]
    articles: list[ArticleReference]
    sentences: list[tuple[int, int]] = field(default_factory=list)
    _spans: dict[str, dict[str, list[Span]]] = field(default_factory=dict, repr=False)
    _starts: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def _by_label(self, key: str, label: str) -> list[Span]:
        """Spans of one label, in text order (computed once per analysis)."""
        index = self._spans.get(key)
        if index is None:
            index = {}
            for span in self.doc.spans[key]:
                index.setdefault(span.label_, []).append(span)
            for spans in index.values():
                spans.sort(key=lambda s: (s.start_char, s.end_char))
            self._spans[key] = index
        return index.get(label, [])

    def _within(self, spans: list[Span], begin: int, end: int) -> list[Span]:
        starts = self._starts.get(id(spans))
        if starts is None:
            starts = self._starts[id(spans)] = [s.start_char for s in spans]
        first = bisect.bisect_left(starts, begin)
        return [s for s in spans[first:] if s.start_char < end and s.end_char <= end]

    def cues(self, label: str, begin: int = 0, end: int | None = None) -> list[Span]:
        end = len(self.text) if end is None else end
        return self._within(self._by_label(CUES, label), begin, end)

    def terms(self, label: str, begin: int = 0, end: int | None = None) -> list[Span]:
        """Term-list matches (LEGAL_CATEGORY, CASUALTY_KIND, VICTIM_GROUP), longest only."""
        end = len(self.text) if end is None else end
        spans = self._within(self._by_label(GAZETTEER, label), begin, end) + self._within(
            self._by_label(CUES, label), begin, end
        )
        chosen: list[Span] = []
        for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
            if all(span.end <= c.start or span.start >= c.end for c in chosen):
                chosen.append(span)
        return sorted(chosen, key=lambda s: s.start)

    def entities_in(self, begin: int, end: int, *kinds: str) -> list[Mention]:
        first = bisect.bisect_left(self._entity_starts, begin)
        found = []
        for mention in self.entities[first:]:
            if mention.begin >= end:
                break
            if (not kinds or mention.kind in kinds) and mention.end <= end:
                found.append(mention)
        return found

    @property
    def _entity_starts(self) -> list[int]:
        if -1 not in self._starts or len(self._starts[-1]) != len(self.entities):
            self._starts[-1] = [m.begin for m in self.entities]
        return self._starts[-1]

    def events_in(self, begin: int, end: int) -> list[EventMention]:
        return [e for e in self.events if begin <= e.begin and e.end <= end]

    def sentence_at(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.sentences, (offset, len(self.text) + 1)) - 1
        if index >= 0 and self.sentences[index][0] <= offset < self.sentences[index][1]:
            return self.sentences[index]
        return offset, offset

    def main_event(self, begin: int = 0, end: int | None = None) -> EventMention | None:
        """The event named most often in a region (first named on a tie)."""
        events = self.events_in(begin, len(self.text) if end is None else end)
        if not events:
            return None
        counts = Counter(e.key for e in events)
        best = max(counts.values())
        return next(e for e in events if counts[e.key] == best)

    def _topical(self, events: list[EventMention]) -> list[EventMention]:
        """Drop events named only as a time reference ("since the Second World War")."""
        temporal = re.compile(
            r"\b(?:since|after|before|following|until|prior\s+to)\s+(?:the\s+)?$",
            re.IGNORECASE,
        )
        return [e for e in events if not temporal.search(self.text[max(0, e.begin - 20) : e.begin])]

    def event_about(self, begin: int, end: int) -> list[EventMention]:
        """The events a passage is about: those it names, else the nearest named before
        it in the same paragraph, else the document's main event."""
        sentence = self.sentence_at(begin)
        named = self._topical(self.events_in(*sentence) or self.events_in(begin, end))
        if not named:
            # "in the town of Khojaly": a place where an event of this text happened
            places = {m.key for m in self.entities_in(*sentence, "place")}
            named = [e for e in self.events if e.place in places][:1]
        if named:
            keys: dict[str, EventMention] = {}
            for event in named:
                keys.setdefault(event.key, event)
            return list(keys.values())
        paragraph_start = self.text.rfind("\n", 0, begin) + 1
        before = self._topical([e for e in self.events if paragraph_start <= e.begin < begin])
        if before:
            return [before[-1]]
        main = self.main_event()
        return [main] if main else []


def analyse(
    text: str,
    reference_dir: Path | str | None = None,
    patterns_dir: Path | str | None = None,
) -> Analysis:
    """Run the pipeline and every parser over a document's text."""
    reference = load_reference(reference_dir)
    doc = get_pipeline(reference_dir, patterns_dir)(text)
    entities = find_entities(doc, reference)
    dates = find_dates(text)
    return Analysis(
        text=text,
        doc=doc,
        reference=reference,
        entities=entities,
        events=find_events(doc, entities, dates, reference),
        dates=dates,
        numbers=find_numbers(text),
        articles=find_articles(text),
        sentences=[(s.start_char, s.end_char) for s in doc.sents],
    )
