"""Who says what: own and reported statements, signature blocks, bylines, inferred dates."""

from __future__ import annotations

from loaders.analysis import analyse
from loaders.attribution import find_statements, statement_at
from loaders.metadata import document_metadata, infer_title
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "reference"

ARTICLE = (
    "Kurdish ombudsman calls Halabja massacre a genocide\n"
    "On the 35th anniversary of the Halabja chemical attack of March 16, 1988, the "
    "Independent Board of Human Rights of the Kurdistan Region, Amira Haddad, called the "
    "attack a \u201cgenocide,\u201d urging the Security Council to act.\n"
    "As the board\u2019s press office reports, Haddad stated:\n"
    "\u201cThe gassing of Halabja killed thousands of civilians and remains a crime against "
    "humanity that the world must not forget.\u201d\n"
    "Reporters visited the town last week.\n"
    "\u201cWe call on the United Nations to recognise the massacre as genocide,\u201d she said.\n"
    "By Omar Said\n"
)


def test_quotes_and_reported_speech_belong_to_the_quoted_speaker() -> None:
    analysis = analyse(ARTICLE, REFERENCE)
    own, reported = find_statements(analysis)
    assert own.index == 0 and reported.index == 1
    assert reported.speaker.person.key == "amira-haddad"
    assert reported.speaker.issuer.key == "kurdistan-ombudsman"
    assert statement_at([own, reported], ARTICLE.index("The gassing")) is reported
    assert statement_at([own, reported], ARTICLE.index("We call on")) is reported
    assert statement_at([own, reported], ARTICLE.index("called the attack")) is reported
    assert statement_at([own, reported], ARTICLE.index("Reporters visited")) is own
    assert statement_at([own, reported], ARTICLE.index("By Omar")) is own


def test_article_metadata_from_byline_title_and_anniversary() -> None:
    meta = document_metadata(analyse(ARTICLE, REFERENCE), {})
    assert meta.title == "Kurdish ombudsman calls Halabja massacre a genocide"
    assert meta.author.label == "Omar Said" and not meta.author.resolved
    assert meta.date == "2023"
    assert meta.inferred == {"title", "author", "date"}


STATEMENT = (
    "## Statement of the Independent Board of Human Rights of the Kurdistan Region on the "
    "Halabja genocide\n\n"
    "Thirty-six years have passed since the Halabja genocide.\n\n"
    "## Amira Haddad\n\n"
    "Chair of the Independent Board of Human Rights of the Kurdistan Region\n\n"
    "Erbil, 15 March 2024\n"
)


def test_signature_block_gives_author_office_and_date() -> None:
    meta = document_metadata(analyse(STATEMENT, REFERENCE), {})
    assert meta.title.startswith("Statement of the Independent Board")
    assert meta.author.key == "amira-haddad"
    assert meta.author_role.startswith("Chair of the Independent Board")
    assert meta.issuer.key == "kurdistan-ombudsman"
    assert meta.date == "2024-03-15"


def test_given_metadata_wins_and_is_not_marked_inferred() -> None:
    meta = document_metadata(analyse(STATEMENT, REFERENCE), {"date": "2024-03-14", "title": "T"})
    assert (meta.date, meta.title) == ("2024-03-14", "T")
    assert "date" not in meta.inferred and "title" not in meta.inferred


def test_years_since_an_event_known_only_from_reference() -> None:
    text = "Thirty-six years have passed since the Halabja genocide. Nothing changed."
    meta = document_metadata(analyse(text, REFERENCE), {})
    assert meta.date == "2024"  # 1988 (reference start date) + 36


def test_title_only_from_heading_or_unpunctuated_first_line() -> None:
    assert infer_title("# A heading\n\nBody.") == "A heading"
    assert infer_title("The first sentence ends here.\nMore.") is None


