"""How RDF terms appear on pages and in their JSON twins: labels, short forms, links.

A page never shows a bare IRI when the graph has a label for it, and every IRI links
somewhere useful: things minted under ``B id/`` to their page ``/page/<path>``, any
other IRI to ``/resource?iri=...``. Labels of all IRIs on a page are fetched in one
query (:func:`fetch_labels`), not one per IRI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions

from loaders.store import GraphStore
from ontology.vocab import CG, DCT, FOAF, NIF, PREFIXES, RDFS, SCHEMA, SKOS, XSD

# Label properties in order of preference; the evidence quote labels a claim last.
LABEL_PREDICATES: list[NamedNode] = [
    SKOS.prefLabel,
    RDFS.label,
    DCT["title"],
    FOAF.name,
    SCHEMA.name,
    NIF.anchorOf,
    CG.evidence,  # a claim: its evidence quote
    CG.issuer,  # a statement without a title: who made it
    CG.sourceDocument,  # a statement without either: its document's title
]
_RANK = {p.value: i for i, p in enumerate(LABEL_PREDICATES)}
_MAX_LABEL = 90
_VALUES_BATCH = 400
_PLAIN_TYPES = {XSD.string.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


@dataclass(frozen=True)
class Linker:
    """Maps IRIs to the URLs of their pages in this app."""

    base_iri: str
    page_url: Callable[[str], str]  # path under B id/ -> URL of its page
    resource_url: Callable[[str], str]  # any other IRI -> URL of its page

    @cached_property
    def id_prefix(self) -> str:
        base = self.base_iri if self.base_iri.endswith(("/", "#")) else self.base_iri + "/"
        return base + "id/"

    def path_of(self, iri: str) -> str | None:
        """The ``<path>`` of ``B id/<path>``, or None for IRIs minted elsewhere."""
        if iri.startswith(self.id_prefix) and len(iri) > len(self.id_prefix):
            return iri[len(self.id_prefix) :]
        return None

    def href(self, iri: str) -> str:
        path = self.path_of(iri)
        return self.page_url(path) if path is not None else self.resource_url(iri)

    def iri_of(self, path: str) -> str:
        """The IRI ``B id/<path>`` (not checked: a path may make an invalid IRI)."""
        return self.id_prefix + path


def compact(iri: str) -> str:
    """``prefix:local`` for IRIs in a known namespace, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        local = iri[len(PREFIXES[best]) :]
        if local and all(c.isalnum() or c in "-_." for c in local):
            return f"{best}:{local}"
    return iri


def local_name(iri: str) -> str:
    """The last path or fragment segment of an IRI, a fallback label."""
    tail = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return tail or iri


def shorten(text: str, limit: int = _MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def fetch_labels(store: GraphStore, iris: Iterable[Any]) -> dict[str, str]:
    """The best label of each IRI that has one (preferred property, then English).

    ``iris`` holds IRI strings or terms; terms other than IRIs are skipped. Label
    properties are looked up for all IRIs at once; the fallbacks (a claim's quote, who
    made a statement, its document's title) only for those still without a label.
    """
    wanted = sorted(
        {
            i.value if isinstance(i, NamedNode) else i
            for i in iris
            if isinstance(i, NamedNode | str) and i
        }
    )
    best: dict[str, tuple[tuple[int, int], str]] = {}
    # FILTER, not VALUES, for the predicates: pyoxigraph then joins from the ?s VALUES
    # (index lookups) instead of scanning every label triple (20x slower at 100k triples).
    direct = ", ".join(str(p) for p in LABEL_PREDICATES[: -len(_FALLBACKS)])
    _collect(store, wanted, f"?s ?p ?l FILTER(?p IN ({direct}))", best)
    for predicate, pattern in _FALLBACKS:
        missing = [i for i in wanted if i not in best]
        if not missing:
            break
        _collect(store, missing, f"{pattern} BIND({predicate} AS ?p)", best)
    return {iri: label for iri, (_, label) in best.items()}


# Patterns binding ?l for ?s when it has no label of its own, in order of preference.
_FALLBACKS = [
    (CG.evidence, f"?s {CG.evidence} ?ev . ?ev {NIF.anchorOf} ?l ."),
    (
        CG.issuer,
        f"?s {CG.issuer}|{CG.author} ?who . ?who {RDFS.label} ?name . "
        'BIND(CONCAT("Statement by ", STR(?name)) AS ?l)',
    ),
    (CG.sourceDocument, f"?s {CG.sourceDocument} ?d . ?d {DCT['title']} ?l ."),
]


def _collect(
    store: GraphStore, iris: list[str], pattern: str, best: dict[str, tuple[tuple[int, int], str]]
) -> None:
    """Run ``pattern`` (binding ?p and ?l) for batches of ``iris`` as ?s; keep the best."""
    for start in range(0, len(iris), _VALUES_BATCH):
        values = " ".join(str(NamedNode(i)) for i in iris[start : start + _VALUES_BATCH])
        for row in select(store, f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} {pattern} }}"):
            label = row["l"]
            if not isinstance(label, Literal):
                continue
            lang = label.language or ""
            rank = (_RANK[row["p"].value], 0 if lang.startswith("en") else 1 if not lang else 2)
            subject = row["s"].value
            if subject not in best or rank < best[subject][0]:
                text = label.value
                if row["p"].value == CG.evidence.value:
                    text = "\u201c" + shorten(text, _MAX_LABEL - 2) + "\u201d"
                best[subject] = (rank, shorten(text))


def term_view(term: Any, labels: dict[str, str], linker: Linker) -> dict[str, Any]:
    """A term as pages and JSON show it.

    IRIs: ``{"iri", "label", "href"}``; literals: ``{"value", "datatype", "lang"}``
    (datatype compacted, omitted for plain strings); blank nodes: ``{"bnode"}``.
    """
    if isinstance(term, NamedNode):
        iri = term.value
        return {
            "iri": iri,
            "label": labels.get(iri) or compact_or_local(iri, linker),
            "href": linker.href(iri),
        }
    if isinstance(term, Literal):
        view: dict[str, Any] = {"value": term.value}
        if term.language:
            view["lang"] = term.language
        elif term.datatype.value not in _PLAIN_TYPES:
            view["datatype"] = compact(term.datatype.value)
        return view
    if isinstance(term, BlankNode):
        return {"bnode": term.value}
    return {"value": str(term)}


def compact_or_local(iri: str, linker: Linker) -> str:
    """Fallback label: ``kind/key`` for our own IRIs (``graph/...`` for graphs),
    ``prefix:local`` or the IRI else."""
    path = linker.path_of(iri)
    if path is not None:
        return path
    base = linker.id_prefix[: -len("id/")]
    if iri.startswith(base + "graph/"):
        return iri[len(base) :]
    short = compact(iri)
    return short if short != iri else iri


def iris_in(terms: Iterable[Any]) -> set[str]:
    """The IRIs among some terms (to fetch their labels at once)."""
    return {t.value for t in terms if isinstance(t, NamedNode)}


def select(store: GraphStore, query: str, **kwargs: Any) -> QuerySolutions:
    """Run a SELECT query the web pages need; anything else is a programming error."""
    result = store.query(query, **kwargs)
    if not isinstance(result, QuerySolutions):
        raise TypeError("expected a SELECT query")
    return result
