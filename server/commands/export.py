"""Write the whole dataset as Turtle, TriG or N-Quads, streamed (to stdout or a file).

The store is read through one iterator into one serializer (see server.export), so the
dump itself holds nothing that grows with the data. The ontology graph is included only
with --ontology. While `claimgraph serve` holds the store, fetch the same dump from the
server: `curl -o dump.trig URL/export`.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext

from loaders.store import StoreLockedError, open_configured_store
from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["trig", "nquads", "turtle"],
        default="trig",
        help="serialization (default: trig, which keeps the named graphs)",
    )
    parser.add_argument(
        "--ontology", action="store_true", help="include the ontology graph in the dump"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from server.cli import CommandError
    from server.export import FORMAT_NAMES, write_export

    try:
        store = open_configured_store(settings)
    except StoreLockedError:
        raise CommandError(
            f"the store at {settings.store} is held by a running server; "
            "download the same dump from it: curl -o dump.trig URL/export?format=trig"
        ) from None
    fmt = FORMAT_NAMES[args.format]
    target = open(args.output, "wb") if args.output else nullcontext(sys.stdout.buffer)  # noqa: SIM115
    with target as out:
        write_export(store, out, fmt, base_iri=settings.base_iri, include_ontology=args.ontology)
    return 0
