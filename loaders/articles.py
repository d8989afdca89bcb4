"""Article references: "Articles 2, 6, and 7 of the ...", "Article 3(1)", "Art. 5 and 8".

Each reference keeps the article numbers as written (one ``cg:article`` value each) and
where it ends, so the caller can attach it to the instrument named right after
("... of the International Covenant ...") or right before ("the ICCPR, Article 7").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"\d+[a-z]?(?:\s?\(\d+\))*(?:\s?\([a-z]\))*"
_SEP = r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*[-\u2013]\s*|\s+to\s+"
ARTICLE_RE = re.compile(
    rf"\b(?P<word>Articles?|Arts?\.|Art\.)\s+(?P<list>{_NUM}(?:(?:{_SEP}){_NUM})*)",
    re.IGNORECASE,
)
_ONE_NUM = re.compile(_NUM)
_RANGE_RE = re.compile(r"(?P<a>\d+)\s*(?:[-\u2013]|\s+to\s+)\s*(?P<b>\d+)(?!\s?\()")


@dataclass(frozen=True)
class ArticleReference:
    begin: int
    end: int
    text: str
    articles: tuple[str, ...]


def split_articles(listing: str) -> tuple[str, ...]:
    """Article numbers of a list as written: "2, 6, and 7" -> ("2", "6", "7");
    "3(1)" stays "3(1)"; a short range "5-8" is expanded to 5, 6, 7, 8."""
    articles: list[str] = []
    position = 0
    for match in _RANGE_RE.finditer(listing):
        articles.extend(_plain(listing[position : match.start()]))
        first, last = int(match.group("a")), int(match.group("b"))
        if first < last <= first + 50:
            articles.extend(str(n) for n in range(first, last + 1))
        else:
            articles.extend([match.group("a"), match.group("b")])
        position = match.end()
    articles.extend(_plain(listing[position:]))
    seen: dict[str, None] = dict.fromkeys(articles)
    return tuple(seen)


def _plain(listing: str) -> list[str]:
    return [re.sub(r"\s+", "", m.group(0)) for m in _ONE_NUM.finditer(listing)]


def find_articles(text: str, offset: int = 0) -> list[ArticleReference]:
    """Every article reference in ``text`` (offsets shifted by ``offset``)."""
    found = []
    for match in ARTICLE_RE.finditer(text):
        articles = split_articles(match.group("list"))
        if articles:
            found.append(
                ArticleReference(
                    begin=offset + match.start(),
                    end=offset + match.end(),
                    text=match.group(0),
                    articles=articles,
                )
            )
    return found
