"""Numbers as the genre writes them: digits, separators, words, and hedged quantities.

"1,275", "8 300", "Eight", "Thirty-three", "nearly four thousand", "hundreds of
thousands", "more than 8,000". Every mention keeps its exact span in the text and the
qualifier that hedges it (a concept slug of the ``q:`` scheme), because a casualty
figure is only honest together with its hedge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
DOZEN = {"dozen": 12, "dozens": 12}

# Hedges before a number -> qualifier slug. Longest first so "more than" wins over "more".
QUALIFIER_CUES: dict[str, str] = {
    "approximately": "approximately",
    "approx.": "approximately",
    "about": "approximately",
    "around": "approximately",
    "roughly": "approximately",
    "some": "approximately",
    "an estimated": "approximately",
    "estimated": "approximately",
    "nearly": "approximately",
    "almost": "approximately",
    "close to": "approximately",
    "at least": "at-least",
    "no fewer than": "at-least",
    "no less than": "at-least",
    "not less than": "at-least",
    "a minimum of": "at-least",
    "more than": "more-than",
    "over": "more-than",
    "in excess of": "more-than",
    "upwards of": "more-than",
    "fewer than": "fewer-than",
    "less than": "fewer-than",
    "under": "fewer-than",
    "up to": "up-to",
    "as many as": "up-to",
    "a maximum of": "up-to",
}
EXACT = "exact"
ORDER_OF_MAGNITUDE = "order-of-magnitude"

_WORD = sorted([*UNITS, *TENS, *SCALES, *DOZEN], key=len, reverse=True)
_WORD_RE = "|".join(_WORD)
# A run of number words: "four thousand", "Thirty-three", "two hundred and fifty".
_WORDS = rf"(?:{_WORD_RE})(?:(?:[\s-]+|\s+and\s+)(?:{_WORD_RE}))*"
# Digits with thousands separators (comma, dot, thin/normal space) or plain, optional decimals.
_DIGITS = r"\d{1,3}(?:(?:,|\u202f|\u00a0|\u2009)\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# "hundreds of thousands", "thousands", "tens of thousands", "dozens".
_PLURAL = r"(?:tens\s+of\s+|hundreds\s+of\s+)?(?:hundreds|thousands|millions)|dozens"
_QUAL = "|".join(re.escape(q) for q in sorted(QUALIFIER_CUES, key=len, reverse=True))

NUMBER_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?P<num>(?P<digits>{_DIGITS})(?:\s+(?P<dscale>million|billion|thousand))?"
    rf"|(?P<plural>{_PLURAL})|(?P<words>{_WORDS}))(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NumberMention:
    """A number in a text: span of the whole mention (hedge included), value, hedge."""

    begin: int
    end: int
    text: str
    value: int
    qualifier: str
    number_begin: int  # where the number itself starts (after the hedge)

    @property
    def number_text(self) -> str:
        return self.text[self.number_begin - self.begin :]


def words_to_int(text: str) -> int | None:
    """Value of a run of English number words ("Thirty-three", "four thousand")."""
    tokens = [t for t in re.split(r"[\s-]+", text.lower()) if t and t != "and"]
    if not tokens:
        return None
    total = current = 0
    for token in tokens:
        if token in UNITS:
            current += UNITS[token]
        elif token in TENS:
            current += TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in SCALES:
            total += (current or 1) * SCALES[token]
            current = 0
        elif token in DOZEN:
            current = (current or 1) * 12
        else:
            return None
    return total + current


def parse_number(text: str) -> int | None:
    """Integer value of one number as written, or None if it is not a number.

    "1,275" -> 1275, "Eight" -> 8, "2.5 million" -> 2500000, "thousands" -> 1000
    (the order of magnitude; the caller keeps the ``order-of-magnitude`` hedge).
    """
    match = NUMBER_RE.fullmatch(text.strip())
    if not match or match.group("qual") or _bare_scale(match):
        return None
    return _value(match)


def _bare_scale(match: re.Match[str]) -> bool:
    words = match.group("words")
    return bool(words) and words.lower().split()[0] in SCALES


def _value(match: re.Match[str]) -> int | None:
    if match.group("digits"):
        digits = re.sub(r"[,\u202f\u00a0\u2009]", "", match.group("digits"))
        value = float(digits)
        if match.group("dscale"):
            value *= SCALES[match.group("dscale").lower()]
        return int(value)
    if match.group("plural"):
        words = match.group("plural").lower().split()
        value = 12 if words[-1] == "dozens" else SCALES[words[-1].rstrip("s")]
        if words[0] == "hundreds" and len(words) > 1:
            value *= 100
        elif words[0] == "tens":
            value *= 10
        return value
    return words_to_int(match.group("words"))


# Words after which "about"/"over"/"under" is a preposition, not a hedge:
# "information about 3,979 persons", "control over 20 villages".
_PREPOSITION_AFTER = re.compile(
    r"\b(?:information|data|news|details|reports?|concerns?|questions?|nothing|anything|"
    r"something|know|knew|known|learn\w*|spoke|speak\w*|talk\w*|told|worried|control|"
    r"power|authority|jurisdiction|rule)\s*$",
    re.IGNORECASE,
)
_PREPOSITIONS = {"about", "over", "under", "around", "some"}


def find_numbers(text: str, offset: int = 0) -> list[NumberMention]:
    """Every number mention in ``text``; offsets are shifted by ``offset``.

    A bare scale word ("hundred", "thousand") alone is not a number; "a hundred" is not
    recognised either, to keep "a thousand thanks" out.
    """
    mentions = []
    for match in NUMBER_RE.finditer(text):
        if _bare_scale(match):
            continue
        value = _value(match)
        if value is None:
            continue
        qual = match.group("qual")
        if (
            qual
            and qual.lower() in _PREPOSITIONS
            and _PREPOSITION_AFTER.search(text[: match.start()])
        ):
            qual = None  # keep the number, drop the preposition from the mention
            start = match.start("num")
        else:
            start = match.start()
        if match.group("plural"):
            qualifier = ORDER_OF_MAGNITUDE
        elif qual:
            qualifier = QUALIFIER_CUES[re.sub(r"\s+", " ", qual.lower())]
        else:
            qualifier = EXACT
        mentions.append(
            NumberMention(
                begin=offset + start,
                end=offset + match.end(),
                text=text[start : match.end()],
                value=value,
                qualifier=qualifier,
                number_begin=offset + match.start("num"),
            )
        )
    return _ranges(text, offset, mentions)


_RANGE_OPEN = re.compile(r"\b(?:between|from)\s+$", re.IGNORECASE)
_RANGE_JOIN = re.compile(r"\s*(?:and|to|-|\u2013)\s*|\s+to\s+", re.IGNORECASE)


def _ranges(text: str, offset: int, mentions: list[NumberMention]) -> list[NumberMention]:
    """ "between 3,200 and 5,000", "from 800,000 to one million", "800,000 to one million":
    the low end is a lower bound (at-least), the high end an upper bound (up-to), each
    kept as its own hedged figure rather than a point value."""
    result = list(mentions)
    for i in range(len(result) - 1):
        low, high = result[i], result[i + 1]
        join = text[low.end - offset : high.begin - offset]
        opened = _RANGE_OPEN.search(text[max(0, low.begin - offset - 12) : low.begin - offset])
        if not _RANGE_JOIN.fullmatch(join) or low.value >= high.value:
            continue
        if opened is None and not re.fullmatch(r"\s+to\s+", join):
            continue  # "3 and 5" alone is a list, not a range
        if low.qualifier == EXACT and high.qualifier == EXACT:
            result[i] = replace(low, qualifier="at-least")
            result[i + 1] = replace(high, qualifier="up-to")
    return result
