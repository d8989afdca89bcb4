"""Who says what: the document's own statement and the statements it reports.

A news article quoting an ombudsperson gives two statements: the article's own (its
author from the byline, its publisher) and the reported one (the quoted speaker, her
role and office). Text inside a long quotation, and sentences of reported speech
("Aliyeva emphasized ...", "she noted that ..."), belong to the reported statement;
every other passage belongs to the document's own statement (index 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.analysis import Analysis
from loaders.entities import Mention
from loaders.reference import normalise_name
from ontology.iris import slugify

# A quotation: curly quotes (may run over paragraphs, never contain another opening
# quote, at most a few thousand characters) or straight quotes within a paragraph.
_QUOTE_RE = re.compile(r"\u201c[^\u201c\u201d]{1,4000}\u201d|(?<![\w\"])\"[^\"\n]{1,2000}\"")
_MIN_QUOTE_WORDS = 8  # shorter quotes are terms ("a \u201ccrime against humanity\u201d")
_PRONOUN_SAID = re.compile(
    r"[\s,]*(?:(?:(?P<pronoun>she|he)|(?P<name>[A-Z][\w\u2019'-]+))\s+"
    r"(?:\w+ly\s+)?(?:said|added|noted|stressed|emphasi[sz]ed|stated|continued|concluded)\b"
    r"|(?:said|added|noted|stated)\s+(?P<name2>[A-Z][\w\u2019'-]+(?:\s+[A-Z][\w\u2019'-]+)*))",
)


@dataclass
class Speaker:
    person: Mention  # a person, or an organization quoted as such ("the Ministry said")
    role: str | None = None
    issuer: Mention | None = None
    outlet: Mention | None = None  # "As Caliber.Az reports, ...": who carried the statement


@dataclass
class Statement:
    """A statement and the passages of the text that belong to it."""

    index: int
    speaker: Speaker | None = None
    regions: list[tuple[int, int]] = field(default_factory=list)
    reported_by: int = 0  # the statement that reports this one
    date: str | None = None  # ISO date a recalled statement was made ("on 21 January 1990")

    def holds(self, offset: int) -> bool:
        return any(begin <= offset < end for begin, end in self.regions)


def _speaker_before(analysis: Analysis, quote_begin: int) -> Mention | None:
    """The person named in the lead-in right before a quotation ("Aliyeva added:")."""
    lead_begin = max(0, analysis.text.rfind("\n", 0, max(0, quote_begin - 1)) + 1)
    if quote_begin - lead_begin > 400:
        lead_begin = quote_begin - 400
    people = analysis.entities_in(lead_begin, quote_begin, "person")
    return people[-1] if people else None


# A person named as the subject of a verb of saying ("Minister X said the ...")
_SPEAKS_NEXT = re.compile(
    r"\s*(?:,[^,.\n]{1,80},\s*)?(?:\w+ly\s+)?(?:said|says|told|added|stated|noted|"
    r"explained|stressed|emphasi[sz]ed)\b"
)
_SAYS = r"(?:\w+ly\s+)?(?:said|says|stated|added|noted|stressed|emphasi[sz]ed|declared)\b"


def _organization_after(analysis: Analysis, quote_end: int) -> Mention | None:
    """ "..., the Foreign Ministry said." / "..., said the Council of Europe." """
    text = analysis.text
    for org in analysis.entities_in(quote_end, quote_end + 120, "organization")[:1]:
        lead = text[quote_end : org.begin]
        if re.fullmatch(r"[\s,]*(?:the\s+)?", lead, re.IGNORECASE) and re.match(
            r"\s+" + _SAYS, text[org.end :]
        ):
            return org
        if re.fullmatch(r"[\s,]*" + _SAYS + r"\s+(?:the\s+)?", lead, re.IGNORECASE):
            return org
    return None


def _organization_before(analysis: Analysis, quote_begin: int) -> Mention | None:
    """ "The Foreign Ministry stated:" right before a quotation."""
    lead_begin = max(0, analysis.text.rfind("\n", 0, max(0, quote_begin - 1)) + 1)
    orgs = analysis.entities_in(lead_begin, quote_begin, "organization")
    if orgs and analysis.cues("REPORT", orgs[-1].end, quote_begin):
        return orgs[-1]
    return None


def _apposition(analysis: Analysis, person: Mention) -> tuple[str | None, Mention | None]:
    """Role and office written next to a name: "Azerbaijan's Human Rights Commissioner
    (Ombudsperson), Sabina Aliyeva," -> that office; else the person's reference role."""
    sentence_begin, _ = analysis.sentence_at(person.begin)
    offices = analysis.entities_in(
        max(sentence_begin, person.begin - 120), person.begin, "organization"
    )
    if offices:
        office = offices[-1]
        between = analysis.text[office.end : person.begin]
        if re.fullmatch(r"\s*(?:\([^)]{1,40}\))?\s*,?\s*", between):
            role = analysis.text[office.begin : office.end + len(between.rstrip(" ,"))]
            return role.strip(), office
    after = re.match(
        r",\s*(?P<role>[^,.;\u201c\u201d\"\n]{3,100}?)\s*(?:,|\.|$|\n)",
        analysis.text[person.end : person.end + 120],
    )
    if after:  # "Jane Roe, Europe director at Human Rights Watch"
        role_end = person.end + after.end("role")
        offices = analysis.entities_in(person.end, role_end, "organization")
        if offices:
            return after.group("role").strip(), offices[0]
    entry = analysis.reference.get("person", person.key) if person.resolved else None
    for role in (entry.extra.get("roles") or []) if entry else []:
        plain = re.sub(r"\s*\([^)]*\)\s*$", "", str(role))
        office = analysis.reference.lookup(plain, ("organization",))
        if office is not None:
            mention = Mention(
                person.begin, person.begin, plain, "organization", office.key, office.label, True
            )
            return plain, mention
    return None, None


