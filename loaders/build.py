"""A document's text -> every quad it contributes, in its own named graph (pure).

``document_quads(doc, base_iri)`` runs the analysis (``loaders.analysis``), finds who
says what (``loaders.attribution``, ``loaders.metadata``), extracts the claims
(``loaders.claims``) and writes them in the model of docs/design.md: the Document with
its text, its Statement(s), every Claim with its evidence (exact quote and offsets into
``cg:text``), and the entities and events mentioned. Nothing here touches a store; the
spaCy pipeline is built once per process, so the function is cheap to call in a worker.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from loaders.analysis import Analysis, analyse
from loaders.attribution import Statement, find_statements
from loaders.claims import ClaimRecord, Concept, extract_claims
from loaders.entities import Mention
from loaders.events import EventMention
from loaders.metadata import Metadata, document_metadata, elapsed_year
from loaders.model import SourceDocument
from loaders.reference import normalise_name
from ontology import iris
from ontology.evidence import evidence_triples
from ontology.vocab import (
    CASUALTY_KIND,
    CG,
    CLAIM_TYPE,
    CLAIM_TYPES,
    DCT,
    LEGAL_CATEGORY,
    NIF,
    QUALIFIER,
    RDF,
    RDFS,
    SCHEMA,
    VICTIM_GROUP,
    XSD,
)

SCHEMES = {
    "legal-category": LEGAL_CATEGORY,
    "casualty-kind": CASUALTY_KIND,
    "victim-group": VICTIM_GROUP,
    "qualifier": QUALIFIER,
}
CLASS_OF_KIND = {
    "organization": CG.Organization,
    "person": CG.Person,
    "place": CG.Place,
    "instrument": CG.LegalInstrument,
    "event": CG.Event,
}
INFERRED_PROPERTY = {
    "title": DCT["title"],
    "date": DCT.date,
    "author": CG.author,
    "issuer": CG.issuer,
}


def date_literal(value: str) -> Literal | None:
    """xsd:date for YYYY-MM-DD, xsd:gYear for YYYY (and for YYYY-MM, keeping the year)."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if match is None:
        return None
    if match.group(3):
        return Literal(match.group(0), datatype=XSD.date)
    return Literal(match.group(1), datatype=XSD.gYear)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.nonNegativeInteger)


class _Writer:
    """Collects the quads of one document graph, declaring each node once."""

    def __init__(self, doc: SourceDocument, base_iri: str, analysis: Analysis) -> None:
        self.doc = doc
        self.base = base_iri
        self.analysis = analysis
        self.graph = iris.document_graph(base_iri, doc.doc_id)
        self.document = iris.document(base_iri, doc.doc_id)
        self.quads: list[Quad] = []
        self._seen: set[tuple] = set()

    def add(self, subject: NamedNode, predicate: NamedNode, obj) -> None:
        key = (subject, predicate, obj)
        if key not in self._seen:
            self._seen.add(key)
            self.quads.append(Quad(subject, predicate, obj, self.graph))

    def entity(self, mention: Mention) -> NamedNode:
        """The node of an entity; unknown ones get their label and cg:resolved false."""
        node = iris.entity(self.base, mention.kind, mention.key)
        self.add(node, RDF.type, CLASS_OF_KIND[mention.kind])
        if not mention.resolved:
            self.add(node, RDFS.label, Literal(mention.label, language="en"))
            self.add(node, CG.resolved, Literal(False))
        return node

    def event(self, mention: EventMention) -> NamedNode:
        node = iris.entity(self.base, "event", mention.key)
        self.add(node, RDF.type, CG.Event)
        alias = re.sub(r"^(?:the|this|that)\s+", "", " ".join(mention.text.split()), flags=re.I)
        self.add(node, SKOS_ALT, Literal(alias, language="en"))
        if not mention.resolved:
            self.add(node, RDFS.label, Literal(mention.label, language="en"))
            self.add(node, CG.resolved, Literal(False))
            for day, prop in ((mention.first, SCHEMA.startDate), (mention.last, SCHEMA.endDate)):
                if day is not None:
                    self.add(node, prop, Literal(day.isoformat(), datatype=XSD.date))
            if mention.place:
                place = iris.entity(self.base, "place", mention.place)
                self.add(place, RDF.type, CG.Place)
                self.add(node, CG.place, place)
                if mention.unknown_place:
                    self.add(place, RDFS.label, Literal(mention.unknown_place, language="en"))
                    self.add(place, CG.resolved, Literal(False))
        return node

    def evidence(self, begin: int, end: int) -> NamedNode:
        text = self.doc.text
        quote = text[begin:end]
        if not quote or begin >= end:
            raise ValueError(f"{self.doc.file_name}: empty evidence span {begin}-{end}")
        node = iris.evidence(self.base, self.doc.doc_id, begin, end)
        for triple in evidence_triples(node, self.document, quote, begin, end):
            self.add(*triple)
        return node


