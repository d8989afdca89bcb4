"""Full-text search: what is found, in which order, and how the index follows the store."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from ontology import iris
from ontology.vocab import CG, DCT, PROV, RDF, XSD
from server.search import SearchIndex, fts_query, index_path_for
from tests.fixtures.web.sample import BASE, load_sample

EVENT = iris.entity(BASE, "event", "black-january").value
ALPHA_STATEMENT = iris.statement(BASE, "alpha").value


@pytest.fixture
def index(store):
    load_sample(store)
    search = SearchIndex(store)
    yield search
    search.close()


def found(index: SearchIndex, text: str, **kwargs) -> list[tuple[str, str]]:
    return [(hit.kind, hit.iri) for hit in index.search(text, **kwargs)]


def test_an_entity_is_found_by_its_label_first(index):
    hits = found(index, "Black January")
    assert hits[0] == ("event", EVENT)
    # The document whose title names it comes after the thing itself.
    assert ("document", iris.document(BASE, "alpha").value) in hits[1:]


def test_an_entity_is_found_by_an_alias_a_document_used(index):
    # "January 20 tragedy" is an alias stated in document alpha's graph only.
    assert found(index, "january 20 tragedy")[0] == ("event", EVENT)


def test_an_instrument_is_found_by_its_acronym(index):
    assert found(index, "ICCPR") == [("instrument", iris.entity(BASE, "instrument", "iccpr").value)]


def test_a_claim_is_found_by_its_evidence_and_its_hit_opens_the_claim(index):
    (hit,) = [h for h in index.search("Soviet Army") if h.kind == "claim"]
    assert "".join(text for text, _ in hit.title) == "carried out by the Soviet Army"
    assert [text for text, matched in hit.title if matched] == ["Soviet", "Army"]
    assert hit.target == hit.iri


def test_a_document_hit_opens_its_statement_and_shows_the_matching_passage(index):
    (hit,) = index.search("disproportionate military force", kind="document")
    assert hit.iri == iris.document(BASE, "alpha").value
    assert hit.target == ALPHA_STATEMENT
    snippet = "".join(text for text, _ in hit.snippet)
    assert "disproportionate military force against unarmed civilians" in snippet
    assert [t for t, matched in hit.snippet if matched] == ["disproportionate", "military", "force"]


def test_words_are_stemmed_and_the_last_one_is_a_prefix(index):
    titles = ["".join(text for text, _ in hit.title) for hit in index.search("killings")]
    assert "131 civilians were killed" in titles  # killings ~ killed: both stem to "kill"
    assert found(index, "Srebren")[0] == ("event", iris.entity(BASE, "event", "srebrenica").value)


def test_every_word_must_match(index):
    assert found(index, "Soviet Srebrenica") == []


@pytest.mark.parametrize("text", ['"', "AND OR NOT", "NEAR(a b", "title:x", "*", "a^b", "-x", "  "])
def test_operators_typed_by_a_user_are_words_not_syntax(index, text):
    index.search(text)  # no sqlite3.OperationalError


def test_fts_query_quotes_every_word():
    assert fts_query('say "genocide" NEAR') == '"say" "genocide" "NEAR"*'
    assert fts_query("!!") is None


def test_the_index_follows_the_store_graph_by_graph(store, index):
    first = index.refresh(force=True)
    assert sorted(first.indexed) == sorted(g.value for g in store.named_graphs())
    graph = iris.document_graph(BASE, "beta")
    doc = iris.document(BASE, "beta")
    stmt = iris.statement(BASE, "beta")
    store.replace_graph(
        graph,
        [
            Quad(doc, RDF.type, CG.Document, graph),
            Quad(doc, CG.text, Literal("A new text about Xanadu."), graph),
            Quad(stmt, CG.sourceDocument, doc, graph),
            Quad(
                graph,
                PROV.generatedAtTime,
                Literal("2030-01-01T00:00:00Z", datatype=XSD.dateTime),
                graph,
            ),
        ],
    )
    store.remove_graph(iris.document_graph(BASE, "hostile"))
    report = index.refresh(force=True)
    assert report.indexed == [graph.value]
    assert report.dropped == [iris.document_graph(BASE, "hostile").value]
    assert found(index, "Xanadu") == [("document", doc.value)]
    assert found(index, "Memorial Watch report") == []  # beta's old title is gone
    assert found(index, "Bulletin") == []  # the removed graph's document is gone
    assert found(index, "Soviet Army") == [
        ("organization", iris.entity(BASE, "organization", "soviet-army").value)
    ]


def test_a_graph_without_provenance_is_reindexed_when_its_content_changes(store, index):
    index.refresh(force=True)
    reference = iris.reference_graph(BASE)
    renamed = [
        Quad(NamedNode(EVENT), RDF.type, CG.Event, reference),
        Quad(NamedNode(EVENT), DCT["title"], Literal("ignored, not a name property"), reference),
        Quad(
            NamedNode(EVENT),
            NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            Literal("Baku 1990"),
            reference,
        ),
    ]
    store.replace_graph(reference, renamed)
    report = index.refresh(force=True)
    assert report.indexed == [reference.value]
    assert found(index, "Baku 1990")[0] == ("event", EVENT)
    assert index.refresh(force=True).indexed == []  # same content: nothing to do


def test_the_index_of_an_on_disk_store_persists_beside_it(store, index):
    index.search("Baku")
    assert index.path == store.location + ".search.sqlite"
    size = index.size()
    index.close()
    again = SearchIndex(store)
    try:
        report = again.refresh(force=True)
        assert report.indexed == [] and report.unchanged == len(list(store.named_graphs()))
        assert again.size() == size
    finally:
        again.close()


def test_a_store_in_memory_gets_an_index_in_memory():
    from loaders.store import EmbeddedStore

    assert index_path_for(EmbeddedStore(None)) == ":memory:"


def test_between_full_checks_other_graphs_are_compared_by_size(store, index, monkeypatch):
    from server import search

    monkeypatch.setattr(search, "REFRESH_INTERVAL", 0.0)
    assert len(index.refresh().indexed) == 5  # the first refresh reads everything
    reference = iris.reference_graph(BASE)
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [q for q in store.query(f"SELECT * WHERE {{ GRAPH {reference} {{ ?s ?p ?o }} }}")]
    renamed = [
        Quad(
            r["s"],
            r["p"],
            Literal("Baku 1990") if r["p"] == label and r["s"].value == EVENT else r["o"],
            reference,
        )
        for r in quads
    ]
    store.replace_graph(reference, renamed)  # same number of triples
    assert index.refresh().indexed == []  # a periodic check compares sizes only
    index.invalidate()
    assert index.refresh().indexed == [reference.value]  # a full check reads the content
    assert found(index, "Baku 1990")[0] == ("event", EVENT)
    store.replace_graph(
        reference, [*renamed, Quad(NamedNode(EVENT), label, Literal("Qara Yanvar"), reference)]
    )
    assert index.refresh().indexed == [reference.value]  # one more triple: re-read
    assert found(index, "Qara Yanvar")[0] == ("event", EVENT)