def _outlet(analysis: Analysis, statement: Statement) -> Mention | None:
    """An outlet named as the source in the lead-in to the speaker's first quotation."""
    first = min(begin for begin, _ in statement.regions)
    lead_begin = max(0, first - 400)
    from loaders.entities import outlet_mentions

    outlets = [
        m
        for m in outlet_mentions(analysis.text[:first], analysis.reference)
        if m.begin >= lead_begin
    ]
    return outlets[-1] if outlets else None


def find_statements(analysis: Analysis, own_issuer: Mention | None = None) -> list[Statement]:
    """The document's own statement first, then one per reported speaker.

    ``own_issuer`` is the organization the document itself speaks for: naming it ("Human
    Rights Watch said today") is the document's own voice, not the quoted speaker's."""
    text = analysis.text
    own = Statement(0)
    reported: dict[tuple[str, str], Statement] = {}
    last: Statement | None = None
    quotes: list[tuple[int, int]] = []
    for match in _QUOTE_RE.finditer(text):
        if len(match.group(0).split()) < _MIN_QUOTE_WORDS:
            continue
        after = _PRONOUN_SAID.match(text, match.end())
        person = _speaker_before(analysis, match.start())
        introduced = text[: match.start()].rstrip().endswith(":")
        if after and (after.group("name") or after.group("name2")):
            named = analysis.entities_in(match.end(), after.end() + 1, "person")
            person = named[0] if named else person
        elif after and after.group("pronoun") and last is not None and not introduced:
            # "..., she said.": the speaker quoted last, unless the paragraph has just named
            # another ("Minister X said the government would ... “...” she said")
            speaking = person is not None and _SPEAKS_NEXT.match(analysis.text, person.end)
            if not speaking or (last.speaker is not None and person.ref == last.speaker.person.ref):
                person = None
        else:
            person = _organization_after(analysis, match.end()) or person
            if person is None and introduced:
                person = _organization_before(analysis, match.start())
        if person is not None and own_issuer is not None and person.ref == own_issuer.ref:
            continue  # the document's own organization quoting itself
        if person is None and after and after.group("pronoun") and last is not None:
            statement = last
        elif person is not None:
            statement = reported.get(person.ref)
            if statement is None:
                statement = Statement(len(reported) + 1, Speaker(person))
                reported[person.ref] = statement
        else:
            continue
        statement.regions.append((match.start(), match.end()))
        quotes.append((match.start(), match.end()))
        last = statement
    _cited_sources(analysis, reported, quotes, own_issuer)
    for statement in reported.values():
        assert statement.speaker is not None
        speaker = statement.speaker.person
        if speaker.kind == "organization":  # an organization speaks for itself
            statement.speaker.issuer = speaker
        else:
            first = min(
                (m for m in analysis.entities if m.ref == speaker.ref), key=lambda m: m.begin
            )
            statement.speaker.role, statement.speaker.issuer = _apposition(analysis, first)
        statement.speaker.outlet = _outlet(analysis, statement)
    _reported_speech(analysis, reported, quotes, own_issuer)
    own.regions = _complement(len(text), [r for s in reported.values() for r in s.regions])
    statements = [own, *sorted(reported.values(), key=lambda s: s.index)]
    return statements + _recalled(analysis, statements)


