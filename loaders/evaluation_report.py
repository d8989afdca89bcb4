"""An :class:`loaders.evaluate.Evaluation` as text or Markdown tables (for people) or JSON.

The text form is what ``claimgraph evaluate`` prints and what docs/evaluation.md quotes:
one table of claim types, one of entities, one of statement metadata, then the misses,
false hits and attribute disagreements, each with the document and the gold evidence.
"""

from __future__ import annotations

from typing import Any

from loaders.evaluate import CLAIM_SECTIONS, ENTITY_SECTIONS, Evaluation
from loaders.scoring import SectionResult, Unit, combined, prf


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


Row = tuple[str, dict[str, Any], dict[str, Any] | None]  # name, scores, strict scores


def _rows(evaluation: Evaluation, sections: list[str], strict: bool) -> list[Row]:
    """One row per section present, then their micro average."""
    results = [evaluation.sections[s] for s in sections if s in evaluation.sections]
    rows: list[Row] = [
        (r.section.split(":", 1)[-1], r.scores(), r.scores(strict=True) if strict else None)
        for r in results
    ]
    rows.append(
        ("all (micro)", combined(results), combined(results, strict=True) if strict else None)
    )
    return rows


def per_document(evaluation: Evaluation) -> list[Row]:
    """Claim scores (all claim types, micro) of each document."""
    rows: list[Row] = []
    claims = [evaluation.sections[s] for s in CLAIM_SECTIONS if s in evaluation.sections]
    for doc in evaluation.documents:
        tp = sum(1 for r in claims for p in r.required_pairs() if p.gold[0].document == doc)
        agree = sum(
            1 for r in claims for p in r.required_pairs() if p.gold[0].document == doc and p.agrees
        )
        fp = sum(1 for r in claims for u in r.false_hits if u.document == doc)
        fn = sum(1 for r in claims for u in r.misses if u.document == doc)
        rows.append((doc, prf(tp, fp, fn), prf(agree, fp + tp - agree, fn + tp - agree)))
    return rows


def _text_table(title: str, rows: list[Row]) -> list[str]:
    width = max(26, *(len(name) for name, _, _ in rows))
    header = [f"{'':<{width}}", "  tp", "  fp", "  fn", "    P", "    R", "   F1", "strict F1"]
    lines = [title, "  ".join(header)]
    for name, s, strict in rows:
        cells = [f"{name:<{width}}", f"{s['tp']:>4}", f"{s['fp']:>4}", f"{s['fn']:>4}"]
        cells += [_fmt(s["precision"]), _fmt(s["recall"]), _fmt(s["f1"])]
        cells.append(_fmt(strict["f1"]) if strict else "     ")
        lines.append("  ".join(cells))
    return lines


def metadata_sections(evaluation: Evaluation) -> list[str]:
    return [s for s in evaluation.sections if s.startswith("metadata:")]


def _describe(unit: Unit) -> str:
    key = " | ".join("*" if k is None else str(k) for k in unit.key)
    text = unit.note if len(unit.note) <= 160 else unit.note[:157] + "..."
    note = f'  "{text}"' if text else ""
    return f"{unit.document}  [{key}]{note}"


def _listing(evaluation: Evaluation) -> list[str]:
    lines: list[str] = []
    for section, result in evaluation.sections.items():
        entries = [f"  miss       {_describe(u)}" for u in result.misses]
        entries += [f"  false hit  {_describe(u)}" for u in result.false_hits]
        for pair in result.required_pairs():
            for name, (gold, predicted) in pair.disagreements.items():
                entries.append(
                    f"  attribute  {_describe(pair.gold[0])}  {name}: gold {gold!r},"
                    f" predicted {sorted(map(repr, predicted))}"
                )
        if entries:
            lines += ["", f"{section}:", *entries]
    return lines


