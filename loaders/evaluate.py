"""Score the loader against hand-written gold annotations.

The documents named by the gold files are loaded into a temporary in-memory store with
the real loader (:func:`loaders.ingest.load_paths`); the claims, statements and
entities are then read back with SPARQL -- what any client of the graph would see --
turned into canonical units and matched against the gold units (:mod:`loaders.scoring`).

Aligning predicted nodes with gold entries is by identity first, then by name:

- an entity matches a gold entry when its IRI key is the gold id (a reference-data key,
  or the slug of a name), when its key is the slug of one of the gold names, or when one
  of its labels equals a gold name or a reference name of the gold id after
  :func:`loaders.scoring.normalize`;
- the document's own statement is the one with index 0 (``iris.statement(base, doc)``);
  a reported statement matches the gold statement whose author (else issuer) it shares.

Nothing is matched by substring or fuzzy similarity except the free text of a call's
action (content-word overlap), which is scored as an attribute only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode

from loaders.gold import (
    CLAIM_TYPES,
    ENTITY_KINDS,
    MAIN,
    Agent,
    GoldClaim,
    GoldDocument,
    GoldError,
    load_gold_dir,
)
from loaders.scoring import SectionResult, Unit, match_all, normalize
from loaders.store import EmbeddedStore, GraphStore
from ontology import iris
from ontology.vocab import CG, DCT, NIF, PROV, RDFS, SKOS

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"
REFERENCE_FILES = ("organizations", "instruments", "events", "places", "people")

CLAIM_SECTIONS = CLAIM_TYPES  # one scored section per claim type, in the same order
ENTITY_SECTIONS = ("entity:event", "entity:organization", "entity:instrument")
ENTITY_CLASSES = {
    "entity:event": CG["Event"],
    "entity:organization": CG["Organization"],
    "entity:instrument": CG["LegalInstrument"],
}
_ROLE_PROPERTY = re.compile(r"(role|jobtitle|office)", re.IGNORECASE)


# --- reference names (to align a gold id with a predicted label) ----------------------


@functools.cache
def reference_names(directory: Path = REFERENCE_DIR) -> dict[str, tuple[str, ...]]:
    """Reference id -> its label, aliases and acronyms (all kinds in one map)."""
    names: dict[str, tuple[str, ...]] = {}
    for stem in REFERENCE_FILES:
        path = directory / f"{stem}.yaml"
        if not path.exists():
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            forms = [entry["label"], *entry.get("aliases", []), *entry.get("acronyms", [])]
            names[entry["id"]] = names.get(entry["id"], ()) + tuple(forms)
    return names


# --- what the store holds for one document --------------------------------------------


@dataclass
class Predicted:
    """The parts of one document graph the evaluation looks at, as read by SPARQL."""

    file_name: str
    doc_key: str
    statements: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    claims: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    entities: dict[str, set[str]] = field(default_factory=dict)  # section -> IRIs
    names: dict[str, set[str]] = field(default_factory=dict)  # IRI -> labels (any graph)
    roles: dict[str, set[str]] = field(default_factory=dict)  # person or statement -> roles
    quotes: dict[str, str] = field(default_factory=dict)  # claim -> an evidence quote


def _value(term: Any) -> Any:
    if isinstance(term, NamedNode):
        return term.value
    if isinstance(term, Literal):
        return term.value
    return str(term)


def _rows(store: GraphStore, sparql: str) -> list[tuple[Any, ...]]:
    prefixes = "".join(
        f"PREFIX {p}: <{ns}>\n"
        for p, ns in (("cg", CG), ("rdfs", RDFS), ("skos", SKOS), ("prov", PROV), ("nif", NIF))
    )
    solutions = store.query(prefixes + sparql)
    return [tuple(_value(solution[i]) for i in range(len(solution))) for solution in solutions]


def _properties(rows: Iterable[tuple[Any, ...]]) -> dict[str, dict[str, list[Any]]]:
    grouped: dict[str, dict[str, list[Any]]] = {}
    for subject, predicate, obj in rows:
        grouped.setdefault(subject, {}).setdefault(predicate, []).append(obj)
    return grouped


def read_predicted(store: GraphStore, file_name: str) -> Predicted | None:
    """Read back what the loader wrote for the document loaded from ``file_name``."""
    # The loader's provenance names the file (base name) on the document graph itself.
    found = _rows(
        store,
        "SELECT ?g ?doc WHERE { GRAPH ?g { ?g cg:fileName "
        f"{Literal(Path(file_name).name)} ; prov:wasDerivedFrom ?doc }} }}",
    )
    if not found:
        return None
    graph, doc = (NamedNode(found[0][0]), found[0][1])
    predicted = Predicted(file_name, doc.rsplit("/", 1)[-1])
    predicted.statements = _properties(
        _rows(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s a cg:Statement ; ?p ?o }} }}")
    )
    predicted.claims = _properties(
        _rows(
            store,
            f"SELECT ?c ?p ?o WHERE {{ GRAPH {graph} {{ ?c cg:claimType ?t ; ?p ?o }} }}",
        )
    )
    for section, cls in ENTITY_CLASSES.items():
        rows = _rows(
            store,
            f"SELECT DISTINCT ?x WHERE {{ GRAPH {graph} {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}"
            f" ?x a {cls} }}",
        )
        predicted.entities[section] = {row[0] for row in rows}
    for subject, name in _rows(
        store,
        f"SELECT DISTINCT ?x ?n WHERE {{ GRAPH {graph} {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}"
        " FILTER(isIRI(?x)) ?x rdfs:label|skos:altLabel|cg:acronym ?n }",
    ):
        predicted.names.setdefault(subject, set()).add(name)
    for subject, predicate, value in _rows(
        store,
        f"SELECT DISTINCT ?x ?p ?v WHERE {{ GRAPH {graph} {{ ?x ?p ?v FILTER(isLiteral(?v)) }}"
        " { ?x a cg:Person } UNION { ?x a cg:Statement } }",
    ):
        if _ROLE_PROPERTY.search(predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1]):
            predicted.roles.setdefault(subject, set()).add(value)
    for claim, quote in _rows(
        store,
        f"SELECT ?c (MIN(?a) AS ?quote) WHERE {{ GRAPH {graph} {{ ?c cg:evidence ?e ."
        " ?e nif:anchorOf ?a } } GROUP BY ?c",
    ):
        predicted.quotes[claim] = quote
    return predicted


# --- aligning predicted nodes with gold entries ----------------------------------------


def _key_of(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


class Aligner:
    """Maps predicted IRIs to gold ids of one document (else ``?key``, never matching)."""

    def __init__(self, gold: GoldDocument, predicted: Predicted, base_iri: str) -> None:
        refs = reference_names()
        self.predicted = predicted
        self._by_id: dict[str, str] = {}
        self._by_slug: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        entries = [(a.id, a.names) for a in gold.agents()] + [(e.id, e.names) for e in gold.events]
        for gold_id, names in entries:
            self._by_id.setdefault(gold_id, gold_id)
            for name in (*names, *refs.get(gold_id, ())):
                self._by_slug.setdefault(iris.slugify(name), gold_id)
                self._by_name.setdefault(normalize(name), gold_id)
        self.main_statement = iris.statement(base_iri, predicted.doc_key).value
        self._statements = self._align_statements(gold)

    def entity(self, iri: str) -> str:
        key = _key_of(iri)
        if key in self._by_id:
            return key
        if key in self._by_slug:
            return self._by_slug[key]
        for name in sorted(self.predicted.names.get(iri, ())):
            if normalize(name) in self._by_name:
                return self._by_name[normalize(name)]
        return "?" + key

    def _align_statements(self, gold: GoldDocument) -> dict[str, str]:
        aligned = {self.main_statement: MAIN}
        taken = {MAIN}
        for iri in sorted(self.predicted.statements):
            if iri in aligned:
                continue
            props = self.predicted.statements[iri]
            agents = {
                field_name: {self.entity(v) for v in props.get(CG[field_name].value, [])}
                for field_name in ("author", "issuer")
            }
            for field_name in ("author", "issuer"):
                match = next(
                    (
                        s.key
                        for s in gold.statements.values()
                        if s.key not in taken
                        and isinstance(s.values.get(field_name), Agent)
                        and s.values[field_name].id in agents[field_name]
                    ),
                    None,
                )
                if match:
                    aligned[iri] = match
                    taken.add(match)
                    break
            else:
                aligned[iri] = "?" + _key_of(iri)
        return aligned

    def statement(self, iri: str) -> str:
        return self._statements.get(iri, "?" + _key_of(iri))


# --- units -----------------------------------------------------------------------------


def _gold_claim_units(doc: str, claim: GoldClaim, figures: Mapping[str, GoldClaim]) -> list[Unit]:
    v, stmt, event = claim.values, claim.statement, claim.event
    common = {"document": doc, "optional": claim.optional, "note": claim.evidence}
    if claim.type == "legal-characterization":
        return [Unit(claim.type, key=(stmt, event, v["category"]), **common)]
    if claim.type == "casualty-figure":
        parent = figures.get(v.get("parent") or "")
        attrs = {
            "group": v.get("group"),
            "qualifier": v.get("qualifier", "exact"),
            "parent": f"{parent.values['count']} {parent.values['kind']}" if parent else "none",
        }
        key = (stmt, event, str(v["count"]), v["kind"])
        return [Unit(claim.type, key=key, attrs=attrs, **common)]
    if claim.type == "perpetrator-attribution":
        return [Unit(claim.type, key=(stmt, event, v["perpetrator"].id), **common)]
    if claim.type == "instrument-violation":
        attrs = {"articles": tuple(v.get("articles", ()))}
        return [Unit(claim.type, key=(stmt, event, v["instrument"].id), attrs=attrs, **common)]
    if claim.type == "recognition":
        attrs = {"category": v.get("category")}
        return [Unit(claim.type, key=(stmt, event, v["by"].id), attrs=attrs, **common)]
    agents = v["called_upon"] if claim.type == "call-to-action" else v["addressees"]
    attrs = {"action": v.get("action")} if claim.type == "call-to-action" else {}
    return [
        Unit(
            claim.type,
            doc,
            (stmt, agent.id),
            attrs,
            claim.optional or agent.optional,
            f"{agent.id}: {claim.evidence}",
        )
        for agent in agents
    ]


def gold_units(gold: GoldDocument) -> list[Unit]:
    """Every unit of one gold file: claims, entities, statement metadata."""
    doc = gold.document
    figures = {c.values["id"]: c for c in gold.claims if c.type == "casualty-figure"}
    units = [u for claim in gold.claims for u in _gold_claim_units(doc, claim, figures)]
    units += [
        Unit("entity:event", doc, (e.id,), optional=e.optional, note=", ".join(e.names))
        for e in gold.events
    ]
    for kind, section in zip(
        ENTITY_KINDS, ("entity:organization", "entity:instrument"), strict=True
    ):
        units += [
            Unit(section, doc, (a.id,), optional=a.optional, note=", ".join(a.names))
            for a in gold.entities.get(kind, ())
        ]
    for statement in gold.statements.values():
        for name, value in statement.values.items():
            if name == "reports":
                values = list(value)
            elif isinstance(value, Agent):
                values = [value.id]
            elif isinstance(value, tuple):  # accepted forms: the first is canonical
                values = [normalize(value[0])]
            else:
                values = [value]
            optional = name in statement.optional_fields
            units += [
                Unit(f"metadata:{name}", doc, (statement.key, str(x)), optional=optional)
                for x in values
            ]
    return units


def _slug(iri: str) -> str:
    return _key_of(iri)


def _count(values: Sequence[Any]) -> str | None:
    for value in values:
        try:
            return str(int(value))
        except (TypeError, ValueError):
            continue
    return None


def _predicted_claim_units(
    doc: str, iri: str, props: Mapping[str, list[Any]], pred: Predicted, align: Aligner
) -> list[Unit]:
    get = lambda name: props.get(CG[name].value, [])  # noqa: E731
    types = [_slug(t) for t in get("claimType")]
    if not types:
        return []
    kind = types[0]
    stmts = [align.statement(s) for s in get("statedIn")] or ["?none"]
    events = [align.entity(e) for e in get("about")] or [None]
    note = pred.quotes.get(iri, iri)  # listings show what the loader quoted
    units: list[Unit] = []
    for stmt in stmts:
        if kind == "addressee":
            units += [Unit(kind, doc, (stmt, align.entity(a)), note=note) for a in get("addressee")]
        elif kind == "call-to-action":
            actions = get("action")
            units += [
                Unit(
                    kind,
                    doc,
                    (stmt, align.entity(a)),
                    {"action": actions[0] if actions else None},
                    note=note,
                )
                for a in get("calledUpon")
            ]
        for event in events:
            if kind == "legal-characterization":
                units += [
                    Unit(kind, doc, (stmt, event, _slug(c)), note=note)
                    for c in get("legalCategory")
                ]
            elif kind == "casualty-figure":
                parent = "none"
                for parent_iri in get("partOf"):
                    parent_props = pred.claims.get(parent_iri, {})
                    count = _count(parent_props.get(CG["count"].value, []))
                    kinds = [_slug(k) for k in parent_props.get(CG["casualtyKind"].value, [])]
                    parent = f"{count} {kinds[0] if kinds else None}"
                attrs = {
                    "group": next(iter(sorted(_slug(g) for g in get("victimGroup"))), None),
                    "qualifier": next(iter(_slug(q) for q in get("qualifier")), "exact"),
                    "parent": parent,
                }
                for ck in get("casualtyKind") or [None]:
                    key = (stmt, event, _count(get("count")), _slug(ck) if ck else None)
                    units.append(Unit(kind, doc, key, attrs, note=note))
            elif kind == "perpetrator-attribution":
                units += [
                    Unit(kind, doc, (stmt, event, align.entity(a)), note=note)
                    for a in get("perpetrator")
                ]
            elif kind == "instrument-violation":
                attrs = {"articles": tuple(str(a) for a in get("article"))}
                units += [
                    Unit(kind, doc, (stmt, event, align.entity(i)), attrs, note=note)
                    for i in get("instrument")
                ]
            elif kind == "recognition":
                attrs = {"category": next(iter(_slug(c) for c in get("legalCategory")), None)}
                units += [
                    Unit(kind, doc, (stmt, event, align.entity(a)), attrs, note=note)
                    for a in get("recognizedBy")
                ]
    return units


def predicted_units(gold: GoldDocument, pred: Predicted, base_iri: str) -> list[Unit]:
    """Every unit the store holds for the document, aligned with the gold's ids."""
    align = Aligner(gold, pred, base_iri)
    doc = gold.document
    units: list[Unit] = []
    for iri, props in sorted(pred.claims.items()):
        units += _predicted_claim_units(doc, iri, props, pred, align)
    for section, members in pred.entities.items():
        units += [
            Unit(
                section,
                doc,
                (align.entity(iri),),
                note=", ".join(sorted(pred.names.get(iri, ()))) or iri,
            )
            for iri in sorted(members)
        ]
    gold_forms = {
        (s.key, name): value
        for s in gold.statements.values()
        for name, value in s.values.items()
        if isinstance(value, tuple)
    }
    for iri, props in sorted(pred.statements.items()):
        stmt = align.statement(iri)

        def text_unit(name: str, text: str, stmt: str = stmt, iri: str = iri) -> Unit:
            forms = gold_forms.get((stmt, name), ())
            value = normalize(text)
            if value in {normalize(f) for f in forms}:
                value = normalize(forms[0])
            return Unit(f"metadata:{name}", doc, (stmt, value), note=iri)

        units += [text_unit("title", t) for t in props.get(DCT["title"].value, [])]
        units += [
            Unit("metadata:date", doc, (stmt, str(d)), note=iri)
            for d in props.get(DCT["date"].value, [])
        ]
        for name in ("author", "issuer", "publisher"):
            units += [
                Unit(f"metadata:{name}", doc, (stmt, align.entity(a)), note=a)
                for a in props.get(CG[name].value, [])
            ]
        units += [
            Unit("metadata:reports", doc, (stmt, align.statement(r)), note=r)
            for r in props.get(CG["reports"].value, [])
        ]
        roles = set(pred.roles.get(iri, set()))
        for author in props.get(CG["author"].value, []):
            roles |= pred.roles.get(author, set())
        units += [text_unit("role", r) for r in sorted(roles)]
    return units


