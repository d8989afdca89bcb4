"""The published JSON-LD @context: complete for the vocabulary, and lossless when used."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from pyoxigraph import Literal, Quad, RdfFormat
from rdflib import Graph

from ontology import iris
from ontology.files import CONTEXT_JSONLD
from ontology.vocab import (
    CG,
    CLASSES,
    DATATYPE_PROPERTIES,
    DEFAULT_BASE_IRI,
    LEGAL_CATEGORY,
    NIF,
    OBJECT_PROPERTIES,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    WD,
    XSD,
    claim_type,
)

B = DEFAULT_BASE_IRI


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT_JSONLD.read_text(encoding="utf-8"))["@context"]


def expand(context: dict, term: str) -> str:
    definition = context[term]
    iri = definition["@id"] if isinstance(definition, dict) else definition
    prefix, _, local = iri.partition(":")
    return context[prefix] + local if prefix in context else iri


@pytest.mark.parametrize("term", CLASSES + OBJECT_PROPERTIES + DATATYPE_PROPERTIES)
def test_every_vocabulary_term_has_a_short_name(context: dict, term: str) -> None:
    assert expand(context, term) == CG[term].value


def test_object_properties_take_iris(context: dict) -> None:
    assert all(context[p]["@type"] == "@id" for p in OBJECT_PROPERTIES)


def test_prefixes_match_the_vocabulary(context: dict) -> None:
    assert {k: context[k] for k in PREFIXES} == PREFIXES


def sample_graph() -> list[Quad]:
    g = iris.document_graph(B, "doc")
    doc, stmt = iris.document(B, "doc"), iris.statement(B, "doc")
    claim, ev = iris.claim(B, "doc", "x"), iris.evidence(B, "doc", 4, 7)
    event = iris.entity(B, "event", "an-event")
    rows = [
        (doc, RDF.type, CG.Document),
        (doc, CG.text, Literal("The 613 killed")),
        (stmt, RDF.type, CG.Statement),
        (stmt, CG.sourceDocument, doc),
        (claim, RDF.type, CG.CasualtyFigure),
        (claim, CG.claimType, claim_type("casualty-figure")),
        (claim, CG.statedIn, stmt),
        (claim, CG.about, event),
        (claim, CG["count"], Literal(613)),
        (claim, CG.countText, Literal("613")),
        (claim, CG.legalCategory, LEGAL_CATEGORY["genocide"]),
        (claim, CG.evidence, ev),
        (ev, NIF.anchorOf, Literal("613")),
        (ev, NIF.beginIndex, Literal(4)),
        (ev, NIF.endIndex, Literal(7)),
        (ev, NIF.referenceContext, doc),
        (event, RDFS.label, Literal("An event", language="en")),
        (event, OWL.sameAs, WD.Q1),
        (event, CG.resolved, Literal("false", datatype=XSD.boolean)),
    ]
    return [Quad(s, p, o, g) for s, p, o in rows]


def test_compacted_export_reads_well_and_loses_nothing(context: dict) -> None:
    ntriples = ox.serialize([q.triple for q in sample_graph()], format=RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=ntriples.decode(), format="nt")
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    nodes = {node["id"]: node for node in document["@graph"]}
    claim = nodes[iris.claim(B, "doc", "x").value]
    assert claim["type"] == "CasualtyFigure"
    assert claim["count"] == 613  # a plain JSON number, not {"@value": ..., "@type": ...}
    assert claim["statedIn"] == iris.statement(B, "doc").value
    assert claim["legalCategory"] == "lc:genocide"
    evidence = nodes[iris.evidence(B, "doc", 4, 7).value]
    assert (evidence["beginIndex"], evidence["endIndex"]) == (4, 7)
    event = nodes[iris.entity(B, "event", "an-event").value]
    assert event["sameAs"] == "wd:Q1"
    assert event["resolved"] is False
    back = {q.triple for q in ox.parse(text, format=RdfFormat.JSON_LD)}
    assert back == {q.triple for q in sample_graph()}


def test_pyoxigraph_reads_a_document_using_the_context(context: dict) -> None:
    document = {
        "@context": context,
        "id": iris.entity(B, "claim", "c").value,
        "type": "LegalCharacterization",
        "legalCategory": "lc:genocide",
        "about": iris.entity(B, "event", "e").value,
    }
    triples = {q.triple for q in ox.parse(json.dumps(document), format=RdfFormat.JSON_LD)}
    claim = iris.entity(B, "claim", "c")
    assert triples == {
        ox.Triple(claim, RDF.type, CG.LegalCharacterization),
        ox.Triple(claim, CG.legalCategory, LEGAL_CATEGORY["genocide"]),
        ox.Triple(claim, CG.about, iris.entity(B, "event", "e")),
    }
