"""ontology/vocab.py and claimgraph.ttl name the same terms, each labelled and commented."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from ontology import vocab
from ontology.files import ONTOLOGY_TTL

KINDS = {
    **{name: OWL.Class for name in vocab.CLASSES},
    **{name: OWL.ObjectProperty for name in vocab.OBJECT_PROPERTIES},
    **{name: OWL.DatatypeProperty for name in vocab.DATATYPE_PROPERTIES},
}


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_term_is_declared_labelled_and_commented(ontology: rdflib.Graph, name: str) -> None:
    term = rdflib.URIRef(vocab.CG.term(name).value)
    assert (term, RDF.type, KINDS[name]) in ontology, f"cg:{name} is not a {KINDS[name]}"
    labels = [lit for lit in ontology.objects(term, RDFS.label) if lit.language == "en"]
    comments = [lit for lit in ontology.objects(term, RDFS.comment) if lit.language == "en"]
    assert len(labels) == 1 and str(labels[0]).strip()
    assert len(comments) == 1 and len(str(comments[0])) > 20


def test_ontology_declares_no_term_missing_from_vocab(ontology: rdflib.Graph) -> None:
    """The other direction: code cannot overlook a term the ontology defines."""
    declared = {
        str(s).removeprefix(str(vocab.CG))
        for s in ontology.subjects()
        if isinstance(s, rdflib.URIRef) and str(s).startswith(str(vocab.CG))
    }
    assert declared == set(KINDS)


def test_no_term_is_listed_twice() -> None:
    names = vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES
    assert len(names) == len(set(names))


@pytest.mark.parametrize("slug,class_name", sorted(vocab.CLAIM_TYPES.items()))
def test_claim_type_concept_matches_its_class(
    ontology: rdflib.Graph, slug: str, class_name: str
) -> None:
    concept = rdflib.URIRef(vocab.claim_type(slug).value)
    scheme = rdflib.URIRef(vocab.CONCEPT_BASE + "claim-type")
    assert (concept, RDF.type, SKOS.Concept) in ontology
    assert (concept, SKOS.inScheme, scheme) in ontology
    cls = rdflib.URIRef(vocab.CG.term(class_name).value)
    assert (cls, RDFS.subClassOf, rdflib.URIRef(vocab.CG.term("Claim").value)) in ontology
    # The class is tied to its concept by an owl:hasValue restriction on cg:claimType.
    values = {
        ontology.value(r, OWL.hasValue)
        for r in ontology.objects(cls, RDFS.subClassOf)
        if ontology.value(r, OWL.onProperty) == rdflib.URIRef(vocab.CG.term("claimType").value)
    }
    assert values == {concept}


def test_claim_type_scheme_has_exactly_the_vocab_slugs(ontology: rdflib.Graph) -> None:
    scheme = rdflib.URIRef(vocab.CONCEPT_BASE + "claim-type")
    slugs = {
        str(c).removeprefix(str(vocab.CLAIM_TYPE)) for c in ontology.subjects(SKOS.inScheme, scheme)
    }
    assert slugs == set(vocab.CLAIM_TYPES)


def test_prefixes_are_the_namespaces() -> None:
    assert vocab.PREFIXES["cg"] == vocab.ONTOLOGY_IRI + "#"
    assert vocab.PREFIXES["lc"] == vocab.CONCEPT_BASE + "legal-category/"
    assert vocab.CG.term("Claim").value == "https://w3id.org/claimgraph/ontology#Claim"
