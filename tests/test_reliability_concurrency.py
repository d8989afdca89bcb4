"""Readers over HTTP while documents are added and replaced: every document whole or absent.

Documents are posted one after another to ``POST /api/documents`` (new ones, then a new
version of the first) while clients read the store through ``/sparql`` and through the
streamed dump at ``/export``. Each answer is one snapshot: in it, every document graph
holds all of one version's lines or does not exist; never part of one, never a mix.
The tests for replacing a single document (tests/test_load_api.py) and a Graph Store
graph (tests/test_update_gsp.py) pair with this one; here it is many documents arriving,
and the dump as well as queries.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import RdfFormat

from server.app import create_app
from server.load_api import BUILDER_CONFIG
from tests.serverkit import TOKEN
from tests.test_ingest import fake_builder

GRAPH = "https://w3id.org/claimgraph/graph/document/"
ANCHOR = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#anchorOf"
DOCUMENTS = 8


def lines_of(doc: int, version: str) -> list[str]:
    """Document ``doc`` in ``version``: a size of its own, so a count tells them apart."""
    size = 40 * (doc + 1) + (25 if version == "v2" else 0)
    return [f"{version} d{doc} line {i}" for i in range(size)]


WHOLE = {  # graph -> {(version, lines)} it may show
    f"{GRAPH}d{doc}": {(v, len(lines_of(doc, v))) for v in ("v1", "v2")} for doc in range(DOCUMENTS)
}
COUNT = (
    "SELECT ?g (COUNT(?l) AS ?n) (SAMPLE(?l) AS ?any) WHERE { GRAPH ?g { ?e "
    f"<{ANCHOR}> ?l }} FILTER STRSTARTS(STR(?g), '{GRAPH}d') }} GROUP BY ?g"
)


@pytest.fixture
def server(live_server_factory, store, settings):
    app = create_app(
        settings.replace(write_token=TOKEN, max_request_bytes=2_000, query_isolation="fork"),
        store=store,
    )
    app.config[BUILDER_CONFIG] = fake_builder
    return live_server_factory(app)


def post(server, doc: int, version: str) -> None:
    text = "\n".join(lines_of(doc, version)).encode()
    r = requests.post(
        server.url + "/api/documents",
        files={"file": (f"d{doc}.txt", text)},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.json()["documents"][0]["status"] == "loaded"


def seen_by_query(session: requests.Session, url: str) -> dict[str, tuple[str, int]]:
    r = session.get(
        url + "/sparql",
        params={"query": COUNT},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return {
        row["g"].value: (row["any"].value.split()[0], int(row["n"].value))
        for row in ox.parse_query_results(r.content, ox.QueryResultsFormat.JSON)
    }


def seen_in_dump(session: requests.Session, url: str) -> dict[str, tuple[str, int]]:
    r = session.get(url + "/export", params={"format": "nq"}, timeout=60)
    assert r.status_code == 200, r.text
    lines: dict[str, Counter] = {}
    for quad in ox.parse(r.content, RdfFormat.N_QUADS):
        graph = quad.graph_name
        if quad.predicate.value == ANCHOR and graph.value.startswith(GRAPH + "d"):
            lines.setdefault(graph.value, Counter())[quad.object.value.split()[0]] += 1
    seen = {}
    for graph, versions in lines.items():
        assert len(versions) == 1, f"{graph} mixes versions: {versions}"
        ((version, count),) = versions.items()
        seen[graph] = (version, count)
    return seen


def test_readers_see_each_document_whole_or_absent_while_documents_arrive(server):
    problems: list[str] = []
    snapshots: list[tuple[str, dict[str, tuple[str, int]]]] = []
    stop = threading.Event()

    def reader(how: str) -> None:
        look = seen_by_query if how == "query" else seen_in_dump
        with requests.Session() as session:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    snapshots.append((how, look(session, server.url)))
                except (AssertionError, requests.RequestException) as exc:  # reported below
                    problems.append(f"{how} after {time.monotonic() - started:.1f} s: {exc!r}")

    readers = [threading.Thread(target=reader, args=(how,)) for how in ("query", "query", "dump")]
    for thread in readers:
        thread.start()
    try:
        for doc in range(DOCUMENTS):
            post(server, doc, "v1")
        for doc in range(0, DOCUMENTS, 2):
            post(server, doc, "v2")
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)

    assert problems == []
    for how, seen in snapshots:
        for graph, version_and_count in seen.items():
            assert version_and_count in WHOLE[graph], (how, graph, version_and_count)
    sizes = {len(seen) for _, seen in snapshots}
    assert len(sizes) > 2, f"readers did not overlap the loads: {sizes}"  # saw it grow
    assert {how for how, _ in snapshots} == {"query", "dump"}
    final = seen_by_query(requests.Session(), server.url)
    assert final == {
        f"{GRAPH}d{doc}": (
            "v2" if doc % 2 == 0 else "v1",
            len(lines_of(doc, "v2" if doc % 2 == 0 else "v1")),
        )
        for doc in range(DOCUMENTS)
    }
    assert requests.get(server.url + "/health", timeout=10).status_code == 200
