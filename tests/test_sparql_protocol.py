"""SPARQL 1.1 Protocol over real HTTP: the three query bindings, the dataset, every error case."""

from __future__ import annotations

import socket

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from ontology.vocab import SD, VOID
from tests.serverkit import (
    BASE,
    BLACK_JANUARY,
    REFERENCE_GRAPH,
    TOKEN,
    child_processes,
    children_left_after,
    error_of,
    load_example,
    serve,
    solutions,
)

DOC_GRAPH = NamedNode(BASE + "graph/document/000-638dc1acbe19e14a")
LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
JSON = "application/sparql-results+json"


@pytest.fixture
def server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings)


def _parsed(response: requests.Response) -> set[tuple]:
    assert response.status_code == 200, response.text
    results = ox.parse_query_results(response.content, QueryResultsFormat.JSON)
    return solutions(results, ["s", "label"])


def test_get_post_form_and_post_direct_give_the_stores_own_answer(server, store):
    expected = solutions(store.query(LABELS), ["s", "label"])
    assert len(expected) >= 10  # the example names its events, places, people, documents
    by_get = requests.get(server.url + "/sparql", params={"query": LABELS})
    by_form = requests.post(server.url + "/sparql", data={"query": LABELS})
    by_body = requests.post(
        server.url + "/sparql",
        data=LABELS.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": JSON},
    )
    assert _parsed(by_get) == expected
    assert _parsed(by_form) == expected
    assert _parsed(by_body) == expected
    assert by_get.headers["Content-Type"] == JSON
    assert by_get.headers["Claimgraph-Rows"] == str(len(expected))
    assert by_get.headers["Server-Timing"].startswith("query;dur=")


def test_default_graph_uri_and_named_graph_uri_set_the_dataset(server):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def n(params) -> int:
        r = requests.get(server.url + "/sparql", params=params)
        assert r.status_code == 200, r.text
        return int(
            next(iter(ox.parse_query_results(r.content, QueryResultsFormat.JSON)))["n"].value
        )

    # Counted from the fixture by hand-checked parse: 33 reference quads, 197 in the document.
    assert n({"query": count, "default-graph-uri": REFERENCE_GRAPH.value}) == 33
    assert n({"query": count, "default-graph-uri": DOC_GRAPH.value}) == 197
    assert n({"query": count}) == 230  # the union of all graphs (union_default_graph)
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = requests.get(
        server.url + "/sparql", params={"query": graphs, "named-graph-uri": REFERENCE_GRAPH.value}
    )
    found = ox.parse_query_results(r.content, QueryResultsFormat.JSON)
    assert [s["g"] for s in found] == [REFERENCE_GRAPH]


def test_protocol_dataset_wins_over_from_in_the_query(server):
    # SPARQL 1.1 Protocol 2.1.4: a dataset in both places -> the protocol's is used.
    query = f"SELECT (COUNT(*) AS ?n) FROM <{DOC_GRAPH.value}> WHERE {{ ?s ?p ?o }}"
    r = requests.get(
        server.url + "/sparql",
        params={"query": query, "default-graph-uri": REFERENCE_GRAPH.value},
    )
    assert r.status_code == 200, r.text
    assert (
        int(next(iter(ox.parse_query_results(r.content, QueryResultsFormat.JSON)))["n"].value) == 33
    )


