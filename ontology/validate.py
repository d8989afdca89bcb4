"""Check a graph against the SHACL shapes (pySHACL) and report violations in plain words.

The data is validated together with the ontology, so that class targets reach the
subclasses (a cg:CasualtyFigure is a cg:Claim) and concept values can be checked
against their scheme. The result is a list of :class:`Violation` records, each of which
renders as one line a person can act on: which node, which property, what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from pyoxigraph import Quad, RdfFormat, Triple
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH

from ontology.files import ONTOLOGY_TTL, SHAPES_TTL
from ontology.vocab import PREFIXES


@dataclass(frozen=True)
class Violation:
    """One failed rule: ``focus`` and ``path`` are IRIs (or blank-node ids) as text."""

    focus: str
    path: str | None
    message: str
    value: str | None = None
    severity: str = "Violation"
    shape: str | None = None

    def __str__(self) -> str:
        where = compact(self.focus)
        if self.path:
            where += f" {compact(self.path)}"
        text = f"{where}: {self.message}"
        if self.value is not None and self.value != self.focus:
            value = " ".join(compact(self.value).split())
            if len(value) > 80:  # a long quote or text: enough to find it
                value = value[:79] + "…"
            text += f" (value: {value})"
        return text


def compact(iri: str) -> str:
    """``https://w3id.org/claimgraph/ontology#about`` -> ``cg:about``; other text unchanged."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, f"{prefix}:{iri[len(namespace) :]}"
    return name if best else iri


@lru_cache(maxsize=1)
def _shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_TTL, format="turtle")


@lru_cache(maxsize=1)
def _ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_TTL, format="turtle")


def graph_from_triples(triples: Iterable[Triple | Quad]) -> rdflib.Graph:
    """An rdflib graph of the triples (graph names dropped: rules apply to the union).

    The triples go through pyoxigraph's N-Triples serializer and rdflib's parser, so no
    term is converted by hand.
    """
    plain = [t.triple if isinstance(t, Quad) else t for t in triples]
    data = ox.serialize(plain, format=RdfFormat.N_TRIPLES) if plain else b""
    return rdflib.Graph().parse(data=data, format="nt")


def validate(data_graph: rdflib.Graph, *, with_ontology: bool = True) -> list[Violation]:
    """Every violation of the shapes in ``data_graph``, sorted by focus node and property.

    ``with_ontology`` adds the shipped ontology to the data for the check; turn it off
    only when ``data_graph`` already contains it.
    """
    # Merged by hand: pySHACL's ont_graph copies only class and property definitions,
    # and the concept-scheme checks need the concepts too. The caller's graph is left as is.
    merged = data_graph + _ontology_graph() if with_ontology else data_graph
    _conforms, results, text = shacl_validate(
        merged,
        shacl_graph=_shapes_graph(),
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
    )
    if not isinstance(results, rdflib.Graph):  # pySHACL reports a broken shapes graph so
        raise RuntimeError(f"the SHACL shapes cannot be applied: {text}")
    # A node reached by two targets is reported twice by pySHACL; once is enough.
    return sorted(set(_violations(results)), key=_sort_key)


def _sort_key(v: Violation) -> tuple[str, str, str, str]:
    return (v.focus, v.path or "", v.message, v.value or "")


def _violations(results: rdflib.Graph) -> Iterable[Violation]:
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        yield Violation(
            focus=_text(focus) or "?",
            path=_text(path),
            message=str(message) if message is not None else "violates a rule of the graph",
            value=_text(value),
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
        )


def _text(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)
