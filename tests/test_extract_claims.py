"""Claims of every type from sentences written in the genre (not taken from the seeds)."""

from __future__ import annotations

import pytest

from loaders.analysis import analyse
from loaders.attribution import find_statements
from loaders.claims import ClaimRecord, extract_claims
from loaders.entities import Mention
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "reference"

TEXT = (
    "## Statement on the 36th anniversary of the Halabja genocide\n\n"
    "On March 16, 1988, the Iraqi forces attacked the town of Halabja with chemical weapons. "
    "As a result of this act of genocide, more than 5,000 residents, including 1,200 children "
    "and 700 women, were killed, nearly ten thousand people were injured, and hundreds of "
    "families were forcibly displaced.\n\n"
    "The massacre in Halabja constitutes a crime against humanity. It was also a war crime. "
    "Widespread attacks against a civilian population constitute crimes against humanity. "
    "These events cannot be characterized as ethnic cleansing.\n\n"
    "The attack gravely violated the Geneva Conventions and Articles 6 and 7 of the "
    "International Covenant on Civil and Political Rights.\n\n"
    "In 2008, the Iraqi High Tribunal recognized the massacre as genocide, and the "
    "European Parliament condemned it.\n\n"
    "We call on the United Nations and the international community to ensure accountability "
    "for the perpetrators, and we urge them to support the survivors.\n\n"
    "The statement is addressed to the UN Security Council, the Council of Europe (CoE) and "
    "national human rights institutions.\n"
)


@pytest.fixture(scope="module")
def claims() -> list[ClaimRecord]:
    analysis = analyse(TEXT, REFERENCE)
    return extract_claims(analysis, find_statements(analysis))


def _of(claims: list[ClaimRecord], kind: str) -> list[ClaimRecord]:
    return [c for c in claims if c.type == kind]


def _keys(values: list) -> list:
    return [v.key if isinstance(v, Mention) else getattr(v, "slug", v) for v in values]


def test_legal_characterizations_are_per_event_and_category(claims) -> None:
    found = {
        (c.about, c.values["legalCategory"][0].slug) for c in _of(claims, "legal-characterization")
    }
    assert found == {
        (("halabja-massacre",), "genocide"),
        (("halabja-massacre",), "crime-against-humanity"),
        (("halabja-massacre",), "war-crime"),
        (("halabja-massacre",), "massacre"),
    }
    (genocide,) = [
        c
        for c in _of(claims, "legal-characterization")
        if c.values["legalCategory"][0].slug == "genocide"
    ]
    assert len(genocide.evidence) == 2  # the title and "this act of genocide": one claim
    assert all(c.statement == 0 for c in claims)


def test_casualty_figures_with_hedges_breakdown_and_groups(claims) -> None:
    figures = {
        c.values["count"][0]: (
            c.values["qualifier"][0].slug,
            c.values["casualtyKind"][0].slug,
            _keys(c.values.get("victimGroup", [None]))[0],
            c.part_of[3] if c.part_of else None,
        )
        for c in _of(claims, "casualty-figure")
    }
    assert figures == {
        5000: ("more-than", "killed", "civilians", None),
        1200: ("exact", "killed", "children", 5000),
        700: ("exact", "killed", "women", 5000),
        10000: ("approximately", "injured", None, None),
        100: ("order-of-magnitude", "displaced", "families", None),
    }
    texts = {c.values["countText"][0] for c in _of(claims, "casualty-figure")}
    assert {"5,000", "ten thousand", "hundreds"} <= texts


def test_perpetrator(claims) -> None:
    (claim,) = _of(claims, "perpetrator-attribution")
    assert _keys(claim.values["perpetrator"]) == ["iraqi-army"]
    assert claim.about == ("halabja-massacre",)


def test_instrument_violations_with_articles(claims) -> None:
    found = {
        _keys(c.values["instrument"])[0]: c.values.get("article", [])
        for c in _of(claims, "instrument-violation")
    }
    assert found == {"geneva-conventions": [], "iccpr": ["6", "7"]}


