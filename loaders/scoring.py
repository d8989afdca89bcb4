"""Precision, recall and F1 of predicted units against gold units: pure functions.

A *unit* is one fact a careful reader would extract, reduced to a key of canonical
values (for a casualty figure: statement, event, count, casualty kind) plus attributes
that refine it (victim group, qualifier, parent figure). Units are compared as sets per
document and section: a fact stated three times is one fact.

- A gold unit and a predicted unit *match* when their keys are equal; a ``None`` in a
  gold key is a wildcard ("the text names no event").
- Matched required gold units are hits; unmatched ones misses; unmatched predicted
  units false hits. Optional gold units (borderline readings) are neither rewarded
  nor punished: matching one removes the predicted unit from the false hits.
- *Strict* scores also require every attribute the gold specifies to agree; a matched
  pair that disagrees counts as a miss and a false hit, as in strict NER scoring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Key = tuple[str | None, ...]


@dataclass(frozen=True)
class Unit:
    section: str  # "legal-characterization", "entity:event", "metadata:date", ...
    document: str
    key: Key
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    optional: bool = False
    note: str = field(default="", compare=False)  # evidence or label, for the listings


def normalize(text: str) -> str:
    """Comparison form of a name or title: NFKC, straight quotes, case-folded, no
    parenthesised asides ("(UNSG)"), no leading article, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(
        str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    )
    text = re.sub(r"\([^)]*\)", " ", text.casefold())
    text = " ".join(text.split()).strip(" .,;:\"'")
    return re.sub(r"^the\s+", "", text)


_STOP = frozenset(
    {"a", "an", "and", "the", "of", "to", "that", "this", "in", "on", "for", "as", "with"}
    | {"by", "be", "is", "are"}
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", normalize(text)) if w not in _STOP}


def similar_text(gold: str, predicted: str, threshold: float = 0.5) -> bool:
    """Two free texts (a call's action) agree when their content words overlap enough
    (Jaccard >= threshold): wording may differ at the edges, not in substance."""
    a, b = _content_words(gold), _content_words(predicted)
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def _same_set(gold: Any, predicted: Any) -> bool:
    return frozenset(gold or ()) == frozenset(predicted or ())


# Attribute name -> how a gold value and a predicted value are compared (default: ==).
COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "action": lambda g, p: isinstance(p, str) and similar_text(g, p),
    "articles": _same_set,
}


def attribute_agrees(name: str, gold: Any, predicted: Any) -> bool:
    compare = COMPARATORS.get(name)
    return compare(gold, predicted) if compare else gold == predicted


def _scored(unit: Unit) -> dict[str, Any]:
    """Attributes the gold specifies; None means "not annotated", so not scored."""
    return {k: v for k, v in unit.attrs.items() if v is not None}


@dataclass
class Pair:
    gold: list[Unit]
    predicted: list[Unit]
    disagreements: dict[str, tuple[Any, list[Any]]]  # attribute -> (gold, predicted values)

    @property
    def agrees(self) -> bool:
        return not self.disagreements


def _compare_groups(gold: list[Unit], predicted: list[Unit]) -> dict[str, tuple[Any, list[Any]]]:
    """Attributes on which no gold alternative agrees with any predicted alternative."""
    disagreements: dict[str, tuple[Any, list[Any]]] = {}
    names = {name for unit in gold for name in _scored(unit)}
    for name in sorted(names):
        golds = [_scored(u)[name] for u in gold if name in _scored(u)]
        preds = [u.attrs.get(name) for u in predicted]
        if not any(attribute_agrees(name, g, p) for g in golds for p in preds):
            disagreements[name] = (golds[0], preds)
    return disagreements


def _wildcard_match(pattern: Key, key: Key) -> bool:
    return len(pattern) == len(key) and all(
        p is None or p == k for p, k in zip(pattern, key, strict=True)
    )


