"""Namespaces and terms of the claimgraph vocabulary, as pyoxigraph terms.

Loaders and server import terms from here instead of spelling IRIs, so the
ontology file (`claimgraph.ttl`) and the code cannot drift apart silently: a
test checks that every term named here is declared in the ontology.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

ONTOLOGY_IRI = "https://w3id.org/claimgraph/ontology"
CONCEPT_BASE = "https://w3id.org/claimgraph/concept/"
DEFAULT_BASE_IRI = "https://w3id.org/claimgraph/"


class Namespace(str):
    """A namespace IRI whose attributes and items are pyoxigraph NamedNodes.

    Every non-dunder attribute is a term, including names that ``str`` also has
    (``CG.count``, ``DCT.title``): a str method here would silently stand in for a term.
    Use ``str(ns)`` for string operations on the namespace itself.
    """

    def __getattribute__(self, name: str) -> NamedNode:  # type: ignore[override]
        if name.startswith("__") or name == "term":
            return super().__getattribute__(name)
        return NamedNode(str.__str__(self) + name)

    def __getitem__(self, name: str) -> NamedNode:  # type: ignore[override]
        return NamedNode(str.__str__(self) + name)

    def term(self, name: str) -> NamedNode:
        return NamedNode(str.__str__(self) + name)


CG = Namespace(ONTOLOGY_IRI + "#")
# SKOS concept schemes shipped with the ontology (fixed IRIs, not minted per deployment).
CLAIM_TYPE = Namespace(CONCEPT_BASE + "claim-type/")
LEGAL_CATEGORY = Namespace(CONCEPT_BASE + "legal-category/")
CASUALTY_KIND = Namespace(CONCEPT_BASE + "casualty-kind/")
VICTIM_GROUP = Namespace(CONCEPT_BASE + "victim-group/")
QUALIFIER = Namespace(CONCEPT_BASE + "qualifier/")

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
OA = Namespace("http://www.w3.org/ns/oa#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")

PREFIXES: dict[str, str] = {
    "cg": str(CG),
    "ct": str(CLAIM_TYPE),
    "lc": str(LEGAL_CATEGORY),
    "ck": str(CASUALTY_KIND),
    "vg": str(VICTIM_GROUP),
    "q": str(QUALIFIER),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCT),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "foaf": str(FOAF),
    "sem": str(SEM),
    "nif": str(NIF),
    "oa": str(OA),
    "void": str(VOID),
    "sd": str(SD),
    "wd": str(WD),
    "dbr": str(DBR),
}

# --- Classes -------------------------------------------------------------------------
# Every class and property below is declared, labelled and commented in claimgraph.ttl.
CLASSES = [
    "Document",  # the source text as published (a file, a page); carries text and checksum
    "Statement",  # a speech act by an author/issuer, carried by a Document
    "Claim",  # one attributed proposition: the only place a contested value may live
    "LegalCharacterization",
    "CasualtyFigure",
    "PerpetratorAttribution",
    "InstrumentViolation",
    "CallToAction",
    "Recognition",
    "Addressing",
    "Event",
    "LegalInstrument",
    "Organization",
    "Person",
    "Place",
    "Evidence",  # an exact quote with character offsets in a Document (NIF string)
    "DocumentGraph",  # the named graph holding one document's triples, with its provenance
    "LoadActivity",  # one run of the loader that produced a DocumentGraph
    "ImportedDataset",  # a named graph imported from another dataset
]

# --- Properties ----------------------------------------------------------------------
OBJECT_PROPERTIES = [
    "statedIn",  # Claim -> Statement (exactly one)
    "hasClaim",  # Statement -> Claim (inverse of statedIn)
    "claimType",  # Claim -> skos:Concept in the claim-type scheme (exactly one)
    "about",  # Claim -> Event
    "evidence",  # Claim -> Evidence (at least one)
    "sourceDocument",  # Statement -> Document
    "reports",  # Statement -> Statement it quotes or reports
    "author",  # Statement -> Person
    "issuer",  # Statement -> Organization on whose behalf it is issued
    "publisher",  # Statement -> Organization (outlet) that published the document
    "legalCategory",  # LegalCharacterization/Recognition -> legal-category concept
    "casualtyKind",  # CasualtyFigure -> casualty-kind concept
    "victimGroup",  # CasualtyFigure -> victim-group concept
    "qualifier",  # CasualtyFigure -> qualifier concept (exact, approximately, more than, ...)
    "partOf",  # CasualtyFigure -> CasualtyFigure it breaks down ("including 63 children")
    "perpetrator",  # PerpetratorAttribution -> agent said to be responsible
    "instrument",  # InstrumentViolation -> LegalInstrument
    "calledUpon",  # CallToAction -> agent called upon
    "addressee",  # Addressing -> agent the statement is addressed to
    "recognizedBy",  # Recognition -> agent said to have recognized/condemned
    "place",  # Event -> Place
    "mentions",  # Statement -> entity named in it (organization, person, place, instrument)
    "inferred",  # Statement -> property IRI whose value was inferred from the text
]
DATATYPE_PROPERTIES = [
    "count",  # CasualtyFigure -> xsd:nonNegativeInteger
    "countText",  # CasualtyFigure -> the figure as written ("nearly four thousand")
    "article",  # InstrumentViolation -> article number as written ("7", "3(1)")
    "action",  # CallToAction -> what the agent is called upon to do
    "recognitionKind",  # Recognition -> "recognized" | "condemned" | ...
    "sha256",  # Document -> hex digest of the document's bytes
    "fileName",  # Document -> file name it was loaded from
    "text",  # Document -> full text the evidence offsets refer to
    "loaderVersion",  # LoadActivity -> version of the loader
    "resolved",  # entity -> false when no reference entry matched it
    "acronym",  # Organization/LegalInstrument -> acronym ("ICCPR")
]


def claim_type(name: str) -> NamedNode:
    return CLAIM_TYPE.term(name)


# Claim-type concept slugs, mirrored by the claim subclasses above.
CLAIM_TYPES = {
    "legal-characterization": "LegalCharacterization",
    "casualty-figure": "CasualtyFigure",
    "perpetrator-attribution": "PerpetratorAttribution",
    "instrument-violation": "InstrumentViolation",
    "call-to-action": "CallToAction",
    "recognition": "Recognition",
    "addressee": "Addressing",
}