SKOS_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")


def _document(writer: _Writer, meta: Metadata) -> None:
    doc, node = writer.doc, writer.document
    writer.add(node, RDF.type, CG.Document)
    writer.add(node, RDF.type, NIF.Context)
    writer.add(node, CG.fileName, Literal(doc.file_name))
    writer.add(node, CG.sha256, Literal(doc.sha256))
    writer.add(node, CG.text, Literal(doc.text))
    if meta.url:
        writer.add(node, SCHEMA.url, Literal(meta.url, datatype=XSD.anyURI))
    if meta.title:
        writer.add(node, DCT["title"], Literal(meta.title))
    writer.add(node, DCT.language, Literal(meta.language or "en"))


def _named(writer: _Writer, kind: str, name: str) -> Mention:
    """A given name (manifest author, publisher) as an entity, resolved when known."""
    entry = writer.analysis.reference.lookup(name, (kind,))
    if entry is not None:
        return Mention(0, 0, name, kind, entry.key, entry.label, True)
    return Mention(0, 0, name, kind, iris.slugify(normalise_name(name)), name, False)


def _statements(
    writer: _Writer, statements: list[Statement], meta: Metadata, given: dict[str, str]
) -> list[NamedNode]:
    base, doc_id = writer.base, writer.doc.doc_id
    nodes = [iris.statement(base, doc_id, s.index) for s in statements]
    own = nodes[0]
    writer.add(own, RDF.type, CG.Statement)
    writer.add(own, CG.sourceDocument, writer.document)
    if meta.title:
        writer.add(own, DCT["title"], Literal(meta.title))
    date = date_literal(meta.date) if meta.date else None
    if date is not None:
        writer.add(own, DCT.date, date)
    author = _named(writer, "person", given["author"]) if given.get("author") else meta.author
    if author is not None:
        person = writer.entity(author)
        writer.add(own, CG.author, person)
        if meta.author_role and not given.get("author"):
            writer.add(person, SCHEMA.jobTitle, Literal(meta.author_role, language="en"))
    if meta.issuer is not None:
        writer.add(own, CG.issuer, writer.entity(meta.issuer))
    if meta.publisher:
        writer.add(own, CG.publisher, writer.entity(_named(writer, "organization", meta.publisher)))
    for field in sorted(meta.inferred):
        if field == "author" and given.get("author"):
            continue
        writer.add(own, CG.inferred, INFERRED_PROPERTY[field])
    for statement, node in zip(statements[1:], nodes[1:], strict=True):
        writer.add(node, RDF.type, CG.Statement)
        writer.add(node, CG.sourceDocument, writer.document)
        writer.add(nodes[statement.reported_by], CG.reports, node)
        speaker = statement.speaker
        if speaker is not None and speaker.person.kind == "person":
            person = writer.entity(speaker.person)
            writer.add(node, CG.author, person)
            writer.add(node, CG.inferred, CG.author)
            if speaker.role:
                writer.add(person, SCHEMA.jobTitle, Literal(speaker.role, language="en"))
        if speaker is not None:
            if speaker.issuer is not None:
                writer.add(node, CG.issuer, writer.entity(speaker.issuer))
                writer.add(node, CG.inferred, CG.issuer)
            if speaker.outlet is not None:
                writer.add(node, CG.publisher, writer.entity(speaker.outlet))
                writer.add(node, CG.inferred, CG.publisher)
        recalled = date_literal(statement.date) if statement.date else None
        if recalled is not None:  # "on 21 January 1990 he held a press conference"
            writer.add(node, DCT.date, recalled)
            writer.add(node, CG.inferred, DCT.date)
            continue
        year = next(
            (y for b, e in sorted(statement.regions) if (y := elapsed_year(writer.analysis, b, e))),
            None,
        )
        if year is not None:
            writer.add(node, DCT.date, Literal(str(year), datatype=XSD.gYear))
            writer.add(node, CG.inferred, DCT.date)
    return nodes


