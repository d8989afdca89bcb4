"""The ontology: parses, is OWL 2 DL-clean, consistent with the example, and catches
contested values asserted on entities (HermiT through owlready2)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
import rdflib
from pyoxigraph import NamedNode, RdfFormat
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from loaders.store import EmbeddedStore
from ontology import vocab
from ontology.docs import render_concepts, write_docs
from ontology.files import ONTOLOGY_TTL, ontology_quads
from ontology.queries import named_queries
from tests.conftest import FIXTURES

CG = str(vocab.CG)
ONT = rdflib.URIRef(vocab.ONTOLOGY_IRI)
EXAMPLES = [FIXTURES / "example.trig", FIXTURES / "example-second-source.trig"]
JAVA = shutil.which("java") or "/usr/bin/java"

# Properties whose values are contested: only claims may carry them.
CONTESTED = [
    "legalCategory", "count", "countText", "casualtyKind", "victimGroup", "qualifier",
    "partOf", "perpetrator", "instrument", "article", "calledUpon", "action", "addressee",
    "recognizedBy", "recognitionKind",
]  # fmt: skip
ENTITY_CLASSES = [
    "Event", "Organization", "Person", "Place", "LegalInstrument", "Statement", "Document",
]  # fmt: skip


def cg(name: str) -> rdflib.URIRef:
    return rdflib.URIRef(CG + name)


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_TTL, format="turtle")


def test_header(onto: rdflib.Graph) -> None:
    assert (ONT, RDF.type, OWL.Ontology) in onto
    assert str(onto.value(ONT, OWL.versionInfo)) == "0.1.0"
    assert onto.value(ONT, OWL.versionIRI) == rdflib.URIRef(vocab.ONTOLOGY_IRI + "/0.1.0")
    comment = str(onto.value(ONT, RDFS.comment))
    for vocabulary in ["PROV-O", "schema.org", "SEM", "W3C ORG", "NIF", "SKOS", "Dublin Core",
                       "Wikidata", "FOAF"]:  # fmt: skip
        assert vocabulary in comment, f"the ontology comment does not explain {vocabulary}"


def test_ontology_quads_go_into_the_given_graph() -> None:
    graph = NamedNode("https://example.org/graph/ontology")
    quads = ontology_quads(graph)
    assert len(quads) == len(rdflib.Graph().parse(ONTOLOGY_TTL, format="turtle"))
    assert {q.graph_name for q in quads} == {graph}


def _declared(g: rdflib.Graph, kind: rdflib.URIRef) -> set[rdflib.URIRef]:
    return {s for s in g.subjects(RDF.type, kind) if isinstance(s, rdflib.URIRef)}


BUILTIN = (str(RDF), str(RDFS), str(OWL))


def test_every_term_used_is_declared_as_exactly_one_kind(onto: rdflib.Graph) -> None:
    """OWL 2 DL: no property is both object and datatype (or annotation) property, and
    every predicate and class used in the ontology and the example data is declared."""
    kinds = [OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty]
    declared = {k: _declared(onto, k) for k in kinds}
    for a in kinds:
        for b in kinds:
            if a != b:
                assert not declared[a] & declared[b], f"punned as {a} and {b}"
    data = rdflib.Graph()
    for path in EXAMPLES:
        for quad in ox.parse(path=str(path), format=RdfFormat.TRIG):
            data.parse(data=ox.serialize([quad.triple], format=RdfFormat.N_TRIPLES), format="nt")
    used_predicates = {p for g in (onto, data) for p in g.predicates()}
    all_properties = set().union(*declared.values())
    undeclared = {p for p in used_predicates if not str(p).startswith(BUILTIN)} - all_properties
    assert not undeclared
    used_classes = {o for o in data.objects(None, RDF.type)}
    assert used_classes <= _declared(onto, OWL.Class)
    # Literal-valued predicates in the data are datatype or annotation properties.
    for p in {p for _, p, o in data if isinstance(o, rdflib.Literal)}:
        assert p not in declared[OWL.ObjectProperty], p


@pytest.mark.parametrize("name", CONTESTED)
def test_contested_property_has_a_claim_subclass_domain(onto: rdflib.Graph, name: str) -> None:
    (domain,) = list(onto.objects(cg(name), RDFS.domain))
    members = (
        list(rdflib.collection.Collection(onto, onto.value(domain, OWL.unionOf)))
        if (isinstance(domain, rdflib.BNode))
        else [domain]
    )
    for cls in members:
        assert (cls, RDFS.subClassOf, cg("Claim")) in onto, f"{name} domain {cls}"


def test_claim_is_disjoint_with_entities(onto: rdflib.Graph) -> None:
    disjoint = set(onto.objects(cg("Claim"), OWL.disjointWith))
    assert {cg(n) for n in ENTITY_CLASSES} <= disjoint


ALIGNMENTS = [
    ("Claim", RDFS.subClassOf, "https://schema.org/Claim"),
    ("Claim", RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
    ("Statement", RDFS.subClassOf, "https://schema.org/CreativeWork"),
    ("Document", RDFS.subClassOf, "http://xmlns.com/foaf/0.1/Document"),
    ("Document", RDFS.subClassOf, str(vocab.NIF) + "Context"),
    ("Event", RDFS.subClassOf, "https://schema.org/Event"),
    ("Event", RDFS.subClassOf, str(vocab.SEM) + "Event"),
    ("Organization", RDFS.subClassOf, "http://www.w3.org/ns/org#Organization"),
    ("Organization", RDFS.subClassOf, "http://www.w3.org/ns/prov#Agent"),
    ("Person", RDFS.subClassOf, "https://schema.org/Person"),
    ("Person", RDFS.subClassOf, "http://xmlns.com/foaf/0.1/Person"),
    ("Place", RDFS.subClassOf, "https://schema.org/Place"),
    ("Evidence", RDFS.subClassOf, str(vocab.NIF) + "OffsetBasedString"),
    ("LoadActivity", RDFS.subClassOf, "http://www.w3.org/ns/prov#Activity"),
    ("statedIn", RDFS.subPropertyOf, "https://schema.org/appearance"),
    ("about", RDFS.subPropertyOf, "https://schema.org/about"),
    ("author", RDFS.subPropertyOf, "http://www.w3.org/ns/prov#wasAttributedTo"),
    ("issuer", RDFS.subPropertyOf, "http://www.w3.org/ns/prov#wasAttributedTo"),
    ("reports", RDFS.subPropertyOf, "http://www.w3.org/ns/prov#wasDerivedFrom"),
    ("evidence", RDFS.subPropertyOf, "http://www.w3.org/ns/prov#wasDerivedFrom"),
    ("place", RDFS.subPropertyOf, str(vocab.SEM) + "hasPlace"),
    ("sourceDocument", RDFS.subPropertyOf, "http://purl.org/dc/terms/source"),
    ("publisher", RDFS.subPropertyOf, "http://purl.org/dc/terms/publisher"),
    ("hasClaim", OWL.inverseOf, CG + "statedIn"),
]


@pytest.mark.parametrize("term,relation,target", ALIGNMENTS)
def test_alignment(onto: rdflib.Graph, term: str, relation: rdflib.URIRef, target: str) -> None:
    assert (cg(term), relation, rdflib.URIRef(target)) in onto


SCHEMES = {
    "claim-type": set(vocab.CLAIM_TYPES),
    "legal-category": {
        "genocide", "crime-against-humanity", "war-crime", "massacre", "pogrom",
        "ethnic-cleansing", "act-of-terror", "torture", "persecution", "forced-displacement",
        "extermination", "enforced-disappearance", "aggression", "grave-breach",
    },
    "casualty-kind": {
        "killed", "injured", "wounded", "detained", "taken-hostage", "missing", "displaced",
        "orphaned", "tortured",
    },
    "victim-group": {"children", "women", "elderly", "men", "civilians", "families"},
    "qualifier": {
        "exact", "approximately", "at-least", "more-than", "at-most", "fewer-than", "up-to",
        "order-of-magnitude",
    },
}  # fmt: skip


@pytest.mark.parametrize("scheme_slug", sorted(SCHEMES))
def test_concept_scheme(onto: rdflib.Graph, scheme_slug: str) -> None:
    scheme = rdflib.URIRef(vocab.CONCEPT_BASE + scheme_slug)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
    concepts = set(onto.subjects(SKOS.inScheme, scheme))
    slugs = {str(c).removeprefix(f"{scheme}/") for c in concepts}
    assert SCHEMES[scheme_slug] <= slugs
    for concept in concepts:
        assert str(concept) == f"{scheme}/{str(concept).rsplit('/', 1)[-1]}"
        assert (concept, RDF.type, SKOS.Concept) in onto
        assert list(onto.objects(concept, SKOS.inScheme)) == [scheme]
        (label,) = list(onto.objects(concept, SKOS.prefLabel))
        assert label.language == "en"
        assert len(str(onto.value(concept, SKOS.definition))) > 10
        for broader in onto.objects(concept, SKOS.broader):
            assert broader in concepts, f"{concept} has a broader concept in another scheme"
        # Either a top concept or below one: every concept is reachable from the scheme.
        assert (concept, SKOS.topConceptOf, scheme) in onto or any(
            onto.objects(concept, SKOS.broader)
        )
        for match in onto.objects(concept, SKOS.exactMatch):
            assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q\d+", str(match))


def test_wikidata_matches_are_the_checked_ones(onto: rdflib.Graph) -> None:
    found = {
        str(c).removeprefix(vocab.CONCEPT_BASE): str(m).rsplit("/", 1)[-1]
        for c, m in onto.subject_objects(SKOS.exactMatch)
    }
    assert found == {
        "legal-category/genocide": "Q41397",
        "legal-category/crime-against-humanity": "Q173462",
        "legal-category/war-crime": "Q135010",
        "legal-category/massacre": "Q3199915",
        "legal-category/torture": "Q132781",
        "victim-group/children": "Q7569",
        "victim-group/women": "Q467",
        "victim-group/men": "Q8441",
    }


# --- Reasoning ------------------------------------------------------------------------


def _ntriples(quads: list[ox.Quad] | list[ox.Triple]) -> bytes:
    return ox.serialize([getattr(q, "triple", q) for q in quads], format=RdfFormat.N_TRIPLES)


def _reason(*datasets: bytes) -> None:
    """Load the ontology and data into a fresh owlready2 world and run HermiT on it.

    xsd:date and xsd:gYear are outside the OWL 2 datatype map, so HermiT is told to
    ignore unsupported datatypes (the SHACL shapes check those literals instead).
    """
    owlready2.JAVA_EXE = JAVA
    world = owlready2.World()
    world.get_ontology(vocab.ONTOLOGY_IRI).load(
        fileobj=io.BytesIO(_ntriples(ontology_quads(NamedNode("urn:x:ontology")))),
        format="ntriples",
    )
    for i, data in enumerate(datasets):
        world.get_ontology(f"urn:x:data{i}#").load(fileobj=io.BytesIO(data), format="ntriples")
    try:
        owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    finally:
        world.close()


def test_ontology_and_example_are_consistent() -> None:
    data = [_ntriples(list(ox.parse(path=str(p), format=RdfFormat.TRIG))) for p in EXAMPLES]
    _reason(*data)  # raises OwlReadyInconsistentOntologyError if inconsistent


def test_owlready2_sees_the_classes() -> None:
    world = owlready2.World()
    onto = world.get_ontology(vocab.ONTOLOGY_IRI).load(
        fileobj=io.BytesIO(_ntriples(ontology_quads(NamedNode("urn:x:ontology")))),
        format="ntriples",
    )
    names = {c.iri.removeprefix(CG) for c in world.classes() if c.iri.startswith(CG)}
    assert names == set(vocab.CLASSES)
    claim = world[CG + "Claim"]
    assert world[CG + "CasualtyFigure"] in claim.descendants()
    assert onto is not None
    world.close()


E = "https://example.org/id/"
INCONSISTENT = {
    # A contested value asserted on the event itself: the schema's central rule.
    "legal-category-on-event": f"""
        <{E}e> a <{CG}Event> .
        <{E}e> <{CG}legalCategory> <{vocab.CONCEPT_BASE}legal-category/genocide> .""",
    "perpetrator-on-event": f"""
        <{E}e> a <{CG}Event> .
        <{E}e> <{CG}perpetrator> <{E}army> .""",
    "count-on-statement": f"""
        <{E}s> a <{CG}Statement> .
        <{E}s> <{CG}count> "613"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .""",
    "addressing-about-an-event": f"""
        <{E}c> a <{CG}Addressing> .
        <{E}c> <{CG}about> <{E}e> .""",
    "negative-count": f"""
        <{E}c> a <{CG}CasualtyFigure> .
        <{E}c> <{CG}count> "-3"^^<http://www.w3.org/2001/XMLSchema#integer> .""",
    "two-claim-types": f"""
        <{E}c> a <{CG}CasualtyFigure> , <{CG}LegalCharacterization> .""",
}


