"""Instrument violation: which legal instruments (and articles) the statement says were
violated: "the Universal Declaration ... and the ICCPR were gravely violated", "severe
violations of international conventions such as ...", and the bullet list of norms that
follows a legal finding ("- Articles 2, 6, and 7 of the International Covenant ...").
"""

from __future__ import annotations

import re

from loaders.analysis import Analysis
from loaders.attribution import Statement
from loaders.claims.base import ClaimRecord, sentence_span, statement_index

_OF_THE = re.compile(r"^\s+(?:of|common\s+to|under)\s+(?:the\s+)?$")  # "Article 3 common to the"


def _in_violation_list(analysis: Analysis, offset: int) -> bool:
    """A bullet item under a lead-in that states a legal finding or a violation."""
    text = analysis.text
    line_start = text.rfind("\n", 0, offset) + 1
    if not re.match(r"\s*[-*\u2022]\s", text[line_start : offset + 1]):
        return False
    lead_end = line_start
    while lead_end > 0:
        previous = text.rfind("\n", 0, lead_end - 1) + 1
        if not re.match(r"\s*[-*\u2022]\s", text[previous:lead_end]):
            return bool(
                analysis.terms("LEGAL_CATEGORY", previous, lead_end)
                or analysis.cues("VIOLATE", previous, lead_end)
            )
        lead_end = previous
    return False


def extract(analysis: Analysis, statements: list[Statement]) -> list[ClaimRecord]:
    records = []
    text = analysis.text
    for instrument in analysis.entities_in(0, len(text), "instrument"):
        begin, end = sentence_span(analysis, instrument.begin)
        violated = bool(analysis.cues("VIOLATE", begin, end)) or _in_violation_list(
            analysis, instrument.begin
        )
        if not violated:
            continue
        articles = [
            a
            for a in analysis.articles
            if begin <= a.begin
            and a.end <= instrument.begin
            and _OF_THE.match(text[a.end : instrument.begin])
        ]
        events = [e.key for e in analysis.event_about(begin, end)]
        if not events:
            continue
        values: dict = {"instrument": [instrument]}
        if not articles:
            following = [
                a
                for a in analysis.articles
                if instrument.end <= a.begin
                and a.end <= end
                and re.fullmatch(
                    r"[\s,]*(?:in\s+particular|notably|especially|including|"
                    r"namely|and\s+its)?\s*",
                    text[instrument.end : a.begin],
                )
                and not re.match(r"\s+of\b", text[a.end : a.end + 4])
            ]
            articles = following[:1]
        numbers = [n for a in articles for n in a.articles]
        if numbers:
            values["article"] = numbers
        records.append(
            ClaimRecord(
                type="instrument-violation",
                statement=statement_index(statements, instrument.begin),
                about=(events[0],),
                values=values,
                evidence=[(begin, end)],
                identity=(events[0], instrument.key, tuple(numbers)),
            )
        )
    return records