def test_recognitions_by_each_body(claims) -> None:
    found = {
        (
            _keys(c.values["recognizedBy"])[0],
            c.values["recognitionKind"][0],
            _keys(c.values.get("legalCategory", [None]))[0],
        )
        for c in _of(claims, "recognition")
    }
    assert found == {
        ("iraqi-high-tribunal", "recognized", "genocide"),
        ("european-parliament", "condemned", None),
    }


def test_calls_to_action_resolve_them(claims) -> None:
    found = {
        (tuple(sorted(_keys(c.values["calledUpon"]))), c.values["action"][0])
        for c in _of(claims, "call-to-action")
    }
    assert found == {
        (
            ("international-community", "united-nations"),
            "ensure accountability for the perpetrators",
        ),
        (("international-community", "united-nations"), "support the survivors"),
    }


def test_addressees(claims) -> None:
    found = [_keys(c.values["addressee"])[0] for c in _of(claims, "addressee")]
    assert found == [
        "un-security-council",
        "council-of-europe",
        "national-human-rights-institutions",
    ]
    assert all(c.about == () for c in _of(claims, "addressee"))


def test_every_evidence_span_is_inside_the_text(claims) -> None:
    for claim in claims:
        for begin, end in claim.evidence:
            assert 0 <= begin < end <= len(TEXT)
            assert TEXT[begin:end].strip() == TEXT[begin:end]


def _claims_of(text: str, kind: str) -> list[ClaimRecord]:
    analysis = analyse(text, REFERENCE)
    return _of(extract_claims(analysis, find_statements(analysis)), kind)


def test_articles_after_the_instrument_and_names_joined_by_and_the() -> None:
    text = (
        "The Rwandan genocide was carried out by the Interahamwe and the Presidential Guard. "
        "It violated the Genocide Convention, in particular Articles 2 and 3."
    )
    (violation,) = _claims_of(text, "instrument-violation")
    assert violation.values["article"] == ["2", "3"]
    perpetrators = {
        _keys(c.values["perpetrator"])[0] for c in _claims_of(text, "perpetrator-attribution")
    }
    assert perpetrators == {"interahamwe", "presidential-guard"}


def test_recognition_of_a_category_in_a_that_clause_and_temporal_events() -> None:
    text = (
        "The Srebrenica genocide was the worst crime in Europe since the Rwandan genocide. "
        "The International Criminal Tribunal for the former Yugoslavia ruled in 2004 that "
        "the killings constituted genocide."
    )
    (recognition,) = _claims_of(text, "recognition")
    assert _keys(recognition.values["recognizedBy"]) == ["icty"]
    assert _keys(recognition.values["legalCategory"]) == ["genocide"]
    assert recognition.about == ("srebrenica-massacre",)


def test_charges_against_people_are_not_characterizations() -> None:
    text = "After the Srebrenica genocide, two commanders were charged with war crimes."
    found = {c.values["legalCategory"][0].slug for c in _claims_of(text, "legal-characterization")}
    assert found == {"genocide"}


def test_passive_perpetrators_and_forces_named_with_a_place() -> None:
    text = (
        "The Halabja massacre was an act of genocide organized by the Iraqi Army. UN experts "
        "said that hundreds of civilians were killed by Baathist troops in Halabja."
    )
    found = {_keys(c.values["perpetrator"])[0] for c in _claims_of(text, "perpetrator-attribution")}
    assert found == {"iraqi-army", "baathist-troops"}  # not the UN, not "troops in Halabja"


def test_demand_that_clause() -> None:
    text = (
        "The Srebrenica massacre is unpunished. We demand that the Government of Serbia "
        "and the United Nations ensure justice for the victims."
    )
    (call,) = _claims_of(text, "call-to-action")
    assert sorted(_keys(call.values["calledUpon"])) == ["government-serbia", "united-nations"]
    assert call.values["action"] == ["ensure justice for the victims"]


def test_acts_count_as_categories_only_when_a_verb_says_so() -> None:
    listed = "The Halabja genocide was accompanied by killings, torture and looting."
    assert {
        c.values["legalCategory"][0].slug for c in _claims_of(listed, "legal-characterization")
    } == {"genocide"}
    said = "The treatment of prisoners in the Halabja genocide amounted to torture."
    assert "torture" in {
        c.values["legalCategory"][0].slug for c in _claims_of(said, "legal-characterization")
    }


