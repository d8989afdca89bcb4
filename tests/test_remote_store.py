"""RemoteStore against a real Oxigraph server: load -> query -> export, standard protocols only."""

from __future__ import annotations

import io
import json
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from loaders.remote import RemoteStore
from loaders.store import (
    EmbeddedStore,
    GraphStore,
    StoreError,
    dump_bytes,
    open_configured_store,
    open_store,
)
from ontology import iris
from ontology.vocab import CG, DEFAULT_BASE_IRI, LEGAL_CATEGORY, NIF, OWL, RDF, RDFS
from server.settings import Settings
from tests.oxigraph_server import oxigraph_server

pytestmark = pytest.mark.external

B = DEFAULT_BASE_IRI


def document_quads(doc_id: str, text: str, category: str | None = None) -> list[Quad]:
    """A document graph in claimgraph's shape: the document, its statement, its first
    sentence as evidence with code-point offsets and, given a category, one claim."""
    g = iris.document_graph(B, doc_id)
    node, stmt = iris.document(B, doc_id), iris.statement(B, doc_id)
    begin = len(text) - len(text.lstrip())
    end = text.find(".", begin) + 1 or len(text)
    ev = iris.evidence(B, doc_id, begin, end)
    rows = [
        (node, RDF.type, CG.Document),
        (node, CG.text, Literal(text)),
        (stmt, RDF.type, CG.Statement),
        (stmt, CG.sourceDocument, node),
        (ev, RDF.type, CG.Evidence),
        (ev, NIF.anchorOf, Literal(text[begin:end])),
        (ev, NIF.beginIndex, Literal(begin)),
        (ev, NIF.endIndex, Literal(end)),
        (ev, NIF.referenceContext, node),
    ]
    if category is not None:
        claim = iris.claim(B, doc_id, "legal-characterization", begin, end, category)
        rows += [
            (claim, RDF.type, CG.LegalCharacterization),
            (claim, CG.statedIn, stmt),
            (claim, CG.about, iris.entity(B, "event", "srebrenica-massacre")),
            (claim, CG.legalCategory, LEGAL_CATEGORY.term(category)),
            (claim, CG.evidence, ev),
        ]
    return [Quad(s, p, o, g) for s, p, o in rows]


def reference_quads() -> list[Quad]:
    g = iris.reference_graph(B)
    event = iris.entity(B, "event", "srebrenica-massacre")
    return [
        Quad(event, RDF.type, CG.Event, g),
        Quad(event, RDFS.label, Literal("Srebrenica massacre", language="en"), g),
        Quad(event, OWL.sameAs, NamedNode("https://example.org/elsewhere/srebrenica"), g),
    ]


