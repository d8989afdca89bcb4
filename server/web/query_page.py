"""The query page's data: run a query, turn its results into a linked table.

The query takes the same path as one sent to ``/sparql``: the federation guard first
(``SERVICE`` reaches only allowlisted endpoints), then the stoppable executor. The
page shows at most ``DISPLAY_LIMIT`` rows and says when there are more; the download
links hand the same query to ``/sparql`` for the full results in CSV, JSON or Turtle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, RdfFormat

from loaders.store import GraphStore
from ontology.queries import named_queries
from server import executor
from server.errors import ApiError
from server.executor import QueryJob
from server.federation import FederationError, guard_query
from server.negotiation import QueryFormats
from server.settings import Settings
from server.web.terms import Linker, compact, fetch_labels, term_view

DISPLAY_LIMIT = 1000


@dataclass
class QueryOutcome:
    """What a query gave: a table, a boolean, or an error to show inline."""

    kind: str = ""  # "select" | "ask" | "graph" | "" (no query or error)
    columns: list[str] = field(default_factory=list)
    rows: list[list[dict[str, Any] | None]] = field(default_factory=list)
    truncated: bool = False
    boolean: bool | None = None
    error: str | None = None
    error_line: int | None = None
    status: int = 200

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind or None,
            "columns": self.columns,
            "rows": self.rows,
            "truncated": self.truncated,
            "boolean": self.boolean,
            "error": self.error,
            "error_line": self.error_line,
        }


def run_query(store: GraphStore, settings: Settings, sparql: str, linker: Linker) -> QueryOutcome:
    """Run ``sparql`` as ``/sparql`` would and describe its results for the page.

    The query runs through :mod:`server.executor` (stopped at ``query_timeout``, capped
    at ``DISPLAY_LIMIT`` rows) and its answer, serialized by pyoxigraph in the child,
    is parsed back into terms here. A client's mistake comes back as an outcome with
    its message, to be shown inline next to the editor.
    """
    job = QueryJob(
        sparql=sparql,
        formats=QueryFormats(QueryResultsFormat.JSON, RdfFormat.N_TRIPLES, "the query page"),
        union_default_graph=settings.union_default_graph,
        base_iri=settings.base_iri,
        max_rows=DISPLAY_LIMIT,
    )
    try:
        guard_query(sparql, settings, base_iri=settings.base_iri)
        answer = executor.run_query(
            store, job, timeout=settings.query_timeout, isolation=settings.query_isolation
        )
        try:
            body = b"".join(answer.body)
        finally:
            answer.body.close()
    except FederationError as exc:
        return QueryOutcome(error=str(exc), status=exc.status)
    except ApiError as exc:
        return QueryOutcome(error=exc.message, error_line=_line_of(exc.message), status=exc.status)
    kind, columns, raw_rows, boolean = _table(body, answer.form)
    if kind == "ask":
        return QueryOutcome(kind="ask", boolean=boolean)
    labels = fetch_labels(
        store, {t.value for row in raw_rows for t in row if isinstance(t, NamedNode)}
    )
    rows = [[_cell(t, labels, linker) for t in row] for row in raw_rows]
    return QueryOutcome(kind=kind, columns=columns, rows=rows, truncated=answer.truncated)


def _table(body: bytes, form: str) -> tuple[str, list[str], list[list[Any]], bool | None]:
    """(kind, columns, rows of terms, boolean) of a serialized answer.

    Kept apart from :func:`run_query` on purpose: pyoxigraph's result iterators may only
    be dropped on the thread that made them, and the federation guard's parser can keep
    its caller's frame alive (through cached exceptions) until a garbage collection on
    any thread; so no iterator may live in the frame that called the guard.
    """
    if form == "CONSTRUCT":
        triples = list(ox.parse(body, RdfFormat.N_TRIPLES))
        return "graph", ["subject", "predicate", "object"], [list(t) for t in triples], None
    result = ox.parse_query_results(body, QueryResultsFormat.JSON)
    if isinstance(result, QueryBoolean):
        return "ask", [], [], bool(result)
    columns = [v.value for v in result.variables]
    return "select", columns, [[solution[c] for c in columns] for solution in result], None


def _cell(term: Any, labels: dict[str, str], linker: Linker) -> dict[str, Any] | None:
    if term is None:
        return None
    view = term_view(term, labels, linker)
    if "iri" in view:
        view["short"] = linker.path_of(view["iri"]) or compact(view["iri"])
        if view["label"] == view["short"] or view["label"] == linker.path_of(view["iri"]):
            view["label"] = None  # nothing more to say than the IRI
    return view


def _line_of(message: str) -> int | None:
    """The 1-based line of a pyoxigraph syntax error ("error at 3:7: ...")."""
    match = re.search(r"\bat (\d+):(\d+)", message)
    return int(match.group(1)) if match else None


def examples() -> list[dict[str, str]]:
    """The competency queries (``ontology/queries/*.rq``) as one-click examples."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "sparql": q.sparql,
        }
        for q in named_queries()
    ]
