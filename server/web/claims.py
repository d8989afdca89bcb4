"""Claims with their type, source, evidence and values, as the statement and event pages
list them.

:func:`fetch_claims` takes a SPARQL pattern that binds ``?claim`` (the claims a
statement states, the claims about an event) and returns plain dicts, sorted by
source and by position in the text, in two queries whatever the number of claims.
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from loaders.store import GraphStore
from ontology.vocab import CG, NIF, RDF
from server.web.terms import Linker, fetch_labels, local_name, select, term_view

# Properties every claim has, shown by the page's layout rather than as values.
STRUCTURAL = [RDF.type, CG.claimType, CG.statedIn, CG.evidence, CG.about]
BATCH = 400  # claims per VALUES block


def fetch_claims(
    store: GraphStore, where: str, linker: Linker, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every claim matched by ``where`` (a pattern binding ``?claim``), or the first
    ``limit`` of them in IRI order (which groups them by document).

    The claims are found first, then described with ``VALUES ?claim``: pyoxigraph joins
    from the given claims (index lookups) rather than from the patterns that describe
    them, which it would otherwise scan whole.
    """
    found = select(
        store,
        f"""SELECT DISTINCT ?claim WHERE {{ {where} ?claim {CG.claimType} ?any }}
            ORDER BY ?claim {f"LIMIT {int(limit)}" if limit is not None else ""}""",
    )
    iris = [row["claim"] for row in found]
    rows: list[Any] = []
    values: dict[str, list[tuple[Any, Any]]] = {}
    for start in range(0, len(iris), BATCH):
        batch = " ".join(str(c) for c in iris[start : start + BATCH])
        rows += select(
            store,
            f"""SELECT ?claim ?type ?stmt ?about ?ev ?b ?e ?quote WHERE {{
                  VALUES ?claim {{ {batch} }}
                  ?claim {CG.claimType} ?type .
                  OPTIONAL {{ ?claim {CG.statedIn} ?stmt }}
                  OPTIONAL {{ ?claim {CG.about} ?about }}
                  OPTIONAL {{
                    ?claim {CG.evidence} ?ev .
                    OPTIONAL {{ ?ev {NIF.beginIndex} ?b }}
                    OPTIONAL {{ ?ev {NIF.endIndex} ?e }}
                    OPTIONAL {{ ?ev {NIF.anchorOf} ?quote }}
                  }}
                }}""",
        )
        values.update(_values(store, batch))
    claims: dict[str, dict[str, Any]] = {}
    terms: set[str] = set()
    for row in rows:
        iri = row["claim"].value
        entry = claims.setdefault(
            iri, {"_type": row["type"], "_stmt": row["stmt"], "_about": set(), "_ev": {}}
        )
        if row["about"] is not None:
            entry["_about"].add(row["about"])
        if row["ev"] is not None:
            entry["_ev"][row["ev"].value] = (_int(row["b"]), _int(row["e"]), row["quote"])
        terms.update(
            t.value
            for t in (row["claim"], row["type"], row["stmt"], row["about"])
            if isinstance(t, NamedNode)
        )
    for pairs in values.values():
        terms.update(t.value for pair in pairs for t in pair if isinstance(t, NamedNode))
    labels = fetch_labels(store, terms)

    def view(term: Any) -> dict[str, Any]:
        return term_view(term, labels, linker)

    result = []
    for iri, entry in claims.items():
        type_view = view(entry["_type"])
        type_view["slug"] = local_name(entry["_type"].value)
        evidence = sorted(
            (
                {"iri": ev, "begin": b, "end": e, "quote": q.value if q is not None else None}
                for ev, (b, e, q) in entry["_ev"].items()
            ),
            key=lambda ev: (ev["begin"] is None, ev["begin"] or 0),
        )
        value_views = [{"predicate": view(p), "value": view(o)} for p, o in values.get(iri, [])]
        result.append(
            {
                "claim": view(NamedNode(iri)),
                "type": type_view,
                "statement": view(entry["_stmt"]) if entry["_stmt"] is not None else None,
                "about": [view(a) for a in sorted(entry["_about"], key=lambda a: a.value)],
                "evidence": evidence,
                "values": value_views,
                "summary": summary(type_view, value_views),
            }
        )
    result.sort(key=_order)
    return result


def summary(type_view: dict[str, Any], values: list[dict[str, Any]]) -> str:
    """The claim in a few words: its type and its values' labels."""
    parts = [v["value"].get("label") or v["value"].get("value", "") for v in values]
    text = ", ".join(p for p in parts if p)
    return f"{type_view['label']}: {text}" if text else type_view["label"]


def group_by(claims: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Claims grouped by ``type`` or ``statement``, groups in order of first appearance."""
    groups: dict[str, dict[str, Any]] = {}
    for claim in claims:
        head = claim[key] or {"iri": "", "label": "unknown"}
        group = groups.setdefault(head["iri"], {"head": head, "claims": []})
        group["claims"].append(claim)
    return list(groups.values())


def _values(store: GraphStore, batch: str) -> dict[str, list[tuple[Any, Any]]]:
    """The value properties of the claims in ``batch`` (IRIs in SPARQL syntax)."""
    excluded = ", ".join(str(p) for p in STRUCTURAL)
    rows = select(
        store,
        f"""SELECT DISTINCT ?claim ?p ?o WHERE {{
              VALUES ?claim {{ {batch} }}
              ?claim ?p ?o .
              FILTER(?p NOT IN ({excluded}))
            }} ORDER BY ?claim ?p ?o""",
    )
    values: dict[str, list[tuple[Any, Any]]] = {}
    for row in rows:
        values.setdefault(row["claim"].value, []).append((row["p"], row["o"]))
    return values


def _int(term: Any) -> int | None:
    if isinstance(term, Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def _order(claim: dict[str, Any]) -> tuple[str, int, str]:
    stmt = claim["statement"]["iri"] if claim["statement"] else ""
    begins = [ev["begin"] for ev in claim["evidence"] if ev["begin"] is not None]
    return (stmt, min(begins) if begins else 1 << 62, claim["claim"]["iri"])