# A public act of speech in the past: "publicly condemned", "held a press conference",
# "made a sharp statement", "issued a statement", "declared".
_RECALLED_ACT = re.compile(
    r"\b(?:(?:publicly|openly|strongly|firmly)\s+)?(?:condemned|denounced|declared|"
    r"held\s+a\s+press\s+conference|(?:made|issued|delivered|gave)\s+an?\s+(?:\w+\s+)?"
    r"(?:statement|speech|address|declaration))\b",
    re.IGNORECASE,
)


def _recalled(analysis: Analysis, statements: list[Statement]) -> list[Statement]:
    """A statement recalled in one sentence: a named person, then a dated public act of
    speech ("Jane Roe, who publicly condemned the massacre on 21 January 1990, ...";
    "on 3 May 1995 he held a press conference ..."). The recalled statement holds the
    sentence from the act on, has that person as author and the full date given in the
    sentence; it is reported by the statement the sentence belongs to."""
    speakers = {s.speaker.person.ref for s in statements if s.speaker is not None}
    recalled: list[Statement] = []
    for begin, end in analysis.sentences:
        act = _RECALLED_ACT.search(analysis.text, begin, end)
        if act is None:
            continue
        people = analysis.entities_in(begin, act.start(), "person")
        dates = [
            d
            for d in analysis.dates
            if begin <= d.begin < end and d.day is not None and d.iso() is not None
        ]
        if not people or not dates or people[-1].ref in speakers:
            continue
        person = people[-1]
        if act.start() - person.end > 250:
            continue
        closest = min(dates, key=lambda d: abs(d.begin - act.start()))
        statement = Statement(
            len(statements) + len(recalled),
            Speaker(person),
            [(act.start(), end)],
            reported_by=statement_at(statements, begin).index,
            date=closest.iso(),
        )
        statement.speaker.role, statement.speaker.issuer = _apposition(analysis, person)
        recalled.append(statement)
    return recalled


_CITED = re.compile(
    r"\b(?:according\s+to|as\s+(?:reported|documented|estimated|found)\s+by|"
    r"citing|figures\s+(?:from|by)|estimates\s+(?:from|by))\s+(?:the\s+|a\s+)?",
    re.IGNORECASE,
)
_SOURCE_SAYS = re.compile(
    r"\s+(?:\w+ly\s+)?(?:said|says|stated|states|reported|reports|estimated|estimates|"
    r"found|finds|concluded|concludes|documented|documents|counted|counts|recorded|records|"
    r"registered|registers)\b(?:\s+that\b)?",
    re.IGNORECASE,
)


# What may open a sentence before its source: "The", "A", "In 2018 the", "In Guatemala,
# the", "Last year, the".
_SOURCE_LEAD = re.compile(
    r"\s*(?:(?:In|On|By|Last|Earlier|Later)\b[^,.;:\n]{0,40}?(?:,\s*|\s+(?=the\b|a\b|an\b)))?"
    r"(?:the\s+|a\s+|an\s+)?",
    re.IGNORECASE,
)
# Words between a source's name and its verb: an apposition (", established by the UN
# Human Rights Council,"), its report ("'s final report"), or the body it is part of
# ("United Nations panel of experts").
_SOURCE_TAIL = re.compile(
    r"(?:\s+(?:panel|commission|committee|team|mission|group|office)(?:\s+of\s+(?:experts|"
    r"inquiry|investigators))?)?"
    r"(?:['\u2019]s\s+(?:\w+\s+)?(?:report|reports|findings|investigation|inquiry))?"
    r"(?:\s*,[^,.;\n]{1,100},)?"
)
# "Its report found that ...": the body named last before, in the same paragraph.
_PRONOUN_SOURCE = re.compile(
    r"\s*(?:Its|Their)\s+(?:\w+\s+)?(?:report|reports|findings|investigation|inquiry)\b"
)