PRESS_RELEASE = (
    "# Halabja: justice still pending, says Coalition for Justice in Northern Iraq\n\n"
    "ERBIL (March 15, 2024) \u2013 Victims of the Halabja massacre still wait for justice, the "
    "Coalition for Justice in Northern Iraq said today.\n\n"
    "\u201cThe gassing of Halabja was genocide and nobody has paid for it,\u201d said Sara "
    "Ahmed, legal adviser at the Coalition for Justice in Northern Iraq.\n\n"
    "The Coalition for Justice in Northern Iraq calls on the Security Council to act.\n"
)


def test_press_release_voice_dateline_and_quoted_staff() -> None:
    analysis = analyse(PRESS_RELEASE, REFERENCE)
    meta = document_metadata(analysis, {})
    assert meta.issuer.key == "coalition-justice-northern-iraq"
    assert meta.date == "2024-03-15"
    own, quoted = find_statements(analysis, meta.issuer)
    assert quoted.speaker.person.label == "Sara Ahmed"
    assert quoted.speaker.role == "legal adviser at the Coalition for Justice in Northern Iraq"
    assert quoted.speaker.issuer.key == "coalition-justice-northern-iraq"
    statements = [own, quoted]
    assert statement_at(statements, PRESS_RELEASE.index("The gassing")) is quoted
    # naming the document's own organization is the document speaking, not the quote
    assert statement_at(statements, PRESS_RELEASE.index("calls on the Security")) is own


def test_closing_office_line_speaks_for_its_parent_body() -> None:
    text = (
        "The Coalition for Justice in Northern Iraq condemns the Halabja massacre.\n"
        "Secretariat of the Coalition for Justice in Northern Iraq\n"
    )
    meta = document_metadata(analyse(text, REFERENCE), {})
    assert meta.issuer.key == "coalition-justice-northern-iraq"
    assert "issuer" in meta.inferred


def test_organizations_quoted_as_speakers() -> None:
    text = (
        "Halabja marked the anniversary of the chemical attack on Monday.\n\n"
        '"The Halabja genocide was a crime against humanity," the Iraqi Army said.\n\n'
        "The Council of Europe stated:\n"
        '"We call on all parties to respect the memory of the victims of Halabja."\n'
    )
    analysis = analyse(text, REFERENCE)
    own, army, council = find_statements(analysis, document_metadata(analysis, {}).issuer)
    assert (army.speaker.person.key, army.speaker.issuer.key) == ("iraqi-army", "iraqi-army")
    assert council.speaker.issuer.key == "council-of-europe"
    assert statement_at([own, army, council], text.index("The Halabja genocide")) is army
    assert statement_at([own, army, council], text.index("We call on")) is council
    assert statement_at([own, army, council], text.index("Halabja marked")) is own


def test_unknown_signatory_above_an_office_line() -> None:
    text = (
        "The Halabja genocide must never be forgotten.\n\n"
        "Layla Karim\n"
        "Special Rapporteur on the rights of survivors\n"
        "16 March 2024\n"
    )
    meta = document_metadata(analyse(text, REFERENCE), {})
    assert (meta.author.label, meta.author.resolved) == ("Layla Karim", False)
    assert meta.author_role == "Special Rapporteur on the rights of survivors"
    assert meta.date == "2024-03-16"


