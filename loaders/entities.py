"""Organizations, instruments, places and people named in a text, resolved when known.

Two sources: the gazetteer spans (reference names and acronyms, see ``loaders.nlp``) and
a title-case chunker around head words kept as data ("... Network for the Protection of
...", "... Convention against Torture and Other Cruel ...", "Russia's 366th ... Regiment").
A chunk is looked up by normalised name in the reference data; an unknown one still
becomes an entity, keyed by the slug of its name and marked unresolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from loaders.nlp import CUES, GAZETTEER, KIND_OF_LABEL
from loaders.reference import Entry, Reference, normalise_name
from ontology.iris import slugify


@dataclass(frozen=True)
class Mention:
    """A named entity in the text; ``key`` is the reference key or the name's slug."""

    begin: int
    end: int
    text: str
    kind: str  # organization | instrument | place | person | event
    key: str
    label: str
    resolved: bool

    @property
    def ref(self) -> tuple[str, str]:
        return (self.kind, self.key)


_DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "our"}
_CONNECTORS = {"of", "for", "on", "against", "and", "the", "in", "to", "from", "or", "former"}
_LEFT_LOWER = {"armed", "former", "security", "military", "special", "local", "separatist"}
_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_HEAD_KINDS = {
    "ORG_HEAD": "organization",
    "AGENT_HEAD": "organization",
    "INSTRUMENT_HEAD": "instrument",
}


def is_name_word(token: Token) -> bool:
    """A word that can be part of a proper name: capitalised (not a month or determiner)
    or an ordinal ("366th")."""
    text = token.text
    if token.lower_ in _MONTHS or token.lower_ in _DETERMINERS:
        return False
    return bool(
        (text[:1].isupper() and any(c.isalpha() for c in text))
        or re.fullmatch(r"\d+(st|nd|rd|th)", text)
    )


def _chunk(doc: Doc, head: Span, heads: set[int], agent: bool = False) -> tuple[int, int]:
    """Token range of the title-case name around a head word.

    Commas join words inside one name ("Economic, Social, and Cultural Rights", "Cruel,
    Inhuman or Degrading") but not names in a list ("the Council, the Commission"): the
    part after a comma is one word, or follows ", and"/", or", and holds no head word."""
    start = head.start
    while start > 0:
        prev = doc[start - 1]
        if is_name_word(prev) or prev.lower_ in _LEFT_LOWER:
            start -= 1
        elif prev.text in {"'s", "\u2019s", "-"} and start >= 2 and is_name_word(doc[start - 2]):
            start -= 2
        else:
            break
    # "Eritrean troops in Axum" is a force and a place; "armed forces of Armenia" one name
    connectors = {"of", "the", "former"} if agent else _CONNECTORS
    end = head.end
    enumerating = False  # inside "A, B, and C" words of one name
    while end < len(doc) and "\n" not in doc[end - 1].whitespace_:
        probe = end
        while probe < len(doc) and (doc[probe].lower_ in connectors or doc[probe].text == ","):
            probe += 1
        if probe >= len(doc) or not is_name_word(doc[probe]):
            break
        run_end = probe + 1
        while run_end < len(doc):
            if is_name_word(doc[run_end]):
                run_end += 1
            elif doc[run_end].text == "-" and run_end + 1 < len(doc) and doc[run_end + 1].is_alpha:
                run_end += 2  # "Co-operation"
            else:
                break
        joint = [doc[i].lower_ for i in range(end, probe)]
        if joint[-2:] == ["and", "the"] or (joint[:1] == ["and"] and "the" in joint):
            break  # "the Interahamwe and the Rwandan Armed Forces": two names
        if "," in joint:
            continues = run_end < len(doc) and (
                doc[run_end].lower_ in _CONNECTORS or doc[run_end].text == ","
            )
            final = joint in ([",", "and"], [",", "or"]) and enumerating
            short = run_end - probe == 1 or final
            headless = not any(i in heads for i in range(probe, run_end))
            if not (continues or final) or not short or not headless:
                break
            enumerating = True
        end = run_end
    while start < head.start and doc[start].lower_ in _CONNECTORS:
        start += 1
    return start, end


