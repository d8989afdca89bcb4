"""Hand-written gold annotations (``tests/gold/*.yaml``) as typed records.

The format is documented in ``tests/gold/README.md``. This module only reads and
checks it: every problem is reported with the file and the place in it, so that an
annotator can fix a gold file without reading the evaluator. Scoring lives in
:mod:`loaders.scoring`, reading the store in :mod:`loaders.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CLAIM_TYPES = (
    "legal-characterization",
    "casualty-figure",
    "perpetrator-attribution",
    "instrument-violation",
    "call-to-action",
    "recognition",
    "addressee",
)
METADATA_FIELDS = ("title", "date", "author", "role", "issuer", "publisher", "reports")
ENTITY_KINDS = ("organizations", "instruments")
MAIN = "main"  # local id of the document's own statement

# Keys each claim type may carry besides the common ones.
_COMMON_CLAIM_KEYS = {"type", "statement", "evidence", "optional", "event"}
_CLAIM_KEYS = {
    "legal-characterization": {"category"},
    "casualty-figure": {"id", "count", "kind", "group", "qualifier", "parent"},
    "perpetrator-attribution": {"perpetrator"},
    "instrument-violation": {"instrument", "articles"},
    "call-to-action": {"called_upon", "action"},
    "recognition": {"by", "kind", "category"},
    "addressee": {"addressees"},
}
# Claim types whose identity includes the event they are about.
EVENT_TYPES = {
    "legal-characterization",
    "casualty-figure",
    "perpetrator-attribution",
    "instrument-violation",
    "recognition",
}


class GoldError(ValueError):
    """A gold file that does not follow the documented format."""

    def __init__(self, path: Path | str, where: str, problem: str) -> None:
        super().__init__(f"{path}: {where}: {problem}")


@dataclass(frozen=True)
class Agent:
    """An organization, person or instrument: a key (reference id or slug) and names."""

    id: str
    names: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class GoldStatement:
    key: str
    values: dict[str, Any]  # field -> str | Agent | tuple of accepted str forms | list of keys
    optional_fields: frozenset[str] = frozenset()
    evidence: str | None = None


@dataclass(frozen=True)
class GoldEvent:
    id: str
    names: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class GoldClaim:
    type: str
    statement: str
    event: str | None  # None: the text names no event (matches any)
    values: dict[str, Any]
    evidence: str
    optional: bool = False
    where: str = ""


@dataclass(frozen=True)
class GoldDocument:
    path: Path
    document: str  # file name of the annotated document
    statements: dict[str, GoldStatement]
    events: tuple[GoldEvent, ...]
    entities: dict[str, tuple[Agent, ...]]
    claims: tuple[GoldClaim, ...]
    quotes: tuple[tuple[str, str], ...] = field(default=())  # (where, evidence) pairs

    def agents(self) -> list[Agent]:
        """Every agent the annotation names, for aligning predicted nodes with them."""
        found: list[Agent] = [a for kind in ENTITY_KINDS for a in self.entities.get(kind, ())]
        for statement in self.statements.values():
            found.extend(v for v in statement.values.values() if isinstance(v, Agent))
        for claim in self.claims:
            for value in claim.values.values():
                if isinstance(value, Agent):
                    found.append(value)
                elif isinstance(value, tuple) and value and isinstance(value[0], Agent):
                    found.extend(value)
        return found


def _agent(raw: Any, path: Path, where: str) -> Agent:
    if isinstance(raw, str) and raw.strip():
        return Agent(id=raw.strip())
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        names = raw.get("names", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise GoldError(path, where, "names must be a list of strings")
        unknown = set(raw) - {"id", "names", "optional"}
        if unknown:
            raise GoldError(path, where, f"unknown keys {sorted(unknown)} in an agent")
        return Agent(id=raw["id"], names=tuple(names), optional=bool(raw.get("optional")))
    raise GoldError(path, where, f"an agent is a reference id or {{id, names}}, got {raw!r}")


def _agents(raw: Any, path: Path, where: str) -> tuple[Agent, ...]:
    if not isinstance(raw, list) or not raw:
        raise GoldError(path, where, "expected a non-empty list of agents")
    return tuple(_agent(item, path, f"{where}[{i}]") for i, item in enumerate(raw))


def _statement(key: str, raw: Any, path: Path) -> GoldStatement:
    where = f"statements.{key}"
    if not isinstance(raw, Mapping):
        raise GoldError(path, where, "expected a mapping")
    unknown = set(raw) - set(METADATA_FIELDS) - {"evidence"}
    if unknown:
        raise GoldError(path, where, f"unknown fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    optional: set[str] = set()
    for name in METADATA_FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if isinstance(value, Mapping) and "value" in value:  # {value: ..., optional: true}
            if value.get("optional"):
                optional.add(name)
            value = value["value"]
        elif isinstance(value, Mapping) and value.get("optional"):
            optional.add(name)
        if name in {"author", "issuer", "publisher"}:
            values[name] = _agent(value, path, f"{where}.{name}")
        elif name == "reports":
            if not isinstance(value, list):
                raise GoldError(path, f"{where}.reports", "expected a list of statement keys")
            values[name] = [str(v) for v in value]
        elif name in {"title", "role"}:
            forms = value if isinstance(value, list) else [value]
            if not forms or not all(isinstance(f, str) and f.strip() for f in forms):
                raise GoldError(path, f"{where}.{name}", "expected text or a list of texts")
            values[name] = tuple(forms)
        else:  # date: ISO date or year, written as a string
            if not isinstance(value, str):
                raise GoldError(path, f"{where}.date", f"write dates as quoted strings: {value!r}")
            values[name] = value
    return GoldStatement(key, values, frozenset(optional), raw.get("evidence"))


def _claim(index: int, raw: Any, path: Path, statements: set[str], events: set[str]) -> GoldClaim:
    where = f"claims[{index}]"
    if not isinstance(raw, Mapping):
        raise GoldError(path, where, "expected a mapping")
    kind = raw.get("type")
    if kind not in CLAIM_TYPES:
        raise GoldError(path, where, f"type must be one of {CLAIM_TYPES}, got {kind!r}")
    unknown = set(raw) - _COMMON_CLAIM_KEYS - _CLAIM_KEYS[kind]
    if unknown:
        raise GoldError(path, where, f"unknown keys {sorted(unknown)} for a {kind} claim")
    statement = raw.get("statement")
    if statement not in statements:
        raise GoldError(path, where, f"statement {statement!r} is not under statements:")
    event = raw.get("event")
    if kind in EVENT_TYPES and "event" not in raw:
        raise GoldError(path, where, "say which event (or event: null when the text names none)")
    if event is not None and event not in events:
        raise GoldError(path, where, f"event {event!r} is not under events:")
    evidence = raw.get("evidence")
    if not isinstance(evidence, str) or not evidence:
        raise GoldError(path, where, "every claim needs its evidence quote")
    values: dict[str, Any] = {}
    for key in _CLAIM_KEYS[kind]:
        if key not in raw:
            continue
        value = raw[key]
        if key in {"perpetrator", "instrument", "by"}:
            value = _agent(value, path, f"{where}.{key}")
        elif key in {"called_upon", "addressees"}:
            value = _agents(value, path, f"{where}.{key}")
        elif key == "articles":
            value = tuple(str(a) for a in value)
        elif key == "count" and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise GoldError(path, f"{where}.count", f"expected a whole number, got {value!r}")
        values[key] = value
    required = {
        "legal-characterization": ["category"],
        "casualty-figure": ["id", "count", "kind"],
        "perpetrator-attribution": ["perpetrator"],
        "instrument-violation": ["instrument"],
        "call-to-action": ["called_upon"],
        "recognition": ["by"],
        "addressee": ["addressees"],
    }[kind]
    missing = [key for key in required if key not in values]
    if missing:
        raise GoldError(path, where, f"a {kind} claim needs {missing}")
    return GoldClaim(
        kind, statement, event, values, evidence, bool(raw.get("optional")), where=where
    )


def _quotes(raw: Any, where: str = "") -> list[tuple[str, str]]:
    """Every ``evidence`` string in the file, with where it is (for the verbatim check)."""
    found: list[tuple[str, str]] = []
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "evidence" and isinstance(value, str):
                found.append((here, value))
            else:
                found.extend(_quotes(value, here))
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            found.extend(_quotes(value, f"{where}[{i}]"))
    return found


def load_gold(path: Path | str) -> GoldDocument:
    """Read and check one gold file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GoldError(path, "YAML", str(exc)) from exc
    if not isinstance(raw, Mapping) or not isinstance(raw.get("document"), str):
        raise GoldError(path, "top level", "expected a mapping with document: FILE NAME")
    unknown = set(raw) - {"document", "statements", "events", "entities", "claims"}
    if unknown:
        raise GoldError(path, "top level", f"unknown keys {sorted(unknown)}")
    raw_statements = raw.get("statements") or {}
    if MAIN not in raw_statements:
        raise GoldError(path, "statements", f"the document's own statement {MAIN!r} is missing")
    statements = {str(k): _statement(str(k), v, path) for k, v in raw_statements.items()}
    for statement in statements.values():
        for target in statement.values.get("reports", []):
            if target not in statements:
                raise GoldError(path, f"statements.{statement.key}", f"reports {target!r}?")
    events = []
    for i, item in enumerate(raw.get("events") or []):
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise GoldError(path, f"events[{i}]", "expected {id, names}")
        events.append(
            GoldEvent(item["id"], tuple(item.get("names") or ()), bool(item.get("optional")))
        )
    raw_entities = raw.get("entities") or {}
    entities = {
        kind: tuple(
            _agent(a, path, f"entities.{kind}[{i}]")
            for i, a in enumerate(raw_entities.get(kind) or [])
        )
        for kind in ENTITY_KINDS
    }
    event_ids = {e.id for e in events}
    claims = tuple(
        _claim(i, item, path, set(statements), event_ids)
        for i, item in enumerate(raw.get("claims") or [])
    )
    figures = {c.values["id"] for c in claims if c.type == "casualty-figure"}
    for claim in claims:
        parent = claim.values.get("parent")
        if parent is not None and parent not in figures:
            raise GoldError(path, claim.where, f"parent {parent!r} is not a figure's id")
    return GoldDocument(
        path=path,
        document=raw["document"],
        statements=statements,
        events=tuple(events),
        entities=entities,
        claims=claims,
        quotes=tuple(_quotes(raw)),
    )


def load_gold_dir(directory: Path | str) -> list[GoldDocument]:
    """Every ``*.yaml`` gold file of a folder, in file-name order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GoldError(directory, "folder", "not a folder of gold files")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise GoldError(directory, "folder", "holds no *.yaml gold files")
    return [load_gold(path) for path in files]