CLAIMS_QUERY = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?category WHERE {
  ?claim cg:about ?event ; cg:legalCategory ?category .
  ?event rdfs:label ?label .
}"""


@pytest.fixture
def server(tmp_path: Path):
    with oxigraph_server(tmp_path / "oxigraph") as running:
        yield running


@pytest.fixture(params=["gsp", "protocol-only"])
def remote(request, server) -> RemoteStore:
    """The same server seen with and without its Graph Store endpoint configured."""
    gsp = server.gsp_url if request.param == "gsp" else ""
    store = open_store(server.query_url, update_url=server.update_url, gsp_url=gsp)
    assert isinstance(store, RemoteStore)
    return store


def test_load_query_export_cycle(remote: RemoteStore, server, tmp_path: Path) -> None:
    assert isinstance(remote, GraphStore)
    doc_graph = iris.document_graph(B, "doc-a")
    loaded = document_quads("doc-a", "This was genocide.", "genocide") + reference_quads()
    remote.replace_graph(doc_graph, document_quads("doc-a", "This was genocide.", "genocide"))
    remote.replace_graph(iris.reference_graph(B), reference_quads())

    assert set(remote.named_graphs()) == {doc_graph, iris.reference_graph(B)}
    assert remote.contains_graph(doc_graph)
    assert not remote.contains_graph(iris.document_graph(B, "missing"))

    # Query: the claim in the document graph joins the label in the reference graph,
    # which needs the union default graph, made of default-graph-uri parameters.
    rows = remote.query(CLAIMS_QUERY)
    assert isinstance(rows, ox.QuerySolutions)
    assert [(r["label"].value, r["category"]) for r in rows] == [
        ("Srebrenica massacre", LEGAL_CATEGORY["genocide"])
    ]
    # ... while GRAPH patterns still see each named graph, as they do locally.
    graphs = remote.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?c a {CG.Statement} }} }}")
    assert [row["g"] for row in graphs] == [doc_graph]
    assert list(remote.query(CLAIMS_QUERY, union_default_graph=False)) == []
    assert list(remote.query(CLAIMS_QUERY, default_graphs=[doc_graph])) == []
    ask = remote.query("ASK { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    construct = remote.query("CONSTRUCT { ?e ?p ?o } WHERE { ?e a ?t ; ?p ?o }")
    assert isinstance(construct, ox.QueryTriples)
    assert len(list(construct)) == 3 + 2 + 2 + 5 + 5  # event, document, statement, claim, evidence

    # Export: the dump holds exactly what was loaded, in every graph.
    exported = dump_bytes(remote, RdfFormat.N_QUADS)
    assert set(ox.parse(exported, format=RdfFormat.N_QUADS)) == set(loaded)
    only_doc = dump_bytes(remote, RdfFormat.N_TRIPLES, graph=doc_graph)
    assert len(list(ox.parse(only_doc, format=RdfFormat.N_TRIPLES))) == 14
    with pytest.raises(ValueError, match="datasets"):
        dump_bytes(remote, RdfFormat.N_TRIPLES)


def test_replace_graph_is_whole_and_remove_graph(remote: RemoteStore) -> None:
    doc_graph = iris.document_graph(B, "doc-a")
    remote.replace_graph(doc_graph, document_quads("doc-a", "This was genocide.", "genocide"))
    remote.replace_graph(doc_graph, document_quads("doc-a", "A war crime.", "war-crime"))
    categories = remote.query(
        "SELECT ?c WHERE { ?x <https://w3id.org/claimgraph/ontology#legalCategory> ?c }"
    )
    assert [row["c"] for row in categories] == [LEGAL_CATEGORY["war-crime"]]
    anchors = remote.query(f"SELECT ?a WHERE {{ ?e {NIF.anchorOf} ?a }}")
    assert [row["a"].value for row in anchors] == ["A war crime."]
    remote.remove_graph(doc_graph)
    assert list(remote.named_graphs()) == []
    remote.remove_graph(doc_graph)  # removing a missing graph is not an error


def test_bulk_load_adds_to_a_graph(remote: RemoteStore) -> None:
    g = NamedNode("https://example.org/graph/bulk")
    data = b"".join(
        b'<https://example.org/s%d> <https://example.org/p> "%d" .\n' % (i, i) for i in range(250)
    )
    remote.bulk_load(io.BytesIO(data), RdfFormat.N_TRIPLES, graph=g)
    count = remote.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
    assert int(next(iter(count))["n"].value) == 250


def test_writes_reach_the_server_storage(server, tmp_path: Path) -> None:
    """What RemoteStore wrote is in the server's own database, read back without HTTP."""
    remote = RemoteStore(server.query_url, server.update_url)
    remote.replace_graph(iris.reference_graph(B), reference_quads())
    server.process.terminate()
    server.process.wait(timeout=10)
    on_disk = ox.Store.read_only(str(tmp_path / "oxigraph"))
    assert set(on_disk) == set(reference_quads())


def test_server_errors_are_store_errors_with_the_servers_reason(remote: RemoteStore) -> None:
    with pytest.raises(StoreError, match=r"answered 400 .* to POST .*/query"):
        remote.query("SELECT WHERE {")
    with pytest.raises(StoreError, match=r"answered 400 .*/update"):
        remote.update("INSERT NONSENSE")


def test_unreachable_store_names_the_url() -> None:
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError, match=rf"cannot reach the remote store at {url}"):
        RemoteStore(url).query("ASK {}")


def test_credentials_leave_the_url_and_messages() -> None:
    store = RemoteStore("http://alice:s3cret@127.0.0.1:1/query")
    assert store.location == "http://127.0.0.1:1/query"
    with pytest.raises(StoreError) as caught:
        store.query("ASK {}")
    assert "s3cret" not in str(caught.value)


# --- the whole cycle with claimgraph's own parts: loader -> server -> export ---------------


def sentence_builder(doc, base_iri: str) -> list[Quad]:
    """A stand-in extraction stage for claimgraph's loader (base_iri is always B here)."""
    return document_quads(doc.doc_id, doc.text)


