"""Generate large graphs in claimgraph's own shape, for the benchmarks.

The graph looks like what the loaders write (docs/design.md, "The model"): one named
graph per document holding the Document with its text, its Statement (and statements it
reports), Claims of every claim type with their Evidence (exact quotes whose character
offsets are true in the document text), mentioned entities, and the graph's provenance;
plus ``graph/reference`` with the curated entities (events, places, organizations,
people, instruments) that documents refer to, ``graph/ontology``, and an imported
Wikidata extract (``graph/import/wikidata``: coordinates and country of each place).
Popular events are mentioned by many documents (a power law), so aggregate queries meet
realistic fan-out.

Output is streamed document by document to N-Quads or TriG (by file extension), so a
10M-triple file never sits in memory. The same seed and size give byte-identical files.

    python -m benchmarks.generate_graph --triples 1M --out /tmp/claimgraph-bench/1m.nq
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad

from ontology import iris
from ontology.evidence import evidence_triples
from ontology.vocab import (
    CASUALTY_KIND,
    CG,
    CLAIM_TYPE,
    CLAIM_TYPES,
    DCT,
    DEFAULT_BASE_IRI,
    LEGAL_CATEGORY,
    NIF,
    OWL,
    PROV,
    QUALIFIER,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    VICTIM_GROUP,
    WD,
    XSD,
    Namespace,
)

# Concept slugs used by the generator: concepts of the ontology's schemes (claimgraph.ttl).
LEGAL_CATEGORIES = [
    "genocide",
    "crime-against-humanity",
    "war-crime",
    "ethnic-cleansing",
    "massacre",
    "act-of-terror",
]
CASUALTY_KINDS = ["killed", "injured", "displaced", "missing", "detained"]
VICTIM_GROUPS = ["civilians", "children", "women", "men", "journalists"]
QUALIFIERS = ["exact", "approximately", "more-than", "at-least", "at-most"]
# Claim types and how often each occurs among a document's claims.
CLAIM_TYPE_WEIGHTS = {
    "legal-characterization": 25,
    "casualty-figure": 25,
    "perpetrator-attribution": 12,
    "instrument-violation": 12,
    "call-to-action": 12,
    "recognition": 8,
    "addressee": 6,
}
FILLER = (
    "the commission said that reports from the region describe attacks on villages "
    "and camps where survivors gave testimony about forces that entered at night "
    "burned homes and detained men while families fled across the border and aid "
    "agencies asked for access to the area under international supervision"
)
WORDS = FILLER.split()
WDT = Namespace("http://www.wikidata.org/prop/direct/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
TRIPLES_PER_DOCUMENT_ESTIMATE = 130
SUFFIXES = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_size(text: str) -> int:
    """``10k`` -> 10_000, ``1M`` -> 1_000_000, ``2500`` -> 2500."""
    text = text.strip().lower()
    factor = SUFFIXES.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in SUFFIXES else text
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 10k, 1M)") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return value


@dataclass(frozen=True)
class Entity:
    iri: NamedNode
    label: str


@dataclass
class Pools:
    """The reference entities documents refer to; sized by the number of documents."""

    events: list[Entity]
    places: list[Entity]
    organizations: list[Entity]
    people: list[Entity]
    instruments: list[Entity]


@dataclass
class Stats:
    triples: int = 0
    documents: int = 0
    claims: Counter = field(default_factory=Counter)
    event_mentions: Counter = field(default_factory=Counter)

    def as_json(self, seed: int, target: int, base_iri: str) -> dict[str, object]:
        top_events = [iri for iri, _ in self.event_mentions.most_common(5)]
        return {
            "seed": seed,
            "target_triples": target,
            "triples": self.triples,
            "documents": self.documents,
            "claims": dict(sorted(self.claims.items())),
            "claims_total": sum(self.claims.values()),
            "base_iri": base_iri,
            "most_mentioned_events": top_events,
        }


def _power_pick(rng: random.Random, items: list[Entity], skew: float = 3.0) -> Entity:
    """Pick with a power law: the first items are chosen far more often than the last."""
    return items[int(len(items) * rng.random() ** skew)]


def _wikidata(rng: random.Random) -> NamedNode:
    return WD[f"Q{rng.randrange(1_000, 99_999_999)}"]


def make_pools(base: str, documents: int, rng: random.Random) -> Pools:
    def pool(kind: str, prefix: str, n: int) -> list[Entity]:
        return [
            Entity(iris.entity(base, kind, f"{prefix}-{i:06d}"), f"{prefix.title()} {i}")
            for i in range(n)
        ]

    return Pools(
        events=pool("event", "event", 50 + documents // 40),
        places=pool("place", "place", 30 + documents // 200),
        organizations=pool("organization", "org", 40 + documents // 100),
        people=pool("person", "person", 100 + documents // 20),
        instruments=pool("instrument", "instrument", 40),
    )


def reference_quads(base: str, pools: Pools, rng: random.Random) -> Iterator[Quad]:
    """``graph/reference``: labels, Wikidata links, dates, places, acronyms."""
    g = iris.reference_graph(base)
    for kind, members in (
        (CG.Place, pools.places),
        (CG.Organization, pools.organizations),
        (CG.Person, pools.people),
        (CG.LegalInstrument, pools.instruments),
        (CG.Event, pools.events),
    ):
        for e in members:
            yield Quad(e.iri, RDF.type, kind, g)
            yield Quad(e.iri, RDFS.label, Literal(e.label, language="en"), g)
            if kind == CG.Place:
                yield Quad(e.iri, OWL.sameAs, place_item(e), g)
            elif kind != CG.Person:
                yield Quad(e.iri, OWL.sameAs, _wikidata(rng), g)
            if kind in (CG.Organization, CG.LegalInstrument):
                acronym = "".join(w[0] for w in e.label.split()).upper() + e.label.split()[-1]
                yield Quad(e.iri, CG.acronym, Literal(acronym), g)
            if kind == CG.Event:
                year = rng.randrange(1940, 2025)
                start = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                end = f"{year + rng.randrange(0, 3)}-{rng.randrange(1, 13):02d}-28"
                yield Quad(e.iri, SCHEMA.startDate, Literal(start, datatype=XSD.date), g)
                yield Quad(e.iri, SCHEMA.endDate, Literal(end, datatype=XSD.date), g)
                yield Quad(e.iri, CG.place, rng.choice(pools.places).iri, g)


def place_item(place: Entity) -> NamedNode:
    """The Wikidata item of a generated place (from its key, so the import can match it)."""
    return WD[f"Q{7_000_000 + int(place.iri.value.rsplit('-', 1)[1])}"]


def wikidata_import_quads(base: str, pools: Pools, rng: random.Random) -> Iterator[Quad]:
    """``graph/import/wikidata``: coordinates (P625) and country (P17) of every place's
    item, as a ``claimgraph import`` of a Wikidata extract would add them."""
    g = iris.graph(base, "import", "wikidata")
    countries = [WD[f"Q{8_000_000 + i}"] for i in range(min(50, len(pools.places)))]
    for i, country in enumerate(countries):
        yield Quad(country, RDFS.label, Literal(f"Country {i}", language="en"), g)
    for place in pools.places:
        item = place_item(place)
        point = f"Point({rng.uniform(-180, 180):.4f} {rng.uniform(-60, 70):.4f})"
        yield Quad(item, WDT.P625, Literal(point, datatype=GEO.wktLiteral), g)
        yield Quad(item, WDT.P17, rng.choice(countries), g)


def ontology_quads(base: str) -> Iterator[Quad]:
    """The ontology in ``graph/ontology``, when ``ontology/claimgraph.ttl`` exists."""
    path = Path(__file__).resolve().parents[1] / "ontology" / "claimgraph.ttl"
    if not path.exists():
        return
    g = iris.ontology_graph(base)
    # The parser names blank nodes at random; renamed in order of appearance, so that
    # the same seed gives the same bytes.
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term):  # type: ignore[no-untyped-def]
        if isinstance(term, ox.BlankNode):
            return names.setdefault(term, ox.BlankNode(f"o{len(names)}"))
        return term

    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        yield Quad(stable(t.subject), t.predicate, stable(t.object), g)


class DocumentBuilder:
    """Builds the quads of one synthetic document; text and offsets agree."""

    def __init__(self, base: str, pools: Pools, rng: random.Random, index: int) -> None:
        self.base = base
        self.pools = pools
        self.rng = rng
        self.doc_id = f"bench-{index:08d}"
        self.graph = iris.document_graph(base, self.doc_id)
        self.doc = iris.document(base, self.doc_id)
        self.quads: list[Quad] = []
        self.parts: list[str] = []
        self.length = 0
        self.claim_types: Counter = Counter()
        self.events: list[NamedNode] = []

    def add(self, s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        self.quads.append(Quad(s, p, o, self.graph))

    def _filler(self, n_words: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(n_words)).capitalize() + ". "

    def _append(self, text: str) -> tuple[int, int]:
        begin = self.length
        self.parts.append(text)
        self.length += len(text)
        return begin, begin + len(text.rstrip())

    def _event(self) -> Entity:
        if self.rng.random() < 0.1:  # an event no reference entry matched: minted from its name
            name = f"Unlisted incident {self.rng.randrange(10 * len(self.pools.events))}"
            e = Entity(iris.entity(self.base, "event", iris.slugify(name)), name)
            self.add(e.iri, RDF.type, CG.Event)
            self.add(e.iri, RDFS.label, Literal(name, language="en"))
            self.add(e.iri, CG.resolved, Literal(False))
        else:
            e = _power_pick(self.rng, self.pools.events)
            if self.rng.random() < 0.3:  # an alias this document uses for a known event
                alias = f"the {e.label.split()[-1]} events"
                self.add(e.iri, SKOS.altLabel, Literal(alias, language="en"))
        self.events.append(e.iri)
        return e

    def build(self) -> list[Quad]:
        rng, pools = self.rng, self.pools
        title = f"Statement on {_power_pick(rng, pools.events).label}"
        self._append(title + "\n")
        self._append(self._filler(rng.randrange(15, 40)))
        stmt = iris.statement(self.base, self.doc_id)
        issuer = _power_pick(rng, pools.organizations, 2.0)
        date = f"{rng.randrange(1995, 2027)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        self.add(stmt, RDF.type, CG.Statement)
        self.add(stmt, CG.sourceDocument, self.doc)
        self.add(stmt, DCT["title"], Literal(title, language="en"))
        self.add(stmt, DCT.date, Literal(date, datatype=XSD.date))
        self.add(stmt, CG.author, rng.choice(pools.people).iri)
        self.add(stmt, CG.issuer, issuer.iri)
        self.add(stmt, CG.publisher, _power_pick(rng, pools.organizations, 2.0).iri)
        if rng.random() < 0.4:
            self.add(stmt, CG.inferred, DCT.date)
        for _ in range(rng.randrange(1, 5)):
            self.add(stmt, CG.mentions, rng.choice(pools.organizations + pools.places).iri)
        speakers = [stmt]
        if rng.random() < 0.3:  # a statement this document reports (quotes)
            reported = iris.statement(self.base, self.doc_id, 1)
            self.add(reported, RDF.type, CG.Statement)
            self.add(reported, CG.sourceDocument, self.doc)
            self.add(reported, CG.issuer, rng.choice(pools.organizations).iri)
            self.add(stmt, CG.reports, reported)
            speakers.append(reported)
        parent_figure: NamedNode | None = None
        for _ in range(rng.randrange(2, 11)):
            ctype = rng.choices(list(CLAIM_TYPE_WEIGHTS), weights=CLAIM_TYPE_WEIGHTS.values())[0]
            parent_figure = self._claim(ctype, rng.choice(speakers), parent_figure)
            self._append(self._filler(rng.randrange(5, 25)))
        text = "".join(self.parts)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        file_name = f"{self.doc_id}.txt"
        url = Literal(f"https://example.org/statements/{self.doc_id}", datatype=XSD.anyURI)
        self.add(self.doc, RDF.type, CG.Document)
        self.add(self.doc, RDF.type, NIF.Context)
        self.add(self.doc, CG.fileName, Literal(file_name))
        self.add(self.doc, CG.sha256, Literal(sha))
        self.add(self.doc, CG.text, Literal(text))
        self.add(self.doc, SCHEMA.url, url)
        self.add(self.doc, DCT["title"], Literal(title, language="en"))
        self.add(self.doc, DCT.language, Literal("en"))
        self._provenance(sha, file_name, url, date)
        return list(dict.fromkeys(self.quads))  # a document may repeat a mention

    def _claim(self, ctype: str, stmt: NamedNode, parent: NamedNode | None) -> NamedNode | None:
        rng, pools = self.rng, self.pools
        event = self._event() if ctype != "addressee" else None
        values: list[tuple[NamedNode, NamedNode | Literal]] = []
        if ctype == "legal-characterization":
            cat = rng.choice(LEGAL_CATEGORIES)
            sentence = f"The killings at {event.label} amount to {cat.replace('-', ' ')}."
            values.append((CG.legalCategory, LEGAL_CATEGORY[cat]))
        elif ctype == "casualty-figure":
            n, kind = int(10 ** rng.uniform(0.5, 5)), rng.choice(CASUALTY_KINDS)
            group, qual = rng.choice(VICTIM_GROUPS), rng.choice(QUALIFIERS)
            sentence = f"At least {n} {group} were {kind} during {event.label}."
            values += [
                (CG["count"], Literal(str(n), datatype=XSD.nonNegativeInteger)),
                (CG.countText, Literal(str(n))),
                (CG.qualifier, QUALIFIER[qual]),
                (CG.casualtyKind, CASUALTY_KIND[kind]),
                (CG.victimGroup, VICTIM_GROUP[group]),
            ]
            if parent is not None and rng.random() < 0.2:
                values.append((CG.partOf, parent))
        elif ctype == "perpetrator-attribution":
            agent = _power_pick(rng, pools.organizations, 2.0)
            sentence = f"{agent.label} carried out {event.label}."
            values.append((CG.perpetrator, agent.iri))
        elif ctype == "instrument-violation":
            inst = rng.choice(pools.instruments)
            article = str(rng.randrange(1, 40))
            sentence = f"{event.label} violated article {article} of {inst.label}."
            values += [(CG.instrument, inst.iri), (CG.article, Literal(article))]
        elif ctype == "call-to-action":
            agent = _power_pick(rng, pools.organizations, 2.0)
            action = "investigate the events and bring those responsible to justice"
            sentence = f"We call on {agent.label} to {action} of {event.label}."
            values += [(CG.calledUpon, agent.iri), (CG.action, Literal(action))]
        elif ctype == "recognition":
            agent, cat = rng.choice(pools.organizations), rng.choice(LEGAL_CATEGORIES)
            sentence = f"{agent.label} recognized {event.label} as {cat.replace('-', ' ')}."
            values += [
                (CG.recognizedBy, agent.iri),
                (CG.recognitionKind, Literal("recognized")),
                (CG.legalCategory, LEGAL_CATEGORY[cat]),
            ]
        else:  # addressee
            agent = rng.choice(pools.organizations)
            sentence = f"This letter is addressed to {agent.label}."
            values.append((CG.addressee, agent.iri))
        begin, end = self._append(sentence + " ")
        claim = iris.claim(self.base, self.doc_id, ctype, begin, end)
        ev = iris.evidence(self.base, self.doc_id, begin, end)
        self.add(claim, RDF.type, CG.Claim)
        self.add(claim, RDF.type, CG[CLAIM_TYPES[ctype]])
        self.add(claim, CG.claimType, CLAIM_TYPE[ctype])
        self.add(claim, CG.statedIn, stmt)
        self.add(stmt, CG.hasClaim, claim)
        if event is not None:
            self.add(claim, CG.about, event.iri)
        self.add(claim, CG.evidence, ev)
        for p, o in values:
            self.add(claim, p, o)
        for triple in evidence_triples(ev, self.doc, sentence, begin, end):
            self.add(*triple)
        self.claim_types[ctype] += 1
        return claim if ctype == "casualty-figure" else parent

    def _provenance(self, sha: str, file_name: str, url: Literal, date: str) -> None:
        g = self.graph
        act = iris.entity(self.base, "activity", iris.digest(self.doc_id, sha))
        stamp = Literal(f"{date}T12:00:00Z", datatype=XSD.dateTime)
        self.add(g, RDF.type, CG.DocumentGraph)
        self.add(g, RDF.type, PROV.Entity)
        self.add(g, PROV.wasDerivedFrom, self.doc)
        self.add(g, PROV.wasGeneratedBy, act)
        self.add(g, PROV.generatedAtTime, stamp)
        self.add(g, CG.sha256, Literal(sha))
        self.add(g, CG.fileName, Literal(file_name))
        self.add(g, SCHEMA.url, url)
        self.add(act, RDF.type, CG.LoadActivity)
        self.add(act, RDF.type, PROV.Activity)
        self.add(act, CG.loaderVersion, Literal("bench"))
        self.add(act, PROV.endedAtTime, stamp)


def generate(
    output: Path, triples: int, *, seed: int = 1, base_iri: str = DEFAULT_BASE_IRI
) -> Stats:
    """Write a graph of about ``triples`` triples (whole documents, so a little over)."""
    fmt = ox.RdfFormat.from_extension(output.suffix.lstrip("."))
    if fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        raise ValueError(f"{output}: write .nq (N-Quads) or .trig (TriG), not {output.suffix!r}")
    rng = random.Random(seed)
    pools = make_pools(base_iri, max(1, triples // TRIPLES_PER_DOCUMENT_ESTIMATE), rng)
    stats = Stats()
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as out:

        def write(quads: list[Quad]) -> None:
            ox.serialize(quads, out, fmt)
            stats.triples += len(quads)

        write(list(ontology_quads(base_iri)))
        write(list(reference_quads(base_iri, pools, rng)))
        write(list(wikidata_import_quads(base_iri, pools, rng)))
        while stats.triples < triples:
            # One random generator per document, seeded by its index: reproducible in order.
            builder = DocumentBuilder(
                base_iri, pools, random.Random(f"{seed}/{stats.documents}"), stats.documents
            )
            write(builder.build())
            stats.documents += 1
            stats.claims.update(builder.claim_types)
            stats.event_mentions.update(e.value for e in builder.events)
    stats_path = output.with_name(output.name + ".stats.json")
    stats_path.write_text(json.dumps(stats.as_json(seed, triples, base_iri), indent=2) + "\n")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=parse_size, required=True, help="10k, 100k, 1M, 10M")
    parser.add_argument("--out", type=Path, required=True, help="output file (.nq or .trig)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--base-iri", default=DEFAULT_BASE_IRI)
    args = parser.parse_args(argv)
    stats = generate(args.out, args.triples, seed=args.seed, base_iri=args.base_iri)
    print(
        f"{args.out}: {stats.triples:,} triples, {stats.documents:,} documents, "
        f"{sum(stats.claims.values()):,} claims",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
