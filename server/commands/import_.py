"""Import another RDF dataset into its own named graph (Turtle, N-Triples, N-Quads, TriG, ...).

Re-importing into the same graph replaces it; a failed import changes nothing.
Example: claimgraph import data/wikidata_extract/extract.ttl --graph https://w3id.org/claimgraph/graph/import/wikidata
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat

from loaders.importer import import_file, import_graph
from loaders.store import StoreLockedError, open_configured_store
from ontology import iris
from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="the RDF file to import")
    parser.add_argument(
        "--graph",
        metavar="IRI",
        help="named graph to import into (default: BASE graph/import/<file stem>)",
    )
    parser.add_argument(
        "--format",
        metavar="FORMAT",
        help="RDF format as a media type or extension (default: from the file name)",
    )
    bulk = parser.add_mutually_exclusive_group()
    bulk.add_argument(
        "--bulk",
        action="store_true",
        default=None,
        help="use pyoxigraph's bulk loader (embedded store; default above 50,000 triples)",
    )
    bulk.add_argument(
        "--no-bulk", dest="bulk", action="store_false", help="one transaction, whatever the size"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from server.cli import CommandError

    graph = _graph(args, settings)
    rdf_format = _format(args.format)
    try:
        store = open_configured_store(settings)
    except StoreLockedError:
        raise CommandError(
            f"the store at {settings.store} is in use (is `claimgraph serve` running on it?). "
            "Stop the server and import again, or send the file to the running server's "
            f"Graph Store with the write token: curl -X PUT -H 'Authorization: Bearer TOKEN' "
            f"-H 'Content-Type: MEDIA-TYPE' --data-binary @{args.file} "
            f"'URL/store?graph={graph.value}'"
        ) from None
    report = import_file(
        store, args.file, graph, base_iri=settings.base_iri, format=rdf_format, bulk=args.bulk
    )
    store.flush()
    if report.triples == 0:
        print(f"warning: {args.file} holds no triples; {graph.value} now holds only its provenance")
    how = "bulk-loaded" if report.bulk else "imported"
    print(
        f"{how} {report.triples} triples from {report.file_name} ({report.format.name}"
        f"{', gzip' if report.compressed else ''}, sha256 {report.sha256[:12]}) into {graph.value}"
    )
    return 0


def _graph(args: argparse.Namespace, settings: Settings) -> NamedNode:
    from server.cli import CommandError

    if not args.graph:
        return import_graph(settings.base_iri, args.file)
    try:
        graph = NamedNode(args.graph)
    except ValueError as exc:
        raise CommandError(f"--graph {args.graph!r} is not a valid IRI: {exc}") from None
    own = iris.graph(settings.base_iri, "").value
    imports = iris.graph(settings.base_iri, "import", "").value
    if graph.value.startswith(own) and not graph.value.startswith(imports):
        raise CommandError(
            f"--graph {graph.value} would overwrite claimgraph's own graphs; "
            f"use an IRI under {imports} or outside {own}"
        )
    return graph


def _format(value: str | None) -> RdfFormat | None:
    from server.cli import CommandError

    if value is None:
        return None
    found = RdfFormat.from_media_type(value) or RdfFormat.from_extension(value.lstrip("."))
    if found is None:
        raise CommandError(f"--format {value!r} is neither a known RDF media type nor extension")
    return found