def test_the_conventional_name_is_no_claim_another_name_is() -> None:
    usual = "Survivors of the Srebrenica massacre met in Potocari."
    assert _claims_of(usual, "legal-characterization") == []
    other = "Survivors of the Srebrenica genocide met in Potocari."
    (claim,) = _claims_of(other, "legal-characterization")
    assert claim.values["legalCategory"][0].slug == "genocide"


@pytest.mark.parametrize(
    "sentence",
    [
        "In the Halabja massacre, Security Council resolution 620 was ignored by 40 states.",
        "After the Halabja massacre, $400 million was paid to victims who were injured.",
        "Halabja massacre survivors aged 10 to 65 were injured, the 21st Brigade said.",
    ],
)
def test_numbers_that_are_not_casualty_figures(sentence: str) -> None:
    assert _claims_of(sentence, "casualty-figure") == []


def test_article_abbreviation_keeps_the_sentence_whole() -> None:
    text = "The Halabja massacre violated Art. 6 of the ICCPR."
    (violation,) = _claims_of(text, "instrument-violation")
    assert violation.values["article"] == ["6"]


def test_states_named_by_country_and_what_is_not_their_doing() -> None:
    by_state = "The Halabja massacre was perpetrated by Iraq."
    assert [
        _keys(c.values["perpetrator"]) for c in _claims_of(by_state, "perpetrator-attribution")
    ] == [["iraq"]]
    located = (
        "A massacre occurred in Srebrenica, Rwanda in July, where Interahamwe fighters killed men."
    )
    assert {
        _keys(c.values["perpetrator"])[0] for c in _claims_of(located, "perpetrator-attribution")
    } == {"interahamwe-fighters"}
    relative = "After the Halabja massacre, Iraq ignored the families of people who were killed."
    assert _claims_of(relative, "perpetrator-attribution") == []


def test_passive_recognition_of_the_event_as_subject() -> None:
    text = "The Rwandan genocide has been recognized by the European Parliament and the ICTR."
    found = {(_keys(c.values["recognizedBy"])[0], c.about) for c in _claims_of(text, "recognition")}
    assert found == {
        ("european-parliament", ("rwandan-genocide",)),
        ("ictr", ("rwandan-genocide",)),
    }


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "In the Halabja massacre, the army stormed the town, killing 300 residents and "
            "wounding 40 more.",
            {(300, "killed", "civilians"), (40, "wounded", None)},
        ),
        (
            "The Halabja massacre claimed the lives of 1,500 civilians.",
            {(1500, "killed", "civilians")},
        ),
        (
            "The Halabja massacre left 23 dead and dozens wounded.",
            {(23, "killed", None), (12, "wounded", None)},
        ),
        (
            "The Halabja massacre: 5,000 killed, 10,000 injured.",
            {(5000, "killed", None), (10000, "injured", None)},
        ),
    ],
)
def test_casualty_phrasings(sentence: str, expected: set) -> None:
    found = {
        (
            c.values["count"][0],
            c.values["casualtyKind"][0].slug,
            _keys(c.values.get("victimGroup", [None]))[0],
        )
        for c in _claims_of(sentence, "casualty-figure")
    }
    assert found == expected


def test_agent_after_an_event_noun_and_its_place_and_date() -> None:
    text = "The Halabja massacre was an attack on Halabja on 16 March 1988 by the Iraqi Army."
    assert [
        _keys(c.values["perpetrator"]) for c in _claims_of(text, "perpetrator-attribution")
    ] == [["iraqi-army"]]
    reported = "A report on the Halabja massacre in Halabja published by the ICTR is out."
    assert _claims_of(reported, "perpetrator-attribution") == []


