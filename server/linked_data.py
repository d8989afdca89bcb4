"""Dereferenceable IRIs, following W3C "Cool URIs for the Semantic Web" (303 URIs).

A minted IRI ``B id/<path>`` names a thing, not a document, so ``GET /id/<path>``
answers ``303 See Other``: to ``/data/<path>`` (RDF: Turtle, JSON-LD, N-Triples,
RDF/XML by content negotiation) or, when the client prefers HTML, to ``/page/<path>``
(the web interface). ``/data/<path>`` describes the thing: every triple with it as
subject or object, from every graph. Unknown things are 404 at both addresses.

``/ontology`` serves the ontology (``ontology/claimgraph.ttl``; browsers are sent to
``/docs/ontology``); a concept of its SKOS schemes (``/concept/<scheme>/<slug>``)
303-redirects to it; a graph IRI ``B graph/<path>`` redirects to its Graph Store
address. The server maps the request path onto the configured base IRI, so the same
code answers for ``https://w3id.org/claimgraph/`` behind a redirect or a local base.
"""

from __future__ import annotations

import functools

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request, url_for
from pyoxigraph import NamedNode, RdfFormat
from werkzeug.urls import iri_to_uri

from ontology.files import ONTOLOGY_TTL as ONTOLOGY_FILE
from ontology.vocab import CONCEPT_BASE
from server.errors import ApiError
from server.executor import QueryJob, run_query
from server.negotiation import HTML, QueryFormats, graph_format
from server.security import server_timing

bp = Blueprint("linked_data", __name__)

LD_FORMATS = (RdfFormat.TURTLE, RdfFormat.JSON_LD, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML)
DESCRIBE = "CONSTRUCT { %(r)s ?p ?o . ?s ?q %(r)s } WHERE { { %(r)s ?p ?o } UNION { ?s ?q %(r)s } }"


def _settings():
    return current_app.config["SETTINGS"]


def _store():
    return current_app.extensions["claimgraph.store"]


def resource_iri(path: str) -> NamedNode:
    """The minted IRI for request path ``/id/<path>`` under the configured base; 404 if none."""
    base = _settings().base_iri
    base = base if base.endswith(("/", "#")) else base + "/"
    try:
        return NamedNode(f"{base}id/{path}")
    except ValueError:
        raise ApiError(404, "not-found", f"/id/{path} names no resource") from None


def _known(iri: NamedNode) -> bool:
    # The IRI is a validated NamedNode, whose str() is its SPARQL form <...>.
    return bool(
        _store().query(
            f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?q {iri} }} }}", union_default_graph=True
        )
    )


def _negotiated() -> RdfFormat | str:
    return graph_format(
        request.headers.get("Accept"), request.args.get("format"), LD_FORMATS, html=True
    )


def _see_other(location: str) -> Response:
    response = redirect(location, 303)
    response.vary.add("Accept")
    return response


@bp.get("/id/<path:path>")
def thing(path: str) -> Response:
    iri = resource_iri(path)
    if not _known(iri):
        raise ApiError(404, "not-found", f"there is no resource {iri.value}")
    chosen = _negotiated()
    if chosen == HTML:
        return _see_other(request.script_root + "/page/" + path)
    params = {"format": request.args["format"]} if "format" in request.args else {}
    return _see_other(url_for("linked_data.data", path=path, **params))


@bp.get("/data/<path:path>")
def data(path: str) -> Response:
    iri = resource_iri(path)
    chosen = _negotiated()
    if chosen == HTML:
        chosen = RdfFormat.TURTLE  # /data is the RDF document; pages live at /page
    settings = _settings()
    job = QueryJob(
        sparql=DESCRIBE % {"r": iri},
        formats=QueryFormats(None, chosen, ""),
        union_default_graph=True,
        max_rows=settings.max_rows,
    )
    answer = run_query(
        _store(), job, timeout=settings.query_timeout, isolation=settings.query_isolation
    )
    if answer.rows == 0:
        answer.body.close()
        raise ApiError(404, "not-found", f"there is no resource {iri.value}")
    response = Response(answer.body, content_type=answer.media_type)
    response.headers["Server-Timing"] = server_timing(query=answer.eval_seconds)
    response.headers["Link"] = f'<{iri_to_uri(iri.value)}>; rel="describes"'  # Latin-1 only
    response.vary.add("Accept")
    return response


@bp.get("/ontology")
def ontology_document() -> Response:
    chosen = _negotiated()
    if chosen == HTML:
        return _see_other(request.script_root + "/docs/ontology")
    if not ONTOLOGY_FILE.exists():
        raise ApiError(404, "not-found", "the ontology file is not installed on this server")
    text = ONTOLOGY_FILE.read_bytes()
    if chosen != RdfFormat.TURTLE:  # Turtle is served as written, comments and all
        triples = [q.triple for q in ox.parse(text, RdfFormat.TURTLE)]
        text = ox.serialize(triples, format=chosen)
    response = Response(text, content_type=chosen.media_type)
    response.vary.add("Accept")
    return response


@functools.cache
def _ontology_subjects(mtime: float) -> frozenset[str]:
    """IRIs the shipped ontology describes (classes, properties, concepts, schemes)."""
    del mtime  # part of the cache key only: a changed file is read again
    quads = ox.parse(path=str(ONTOLOGY_FILE), format=RdfFormat.TURTLE)
    return frozenset(q.subject.value for q in quads if isinstance(q.subject, NamedNode))


@bp.get("/concept/<path:path>")
def concept(path: str) -> Response:
    """A concept of the shipped SKOS schemes: 303 to the ontology document describing it."""
    iri = CONCEPT_BASE + path
    if not ONTOLOGY_FILE.exists() or iri not in _ontology_subjects(ONTOLOGY_FILE.stat().st_mtime):
        raise ApiError(404, "not-found", f"there is no concept {iri}")
    if _negotiated() == HTML:
        return _see_other(request.script_root + "/docs/ontology")
    params = {"format": request.args["format"]} if "format" in request.args else {}
    return _see_other(url_for("linked_data.ontology_document", **params))


@bp.get("/graph/<path:path>")
def named_graph(path: str) -> Response:
    base = _settings().base_iri
    base = base if base.endswith(("/", "#")) else base + "/"
    return _see_other(url_for("graph_store.read", graph=f"{base}graph/{path}"))
