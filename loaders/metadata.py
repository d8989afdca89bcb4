"""Statement metadata: given values first, else what the text itself says.

Given (manifest or front matter) wins. Otherwise: a heading (or an unpunctuated first
line) is the title; a signature block ("Jane Roe" / "The Commissioner for ..." / "19
January 2024") gives author, office and date; a byline ("By Jane Roe") the author; a
closing line naming an organization the issuer; "the 36th anniversary of the January
20, 1990 tragedy" the year. Every value taken from the text is reported as inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.analysis import Analysis
from loaders.dates import find_dates, find_elapsed
from loaders.entities import BYLINE_RE, Mention
from ontology.iris import slugify

_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_SIGNATURE_LINES = 14  # a signature block sits in the last lines before any distribution list


@dataclass
class Metadata:
    """What the document's own statement carries; ``inferred`` names fields read from text."""

    title: str | None = None
    date: str | None = None  # ISO date or year
    author: Mention | None = None
    author_role: str | None = None
    issuer: Mention | None = None
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    inferred: set[str] = field(default_factory=set)


def _lines(text: str) -> list[tuple[int, int]]:
    """(begin, end) of every non-blank line, without surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group(0)
        stripped = line.strip()
        if stripped:
            begin = match.start() + line.index(stripped)
            spans.append((begin, begin + len(stripped)))
    return spans


def infer_title(text: str) -> str | None:
    """A Markdown heading first in the text, or a first line with no final full stop."""
    lines = _lines(text)
    if not lines:
        return None
    first = text[lines[0][0] : lines[0][1]]
    heading = _HEADING.match(first)
    if heading:
        return heading.group("title").strip()
    if len(first) <= 300 and not first.endswith((".", ":", ";", "\u201d", '"')) and len(lines) > 1:
        return first
    return None


def _date_line(text: str) -> str | None:
    body = re.sub(r"^#+\s*", "", text).strip(" ,.")
    dates = find_dates(body)
    if len(dates) == 1 and dates[0].text == body:
        return dates[0].iso()
    trailing = re.search(r"[,\s]+(?P<date>[^,]+)$", body)  # "Geneva, 10 December 2023"
    if trailing:
        dates = find_dates(trailing.group("date"))
        if len(dates) == 1 and dates[0].text == trailing.group("date").strip():
            return dates[0].iso()
    return None


_NAME_LINE = re.compile(r"[A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019.-]+){1,3}")


def _signed_name(
    analysis: Analysis, begin: int, end: int, next_line: tuple[int, int]
) -> list[Mention]:
    """A line that is only a name, above a line naming an office ("Jane Roe" / "Special
    Rapporteur on ..."), is a signature even when the name is unknown."""
    text = analysis.text
    same_line = re.match(_NAME_LINE.pattern + r"(?=\s*,\s*\S)", text[begin:end])
    if same_line:  # "Jane Roe, Ombudsperson of ...": name and office on one line
        name_end, office_span = begin + same_line.end(), (begin + same_line.end(), end)
    elif _NAME_LINE.fullmatch(text[begin:end]):
        name_end, office_span = end, next_line
    else:
        return []
    if analysis.entities_in(begin, name_end):
        return []
    office = text[office_span[0] : office_span[1]]
    if len(office) > 200 or not (
        analysis.cues("ROLE", *office_span) or analysis.entities_in(*office_span, "organization")
    ):
        return []
    name = text[begin:name_end]
    return [Mention(begin, name_end, name, "person", slugify(name), name, False)]


# What may stand before a signed name: a dash, "Signed:", an honorific.
_SIGN_LEAD = re.compile(
    r"[#*_\s\u2014\u2013-]*(?:Signed:?\s+)?(?:(?:Dr|Prof|Mr|Mrs|Ms|H\.\s?E)\.?\s+)?"
)
_CONTACT = re.compile(r"\s*(?:press|media)?\s*contacts?\b|\s*for\s+more\s+information", re.I)


def signature(analysis: Analysis) -> Metadata:
    """Author, office and date from a signature block near the end of the text."""
    text = analysis.text
    found = Metadata()
    lines = _lines(text)
    tail = lines[-_SIGNATURE_LINES:]
    for index, (begin, end) in enumerate(tail):
        line = text[begin:end]
        if _CONTACT.match(line):
            continue  # "Press contact: Jane Roe" signs nothing
        content = begin + _SIGN_LEAD.match(line).end()
        people = analysis.entities_in(content, end, "person")
        if not people and found.author is None:
            following = tail[index + 1] if index + 1 < len(tail) else (end, end)
            people = _signed_name(analysis, content, end, following)
        if people and people[0].begin == content and len(line) < 200 and found.author is None:
            person = people[0]
            found.author = person
            office_text = text[person.end : end].strip()
            office_span = (person.end, end)
            if not office_text and index + 1 < len(tail):
                office_span = tail[index + 1]
                office_text = text[office_span[0] : office_span[1]]
            if office_text and len(office_text) < 200 and not _date_line(office_text):
                found.author_role = re.sub(r"^(?:The|the)\s+", "", office_text.strip(" ,"))
                offices = analysis.entities_in(*office_span, "organization")
                found.issuer = offices[0] if offices else None
        elif found.date is None and _date_line(line):
            found.date = _date_line(line)
    if found.author is None:
        byline = BYLINE_RE.search(text)
        if byline:
            people = analysis.entities_in(byline.start(1), byline.end(1), "person")
            found.author = people[0] if people else None
    if found.issuer is None:
        found.issuer = _speaking_organization(analysis) or _letterhead(analysis, lines)
    if found.issuer is None and lines:
        begin, end = lines[-1]
        orgs = analysis.entities_in(begin, end, "organization")
        if orgs and end - begin < 250 and not analysis.text[begin:end].rstrip().endswith("."):
            found.issuer = _parent_body(analysis, orgs[-1])  # "Secretariat of the X Network"
    return found


def _letterhead(analysis: Analysis, lines: list[tuple[int, int]]) -> Mention | None:
    """A line among the first three that is only an organization's name ("Ministry of
    Foreign Affairs of the Republic of Iraq", "**Human Rights Centre**") heads a release
    that organization issues."""
    text = analysis.text
    for begin, end in lines[:3]:
        line = text[begin:end].strip("#*_ \t|")
        if not line or line.endswith((".", ":", "?", "!")):
            continue
        at = begin + text[begin:end].index(line)
        orgs = analysis.entities_in(at, at + len(line), "organization")
        if (
            len(orgs) >= 1
            and orgs[0].begin - at <= 4
            and re.fullmatch(
                r"[\s,|\u2013\u2014-]*(?:\([^)]*\))?[\s.]*", text[orgs[-1].end : at + len(line)]
            )
            and sum(o.end - o.begin for o in orgs) >= 0.6 * len(line)
        ):
            return _parent_body(analysis, orgs[0])
    return None


def _parent_body(analysis: Analysis, office: Mention) -> Mention:
    """ "Secretariat of the X Network" speaks for X Network when the text names X alone."""
    for other in analysis.entities:
        if (
            other.kind == "organization"
            and other.key != office.key
            and len(other.text) < len(office.text)
            and office.text.endswith(other.text)
            and re.search(r"\bof\s+(?:the\s+)?$", office.text[: -len(other.text)])
        ):
            return other
    return office


def _speaking_organization(analysis: Analysis) -> Mention | None:
    """A press release's own voice: "..., Human Rights Watch said today." in the opening,
    or a headline ending "..., says Amnesty International"."""
    text = analysis.text
    opening = min(len(text), 1200)
    for org in analysis.entities_in(0, opening, "organization"):
        after = text[org.end : org.end + 30]
        before = text[max(0, org.begin - 12) : org.begin]
        if re.match(r"\s+(?:said|says|stated)\s+today\b", after) or (
            re.search(r"\bsays\s+$", before)
            and re.match(r"\s*$", text[org.end : text.find("\n", org.end)])
        ):
            return org
    return None


def _dateline(analysis: Analysis) -> str | None:
    """ "GENEVA (July 10, 2024) -" or "Kigali, 7 April 2024 -" opening a paragraph."""
    for match in re.finditer(
        r"(?m)^[^\n]{0,40}?[(,]\s*([^()\n]{6,30}?)\s*\)?\s*[-\u2013\u2014:]\s", analysis.text[:2000]
    ):
        dates = find_dates(match.group(1))
        if len(dates) == 1 and dates[0].text == match.group(1).strip() and dates[0].iso():
            return dates[0].iso()
    return None


_HEADER_LINES = 6
_DATE_LABEL = re.compile(
    r"^(?:published|posted|updated|issued|released|date|dated)\b(?:\s+on)?\s*:?\s*", re.IGNORECASE
)


def _header_date(analysis: Analysis) -> str | None:
    """A short line near the top that carries one full date: "12 March 2024", "Published:
    12 March 2024", "Posted on March 12, 2024 by Admin", "By Jane Roe | 12 March 2024"."""
    for begin, end in _lines(analysis.text)[:_HEADER_LINES]:
        line = _DATE_LABEL.sub("", analysis.text[begin:end].strip("#*_ "))
        if len(line) > 80 or line.endswith("."):
            continue  # a sentence that mentions a date is no date line
        dates = [d for d in find_dates(line) if d.day is not None and d.iso()]
        rest = line.replace(dates[0].text, " ") if len(dates) == 1 else line
        if len(dates) == 1 and len(re.findall(r"\w+", rest)) <= 5:
            return dates[0].iso()
    return None


def title_author(analysis: Analysis, title: str | None) -> Mention | None:
    """ "Statement by Ombudsman Jane Roe on ..." names the author in the title."""
    if not title:
        return None
    at = analysis.text.find(title)
    by = re.search(r"\b(?:by|of)\s+", title)
    if at < 0 or by is None:
        return None
    people = analysis.entities_in(at + by.end(), at + len(title), "person")
    return people[0] if people else None


def title_issuer(analysis: Analysis, title: str | None) -> Mention | None:
    if not title:
        return None
    at = analysis.text.find(title)
    by = re.search(r"\bStatement\s+(?:by|of)\s+", title, re.IGNORECASE)
    if at < 0 or by is None:
        return None
    orgs = analysis.entities_in(at + by.end(), at + len(title), "organization")
    return orgs[0] if orgs and orgs[0].begin - (at + by.end()) < 40 else None


def elapsed_year(analysis: Analysis, begin: int = 0, end: int | None = None) -> int | None:
    """The year a text was written, from "Nth anniversary of" / "N years have passed
    since": the base year is a year in the same sentence, else the start year of the
    event that sentence (or the text) is about."""
    end = len(analysis.text) if end is None else end
    for sentence_begin, sentence_end in analysis.sentences:
        if not (begin <= sentence_begin < end):
            continue
        sentence = analysis.text[sentence_begin:sentence_end]
        for elapsed in find_elapsed(sentence, sentence_begin):
            if elapsed.current_year is not None:
                return elapsed.current_year
            events = analysis.event_about(elapsed.end, sentence_end)
            first = events[0].first if events else None
            if first is not None:
                return first.year + elapsed.years
    return None


def document_metadata(analysis: Analysis, given: dict[str, str]) -> Metadata:
    """The own statement's metadata: given values, then inferred ones (marked so)."""
    found = signature(analysis)
    meta = Metadata(
        title=given.get("title"),
        date=given.get("date"),
        publisher=given.get("publisher"),
        language=given.get("language"),
        url=given.get("url") or given.get("source_url"),
    )
    if meta.title is None:
        meta.title = infer_title(analysis.text)
        if (
            meta.title
            and found.issuer is not None
            and meta.title.strip("#*_ ") == found.issuer.text
        ):
            # a letterhead is no title: the line after it is
            after = analysis.text.find(meta.title) + len(meta.title)
            meta.title = infer_title(analysis.text[after:])
        if meta.title:
            meta.inferred.add("title")
    meta.author = found.author or title_author(analysis, meta.title)
    if meta.author is not None:
        meta.inferred.add("author")
        meta.author_role = found.author_role
    meta.issuer = found.issuer or title_issuer(analysis, meta.title)
    if meta.issuer is not None:
        meta.inferred.add("issuer")
    if meta.date is None:
        meta.date = found.date or _dateline(analysis) or _header_date(analysis)
        if meta.date is None:
            year = elapsed_year(analysis)
            meta.date = str(year) if year else None
        if meta.date:
            meta.inferred.add("date")
    return meta
