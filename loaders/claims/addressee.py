"""Addressees: the bodies a statement is addressed or sent to.

"The statement has been issued to the UN Secretary-General (UNSG), UN Security Council
(UNSC), ..." — every organization, person or collective named in the list after the cue,
up to the end of the paragraph that closes it (a list may run over a line break). A
name followed by its acronym in brackets is one addressee.
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import ClaimRecord, agents_in, statement_index
from loaders.entities import Mention
from ontology.iris import slugify


def _list_end(text: str, begin: int) -> int:
    match = re.compile(r"\.\s*(?:\n|$)").search(text, begin)
    return match.start() if match else len(text)


def _leftovers(analysis: Analysis, begin: int, end: int, taken: list[Mention]) -> list[Mention]:
    """Names in the list that no gazetteer or chunk found ("the Azerbaijani Diasporas")."""
    text = analysis.text
    found = []
    position = begin
    gaps = []
    for mention in sorted(taken, key=lambda m: m.begin):
        gaps.append((position, mention.begin))
        position = max(position, mention.end)
    gaps.append((position, end))
    for gap_begin, gap_end in gaps:
        for part in re.finditer(r"[^,;()]+", text[gap_begin:gap_end]):
            raw = part.group(0)
            name = re.sub(
                r"^\s*(?:and\s+|as well as\s+)?(?:to\s+)?(?:the\s+)?(?:heads of the\s+)?", "", raw
            )
            name = name.strip()
            words = name.split()
            if len(words) < 2 or not words[0][:1].isupper():
                continue
            if not words[-1][:1].isupper() and not words[-1].endswith("s"):
                continue
            b = gap_begin + part.start() + raw.index(name)
            found.append(
                Mention(b, b + len(name), name, "organization", slugify(name), name, False)
            )
    return found


_ITEM_BREAK = re.compile(r",|;|\band\b|\bas\s+well\s+as\b")
_ITEM_LEAD = re.compile(
    r"^\s*(?:(?:and|as\s+well\s+as)\s+)?(?:to\s+)?(?:the\s+)?(?:heads\s+of\s+the\s+)?",
    re.IGNORECASE,
)


def _whole_items(analysis: Analysis, begin: int, end: int, agents: list[Mention]) -> list[Mention]:
    """An unknown addressee is the whole list item it sits in: "ombudspersons of other
    countries", "diplomatic missions of Azerbaijan in foreign countries", "Turkic states
    Ombudsman Association", not just the head word a chunker found. Items are separated by
    commas, "and" and "as well as" that lie outside every name."""
    text = analysis.text
    breaks = (
        [begin]
        + [
            m.start()
            for m in _ITEM_BREAK.finditer(text, begin, end)
            if not any(a.begin <= m.start() < a.end for a in agents)
        ]
        + [end]
    )
    result = []
    for agent in agents:
        if agent.resolved or agent.kind != "organization":
            result.append(agent)
            continue
        item_begin = max(b for b in breaks if b <= agent.begin)
        item_end = min(b for b in breaks if b >= agent.end)
        raw = re.sub(r"\s*\([^)]*\)\s*$", "", text[item_begin:item_end])  # "(NHRIs)"
        raw = re.sub(r"^[,;]", "", raw)
        lead = _ITEM_LEAD.match(raw)
        name = raw[lead.end() :].strip().rstrip(".")
        if agent.text not in name or any(
            other is not agent and other.resolved and item_begin <= other.begin < item_end
            for other in agents
        ):
            result.append(agent)  # the item also names a known body: keep the parts
            continue
        at = item_begin + text[item_begin:item_end].index(name)
        result.append(Mention(at, at + len(name), name, "organization", slugify(name), name, False))
    return result


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    text = analysis.text
    records = []
    for cue in analysis.cues("ADDRESS"):
        end = _list_end(text, cue.end_char)
        agents = agents_in(analysis, cue.end_char, end)
        agents += _leftovers(analysis, cue.end_char, end, agents)
        agents = _whole_items(analysis, cue.end_char, end, agents)
        seen: set[str] = set()
        agents = sorted(agents, key=lambda m: m.begin)
        for position, agent in enumerate(agents):
            follower = agents[position + 1] if position + 1 < len(agents) else None
            if follower and not text[agent.end : follower.begin].strip():
                continue  # "UN International Children's ... Fund": a prefix of the next name
            if not agent.resolved and re.match(r"\s+[A-Z]", text[agent.end : agent.end + 2]):
                continue  # "Turkic states Ombudsman Association": a modifier
            if not agent.resolved and re.search(
                r"\bof\s+(?:its\s+|their\s+|the\s+)?$", text[max(0, agent.begin - 12) : agent.begin]
            ):
                continue  # "... of member states of this institution"
            acronym = re.match(r"\s*\(([^)]+)\)", text[agent.end : agent.end + 20])
            if acronym and not agent.resolved:
                resolved = analysis.reference.lookup(acronym.group(1), ("organization",))
                if resolved is not None:
                    agent = Mention(
                        agent.begin,
                        agent.end,
                        agent.text,
                        "organization",
                        resolved.key,
                        resolved.label,
                        True,
                    )
            if agent.key in seen:
                continue
            seen.add(agent.key)
            records.append(
                ClaimRecord(
                    type="addressee",
                    statement=statement_index(statements, cue.start_char),
                    about=(),
                    values={"addressee": [agent]},
                    evidence=[(agent.begin, agent.end)],
                    identity=(agent.kind, agent.key),
                )
            )
    return records
