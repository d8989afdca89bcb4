"""Whole-dataset export: ``GET /export`` (and ``claimgraph export``), streamed.

The dump is written graph by graph from the store's own iterators into pyoxigraph's
serializers, so neither the server nor the CLI ever holds the whole dataset in memory.
On the server it runs in a thread of the server process writing into a pipe (see
:mod:`server.executor`), not in a forked child: a dump touches every part of the store
long after it started, and a child forked while a RocksDB background thread held one of
its locks would stall mid-stream, past the point where the executor can fork again. An
export is bounded work (no query to time out), each graph is read from one snapshot, and
a client that disconnects stops it. ``format`` is ``trig`` (default: graphs kept),
``nquads`` or ``turtle`` (every graph's triples, concatenated: Turtle has no graphs).
The ontology graph is left out unless ``ontology=1`` asks for it; it is then taken from
the store, or from the shipped ``ontology/claimgraph.ttl`` when the store does not hold it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat

from loaders.store import GraphStore
from ontology import iris
from ontology.files import ontology_quads
from ontology.vocab import PREFIXES
from server.executor import stream
from server.negotiation import graph_format

bp = Blueprint("export", __name__)

EXPORT_FORMATS = (RdfFormat.TRIG, RdfFormat.N_QUADS, RdfFormat.TURTLE)
FORMAT_NAMES = {"trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS, "turtle": RdfFormat.TURTLE}


def graph_quads(store: GraphStore, graph: NamedNode | DefaultGraph) -> Iterator[Quad]:
    raw = getattr(store, "raw", None)
    if raw is not None:
        yield from raw.quads_for_pattern(None, None, None, graph)
        return
    # A remote store: a CONSTRUCT per graph, streamed by the remote client.
    for triple in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph]):
        yield Quad(triple.subject, triple.predicate, triple.object, graph)


def write_quads(quads: Iterable[Quad], out: BinaryIO, fmt: RdfFormat) -> None:
    items = quads if fmt.supports_datasets else (q.triple for q in quads)
    ox.serialize(items, out, fmt, prefixes=PREFIXES)


def write_export(
    store: GraphStore,
    out: BinaryIO,
    fmt: RdfFormat,
    *,
    base_iri: str,
    include_ontology: bool = False,
) -> None:
    """Write every graph of ``store`` to ``out`` in ``fmt``, one graph at a time."""
    ontology_graph = iris.ontology_graph(base_iri)
    graphs = sorted(store.named_graphs(), key=lambda g: g.value)
    has_ontology = ontology_graph in graphs
    if has_ontology and not include_ontology:
        graphs.remove(ontology_graph)
    default = graph_quads(store, DefaultGraph())
    first = next(default, None)
    if first is not None:
        write_quads(_chain(first, default), out, fmt)
    for graph in graphs:
        write_quads(graph_quads(store, graph), out, fmt)
    if include_ontology and not has_ontology:
        write_quads(ontology_quads(ontology_graph), out, fmt)
    out.flush()


def _chain(first: Quad, rest: Iterator[Quad]) -> Iterator[Quad]:
    yield first
    yield from rest


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@bp.get("/export")
def export() -> Response:
    settings = current_app.config["SETTINGS"]
    store = current_app.extensions["claimgraph.store"]
    name = request.args.get("format")
    fmt = FORMAT_NAMES.get((name or "").lower()) or graph_format(
        request.headers.get("Accept"), name, EXPORT_FORMATS
    )
    include = _flag(request.args.get("ontology"))
    body = stream(
        lambda out: write_export(
            store, out, fmt, base_iri=settings.base_iri, include_ontology=include
        ),
        isolation="thread",
        idle_timeout=settings.query_timeout,
    )
    response = Response(body, content_type=fmt.media_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="claimgraph.{fmt.file_extension}"'
    )
    response.vary.add("Accept")
    return response
