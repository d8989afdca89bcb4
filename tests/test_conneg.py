"""Content negotiation: every result format parsed back and compared with the store's answer."""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import rdflib
import requests
from pyoxigraph import QueryResultsFormat, RdfFormat

from server.negotiation import choose, for_query
from tests.serverkit import load_example, serve, solutions, triples

# Claims with their type and, where present, a count: literals, IRIs and unbound values.
SELECT = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
SELECT ?claim ?type ?count WHERE {
  ?claim cg:claimType ?type . OPTIONAL { ?claim cg:count ?count }
}"""
CONSTRUCT = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
CONSTRUCT { ?ev nif:anchorOf ?quote ; nif:beginIndex ?b } WHERE {
  ?claim cg:evidence ?ev . ?ev nif:anchorOf ?quote ; nif:beginIndex ?b
}"""
VARS = ["claim", "type", "count"]


@pytest.fixture
def server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings)


def _get(server, query: str, params: dict | None = None, **kwargs) -> requests.Response:
    r = requests.get(server.url + "/sparql", params={"query": query, **(params or {})}, **kwargs)
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize(
    "fmt", [QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.TSV]
)
def test_select_in_each_typed_format_equals_the_stores_answer(server, store, fmt):
    expected = solutions(store.raw.query(SELECT, use_default_graph_as_union=True), VARS)
    assert any(row[2] is None for row in expected)  # unbound values are part of the test
    assert any(row[2] is not None for row in expected)
    r = _get(server, SELECT, headers={"Accept": fmt.media_type})
    assert r.headers["Content-Type"] == fmt.media_type
    assert solutions(ox.parse_query_results(r.content, fmt), VARS) == expected


def test_select_as_csv_has_the_stores_values(server, store):
    expected = {
        tuple("" if t is None else t.value for t in row)
        for row in solutions(store.raw.query(SELECT, use_default_graph_as_union=True), VARS)
    }
    r = _get(server, SELECT, headers={"Accept": "text/csv"})
    assert r.headers["Content-Type"].startswith("text/csv")
    reader = csv.reader(io.StringIO(r.content.decode("utf-8")))
    assert next(reader) == VARS
    assert {tuple(row) for row in reader} == expected


@pytest.mark.parametrize(
    "fmt", [QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.TSV]
)
def test_ask_true_and_false(server, fmt):
    yes = _get(server, "ASK { ?s ?p ?o }", params={"format": fmt.file_extension})
    no = _get(server, "ASK { <urn:x:none> ?p ?o }", params={"format": fmt.file_extension})
    assert bool(ox.parse_query_results(yes.content, fmt)) is True
    assert bool(ox.parse_query_results(no.content, fmt)) is False


@pytest.mark.parametrize(
    "fmt",
    [
        RdfFormat.TURTLE,
        RdfFormat.N_TRIPLES,
        RdfFormat.JSON_LD,
        RdfFormat.RDF_XML,
        RdfFormat.TRIG,
        RdfFormat.N_QUADS,
    ],
)
def test_construct_in_each_rdf_format_equals_the_stores_answer(server, store, fmt):
    expected = triples(store.raw.query(CONSTRUCT, use_default_graph_as_union=True))
    assert len(expected) >= 10
    r = _get(server, CONSTRUCT, headers={"Accept": fmt.media_type})
    assert r.headers["Content-Type"] == fmt.media_type
    assert triples(ox.parse(r.content, fmt)) == expected


def test_describe_parsed_by_rdflib(server, store):
    iri = "https://w3id.org/claimgraph/id/event/black-january"
    expected = triples(store.raw.query(f"DESCRIBE <{iri}>", use_default_graph_as_union=True))
    r = _get(server, f"DESCRIBE <{iri}>", headers={"Accept": "application/rdf+xml"})
    graph = rdflib.Graph().parse(data=r.content, format="xml")
    assert len(graph) == len(expected) > 3
    assert (
        rdflib.URIRef(iri),
        rdflib.RDF.type,
        rdflib.URIRef("https://w3id.org/claimgraph/ontology#Event"),
    ) in graph


def test_q_values_and_wildcards_over_http(server):
    query = "SELECT * { VALUES ?x { 1 } }"
    r = _get(server, query, headers={"Accept": "application/sparql-results+xml;q=0.5, text/*"})
    assert r.headers["Content-Type"].startswith("text/csv")  # text/* (q=1) beats XML (q=0.5)
    r = _get(server, query, headers={"Accept": "text/tab-separated-values;q=0.9, */*;q=0.1"})
    assert r.headers["Content-Type"].startswith("text/tab-separated-values")
    r = _get(server, query, headers={"Accept": "*/*"})
    assert r.headers["Content-Type"] == "application/sparql-results+json"
    r = _get(server, query, headers={"Accept": "application/json"})  # alias of SPARQL JSON
    assert r.headers["Content-Type"] == "application/sparql-results+json"
    assert r.headers["Vary"] == "Accept"


def test_format_parameter_overrides_accept(server):
    r = _get(
        server,
        "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
        params={"format": "nt"},
        headers={"Accept": "text/turtle"},
    )
    assert r.headers["Content-Type"] == "application/n-triples"
    assert len(list(ox.parse(r.content, RdfFormat.N_TRIPLES))) == 1


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, ["text/turtle", "application/n-triples"], "text/turtle"),
        (
            "application/n-triples, text/turtle",
            ["text/turtle", "application/n-triples"],
            "text/turtle",
        ),  # equal q: server preference
        (
            "text/turtle;q=0.2, application/n-triples;q=0.8",
            ["text/turtle", "application/n-triples"],
            "application/n-triples",
        ),
        ("text/*;q=0.3, text/turtle;q=0", ["text/turtle", "text/csv"], "text/csv"),
        ("image/*", ["text/turtle"], None),
        ("*/*;q=0", ["text/turtle"], None),
        ("text/plain", ["text/turtle", "application/n-triples"], "application/n-triples"),
    ],
)
def test_choose(accept, offers, expected):
    assert choose(accept, offers, (RdfFormat,)) == expected


def test_for_query_keeps_both_forms_open():
    formats = for_query("application/sparql-results+xml, text/turtle;q=0.5", None)
    assert formats.results == QueryResultsFormat.XML
    assert formats.graph == RdfFormat.TURTLE
