"""Whole-dataset export: ``GET /export`` (and ``claimgraph export``), streamed.

The whole dump goes through one pyoxigraph serializer fed by one iterator over the store,
so neither the server nor the CLI holds the dataset, a list of its graphs, or anything
else that grows with it: TriG gets the ``@prefix`` block once and a ``<g> { }`` block
per graph (the writer opens one whenever the graph name changes). An embedded store is
read through a single RocksDB iterator, hence from one snapshot, in the store's key
order: the default graph, then each named graph in turn, ordered by the hashes that
encode the graph names. That order depends on the dataset only, not on the order it
was loaded in, so the same dataset dumps to the same bytes.

On the server it runs in a thread of the server process writing into a pipe (see
:mod:`server.executor`), not in a forked child: a dump touches every part of the store
long after it started, and a child forked while a RocksDB background thread held one of
its locks would stall mid-stream, past the point where the executor can fork again. An
export is bounded work (no query to time out), and a client that disconnects stops it.
``format`` is ``trig`` (default: graphs kept), ``nquads`` or ``turtle`` (every graph's
triples, concatenated: Turtle has no graphs). The ontology graph is left out unless
``ontology=1`` asks for it; it is then taken from the store, or from the shipped
``ontology/claimgraph.ttl`` when the store does not hold it.
"""

from __future__ import annotations

import itertools
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
    """The quads of one graph (``server.graph_store`` serves a graph with it)."""
    raw = getattr(store, "raw", None)
    if raw is not None:
        yield from raw.quads_for_pattern(None, None, None, graph)
        return
    # A remote store: a CONSTRUCT per graph, streamed by the remote client.
    for triple in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph]):
        yield Quad(triple.subject, triple.predicate, triple.object, graph)


def dataset_quads(store: GraphStore, *, leave_out: NamedNode | None = None) -> Iterator[Quad]:
    """Every quad of ``store`` but those of graph ``leave_out``, graph after graph.

    Each graph's quads come together (default graph first), which is what lets one TriG
    writer take the whole stream.
    """
    raw = getattr(store, "raw", None)
    if raw is None:
        # A remote store has no iterator over all its quads: graph by graph, in name
        # order (a remote store promises none), holding the list of names.
        graphs = sorted((g for g in store.named_graphs() if g != leave_out), key=str)
        return itertools.chain.from_iterable(
            graph_quads(store, g) for g in [DefaultGraph(), *graphs]
        )
    quads = raw.quads_for_pattern(None, None, None, None)
    if leave_out is None or not raw.contains_named_graph(leave_out):
        return quads
    return (q for q in quads if q.graph_name != leave_out)


def write_quads(quads: Iterable[Quad], out: BinaryIO, fmt: RdfFormat) -> None:
    """Serialize ``quads`` (their triples, if ``fmt`` has no graphs) with one writer."""
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
    """Write every graph of ``store`` to ``out`` in ``fmt``, with one serializer."""
    ontology_graph = iris.ontology_graph(base_iri)
    quads = dataset_quads(store, leave_out=None if include_ontology else ontology_graph)
    if include_ontology and not store.contains_graph(ontology_graph):
        quads = itertools.chain(quads, ontology_quads(ontology_graph))
    write_quads(quads, out, fmt)
    out.flush()


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
