"""Dates, ranges and anniversaries as the genre writes them."""

from __future__ import annotations

from datetime import date

import pytest

from loaders.dates import find_dates, find_elapsed, with_year


@pytest.mark.parametrize(
    ("text", "mention", "first", "last"),
    [
        (
            "on the night of March 3\u20134, 2001, troops",
            "March 3\u20134, 2001",
            date(2001, 3, 3),
            date(2001, 3, 4),
        ),
        (
            "between April 6 to 7, 1994 the",
            "April 6 to 7, 1994",
            date(1994, 4, 6),
            date(1994, 4, 7),
        ),
        ("Geneva, 10 December 2023", "10 December 2023", date(2023, 12, 10), date(2023, 12, 10)),
        ("on August 2, 2014, fighters", "August 2, 2014", date(2014, 8, 2), date(2014, 8, 2)),
        ("in July 1995 the town fell", "July 1995", date(1995, 7, 1), date(1995, 7, 31)),
        ("in 1915\u20131923 the", "1915\u20131923", date(1915, 1, 1), date(1923, 12, 31)),
        ("published 2023-11-05.", "2023-11-05", date(2023, 11, 5), date(2023, 11, 5)),
        (
            "from May 30 to June 2, 1993",
            "May 30 to June 2, 1993",
            date(1993, 5, 30),
            date(1993, 6, 2),
        ),
    ],
)
def test_full_dates_and_ranges(text: str, mention: str, first: date, last: date) -> None:
    (found,) = find_dates(text)
    assert found.text == mention == text[found.begin : found.end]
    assert (found.start, found.last) == (first, last)


def test_yearless_dates_are_completed_from_context() -> None:
    found = find_dates("the 13 December massacre and the events of March 3")
    assert [m.text for m in found] == ["13 December", "March 3"]
    assert found[0].year is None and found[0].start is None
    assert with_year(found[0], 1937).start == date(1937, 12, 13)
    assert found[1].same_day_of_year(date(1990, 3, 3))


def test_iso_form_only_for_single_full_dates() -> None:
    single, month, span = find_dates("7 June 2020, June 2020 and June 6-7, 2020")
    assert single.iso() == "2020-06-07"
    assert month.iso() is None and span.iso() is None


def test_not_dates() -> None:
    assert find_dates("the 28th Brigade lost 1,275 men; may 5 people") == []
    assert [m.month for m in find_dates("February 30, 2001")] == [None]


@pytest.mark.parametrize(
    ("sentence", "years", "current"),
    [
        ("Today marks the 25th anniversary of the July 11, 1995 genocide.", 25, 2020),
        ("It has been 30 years since the night of April 6\u20137, 1994.", 30, 2024),
        ("Twenty years have passed since the attack of 2004.", 20, 2024),
        ("Ten years ago, in the spring", 10, None),
    ],
)
def test_elapsed_years(sentence: str, years: int, current: int | None) -> None:
    (found,) = find_elapsed(sentence)
    assert found.years == years
    assert found.current_year == current
