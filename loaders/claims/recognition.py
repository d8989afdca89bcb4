"""Recognition: which bodies recognized, condemned, classified or designated what.

"the legislative bodies of 17 countries ... condemned this heinous mass killing,
recognized it as genocide", "the ICTY classified the Srebrenica massacre as genocide",
"Heydar Aliyev, who ... publicly condemned the massacre", "was evaluated ... by the
Parliament". The object must be an event (named or pointed back to): "labeled the
accused as hostages" is no recognition of an event. A verb inside a call ("to condemn")
is an action asked for, not a recognition.
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement, statement_at
from loaders.claims.base import (
    ClaimRecord,
    Concept,
    agents_in,
    clause_end,
    sentence_span,
)
from loaders.claims.characterization import refers_to_event
from loaders.entities import Mention

_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are)\s+(?:\w+ly\s+(?:and\s+\w+ly\s+)?)?$")
_INFINITIVE = re.compile(r"\bto\s+(?:\w+ly\s+)?$")


def _subjects(analysis: Analysis, begin: int, verb_begin: int) -> list[Mention]:
    """Agents before the verb, back to a verb of saying ("Aliyeva further underscored"),
    or only the one before "who" ("Heydar Aliyev, who, ..., condemned")."""
    text = analysis.text
    stops = analysis.cues("REPORT", begin, verb_begin) + analysis.cues(
        "RECOGNIZE", begin, verb_begin
    )
    floor = max([s.end_char for s in stops], default=begin)  # the previous verb ends a clause
    agents = agents_in(analysis, floor, verb_begin)
    if agents and _APPOSITION.fullmatch(text[agents[0].end : verb_begin]):
        return agents[:1]  # "The Commission, established by the Council, concluded"
    who = [m.start() + floor for m in re.finditer(r"\bwho\b", text[floor:verb_begin])]
    if who:
        agents = [a for a in agents if a.end <= who[-1]][-1:]
    return agents


def _committed(analysis: Analysis, term) -> bool:
    """ "that genocide was committed against ...", "that X committed acts of genocide":
    the category is what was done."""
    text = analysis.text
    if re.match(
        r"\s+(?:was|were|had\s+been|has\s+been|is\s+being)\s+(?:\w+ly\s+)?"
        r"(?:committed|perpetrated)\b",
        text[term.end_char : term.end_char + 40],
    ):
        return True
    return any(
        re.fullmatch(r"\s+(?:an?\s+)?(?:acts?\s+of\s+)?", text[verb.end_char : term.start_char])
        for verb in analysis.cues("PERPETRATE", max(0, term.start_char - 30), term.start_char)
    )


_APPOSITION = re.compile(
    r"\s*,\s*(?:\w+ed|which|who|whose|set\s+up|created)\b[^,]*,\s*$", re.IGNORECASE
)


def _reporter(stated_in: Statement, agent: Mention, statements: list[Statement]) -> int:
    """ "Jane Roe publicly condemned the massacre": that she condemned it is said by the
    statement reporting her act, not by her own recalled statement."""
    speaker = stated_in.speaker
    if speaker is not None and speaker.person.ref == agent.ref and stated_in.index:
        return statements[stated_in.reported_by].index
    return stated_in.index


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    text = analysis.text
    records = []
    last: tuple[tuple[int, int], list[Mention]] | None = None  # sentence, agents of its last verb
    for verb in analysis.cues("RECOGNIZE"):
        begin, end = analysis.sentence_at(verb.start_char)
        before = text[max(begin, verb.start_char - 30) : verb.start_char]
        if _INFINITIVE.search(before) or analysis.cues("CALL", begin, verb.start_char):
            continue
        if analysis.cues("OBLIGE", begin, verb.start_char):
            continue  # part of what someone is asked to do
        reduced = re.search(r",\s*(?:and\s+)?(?:\w+ly\s+)?$", before)
        if reduced is None and last is not None and last[0] == (begin, end):
            reduced = re.search(r"\s+and\s+(?:\w+ly\s+)?$", before)  # "condemned it and resolved"
        if re.search(r"\bwho\b", text[begin : verb.start_char]):
            reduced = None  # "Heydar Aliyev, who, despite the risk, publicly condemned"
        shared: list[Mention] = []
        if reduced and not re.match(r"[^.;]*\bby\b", text[verb.end_char : end]):
            comma = verb.start_char - len(before) + reduced.start()
            if last is not None and last[0] == (begin, end):
                shared = last[1]  # "X condemned it, recognized it as genocide, ..."
            elif not any(a.end == comma for a in agents_in(analysis, begin, comma)):
                continue  # "..., widely acknowledged as": nobody in particular
        stop = clause_end(text, verb.end_char, end)
        obj_end = min(
            [stop]
            + [
                m.start() + verb.end_char
                for m in re.finditer(r",\s*(?:and\s+)?\w+ed\b", text[verb.end_char : stop])
            ]
        )
        passive = bool(_PASSIVE.search(before))
        about_begin, about_end = (begin, verb.start_char) if passive else (verb.end_char, obj_end)
        if not refers_to_event(analysis, about_begin, about_end) and not re.match(
            r"\s+(?:it|them)\b", text[verb.end_char : obj_end]
        ):
            continue  # "The Genocide has been recognized by ...": the subject is the event
        if shared:
            agents = shared
        elif passive:
            by = re.search(r"\bby\s+", text[verb.end_char : stop])
            agents = agents_in(analysis, verb.end_char + by.end(), stop) if by else []
        else:
            agents = _subjects(analysis, begin, verb.start_char)
        if not agents:
            continue
        last = ((begin, end), agents)
        events = [e.key for e in analysis.events_in(about_begin, about_end)] or [
            e.key for e in analysis.event_about(begin, end)
        ]
        if not events:
            continue
        category = None
        as_term = re.match(r"[^.;,]{0,80}?\bas\s+(?:an?\s+)?", text[verb.end_char : obj_end])
        if as_term:
            terms = analysis.terms("LEGAL_CATEGORY", verb.end_char + as_term.end(), stop)
            if terms and terms[0].start_char == verb.end_char + as_term.end():
                category = terms[0].id_
            elif terms and verb.id_ == "designated":
                # "designated 11 July as the Day of Commemoration of the Srebrenica Genocide":
                # the day is named for the event as that category
                category = terms[0].id_
        that = re.match(r"\s+(?:\w+\s+){0,3}?that\b", text[verb.end_char : stop])
        if category is None and that:  # "ruled in 2007 that the killings constituted genocide"
            for term in analysis.terms("LEGAL_CATEGORY", verb.end_char + that.end(), stop):
                if analysis.cues(
                    "CHARACTERIZE", verb.end_char + that.end(), term.start_char
                ) or _committed(analysis, term):
                    category = term.id_
                    break
        evidence = sentence_span(analysis, verb.start_char)
        stated_in = statement_at(statements, verb.start_char)
        for agent in agents:
            values: dict = {"recognizedBy": [agent], "recognitionKind": [verb.id_ or "recognized"]}
            if category:
                values["legalCategory"] = [Concept("legal-category", category)]
            records.append(
                ClaimRecord(
                    type="recognition",
                    statement=_reporter(stated_in, agent, statements),
                    about=(events[0],),
                    values=values,
                    evidence=[evidence],
                    identity=(events[0], agent.key, verb.id_, category),
                )
            )
    return records
