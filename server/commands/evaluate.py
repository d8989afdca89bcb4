"""Score the loader against hand-written gold annotations (precision, recall, F1).

Loads the documents named by the gold files into a temporary in-memory store, reads the
claims back with SPARQL and prints the scores per claim type, for entities and for
statement metadata, then every miss and false hit. The store named by --store is not
touched. See docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from server.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--gold",
        type=Path,
        default=REPO / "tests" / "gold",
        help="folder of gold files (*.yaml, format in tests/gold/README.md) [default: %(default)s]",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=REPO / "data" / "corpus",
        help="folder holding the documents the gold files name [default: %(default)s]",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text tables, JSON (every count and listing) or Markdown [default: %(default)s]",
    )
    parser.add_argument(
        "--summary", action="store_true", help="print the score tables only, not the misses"
    )
    parser.add_argument(
        "--min-f1",
        type=float,
        default=None,
        metavar="F1",
        help="exit with status 1 when the micro F1 over all claims is below this"
        " (status 1 also when a document failed to load)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from loaders.evaluate import CLAIM_SECTIONS, evaluate_paths
    from loaders.evaluation_report import render_markdown, render_text, to_json
    from loaders.gold import GoldError
    from loaders.scoring import combined
    from server.cli import CommandError

    try:
        evaluation = evaluate_paths(args.gold, args.docs, base_iri=settings.base_iri)
    except GoldError as exc:
        raise CommandError(str(exc)) from exc
    if args.format == "json":
        print(json.dumps(to_json(evaluation), indent=2))
    elif args.format == "markdown":
        print(render_markdown(evaluation, details=not args.summary), end="")
    else:
        print(render_text(evaluation, details=not args.summary), end="")
    claims = [evaluation.sections[s] for s in CLAIM_SECTIONS if s in evaluation.sections]
    f1 = combined(claims)["f1"]
    if evaluation.errors or (args.min_f1 is not None and (f1 is None or f1 < args.min_f1)):
        return 1
    return 0
