"""The statement page's data: who said it, when, the document's text and its claims.

The text is ``cg:text`` of the statement's ``cg:sourceDocument`` (for a reported
statement, of the document that reports it). Each claim's evidence is checked against
the text (``text[begin:end] == anchorOf``); spans that do not match are not
highlighted but listed as problems, so a loader bug shows instead of misleading.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from pyoxigraph import NamedNode

from loaders.store import GraphStore
from ontology.vocab import CG, DCT
from server.web.claims import fetch_claims, group_by
from server.web.describe import selected_properties
from server.web.highlight import Span, highlight, valid
from server.web.terms import Linker, fetch_labels, select, term_view

# Properties of a statement shown in its header, in this order.
HEADER = [
    ("issuer", CG.issuer),
    ("author", CG.author),
    ("publisher", CG.publisher),
    ("date", DCT.date),
    ("reports", CG.reports),
]


def statement_view(
    store: GraphStore, iri: str, linker: Linker
) -> tuple[dict[str, Any], Markup | None]:
    """The page's data, and the highlighted text (HTML only; JSON carries the offsets)."""
    node = NamedNode(iri)
    header = selected_properties(store, node, HEADER, linker)
    document, text = _document(store, node)
    claims = fetch_claims(store, f"?claim {CG.statedIn} {node} .", linker)
    spans: list[Span] = []
    problems = []
    for number, claim in enumerate(claims, start=1):
        claim["number"] = number
        for ev in claim["evidence"]:
            span = _span(claim, ev, number)
            if span is None or text is None:
                continue
            if not valid(span, text) or (
                ev["quote"] is not None and text[span.begin : span.end] != ev["quote"]
            ):
                problems.append({"claim": claim["claim"], "evidence": ev})
                continue
            spans.append(span)
    data = {
        "statement": header,
        "document": (
            term_view(document, fetch_labels(store, [document]), linker) if document else None
        ),
        "text": text,
        "claims": claims,
        "claims_by_type": group_by(claims, "type"),
        "evidence_problems": problems,
    }
    return data, highlight(text, spans) if text is not None else None


def _span(claim: dict[str, Any], ev: dict[str, Any], number: int) -> Span | None:
    if ev["begin"] is None or ev["end"] is None:
        return None
    return Span(
        begin=ev["begin"],
        end=ev["end"],
        number=number,
        href=claim["claim"]["href"],
        css="ct-" + claim["type"]["slug"],
        title=claim["summary"],
    )


def _document(store: GraphStore, node: NamedNode) -> tuple[NamedNode | None, str | None]:
    rows = list(
        select(
            store,
            f"""SELECT ?doc ?text WHERE {{
                  {{ {node} {CG.sourceDocument} ?doc }}
                  UNION {{ ?outer {CG.reports} {node} ; {CG.sourceDocument} ?doc }}
                  OPTIONAL {{ ?doc {CG.text} ?text }}
                }} LIMIT 1""",
        )
    )
    if not rows:
        return None, None
    text = rows[0]["text"]
    return rows[0]["doc"], text.value if text is not None else None
