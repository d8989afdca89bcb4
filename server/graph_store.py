"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (indirect graph identification).

``GET|HEAD /store?graph=IRI`` (or ``?default``) reads a graph, in any RDF graph format by
content negotiation; reading is public. ``PUT`` replaces a graph with the body, ``POST``
adds the body to it, ``DELETE`` drops it: writes need the bearer write token (see
:mod:`server.security`). A PUT or POST body is parsed completely before anything is
written, and a PUT is one atomic ``replace_graph``, so a bad body changes nothing.
The path is ``/store``, as in Oxigraph's server, so clients of one work with the other.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat

from loaders.store import GraphStore
from server.errors import ApiError
from server.executor import stream
from server.export import graph_quads, write_quads
from server.negotiation import GRAPH_FORMATS, graph_format
from server.security import require_write_token, server_timing

bp = Blueprint("graph_store", __name__)
# A 405 must say what is allowed (RFC 9110 15.5.6): the default graph is only read.
DEFAULT_GRAPH_ALLOW = {"Allow": "GET, HEAD"}


def _store() -> GraphStore:
    return current_app.extensions["claimgraph.store"]


def _target() -> NamedNode | DefaultGraph:
    has_default = "default" in request.args
    iri = request.args.get("graph")
    if has_default == (iri is not None):
        raise ApiError(
            400,
            "missing-parameter",
            "name exactly one graph: ?graph=<IRI> or ?default (the whole dataset is at /export)",
        )
    if iri is None:
        return DefaultGraph()
    try:
        return NamedNode(iri)
    except ValueError as exc:
        raise ApiError(400, "bad-graph-iri", f"graph {iri!r} is not an IRI: {exc}") from None


def _exists(graph: NamedNode | DefaultGraph) -> bool:
    return isinstance(graph, DefaultGraph) or _store().contains_graph(graph)


def _body_quads(graph: NamedNode | DefaultGraph) -> list[ox.Quad]:
    fmt = RdfFormat.from_media_type(request.mimetype) if request.mimetype else None
    if fmt is None or fmt.supports_datasets:
        accepted = ", ".join(f.media_type for f in GRAPH_FORMATS if not f.supports_datasets)
        raise ApiError(
            415,
            "unsupported-media-type",
            f"a graph body must be one of {accepted}, not {request.mimetype or 'untyped'}",
        )
    base = graph.value if isinstance(graph, NamedNode) else None
    try:
        triples = ox.parse(request.get_data(cache=True), fmt, base_iri=base)
        return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples]
    except SyntaxError as exc:
        raise ApiError(400, "malformed-rdf", f"the body is not valid {fmt.name}: {exc}") from None


@bp.route("/store", methods=["GET", "HEAD"])
def read() -> Response:
    graph = _target()
    if not _exists(graph):
        raise ApiError(404, "not-found", f"there is no graph {graph}")
    chosen = graph_format(request.headers.get("Accept"), request.args.get("format"))
    settings = current_app.config["SETTINGS"]
    store = _store()
    # Streamed from a forked child like /export: a large graph never sits in memory here.
    body = stream(
        lambda out: write_quads(graph_quads(store, graph), out, chosen),
        isolation=settings.query_isolation,
        idle_timeout=settings.query_timeout,
    )
    response = Response(body, content_type=chosen.media_type)
    response.vary.add("Accept")
    return response


@bp.route("/store", methods=["PUT", "POST"])
def write() -> Response:
    require_write_token()
    graph = _target()
    quads = _body_quads(graph)
    started = time.perf_counter()
    existed = _exists(graph)
    if isinstance(graph, DefaultGraph):
        raise ApiError(
            405,
            "method-not-allowed",
            "the default graph is read-only here; write to a named graph (?graph=<IRI>)",
            headers=DEFAULT_GRAPH_ALLOW,
        )
    if request.method == "PUT":
        _store().replace_graph(graph, quads)
    else:
        _store().update(_insert_data(graph, quads))
    response = Response(status=204 if existed else 201)
    response.headers["Server-Timing"] = server_timing(write=time.perf_counter() - started)
    return response


def _insert_data(graph: NamedNode, quads: list[ox.Quad]) -> str:
    """INSERT DATA for ``quads`` of ``graph``; the triples are written by pyoxigraph's
    N-Triples serializer (every N-Triples line is valid inside INSERT DATA)."""
    body = ox.serialize([q.triple for q in quads], format=RdfFormat.N_TRIPLES).decode("utf-8")
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"


@bp.delete("/store")
def delete() -> Response:
    require_write_token()
    graph = _target()
    if isinstance(graph, DefaultGraph):
        raise ApiError(
            405,
            "method-not-allowed",
            "the default graph cannot be deleted here",
            headers=DEFAULT_GRAPH_ALLOW,
        )
    if not _exists(graph):
        raise ApiError(404, "not-found", f"there is no graph {graph}")
    _store().remove_graph(graph)
    return Response(status=204)
