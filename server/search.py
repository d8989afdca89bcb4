"""Full-text search over the graph: documents, claims by evidence text, entities by name.

Why SQLite FTS5 beside the store: pyoxigraph has no text index, and a SPARQL
``FILTER(CONTAINS(...))`` scans every literal, which is slow on a large store and
cannot rank. FTS5 ships with Python, ranks with BM25, stems (Porter) and folds
diacritics. For an embedded on-disk store the index is a file next to it
(``<store>.search.sqlite``), so a restarted server does not rebuild it; for an
in-memory or remote store it lives in memory.

The index mirrors the store graph by graph. Each named graph has a fingerprint: a
document graph's own provenance (``prov:generatedAtTime``, ``cg:sha256``, written by
the loader every time it replaces the graph), or for other graphs (reference,
ontology, imports) their number of triples and a digest of the entries extracted
from them. :meth:`SearchIndex.refresh` re-indexes exactly the graphs whose
fingerprint changed and drops the graphs that are gone, so loading one document
costs one document's indexing. Searches refresh first, at most every
``REFRESH_INTERVAL`` seconds, or at once after :meth:`SearchIndex.invalidate` (the web
blueprint calls it after every successful write through the server); between full
checks, graphs without provenance are compared by their number of triples only.

Entries (one per thing per graph; a search merges them by IRI):

- ``document``: title and full text; links to the document's statement page;
- ``claim``: the evidence quote, with the claim type and statement title as context;
- entities (``event``, ``organization``, ``instrument``, ``person``, ``place``,
  ``concept``, ...): labels and acronyms as title, aliases as body.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode

from loaders.store import EmbeddedStore, GraphStore
from ontology.vocab import CG, DCT, FOAF, NIF, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

REFRESH_INTERVAL = 5.0
SCHEMA_VERSION = "2"
TOKENIZER = "porter unicode61 remove_diacritics 2"
MARK_START, MARK_END = "\x02", "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORD = re.compile(r"\w+", re.UNICODE)

TITLE_PROPS = [SKOS.prefLabel, RDFS.label, CG.acronym, FOAF.name, SCHEMA.name]
ALIAS_PROPS = [SKOS.altLabel]
# Things with labels that are found another way (or are not worth finding by name).
NOT_ENTITIES = [CG.Document, CG.Claim, CG.Evidence, CG.Statement, CG.DocumentGraph]
KIND_OF_CLASS = {
    CG.Event.value: "event",
    CG.Organization.value: "organization",
    CG.LegalInstrument.value: "instrument",
    CG.Person.value: "person",
    CG.Place.value: "place",
    SKOS.Concept.value: "concept",
    SKOS.ConceptScheme.value: "concept scheme",
    OWL.Class.value: "ontology term",
    OWL.ObjectProperty.value: "ontology term",
    OWL.DatatypeProperty.value: "ontology term",
}


@dataclass(frozen=True)
class Entry:
    iri: str
    kind: str
    title: str
    body: str
    target: str  # the IRI whose page a hit opens (a document's statement, else iri)


@dataclass
class Hit:
    iri: str
    target: str
    kind: str
    title: list[tuple[str, bool]]  # text pieces, True where the query matched
    snippet: list[tuple[str, bool]]
    score: float

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "target": self.target,
            "kind": self.kind,
            "title": "".join(t for t, _ in self.title),
            "title_parts": self.title,
            "snippet_parts": self.snippet,
            "score": self.score,
        }


@dataclass
class RefreshReport:
    indexed: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0


def fts_query(text: str) -> str | None:
    """The user's words as an FTS5 query: every word required, the last as a prefix.

    Each word is quoted, so FTS5 operators typed by the user (AND, NEAR, *, :) are
    read as words and cannot raise syntax errors.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words[:32]]
    quoted[-1] += "*"
    return " ".join(quoted)


def index_path_for(store: GraphStore) -> str:
    """Where the index of ``store`` lives: beside an on-disk store, else in memory."""
    if isinstance(store, EmbeddedStore) and store.location != ":memory:":
        return store.location.rstrip("/") + ".search.sqlite"
    return ":memory:"


