"""Real SPARQL clients against the live server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from tests.serverkit import BLACK_JANUARY, TOKEN, load_example, serve

LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
EVENT = rdflib.URIRef(BLACK_JANUARY.value)
CG = rdflib.Namespace("https://w3id.org/claimgraph/ontology#")


@pytest.fixture
def server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings, write_token=TOKEN)


def _expected_labels(store) -> set[tuple[str, str]]:
    return {(row["s"].value, row["label"].value) for row in store.query(LABELS)}


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(server, store, method):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(LABELS)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    got = {(b["s"]["value"], b["label"]["value"]) for b in bindings}
    assert got == _expected_labels(store)
    assert ("https://w3id.org/claimgraph/id/event/black-january", "Black January") in got


def test_sparqlwrapper_ask_xml_and_construct_turtle(server, store):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"ASK {{ <{BLACK_JANUARY.value}> a <{CG.Event}> }}")
    client.setReturnFormat(XML)
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    client.setQuery(f"CONSTRUCT WHERE {{ <{BLACK_JANUARY.value}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    expected = {q.triple for q in store.raw.quads_for_pattern(BLACK_JANUARY, None, None, None)}
    assert len(graph) == len(expected) > 5
    assert (EVENT, rdflib.RDF.type, CG.Event) in graph


def test_sparqlwrapper_update_with_the_token(server, store):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery(
        "INSERT DATA { GRAPH <https://w3id.org/claimgraph/graph/import/w> "
        '{ <http://example.org/w> <http://example.org/p> "by SPARQLWrapper" } }'
    )
    client.query()
    assert [
        row["o"].value for row in store.query("SELECT ?o { <http://example.org/w> ?p ?o }")
    ] == ["by SPARQLWrapper"]


def test_rdflib_sparqlstore_reads_the_graph(server, store):
    graph = rdflib.Graph(SPARQLStore(server.url + "/sparql"))
    rows = graph.query(LABELS)
    assert {(str(s), str(label)) for s, label in rows} == _expected_labels(store)
    objects = set(graph.objects(EVENT, rdflib.RDFS.label))
    assert objects == {rdflib.Literal("Black January", lang="en")}


def test_rdflib_sparqlupdatestore_writes_with_the_token(server, store):
    endpoint = server.url + "/sparql"
    update_store = SPARQLUpdateStore(
        endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    graph = rdflib.Graph(
        update_store, identifier=rdflib.URIRef("https://w3id.org/claimgraph/graph/import/r")
    )
    graph.add(
        (rdflib.URIRef("http://example.org/r"), rdflib.RDFS.label, rdflib.Literal("by rdflib"))
    )
    rows = list(store.query('SELECT ?s { ?s ?p "by rdflib" }'))
    assert [row["s"].value for row in rows] == ["http://example.org/r"]
