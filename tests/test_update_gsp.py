"""SPARQL Update and the Graph Store Protocol: refused without the token, working with it."""

from __future__ import annotations

import threading

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from loaders.store import dump_bytes
from tests.serverkit import REFERENCE_GRAPH, TOKEN, error_of, load_example, serve, triples

NEW_GRAPH = NamedNode("https://w3id.org/claimgraph/graph/import/test")
INSERT = (
    f"INSERT DATA {{ GRAPH <{NEW_GRAPH.value}> "
    '{ <http://example.org/a> <http://example.org/p> "added" } }'
)
TURTLE = b'<http://example.org/x> <http://example.org/p> "one", "two" .'
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _snapshot(store) -> bytes:
    return dump_bytes(store, RdfFormat.N_QUADS)


@pytest.fixture
def open_server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings, write_token=TOKEN)


def test_writes_are_off_without_a_configured_token(live_server_factory, store, settings):
    load_example(store)
    server = serve(live_server_factory, store, settings)  # write_token empty
    before = _snapshot(store)
    attempts = [
        requests.post(server.url + "/sparql", data={"update": INSERT}, headers=AUTH),
        requests.put(
            server.url + "/store",
            params={"graph": NEW_GRAPH.value},
            data=TURTLE,
            headers={"Content-Type": "text/turtle", **AUTH},
        ),
        requests.delete(server.url + "/store", params={"graph": REFERENCE_GRAPH.value}),
    ]
    for r in attempts:
        assert r.status_code == 403, r.text
        assert error_of(r)["code"] == "writes-disabled"
    assert _snapshot(store) == before


