"""Reference data: reading, name normalisation, lookup, and the reference graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from loaders.reference import ReferenceError, load_reference, normalise_name, reference_quads
from ontology.vocab import CG, OWL, RDF, SCHEMA, SKOS, XSD
from tests.conftest import FIXTURES

REFERENCE = FIXTURES / "reference"
BASE = "https://example.org/cg/"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("UN Office of the High Commissioner", "United Nations Office of High Commissioner"),
        ("Organization for Security and Co-operation", "Organization for Security and Cooperation"),
        ("Economic, Social, and Cultural Rights", "economic social and cultural rights"),
        ("Azerbaijan\u2019s Ombudsman", "Azerbaijan's Ombudsman"),
    ],
)
def test_normalise_name_equates_spellings(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_lookup_by_label_acronym_alias_and_kind() -> None:
    reference = load_reference(REFERENCE)
    assert reference.lookup("ICCPR").key == "iccpr"
    assert reference.lookup("the Genocide Convention").key == "genocide-convention"
    assert reference.lookup("UN Human Rights Office", ("organization",)).key == "ohchr"
    assert reference.lookup("Halabja", ("event",)) is None
    assert reference.lookup("Halabja", ("place",)).key == "halabja"
    assert (
        reference.term("legal_categories", "Crimes  against humanity") == "crime-against-humanity"
    )


def test_reference_quads_carry_labels_ids_and_event_dates() -> None:
    quads = reference_quads(BASE, REFERENCE)
    graph = NamedNode(BASE + "graph/reference")
    assert {q.graph_name for q in quads} == {graph}
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    iccpr = NamedNode(BASE + "id/instrument/iccpr")
    assert (iccpr, RDF.type, CG.LegalInstrument) in triples
    assert (iccpr, CG.acronym, Literal("ICCPR")) in triples
    assert (iccpr, OWL.sameAs, NamedNode("http://www.wikidata.org/entity/Q195038")) in triples
    assert (
        iccpr,
        OWL.sameAs,
        NamedNode(
            "http://dbpedia.org/resource/International_Covenant_on_Civil_and_Political_Rights"
        ),
    ) in triples
    halabja = NamedNode(BASE + "id/event/halabja-massacre")
    assert (halabja, SKOS.altLabel, Literal("Bloody Friday", language="en")) in triples
    assert (halabja, SCHEMA.startDate, Literal("1988-03-16", datatype=XSD.date)) in triples
    assert (halabja, CG.place, NamedNode(BASE + "id/place/halabja")) in triples


def test_bad_reference_file_names_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "organizations.yaml").write_text("- id: Bad Key\n  label: X\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match=r"organizations.yaml entry 1.*\[a-z0-9-\]"):
        load_reference(tmp_path)
    (tmp_path / "organizations.yaml").write_text("- id: ok\n  label: X\n  wikidata: 12\n")
    with pytest.raises(ReferenceError, match="wikidata"):
        load_reference(tmp_path / ".")
