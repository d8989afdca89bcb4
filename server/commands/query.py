"""Run a SPARQL query against the store and print the results.

The query is a string, a file (-f) or one of the named competency queries (--named cq01;
--list shows them). Results print as an aligned text table, or serialized by pyoxigraph:
--format json|xml|csv|tsv for SELECT and ASK, turtle|ntriples|jsonld|rdfxml for
CONSTRUCT and DESCRIBE. Named queries answer for every event (statement, claim) unless a
parameter is bound: --bind event=https://w3id.org/claimgraph/id/event/...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

import pyoxigraph as ox
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from loaders.store import open_configured_store
from ontology.queries import QueryNotFoundError, get_query, named_queries
from ontology.vocab import PREFIXES
from server.settings import Settings

RESULT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("sparql", nargs="?", help="the query text")
    source.add_argument("-f", "--file", type=Path, help="read the query from this file")
    source.add_argument("--named", metavar="NAME", help="a shipped query, e.g. cq01")
    source.add_argument("--list", action="store_true", help="list the named queries and exit")
    parser.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="VAR=IRI",
        help="bind a parameter of a named query to an IRI (repeatable)",
    )
    parser.add_argument(
        "--format",
        choices=["table", *RESULT_FORMATS, *GRAPH_FORMATS],
        default="table",
        help="output format (default: an aligned text table)",
    )
    parser.add_argument(
        "--width",
        type=int,
        default=60,
        help="longest cell of the text table, in characters; 0 for no limit (default 60)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    from server.cli import CommandError

    if args.list:
        print_list(sys.stdout)
        return 0
    sparql = _query_text(args)
    store = open_configured_store(settings)
    try:
        results = store.query(sparql, union_default_graph=settings.union_default_graph)
    except SyntaxError as exc:
        raise CommandError(f"the query is not valid SPARQL: {exc}") from None
    write_results(
        results,
        args.format,
        sys.stdout,
        sys.stdout.buffer,
        width=args.width,
        base_iri=settings.base_iri,
    )
    return 0


def _query_text(args: argparse.Namespace) -> str:
    from server.cli import CommandError

    if args.bind and not args.named:
        raise CommandError("--bind works with --named queries only")
    if args.named:
        try:
            query = get_query(args.named)
        except QueryNotFoundError as exc:
            raise CommandError(str(exc)) from None
        try:
            return query.bind(**dict(_binding(b) for b in args.bind))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    if args.file:
        try:
            return args.file.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read the query file {args.file}: {exc.strerror}") from None
    if args.sparql:
        return args.sparql
    raise CommandError("give a query: SPARQL text, -f FILE or --named NAME (--list shows names)")


def _binding(text: str) -> tuple[str, NamedNode]:
    from server.cli import CommandError

    name, sep, value = text.partition("=")
    value = value.strip().removeprefix("<").removesuffix(">")
    if not sep or not name.strip() or not value:
        raise CommandError(f"--bind expects VAR=IRI, got {text!r}")
    try:
        return name.strip().lstrip("?"), NamedNode(value)
    except ValueError as exc:
        raise CommandError(f"--bind {name}: {value!r} is not an IRI ({exc})") from None


def print_list(out: TextIO) -> None:
    queries = named_queries()
    width = max((len(q.short_name) for q in queries), default=0)
    for query in queries:
        params = ", ".join(f"?{p}" for p in query.parameters)
        suffix = f"  [bind: {params}]" if params else ""
        out.write(f"{query.short_name.ljust(width)}  {query.title}{suffix}\n")


def write_results(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    fmt: str,
    text_out: TextIO,
    binary_out: BinaryIO,
    *,
    width: int = 60,
    base_iri: str | None = None,
) -> None:
    """Print results as a table or in a pyoxigraph serialization; wrong kinds are errors."""
    from server.cli import CommandError

    if isinstance(results, ox.QueryTriples):
        if fmt == "table":
            fmt = "turtle"
        if fmt not in GRAPH_FORMATS:
            raise CommandError(
                f"a CONSTRUCT or DESCRIBE query gives triples; --format {fmt} is for SELECT and "
                f"ASK. Use one of: {', '.join(GRAPH_FORMATS)}"
            )
        text_out.flush()
        binary_out.write(ox.serialize(results, format=GRAPH_FORMATS[fmt], prefixes=PREFIXES))
        binary_out.flush()
        return
    if fmt in GRAPH_FORMATS:
        raise CommandError(
            f"a SELECT or ASK query gives solutions; --format {fmt} is for CONSTRUCT and "
            f"DESCRIBE. Use one of: table, {', '.join(RESULT_FORMATS)}"
        )
    if fmt == "table":
        if isinstance(results, ox.QueryBoolean):
            text_out.write(f"{'true' if bool(results) else 'false'}\n")
        else:
            text_out.write(render_table(results, width=width, base_iri=base_iri))
        return
    text_out.flush()
    binary_out.write(results.serialize(format=RESULT_FORMATS[fmt]))
    binary_out.flush()


def render_table(
    solutions: ox.QuerySolutions, *, width: int = 60, base_iri: str | None = None
) -> str:
    """An aligned text table with one row per solution.

    IRIs are shortened by the known prefixes (``cg:Claim``), and IRIs minted under
    ``base_iri`` are shown relative to it (``<id/event/black-january>``).
    """
    columns = [v.value for v in solutions.variables]
    rows = [[_cell(solution[c], width, base_iri) for c in columns] for solution in solutions]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(
    term: ox.NamedNode | ox.BlankNode | ox.Literal | None, width: int, base_iri: str | None
) -> str:
    from ontology.validate import compact  # lazily: the CLI imports every command at start

    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        if base_iri and term.value.startswith(base_iri) and term.value != base_iri:
            text = f"<{term.value.removeprefix(base_iri)}>"
        else:
            text = compact(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = term.value
    text = " ".join(text.split())  # one line per row, whatever the literal holds
    if width and len(text) > width:
        text = text[: max(width - 1, 1)] + "…"
    return text
