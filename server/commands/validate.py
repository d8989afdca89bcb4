"""Check the graph against the SHACL shapes and print each violation in plain words.

Without files, validates the store: all its graphs read as one, together with the
ontology, except graphs imported as is from other datasets (cg:ImportedDataset, see
`claimgraph import`), which follow their own rules (--include-imports checks them too).
With files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD; format from the
extension), validates those instead. Exits 1 when there is a violation, 0 when none.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import RdfFormat

from loaders.store import open_configured_store
from ontology.vocab import CG, RDF
from server.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="RDF files to check instead of the store",
    )
    parser.add_argument(
        "--include-imports",
        action="store_true",
        help="also check graphs imported from other datasets (skipped by default)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from ontology.validate import graph_from_triples, validate  # pySHACL: only when used

    if args.files:
        quads = [q for path in args.files for q in _read(path)]
        what = ", ".join(str(p) for p in args.files)
    else:
        quads, skipped = _store_quads(settings, include_imports=args.include_imports)
        what = f"the store at {settings.store}"
        if skipped:
            what += f" ({skipped} imported graph{'s' if skipped != 1 else ''} skipped)"
    violations = validate(graph_from_triples(quads))
    for violation in violations:
        print(violation)
    count = len(violations)
    summary = f"{count} violation{'s' if count != 1 else ''}" if count else "no violations"
    print(f"{what}: {summary} ({len(quads)} quads checked)", file=sys.stderr)
    return 1 if violations else 0


def _store_quads(settings: Settings, *, include_imports: bool) -> tuple[list[ox.Quad], int]:
    """Every quad of the store, less those in imported graphs unless asked for."""
    store = open_configured_store(settings)
    buffer = io.BytesIO()
    store.dump(buffer, RdfFormat.N_QUADS)
    quads = list(ox.parse(buffer.getvalue(), format=RdfFormat.N_QUADS))
    if include_imports:
        return quads, 0
    imported = {
        q.subject
        for q in quads
        if q.predicate == RDF.type and q.object == CG.ImportedDataset and q.subject == q.graph_name
    }
    return [q for q in quads if q.graph_name not in imported], len(imported)


def _read(path: Path) -> list[ox.Quad]:
    from server.cli import CommandError

    fmt = RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise CommandError(f"{path}: unknown RDF file extension {path.suffix!r}")
    try:
        with path.open("rb") as f:
            return list(ox.parse(f, format=fmt, base_iri=path.resolve().as_uri()))
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    except SyntaxError as exc:
        raise CommandError(f"{path}: not valid {fmt.name}: {exc}") from None