_SAYS_WORDS = (
    r"(?:said|says|stated|states|reported|reports|estimated|estimates|found|finds|concluded|"
    r"concludes|documented|documents|counted|counts|recorded|records|registered|registers)"
)
_BODY = re.compile(
    r"\s+(?:panel|commission|committee|team|mission|group|office)\b[\w ]*?"
    rf"(?=['\u2019]s\b|\s*,|\s+(?:\w+ly\s+)?{_SAYS_WORDS}\b)"
)
# A finding that only classifies an event ("found that the killings constituted
# genocide") is a recognition reported by the text (``claims.recognition``), not a
# statement of the body's own.
_FINDING = re.compile(r"\s+(?:\w+ly\s+)?(?:found|finds|concluded|concludes|ruled|established)\b")


def _classification_only(analysis: Analysis, says_at: int, end: int) -> bool:
    if not _FINDING.match(analysis.text, says_at):
        return False
    has_number = any(  # "sentenced the two most senior leaders": no figure
        says_at <= n.begin < end and (n.value >= 100 or n.number_text[:1].isdigit())
        for n in analysis.numbers
    )
    return bool(analysis.terms("LEGAL_CATEGORY", says_at, end)) and not has_number


def _opening_source(analysis: Analysis, begin: int, end: int) -> Mention | None:
    """The person or organization whose finding or estimate a sentence opens with: "The
    United Nations estimated that ...", "A United Nations panel of experts estimated
    that ...", "In 2018 the Court found that ...", "The Commission, established by ...,
    concluded that ...", "The Commission's report found that ...", "Its report found
    that ..." (the body named last before it in the paragraph)."""
    text = analysis.text
    pronoun = _PRONOUN_SOURCE.match(text, begin, end)
    if pronoun and _SOURCE_SAYS.match(text, pronoun.end()):
        paragraph = text.rfind("\n", 0, begin) + 1
        before = analysis.entities_in(paragraph, begin, "organization")
        return before[-1] if before else None
    lead = _SOURCE_LEAD.match(text, begin, end)
    named = analysis.entities_in(begin, end, "person", "organization")
    if not named or lead is None or named[0].begin != lead.end():
        return None
    source = named[0]
    tail = _SOURCE_TAIL.match(text, source.end, end)
    if tail is None or not _SOURCE_SAYS.match(text, tail.end()):
        return None
    if _classification_only(analysis, tail.end(), end):
        return None
    body = _BODY.match(text, source.end, end)
    if body:  # "United Nations panel of experts": the panel speaks, not the UN
        label = text[source.begin : body.end()]
        source = Mention(
            source.begin,
            body.end(),
            label,
            "organization",
            slugify(label),
            label,
            False,
        )
    return source


def _cited_sources(
    analysis: Analysis,
    reported: dict[tuple[str, str], Statement],
    quotes: list[tuple[int, int]],
    own_issuer: Mention | None,
) -> None:
    """Sources a text reports without quoting them: "According to Human Rights Watch,
    ..." or a sentence opening "The United Nations estimated that ...". The sentence is
    the source's statement (a person or an organization), one statement per source."""
    text = analysis.text
    for begin, end in analysis.sentences:
        if any(qb <= begin < qe for qb, qe in quotes):
            continue
        source = None
        for cited in _CITED.finditer(text, begin, end):
            named = analysis.entities_in(cited.end(), end, "person", "organization")
            if named and named[0].begin == cited.end():
                source = named[0]
                break
        if source is None:
            source = _opening_source(analysis, begin, end)
        if source is None or (own_issuer is not None and source.ref == own_issuer.ref):
            continue
        # "The police counted 460 dead, and the Commission estimated 800": two sources
        second = _second_source(analysis, source.end, end)
        parts = [(source, begin, second[1] if second else end)]
        if second is not None:
            parts.append((second[0], second[1], end))
        for speaker, part_begin, part_end in parts:
            speaker = _without_seat(analysis, speaker)
            statement = reported.get(speaker.ref)
            if statement is None:
                statement = Statement(len(reported) + 1, Speaker(speaker))
                reported[speaker.ref] = statement
            statement.regions.append((part_begin, part_end))