# --- the evaluation ----------------------------------------------------------------------


@dataclass
class Evaluation:
    """Results of one run: per section, plus documents that could not be evaluated."""

    sections: dict[str, SectionResult]
    documents: list[str]
    errors: list[str] = field(default_factory=list)
    alias_recall: tuple[int, int] = (0, 0)  # gold event names found among predicted names


def _alias_counts(gold: GoldDocument, pred: Predicted, base_iri: str) -> tuple[int, int]:
    align = Aligner(gold, pred, base_iri)
    found = total = 0
    names_by_event: dict[str, set[str]] = {}
    for iri in pred.entities.get("entity:event", ()):
        names_by_event.setdefault(align.entity(iri), set()).update(
            normalize(n) for n in pred.names.get(iri, ())
        )
    for event in gold.events:
        if event.optional:
            continue
        for name in event.names:
            total += 1
            found += normalize(name) in names_by_event.get(event.id, set())
    return found, total


def evaluate_store(store: GraphStore, golds: Sequence[GoldDocument], base_iri: str) -> Evaluation:
    """Score what ``store`` holds for the gold documents against their gold files."""
    gold_all: list[Unit] = []
    pred_all: list[Unit] = []
    errors: list[str] = []
    found = total = 0
    for gold in golds:
        gold_all += gold_units(gold)
        pred = read_predicted(store, gold.document)
        if pred is None:
            errors.append(f"{gold.document}: not in the store (was it loaded?)")
            continue
        pred_all += predicted_units(gold, pred, base_iri)
        f, t = _alias_counts(gold, pred, base_iri)
        found, total = found + f, total + t
    sections = match_all(gold_all, pred_all)
    return Evaluation(sections, [g.document for g in golds], errors, (found, total))


def evaluate_paths(
    gold_dir: Path | str,
    docs_dir: Path | str,
    *,
    base_iri: str,
    builder: Any = None,
) -> Evaluation:
    """Load the documents the gold files name into a fresh in-memory store and score them."""
    from loaders.ingest import load_paths  # the loader's edge, imported only to run it

    golds = load_gold_dir(gold_dir)
    docs_dir = Path(docs_dir)
    paths = [docs_dir / g.document for g in golds]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise GoldError(gold_dir, "documents", f"gold files name documents not found: {missing}")
    store = EmbeddedStore(None)
    report = load_paths(store, paths, base_iri=base_iri, builder=builder, workers=1)
    evaluation = evaluate_store(store, golds, base_iri)
    evaluation.errors[:0] = [str(o.error) for o in report.of_status("failed")]
    return evaluation
