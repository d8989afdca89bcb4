"""Event mentions resolved by reference name, by place, by date, or to a stable slug."""

from __future__ import annotations

from datetime import date

from loaders.analysis import analyse
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "reference"


def _events(text: str) -> list[tuple[str, str, bool]]:
    return [(e.text, e.key, e.resolved) for e in analyse(text, REFERENCE).events]


def test_aliases_places_and_dates_resolve_to_one_event() -> None:
    text = (
        "The Halabja genocide shocked the world. On the night of March 16\u201317, 1988, "
        "the chemical attack killed civilians. The massacre in Halabja is remembered as "
        "Bloody Friday, and the events of March 16 are commemorated every year."
    )
    keys = {key for _, key, _ in _events(text)}
    assert keys == {"halabja-massacre"}
    surfaces = {surface for surface, _, _ in _events(text)}
    assert {"Halabja genocide", "massacre in Halabja", "Bloody Friday"} <= surfaces
    assert "events of March 16" in surfaces
    assert "night of March 16\u201317, 1988" in surfaces


def test_place_with_two_events_is_told_apart_by_noun_or_date() -> None:
    found = _events("The Siege of Halabja followed. In March 1991 the siege of Halabja began.")
    assert ("Siege of Halabja", "halabja-siege", True) in found


def test_unknown_events_get_stable_keys_from_place_or_date() -> None:
    one = _events("Survivors of the Sumgait pogrom and of the Kirovakan massacre spoke.")
    assert ("Sumgait pogrom", "sumgait-pogrom", False) in one
    assert ("Kirovakan massacre", "kirovakan-massacre", False) in one
    two = _events("The pogrom in Sumgait was never punished.")
    assert two == [("pogrom in Sumgait", "sumgait-pogrom", False)]
    three = _events("Nobody forgets the November 3, 1999 tragedy.")
    assert three[0][1:] == ("1999-11-3-massacre", False)


def test_unknown_event_dates_come_from_the_text() -> None:
    analysis = analyse("The night of May 2\u20133, 2014 in Odesa ended in fire.", REFERENCE)
    (event,) = analysis.events
    assert (event.first, event.last) == (date(2014, 5, 2), date(2014, 5, 3))
    assert not event.resolved


def test_a_long_war_does_not_swallow_a_day() -> None:
    # March 16 falls inside the Iran-Iraq War eight times, but is half of Halabja's days
    assert {key for _, key, _ in _events("We remember the events of March 16.")} == {
        "halabja-massacre"
    }


def test_place_alone_resolves_only_generic_nouns() -> None:
    found = _events("The attack on Srebrenica and the tragic events in Srebrenica differ.")
    assert ("attack on Srebrenica", "srebrenica-attack", False) in found
    assert ("tragic events in Srebrenica", "srebrenica-massacre", True) in found