_NEXT_SOURCE = re.compile(r",?\s+(?:and|while|whereas)\s+(?:the\s+)?", re.IGNORECASE)


def _second_source(analysis: Analysis, after: int, end: int) -> tuple[Mention, int] | None:
    """A second source in the sentence, joined by "and"/"while": the source and where its
    clause begins."""
    text = analysis.text
    for join in _NEXT_SOURCE.finditer(text, after, end):
        named = analysis.entities_in(join.end(), end, "person", "organization")
        if not named or named[0].begin != join.end():
            continue
        tail = _SOURCE_TAIL.match(text, named[0].end, end)
        if tail is not None and _SOURCE_SAYS.match(text, tail.end()):
            return named[0], join.start() + len(join.group(0)) - len(join.group(0).lstrip(","))
    return None


def _without_seat(analysis: Analysis, source: Mention) -> Mention:
    """ "the Institute of Demography and Social Studies in Kyiv": the institute, not its
    seat; a name that the reference data knows without the place resolves to it."""
    seat = re.search(
        r"\s+in\s+(?:the\s+)?[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?$", source.text
    )
    if source.kind != "organization" or source.resolved or seat is None:
        return source
    place = re.sub(r"^\s+in\s+(?:the\s+)?", "", seat.group(0))
    if analysis.reference.lookup(place, ("place",)) is None:
        return source  # "the Court of Justice in Luxembourg"? only a known place is a seat
    name = source.text[: seat.start()]
    entry = analysis.reference.lookup(name, ("organization",))
    if entry is not None:
        return Mention(
            source.begin,
            source.begin + len(name),
            name,
            "organization",
            entry.key,
            entry.label,
            True,
        )
    label = re.sub(r"\s+", " ", name)
    return Mention(
        source.begin,
        source.begin + len(name),
        name,
        "organization",
        slugify(normalise_name(label)),
        label,
        False,
    )


def _reported_speech(
    analysis: Analysis,
    reported: dict[tuple[str, str], Statement],
    quotes: list[tuple[int, int]],
    own_issuer: Mention | None,
) -> None:
    """Sentences outside quotes whose subject is a quoted speaker (by name, surname,
    office or pronoun) followed by a verb of saying, calling or judging."""
    if not reported:
        return
    verbs = {"REPORT", "CALL", "CHARACTERIZE", "RECOGNIZE"}
    # a speaker is named by her name or by her office ("the Ombudsperson calls ...")
    voices: dict[tuple[str, str], Statement] = {}
    for statement in reported.values():
        assert statement.speaker is not None
        voices[statement.speaker.person.ref] = statement
        issuer = statement.speaker.issuer
        if issuer is not None and (own_issuer is None or issuer.ref != own_issuer.ref):
            voices.setdefault(issuer.ref, statement)
    for begin, end in analysis.sentences:
        if any(qb <= begin < qe for qb, qe in quotes):
            continue
        speaker, subject_end = None, begin
        for mention in analysis.entities_in(begin, end, "person", "organization"):
            if mention.ref in voices:
                speaker, subject_end = voices[mention.ref], mention.end
                break
        pronoun = re.match(r"^\s*(?:She|He)\b", analysis.text[begin:end])
        if speaker is None and pronoun and len(reported) == 1:
            speaker = next(iter(reported.values()))
            subject_end = begin + pronoun.end()
        if speaker is None:
            continue
        window = analysis.text[subject_end : subject_end + 60]
        cue = any(
            s.start_char >= subject_end and s.start_char - subject_end <= len(window)
            for label in verbs
            for s in analysis.cues(label, subject_end, end)
        )
        if cue:
            speaker.regions.append((begin, end))


def _complement(length: int, regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result, position = [], 0
    for begin, end in sorted(regions):
        if begin > position:
            result.append((position, begin))
        position = max(position, end)
    if position < length:
        result.append((position, length))
    return result


def statement_at(statements: list[Statement], offset: int) -> Statement:
    """The statement a passage starting at ``offset`` belongs to: of the reported ones
    holding it, the one with the narrowest region (a statement recalled inside a quoted
    speaker's sentence is the recalled one's)."""
    holding = [
        (end - begin, statement.index, statement)
        for statement in statements[1:]
        for begin, end in statement.regions
        if begin <= offset < end
    ]
    return min(holding, key=lambda h: h[:2])[2] if holding else statements[0]