def _case(case: str) -> list[ox.Quad]:
    """The case's triples, its example IRIs made unique to it."""
    return list(ox.parse(INCONSISTENT[case].replace(E, f"{E}{case}/"), format=RdfFormat.TURTLE))


def test_cases_are_consistent_without_their_last_triple() -> None:
    """Control: what makes each case inconsistent is its last triple, nothing before it."""
    _reason(_ntriples([q for case in INCONSISTENT for q in _case(case)[:-1]]))


@pytest.mark.parametrize("case", list(INCONSISTENT), ids=list(INCONSISTENT))
def test_contested_value_outside_a_claim_is_inconsistent(case: str) -> None:
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(_ntriples(_case(case)))


# --- Documentation --------------------------------------------------------------------


def test_generated_docs_show_every_term(tmp_path: Path) -> None:
    html_path, concepts_path, queries_path = write_docs(tmp_path)
    queries = queries_path.read_text(encoding="utf-8")
    for query in named_queries():
        assert f"## {query.short_name}: {query.title}" in queries
        assert query.description in queries
    html = html_path.read_text(encoding="utf-8")
    names = vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES
    for name in names:
        assert f"<code>{CG}{name}</code>" in html, f"cg:{name} missing from the HTML"
    assert "<title>claimgraph ontology</title>" in html  # not the concept schemes' titles
    concepts = concepts_path.read_text(encoding="utf-8")
    assert concepts == render_concepts()
    for slugs in SCHEMES.values():
        for slug in slugs:
            assert f"| `{slug}` |" in concepts


