"""Call to action: who is called upon, to do what.

"I call on international organizations ... to take a firm stance", "urging the
international community to ensure accountability", "X calls upon: - the United Nations
to ...; - civil society to ...", "International organizations ... must undertake a legal
assessment". "them" in "and I urge them to ..." is the agents of the call before.
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import ClaimRecord, clause_end, statement_index, trim
from loaders.claims.base import agents_in as _agents_only
from loaders.entities import Mention

# "X must be held to account", "must be brought to justice": a demand about X
_PASSIVE_AFTER_MODAL = re.compile(
    r"\s+(?:not\s+)?be\s+(?:\w+ly\s+)?(?:\w+ed|held|brought|made|given|taken|kept|put|"
    r"seen|done|known|found|told|shown|thrown|driven)\b"
)
# "calls on X to do A, and on Y to do B": a second party with its own action
_AND_ON = re.compile(r",?\s+and\s+(?:on|upon)\s+(?=\S)", re.IGNORECASE)
_TO_VERB = re.compile(r"\bto\s+(?!the\b|a\b|an\b|all\b|its\b|their\b)([a-z]+)")


def agents_in(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """Who can be called upon: organizations, people, collectives, and states named as
    places ("calls on Serbia to recognize the genocide")."""
    agents = _agents_only(analysis, begin, end)
    places = [
        p
        for p in analysis.entities_in(begin, end, "place")
        if all(p.end <= a.begin or p.begin >= a.end for a in agents)
    ]
    return sorted(agents + places, key=lambda m: m.begin)


def _call(analysis, statements, agents, action_begin, action_end, evidence, about):
    text = analysis.text
    joint = re.search(r",?\s+and\s+(?:I|we|they|he|she)\b", text[action_begin:action_end])
    if joint:
        action_end = action_begin + joint.start()
    later = analysis.cues("CALL", action_begin, action_end)  # "... and calls on Serbia to ..."
    if later:
        action_end = later[0].start_char
    action = " ".join(text[action_begin:action_end].split())
    previous = None
    while previous != action:  # "... Court, and" -> "... Court"
        previous = action
        action = re.sub(r"(?:[\s;,.\u201d\"]+|\s+and)$", "", action)
    action = re.sub(r"^to\s+", "", action)
    if not agents or not action:
        return None
    keys = tuple(sorted({(a.kind, a.key) for a in agents}))
    return ClaimRecord(
        type="call-to-action",
        statement=statement_index(statements, evidence[0]),
        about=about,
        values={"calledUpon": list({a.key: a for a in agents}.values()), "action": [action]},
        evidence=[evidence],
        identity=(keys, action.lower()),
    )


def _that_clause(analysis, statements, verb, begin, stop, about):
    """The agents that open a "that" clause, and the rest of it as the action."""
    agents = agents_in(analysis, begin, stop)
    text = analysis.text
    chosen: list[Mention] = []
    position = begin
    for agent in agents:  # only the agents at the start: "X and Y ensure ..."
        if not re.fullmatch(r"\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?", text[position : agent.begin]):
            break
        chosen.append(agent)
        position = agent.end
    if not chosen:
        return None
    evidence = trim(text, verb.start_char, stop)
    return _call(analysis, statements, chosen, position, stop, evidence, about)


def _second_party(analysis, statements, begin, stop, about) -> ClaimRecord | None:
    """ "..., and on the member states to support ...": the party after "and on"."""
    to = _TO_VERB.search(analysis.text, begin, stop)
    if to is None:
        return None
    agents = agents_in(analysis, begin, to.start()) or _bare_body(analysis, begin, to.start())
    evidence = trim(analysis.text, begin - 3, stop)  # from "on"
    return _call(analysis, statements, agents, to.start(), stop, evidence, about)


def _bare_body(analysis: Analysis, begin: int, end: int) -> list[Mention]:
    """ "requests the Government to ...": a capitalised head word alone names the body
    the text means (the issuer's own government, parliament, council)."""
    from ontology.iris import slugify

    text = analysis.text
    for head in analysis.cues("AGENT_HEAD", begin, end) + analysis.cues("ORG_HEAD", begin, end):
        word = head.text
        if word[:1].isupper() and re.fullmatch(r"\s+the\s+", text[begin : head.start_char]):
            return [
                Mention(
                    head.start_char, head.end_char, word, "organization", slugify(word), word, False
                )
            ]
    return []


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    text = analysis.text
    records: list[ClaimRecord] = []
    previous_agents: list[Mention] = []
    for verb in analysis.cues("CALL"):
        begin, end = analysis.sentence_at(verb.start_char)
        about = tuple(e.key for e in analysis.event_about(begin, end))[:1]
        if not about:
            continue
        rest = text[verb.end_char :]
        if re.match(r"\s*:\s*\n", rest):  # a list of addressees and actions follows
            for item in re.finditer(r"(?m)^[ \t]*[-*\u2022][ \t]+(.+)$", rest):
                if item.start() > 0 and not re.fullmatch(
                    r"[\s:]*(?:\n[ \t]*[-*\u2022][^\n]*)*\n?[ \t]*", rest[: item.start()]
                ):
                    break
                b, e = verb.end_char + item.start(1), verb.end_char + item.end(1)
                to = _TO_VERB.search(text, b, e)
                if to is None:
                    continue
                agents = agents_in(analysis, b, to.start())
                record = _call(analysis, statements, agents, to.start(), e, trim(text, b, e), about)
                if record:
                    records.append(record)
            continue
        stop = clause_end(text, verb.end_char, end)
        that = re.match(r"\s+that\s+", text[verb.end_char : stop])
        if that:  # "We demand that the Government and the UN ensure justice."
            record = _that_clause(
                analysis, statements, verb, verb.end_char + that.end(), stop, about
            )
            if record:
                records.append(record)
            continue
        second = _AND_ON.search(text, verb.end_char, stop)
        if second is not None and _TO_VERB.search(text, second.end(), stop):
            record = _second_party(analysis, statements, second.end(), stop, about)
            if record:
                records.append(record)
            stop = second.start()
        to = _TO_VERB.search(text, verb.end_char, stop)
        if to is None:
            continue
        agents = agents_in(analysis, verb.end_char, to.start()) or _bare_body(
            analysis, verb.end_char, to.start()
        )
        if not agents and re.match(r"\s*(?:them|they)\b", text[verb.end_char : to.start()]):
            agents = previous_agents
        joint = re.search(r",?\s+and\s+(?:I|we|they|he|she)\b", text[to.start() : stop])
        cut = to.start() + joint.start() if joint else stop
        later = analysis.cues("CALL", verb.end_char, cut)
        evidence = trim(text, verb.start_char, later[0].start_char if later else cut)
        tail = re.search(r"(?:[\s,;]+and)?[\s,;]*$", text[evidence[0] : evidence[1]])
        evidence = (evidence[0], evidence[0] + tail.start() if tail else evidence[1])
        record = _call(analysis, statements, agents, to.start(), stop, evidence, about)
        if record:
            records.append(record)
            previous_agents = agents
    for modal in analysis.cues("OBLIGE"):
        begin, end = analysis.sentence_at(modal.start_char)
        agents = agents_in(analysis, begin, modal.start_char)
        if not agents or re.search(r"\b(?:which|that|who)\s*$", text[begin : modal.start_char]):
            continue
        if re.match(_PASSIVE_AFTER_MODAL, text[modal.end_char :]):
            continue  # "X must be held to account": a demand about X, not a call on X
        about = tuple(e.key for e in analysis.event_about(begin, end))[:1]
        if not about:
            continue
        stop = clause_end(text, modal.end_char, end)
        record = _call(
            analysis, statements, agents, modal.end_char, stop, trim(text, begin, stop), about
        )
        if record:
            records.append(record)
    return records