def _mention_from_span(doc: Doc, start: int, end: int, kind: str, reference: Reference) -> Mention:
    span = doc[start:end]
    text = span.text
    entry = reference.lookup(text, (kind,)) or reference.lookup(
        re.sub(r"^former\s+", "", text), (kind,)
    )
    if entry is not None:
        return Mention(span.start_char, span.end_char, text, kind, entry.key, entry.label, True)
    label = re.sub(r"\s+", " ", text)
    return Mention(
        span.start_char, span.end_char, text, kind, slugify(normalise_name(label)), label, False
    )


def _select_longest(mentions: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, the longest winning (then the leftmost)."""
    taken: set[int] = set()
    chosen: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.begin), m.begin)):
        span = range(mention.begin, mention.end)
        if not any(i in taken for i in span):
            taken.update(span)
            chosen.append(mention)
    return sorted(chosen, key=lambda m: m.begin)


def _written_as_name(span: Span, at_least_one: bool = False) -> bool:
    """A name matched case-insensitively must still look like a name in the text:
    "UN human rights mechanisms" is not the office called "UN Human Rights"."""
    words = [t for t in span if t.is_alpha and t.lower_ not in _CONNECTORS]
    capitalised = sum(1 for t in words if t.text[:1].isupper())
    if at_least_one:  # event names hold common nouns: "the genocide against the Tutsi"
        return not words or capitalised >= 1
    return not words or capitalised * 2 > len(words)


def gazetteer_mentions(doc: Doc, reference: Reference) -> list[Mention]:
    found = []
    for span in doc.spans[GAZETTEER]:
        kind = KIND_OF_LABEL.get(span.label_)
        if kind is None or not _written_as_name(span, at_least_one=kind == "event"):
            continue
        entry: Entry | None = reference.get(kind, span.id_)
        label = entry.label if entry else span.text
        found.append(
            Mention(span.start_char, span.end_char, span.text, kind, span.id_, label, True)
        )
    return found


def chunk_mentions(doc: Doc, reference: Reference, known: list[Mention]) -> list[Mention]:
    """Title-case names around head words (organizations, armed forces, instruments).

    An unknown chunk that holds a known name of the same kind over its head word is
    dropped in favour of that name ("366th Motor Rifle Regiment of the former Soviet Army"
    is the known regiment)."""
    found = []
    head_spans = [s for s in doc.spans[CUES] if s.label_ in _HEAD_KINDS]
    heads = {i for s in head_spans for i in range(s.start, s.end)}
    for span in head_spans:
        kind = _HEAD_KINDS[span.label_]
        start, end = _chunk(doc, span, heads, agent=span.label_ == "AGENT_HEAD")
        if end - start < 2:
            continue
        if span.label_ != "AGENT_HEAD" and not is_name_word(doc[span.start]):
            continue  # "the permanent mission in Moscow" is no organization's name
        if (
            span.label_ == "AGENT_HEAD"
            and start == span.start
            and (doc[span.start].is_lower or doc[span.start].is_sent_start)
            and span.end < len(doc)
            and doc[span.end].lower_ == "of"
        ):
            continue  # "the command of Jane Roe", "Units of the Army": the name is after "of"
        if not any(
            is_name_word(doc[i]) and not (doc[i].is_sent_start and doc[i].lower_ in _LEFT_LOWER)
            for i in range(start, end)
            if i not in range(span.start, span.end)
        ):
            continue  # "military force", "armed forces": no name, nobody in particular
        mention = _mention_from_span(doc, start, end, kind, reference)
        if not mention.resolved:
            possessor = re.match(r"^[A-Z]\w+['\u2019]s\s+", mention.text)
            if possessor:
                entry = reference.lookup(mention.text[possessor.end() :], (kind,))
                if entry is not None:
                    mention = Mention(
                        mention.begin, mention.end, mention.text, kind, entry.key, entry.label, True
                    )
        if not mention.resolved and any(
            k.kind == kind
            and mention.begin <= k.begin
            and k.end <= mention.end
            and k.begin <= span.start_char < k.end
            for k in known
        ):
            continue
        found.append(mention)
    return found


_BYLINE_WORDS = r"(?:By|Written\s+by|Author:|Reporting\s+by)"
_ROLE_NAME = re.compile(r"(?:[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2}")
BYLINE_RE = re.compile(rf"(?m)^[ \t#*_]*{_BYLINE_WORDS}\s+({_ROLE_NAME.pattern})[ \t*_]*$")


_SPEECH = r"(?:said|says|added|stated|noted|told|explained|stressed|emphasi[sz]ed)"
_SPEAKER_RE = re.compile(
    rf"\b{_SPEECH}\s+(?P<after>{_ROLE_NAME.pattern})"
    rf"|(?P<before>{_ROLE_NAME.pattern})(?:,[^,.;\n]{{1,80}},)?\s+{_SPEECH}\b"
)


def person_mentions(doc: Doc, taken: list[Mention]) -> list[Mention]:
    """People not in the reference data: a capitalised name right after a role word
    ("Ombudsman Jane Roe", "Commissioner (Ombudsperson), Jane Roe") or a byline
    ("By Jane Roe"); then every later use of a known person's surname."""
    text = doc.text
    names: list[Mention] = []
    roles = [span for span in doc.spans[CUES] if span.label_ == "ROLE"]
    for span in roles:
        after = text[span.end_char : span.end_char + 80]
        match = re.match(r"(?:\s*\([^)]{1,40}\))?,?\s+", after)
        rest_at = span.end_char + (match.end() if match else 0)
        name = _ROLE_NAME.match(text, rest_at)
        if name and match:
            names.append(_person(name.start(), name.end(), name.group(0)))
    for match in BYLINE_RE.finditer(text):
        names.append(_person(match.start(1), match.end(1), match.group(1)))
    for match in _SPEAKER_RE.finditer(text):  # "said Jane Roe", "Jane Roe, director, said"
        group = "after" if match.group("after") else "before"
        begin, end = match.start(group), match.end(group)
        for role in roles:  # "Ombudsman Layla Karim said": the name starts after the role
            if role.start_char <= begin < role.end_char:
                begin = (
                    role.end_char
                    + len(text[role.end_char : end])
                    - len(text[role.end_char : end].lstrip())
                )
        if len(text[begin:end].split()) >= 2:
            names.append(_person(begin, end, text[begin:end]))
    names = [n for n in names if not _overlaps(n, taken)]
    people = [m for m in taken if m.kind == "person"] + names
    surnames = {m.label.split()[-1]: m for m in people if len(m.label.split()) > 1}
    for surname, person in surnames.items():
        for match in re.finditer(rf"\b{re.escape(surname)}\b(?!\s+[A-Z])", text):
            candidate = Mention(
                match.start(),
                match.end(),
                surname,
                "person",
                person.key,
                person.label,
                person.resolved,
            )
            if not _overlaps(candidate, taken + names):
                names.append(candidate)
    return names


def _person(begin: int, end: int, name: str) -> Mention:
    return Mention(begin, end, name, "person", slugify(name), name, False)


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(mention.begin < o.end and o.begin < mention.end for o in others)


_OUTLET_NAME = r"[A-Z][\w.&-]*[\w](?:\s+[A-Z][\w.&-]*[\w]){0,3}"
_OUTLET_RE = re.compile(
    rf"\b(?:[Aa]s|[Aa]ccording\s+to)\s+(?P<a>{_OUTLET_NAME})(?:\s+(?:reports?|reported|writes|wrote)\b|,)"
    rf"|\b(?:reported|reports|wrote)\s+(?:by\s+)?(?P<b>{_OUTLET_NAME})"
)


def outlet_mentions(text: str, reference: Reference) -> list[Mention]:
    """News outlets named as a source: "As Caliber.Az reports", "according to Reuters,"."""
    found = []
    for match in _OUTLET_RE.finditer(text):
        group = "a" if match.group("a") else "b"
        name = match.group(group)
        if name.split()[0] in {"The", "A", "An", "It", "This", "He", "She", "They", "We"}:
            continue
        entry = reference.lookup(name, ("organization",))
        key, label = (entry.key, entry.label) if entry else (slugify(normalise_name(name)), name)
        found.append(
            Mention(
                match.start(group),
                match.end(group),
                name,
                "organization",
                key,
                label,
                entry is not None,
            )
        )
    return found


def find_entities(doc: Doc, reference: Reference) -> list[Mention]:
    """All entity mentions, longest first where they overlap, in text order."""
    known = gazetteer_mentions(doc, reference) + outlet_mentions(doc.text, reference)
    mentions = _select_longest(known + chunk_mentions(doc, reference, known))
    mentions = _select_longest(mentions + person_mentions(doc, mentions))
    return mentions


def mentions_in(
    mentions: list[Mention], begin: int, end: int, kinds: tuple[str, ...]
) -> list[Mention]:
    return [m for m in mentions if m.kind in kinds and begin <= m.begin and m.end <= end]
