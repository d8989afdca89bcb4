"""Dates as the genre writes them, with their spans: full dates, day ranges, years.

"January 20, 1990", "19 January 2024", "the night of January 19-20, 1990" (any dash),
"February 25 to 26, 1992", "February 26-28", "20th January", "July 1995",
"1988-1990", "2024-01-19". A mention is a (possibly partial) start and end date;
a year-less date is completed later from context (:func:`with_year`).

Anniversaries give the year a text was written in: "the 36th anniversary of the
January 20, 1990 tragedy" -> 2026, "34 years have passed since ... 1990" -> 2024.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_ABBREV = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# Month names are matched capitalised only ("May 1995", not "may"); abbreviations need a dot.
_MONTH = (
    "(?:"
    + "|".join(m.capitalize() for m in MONTHS)
    + "|"
    + "|".join(a.capitalize() + r"\." for a in _ABBREV)
    + ")"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[0-9]\d\d|20\d\d)"
_TO = r"\s*[-\u2013\u2014]\s*|\s+to\s+|\s+and\s+|\s+through\s+|\s+until\s+"

# Each pattern names its parts: m/d/y for the start, m2/d2/y2 for the end of a range.
_PATTERNS = [
    rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:{_TO})(?P<d2>{_DAY}),?\s+(?P<y>{_YEAR})",
    rf"(?P<d>{_DAY})(?:{_TO})(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})",
    rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:{_TO})(?P<m2>{_MONTH})\s+(?P<d2>{_DAY}),?\s+(?P<y>{_YEAR})",
    rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})",
    rf"(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})",
    rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:{_TO})(?P<d2>{_DAY})",
    rf"(?P<m>{_MONTH})\s+(?P<d>{_DAY})",
    rf"(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH})",
    rf"(?P<m>{_MONTH}),?\s+(?P<y>{_YEAR})",
    r"(?P<y>\d{4})-(?P<mi>[01]\d)-(?P<d>[0-3]\d)",
    rf"(?P<y>{_YEAR})\s*[-\u2013\u2014]\s*(?P<y2>{_YEAR})",
    rf"(?P<y>{_YEAR})",
]
_COMPILED = [re.compile(rf"(?<![\w,.-]){p}(?![\w]|[-\u2013]\d)") for p in _PATTERNS]


@dataclass(frozen=True)
class DateMention:
    """A date or range in a text; unknown parts are None (``year`` None: no year given)."""

    begin: int
    end: int
    text: str
    year: int | None
    month: int | None
    day: int | None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None

    @property
    def is_range(self) -> bool:
        return self.end_day is not None or self.end_month is not None or self.end_year is not None

    @property
    def start(self) -> date | None:
        """The first day covered, when the year is known."""
        if self.year is None:
            return None
        return _safe_date(self.year, self.month or 1, self.day or 1)

    @property
    def last(self) -> date | None:
        """The last day covered, when the year is known."""
        year = self.end_year or self.year
        if year is None:
            return None
        month = self.end_month or self.month
        day = self.end_day or (self.day if not self.end_month else None)
        if month is None:
            return _safe_date(year, 12, 31)
        if day is None:
            next_month = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(next_month.toordinal() - 1)
        return _safe_date(year, month, day)

    def iso(self) -> str | None:
        """xsd:date lexical form for a full single date, xsd:gYear for a year, else None."""
        if self.year is None:
            return None
        if self.month and self.day and not self.is_range:
            start = self.start
            return start.isoformat() if start else None
        return None

    def overlaps(self, first: date, last: date) -> bool:
        """Whether this mention's days meet the interval [first, last] (year needed)."""
        start, end = self.start, self.last
        if start is None or end is None:
            return False
        return start <= last and first <= end

    def same_day_of_year(self, day: date) -> bool:
        """For a year-less mention ("January 20"): does it name this month and day?"""
        if self.month != day.month or self.day is None:
            return False
        end_day = self.end_day or self.day
        return self.day <= day.day <= end_day


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(text: str) -> int:
    key = text.lower().rstrip(".")
    return MONTHS.get(key) or _ABBREV[key]


