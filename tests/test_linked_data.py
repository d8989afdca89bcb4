"""Minted IRIs dereference (Cool URIs, 303); the ontology IRI serves the ontology."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import NamedNode, RdfFormat

from ontology.files import ONTOLOGY_TTL
from tests.serverkit import BASE, BLACK_JANUARY, canonical, error_of, load_example, serve, triples

PATH = "event/black-january"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def server(live_server_factory, store, settings):
    load_example(store)
    return serve(live_server_factory, store, settings)


def _about(store, iri: NamedNode) -> set[ox.Triple]:
    """Every triple with ``iri`` as subject or object, in any graph: the store's own view."""
    out = {q.triple for q in store.raw.quads_for_pattern(iri, None, None, None)}
    return out | {q.triple for q in store.raw.quads_for_pattern(None, None, iri, None)}


@pytest.mark.parametrize(
    "fmt", [RdfFormat.TURTLE, RdfFormat.JSON_LD, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML]
)
def test_id_redirects_to_data_which_describes_the_thing(server, store, fmt):
    r = requests.get(
        server.url + "/id/" + PATH, headers={"Accept": fmt.media_type}, allow_redirects=False
    )
    assert r.status_code == 303
    assert r.headers["Location"] == "/data/" + PATH
    assert "Accept" in r.headers["Vary"]
    data = requests.get(server.url + r.headers["Location"], headers={"Accept": fmt.media_type})
    assert data.status_code == 200
    assert data.headers["Content-Type"] == fmt.media_type
    expected = _about(store, BLACK_JANUARY)
    # label, dates, place in graph/reference; claims about it and mentions in the document
    assert len(expected) > 10
    assert triples(ox.parse(data.content, fmt)) == expected


def test_browsers_are_sent_to_the_page(server):
    r = requests.get(server.url + "/id/" + PATH, headers={"Accept": BROWSER}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/page/" + PATH


def test_unknown_resources_are_404(server):
    for path in ("/id/event/no-such-event", "/data/event/no-such-event", "/id/event/a%20b"):
        r = requests.get(server.url + path, allow_redirects=False)
        assert r.status_code == 404, path
        assert error_of(r)["code"] == "not-found"


def test_format_parameter_survives_the_redirect(server):
    r = requests.get(server.url + "/id/" + PATH, params={"format": "nt"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/n-triples"


def test_graph_iris_lead_to_the_graph_store(server, store):
    r = requests.get(server.url + "/graph/reference", allow_redirects=False)
    assert r.status_code == 303
    r = requests.get(server.url + "/graph/reference", headers={"Accept": "application/n-triples"})
    graph = NamedNode(BASE + "graph/reference")
    expected = {q.triple for q in store.raw.quads_for_pattern(None, None, None, graph)}
    assert triples(ox.parse(r.content, RdfFormat.N_TRIPLES)) == expected


@pytest.mark.parametrize("fmt", [RdfFormat.TURTLE, RdfFormat.JSON_LD, RdfFormat.N_TRIPLES])
def test_the_ontology_iri_serves_the_ontology(server, fmt):
    r = requests.get(server.url + "/ontology", headers={"Accept": fmt.media_type})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == fmt.media_type
    expected = canonical(ox.parse(path=str(ONTOLOGY_TTL), format=RdfFormat.TURTLE))
    assert canonical(ox.parse(r.content, fmt)) == expected
    assert (
        ox.Quad(
            NamedNode("https://w3id.org/claimgraph/ontology"),
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode("http://www.w3.org/2002/07/owl#Ontology"),
        )
        in expected
    )


def test_the_ontology_for_browsers_is_its_documentation(server):
    r = requests.get(server.url + "/ontology", headers={"Accept": BROWSER}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/docs/ontology"


def test_406_when_no_rdf_format_fits(server):
    r = requests.get(server.url + "/data/" + PATH, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in error_of(r)["message"]


def test_concepts_of_the_schemes_lead_to_the_ontology(server):
    r = requests.get(server.url + "/concept/legal-category/genocide", allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"] == "/ontology"
    described = requests.get(
        server.url + "/concept/legal-category/genocide", headers={"Accept": "application/n-triples"}
    )
    genocide = NamedNode("https://w3id.org/claimgraph/concept/legal-category/genocide")
    assert any(
        t.subject == genocide for t in triples(ox.parse(described.content, RdfFormat.N_TRIPLES))
    )
    unknown = requests.get(server.url + "/concept/legal-category/no-such-crime")
    assert unknown.status_code == 404
