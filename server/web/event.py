"""The event page's data: the event's facts and every claim about it, by type and by
source, with the sources' casualty figures compared (see :mod:`server.charts`).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from pyoxigraph import NamedNode

from loaders.store import GraphStore
from ontology.vocab import CG, DCT, OWL, RDFS, SCHEMA, SKOS
from server.charts import Comparison, Figure, casualty_chart, compare
from server.web.claims import fetch_claims, group_by
from server.web.describe import selected_properties
from server.web.terms import Linker, fetch_labels, local_name, select, term_view

FACTS = [
    ("label", RDFS.label),
    ("aliases", SKOS.altLabel),
    ("start", SCHEMA.startDate),
    ("end", SCHEMA.endDate),
    ("place", CG.place),
    ("same_as", OWL.sameAs),
]


# Claims and sources listed on the page; the counts and the chart cover all of them.
CLAIM_LIMIT = 300
SOURCE_LIMIT = 50

ALL_CLAIMS_QUERY = """PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
SELECT ?claim ?type ?statement ?quote WHERE {{
  ?claim cg:about <{event}> ; cg:claimType ?type ; cg:statedIn ?statement .
  OPTIONAL {{ ?claim cg:evidence/nif:anchorOf ?quote }}
}} ORDER BY ?type ?statement ?claim"""


def event_view(store: GraphStore, iri: str, linker: Linker) -> tuple[dict[str, Any], Markup]:
    """The page's data and the casualty chart (SVG; JSON carries the comparisons)."""
    node = NamedNode(iri)
    claims = fetch_claims(store, f"?claim {CG.about} {node} .", linker, limit=CLAIM_LIMIT)
    per_source, total = _claim_counts(store, node)
    sources = _sources(store, set(per_source), linker)
    for key, source in sources.items():
        source["claims"] = per_source.get(key, 0)
    for claim in claims:
        stmt = claim["statement"]
        claim["source"] = sources.get(stmt["iri"]) if stmt else None
    comparisons = compare(casualty_figures(store, node, sources, linker))
    data = {
        "event": selected_properties(store, node, FACTS, linker),
        "claim_count": total,
        "claims": claims,
        "claims_by_type": [
            {"head": group["head"], "sources": group_by(group["claims"], "statement")}
            for group in group_by(claims, "type")
        ],
        "all_claims_query": ALL_CLAIMS_QUERY.format(event=iri),
        "source_count": len(sources),
        "sources": sorted(
            sources.values(), key=lambda s: (-s["claims"], s.get("date") or "", s["label"])
        )[:SOURCE_LIMIT],
        "casualty_comparisons": [_comparison_json(c) for c in comparisons],
    }
    return data, casualty_chart(comparisons, title="Casualty figures by source")


def _claim_counts(store: GraphStore, node: NamedNode) -> tuple[dict[str, int], int]:
    """Claims about the event per statement, and in all."""
    rows = select(
        store,
        f"""SELECT ?s (COUNT(DISTINCT ?c) AS ?n) WHERE {{
              ?c {CG.about} {node} ; {CG.claimType} ?t . OPTIONAL {{ ?c {CG.statedIn} ?s }}
            }} GROUP BY ?s""",
    )
    per_source: dict[str, int] = {}
    total = 0
    for row in rows:
        n = int(row["n"].value)
        total += n
        if row["s"] is not None:
            per_source[row["s"].value] = n
    return per_source, total


def casualty_figures(
    store: GraphStore, node: NamedNode, sources: dict[str, dict[str, Any]], linker: Linker
) -> list[Figure]:
    """Every casualty figure about the event, with a category from kind and victim group."""
    rows = list(
        select(
            store,
            f"""SELECT ?c ?s ?n ?text ?q ?kind ?group WHERE {{
                  ?c {CG.about} {node} ; {CG["count"]} ?n .
                  OPTIONAL {{ ?c {CG.statedIn} ?s }}
                  OPTIONAL {{ ?c {CG.countText} ?text }}
                  OPTIONAL {{ ?c {CG.qualifier} ?q }}
                  OPTIONAL {{ ?c {CG.casualtyKind} ?kind }}
                  OPTIONAL {{ ?c {CG.victimGroup} ?group }}
                }} ORDER BY ?s ?c""",
        )
    )
    labels = fetch_labels(store, [r["kind"] for r in rows] + [r["group"] for r in rows])
    result = []
    seen: set[str] = set()
    for row in rows:
        try:
            count = int(row["n"].value)
        except ValueError:
            continue
        if row["c"].value in seen:  # a claim with two kinds or groups: its first
            continue
        seen.add(row["c"].value)
        kind = labels.get(row["kind"].value, "casualties") if row["kind"] else "casualties"
        group = labels.get(row["group"].value) if row["group"] else None
        source = sources.get(row["s"].value, {}) if row["s"] else {}
        result.append(
            Figure(
                category=f"{kind}, {group}" if group else kind,
                source=source.get("name") or source.get("label") or "unknown source",
                source_key=source.get("iri", ""),
                count=count,
                qualifier=local_name(row["q"].value) if row["q"] else "",
                text=row["text"].value if row["text"] else str(count),
                href=linker.href(row["c"].value),
            )
        )
    return result


def _comparison_json(c: Comparison) -> dict[str, Any]:
    return {
        "category": c.category,
        "status": c.status,
        "status_text": c.status_text,
        "low": c.low,
        "high": c.high,
        "figures": [
            {
                "source": f.source,
                "statement": f.source_key,
                "count": f.count,
                "qualifier": f.qualifier or None,
                "text": f.text,
                "claim": f.href,
            }
            for f in c.figures
        ],
    }


def _sources(store: GraphStore, statements: set[str], linker: Linker) -> dict[str, dict[str, Any]]:
    """Each statement with its date and the name of whoever issued or wrote it."""
    if not statements:
        return {}
    values = " ".join(str(NamedNode(s)) for s in sorted(statements))
    rows = select(
        store,
        f"""SELECT ?s ?date ?who WHERE {{
              VALUES ?s {{ {values} }}
              OPTIONAL {{ ?s {DCT.date} ?date }}
              OPTIONAL {{ ?s {CG.issuer}|{CG.author}|{CG.publisher} ?who }}
            }}""",
    )
    found: dict[str, dict[str, Any]] = {}
    who: dict[str, list[str]] = {}
    for row in rows:
        entry = found.setdefault(row["s"].value, {"date": None})
        if row["date"] is not None:
            entry["date"] = row["date"].value
        if row["who"] is not None:
            who.setdefault(row["s"].value, []).append(row["who"].value)
    labels = fetch_labels(store, set(found) | {w for ws in who.values() for w in ws})
    result = {}
    for iri, entry in found.items():
        view = term_view(NamedNode(iri), labels, linker)
        names = [labels[w] for w in sorted(who.get(iri, [])) if w in labels]
        view["date"] = entry["date"]
        view["name"] = names[0] if names else None
        result[iri] = view
    return result
