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


def event_view(store: GraphStore, iri: str, linker: Linker) -> tuple[dict[str, Any], Markup]:
    """The page's data and the casualty chart (SVG; JSON carries the comparisons)."""
    node = NamedNode(iri)
    claims = fetch_claims(store, f"?claim {CG.about} {node} .", linker)
    sources = _sources(store, {c["statement"]["iri"] for c in claims if c["statement"]}, linker)
    for claim in claims:
        stmt = claim["statement"]
        claim["source"] = sources.get(stmt["iri"]) if stmt else None
    comparisons = compare(figures(claims))
    data = {
        "event": selected_properties(store, node, FACTS, linker),
        "claims": claims,
        "claims_by_type": [
            {"head": group["head"], "sources": group_by(group["claims"], "statement")}
            for group in group_by(claims, "type")
        ],
        "sources": sorted(sources.values(), key=lambda s: (s.get("date") or "", s["label"])),
        "casualty_comparisons": [_comparison_json(c) for c in comparisons],
    }
    return data, casualty_chart(comparisons, title="Casualty figures by source")


def figures(claims: list[dict[str, Any]]) -> list[Figure]:
    """The casualty figures among claims, with a category from kind and victim group."""
    result = []
    for claim in claims:
        values = {local_name(v["predicate"]["iri"]): v["value"] for v in claim["values"]}
        if "count" not in values:
            continue
        try:
            count = int(values["count"]["value"])
        except (KeyError, ValueError):
            continue
        kind = values.get("casualtyKind", {}).get("label", "casualties")
        group = values.get("victimGroup", {}).get("label")
        qualifier = values.get("qualifier", {}).get("iri", "")
        source = claim.get("source") or {}
        result.append(
            Figure(
                category=f"{kind}, {group}" if group else kind,
                source=source.get("name") or source.get("label") or "unknown source",
                source_key=source.get("iri", ""),
                count=count,
                qualifier=local_name(qualifier) if qualifier else "",
                text=values.get("countText", {}).get("value", str(count)),
                href=claim["claim"]["href"],
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
