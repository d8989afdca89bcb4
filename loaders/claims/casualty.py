"""Casualty figures: how many people suffered what, with hedge and victim group.

"613 civilians were brutally killed, including 63 children, 106 women, and 70 elderly
people" gives a figure (613, killed, civilians) and three figures that are part of it
(cg:partOf) and inherit its kind. The kind is read before the number when the sentence
says "the deaths of 150", "injuries to 744", "Among the wounded, 76", "massacred 8,300",
else after it ("1,275 people were taken hostage"). Numbers that are dates, article
numbers, ages or durations ("Thirty-three years") are not figures.
"""

from __future__ import annotations

import itertools
import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import (
    ClaimRecord,
    Concept,
    event_near,
    sentence_span,
    statement_index,
)
from loaders.numbers import NumberMention

_UNIT_AFTER = re.compile(
    r"\s*(?:years?|months?|weeks?|days?|hours?|decades?|centuries|times|percent|per\s+cent|%|"
    r"km|kilomet\w+|miles?|countries|states|cities|villages|districts|towns|regions?|"
    r"articles?|resolutions?|decisions?|th\b|st\b|nd\b|rd\b|"
    r"(?:mass\s+)?graves?\b|sites?\b|locations?\b|camps?\b|prisons?\b|buildings?\b)",
    re.IGNORECASE,
)
_NOT_COUNT_BEFORE = re.compile(
    r"(?:[$\u20ac\u00a3]\s*|\b(?:resolutions?|no\.|nos\.|paragraphs?|para\.|articles?|art\.|"
    r"decisions?|cases?|page|pages|protocol|regiment|brigade|division|battalion|USD|EUR)\s+)$",
    re.IGNORECASE,
)
_MONEY_AFTER = re.compile(r"\s*(?:million\s+|billion\s+)?(?:dollars|euros|manat|pounds|USD|EUR)\b")
_AGE_BEFORE = re.compile(
    r"\b(?:aged|ages?|ages?\s+of)\s+(?:between\s+)?(?:\d+\s+(?:to|and|-)\s+)?$"
)
_BREAKDOWN = re.compile(
    r"\b(?:including(?:\s+those\s+of)?|among\s+them|among\s+whom|of\s+whom|of\s+which|"
    r"incl\.)[\s,:]*$",
    re.IGNORECASE,
)
_LIST_JOIN = re.compile(r"^[\w\s'\u2019-]{0,40}?,?\s*(?:and\s+)?$")
_BACK_LINK = re.compile(
    r"^\s*(?:(?:of|to|among|for)\s+(?:the\s+|those\s+)?|(?:between|from)\s+|,\s*|\s*)$"
)


_YEAR_PREPOSITION = re.compile(
    r"\b(?:in|since|until|till|by|from|to|of|during|before|after|early|late|mid)\s+$",
    re.IGNORECASE,
)


def _count_not_year(analysis: Analysis, number: NumberMention) -> bool:
    """ "the 1275 taken hostages", "killed 1500 civilians": a bare four-digit number that
    a casualty kind or victim group follows, and no preposition of time precedes, counts."""
    following = analysis.terms("CASUALTY_KIND", number.end, number.end + 30) + analysis.terms(
        "VICTIM_GROUP", number.end, number.end + 30
    )
    adjacent = (
        any(re.fullmatch(r"\s+", analysis.text[number.end : t.start_char]) for t in following)
        or any(  # "killed 1500"
            re.fullmatch(r"\s+", analysis.text[t.end_char : number.begin])
            for t in analysis.terms("CASUALTY_KIND", max(0, number.begin - 30), number.begin)
        )
    )
    before = analysis.text[max(0, number.begin - 12) : number.begin]
    return adjacent and not _YEAR_PREPOSITION.search(before)


def _is_figure(analysis: Analysis, number: NumberMention) -> bool:
    text = analysis.text
    for date in analysis.dates:
        if date.begin < number.end and number.begin < date.end:
            bare_year = date.month is None and date.begin == number.begin and date.end == number.end
            if not (bare_year and _count_not_year(analysis, number)):
                return False
    if any(a.begin <= number.begin < a.end for a in analysis.articles):
        return False
    around = analysis.terms("CASUALTY_KIND", max(0, number.begin - 30), number.end + 30)
    if any(t.start_char < number.begin and number.end <= t.end_char for t in around):
        return False  # "lost at least one parent": part of the kind, not a count
    before = text[max(0, number.begin - 30) : number.begin]
    return not (
        _UNIT_AFTER.match(text, number.end)
        or _MONEY_AFTER.match(text, number.end)
        or _AGE_BEFORE.search(before)
        or _NOT_COUNT_BEFORE.search(before)
    )


