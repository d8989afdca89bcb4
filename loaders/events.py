"""Event mentions and their resolution to one node per real event across documents.

An event is named in many ways: a known name or alias ("Black January", "Khojaly
genocide"), a place and an event noun ("the Sumgait pogrom", "the massacre in
Srebrenica"), a date and an event noun ("the January 20 tragedy", "the events of
January 20"), or a night ("the night of January 19-20, 1990"). Resolution tries, in
order: the reference name; a reference event whose place and/or dates match; else a
stable key from the normalised name (place or date + canonical event noun), so two
documents naming the same unknown event the same way meet on one IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc

from loaders.dates import DateMention
from loaders.entities import Mention
from loaders.nlp import CUES, GAZETTEER
from loaders.reference import Entry, Reference
from ontology.iris import slugify

# Event nouns that can name an event together with a place or a date.
NAMING_HEADS = {
    "massacre",
    "genocide",
    "pogrom",
    "tragedy",
    "atrocity",
    "events",
    "attack",
    "siege",
    "expulsion",
    "bombing",
    "violence",
}
_LINK = re.compile(
    r"^\s*(?:of\s+(?:[\w-]+\s+){1,3}(?=in\s|at\s))?"  # "the killings of Masalit civilians in"
    r"(?:(?:that\s+)?(?:occurred|took\s+place|happened|committed|perpetrated)\s+)?"
    r"(?:in|at|of|on)\s+(?:the\s+)?(?:(?:\w+\s+)?(?:town|city|village|camp|region|district)\s+of\s+)?$"
)


@dataclass(frozen=True)
class EventMention:
    begin: int
    end: int
    text: str
    key: str
    label: str
    resolved: bool
    place: str | None = None  # place key
    first: date | None = None
    last: date | None = None
    unknown_place: str | None = None  # the name of a place no reference entry knows


def _parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _span(entry: Entry) -> tuple[date | None, date | None]:
    first = _parse_date(entry.extra.get("start")) if "start" in entry.extra else None
    last = _parse_date(entry.extra.get("end")) if "end" in entry.extra else None
    return first, last or first


def _head_fits(entry: Entry, head: str) -> bool:
    names = " ".join(entry.names).lower()
    categories = entry.extra.get("categories") or []
    return head in names or head in categories


def _date_fits(entry: Entry, when: DateMention) -> float:
    """Share of the event's days that the mention names (0: no fit): "July 1995" fits the
    Srebrenica massacre (all its days) far better than the Bosnian War (a few percent)."""
    first, last = _span(entry)
    if first is None or last is None:
        return 0
    return _overlap_days(first, last, when) / (last.toordinal() - first.toordinal() + 1)


def _overlap_days(first: date, last: date, when: DateMention) -> int:
    if when.year is None:
        days = [date.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)]
        return sum(1 for d in days if when.same_day_of_year(d))
    start, end = when.start, when.last
    if start is None or end is None or not when.overlaps(first, last):
        return 0
    return min(end, last).toordinal() - max(start, first).toordinal() + 1


def resolve(
    reference: Reference, head: str, place: str | None, when: DateMention | None
) -> Entry | None:
    """The reference event this place/date/noun describes, when exactly one fits best."""
    scored = []
    for entry in reference.of_kind("event"):
        place_fit = place is not None and entry.extra.get("place") == place
        date_fit = _date_fits(entry, when) if when is not None else 0
        if place is not None and not place_fit:
            continue
        if when is not None and not date_fit:
            continue
        if place is None and when is None:
            continue
        first, last = _span(entry)
        duration = (last.toordinal() - first.toordinal()) if first and last else 10**6
        scored.append(((_head_fits(entry, head), date_fit, -duration), entry))
    if not scored:
        return None
    scored.sort(key=lambda item: item[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    if when is None and not scored[0][0][0] and (len(scored) > 1 or head not in _GENERIC):
        return None  # "an attack on Darfur" is not the Darfur genocide
    return scored[0][1]


# Event nouns that name the same kind of event share one key ("Srebrenica massacre" and
# "Srebrenica genocide" are one event); legal categories used as names count as nouns.
_CANONICAL = {
    "ethnic-cleansing": "expulsion",
    "pogrom": "pogrom",
    "attack": "attack",
    "bombing": "attack",
    "siege": "siege",
    "expulsion": "expulsion",
    "forced-displacement": "expulsion",
}


# Nouns that can refer to any atrocity at a place ("the tragic events in Khojaly").
_GENERIC = {"massacre", "tragedy", "atrocity", "events", "violence"}


def _canonical_head(head: str) -> str:
    return _CANONICAL.get(head, "massacre")


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|this|that)\s+", "", text.strip(), flags=re.IGNORECASE)


def find_events(
    doc: Doc, entities: list[Mention], dates: list[DateMention], reference: Reference
) -> list[EventMention]:
    """Event mentions in text order, each resolved to a reference key or a stable slug."""
    text = doc.text
    found: list[EventMention] = []
    for mention in entities:
        if mention.kind == "event":
            entry = reference.get("event", mention.key)
            first, last = _span(entry) if entry else (None, None)
            place = entry.extra.get("place") if entry else None
            found.append(
                EventMention(
                    mention.begin,
                    mention.end,
                    mention.text,
                    mention.key,
                    mention.label,
                    mention.resolved,
                    place,
                    first,
                    last,
                )
            )
    places = [m for m in entities if m.kind == "place"] + _unknown_places(doc, entities)
    for head in _naming_heads(doc):
        candidate = _named_by_place(text, head, places) or _named_by_date(text, head, dates)
        if candidate is None:
            continue
        begin, end, place, when = candidate
        if any(begin < f.end and f.begin < end for f in found):
            continue
        found.append(_resolved(text, begin, end, head.id_, place, when, reference))
    for when in dates:
        before = text[max(0, when.begin - 25) : when.begin]
        night = re.search(r"\bnight\s+(?:of|from)\s+$", before, re.IGNORECASE)
        if night and not any(when.begin < f.end and f.begin < when.end for f in found):
            begin = when.begin - (len(before) - night.start())
            found.append(_resolved(text, begin, when.end, "events", None, when, reference))
    found += _named_by_place_alone(doc, entities, dates, found, reference)
    return sorted(found, key=lambda e: e.begin)


_LOCATIVE = re.compile(r"\b(?:in|at|near|around|outside)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)


def place_in_country(reference: Reference, key: str) -> bool:
    """Whether a reference place lies in a country (a city, a region, a site)."""
    entry = reference.get("place", key)
    return entry is not None and bool(entry.extra.get("country"))


# Cue labels that make a sentence about violence ("In Nanjing, ... were massacred").
_VIOLENCE_LABELS = {"EVENT_NOUN", "PERPETRATE", "LEGAL_CATEGORY", "CASUALTY_KIND"}


def _named_by_place_alone(
    doc: Doc,
    entities: list[Mention],
    dates: list[DateMention],
    found: list[EventMention],
    reference: Reference,
) -> list[EventMention]:
    """ "In Nanjing, some 300,000 people were massacred": a sentence about violence that
    names no event but a place where exactly one reference event happened names that
    event, when the text names it nowhere else. The mention is the place name."""
    named = {e.key for e in found}
    by_place: dict[str, list[Entry]] = {}
    for entry in reference.of_kind("event"):
        by_place.setdefault(str(entry.extra.get("place")), []).append(entry)
    violent = sorted(
        s.start_char
        for key in (CUES, GAZETTEER)
        for s in doc.spans[key]
        if s.label_ in _VIOLENCE_LABELS and s.text.lower() != "by"
    )
    added: list[EventMention] = []
    for sentence in doc.sents:
        begin, end = sentence.start_char, sentence.end_char
        if any(begin <= e.begin < end for e in found + added):
            continue
        if not any(begin <= offset < end for offset in violent):
            continue
        for place in (m for m in entities if m.kind == "place" and m.resolved):
            if not begin <= place.begin < end:
                continue
            if not _LOCATIVE.search(doc.text[max(begin, place.begin - 30) : place.begin]):
                continue  # a place as the scene, not "blamed it on Germany"
            lead = doc.text[begin : place.begin]
            if not place_in_country(reference, place.key) and not re.fullmatch(
                r"\s*In\s+(?:the\s+)?", lead
            ):
                continue  # a country frames a sentence only up front: "In Guatemala, ..."
            events = by_place.get(place.key, [])
            if len(events) != 1 or events[0].key in named:
                continue
            entry = events[0]
            first, last = _span(entry)
            years = [d for d in dates if begin <= d.begin < end and d.year is not None]
            if first and last and years and not any(d.overlaps(first, last) for d in years):
                continue  # "In Kyiv, in 2022, ...": not the event of 1941 there
            added.append(
                EventMention(
                    place.begin,
                    place.end,
                    place.text,
                    entry.key,
                    entry.label,
                    True,
                    place.key,
                    first,
                    last,
                )
            )
            named.add(entry.key)
            break
    return added


# Legal categories that also name events ("the Rohingya ethnic cleansing").
NAMING_CATEGORIES = {"genocide", "ethnic-cleansing", "massacre", "pogrom"}


def _naming_heads(doc: Doc) -> list:
    nouns = [s for s in doc.spans[CUES] if s.label_ == "EVENT_NOUN" and s.id_ in NAMING_HEADS]
    categories = [
        s
        for s in doc.spans[GAZETTEER]
        if s.label_ == "LEGAL_CATEGORY" and s.id_ in NAMING_CATEGORIES
    ]
    return sorted(nouns + categories, key=lambda s: (s.start, -s.end))


# Title-case words of days, documents and bodies that an unknown place never holds.
_NOT_PLACE_WORDS = {
    "day",
    "anniversary",
    "commemoration",
    "remembrance",
    "convention",
    "declaration",
    "prevention",
    "punishment",
    "victims",
    "crime",
    "crimes",
}


def _unknown_places(doc: Doc, entities: list[Mention]) -> list[Mention]:
    """Capitalised words right before or after an event noun that no gazetteer knows:
    "the Kirovakan massacre", "the pogrom in Sumgait", "the killings in El Fasher", "the
    Rohingya ethnic cleansing" (so unknown places still name unknown events)."""
    from loaders.entities import is_name_word

    def name_like(token) -> bool:
        return (
            is_name_word(token)
            and token.is_alpha
            and not token.is_stop
            and not token.is_sent_start
            and token.idx not in taken
        )

    taken = {i for m in entities for i in range(m.begin, m.end)}
    found: dict[int, Mention] = {}
    for head in _naming_heads(doc):
        runs = []
        start = head.start
        while start > 0 and name_like(doc[start - 1]):
            start -= 1
        if start < head.start:
            runs.append((start, head.start))
        after = head.end
        # not "of": "the genocide of Armenians" names the victims, not a place; but "the
        # killings of Masalit civilians in El Geneina" names one after the victims
        victims = after
        if victims < len(doc) and doc[victims].lower_ == "of":
            probe = victims + 1
            while probe < len(doc) and probe - victims <= 4 and doc[probe].is_alpha:
                if doc[probe].lower_ in {"in", "at"}:
                    after = probe
                    break
                probe += 1
        # "the attacks on the Masalit": a people, not a place
        people = doc[after : after + 2].text.lower() == "on the" if after < len(doc) else False
        if after < len(doc) and doc[after].lower_ in {"in", "at", "on"} and not people:
            after += 1
            if after < len(doc) and doc[after].lower_ == "the":
                after += 1
            end = after
            while end < len(doc) and name_like(doc[end]):
                end += 1
            if end > after:
                runs.append((after, end))
        for first, last in runs:
            span = doc[first:last]
            if any(t.lower_ in _NOT_PLACE_WORDS for t in span):
                continue  # "Genocide on the International Day of ...": a name, not a place
            found[span.start_char] = Mention(
                span.start_char,
                span.end_char,
                span.text,
                "place",
                slugify(span.text),
                span.text,
                False,
            )
    return list(found.values())


