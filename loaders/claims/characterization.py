"""Legal characterization: the statement puts an event under a legal category.

"The massacre in Khojaly qualifies as genocide", "this act of terror", "called the
massacre ... a crime against humanity", "the Khojaly Genocide". A category term counts
when its sentence is about an event: it names one, or points back to one ("this crime",
"the massacre", "It was ..."). Terms in a generic statement of law ("attacks against a
national group constitute crimes against humanity"), negated ("cannot be characterized
as"), or in another body's recognition ("the ICTY classified ... as genocide", see
``recognition``) are not the statement's own characterization.
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import (
    ClaimRecord,
    Concept,
    agents_in,
    sentence_span,
    statement_index,
)

# Charges against people are not a characterization of the event by the statement.
_CHARGE = re.compile(
    r"\b(?:charged\s+with|accused\s+of|convicted\s+of|suspected\s+of|indicted\s+for|"
    r"prosecuted\s+for|guilty\s+of|trials?\s+for)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# A term inside the title-case name of a day of remembrance
_DAY_NAME = re.compile(r"\bDay\s+(?:(?:of|for|the|and|to|[A-Z][\w-]*)\s+)*$")
_NEGATION = re.compile(r"\b(?:not|never|no|cannot|neither|nor)\b[^.;,]{0,40}$", re.IGNORECASE)
_POINTER = re.compile(
    r"\b(?:this|these|that|those|the|such an?|its|their)\s+(?:\w+\s+){0,2}?"
    r"(?:massacre|massacres|tragedy|events?|crimes?|act|acts|attacks?|killings?|pogroms?|genocide|"
    r"atrocity|atrocities|violence|aggression|intervention|operation|famine)\b"
    r"|^\s*(?:It|They|This|These)\b",
    re.IGNORECASE,
)


def refers_to_event(analysis: Analysis, begin: int, end: int) -> bool:
    """Whether a sentence names an event or points back to one."""
    if analysis.events_in(begin, end):
        return True
    sentence = analysis.text[begin:end]
    return any(
        not match.group(0).lower().startswith("such") for match in _POINTER.finditer(sentence)
    )


# Crime labels; other categories (torture, persecution, ...) usually describe acts, and
# count as a characterization only after a verb that says so ("amounts to torture").
CRIME_LABELS = {
    "genocide",
    "crime-against-humanity",
    "war-crime",
    "act-of-terror",
    "ethnic-cleansing",
    "massacre",
    "pogrom",
    "aggression",
}


def _asserted(analysis: Analysis, term_begin: int, begin: int) -> bool:
    """A verb right before the term says it ("amounts to torture", "was an act of
    persecution", "qualifies as"); a mere list of acts ("killings, torture") does not."""
    window_begin = max(begin, term_begin - 30)
    for cue in analysis.cues("CHARACTERIZE", window_begin, term_begin):
        gap = analysis.text[cue.end_char : term_begin]
        if re.fullmatch(r"\s+(?:an?\s+)?(?:(?:act|acts|form|crime)\s+of\s+)?", gap):
            return True
    return bool(re.search(r"\bas\s+(?:an?\s+)?$", analysis.text[window_begin:term_begin]))


def _recognized_by_other(
    analysis: Analysis, begin: int, term_begin: int, speaker: set | None = None
) -> bool:
    """A recognition verb before the term reports someone else's judgement ("the ICTY
    classified it as genocide"), unless it is what the statement asks for ("we call on
    them to recognize the genocide")."""
    text = analysis.text
    for verb in analysis.cues("RECOGNIZE", begin, term_begin):
        asked = re.search(
            r"\bto\s+(?:\w+ly\s+)?$", text[max(begin, verb.start_char - 20) : verb.start_char]
        )
        if asked or analysis.cues("CALL", begin, verb.start_char):
            continue
        if speaker is not None and verb.text.lower() in _OWN_VERBS:
            judges = agents_in(analysis, begin, verb.start_char)
            if judges and judges[-1].ref in speaker:
                continue  # "Aliyeva described the massacre as genocide": her own words
        return True
    return False


# Verbs a speaker uses for her own judgement as often as for another body's.
_OWN_VERBS = {"described", "concluded", "considers", "considered"}


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    records = []
    text = analysis.text
    for term in analysis.terms("LEGAL_CATEGORY"):
        begin, end = sentence_span(analysis, term.start_char)
        if not refers_to_event(analysis, begin, end):
            continue
        if _NEGATION.search(text[begin : term.start_char]) or _CHARGE.search(
            text[begin : term.start_char]
        ):
            continue
        if _recognized_by_other(analysis, begin, term.start_char, _voices(statements, term)):
            continue
        if term.id_ not in CRIME_LABELS and not _asserted(analysis, term.start_char, begin):
            continue
        if _conventional_name(analysis, term.start_char, term.end_char):
            continue
        if _DAY_NAME.search(text[begin : term.start_char]):
            continue  # "the International Day of ... Victims of the Crime of Genocide"
        if any(  # "the Convention on the Prevention and Punishment of the Crime of Genocide"
            m.begin <= term.start_char and term.end_char <= m.end
            for m in analysis.entities_in(begin, end, "instrument", "organization")
        ):
            continue
        events = _events_for(analysis, term.start_char, term.end_char, begin, end)
        if not events:
            continue
        statement = statement_index(statements, term.start_char)
        for event in events:
            records.append(
                ClaimRecord(
                    type="legal-characterization",
                    statement=statement,
                    about=(event,),
                    values={"legalCategory": [Concept("legal-category", term.id_)]},
                    evidence=[(begin, end)],
                    identity=(event, term.id_),
                )
            )
    return records


def _voices(statements: list[Statement], term) -> set | None:
    """The person and office a reported statement speaks with, at a term's offset."""
    from loaders.attribution import statement_at

    speaker = statement_at(statements, term.start_char).speaker
    if speaker is None:
        return None
    return {speaker.person.ref} | ({speaker.issuer.ref} if speaker.issuer else set())


def _conventional_name(analysis: Analysis, term_begin: int, term_end: int) -> bool:
    """A term inside an event's reference label ("the Srebrenica massacre") is the usual
    name, not a claim; inside another name ("the Khojaly Genocide") it is the author's
    characterization."""
    from loaders.reference import normalise_name

    for event in analysis.events:
        if event.begin <= term_begin and term_end <= event.end and event.resolved:
            entry = analysis.reference.get("event", event.key)
            if entry is not None and normalise_name(event.text) == normalise_name(entry.label):
                return True
    return False


def _events_for(
    analysis: Analysis, term_begin: int, term_end: int, begin: int, end: int
) -> list[str]:
    """The event a category term applies to: the one whose name holds the term, else the
    nearest named before it in the sentence, else after it, else the one in context."""
    named = analysis.events_in(begin, end)
    for event in named:
        if event.begin <= term_begin and term_end <= event.end:
            return [event.key]
    before = [e for e in named if e.end <= term_begin]
    if before:
        return [before[-1].key]
    if named:
        return [named[0].key]
    return [e.key for e in analysis.event_about(begin, end)][:1]
