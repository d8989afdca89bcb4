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


CONTEXT_CHARS = 240


def claim_view(store: GraphStore, iri: str, linker: Linker) -> dict[str, Any]:
    """A claim with its source and each evidence quote in its place in the text."""
    node = NamedNode(iri)
    claims = fetch_claims(store, f"VALUES ?claim {{ {node} }}", linker)
    if not claims:
        return {"claim": None, "contexts": []}
    claim = claims[0]
    text = None
    if claim["statement"] is not None:
        _, text = _document(store, NamedNode(claim["statement"]["iri"]))
    contexts = []
    for ev in claim["evidence"]:
        begin, end = ev["begin"], ev["end"]
        if text is None or begin is None or end is None or not 0 <= begin < end <= len(text):
            continue
        start, stop = _word_bounds(text, begin - CONTEXT_CHARS, end + CONTEXT_CHARS)
        contexts.append(
            {
                "before": ("\u2026" if start else "") + text[start:begin],
                "quote": text[begin:end],
                "after": text[end:stop] + ("\u2026" if stop < len(text) else ""),
                "matches": ev["quote"] is None or text[begin:end] == ev["quote"],
            }
        )
    return {"claim": claim, "contexts": contexts}


def _word_bounds(text: str, start: int, stop: int) -> tuple[int, int]:
    """``start`` and ``stop`` clipped to the text and moved off the middle of a word."""
    start, stop = max(0, start), min(len(text), stop)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if stop < len(text):
        space = text.rfind(" ", stop - 40, stop)
        stop = space if space > 0 else stop
    return start, stop
