"""How a piece of evidence is described: the one NIF shape every producer writes.

The loader and the benchmark generator both describe quoted spans; keeping the triples
here means generated data cannot drift from what the loader (and the shapes) expect.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from ontology.vocab import CG, NIF, RDF, XSD

Triple = tuple[NamedNode, NamedNode, NamedNode | Literal]


def offset(value: int) -> Literal:
    """A character offset: the shapes require a non-negative integer."""
    return Literal(str(value), datatype=XSD.nonNegativeInteger)


def evidence_triples(
    node: NamedNode, document: NamedNode, quote: str, begin: int, end: int
) -> list[Triple]:
    """``quote`` found at ``document``'s text[begin:end], as a cg:Evidence NIF string."""
    return [
        (node, RDF.type, CG.Evidence),
        (node, RDF.type, NIF.String),
        (node, RDF.type, NIF.OffsetBasedString),
        (node, NIF.anchorOf, Literal(quote)),
        (node, NIF.beginIndex, offset(begin)),
        (node, NIF.endIndex, offset(end)),
        (node, NIF.referenceContext, document),
    ]