def test_committed_docs_are_current() -> None:
    """docs/ontology/ is generated; regenerate with `python -m ontology.docs` after edits."""
    docs = Path(__file__).resolve().parents[1] / "docs" / "ontology"
    assert (docs / "concepts.md").read_text(encoding="utf-8") == render_concepts()
    queries = (docs / "queries.md").read_text(encoding="utf-8")
    for query in named_queries():
        heading = f"## {query.short_name}: {query.title}"
        assert heading in queries, f"{query.name}: run python -m ontology.docs"
    html = (docs / "index.html").read_text(encoding="utf-8")
    for name in vocab.CLASSES + vocab.OBJECT_PROPERTIES + vocab.DATATYPE_PROPERTIES:
        assert f"<code>{CG}{name}</code>" in html, f"cg:{name}: run python -m ontology.docs"


@pytest.mark.slow
def test_loaded_corpus_is_declared_consistent_and_valid(store: EmbeddedStore) -> None:
    """The loaders' real output for the bundled corpus: every term it uses is declared,
    HermiT finds it consistent with the ontology, and the SHACL shapes pass."""
    from loaders.ingest import load_paths
    from ontology.validate import graph_from_triples, validate
    from tests.conftest import DATA

    report = load_paths(store, [DATA / "corpus"], base_iri=vocab.DEFAULT_BASE_IRI, workers=1)
    assert report is not None
    buffer = io.BytesIO()
    store.dump(buffer, RdfFormat.N_QUADS)
    quads = list(ox.parse(buffer.getvalue(), format=RdfFormat.N_QUADS))
    assert len({q.graph_name for q in quads}) >= 7  # 5 documents, reference, ontology
    onto = rdflib.Graph().parse(ONTOLOGY_TTL, format="turtle")
    declared = {str(s) for s in onto.subjects(RDF.type, None)}
    used = {q.predicate.value for q in quads} | {
        q.object.value for q in quads if q.predicate.value == str(RDF.type)
    }
    assert {t for t in used if not t.startswith(BUILTIN)} - declared == set()
    _reason(_ntriples(quads))
    assert [str(v) for v in validate(graph_from_triples(quads))] == []