def _group(analysis: Analysis, number: NumberMention, limit: int) -> tuple[str | None, int]:
    """Victim group written right after the number ("63 children", "76 had been
    children", "four thousand missing persons"), and where it ends."""
    window_end = min(limit, number.end + 40)
    for term in analysis.terms("VICTIM_GROUP", number.end, window_end):
        between = analysis.text[number.end : term.start_char]
        if re.fullmatch(r"\s+(?:[\w-]+\s+){0,2}|\s+(?:had\s+been|were|was|are)\s+", between):
            return term.id_, term.end_char
    return None, number.end


# "the death toll from the pogrom eventually rose to 32": words between toll and figure
_TOLL_LINK = re.compile(
    r"\s+at\s+(?:[a-z]+\s+){0,2}"  # "put the toll at over 3,000"
    r"|(?:\s+(?:from|of|in|during))?(?:\s+[^,.;:()]{1,70}?)?\s+(?:\w+ly\s+)?"
    r"(?:rose|risen|climbed|reached|stands|stood|was|is|has\s+been|had\s+been|exceeded|"
    r"amounted|grew|increased)(?:\s+(?:to|at))?\s+",
    re.IGNORECASE,
)


_WHOLE_AFTER = re.compile(r"(?:,\s*|^\s+)(?:among|out\s+of|of)\s+the\s+$", re.IGNORECASE)
_SUBSET_LEAD = re.compile(r"\b(?:among|of)\s+(?:the|those|these)\s+$", re.IGNORECASE)


def _kind_before(analysis: Analysis, number: NumberMention, floor: int):
    for term in reversed(analysis.terms("CASUALTY_KIND", floor, number.begin)):
        between = analysis.text[term.end_char : number.begin]
        if "toll" in term.text.lower() and _TOLL_LINK.fullmatch(between):
            return term
        if len(between) <= 12 and _BACK_LINK.match(between):
            lead = analysis.text[max(0, term.start_char - 16) : term.start_char]
            if "," in between and not _SUBSET_LEAD.search(lead):
                return None  # "... were killed, 744 were injured": a new figure, not a subset
            return term
        break
    return None


def _kind_after(analysis: Analysis, begin: int, end: int):
    terms = analysis.terms("CASUALTY_KIND", begin, end)
    return terms[0] if terms else None


_RANGE_OPENER = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)


def _range_ends(text: str, low: NumberMention, high: NumberMention) -> bool:
    """Two ends of one bounded figure, as ``loaders.numbers`` marks them."""
    if low.qualifier == "at-least" and high.qualifier == "up-to":
        return len(text[low.end : high.begin]) <= 6
    # "an estimated 200,000 to 300,000": a hedged low end, the same range
    return (
        low.qualifier == "approximately"
        and high.qualifier == "exact"
        and low.value < high.value
        and re.fullmatch(r"\s+to\s+", text[low.end : high.begin]) is not None
    )


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    found: list[tuple[ClaimRecord, bool, int]] = []  # (record, is a subset, sentence)
    for sentence_begin, sentence_end in analysis.sentences:
        numbers = [
            n
            for n in analysis.numbers
            if sentence_begin <= n.begin < sentence_end and _is_figure(analysis, n)
        ]
        found += [
            (record, subset, sentence_begin)
            for record, subset in _sentence_figures(
                analysis, statements, numbers, sentence_begin, sentence_end
            )
        ]
    _link_subsets(found)
    return [record for record, _, _ in found]


def _link_subsets(found: list[tuple[ClaimRecord, bool, int]]) -> None:
    """ "Among the wounded, 76 were children" is part of the wounded figure of the same
    event and statement: a larger one in the same sentence ("..., and 487 people were
    wounded"), else the nearest one before it ("Of those killed, 56 ...")."""
    for record, subset, sentence in found:
        if not subset or record.part_of is not None:
            continue
        wholes = [
            (other_sentence, other)
            for other, other_subset, other_sentence in found
            if not other_subset
            and other.statement == record.statement
            and other.about == record.about
            and other.identity[1] == record.identity[1]
            and other.identity[3] > record.identity[3]
            and other_sentence <= sentence
        ]
        same = [other for at, other in wholes if at == sentence]
        before = [other for at, other in wholes if at < sentence]
        whole = same[0] if same else (before[-1] if before else None)
        if whole is not None:
            record.part_of = whole.identity


