"""Article references: lists, sub-paragraphs, ranges."""

from __future__ import annotations

import pytest

from loaders.articles import find_articles, split_articles


@pytest.mark.parametrize(
    ("listing", "articles"),
    [
        ("2, 6, and 7", ("2", "6", "7")),
        ("3(1)", ("3(1)",)),
        ("6(1)(a) and 9", ("6(1)(a)", "9")),
        ("9 to 12", ("9", "10", "11", "12")),
        ("14-15 or 17", ("14", "15", "17")),
    ],
)
def test_split_articles(listing: str, articles: tuple[str, ...]) -> None:
    assert split_articles(listing) == articles


def test_find_articles_spans() -> None:
    text = "It breached Articles 7, 9 and 10 of the Covenant and Art. 3(1) of the CRC."
    first, second = find_articles(text)
    assert text[first.begin : first.end] == "Articles 7, 9 and 10"
    assert first.articles == ("7", "9", "10")
    assert text[second.begin : second.end] == "Art. 3(1)"
    assert second.articles == ("3(1)",)


def test_title_with_articles_word_is_not_a_reference() -> None:
    assert find_articles("the Articles on Responsibility of States for Wrongful Acts") == []
