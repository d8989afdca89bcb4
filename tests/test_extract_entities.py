"""Entity mentions: gazetteer names and acronyms, title-case chunks, people, resolution."""

from __future__ import annotations

from loaders.analysis import analyse
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "reference"


def _entities(text: str) -> dict[str, tuple[str, str, bool]]:
    analysis = analyse(text, REFERENCE)
    return {m.text: (m.kind, m.key, m.resolved) for m in analysis.entities}


def test_known_names_and_acronyms_resolve() -> None:
    found = _entities(
        "The Iraqi forces violated the ICCPR and the Convention on the Rights of the Child, "
        "as the UN Human Rights Office and the Council of Europe (CoE) noted."
    )
    assert found["Iraqi forces"] == ("organization", "iraqi-army", True)
    assert found["ICCPR"] == ("instrument", "iccpr", True)
    assert found["Convention on the Rights of the Child"] == ("instrument", "crc", True)
    assert found["UN Human Rights Office"] == ("organization", "ohchr", True)
    assert found["CoE"] == ("organization", "council-of-europe", True)


def test_unknown_organizations_and_instruments_are_chunked_and_unresolved() -> None:
    found = _entities(
        "The Coalition for Justice in Northern Iraq welcomes the report. The Convention "
        "against Torture and Other Cruel, Inhuman or Degrading Treatment was breached."
    )
    assert found["Coalition for Justice in Northern Iraq"] == (
        "organization",
        "coalition-justice-northern-iraq",
        False,
    )
    assert found["Convention against Torture and Other Cruel, Inhuman or Degrading Treatment"][
        0:3:2
    ] == ("instrument", False)


def test_list_of_names_is_not_one_name() -> None:
    found = _entities("It was sent to the Geneva Conventions, the Rome Statute, and others.")
    assert "Geneva Conventions" in found and "Rome Statute" in found


def test_people_after_role_words_bylines_and_surnames() -> None:
    text = (
        "Ombudsman Layla Karim said the attack was planned. Karim added that nobody "
        "was held to account.\nBy Omar Said\n"
    )
    found = _entities(text)
    assert found["Layla Karim"] == ("person", "layla-karim", False)
    assert found["Karim"] == ("person", "layla-karim", False)
    assert found["Omar Said"] == ("person", "omar-said", False)


def test_lowercase_common_words_are_not_names() -> None:
    found = _entities(
        "Military force was used and relevant UN human rights mechanisms stayed silent."
    )
    assert "Military force" not in found
    assert all(kind != "organization" or key == "united-nations" for kind, key, _ in found.values())


def test_byline_forms() -> None:
    from loaders.entities import BYLINE_RE

    text = "Title\nWritten by Jane Roe\n\n**By Omar Said**\nBy the way, nothing here.\n"
    assert [m.group(1) for m in BYLINE_RE.finditer(text)] == ["Jane Roe", "Omar Said"]


def test_a_lowercase_head_before_of_is_no_name_the_name_after_it_is() -> None:
    text = "Units of the Iraqi Army under the command of Amira Haddad entered the town."
    found = {(m.text, m.key) for m in analyse(text, REFERENCE).entities}
    assert ("Iraqi Army", "iraqi-army") in found
    assert ("Amira Haddad", "amira-haddad") in found
    assert not any(name.startswith(("command", "Units")) for name, _ in found)