def test_calls_for_and_recognition_asked_for_is_still_a_characterization() -> None:
    text = "We call for the international community to recognize the Srebrenica genocide."
    (call,) = _claims_of(text, "call-to-action")
    assert _keys(call.values["calledUpon"]) == ["international-community"]
    assert call.values["action"] == ["recognize the Srebrenica genocide"]
    assert [
        c.values["legalCategory"][0].slug for c in _claims_of(text, "legal-characterization")
    ] == ["genocide"]
    assert _claims_of(text, "recognition") == []


def test_figures_during_an_event_belong_to_that_event() -> None:
    text = (
        "The Srebrenica massacre is remembered every July.\n\n"
        "During the Rwandan genocide, 300 teachers were killed.\n\n"
        "After the Halabja massacre, 40 families were displaced."
    )
    found = {(c.values["count"][0], c.about) for c in _claims_of(text, "casualty-figure")}
    # "during" names the event itself; "after" only dates the sentence by another event,
    # so that figure falls back to the text's main event
    assert found == {(300, ("rwandan-genocide",)), (40, ("srebrenica-massacre",))}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # coordinated subjects: every agent of the verb
            "In the Rwandan genocide, Hutu extremists and the Interahamwe murdered teachers.",
            {"hutu-extremists", "interahamwe"},
        ),
        (  # the subject of the reported clause, not the body that reports it
            "The United Nations said that Iraqi forces gassed villagers in the Halabja massacre.",
            {"iraqi-army"},
        ),
        ("The Srebrenica massacre was ordered by Amira Haddad.", {"amira-haddad"}),
        ("The Halabja massacre was planned by the Iraqi Army.", {"iraqi-army"}),
        (
            "Responsibility for the Halabja massacre lies with the Iraqi Army.",
            {"iraqi-army"},
        ),
        ("The Iraqi Army bears full responsibility for the Halabja massacre.", {"iraqi-army"}),
        ("The Interahamwe is directly responsible for the Rwandan genocide.", {"interahamwe"}),
        ("The Interahamwe's genocide against the Tutsi lasted 100 days.", {"interahamwe"}),
        ("Iraq's policy of genocide culminated in the Halabja massacre.", {"iraq"}),
        # a country owning an event only places it; "lies with" needs "responsibility"
        ("Rwanda's genocide against the Tutsi is remembered in April.", set()),
        ("After the Halabja massacre, the future lies with the Iraqi Army.", set()),
    ],
)
def test_perpetrator_phrasings(sentence: str, expected: set) -> None:
    found = {
        _keys(c.values["perpetrator"])[0] for c in _claims_of(sentence, "perpetrator-attribution")
    }
    assert found == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "The death toll from the Halabja massacre later climbed to 5,100.",
            {(5100, "killed", "exact", "5,100")},
        ),
        (
            "The death toll of the Rwandan genocide was 800,000.",
            {(800000, "killed", "exact", "800,000")},
        ),
        (
            "The Srebrenica massacre, claiming the lives of 8,000 men, shocked Europe.",
            {(8000, "killed", "exact", "8,000")},
        ),
        (
            "After the Srebrenica massacre, 1,200 men remain unaccounted for.",
            {(1200, "missing", "exact", "1,200")},
        ),
        (
            "In the Halabja massacre, 40 villagers were burned alive.",
            {(40, "killed", "exact", "40")},
        ),
        (  # a range is one figure: its upper bound, with the range as its text
            "In the Rwandan genocide, between 500,000 and 800,000 people were killed.",
            {(800000, "killed", "up-to", "between 500,000 and 800,000")},
        ),
        (
            "The Halabja massacre killed from 3,200 to 5,000 people.",
            {(5000, "killed", "up-to", "from 3,200 to 5,000")},
        ),
        (  # the toll is no figure when something else sits between it and the number
            "The death toll of the Halabja massacre is disputed, and 12 reports exist.",
            set(),
        ),
    ],
)
def test_tolls_ranges_and_more_kinds(sentence: str, expected: set) -> None:
    found = {
        (
            c.values["count"][0],
            c.values["casualtyKind"][0].slug,
            c.values["qualifier"][0].slug,
            c.values["countText"][0],
        )
        for c in _claims_of(sentence, "casualty-figure")
    }
    assert found == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # a bare four-digit number before a victim group or after a kind counts
            "In the Halabja massacre, the army killed 1500 and held the 1200 civilians detained.",
            {(1500, "killed"), (1200, "detained")},
        ),
        # after a preposition of time it stays a year
        ("In the Halabja massacre, in 1988 civilians were killed.", set()),
    ],
)
def test_four_digit_counts(sentence: str, expected: set) -> None:
    found = {
        (c.values["count"][0], c.values["casualtyKind"][0].slug)
        for c in _claims_of(sentence, "casualty-figure")
    }
    assert found == expected