def _mentions(writer: _Writer, statements: list[Statement], nodes: list[NamedNode]) -> None:
    """cg:mentions from each statement to every entity and event named in its passages."""
    from loaders.attribution import statement_at

    for mention in writer.analysis.entities:
        if mention.kind == "event":
            continue
        node = nodes[statement_at(statements, mention.begin).index]
        writer.add(node, CG.mentions, writer.entity(mention))
    for event in writer.analysis.events:
        node = nodes[statement_at(statements, event.begin).index]
        writer.add(node, CG.mentions, writer.event(event))


def _value(writer: _Writer, value) -> NamedNode | Literal:
    if isinstance(value, Concept):
        return SCHEMES[value.scheme][value.slug]
    if isinstance(value, Mention):
        return writer.entity(value)
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return _integer(value)
    return Literal(str(value))


def _claims(writer: _Writer, records: list[ClaimRecord], nodes: list[NamedNode]) -> None:
    base, doc_id = writer.base, writer.doc.doc_id
    claim_nodes: dict[tuple, NamedNode] = {}
    for record in records:
        first = record.evidence[0]
        claim_nodes[record.key()] = iris.claim(base, doc_id, record.type, *first, *record.identity)
    for record in records:
        node = claim_nodes[record.key()]
        statement = nodes[record.statement]
        writer.add(node, RDF.type, CG.Claim)
        writer.add(node, RDF.type, CG[CLAIM_TYPES[record.type]])
        writer.add(node, CG.claimType, CLAIM_TYPE[record.type])
        writer.add(node, CG.statedIn, statement)
        writer.add(statement, CG.hasClaim, node)
        for event_key in record.about:
            event = iris.entity(base, "event", event_key)
            writer.add(event, RDF.type, CG.Event)
            writer.add(node, CG.about, event)
        for prop, values in record.values.items():
            for value in values:
                writer.add(node, CG[prop], _value(writer, value))
        if record.part_of is not None:
            parent = claim_nodes.get((record.type, record.statement, *record.part_of))
            if parent is not None:
                writer.add(node, CG.partOf, parent)
        for begin, end in record.evidence:
            writer.add(node, CG.evidence, writer.evidence(begin, end))


def document_quads(
    doc: SourceDocument,
    base_iri: str,
    *,
    reference_dir: Path | str | None = None,
    patterns_dir: Path | str | None = None,
) -> list[Quad]:
    """Everything a document says, as quads in its document graph."""
    analysis = analyse(doc.text, reference_dir, patterns_dir)
    meta = document_metadata(analysis, doc.metadata)
    statements = find_statements(analysis, meta.issuer)
    records = extract_claims(analysis, statements)
    writer = _Writer(doc, base_iri, analysis)
    _document(writer, meta)
    nodes = _statements(writer, statements, meta, doc.metadata)
    _mentions(writer, statements, nodes)
    _claims(writer, records, nodes)
    return writer.quads
