"""Whole-dataset export over HTTP and from the CLI, parsed back and compared with the store."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import RdfFormat

from loaders.store import EmbeddedStore
from ontology import iris
from ontology.files import ontology_quads
from ontology.vocab import PREFIXES
from server.cli import main
from server.export import write_export
from tests.serverkit import BASE, canonical, load_example, serve


@pytest.fixture
def server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings)


def _all_quads(store) -> set[ox.Quad]:
    return set(store.raw.quads_for_pattern(None, None, None, None))


@pytest.mark.parametrize(("name", "fmt"), [("trig", RdfFormat.TRIG), ("nquads", RdfFormat.N_QUADS)])
def test_dataset_formats_keep_every_graph(server, store, name, fmt):
    r = requests.get(server.url + "/export", params={"format": name})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == fmt.media_type
    assert f"claimgraph.{fmt.file_extension}" in r.headers["Content-Disposition"]
    got = set(ox.parse(r.content, fmt))
    assert len(got) == 230  # the fixture's quads
    assert got == _all_quads(store)


def test_turtle_is_the_union_of_the_graphs(server, store):
    r = requests.get(server.url + "/export", headers={"Accept": "text/turtle"})
    assert r.headers["Content-Type"] == "text/turtle"
    got = {q.triple for q in ox.parse(r.content, RdfFormat.TURTLE)}
    assert got == {q.triple for q in _all_quads(store)}


def test_ontology_only_when_asked(server, store):
    graph = iris.ontology_graph(BASE)
    expected = canonical(ontology_quads(graph))
    plain = set(ox.parse(requests.get(server.url + "/export").content, RdfFormat.TRIG))
    assert not any(q.graph_name == graph for q in plain)
    r = requests.get(server.url + "/export", params={"ontology": "1", "format": "nquads"})
    with_ontology = list(ox.parse(r.content, RdfFormat.N_QUADS))
    assert canonical(q for q in with_ontology if q.graph_name == graph) == expected
    # When the store holds the ontology graph, the export leaves it out unless asked.
    store.raw.extend(ontology_quads(graph))
    plain = set(ox.parse(requests.get(server.url + "/export").content, RdfFormat.TRIG))
    assert not any(q.graph_name == graph for q in plain)


def _export(store, fmt: RdfFormat) -> bytes:
    out = io.BytesIO()
    write_export(store, out, fmt, base_iri=BASE)
    return out.getvalue()


def test_trig_states_the_prefixes_once_and_opens_each_graph_once(store):
    load_example(store)  # two named graphs: the reference graph and one document's graph
    ex = ox.NamedNode("https://example.org/default-subject")
    store.raw.add(
        ox.Quad(ex, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("d"))
    )
    dump = _export(store, RdfFormat.TRIG)
    lines = dump.decode().splitlines()
    assert sum(line.startswith("@prefix cg: ") for line in lines) == 1
    assert sum(line.startswith("@prefix ") for line in lines) == len(PREFIXES) == 23
    assert sorted(line for line in lines if line.endswith("{")) == [
        "<https://w3id.org/claimgraph/graph/document/000-638dc1acbe19e14a> {",
        "<https://w3id.org/claimgraph/graph/reference> {",
    ]
    got = set(ox.parse(dump, RdfFormat.TRIG))
    assert len(got) == 231
    assert got == _all_quads(store)


def test_the_same_dataset_dumps_to_the_same_bytes_whatever_its_load_order(store, tmp_path):
    quads = sorted(_all_quads(load_example(store)), key=str)
    other = EmbeddedStore(str(tmp_path / "other"))
    other.raw.extend(reversed(quads[100:]))
    other.raw.flush()
    other.raw.extend(quads[:100])
    for fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS):
        assert _export(other, fmt) == _export(store, fmt)


def test_cli_export_writes_the_same_dump(store_path, tmp_path, capsysbinary):
    store = load_example(EmbeddedStore(store_path))
    store.flush()
    expected = _all_quads(store)
    del store  # the CLI opens the store itself (one process at a time)
    out = tmp_path / "dump.nq"
    assert main(["export", "--store", store_path, "--format", "nquads", "-o", str(out)]) == 0
    assert set(ox.parse(path=str(out), format=RdfFormat.N_QUADS)) == expected
    assert main(["export", "--store", store_path, "--format", "turtle"]) == 0
    stdout = capsysbinary.readouterr().out
    assert {q.triple for q in ox.parse(stdout, RdfFormat.TURTLE)} == {q.triple for q in expected}


def test_cli_export_while_a_server_holds_the_store_says_what_to_do(store, store_path, capsys):
    assert store is not None  # the fixture's open store holds the lock, as `serve` would
    assert main(["export", "--store", store_path]) == 2
    assert "URL/export" in capsys.readouterr().err