def test_a_number_inside_a_kind_is_no_figure() -> None:
    text = "In the Srebrenica massacre, 40 children lost at least one parent."
    analysis = analyse(text)  # the bundled reference data, which knows "orphaned"
    found = {
        (c.values["count"][0], c.values["casualtyKind"][0].slug)
        for c in extract_claims(analysis, find_statements(analysis))
        if c.type == "casualty-figure"
    }
    assert found == {(40, "orphaned")}  # not "one" as a second figure or a lost kind


def _parts(text: str) -> dict:
    return {
        (c.values["count"][0], c.values["casualtyKind"][0].slug): c.part_of[3]
        if c.part_of
        else None
        for c in _claims_of(text, "casualty-figure")
    }


def test_subsets_named_by_their_whole_link_to_it() -> None:
    # the whole later in the same sentence
    same = "In the Halabja massacre, among the wounded, 90 were children, and 700 were wounded."
    assert _parts(same) == {(90, "wounded"): 700, (700, "wounded"): None}
    # the whole in an earlier sentence of the same event
    earlier = "In the Halabja massacre, 5,000 people were killed. Of those killed, 300 were women."
    assert _parts(earlier) == {(5000, "killed"): None, (300, "killed"): 5000}
    # a part before its whole: "150 ..., among the 1,200 hostages"; "40 of the 900 ..."
    after = (
        "In the Halabja massacre, the fate of 150 people, including 30 women, among the "
        "1,200 taken hostage remains unknown, and 40 of the 900 detained died."
    )
    parts = _parts(after)
    assert parts[(150, "missing")] == 1200
    assert parts[(30, "missing")] == 150
    assert parts[(1200, "taken-hostage")] is None


def test_unknown_addressees_are_whole_list_items() -> None:
    text = (
        "The Halabja massacre statement is addressed to the UN Security Council, "
        "ombudspersons of neighbouring countries and the European Parliament, diplomatic "
        "missions of Iraq in European countries (CMIs), as well as Kurdish community "
        "organizations.\n"
    )
    found = {
        (_keys(c.values["addressee"])[0], text[slice(*c.evidence[0])])
        for c in _claims_of(text, "addressee")
    }
    assert found == {
        ("un-security-council", "UN Security Council"),
        ("ombudspersons-of-neighbouring-countries", "ombudspersons of neighbouring countries"),
        ("european-parliament", "European Parliament"),
        (
            "diplomatic-missions-of-iraq-in-european-countries",
            "diplomatic missions of Iraq in European countries",
        ),
        ("kurdish-community-organizations", "Kurdish community organizations"),
    }