@pytest.mark.parametrize(
    ("headers", "expected_code"),
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, "unauthorized"),
        ({"Authorization": f"Basic {TOKEN}"}, "unauthorized"),
    ],
)
def test_update_without_the_right_token_changes_nothing(open_server, store, headers, expected_code):
    before = _snapshot(store)
    r = requests.post(open_server.url + "/sparql", data={"update": INSERT}, headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(r)["code"] == expected_code
    assert _snapshot(store) == before


def test_update_with_the_token_by_form_and_by_body(open_server, store):
    r = requests.post(open_server.url + "/sparql", data={"update": INSERT}, headers=AUTH)
    assert r.status_code == 204, r.text
    assert store.contains_graph(NEW_GRAPH)
    r = requests.post(
        open_server.url + "/sparql",
        data=f"DROP GRAPH <{NEW_GRAPH.value}>",
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert r.status_code == 204, r.text
    assert not store.contains_graph(NEW_GRAPH)
    bad = requests.post(
        open_server.url + "/sparql", data={"update": "INSERT DATA { <a:b> }"}, headers=AUTH
    )
    assert bad.status_code == 400
    assert error_of(bad)["code"] == "malformed-update"


def test_service_description_announces_update_when_enabled(open_server):
    r = requests.get(open_server.url + "/sparql", params={"format": "nt"})
    assert b"<http://www.w3.org/ns/sparql-service-description#SPARQL11Update>" in r.content


def test_graph_store_read_is_public(open_server, store):
    r = requests.get(
        open_server.url + "/store",
        params={"graph": REFERENCE_GRAPH.value},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200
    expected = {q.triple for q in store.raw.quads_for_pattern(None, None, None, REFERENCE_GRAPH)}
    assert len(expected) == 33
    assert triples(ox.parse(r.content, RdfFormat.N_TRIPLES)) == expected
    missing = requests.get(open_server.url + "/store", params={"graph": NEW_GRAPH.value})
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not-found"
    nothing = requests.get(open_server.url + "/store")
    assert nothing.status_code == 400


def test_graph_store_writes_need_the_token(open_server, store):
    url, params = open_server.url + "/store", {"graph": NEW_GRAPH.value}
    turtle = {"Content-Type": "text/turtle"}
    before = _snapshot(store)
    assert requests.put(url, params=params, data=TURTLE, headers=turtle).status_code == 401
    assert requests.post(url, params=params, data=TURTLE, headers=turtle).status_code == 401
    assert requests.delete(url, params={"graph": REFERENCE_GRAPH.value}).status_code == 401
    assert _snapshot(store) == before

    created = requests.put(url, params=params, data=TURTLE, headers={**turtle, **AUTH})
    assert created.status_code == 201
    objects = {q.object.value for q in store.raw.quads_for_pattern(None, None, None, NEW_GRAPH)}
    assert objects == {"one", "two"}

    replaced = requests.put(
        url,
        params=params,
        data=b'<http://example.org/x> <http://example.org/p> "three" .',
        headers={**turtle, **AUTH},
    )
    assert replaced.status_code == 204
    added = requests.post(
        url,
        params=params,
        data=b'<http://example.org/y> <http://example.org/p> "four" .\n',
        headers={"Content-Type": "application/n-triples", **AUTH},
    )
    assert added.status_code == 204
    objects = {q.object.value for q in store.raw.quads_for_pattern(None, None, None, NEW_GRAPH)}
    assert objects == {"three", "four"}

    deleted = requests.delete(url, params=params, headers=AUTH)
    assert deleted.status_code == 204
    assert not store.contains_graph(NEW_GRAPH)
    assert requests.delete(url, params=params, headers=AUTH).status_code == 404


def test_a_bad_body_changes_nothing(open_server, store):
    url, params = open_server.url + "/store", {"graph": REFERENCE_GRAPH.value}
    before = _snapshot(store)
    broken = requests.put(
        url,
        params=params,
        data=b"<http://x> <http://y> .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert broken.status_code == 400
    assert error_of(broken)["code"] == "malformed-rdf"
    untyped = requests.put(
        url, params=params, data=TURTLE, headers={"Content-Type": "image/png", **AUTH}
    )
    assert untyped.status_code == 415
    assert _snapshot(store) == before


def test_using_graph_uri_is_refused_with_a_pointer(open_server, store):
    before = _snapshot(store)
    r = requests.post(
        open_server.url + "/sparql",
        data={"update": INSERT, "using-graph-uri": REFERENCE_GRAPH.value},
        headers=AUTH,
    )
    assert r.status_code == 400
    assert "USING" in error_of(r)["message"]
    assert _snapshot(store) == before


def test_readers_see_a_replaced_graph_wholly_old_or_wholly_new(open_server):
    """Graph Store PUTs replace a graph while queries read it: each answer (a snapshot in
    its forked child) holds one generation of the graph, all 50 triples of it."""
    url, graph = open_server.url, "https://w3id.org/claimgraph/graph/import/generations"
    query = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"

    def put(generation: int) -> None:
        body = "".join(
            f'<http://example.org/s{j}> <http://example.org/p> "g{generation}-{j}" .\n'
            for j in range(50)
        )
        r = requests.put(
            url + "/store",
            params={"graph": graph},
            data=body,
            headers={"Content-Type": "application/n-triples", **AUTH},
        )
        assert r.status_code in (201, 204)

    put(0)
    stop = threading.Event()
    seen: list[set[str]] = []

    def read() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                r = session.get(url + "/sparql", params={"query": query})
                rows = ox.parse_query_results(r.content, QueryResultsFormat.JSON)
                values = [row["o"].value for row in rows]
                seen.append({v.split("-")[0] for v in values} if len(values) == 50 else set())

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    for generation in range(1, 30):
        put(generation)
    stop.set()
    for thread in readers:
        thread.join(timeout=30)
    assert len(seen) > 10
    assert all(len(generations) == 1 for generations in seen)  # 50 rows, one generation
    assert len({next(iter(g)) for g in seen}) > 1  # readers did overlap the writes


def test_every_query_after_a_write_sees_it(open_server):
    """Queries run in worker processes that hold a snapshot of the store; a write retires
    them. So a query sent once a write has returned sees it, whichever path wrote."""
    url = open_server.url
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NEW_GRAPH.value}> {{ ?s ?p ?o }} }}"

    def triples_seen() -> int:
        r = requests.get(url + "/sparql", params={"query": count})
        assert r.status_code == 200, r.text
        (row,) = ox.parse_query_results(r.content, QueryResultsFormat.JSON)
        return int(row["n"].value)

    assert triples_seen() == 0  # the query processes now hold the store before any write
    for i in range(1, 13):
        triple = f'<http://example.org/s{i}> <http://example.org/p> "{i}"'
        if i % 2:
            r = requests.post(
                url + "/sparql",
                data={"update": f"INSERT DATA {{ GRAPH <{NEW_GRAPH.value}> {{ {triple} }} }}"},
                headers=AUTH,
            )
        else:
            r = requests.post(
                url + "/store",
                params={"graph": NEW_GRAPH.value},
                data=f"{triple} .\n",
                headers={"Content-Type": "application/n-triples", **AUTH},
            )
        assert r.status_code in (201, 204), r.text
        assert triples_seen() == i
    r = requests.delete(url + "/store", params={"graph": NEW_GRAPH.value}, headers=AUTH)
    assert r.status_code == 204
    assert triples_seen() == 0