def _day(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _mention(match: re.Match[str], offset: int) -> DateMention | None:
    parts = match.groupdict()
    year = int(parts["y"]) if parts.get("y") else None
    if parts.get("mi"):
        month: int | None = int(parts["mi"])
    else:
        month = _month(parts["m"]) if parts.get("m") else None
    day = _day(parts["d"]) if parts.get("d") else None
    end_month = _month(parts["m2"]) if parts.get("m2") else None
    end_day = _day(parts["d2"]) if parts.get("d2") else None
    end_year = int(parts["y2"]) if parts.get("y2") else None
    if month is not None and day is not None and _safe_date(year or 2000, month, day) is None:
        return None
    if end_day is not None and day is not None and end_month is None and end_day <= day:
        return None
    if end_year is not None and year is not None and end_year <= year:
        return None
    return DateMention(
        begin=offset + match.start(),
        end=offset + match.end(),
        text=match.group(0),
        year=year,
        month=month,
        day=day,
        end_year=end_year,
        end_month=end_month,
        end_day=end_day,
    )


def find_dates(text: str, offset: int = 0) -> list[DateMention]:
    """Date mentions, leftmost-longest and non-overlapping, in text order."""
    candidates = []
    for pattern in _COMPILED:
        for match in pattern.finditer(text):
            mention = _mention(match, offset)
            if mention is not None:
                candidates.append(mention)
    candidates.sort(key=lambda m: (m.begin, -(m.end - m.begin)))
    chosen: list[DateMention] = []
    for mention in candidates:
        if chosen and mention.begin < chosen[-1].end:
            continue
        chosen.append(mention)
    return chosen


def with_year(mention: DateMention, year: int) -> DateMention:
    """A year-less mention completed with a year taken from its context."""
    if mention.year is not None:
        return mention
    return replace(mention, year=year)


_ORDINAL = r"(?P<n>\d+)(?:st|nd|rd|th)"
_ANNIVERSARY_RE = re.compile(rf"\b{_ORDINAL}\s+anniversary\s+of\b", re.IGNORECASE)
_YEARS_SINCE_RE = re.compile(
    r"\b(?P<n>[\w-]+)\s+years\s+(?:have|had|has)\s+(?:passed|elapsed|gone\s+by)"
    r"|\b(?:it\s+has\s+been|it\s+is\s+now|marks)\s+(?P<n2>[\w-]+)\s+years"
    r"|\b(?P<n3>[\w-]+)\s+years\s+(?:ago|since)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Elapsed:
    """ "36th anniversary of" / "34 years have passed since": years elapsed since a date."""

    begin: int
    end: int
    years: int
    base_year: int | None  # the year counted from, when the same sentence gives it

    @property
    def current_year(self) -> int | None:
        return None if self.base_year is None else self.base_year + self.years


def find_elapsed(sentence: str, offset: int = 0) -> list[Elapsed]:
    """Anniversaries and "N years since" phrases, each with the base year if the sentence
    names one after it ("the 36th anniversary of the January 20, 1990 tragedy")."""
    from loaders.numbers import words_to_int  # local: keeps dates importable alone

    found = []
    for regex in (_ANNIVERSARY_RE, _YEARS_SINCE_RE):
        for match in regex.finditer(sentence):
            raw = match.group("n") or match.groupdict().get("n2") or match.groupdict().get("n3")
            if raw is None:
                continue
            years = int(raw) if raw.isdigit() else words_to_int(raw)
            if not years:
                continue
            later = [d for d in find_dates(sentence[match.end() :]) if d.year is not None]
            base = later[0].year if later else None
            found.append(Elapsed(offset + match.start(), offset + match.end(), years, base))
    return found