def render_text(evaluation: Evaluation, *, details: bool = True) -> str:
    """The scores as aligned text tables, optionally followed by every miss and false hit."""
    lines = [f"documents: {len(evaluation.documents)}"]
    lines += [f"error: {e}" for e in evaluation.errors]
    lines += ["", *_text_table("claims", _rows(evaluation, list(CLAIM_SECTIONS), True))]
    lines += ["", *_text_table("claims per document", per_document(evaluation))]
    lines += ["", *_text_table("entities", _rows(evaluation, list(ENTITY_SECTIONS), False))]
    metadata = _rows(evaluation, metadata_sections(evaluation), False)
    lines += ["", *_text_table("statement metadata", metadata)]
    found, total = evaluation.alias_recall
    lines += ["", f"event names used in the texts found on the event: {found}/{total}"]
    attributes = _attribute_lines(evaluation)
    if attributes:
        lines += ["", "attribute agreement on matched claims", *attributes]
    if details:
        lines += _listing(evaluation)
    return "\n".join(lines) + "\n"


def _attribute_lines(evaluation: Evaluation) -> list[str]:
    lines = []
    for section in CLAIM_SECTIONS:
        result = evaluation.sections.get(section)
        if not result:
            continue
        for name, (agree, total) in sorted(result.attribute_totals.items()):
            lines.append(f"  {section} {name}: {agree}/{total}")
    return lines


def _md_table(rows: list[Row]) -> list[str]:
    strict = rows[0][2] is not None
    head = "| | tp | fp | fn | P | R | F1 |" + (" strict F1 |" if strict else "")
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for name, s, st in rows:
        cells = [name, s["tp"], s["fp"], s["fn"]]
        cells += [_fmt(s[k]).strip() for k in ("precision", "recall", "f1")]
        if st is not None:
            cells.append(_fmt(st["f1"]).strip())
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return lines


def render_markdown(evaluation: Evaluation, *, details: bool = True) -> str:
    """The same content as :func:`render_text`, as Markdown tables and lists (for docs/)."""
    lines = [f"Documents: {len(evaluation.documents)}", ""]
    lines += [f"- error: {e}" for e in evaluation.errors]
    lines += ["Claims:", "", *_md_table(_rows(evaluation, list(CLAIM_SECTIONS), True)), ""]
    lines += ["Claims per document:", "", *_md_table(per_document(evaluation)), ""]
    lines += ["Entities:", "", *_md_table(_rows(evaluation, list(ENTITY_SECTIONS), False)), ""]
    metadata = _rows(evaluation, metadata_sections(evaluation), False)
    lines += ["Statement metadata:", "", *_md_table(metadata)]
    found, total = evaluation.alias_recall
    lines += ["", f"Event names used in the texts found on the event node: {found}/{total}."]
    attributes = _attribute_lines(evaluation)
    if attributes:
        lines += ["", "Attribute agreement on matched claims:", ""]
        lines += [f"- {line.strip()}" for line in attributes]
    if details:
        listing = _listing(evaluation)
        lines += [
            "",
            "Misses, false hits and attribute disagreements:",
            "",
            "```",
            *listing[1:],
            "```",
        ]
    return "\n".join(lines) + "\n"


def _section_json(result: SectionResult) -> dict[str, Any]:
    return {
        **result.scores(),
        "strict": result.scores(strict=True),
        "attributes": {
            k: {"agree": a, "total": n} for k, (a, n) in result.attribute_totals.items()
        },
        "misses": [_unit_json(u) for u in result.misses],
        "false_hits": [_unit_json(u) for u in result.false_hits],
    }


def _unit_json(unit: Unit) -> dict[str, Any]:
    return {"document": unit.document, "key": list(unit.key), "note": unit.note}


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    """The full evaluation as JSON-ready data (scores, listings, summary rows)."""
    groups = {
        "claims": list(CLAIM_SECTIONS),
        "entities": list(ENTITY_SECTIONS),
        "metadata": metadata_sections(evaluation),
    }
    found, total = evaluation.alias_recall
    return {
        "documents": evaluation.documents,
        "errors": evaluation.errors,
        "sections": {s: _section_json(r) for s, r in evaluation.sections.items()},
        "summary": {
            name: {
                **combined([evaluation.sections[s] for s in secs if s in evaluation.sections]),
                "strict": combined(
                    [evaluation.sections[s] for s in secs if s in evaluation.sections], strict=True
                ),
            }
            for name, secs in groups.items()
        },
        "event_alias_recall": {"found": found, "total": total},
    }
