"""Where the ontology's shipped files are, and the ontology as quads for the store.

The files live inside the ``ontology`` package (installed as package data), so these
paths work from a source checkout and from an installed wheel alike.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_TTL = PACKAGE_DIR / "claimgraph.ttl"
SHAPES_TTL = PACKAGE_DIR / "shapes.ttl"
CONTEXT_JSONLD = PACKAGE_DIR / "context.jsonld"
QUERIES_DIR = PACKAGE_DIR / "queries"


def _parse(path: Path, graph: NamedNode) -> list[Quad]:
    with path.open("rb") as f:
        return [
            Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(f, format=RdfFormat.TURTLE, base_iri=path.as_uri())
        ]


def ontology_quads(graph: NamedNode) -> list[Quad]:
    """The ontology and its concept schemes, as quads in ``graph`` (usually graph/ontology)."""
    return _parse(ONTOLOGY_TTL, graph)


def shapes_quads(graph: NamedNode) -> list[Quad]:
    """The SHACL shapes, as quads in ``graph``."""
    return _parse(SHAPES_TTL, graph)
