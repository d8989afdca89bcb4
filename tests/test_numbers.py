"""Numbers in digits, with separators, in words, and with their hedges."""

from __future__ import annotations

import pytest

from loaders.numbers import find_numbers, parse_number, words_to_int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,275", 1275),
        ("8300", 8300),
        ("Eight", 8),
        ("Thirty-three", 33),
        ("twenty five", 25),
        ("four thousand", 4000),
        ("two hundred and fifty", 250),
        ("2.5 million", 2_500_000),
        ("hundreds of thousands", 100_000),
        ("thousands", 1000),
    ],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "thirty-something", "hundred", "the"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("sentence", "mention", "value", "qualifier"),
    [
        (
            "Nearly four thousand persons are still missing.",
            "Nearly four thousand",
            4000,
            "approximately",
        ),
        ("More than 8,000 men and boys were executed.", "More than 8,000", 8000, "more-than"),
        ("at least 12 journalists were detained", "at least 12", 12, "at-least"),
        ("fewer than twenty survivors remain", "fewer than twenty", 20, "fewer-than"),
        ("up to 300 people were displaced", "up to 300", 300, "up-to"),
        (
            "hundreds of thousands fled the region",
            "hundreds of thousands",
            100_000,
            "order-of-magnitude",
        ),
        ("some 40 villages burned", "some 40", 40, "approximately"),
        ("Fifty-one houses were destroyed.", "Fifty-one", 51, "exact"),
    ],
)
def test_find_numbers_keeps_hedge_and_span(
    sentence: str, mention: str, value: int, qualifier: str
) -> None:
    (found,) = find_numbers(sentence)
    assert found.text == mention
    assert sentence[found.begin : found.end] == mention
    assert (found.value, found.qualifier) == (value, qualifier)


def test_offsets_shift_and_number_text() -> None:
    text = "A total of 1,402 detainees, including 17 minors."
    found = find_numbers(text, offset=100)
    assert [(m.begin, m.end, m.value) for m in found] == [(111, 116, 1402), (138, 140, 17)]
    hedged = find_numbers("approximately 900 people")[0]
    assert hedged.number_text == "900"


def test_ordinals_and_words_inside_words_are_not_numbers() -> None:
    assert find_numbers("the 21st Brigade and someone") == []
    assert words_to_int("forty-two") == 42


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("between 40 and 90 people", [(40, "at-least"), (90, "up-to")]),
        ("from two thousand to 3,500 families", [(2000, "at-least"), (3500, "up-to")]),
        ("700 to 1,000 residents", [(700, "at-least"), (1000, "up-to")]),
        # a list is no range; a hedge already given is kept; a falling pair is no range
        ("3 and 5 children", [(3, "exact"), (5, "exact")]),
        ("between about 30 and 50", [(30, "approximately"), (50, "exact")]),
        ("from 90 to 40", [(90, "exact"), (40, "exact")]),
    ],
)
def test_ranges_are_bounds(text: str, expected: list) -> None:
    assert [(n.value, n.qualifier) for n in find_numbers(text)] == expected
