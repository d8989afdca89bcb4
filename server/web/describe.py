"""The generic page of a resource: label, types, every property in and out, and graphs.

Each statement is listed with the named graph(s) it comes from, so a reader can tell
what a document said (its document graph) from curated reference facts
(``graph/reference``) or imported data. Queries run with ``union_default_graph=False``
so ``GRAPH ?g`` names the real graph and the plain branch sees only the true default
graph.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from loaders.store import GraphStore
from ontology.vocab import RDF
from server.web.terms import Linker, fetch_labels, select, term_view

MAX_INCOMING = 200
MAX_OUTGOING = 1000
MAX_SHOWN_TEXT = 600


def describe(store: GraphStore, iri: str, linker: Linker) -> dict[str, Any] | None:
    """What the store says about ``iri``, or None when it says nothing at all."""
    node = NamedNode(iri)
    out_rows = _edges(store, f"{node} ?p ?x", MAX_OUTGOING)
    in_rows = _edges(store, f"?x ?p {node}", MAX_INCOMING + 1)
    if not out_rows and not in_rows:
        return None
    incoming_truncated = len(in_rows) > MAX_INCOMING
    in_rows = in_rows[:MAX_INCOMING]

    terms = [node] + [t for row in out_rows + in_rows for t in row]
    labels = fetch_labels(store, terms)

    def view(term: Any) -> dict[str, Any]:
        return term_view(term, labels, linker)

    types = [view(o) for p, o, _ in out_rows if p == RDF.type]
    outgoing = _group(out_rows, view)
    incoming = _group(in_rows, view)
    graphs = sorted({g.value for _, _, g in out_rows + in_rows if g is not None})
    return {
        "resource": view(node),
        "types": _unique(types),
        "outgoing": outgoing,
        "incoming": incoming,
        "incoming_truncated": incoming_truncated,
        "graphs": [view(NamedNode(g)) for g in graphs],
    }


def _edges(store: GraphStore, pattern: str, limit: int) -> list[tuple[Any, Any, Any]]:
    """(predicate, other end, graph or None) of every triple matching ``pattern``."""
    query = f"""
        SELECT ?p ?x ?g WHERE {{
          {{ GRAPH ?g {{ {pattern} }} }} UNION {{ {pattern} }}
        }} LIMIT {limit}"""
    # Sorted here, not by ORDER BY, which would sort every match before the LIMIT.
    rows = [
        (row["p"], row["x"], row["g"]) for row in select(store, query, union_default_graph=False)
    ]
    return sorted(rows, key=lambda r: (r[0].value, str(r[1]), r[2].value if r[2] else ""))


def _group(rows: list[tuple[Any, Any, Any]], view: Any) -> list[dict[str, Any]]:
    """One entry per (predicate, value) with every graph it is stated in."""
    grouped: dict[tuple[Any, Any], list[Any]] = {}
    for p, x, g in rows:
        grouped.setdefault((p, x), []).append(g)
    entries = []
    for (p, x), in_graphs in grouped.items():
        graphs = [g for g in in_graphs if g is not None]
        value = view(x)
        if isinstance(x, Literal) and len(x.value) > MAX_SHOWN_TEXT:
            value["shown"] = x.value[:MAX_SHOWN_TEXT]
            value["length"] = len(x.value)
        entries.append(
            {
                "predicate": view(p),
                "value": value,
                "graphs": [view(g) for g in graphs],
                "default_graph": None in in_graphs,
            }
        )
    return entries


def _unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    unique = []
    for item in items:
        key = item.get("iri", item.get("value", ""))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def selected_properties(
    store: GraphStore, node: NamedNode, table: list[tuple[str, NamedNode]], linker: Linker
) -> dict[str, Any]:
    """``{"resource": ..., name: [values]}`` for the named properties of ``node``."""
    props = " ".join(str(p) for _, p in table)
    rows = list(select(store, f"SELECT ?p ?o WHERE {{ VALUES ?p {{ {props} }} {node} ?p ?o }}"))
    labels = fetch_labels(store, [node] + [r["o"] for r in rows])
    found: dict[str, Any] = {"resource": term_view(node, labels, linker)}
    names = {p.value: name for name, p in table}
    for row in rows:
        values = found.setdefault(names[row["p"].value], [])
        value = term_view(row["o"], labels, linker)
        if value not in values:
            values.append(value)
    return found
