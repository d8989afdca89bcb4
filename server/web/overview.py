"""The home page and the timeline: what the dataset holds, counted and listed.

Lists are capped (``LIST_LIMIT``) and ordered by how much the graph says about each
item, so the home page stays fast on a large store; each list links to a query that
lists them all. Statements are listed when they make claims, events and instruments
when claims refer to them, organizations when anything does: reference data names many
more, which the counts include.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import NamedNode

from loaders.store import GraphStore
from ontology.vocab import CG, DCT, SCHEMA
from server.web.terms import Linker, fetch_labels, local_name, select, term_view

LIST_LIMIT = 25

KINDS = [
    ("documents", CG.Document),
    ("statements", CG.Statement),
    ("events", CG.Event),
    ("claims", CG.Claim),
    ("organizations", CG.Organization),
    ("instruments", CG.LegalInstrument),
    ("people", CG.Person),
    ("places", CG.Place),
]

# The query behind each home-page list: run on the query page to see all of them.
LIST_QUERIES = {
    "statements": """PREFIX cg: <{cg}>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?statement ?title ?date (COUNT(DISTINCT ?claim) AS ?claims) WHERE {{
  ?statement a cg:Statement .
  OPTIONAL {{ ?statement dct:title ?title }}
  OPTIONAL {{ ?statement dct:date ?date }}
  OPTIONAL {{ ?claim cg:statedIn ?statement }}
}} GROUP BY ?statement ?title ?date ORDER BY DESC(?claims) ?statement""",
    "events": """PREFIX cg: <{cg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label (COUNT(DISTINCT ?claim) AS ?claims) WHERE {{
  ?event a cg:Event .
  OPTIONAL {{ ?event rdfs:label ?label }}
  OPTIONAL {{ ?claim cg:about ?event }}
}} GROUP BY ?event ?label ORDER BY DESC(?claims) ?event""",
    "organizations": """PREFIX cg: <{cg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?organization ?label (COUNT(DISTINCT ?x) AS ?links) WHERE {{
  ?organization a cg:Organization .
  OPTIONAL {{ ?organization rdfs:label ?label }}
  OPTIONAL {{ ?x ?p ?organization }}
}} GROUP BY ?organization ?label ORDER BY DESC(?links) ?organization""",
    "instruments": """PREFIX cg: <{cg}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?instrument ?label ?acronym (COUNT(DISTINCT ?claim) AS ?violations) WHERE {{
  ?instrument a cg:LegalInstrument .
  OPTIONAL {{ ?instrument rdfs:label ?label }}
  OPTIONAL {{ ?instrument cg:acronym ?acronym }}
  OPTIONAL {{ ?claim cg:instrument ?instrument }}
}} GROUP BY ?instrument ?label ?acronym ORDER BY DESC(?violations) ?instrument""",
}


def list_query(name: str) -> str:
    return LIST_QUERIES[name].format(cg=str(CG))


def home_view(store: GraphStore, linker: Linker) -> dict[str, Any]:
    counts = _counts(store)
    claim_types = _claim_types(store, linker)
    # Each list counts from the links (claims to statements, to events, ...) and joins
    # the rest for its 25 winners only: ranking every statement joined to its date took
    # 1.3 s at a million triples, ranking the statedIn links 0.25 s.
    lists = {
        "statements": _ranked(store, f"?c {CG.statedIn} ?x", "?c", linker, date=DCT.date),
        "events": _ranked(store, f"?c {CG.about} ?x", "?c", linker, date=SCHEMA.startDate),
        "organizations": _ranked(store, f"?x a {CG.Organization} . ?s ?p ?x", "?s", linker),
        "instruments": _ranked(store, f"?c {CG.instrument} ?x", "?c", linker),
    }
    return {
        "counts": counts,
        "claim_types": claim_types,
        "lists": lists,
        "list_limit": LIST_LIMIT,
    }


def timeline_view(store: GraphStore, linker: Linker, *, every: bool = False) -> dict[str, Any]:
    """Events in date order (undated ones apart) with how much is said about each:
    those some claim is about, or with ``every`` all known events (reference data
    names many that no loaded statement speaks of)."""
    rows = select(
        store,
        f"""SELECT ?e (SAMPLE(?s0) AS ?start) (SAMPLE(?e0) AS ?end)
                   (COUNT(DISTINCT ?stmt) AS ?statements) (COUNT(DISTINCT ?c) AS ?claims)
                   (MIN(?d) AS ?first) (MAX(?d) AS ?last)
            WHERE {{
              ?e a {CG.Event} .
              OPTIONAL {{ ?e {SCHEMA.startDate} ?s0 }}
              OPTIONAL {{ ?e {SCHEMA.endDate} ?e0 }}
              OPTIONAL {{ ?c {CG.about} ?e ; {CG.statedIn} ?stmt .
                         OPTIONAL {{ ?stmt {DCT.date} ?d }} }}
            }} GROUP BY ?e""",
    )
    rows = list(rows)
    hidden = 0 if every else sum(1 for r in rows if int(r["claims"].value) == 0)
    if not every:
        rows = [r for r in rows if int(r["claims"].value) > 0]
    labels = fetch_labels(store, {r["e"].value for r in rows})
    dated, undated = [], []
    for row in rows:
        entry = term_view(row["e"], labels, linker)
        entry.update(
            start=_value(row["start"]),
            end=_value(row["end"]),
            statements=int(row["statements"].value),
            claims=int(row["claims"].value),
            first_statement=_value(row["first"]),
            last_statement=_value(row["last"]),
        )
        (dated if entry["start"] else undated).append(entry)
    dated.sort(key=lambda e: (e["start"], e["label"]))
    undated.sort(key=lambda e: e["label"])
    most = max([e["claims"] for e in dated + undated] or [0])
    years: dict[str, list[dict[str, Any]]] = {}
    for entry in dated:
        years.setdefault(entry["start"][:4], []).append(entry)
    return {
        "years": [{"year": y, "events": evs} for y, evs in years.items()],
        "undated": undated,
        "most_claims": most,
        "every": every,
        "hidden": hidden,
    }


def _counts(store: GraphStore) -> dict[str, int]:
    values = " ".join(str(cls) for _, cls in KINDS)
    rows = select(
        store,
        f"""SELECT ?cls (COUNT(DISTINCT ?x) AS ?n) WHERE {{
              VALUES ?cls {{ {values} }} ?x a ?cls
            }} GROUP BY ?cls""",
    )
    by_class = {row["cls"].value: int(row["n"].value) for row in rows}
    return {name: by_class.get(cls.value, 0) for name, cls in KINDS}


def _claim_types(store: GraphStore, linker: Linker) -> list[dict[str, Any]]:
    rows = list(
        select(
            store,
            f"""SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c {CG.claimType} ?t }}
                GROUP BY ?t ORDER BY DESC(?n) ?t""",
        )
    )
    labels = fetch_labels(store, {r["t"].value for r in rows})
    types = []
    for row in rows:
        entry = term_view(row["t"], labels, linker)
        entry["slug"] = local_name(row["t"].value)
        entry["count"] = int(row["n"].value)
        types.append(entry)
    return types


def _ranked(
    store: GraphStore, pattern: str, counted: str, linker: Linker, *, date: NamedNode | None = None
) -> list[dict[str, Any]]:
    """The ``LIST_LIMIT`` values of ?x with the most distinct ``counted`` in ``pattern``."""
    rows = list(
        select(
            store,
            f"""SELECT ?x (COUNT(DISTINCT {counted}) AS ?n) WHERE {{ {pattern} }}
                GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT {LIST_LIMIT}""",
        )
    )
    rows = [r for r in rows if isinstance(r["x"], NamedNode)]
    labels = fetch_labels(store, [r["x"] for r in rows])
    dates = _dates(store, [r["x"] for r in rows], date) if date is not None else {}
    items = []
    for row in rows:
        entry = term_view(row["x"], labels, linker)
        entry["count"] = int(row["n"].value)
        if row["x"].value in dates:
            entry["date"] = dates[row["x"].value]
        items.append(entry)
    return items


def _dates(store: GraphStore, nodes: list[NamedNode], prop: NamedNode) -> dict[str, str]:
    if not nodes:
        return {}
    values = " ".join(str(n) for n in nodes)
    rows = select(store, f"SELECT ?x ?d WHERE {{ VALUES ?x {{ {values} }} ?x {prop} ?d }}")
    return {row["x"].value: row["d"].value for row in rows}


def _value(term: Any) -> str | None:
    return term.value if term is not None else None
