"""The record every claim extractor returns, and helpers they share.

A :class:`ClaimRecord` is plain data (no RDF): its type slug, the statement that makes
it (index, see ``loaders.attribution``), the events it is about, its values, and its
evidence spans. ``identity`` says which records are the same claim: a statement that
calls the same event genocide three times makes one claim with three pieces of evidence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from loaders.analysis import Analysis
from loaders.attribution import Statement, statement_at
from loaders.entities import Mention


@dataclass(frozen=True)
class Concept:
    """A concept of one of the ontology's schemes (legal-category, casualty-kind, ...)."""

    scheme: str
    slug: str


Value = Concept | Mention | int | str


@dataclass
class ClaimRecord:
    type: str
    statement: int
    about: tuple[str, ...]  # event keys
    values: dict[str, list[Value]]
    evidence: list[tuple[int, int]]
    identity: tuple = ()
    part_of: tuple | None = None  # identity of the claim this one breaks down

    def key(self) -> tuple:
        return (self.type, self.statement, *self.identity)


def trim(text: str, begin: int, end: int) -> tuple[int, int]:
    """A span without surrounding whitespace, list bullets or quotation marks."""
    while begin < end and (text[begin].isspace() or text[begin] in '-*\u2022\u201c"#'):
        begin += 1
    while end > begin and (text[end - 1].isspace() or text[end - 1] in '\u201d"'):
        end -= 1
    return begin, end


def sentence_span(analysis: Analysis, offset: int) -> tuple[int, int]:
    begin, end = analysis.sentence_at(offset)
    return trim(analysis.text, begin, end)


def clause_end(text: str, begin: int, limit: int) -> int:
    """End of the clause that starts at ``begin``: before ";", a full stop or a line end."""
    match = re.compile(r";|\.(?=\s|$)|\n").search(text, begin, limit)
    return match.start() if match else limit


# Where a clause of a sentence ends and the next begins: "...; ...", "..., while ...".
_CLAUSE_BREAK = re.compile(r";|,\s+(?:while|whereas|but|and\s+(?:in|at|during))\s+|\s+\u2014\s+")


def event_near(analysis: Analysis, begin: int, end: int, offset: int) -> str:
    """The event a claim at ``offset`` is about when its sentence names several: the one
    named in the same clause ("700 died in the Sumgait pogrom, while 90 were killed in the
    Kirovabad pogrom"), nearest to the offset; else the sentence's event."""
    about = analysis.event_about(begin, end)
    named = [e for e in about if begin <= e.begin < end]
    if len({e.key for e in named}) < 2:
        return about[0].key
    cuts = [begin] + [m.end() for m in _CLAUSE_BREAK.finditer(analysis.text, begin, end)] + [end]
    clause = next(((a, b) for a, b in itertools.pairwise(cuts) if a <= offset < b), (begin, end))
    mentions = [e for e in analysis.events_in(*clause) if e.key in {n.key for n in named}]
    pool = mentions or [
        e for e in analysis.events_in(begin, end) if e.key in {n.key for n in named}
    ]

    def distance(event) -> int:
        return event.begin - offset if event.begin >= offset else offset - event.end

    return min(pool, key=distance).key


def statement_index(statements: list[Statement], offset: int) -> int:
    return statement_at(statements, offset).index


def merge(records: list[ClaimRecord]) -> list[ClaimRecord]:
    """One record per claim identity; evidence spans of repeats are added, in order."""
    merged: dict[tuple, ClaimRecord] = {}
    for record in records:
        record.evidence = [(b, e) for b, e in record.evidence if b < e]
        if not record.evidence:
            continue  # a claim is only as good as its quote
        known = merged.get(record.key())
        if known is None:
            merged[record.key()] = record
            continue
        for span in record.evidence:
            if span not in known.evidence:
                known.evidence.append(span)
    return list(merged.values())


def collective(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """Collective agents in a span ("international organizations", "civil society")."""
    from ontology.iris import slugify

    found = []
    for span in analysis.cues("COLLECTIVE", begin, end):
        of = re.match(r"\s+of\s+(?:the\s+)?", analysis.text[span.end_char : span.end_char + 12])
        owner = [
            m
            for m in analysis.entities_in(span.end_char, span.end_char + 80, "organization")
            if of and m.begin == span.end_char + of.end()
        ]
        span_end = span.end_char
        if owner and span.id_ == "members":
            span_end = owner[0].end  # "member states of the United Nations": the members act
        elif owner:
            continue  # "the competent bodies of the United Nations": the UN is the agent
        written = analysis.text[span.start_char : span_end]
        label = re.sub(r"^(?:the|relevant)\s+", "", written, flags=re.IGNORECASE)
        found.append(
            Mention(
                span.start_char,
                span_end,
                written,
                "organization",
                slugify(label),
                label,
                False,
            )
        )
    return found


def agents_in(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """Organizations, people and collectives named in a span, longest first on overlap."""
    named = analysis.entities_in(begin, end, "organization", "person")
    others = analysis.entities_in(begin, end)
    groups = [  # "States" in "United States" is a name, not a collective
        g
        for g in collective(analysis, begin, end)
        if not any(  # an entity inside the collective is part of its name
            g.begin < o.end and o.begin < g.end and not (g.begin <= o.begin and o.end <= g.end)
            for o in others
        )
    ]
    chosen: list[Mention] = []
    for mention in sorted(named + groups, key=lambda m: (-(m.end - m.begin), m.begin)):
        if all(mention.end <= c.begin or mention.begin >= c.end for c in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.begin)