def test_a_recalled_statement_blames_and_its_reporter_says_it_condemned() -> None:
    text = (
        "On 21 March 1988, Amira Haddad held a press conference in London on the Halabja "
        "massacre, attributing responsibility to the Iraqi Army.\n"
        "Amira Haddad, who condemned the Halabja massacre on 22 March 1988, spoke again.\n"
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    claims = extract_claims(analysis, statements)
    (blame,) = _of(claims, "perpetrator-attribution")
    assert statements[blame.statement].speaker.person.key == "amira-haddad"
    assert statements[blame.statement].date == "1988-03-21"
    (condemned,) = _of(claims, "recognition")
    assert condemned.statement == 0  # the text reports that she condemned it


def test_saying_an_event_massacred_people_calls_it_a_massacre() -> None:
    text = "During the Rwandan genocide, militias massacred 2,000 people in Nyarubuye."
    analysis = analyse(text)  # the bundled term lists
    claims = extract_claims(analysis, find_statements(analysis))
    found = {c.values["legalCategory"][0].slug for c in _of(claims, "legal-characterization")}
    assert found == {"massacre"}  # "the Rwandan genocide" is the event's conventional name
    (figure,) = _of(claims, "casualty-figure")
    assert (figure.values["count"][0], figure.values["casualtyKind"][0].slug) == (2000, "killed")


def test_the_commander_named_with_the_forces_is_a_perpetrator_too() -> None:
    text = (
        "The Srebrenica massacre was committed by the Interahamwe under the command of "
        "Amira Haddad."
    )
    found = {_keys(c.values["perpetrator"])[0] for c in _claims_of(text, "perpetrator-attribution")}
    assert found == {"interahamwe", "amira-haddad"}


def test_a_day_designated_for_the_event_carries_its_category() -> None:
    text = (
        "The European Parliament designated 16 March as the Day of Remembrance of the "
        "Halabja genocide."
    )
    (recognition,) = _claims_of(text, "recognition")
    assert recognition.values["recognitionKind"] == ["designated"]
    assert recognition.values["legalCategory"][0].slug == "genocide"


def test_a_collective_of_a_named_body_is_that_body() -> None:
    text = (
        "We call on the competent bodies of the United Nations and the Council of Europe to "
        "investigate the Halabja massacre."
    )
    (call,) = _claims_of(text, "call-to-action")
    assert sorted(_keys(call.values["calledUpon"])) == ["council-of-europe", "united-nations"]


def _statement_of(text: str, kind: str) -> list[tuple[int, ClaimRecord]]:
    analysis = analyse(text, REFERENCE)
    return [
        (c.statement, c) for c in _of(extract_claims(analysis, find_statements(analysis)), kind)
    ]


def test_perpetrators_by_hands_armed_groups_and_responsibility() -> None:
    text = (
        "The massacre in Dovrel was carried out by government forces and allied paramilitary "
        "groups. Hundreds of villagers died at the hands of the Tarven security services. "
        "Historians hold the Kessar Army responsible for the deaths, and the Vantor Brigade "
        "leaders responsible for it were never tried. The victims were not blamed on anyone."
    )
    found = {
        (_keys(c.values["perpetrator"])[0], c.about)
        for c in _claims_of(text, "perpetrator-attribution")
    }
    assert found == {
        ("government-forces", ("dovrel-massacre",)),
        ("allied-paramilitary-groups", ("dovrel-massacre",)),
        ("tarven-security-services", ("dovrel-massacre",)),
        ("kessar-army", ("dovrel-massacre",)),
        ("vantor-brigade", ("dovrel-massacre",)),
    }


def test_figures_cited_from_a_source_are_the_sources_statement() -> None:
    text = (
        "The massacre in Dovrel shocked the region. A United Nations panel of experts "
        "estimated that between 2,000 and 3,000 people were killed in Dovrel. More than "
        "40,000 people were displaced, according to OHCHR. Its report found that 120 bodies "
        "were recovered from one grave. At least 15 people were injured."
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    speakers = [s.speaker.person.key if s.speaker else None for s in statements]
    assert speakers == [None, "united-nations-panel-of-experts", "ohchr"]
    figures = {
        c.values["count"][0]: (speakers[c.statement], c.values["casualtyKind"][0].slug)
        for c in _of(extract_claims(analysis, statements), "casualty-figure")
    }
    assert figures == {
        3000: ("united-nations-panel-of-experts", "killed"),
        40000: ("ohchr", "displaced"),
        120: ("ohchr", "killed"),
        15: (None, "injured"),
    }


def test_recognitions_in_findings_and_descriptions() -> None:
    text = (
        "The massacre in Dovrel was a turning point. In 2012 the European Parliament "
        "described the killings in Dovrel as a war crime. The International Criminal Tribunal "
        "for the former Yugoslavia, established by the UN Security Council, concluded that "
        "genocide was committed in Dovrel."
    )
    found = {
        (
            _keys(c.values["recognizedBy"])[0],
            _keys(c.values.get("legalCategory", [None]))[0],
            c.about,
        )
        for c in _claims_of(text, "recognition")
    }
    assert found == {
        ("european-parliament", "war-crime", ("dovrel-massacre",)),
        ("icty", "genocide", ("dovrel-massacre",)),
    }
    found = {c.values["legalCategory"][0].slug for c in _claims_of(text, "legal-characterization")}
    assert found == {"massacre"}  # the event's name; war crime and genocide are the bodies'


def test_second_party_of_a_call_bare_government_and_passive_demands() -> None:
    text = (
        "The massacre in Dovrel must never be repeated. We call on the Council of Europe to "
        "send observers, and on the member states of the United Nations to fund the inquiry. "
        "Parliament requests the Government to open the archives. The perpetrators must be "
        "held responsible for the massacre."
    )
    found = {
        (tuple(_keys(c.values["calledUpon"])), c.values["action"][0])
        for c in _claims_of(text, "call-to-action")
    }
    assert found == {
        (("council-of-europe",), "send observers"),
        (("member-states-of-the-united-nations",), "fund the inquiry"),
        (("government",), "open the archives"),
    }


def test_no_category_inside_an_instrument_name_and_the_attacks_point_back() -> None:
    text = (
        "The massacre in Dovrel began at dawn. The attacks amounted to crimes against "
        "humanity. The Convention on the Prevention and Punishment of the Crime of Genocide "
        "was adopted in 1948."
    )
    found = {c.values["legalCategory"][0].slug for c in _claims_of(text, "legal-characterization")}
    assert found == {"massacre", "crime-against-humanity"}


def test_hedged_range_and_toll_put_at_a_figure() -> None:
    text = (
        "The massacre in Dovrel lasted three days. An estimated 2,000 to 3,000 villagers were "
        "killed. Local sources put the toll at over 4,500."
    )
    figures = {
        c.values["count"][0]: (c.values["qualifier"][0].slug, c.values["casualtyKind"][0].slug)
        for c in _claims_of(text, "casualty-figure")
    }
    assert figures == {3000: ("up-to", "killed"), 4500: ("more-than", "killed")}


def test_agents_that_did_no_harm_are_no_perpetrators() -> None:
    text = (
        "The massacre in Dovrel left 300 families without news. Some 120 missing persons "
        "registered by the ICRC are still sought. The Tarven Ministry responsible for refugees "
        "opened two shelters."
    )
    assert _claims_of(text, "perpetrator-attribution") == []


def test_a_place_names_an_event_alone_only_when_the_dates_fit() -> None:
    fits = analyse("In Srebrenica, thousands of men were killed in July 1995.", REFERENCE)
    assert [e.key for e in fits.events] == ["srebrenica-massacre"]
    later = analyse("In Srebrenica, 775 victims were buried in 2010.", REFERENCE)
    assert later.events == []


def test_a_speaker_describing_an_event_characterizes_it() -> None:
    text = (
        "The massacre in Dovrel was planned. \u201cWe will not forget what happened in Dovrel "
        "in those three days of terror,\u201d said Ombudsman Jane Roe. Roe described the "
        "massacre as genocide."
    )
    analysis = analyse(text, REFERENCE)
    statements = find_statements(analysis)
    claims = extract_claims(analysis, statements)
    found = {
        (c.statement, c.values["legalCategory"][0].slug)
        for c in _of(claims, "legal-characterization")
    }
    assert (1, "genocide") in found  # Roe's own statement, not a recognition by another


def test_figures_and_perpetrators_of_a_sentence_naming_two_events() -> None:
    text = (
        "Some 300 people died in the massacre in Dovrel, while 120 were killed in the "
        "massacre in Kessa; the Kessar Army carried out the massacre in Kessa."
    )
    figures = {c.values["count"][0]: c.about for c in _claims_of(text, "casualty-figure")}
    assert figures == {300: ("dovrel-massacre",), 120: ("kessa-massacre",)}
    (perpetrator,) = _claims_of(text, "perpetrator-attribution")
    assert perpetrator.about == ("kessa-massacre",)