class SearchIndex:
    """An FTS5 index of one store; safe to share between request threads."""

    def __init__(self, store: GraphStore, path: str | None = None) -> None:
        self.store = store
        self.path = path if path is not None else index_path_for(store)
        self._lock = threading.Lock()
        self._checked_at = -1e18
        self._full_check_due = True
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._create()

    def _create(self) -> None:
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is not None and row[0] != SCHEMA_VERSION:
            db.execute("DROP TABLE IF EXISTS entries")
            db.execute("DROP TABLE IF EXISTS graphs")
        db.execute("CREATE TABLE IF NOT EXISTS graphs(graph TEXT PRIMARY KEY, fingerprint TEXT)")
        db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS entries USING fts5("
            "title, body, iri UNINDEXED, graph UNINDEXED, kind UNINDEXED, target UNINDEXED, "
            f"tokenize='{TOKENIZER}')"
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def invalidate(self) -> None:
        """The store changed: the next search refreshes first, whatever the interval,
        and re-reads the content of graphs that carry no provenance."""
        self._checked_at = -1e18
        self._full_check_due = True

    def refresh(self, *, force: bool = False) -> RefreshReport:
        """Bring the index in line with the store, graph by graph.

        A document graph is re-indexed when its provenance changed. Another graph is
        re-indexed when its number of triples changed, or, on the first refresh, after
        :meth:`invalidate` and when forced, when the digest of its entries changed
        (reading a large imported graph every few seconds would cost too much).
        """
        report = RefreshReport()
        now = time.monotonic()
        if not force and now - self._checked_at < REFRESH_INTERVAL:
            return report
        with self._lock:
            full = force or self._full_check_due
            self._checked_at, self._full_check_due = now, False
            stored = dict(self._db.execute("SELECT graph, fingerprint FROM graphs"))
            provenance = _provenance_fingerprints(self.store)
            graphs = {g.value for g in self.store.named_graphs()}
            sizes = _sizes(self.store, sorted(graphs - set(provenance)))
            for graph in sorted(set(stored) - graphs):
                self._drop(graph)
                report.dropped.append(graph)
            for graph in sorted(graphs):
                old = stored.get(graph, "")
                if graph in provenance:
                    if old == provenance[graph]:
                        report.unchanged += 1
                        continue
                    entries = graph_entries(self.store, graph)
                    fingerprint = provenance[graph]
                else:
                    size = f"n={sizes.get(graph, 0)}"
                    if not full and old.startswith(size + "|"):
                        report.unchanged += 1
                        continue
                    entries = graph_entries(self.store, graph)
                    fingerprint = f"{size}|{_digest(entries)}"
                    if old == fingerprint:
                        report.unchanged += 1
                        continue
                self._replace(graph, fingerprint, entries)
                report.indexed.append(graph)
        return report

    def _drop(self, graph: str) -> None:
        self._db.execute("BEGIN")
        self._db.execute("DELETE FROM entries WHERE graph = ?", (graph,))
        self._db.execute("DELETE FROM graphs WHERE graph = ?", (graph,))
        self._db.execute("COMMIT")

    def _replace(self, graph: str, fingerprint: str, entries: list[Entry]) -> None:
        db = self._db
        db.execute("BEGIN")
        try:
            db.execute("DELETE FROM entries WHERE graph = ?", (graph,))
            db.executemany(
                "INSERT INTO entries(title, body, iri, graph, kind, target) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(e.title, e.body, e.iri, graph, e.kind, e.target) for e in entries],
            )
            db.execute("INSERT OR REPLACE INTO graphs VALUES (?, ?)", (graph, fingerprint))
        except sqlite3.Error:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def search(self, text: str, *, limit: int = 50, kind: str | None = None) -> list[Hit]:
        """The best ``limit`` things matching every word of ``text``, best first."""
        query = fts_query(text)
        if query is None:
            return []
        self.refresh()
        sql = (
            "SELECT iri, target, kind, "
            f"highlight(entries, 0, '{MARK_START}', '{MARK_END}'), "
            f"snippet(entries, 1, '{MARK_START}', '{MARK_END}', '\u2026', 16), "
            "bm25(entries, 10.0, 1.0) AS rank "
            "FROM entries WHERE entries MATCH ? "
        )
        params: list[Any] = [query]
        if kind:
            sql += "AND kind = ? "
            params.append(kind)
        sql += "ORDER BY rank LIMIT ?"
        params.append(limit * 4)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        wanted = " ".join(_WORD.findall(text)).casefold()
        hits: dict[str, Hit] = {}
        for iri, target, kind_, title, snippet, rank in rows:
            plain_title = title.replace(MARK_START, "").replace(MARK_END, "")
            # bm25 is lower-is-better; an exact name match goes first.
            score = -rank + (100.0 if plain_title.casefold() == wanted else 0.0)
            if iri in hits and hits[iri].score >= score:
                continue
            hits[iri] = Hit(iri, target, kind_, _pieces(title), _pieces(snippet), score)
        ranked = sorted(hits.values(), key=lambda h: -h.score)
        return ranked[:limit]

    def size(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM entries").fetchone()[0]


def _pieces(marked: str) -> list[tuple[str, bool]]:
    """Split FTS5-marked text into (text, matched) pieces for escaping templates."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MARK_START}{MARK_END}]", marked or "")):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _digest(entries: list[Entry]) -> str:
    h = hashlib.sha256()
    for e in sorted(entries, key=lambda e: (e.iri, e.kind, e.title, e.body)):
        for part in (e.iri, e.kind, e.title, e.body, e.target):
            h.update(part.encode("utf-8", "surrogatepass") + b"\x1f")
    return "content:" + h.hexdigest()


def _select(store: GraphStore, query: str) -> list[Any]:
    return list(store.query(query, union_default_graph=True))  # type: ignore[arg-type]


def _provenance_fingerprints(store: GraphStore) -> dict[str, str]:
    """A fingerprint for each graph that records when and from what it was made."""
    rows = _select(
        store,
        f"""SELECT ?g (MAX(STR(?t)) AS ?time) (MAX(STR(?h)) AS ?sha) WHERE {{
              GRAPH ?g {{ ?g {PROV.generatedAtTime} ?t . OPTIONAL {{ ?g {CG.sha256} ?h }} }}
            }} GROUP BY ?g""",
    )
    return {
        row["g"].value: f"prov:{row['time'].value}|{row['sha'].value if row['sha'] else ''}"
        for row in rows
    }


def _sizes(store: GraphStore, graphs: list[str]) -> dict[str, int]:
    """The number of triples of each of ``graphs``."""
    if not graphs:
        return {}
    values = " ".join(str(NamedNode(g)) for g in graphs)
    rows = _select(
        store,
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
        "GROUP BY ?g",
    )
    return {row["g"].value: int(row["n"].value) for row in rows}


def graph_entries(store: GraphStore, graph: str) -> list[Entry]:
    """What one named graph contributes to the index."""
    g = NamedNode(graph)
    return _documents(store, g) + _claims(store, g) + _entities(store, g)


def _documents(store: GraphStore, g: NamedNode) -> list[Entry]:
    rows = _select(
        store,
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?text) (SAMPLE(?s) AS ?stmt) WHERE {{
              GRAPH {g} {{
                ?d a {CG.Document} .
                OPTIONAL {{ ?d {DCT["title"]} ?t }}
                OPTIONAL {{ ?d {CG.text} ?x }}
                OPTIONAL {{ ?s {CG.sourceDocument} ?d }}
              }}
            }} GROUP BY ?d""",
    )
    entries = []
    for row in rows:
        iri = row["d"].value
        title = row["title"].value if row["title"] is not None else iri.rsplit("/", 1)[-1]
        text = row["text"].value if row["text"] is not None else ""
        target = row["stmt"].value if row["stmt"] is not None else iri
        entries.append(Entry(iri, "document", _clean(title), _clean(text), target))
    return entries


def _claims(store: GraphStore, g: NamedNode) -> list[Entry]:
    rows = _select(
        store,
        f"""SELECT ?c ?quote ?type ?title WHERE {{
              GRAPH {g} {{
                ?c {CG.claimType} ?type ; {CG.evidence} ?ev .
                ?ev {NIF.anchorOf} ?quote .
                OPTIONAL {{ ?c {CG.statedIn} ?s . ?s {DCT["title"]} ?title }}
              }}
            }}""",
    )
    entries: dict[str, Entry] = {}
    for row in rows:
        iri = row["c"].value
        type_words = row["type"].value.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        context = type_words + (f" \u2014 {row['title'].value}" if row["title"] else "")
        quote = _clean(row["quote"].value)
        if iri in entries:  # a claim with several quotes: one entry with all of them
            quote = entries[iri].title + " \u2026 " + quote
        entries[iri] = Entry(iri, "claim", quote, _clean(context), iri)
    return list(entries.values())


def _entities(store: GraphStore, g: NamedNode) -> list[Entry]:
    props = " ".join(str(p) for p in TITLE_PROPS + ALIAS_PROPS)
    excluded = " ".join(str(c) for c in NOT_ENTITIES)
    rows = _select(
        store,
        f"""SELECT ?e ?p ?l (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types) WHERE {{
              GRAPH {g} {{ VALUES ?p {{ {props} }} ?e ?p ?l }}
              FILTER(isIRI(?e))
              FILTER NOT EXISTS {{ VALUES ?x {{ {excluded} }} ?e {RDF.type} ?x }}
              OPTIONAL {{ ?e {RDF.type} ?type }}
            }} GROUP BY ?e ?p ?l""",
    )
    titles: dict[str, list[str]] = {}
    aliases: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    alias_props = {p.value for p in ALIAS_PROPS}
    for row in rows:
        iri = row["e"].value
        label = row["l"]
        if not isinstance(label, Literal):
            continue
        bucket = aliases if row["p"].value in alias_props else titles
        if label.value not in bucket.setdefault(iri, []):
            bucket[iri].append(label.value)
        types = row["types"].value.split() if row["types"] is not None else []
        kinds[iri] = next((KIND_OF_CLASS[t] for t in types if t in KIND_OF_CLASS), "resource")
    entries = []
    for iri in sorted(set(titles) | set(aliases)):
        title = " \u00b7 ".join(titles.get(iri, []))
        body = " \u00b7 ".join(aliases.get(iri, []))
        entries.append(Entry(iri, kinds[iri], _clean(title), _clean(body), iri))
    return entries