EVIDENCE_QUERY = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?doc ?anchor ?begin ?end ?text WHERE {
  ?ev nif:anchorOf ?anchor ; nif:beginIndex ?begin ; nif:endIndex ?end ;
      nif:referenceContext ?doc .
  ?doc cg:text ?text .
} ORDER BY ?doc"""


def without_load_times(quads) -> set[Quad]:
    """Quads that do not depend on when the load ran (activity IRIs include the time)."""
    from ontology.vocab import PROV

    timed = {PROV.generatedAtTime, PROV.endedAtTime, PROV.wasGeneratedBy}
    return {q for q in quads if q.predicate not in timed and "/id/activity/" not in q.subject.value}


def test_loader_server_and_export_run_on_the_remote_store(
    server, tmp_path: Path, live_server_factory, capsys
) -> None:
    from loaders.ingest import load_paths
    from server.app import create_app
    from server.cli import main

    corpus = Path(__file__).resolve().parents[1] / "data" / "corpus"
    docs = sorted(corpus.glob("*.txt"))[:2]
    settings = Settings.from_mapping(
        {
            "store": server.query_url,
            "remote_update_url": server.update_url,
            "remote_gsp_url": server.gsp_url,
            "rate_limit": 0.0,
        }
    )
    remote = open_configured_store(settings)
    report = load_paths(remote, docs, base_iri=B, builder=sentence_builder, workers=1)
    assert [o.status for o in report.outcomes] == ["loaded", "loaded"]
    again = load_paths(remote, docs, base_iri=B, builder=sentence_builder, workers=1)
    assert [o.status for o in again.outcomes] == ["unchanged", "unchanged"]

    # The server answers from the remote store; the evidence offsets survive the trip.
    app = create_app(settings)
    live = live_server_factory(app)
    body = urllib.parse.urlencode({"query": EVIDENCE_QUERY}).encode()
    request = urllib.request.Request(
        live.url + "/sparql", data=body, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        bindings = json.load(response)["results"]["bindings"]
    assert len(bindings) == 2
    for row in bindings:
        begin, end = int(row["begin"]["value"]), int(row["end"]["value"])
        assert row["text"]["value"][begin:end] == row["anchor"]["value"] != ""

    # The export command reads the remote store; it matches a local load of the same files.
    out = tmp_path / "dump.nq"
    assert main(["export", "--format", "nquads", "-o", str(out), "--store", server.query_url]) == 0
    exported = set(ox.parse(path=str(out), format=RdfFormat.N_QUADS))
    local = EmbeddedStore(str(tmp_path / "local"))
    load_paths(local, docs, base_iri=B, builder=sentence_builder, workers=1)
    expected = set(ox.parse(dump_bytes(local, RdfFormat.N_QUADS), format=RdfFormat.N_QUADS))
    ontology_graph = iris.ontology_graph(B)
    expected = {q for q in expected if q.graph_name != ontology_graph}  # export omits it
    assert without_load_times(exported) == without_load_times(expected)
    doc_graphs = {iris.document_graph(B, d.stem.replace("_", "-")) for d in docs}
    assert {q.graph_name for q in exported} == doc_graphs | {iris.reference_graph(B)}


class BasicAuthEndpoint:
    """A SPARQL endpoint stand-in on 127.0.0.1 that demands HTTP Basic credentials."""

    RESULT = json.dumps({"head": {"vars": []}, "boolean": True}).encode()

    def __init__(self, user: str, password: str) -> None:
        import base64
        import http.server
        import threading

        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        result = self.RESULT
        self.seen: list[str | None] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen.append(self.headers.get("Authorization"))
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(result)))
                self.end_headers()
                self.wfile.write(result)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def test_credentials_in_the_url_answer_basic_auth() -> None:
    endpoint = BasicAuthEndpoint("alice", "s3 cret")
    try:
        good = RemoteStore(f"http://alice:s3%20cret@127.0.0.1:{endpoint.port}/sparql")
        assert bool(good.query("ASK {}", union_default_graph=False))
        bad = RemoteStore(f"http://alice:wrong@127.0.0.1:{endpoint.port}/sparql")
        with pytest.raises(StoreError, match="answered 401") as caught:
            bad.query("ASK {}", union_default_graph=False)
        assert "wrong" not in str(caught.value)
    finally:
        endpoint.close()
    assert endpoint.seen[0] is None  # the first request carries no credentials ...
    assert endpoint.seen[1] is not None  # ... they are sent when the server asks


@pytest.mark.parametrize(
    ("server_union", "mode", "found"),
    [
        (False, "native", False),  # told the server unites graphs when it does not: nothing
        (True, "native", True),
        (False, "auto", True),  # auto finds out either way
        (True, "auto", True),
        (True, "emulate", True),
    ],
)
def test_union_default_graph_modes(
    tmp_path: Path, server_union: bool, mode: str, found: bool
) -> None:
    extra = ("--union-default-graph",) if server_union else ()
    with oxigraph_server(tmp_path / "oxigraph", *extra) as running:
        settings = Settings.from_mapping(
            {
                "store": running.query_url,
                "remote_update_url": running.update_url,
                "remote_union": mode,
            }
        )
        remote = open_configured_store(settings)
        assert isinstance(remote, RemoteStore)
        remote.replace_graph(iris.reference_graph(B), reference_quads())
        labels = remote.query(f"SELECT ?l WHERE {{ ?e {RDFS.label} ?l }}")
        expected = [Literal("Srebrenica massacre", language="en")] if found else []
        assert [row["l"] for row in labels] == expected
        if mode == "auto":
            assert remote.native_union() is server_union


def test_unknown_union_mode_is_refused() -> None:
    with pytest.raises(StoreError, match="union must be one of auto, native, emulate"):
        RemoteStore("http://127.0.0.1:1/query", union="sometimes")