def test_a_stray_opening_quote_does_not_swallow_the_text() -> None:
    text = (
        "\u201cThe Halabja genocide was planned.\n"
        "The board\u2019s chair then spoke about the archives.\n"
        "\u201cWe call on the United Nations to act for the victims of Halabja now,\u201d "
        "said Amira Haddad.\n"
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    assert len(statements) == 2
    assert statement_at(statements, text.index("We call on")) is statements[1]
    assert statement_at(statements, text.index("The board")) is statements[0]


def test_a_dated_public_act_of_a_named_person_is_a_recalled_statement() -> None:
    text = (
        "The Ombudsman recalled the Halabja massacre.\n"
        "Ombudsman Amira Haddad, who publicly condemned the attack on 20 March 1988 in "
        "London, blamed the Iraqi Army for it.\n"
        "Amira Haddad called it a tragedy.\n"
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    assert len(statements) == 2
    own, recalled = statements
    assert recalled.speaker.person.key == "amira-haddad"
    assert recalled.date == "1988-03-20"
    assert recalled.reported_by == 0
    # the act and what follows it are hers; the sentence's opening and other lines are not
    assert statement_at(statements, text.index("blamed the Iraqi Army")) is recalled
    assert statement_at(statements, text.index("Ombudsman Amira")) is own
    assert statement_at(statements, text.index("Amira Haddad called")) is own


def test_no_recalled_statement_without_a_full_date_or_a_person() -> None:
    undated = "Amira Haddad publicly condemned the Halabja massacre in 1988.\n"
    assert len(find_statements(analyse(undated, REFERENCE))) == 1
    nobody = "The Iraqi Army publicly condemned the Halabja massacre on 20 March 1988.\n"
    assert len(find_statements(analyse(nobody, REFERENCE))) == 1


def test_sources_cited_without_quotes_are_reported_statements() -> None:
    text = (
        "Kigali remembers the Rwandan genocide.\n"
        "According to the ICTR, 800,000 people were killed in the Rwandan genocide. "
        "The United Nations estimated that two million people fled. "
        "Survivors still search for relatives. "
        "According to international law, the crime has no statute of limitations.\n"
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    sources = {s.speaker.person.key: s for s in statements[1:]}
    assert set(sources) == {"ictr", "united-nations"}
    assert statement_at(statements, text.index("According to the ICTR")) is sources["ictr"]
    assert statement_at(statements, text.index("The United Nations")) is sources["united-nations"]
    assert statement_at(statements, text.index("Survivors")) is statements[0]
    assert statement_at(statements, text.index("According to international")) is statements[0]


def test_a_letterhead_is_the_issuer_and_the_line_after_it_the_title() -> None:
    text = (
        "**European Parliament**\n\n"
        "Statement on the anniversary of the Srebrenica massacre\n\n"
        "Today we remember the victims of the Srebrenica massacre.\n"
    )
    meta = document_metadata(analyse(text, REFERENCE), {})
    assert meta.issuer.key == "european-parliament"
    assert meta.title == "Statement on the anniversary of the Srebrenica massacre"
    # a first line that says more than a name is no letterhead
    prose = "The European Parliament remembers the Srebrenica massacre today\n\nWe mourn.\n"
    assert document_metadata(analyse(prose, REFERENCE), {}).issuer is None


def test_a_short_date_line_near_the_top_dates_the_statement() -> None:
    body = "".join(f"Survivors of the Halabja massacre spoke in session {i}.\n" for i in range(20))
    for header in (
        "Published: 12 March 2024",
        "Posted on March 12, 2024 by Web Desk",
        "By Omar Said | 12 March 2024",
        "**12 March 2024**",
    ):
        meta = document_metadata(analyse(f"Halabja remembered\n{header}\n{body}", REFERENCE), {})
        assert meta.date == "2024-03-12", header
        assert "date" in meta.inferred
    sentence = "On 16 March 1988 the town of Halabja was attacked by the Iraqi Army"
    meta = document_metadata(analyse(f"Halabja remembered\n{sentence}\n{body}", REFERENCE), {})
    assert meta.date != "1988-03-16"  # an event's date in a sentence dates no statement


def test_signature_forms_name_and_office() -> None:
    body = "Statement on Halabja\n\nWe remember the victims of the Halabja massacre.\n"
    for signature, role in (
        ("Omar Said, Ombudsperson of the Kurdistan Region", "Ombudsperson of the Kurdistan Region"),
        ("\u2014 Omar Said, Ombudsperson of the Kurdistan Region", None),
        ("Signed: Omar Said\nOmbudsperson", "Ombudsperson"),
        ("Dr. Omar Said\nOmbudsperson", "Ombudsperson"),
    ):
        meta = document_metadata(analyse(f"{body}\n{signature}\n", REFERENCE), {})
        assert meta.author is not None and meta.author.text == "Omar Said", signature
        if role:
            assert meta.author_role == role
    contact = document_metadata(
        analyse(f"{body}\nPress contact: Omar Said, Ombudsperson\n", REFERENCE), {}
    )
    assert contact.author is None