@dataclass
class SectionResult:
    """Counts and listings of one section (a claim type, an entity kind, a field)."""

    section: str
    pairs: list[Pair] = field(default_factory=list)
    misses: list[Unit] = field(default_factory=list)
    false_hits: list[Unit] = field(default_factory=list)
    attribute_totals: dict[str, list[int]] = field(default_factory=dict)  # name -> [agree, n]

    @property
    def tp(self) -> int:
        return sum(1 for p in self.pairs if not all(u.optional for u in p.gold))

    @property
    def fn(self) -> int:
        return len(self.misses)

    @property
    def fp(self) -> int:
        return len(self.false_hits)

    @property
    def strict_tp(self) -> int:
        return sum(1 for p in self.required_pairs() if p.agrees)

    def required_pairs(self) -> list[Pair]:
        return [p for p in self.pairs if not all(u.optional for u in p.gold)]

    def scores(self, strict: bool = False) -> dict[str, float | None]:
        tp = self.strict_tp if strict else self.tp
        wrong = self.tp - self.strict_tp if strict else 0
        return prf(tp, self.fp + wrong, self.fn + wrong)


def prf(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    """Precision, recall, F1; None where the quantity is undefined (nothing to divide)."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def _group(units: Iterable[Unit]) -> dict[tuple[str, Key], list[Unit]]:
    groups: dict[tuple[str, Key], list[Unit]] = {}
    for unit in units:
        groups.setdefault((unit.document, unit.key), []).append(unit)
    return groups


def match_section(section: str, gold: Iterable[Unit], predicted: Iterable[Unit]) -> SectionResult:
    """Match the units of one section (all documents); see the module docstring."""
    result = SectionResult(section)
    gold_groups = _group(gold)
    pred_groups = _group(predicted)
    used: set[tuple[str, Key]] = set()
    exact = [k for k in gold_groups if None not in k[1]]
    wild = [k for k in gold_groups if None in k[1]]
    pairing: list[tuple[tuple[str, Key], tuple[str, Key] | None]] = []
    for gk in exact:
        found = gk if gk in pred_groups else None
        if found:
            used.add(found)
        pairing.append((gk, found))
    for gk in sorted(wild, key=lambda k: (k[0], [str(x) for x in k[1]])):
        candidates = sorted(
            (
                pk
                for pk in pred_groups
                if pk not in used and pk[0] == gk[0] and _wildcard_match(gk[1], pk[1])
            ),
            key=lambda k: [str(x) for x in k[1]],
        )
        found = candidates[0] if candidates else None
        if found:
            used.add(found)
        pairing.append((gk, found))
    for gk, pk in pairing:
        golds = gold_groups[gk]
        optional = all(u.optional for u in golds)
        if pk is None:
            if not optional:
                result.misses.append(golds[0])
            continue
        pair = Pair(golds, pred_groups[pk], _compare_groups(golds, pred_groups[pk]))
        result.pairs.append(pair)
        if optional:
            continue
        for name in {n for u in golds for n in _scored(u)}:
            totals = result.attribute_totals.setdefault(name, [0, 0])
            totals[0] += name not in pair.disagreements
            totals[1] += 1
    result.false_hits = [units[0] for pk, units in pred_groups.items() if pk not in used]
    return result


def match_all(gold: Iterable[Unit], predicted: Iterable[Unit]) -> dict[str, SectionResult]:
    """Match every section found in either list; sections in first-seen order."""
    gold, predicted = list(gold), list(predicted)
    sections = list(dict.fromkeys([u.section for u in gold] + [u.section for u in predicted]))
    return {
        s: match_section(
            s, [u for u in gold if u.section == s], [u for u in predicted if u.section == s]
        )
        for s in sections
    }


def combined(results: Iterable[SectionResult], strict: bool = False) -> dict[str, float | None]:
    """Micro-averaged scores over several sections."""
    tp = fp = fn = 0
    for r in results:
        s = r.scores(strict)
        tp, fp, fn = tp + int(s["tp"] or 0), fp + int(s["fp"] or 0), fn + int(s["fn"] or 0)
    return prf(tp, fp, fn)