def _named_by_place(
    text: str, head, places: list[Mention]
) -> tuple[int, int, Mention | None, None] | None:
    for place in places:
        if place.end < head.start_char - 3 or place.begin > head.end_char + 60:
            continue  # too far to name the event
        gap = text[place.end : head.start_char]
        if place.end <= head.start_char and re.fullmatch(r"\s*", gap) and gap.count("\n") == 0:
            return place.begin, head.end_char, place, None
        link = text[head.end_char : place.begin]
        if head.end_char <= place.begin and len(link) < 40 and _LINK.match(link):
            return head.start_char, place.end, place, None
    return None


def _named_by_date(
    text: str, head, dates: list[DateMention]
) -> tuple[int, int, None, DateMention] | None:
    for when in dates:
        if when.end < head.start_char - 3 or when.begin > head.end_char + 6:
            continue
        adjacent = when.end <= head.start_char and not text[when.end : head.start_char].strip()
        if adjacent and when.month is not None:
            return when.begin, head.end_char, None, when
        link = text[head.end_char : when.begin]
        if head.end_char <= when.begin and re.fullmatch(r"\s+of\s+", link) and when.month:
            return head.start_char, when.end, None, when
    return None


def _resolved(
    text: str,
    begin: int,
    end: int,
    head: str,
    place: Mention | None,
    when: DateMention | None,
    reference: Reference,
) -> EventMention:
    surface = text[begin:end]
    entry = reference.lookup(_strip_article(surface), ("event",)) or resolve(
        reference, head, place.key if place else None, when
    )
    if entry is not None:
        first, last = _span(entry)
        return EventMention(
            begin, end, surface, entry.key, entry.label, True, entry.extra.get("place"), first, last
        )
    if place is not None:
        key = slugify(f"{place.label} {_canonical_head(head)}")
    else:
        assert when is not None
        day = f"{when.month}-{when.day}" if when.day else str(when.month)
        key = slugify(f"{when.year or ''} {day} {_canonical_head(head)}")
    return EventMention(
        begin,
        end,
        surface,
        key,
        _strip_article(surface),
        False,
        place.key if place else None,
        when.start if when else None,
        when.last if when else None,
        place.label if place is not None and not place.resolved else None,
    )