def _sentence_figures(analysis, statements, numbers, begin, end) -> list[tuple[ClaimRecord, bool]]:
    text = analysis.text
    # 1. who belongs to whose breakdown
    parent_of: dict[int, int] = {}
    anchor: int | None = None
    in_breakdown = False
    for i, number in enumerate(numbers):
        if i > 0:
            between = text[numbers[i - 1].end : number.begin]
            if anchor is not None and _BREAKDOWN.search(between):
                parent_of[i], in_breakdown = anchor, True
                continue
            own_kind = analysis.terms("CASUALTY_KIND", number.end, number.end + 25)
            gap = analysis.text[number.end : own_kind[0].start_char] if own_kind else ","
            follows = "," not in gap and len(gap.split()) <= 1  # "and 60 wounded"
            if in_breakdown and _LIST_JOIN.match(between) and anchor is not None and not follows:
                parent_of[i] = anchor  # "..., 106 women, and 70 elderly" (not "and 60 wounded")
                continue
        if re.match(r"\s+of\s+them\b", text[number.end :]) and anchor is not None:
            parent_of[i] = anchor  # "150 of them": a part, and itself broken down next
        in_breakdown = False
        anchor = i
    anchors = [i for i in range(len(numbers)) if i not in parent_of]
    # 2. kind, group and evidence of each figure
    kinds: dict[int, tuple[str, int, int] | None] = {}
    for position, i in enumerate(anchors):
        number = numbers[i]
        next_anchor = numbers[anchors[position + 1]].begin if position + 1 < len(anchors) else end
        members_end = max([numbers[j].end for j, p in parent_of.items() if p == i] or [number.end])
        previous_end = numbers[anchors[position - 1]].end if position else begin
        term = _kind_before(analysis, number, previous_end)
        members = [numbers[j].begin for j, p in parent_of.items() if p == i]
        if term is None and members:  # "34 people dead, among them 12 children"
            term = _kind_after(analysis, number.end, min(members))
        if term is None:
            term = _kind_after(analysis, members_end, next_anchor) or _kind_after(
                analysis, number.end, next_anchor
            )
        kinds[i] = (term.id_, term.start_char, term.end_char) if term is not None else None
    low_end: dict[int, int] = {}  # high end of a range -> its low end
    for i, j in itertools.pairwise(anchors):  # "between 3,200 and 5,000 people were killed"
        if _range_ends(text, numbers[i], numbers[j]):
            kinds[j] = kinds[j] or kinds[i]
            kinds[i], low_end[j] = None, i  # one figure: "up to" the high end
    for i in sorted(
        parent_of
    ):  # a part has its own kind ("the fate of 150 of them") or its whole's
        own = _kind_before(analysis, numbers[i], numbers[parent_of[i]].end)
        kinds[i] = (
            (own.id_, own.start_char, own.end_char) if own is not None else kinds.get(parent_of[i])
        )
    if not analysis.event_about(begin, end):
        return []
    whole_of: dict[int, int] = {}  # "150 individuals, ..., among the 1275 hostages"
    for i, j in itertools.pairwise(anchors):
        members_end = max([numbers[m].end for m, p in parent_of.items() if p == i] or [0])
        gap = text[max(numbers[i].end, members_end) : numbers[j].begin]
        if _WHOLE_AFTER.search(gap) and len(gap) <= 60:
            whole_of[i] = j
    records: list[tuple[ClaimRecord, bool]] = []
    by_index: dict[int, ClaimRecord] = {}
    identities: dict[int, tuple] = {}
    for i, number in enumerate(numbers):
        parent = parent_of.get(i)
        kind = kinds.get(i)
        if kind is None:
            continue
        whole = i
        while whole in parent_of:  # a part is about its whole's event
            whole = parent_of[whole]
        event = event_near(analysis, begin, end, numbers[whole].begin)
        statement = statement_index(statements, numbers[whole].begin)
        group, group_end = _group(analysis, number, end)
        if parent is None or kind[1] < number.begin <= kind[2] + 12:
            first = min(number.begin, kind[1])
            last = max(group_end, kind[2]) if kind[1] > number.begin else group_end
        else:
            first, last = number.begin, group_end
        count_text = number.number_text
        qualifier = "up-to" if i in low_end else number.qualifier
        if i in low_end:  # the figure's text is the whole range, its value the bound
            opener = _RANGE_OPENER.search(text, 0, numbers[low_end[i]].begin)
            range_begin = opener.start() if opener else numbers[low_end[i]].begin
            count_text = text[range_begin : number.end]
            first = min(first, range_begin)
        if last - first > 300:
            first, last = sentence_span(analysis, number.begin)
        values: dict = {
            "count": [number.value],
            "countText": [count_text],
            "qualifier": [Concept("qualifier", qualifier)],
            "casualtyKind": [Concept("casualty-kind", kind[0])],
        }
        if group:
            values["victimGroup"] = [Concept("victim-group", group)]
        identity = (event, kind[0], group, number.value, qualifier)
        identities[i] = identity
        record = ClaimRecord(
            type="casualty-figure",
            statement=statement,
            about=(event,),
            values=values,
            evidence=[(first, last)],
            identity=identity,
            part_of=identities.get(parent) if parent is not None else None,
        )
        lead = text[max(0, kind[1] - 16) : kind[1]]
        subset = kind[2] <= number.begin and bool(_SUBSET_LEAD.search(lead))
        records.append((record, subset))
        by_index[i] = record
    for i, j in whole_of.items():
        if i in by_index and j in identities and by_index[i].part_of is None:
            by_index[i].part_of = identities[j]
    return records
