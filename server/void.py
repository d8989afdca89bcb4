"""Descriptions of the service and the data: SPARQL 1.1 Service Description and VoID.

``GET /void`` answers a VoID description of the dataset: one ``void:subset`` per named
graph with its triple count, the vocabularies its predicates and classes come from, the
SPARQL endpoint and the dump, and a ``void:Linkset`` counting the ``owl:sameAs`` links to
Wikidata. The Service Description (``GET /sparql`` without a query) names the endpoint,
the languages and result formats it supports, and the default dataset (as VoID).
Links are built from the request, so they are right behind a reverse proxy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolution, Triple
from werkzeug.urls import iri_to_uri

from ontology.vocab import DCT, OWL, RDF, SD, VOID, XSD
from server import executor
from server.errors import ApiError
from server.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, graph_format
from server.settings import Settings

bp = Blueprint("void", __name__)

_NAMESPACE = re.compile(r"^(.*[#/])[^#/]*$")
SPARQL_FEATURES = ("SPARQL11Query",)


def external_iri(endpoint: str, fragment: str = "") -> NamedNode:
    """The public IRI of one of our endpoints. Behind a trusted proxy, the forwarded
    host and prefix are part of it: what an IRI cannot hold goes percent-encoded (as a
    URI); what makes no IRI at all (a prefix without its leading '/') is a 400."""
    try:
        return NamedNode(iri_to_uri(url_for(endpoint, _external=True)) + fragment)
    except ValueError:  # UnicodeError (IDNA) included
        raise ApiError(
            400,
            "bad-forwarded-header",
            "X-Forwarded-Host / X-Forwarded-Prefix make no valid IRI for this server",
        ) from None


def _count(value: object) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


Select = Callable[[str], Iterable[QuerySolution]]


def selector(app: Flask) -> Select:
    """SELECT for the descriptions, run like a client's query: in its own process, with
    the query timeout and row cap, so a large store cannot stall the server."""
    settings = app.config["SETTINGS"]
    return partial(
        executor.select_solutions,
        app.extensions["claimgraph.store"],
        timeout=settings.query_timeout,
        isolation=settings.query_isolation,
        max_rows=settings.max_rows,
    )


def graph_sizes(select: Select) -> list[tuple[NamedNode, int]]:
    """(named graph, triple count), largest first."""
    rows = select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY DESC(?n)"
    )
    return [(row["g"], int(row["n"].value)) for row in rows if isinstance(row["g"], NamedNode)]


def vocabularies(select: Select) -> list[str]:
    """Namespaces of every predicate and class used in a named graph."""
    rows = select("SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } } }")
    spaces = set()
    for row in rows:
        term = row["t"]
        match = _NAMESPACE.match(term.value) if isinstance(term, NamedNode) else None
        if match:
            spaces.add(match.group(1))
    return sorted(spaces)


def wikidata_links(select: Select) -> int:
    rows = select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }"
        ' FILTER(STRSTARTS(STR(?o), "http://www.wikidata.org/entity/")) }'
    )
    return next(int(row["n"].value) for row in rows)


def void_triples(
    settings: Settings, select: Select, dataset: NamedNode | BlankNode
) -> Iterator[Triple]:
    sizes = graph_sizes(select)
    yield Triple(dataset, RDF.type, VOID.Dataset)
    yield Triple(
        dataset, DCT.term("title"), Literal("claimgraph: attributed claims about atrocity events")
    )
    yield Triple(dataset, VOID.triples, _count(sum(n for _, n in sizes)))
    yield Triple(dataset, VOID.uriSpace, Literal(settings.base_iri.rstrip("/") + "/id/"))
    yield Triple(dataset, VOID.sparqlEndpoint, external_iri("sparql.endpoint"))
    if "export.export" in current_app.view_functions:
        yield Triple(dataset, VOID.dataDump, external_iri("export.export"))
    for space in vocabularies(select):
        yield Triple(dataset, VOID.vocabulary, NamedNode(space))
    for graph, size in sizes:
        subset = BlankNode()
        yield Triple(dataset, VOID.subset, subset)
        yield Triple(subset, RDF.type, VOID.Dataset)
        yield Triple(subset, SD.name, graph)
        yield Triple(subset, VOID.triples, _count(size))
    links = BlankNode()
    yield Triple(dataset, VOID.subset, links)
    yield Triple(links, RDF.type, VOID.Linkset)
    yield Triple(links, VOID.linkPredicate, OWL.sameAs)
    yield Triple(links, VOID.target, NamedNode("http://www.wikidata.org/"))
    yield Triple(links, VOID.triples, _count(wikidata_links(select)))


def service_description(settings: Settings, select: Select, endpoint: str) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    service = BlankNode()
    triples = [
        Triple(service, RDF.type, SD.Service),
        Triple(service, SD.endpoint, NamedNode(endpoint)),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
    ]
    if settings.write_token:
        triples.append(Triple(service, SD.supportedLanguage, SD.SPARQL11Update))
    if settings.union_default_graph:
        triples.append(Triple(service, SD.feature, SD.UnionDefaultGraph))
    if settings.list_of("service_allowlist"):
        triples.append(Triple(service, SD.feature, SD.BasicFederatedQuery))
    for fmt in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        triples.append(Triple(service, SD.resultFormat, NamedNode(fmt.iri)))
    dataset = BlankNode()
    default_graph = BlankNode()
    triples += [
        Triple(service, SD.defaultDataset, dataset),
        Triple(dataset, RDF.type, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default_graph),
        Triple(default_graph, RDF.type, SD.Graph),
    ]
    for graph, size in graph_sizes(select):
        named = BlankNode()
        description = BlankNode()
        triples += [
            Triple(dataset, SD.namedGraph, named),
            Triple(named, SD.name, graph),
            Triple(named, SD.graph, description),
            Triple(description, RDF.type, SD.Graph),
            Triple(description, VOID.triples, _count(size)),
        ]
    if "void.void" in current_app.view_functions:
        triples.append(Triple(dataset, DCT.source, external_iri("void.void")))
    return triples


@bp.get("/void")
def void() -> Response:
    from server.sparql import rdf_response

    chosen = graph_format(request.headers.get("Accept"), request.args.get("format"))
    dataset = external_iri("void.void", "#dataset")
    settings = current_app.config["SETTINGS"]
    return rdf_response(list(void_triples(settings, selector(current_app), dataset)), chosen)
