"""Perpetrator attribution: who the statement says did it.

Active: an armed force, government or other agent as the subject of a perpetration verb
("Soviet forces ... committed brutal massacres", "Bosnian Serb forces ... massacred");
with its accomplices ("with the involvement of Russia's 366th Regiment"). Passive: the
agent after "by" following a perpetration verb or an event noun ("occupied by Armenian
armed forces", "the massacre of civilians by former USSR forces"). Blame: "attributing
direct responsibility to the former USSR leadership", "condemning the former Soviet
leadership for this military intervention".
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import (
    ClaimRecord,
    clause_end,
    event_near,
    sentence_span,
    statement_index,
)
from loaders.entities import Mention
from ontology.iris import slugify

_ACCOMPLICE = re.compile(
    r"(?:\bwith\s+the\s+(?:\w+\s+)?(?:involvement|participation|support|assistance|help|"
    r"complicity)\s+of|\bunder\s+the\s+(?:direct\s+|personal\s+)?(?:command|orders|"
    r"leadership)\s+of)\s+(?:the\s+)?(?:General\s+|Colonel\s+|Commander\s+)?$",
    re.IGNORECASE,
)
# "in Srebrenica, Bosnia": a country named as a location, not as an actor
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|from|of|to|into|on|across)\s+(?:the\s+)?(?:[A-Z][\w'\u2019-]*[\s,]*)*$"
)
_STATE_ACTION = re.compile(r"(?:policy|policies|campaign|crimes|aggression)\b", re.IGNORECASE)
# "the Khmer Rouge leaders responsible for it": the group's leaders are the group here
_RESPONSIBLE_GAP = re.compile(
    r"\s*(?:(?:leaders|leadership|commanders|officials|officers|members)\s+)?", re.IGNORECASE
)
_NOT_DONE_BY = {"missing", "orphaned", "disappeared"}
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_NOT_SUBJECT = re.compile(r"\b(?:by|of|to|from|against|with|for)\s+(?:the\s+)?$", re.IGNORECASE)


def _agents(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """Organizations, people ("ordered by Ratko Mladic"), states named by their country
    ("perpetrated by Armenia"), and armed groups named by what they are ("government
    forces", "paramilitary groups"; ``data/patterns/armed_groups.jsonl``)."""
    named = [
        m
        for m in analysis.entities_in(begin, end, "organization", "place", "person")
        if m.kind != "place" or is_country(analysis, m)
    ]
    others = analysis.entities_in(begin, end)
    groups = [
        g
        for g in _armed_groups(analysis, begin, end)
        if not any(g.begin < o.end and o.begin < g.end for o in others)
    ]
    return sorted(named + groups, key=lambda m: m.begin)


def _armed_groups(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """ "state forces and related paramilitary groups": unnamed armed groups, keyed by
    the slug of the words as written (an adjective right before stays: "related")."""
    found = []
    for span in analysis.cues("ARMED_GROUP", begin, end):
        start = span.start_char
        before = re.search(
            r"\b(?:related|allied|affiliated|associated|local)\s+$",
            analysis.text[max(begin, start - 14) : start],
        )
        if before:
            start -= len(before.group(0))
        label = analysis.text[start : span.end_char]
        found.append(
            Mention(start, span.end_char, label, "organization", slugify(label), label, False)
        )
    return found


def is_country(analysis: Analysis, place: Mention) -> bool:
    """A reference place that lies in no other country is a state."""
    entry = analysis.reference.get("place", place.key) if place.resolved else None
    return entry is not None and not entry.extra.get("country")


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    text = analysis.text
    found: list[tuple[Mention, int]] = []  # (agent, cue offset)
    markers = analysis.cues("AGENT_MARKER")  # "died at the hands of X": X did it
    for verb in sorted(analysis.cues("PERPETRATE") + markers, key=lambda s: s.start_char):
        begin, end = analysis.sentence_at(verb.start_char)
        if verb.text.lower() == "by" or verb.label_ == "AGENT_MARKER":
            if verb.label_ != "AGENT_MARKER" and not _passive_agent_follows(
                analysis, verb.start_char
            ):
                continue
            stop = clause_end(text, verb.end_char, end)
            after = [  # "by former USSR forces": the forces, not the country
                m
                for m in _agents(analysis, verb.end_char, stop)
                if not (
                    m.kind == "place"
                    and any(
                        h.start_char <= m.end + 1
                        for h in analysis.cues("AGENT_HEAD", m.end, m.end + 30)
                    )
                )
            ]
            if after and re.fullmatch(r"[^.;:]{0,80}", text[verb.end_char : after[0].begin]):
                found += [(agent, verb.start_char) for agent in _list_from(analysis, after)]
            continue
        if _participle(analysis, verb.start_char, begin):
            continue  # "the crime committed against civilians": no subject here
        if re.search(
            r"\b(?:was|were|been|being|be|is|are)\s+(?:\w+ly\s+)?$", text[begin : verb.start_char]
        ):
            continue  # passive: "were killed by X" names X after "by"
        said = [c.end_char for c in analysis.cues("REPORT", begin, verb.start_char)]
        clause = max(said, default=begin)  # "The UN said that Serb forces killed": the forces
        subjects = [
            m
            for m in _agents(analysis, clause, verb.start_char)
            if not _NOT_SUBJECT.search(text[max(begin, m.begin - 12) : m.begin])
            and not (m.kind == "place" and _LOCATIVE.search(text[begin : m.begin]))
        ]
        if subjects and _in_relative_clause(text[subjects[0].end : verb.start_char]):
            continue  # "Armenia failed to ... persons who were ... killed": not its verb
        if subjects:  # "Ottoman troops and Kurdish irregulars massacred": both
            found += [(agent, verb.start_char) for agent in _list_from(analysis, subjects)]
            for mention in _agents(analysis, begin, verb.start_char):
                if _ACCOMPLICE.search(text[max(begin, mention.begin - 40) : mention.begin]):
                    found.append((mention, verb.start_char))
    for cue in analysis.cues("RESPONSIBLE"):
        begin, end = analysis.sentence_at(cue.start_char)
        if cue.text.lower().endswith(" with") and not re.search(
            r"\bresponsib", text[begin : cue.start_char], re.IGNORECASE
        ):
            continue  # "lies with" blames only after "responsibility for ..."
        if cue.text.lower().startswith("responsible"):
            right_before = [  # "hold X responsible for", "the X leaders responsible for it"
                m
                for m in _agents(analysis, begin, cue.start_char)
                if _RESPONSIBLE_GAP.fullmatch(text[m.end : cue.start_char])
            ]
            if (
                right_before
                and not _NEGATED.search(text[begin : right_before[-1].begin])
                and _harm_follows(analysis, cue.end_char, clause_end(text, cue.end_char, end))
            ):
                found.append((right_before[-1], cue.start_char))
                continue
        after = _agents(analysis, cue.end_char, clause_end(text, cue.end_char, end))
        if after and after[0].begin - cue.end_char <= 30:
            found.append((after[0], cue.start_char))
    for cue in analysis.cues("RESPONSIBLE_SUBJECT"):
        begin, _ = analysis.sentence_at(cue.start_char)
        said = [  # "the Commission found that X bore responsibility": X, not the Commission
            c.end_char
            for label in ("REPORT", "RECOGNIZE")
            for c in analysis.cues(label, begin, cue.start_char)
        ]
        begin = max(said, default=begin)
        before = [  # "The Iraqi regime bears full responsibility for ..."
            m
            for m in _agents(analysis, begin, cue.start_char)
            if not _NOT_SUBJECT.search(text[max(begin, m.begin - 12) : m.begin])
        ]
        if before and not _in_relative_clause(text[before[0].end : cue.start_char]):
            found += [(agent, cue.start_char) for agent in _list_from(analysis, before)]
    found += _possessive_agents(analysis)
    records = []
    for agent, offset in found:
        begin, end = sentence_span(analysis, offset)
        if not analysis.event_about(begin, end):
            continue
        events = [event_near(analysis, begin, end, offset)]
        records.append(
            ClaimRecord(
                type="perpetrator-attribution",
                statement=statement_index(statements, offset),
                about=(events[0],),
                values={"perpetrator": [agent]},
                evidence=[(begin, end)],
                identity=(events[0], agent.kind, agent.key),
            )
        )
    return records


def _harm_follows(analysis: Analysis, begin: int, end: int) -> bool:
    """ "responsible for the deaths / the massacre / it", not "the ministry responsible for
    refugees": what the agent is responsible for is harm or an event."""
    window = min(end, begin + 60)
    return bool(
        re.match(r"\s+(?:it|them|this|these|those|that)\b", analysis.text[begin:window])
        or analysis.cues("EVENT_NOUN", begin, window)
        or analysis.terms("LEGAL_CATEGORY", begin, window)
        or analysis.terms("CASUALTY_KIND", begin, window)
        or analysis.events_in(begin, window)
    )


def _possessive_agents(analysis: Analysis) -> list[tuple[Mention, int]]:
    """ "the Ba'athist regime's genocide against the Kurds", "Iraq's chemical attack":
    the owner of an event noun or a legal category did it. Not a country: "Rwanda's
    genocide" places the event, "Iraq's policy of genocide" blames the state."""
    found = []
    for agent in _agents(analysis, 0, len(analysis.text)):
        owner = re.match(r"['\u2019]s?\s+", analysis.text[agent.end : agent.end + 4])
        if owner is None:
            continue
        start = agent.end + owner.end()
        if agent.kind == "place" and not _STATE_ACTION.match(analysis.text, start):
            continue
        nouns = analysis.cues("EVENT_NOUN", start, start + 40) + analysis.terms(
            "LEGAL_CATEGORY", start, start + 40
        )
        if any(re.fullmatch(r"[\w\s-]*", analysis.text[start : n.start_char]) for n in nouns):
            found.append((agent, agent.begin))
    return found


def _in_relative_clause(between: str) -> bool:
    """A verb after "who/which/where ..." with no closing comma belongs to that clause;
    "Soviet forces, which had entered Baku, committed" closes it before the verb."""
    opened = list(re.finditer(r"\b(?:who|which|whom|where|that)\b", between))
    return bool(opened) and "," not in between[opened[-1].end() :]


def _passive_agent_follows(analysis: Analysis, by: int) -> bool:
    """ "occupied by X", "orchestrated by X", "the massacre of civilians by X"."""
    sentence_begin, _ = analysis.sentence_at(by)
    floor = max(sentence_begin, by - 40)
    done_to = [  # "missing persons registered by the ICRC": nobody did the missing
        t
        for t in analysis.terms("CASUALTY_KIND", floor, by)
        if t.id_ not in _NOT_DONE_BY and t.text.lower().endswith("ed")
    ]
    for verb in analysis.cues("PERPETRATE", floor, by) + done_to:
        gap = analysis.text[verb.end_char : by]  # "were executed at checkpoints by"
        if (
            verb.text.lower() != "by"
            and re.fullmatch(r"(?:\s+[\w'\u2019-]+){0,4}\s+", gap)
            and not re.search(r"\w+ed\b", gap)  # "killed and later identified by"
        ):
            return True
    before = analysis.text[max(0, by - 40) : by]
    if re.search(
        r"\b(?:committed|perpetrated|carried\s+out|killed|massacred|occupied|"
        r"attacked|orchestrated|executed|shelled|bombed|stormed|destroyed|"
        r"slaughtered|exterminated|expelled|deported|organi[sz]ed|planned|ordered|"
        r"instigated|masterminded|murdered|tortured|shot|burned|looted|raped|razed|"
        r"bombarded|besieged|gassed|launched|conducted|unleashed|waged)\s+$",
        before,
    ):
        return True
    floor = max(sentence_begin, by - 80)  # "... El Geneina\nStatement by X": not across lines
    nouns = analysis.cues("EVENT_NOUN", floor, by) + analysis.terms("LEGAL_CATEGORY", floor, by)
    for noun in nouns:  # "a crackdown in Baku on 19-20 January 1990 by the Soviet Army"
        between = analysis.text[noun.end_char : by]
        if re.fullmatch(
            r"(?:\s+(?:in|on|at|of|against|during|near)\s+[^,;:.]+?)+\s+", between
        ) and not (re.search(r"\b\w+ed\b", between) or _verbs(analysis, noun.end_char, by)):
            return True
    return any(
        re.fullmatch(
            r"\s+(?:of|against)\s+(?:the\s+)?[\w-]+\s+"  # "the massacre of civilians by"
            r"|,?\s+(?:\w+ly\s+)?(?:organi[sz]ed|planned|ordered|instigated|directed|"
            r"masterminded|led)\s+",  # "an act of ethnic cleansing organized by"
            analysis.text[n.end_char : by],
        )
        for n in nouns
    )


def _verbs(analysis: Analysis, begin: int, end: int) -> bool:
    return any(
        analysis.cues(label, begin, end)
        for label in ("REPORT", "CALL", "RECOGNIZE", "CHARACTERIZE")
    )


def _participle(analysis: Analysis, verb_begin: int, sentence_begin: int) -> bool:
    """The verb follows the noun it describes ("crime committed", "violence perpetrated"),
    or a verb of calling or saying stands between subject and verb."""
    before = analysis.text[sentence_begin:verb_begin]
    nouns = analysis.cues("EVENT_NOUN", sentence_begin, verb_begin) + analysis.terms(
        "LEGAL_CATEGORY", sentence_begin, verb_begin
    )
    if any(re.fullmatch(r"\s*", analysis.text[n.end_char : verb_begin]) for n in nouns):
        return True
    return bool(re.search(r"\b(?:call|calls|urge|urges|to)\b[^.]*$", before)) and bool(
        analysis.cues("CALL", sentence_begin, verb_begin)
    )


def _list_from(analysis: Analysis, mentions: list[Mention]) -> list[Mention]:
    """The agents listed one after another ("X, Y, and Z"), from the first."""
    chosen = [mentions[0]]
    for mention in mentions[1:]:
        between = analysis.text[chosen[-1].end : mention.begin]
        if not re.fullmatch(
            r"\s*(?:,\s*(?:and\s+)?(?:the\s+)?|\s+and\s+(?:the\s+)?(?:allied\s+|affiliated\s+)?"
            r"|,\s+(?:among\s+them|including)\s+(?:the\s+)?|,?\s+with\s+the\s+"
            r"(?:participation|involvement|support|assistance)\s+of\s+(?:the\s+)?"
            r"|,?\s+under\s+the\s+(?:direct\s+)?command\s+of\s+(?:the\s+)?(?:General\s+)?)",
            between,
        ):
            break
        chosen.append(mention)
    return chosen