ERROR_CASES = [
    # (id, method, params, body, headers, status, code)
    ("malformed", "GET", {"query": "SELECT * WHERE { ?s ?p }"}, None, {}, 400, "malformed-query"),
    (
        "update-as-query",
        "GET",
        {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"},
        None,
        {},
        400,
        "malformed-query",
    ),
    (
        "missing",
        "GET",
        {"default-graph-uri": REFERENCE_GRAPH.value},
        None,
        {},
        400,
        "missing-parameter",
    ),
    ("empty", "GET", {"query": "  "}, None, {}, 400, "missing-parameter"),
    (
        "form-missing",
        "POST",
        None,
        {"default-graph-uri": "http://x/"},
        {},
        400,
        "missing-parameter",
    ),
    (
        "two-queries",
        "GET",
        [("query", "ASK {}"), ("query", "ASK {}")],
        None,
        {},
        400,
        "several-operations",
    ),
    (
        "query-and-update",
        "POST",
        None,
        {"query": "ASK {}", "update": "CLEAR ALL"},
        {},
        400,
        "several-operations",
    ),
    (
        "body-and-url",
        "POST",
        {"query": "ASK {}"},
        b"ASK {}",
        {"Content-Type": "application/sparql-query"},
        400,
        "several-operations",
    ),
    ("update-by-get", "GET", {"update": "CLEAR ALL"}, None, {}, 400, "update-by-get"),
    (
        "wrong-media-type",
        "POST",
        None,
        b"ASK {}",
        {"Content-Type": "text/plain"},
        415,
        "unsupported-media-type",
    ),
    (
        "non-utf8-body",
        "POST",
        None,
        b"ASK { \xff }",
        {"Content-Type": "application/sparql-query"},
        400,
        "not-utf-8",
    ),
    (
        "non-utf8-form",
        "POST",
        None,
        b"query=ASK%20%7B%FF%7D",
        {"Content-Type": "application/x-www-form-urlencoded"},
        400,
        "not-utf-8",
    ),
    (
        "latin1-charset",
        "POST",
        None,
        b"ASK {}",
        {"Content-Type": "application/sparql-query; charset=iso-8859-1"},
        415,
        "unsupported-charset",
    ),
    (
        "bad-graph-iri",
        "GET",
        {"query": "ASK {}", "default-graph-uri": "not an iri"},
        None,
        {},
        400,
        "bad-graph-iri",
    ),
    (
        "select-as-turtle",
        "GET",
        {"query": "SELECT * {}"},
        None,
        {"Accept": "text/turtle"},
        406,
        "not-acceptable",
    ),
    (
        "construct-as-json-results",
        "GET",
        {"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        None,
        {"Accept": "application/sparql-results+json"},
        406,
        "not-acceptable",
    ),
    (
        "nothing-acceptable",
        "GET",
        {"query": "ASK {}"},
        None,
        {"Accept": "image/png"},
        406,
        "not-acceptable",
    ),
    (
        "unknown-format",
        "GET",
        {"query": "ASK {}", "format": "yaml"},
        None,
        {},
        400,
        "unknown-format",
    ),
    ("method", "PUT", {"query": "ASK {}"}, None, {}, 405, "method-not-allowed"),
]


@pytest.mark.parametrize(
    ("method", "params", "body", "headers", "status", "code"),
    [case[1:] for case in ERROR_CASES],
    ids=[case[0] for case in ERROR_CASES],
)
def test_every_protocol_error_is_a_4xx_with_a_readable_message(
    server, method, params, body, headers, status, code
):
    r = requests.request(
        method, server.url + "/sparql", params=params, data=body, headers=headers, timeout=10
    )
    assert r.status_code == status, r.text
    error = error_of(r)
    assert error["code"] == code


def test_malformed_query_message_carries_the_parsers_position(server):
    r = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert r.status_code == 400
    assert "2:" in error_of(r)["message"]  # line 2 of the query


def test_service_description_at_the_endpoint(server, store):
    r = requests.get(server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/turtle"
    graph = ox.Store()
    graph.load(r.content, RdfFormat.TURTLE)
    endpoint = next(iter(graph.quads_for_pattern(None, SD.endpoint, None))).object
    assert endpoint == NamedNode(server.url + "/sparql")
    formats = {q.object.value for q in graph.quads_for_pattern(None, SD.resultFormat, None)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    names = {q.object for q in graph.quads_for_pattern(None, SD.name, None)}
    assert names == {DOC_GRAPH, REFERENCE_GRAPH}
    languages = {q.object for q in graph.quads_for_pattern(None, SD.supportedLanguage, None)}
    assert languages == {SD.SPARQL11Query}  # no write token: no Update


def test_void_counts_triples_per_graph_and_links_to_wikidata(server):
    r = requests.get(server.url + "/void", params={"format": "nt"})
    assert r.status_code == 200
    graph = ox.Store()
    graph.load(r.content, RdfFormat.N_TRIPLES)
    sizes = {}
    for quad in graph.quads_for_pattern(None, SD.name, None):
        size = next(iter(graph.quads_for_pattern(quad.subject, VOID.triples, None))).object
        sizes[quad.object] = int(size.value)
    assert sizes == {DOC_GRAPH: 197, REFERENCE_GRAPH: 33}
    linkset = next(iter(graph.quads_for_pattern(None, VOID.linkPredicate, None))).subject
    links = next(iter(graph.quads_for_pattern(linkset, VOID.triples, None))).object
    assert int(links.value) == 4  # owl:sameAs wd:... in the fixture, counted by hand
    vocabularies = {q.object.value for q in graph.quads_for_pattern(None, VOID.vocabulary, None)}
    assert "https://w3id.org/claimgraph/ontology#" in vocabularies
    assert "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#" in vocabularies


def test_rows_are_capped_and_the_cap_is_announced(live_server_factory, store, settings):
    load_example(store)
    server = serve(live_server_factory, store, settings, max_rows=3)
    r = requests.get(server.url + "/sparql", params={"query": LABELS})
    assert r.status_code == 200
    assert len(list(ox.parse_query_results(r.content, QueryResultsFormat.JSON))) == 3
    assert r.headers["Claimgraph-Truncated"] == "max_rows=3"
    r = requests.get(server.url + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert len(list(ox.parse(r.content, RdfFormat.TURTLE))) == 3
    small = requests.get(server.url + "/sparql", params={"query": "SELECT * { VALUES ?x { 1 2 } }"})
    assert "Claimgraph-Truncated" not in small.headers


def test_request_body_size_is_limited(live_server_factory, store, settings):
    server = serve(live_server_factory, store, settings, max_request_bytes=1000)
    query = "ASK { " + "#" * 2000 + "\n }"
    r = requests.post(
        server.url + "/sparql", data=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 413
    assert "1000 bytes" in error_of(r)["message"]


def test_cors_any_origin_without_credentials(server):
    r = requests.get(
        server.url + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"}
    )
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "Server-Timing" in r.headers["Access-Control-Expose-Headers"]
    preflight = requests.options(
        server.url + "/sparql",
        headers={
            "Origin": "https://yasgui.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_cors_allowlist(live_server_factory, store, settings):
    server = serve(live_server_factory, store, settings, cors_origins="https://a.example")
    ok = requests.get(server.url + "/health", headers={"Origin": "https://a.example"})
    other = requests.get(server.url + "/health", headers={"Origin": "https://evil.example"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Origin" in ok.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in other.headers


def test_behind_a_reverse_proxy_under_a_sub_path(live_server_factory, store, settings):
    load_example(store)
    server = serve(live_server_factory, store, settings, trust_proxy=True)
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "kg.example.org",
        "X-Forwarded-Prefix": "/claimgraph",
        "Accept": "text/turtle",
    }
    r = requests.get(server.url + "/sparql", headers=forwarded)
    graph = ox.Store()
    graph.load(r.content, RdfFormat.TURTLE)
    endpoint = next(iter(graph.quads_for_pattern(None, SD.endpoint, None))).object
    assert endpoint == NamedNode("https://kg.example.org/claimgraph/sparql")
    path = BLACK_JANUARY.value.removeprefix(BASE + "id/")
    r = requests.get(server.url + "/id/" + path, headers=forwarded, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] in {
        f"/claimgraph/data/{path}",
        f"https://kg.example.org/claimgraph/data/{path}",
    }


def test_proxy_headers_are_ignored_unless_trusted(server):
    r = requests.get(
        server.url + "/sparql",
        headers={"X-Forwarded-Host": "evil.example", "Accept": "text/turtle"},
    )
    assert b"evil.example" not in r.content


def test_health(server):
    r = requests.get(server.url + "/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_service_and_load_off_the_allowlist_make_no_connection(
    live_server_factory, store, settings
):
    server = serve(live_server_factory, store, settings, write_token=TOKEN)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        query = f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"
        r = requests.get(server.url + "/sparql", params={"query": query})
        assert r.status_code == 403
        assert error_of(r)["code"] == "service-not-allowed"
        update = f"LOAD <{target}> INTO GRAPH <https://w3id.org/claimgraph/graph/import/x>"
        r = requests.post(
            server.url + "/sparql",
            data={"update": update},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert r.status_code == 403
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody ever connected


def test_default_graph_is_the_union_only_when_configured(live_server_factory, store, settings):
    load_example(store)
    server = serve(live_server_factory, store, settings, union_default_graph=False)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    r = requests.get(server.url + "/sparql", params={"query": count})
    # Everything lives in named graphs; the store's own default graph is empty.
    assert next(iter(ox.parse_query_results(r.content, QueryResultsFormat.JSON)))["n"].value == "0"
    r = requests.get(
        server.url + "/sparql", params={"query": count.replace("?s ?p ?o", "GRAPH ?g { ?s ?p ?o }")}
    )
    assert (
        next(iter(ox.parse_query_results(r.content, QueryResultsFormat.JSON)))["n"].value == "230"
    )


def test_head_answers_headers_and_leaves_no_process(server):
    before = set(child_processes())
    r = requests.head(server.url + "/sparql", params={"query": LABELS})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == JSON
    assert int(r.headers["Claimgraph-Rows"]) >= 10
    assert r.content == b""
    assert children_left_after(before) == set()  # the unread answer's child was stopped
