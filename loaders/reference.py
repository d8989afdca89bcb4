"""Curated reference data (``data/reference/*.yaml``): gazetteers and the reference graph.

Entity files (organizations, instruments, events, places, people) hold entries with a
key, a label, acronyms, aliases and Wikidata/DBpedia ids; term files (legal categories,
casualty kinds, victim groups) map surface forms to concept slugs. The format is in
docs/design.md. One :class:`Reference` object answers "which entry is this name?";
:func:`reference_quads` turns the same data into the ``graph/reference`` named graph.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode, Quad

from ontology import iris
from ontology.vocab import CG, DBR, OWL, RDF, RDFS, SCHEMA, SKOS, WD, XSD

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1] / "data" / "reference"

# file stem -> (IRI kind, ontology class name)
ENTITY_FILES: dict[str, tuple[str, str]] = {
    "organizations": ("organization", "Organization"),
    "instruments": ("instrument", "LegalInstrument"),
    "events": ("event", "Event"),
    "places": ("place", "Place"),
    "people": ("person", "Person"),
}
TERM_FILES = ("legal_categories", "casualty_kinds", "victim_groups")
_KEY_RE = re.compile(r"^[a-z0-9-]+$")
_QID_RE = re.compile(r"^Q[1-9]\d*$")


class ReferenceError(ValueError):
    """Reference data that does not follow the documented format (file and entry named)."""


@dataclass(frozen=True)
class Entry:
    """One curated entity: the key is the last segment of its IRI."""

    kind: str
    key: str
    label: str
    acronyms: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    dbpedia: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        """Full names (label and aliases), matched case-insensitively."""
        return (self.label, *self.aliases)


_STOP = {"the", "of", "on", "for", "and", "in", "to", "its", "a", "an"}


def normalise_name(text: str) -> str:
    """A key that equal names share despite case, articles, punctuation and spelling:
    "UN Office of the High Commissioner" == "United Nations Office of High Commissioner";
    "Co-operation" == "Cooperation"; "Economic, Social, and Cultural" == "Economic, Social
    and Cultural"."""
    text = re.sub(r"['\u2019]s\b", "", text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"\bunited nations\b", "un", text)
    text = re.sub(r"(?<=\w)-(?=\w)", "", text)
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _STOP]
    return " ".join(words)


@dataclass
class Reference:
    """All reference entries and term lists, indexed for lookup by name."""

    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    terms: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> form -> slug
    _by_name: dict[str, list[Entry]] = field(default_factory=dict, repr=False)
    _by_acronym: dict[str, list[Entry]] = field(default_factory=dict, repr=False)

    def add(self, entry: Entry) -> None:
        self.entries[(entry.kind, entry.key)] = entry
        for name in entry.names:
            self._by_name.setdefault(normalise_name(name), []).append(entry)
        for acronym in entry.acronyms:
            self._by_acronym.setdefault(acronym, []).append(entry)

    def get(self, kind: str, key: str) -> Entry | None:
        return self.entries.get((kind, key))

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for (k, _), e in self.entries.items() if k == kind]

    def lookup(self, name: str, kinds: tuple[str, ...] | None = None) -> Entry | None:
        """The entry whose label, alias or acronym this name is (first of ``kinds``)."""
        candidates = self._by_acronym.get(name.strip(), []) + self._by_name.get(
            normalise_name(name), []
        )
        for candidate in candidates:
            if kinds is None or candidate.kind in kinds:
                return candidate
        return None

    def term(self, scheme: str, form: str) -> str | None:
        """Concept slug of a surface form in a term list ("crimes against humanity")."""
        return self.terms.get(scheme, {}).get(" ".join(form.lower().split()))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ReferenceError(f"{where}: expected a string or a list of strings, got {value!r}")


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ReferenceError(f"{path}: not valid YAML: {error}") from error
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ReferenceError(f"{path}: expected a list of mappings")
    return data


def _entry(kind: str, item: dict[str, Any], where: str) -> Entry:
    key, label = item.get("id"), item.get("label")
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ReferenceError(f"{where}: 'id' must match [a-z0-9-]+, got {key!r}")
    if not isinstance(label, str) or not label.strip():
        raise ReferenceError(f"{where} ({key}): 'label' is required")
    wikidata = item.get("wikidata")
    if wikidata is not None and not (isinstance(wikidata, str) and _QID_RE.match(wikidata)):
        raise ReferenceError(f"{where} ({key}): 'wikidata' must look like Q123, got {wikidata!r}")
    known = {"id", "label", "acronyms", "aliases", "wikidata", "dbpedia"}
    return Entry(
        kind=kind,
        key=key,
        label=label.strip(),
        acronyms=_strings(item.get("acronyms"), f"{where} ({key}) acronyms"),
        aliases=_strings(item.get("aliases"), f"{where} ({key}) aliases"),
        wikidata=wikidata,
        dbpedia=item.get("dbpedia"),
        extra={k: v for k, v in item.items() if k not in known},
    )


@functools.lru_cache(maxsize=4)
def load_reference(directory: Path | str | None = None) -> Reference:
    """Read every reference file in ``directory`` (default ``data/reference``).

    Missing files are simply absent kinds, so a test can ship a small directory.
    Cached per directory: the data is read once per process.
    """
    root = Path(directory) if directory is not None else DEFAULT_DIRECTORY
    if not root.is_dir():
        raise ReferenceError(f"{root}: reference directory not found")
    reference = Reference()
    for stem, (kind, _) in ENTITY_FILES.items():
        path = root / f"{stem}.yaml"
        if path.exists():
            for index, item in enumerate(_read_yaml(path)):
                reference.add(_entry(kind, item, f"{path} entry {index + 1}"))
    for stem in TERM_FILES:
        path = root / f"{stem}.yaml"
        forms: dict[str, str] = {}
        if path.exists():
            for index, item in enumerate(_read_yaml(path)):
                slug = item.get("slug")
                if not isinstance(slug, str) or not _KEY_RE.match(slug):
                    raise ReferenceError(f"{path} entry {index + 1}: 'slug' is required")
                for form in _strings(item.get("forms"), f"{path} entry {index + 1} forms"):
                    forms[" ".join(form.lower().split())] = slug
        reference.terms[stem] = forms
    return reference


def entity_iri(base_iri: str, entry: Entry) -> NamedNode:
    return iris.entity(base_iri, entry.kind, entry.key)


def _date_literal(value: Any) -> Literal | None:
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return Literal(text, datatype=XSD.date)
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    return None


def entry_quads(base_iri: str, entry: Entry, graph: NamedNode) -> list[Quad]:
    """Reference facts about one entry: type, labels, acronyms, Wikidata/DBpedia links."""
    _, class_name = next(v for v in ENTITY_FILES.values() if v[0] == entry.kind)
    node = entity_iri(base_iri, entry)
    quads = [
        Quad(node, RDF.type, CG[class_name], graph),
        Quad(node, RDFS.label, Literal(entry.label, language="en"), graph),
        Quad(node, SKOS.prefLabel, Literal(entry.label, language="en"), graph),
    ]
    quads += [Quad(node, SKOS.altLabel, Literal(a, language="en"), graph) for a in entry.aliases]
    quads += [Quad(node, CG.acronym, Literal(a), graph) for a in entry.acronyms]
    if entry.wikidata:
        quads.append(Quad(node, OWL.sameAs, WD[entry.wikidata], graph))
    if entry.dbpedia:
        quads.append(Quad(node, OWL.sameAs, DBR[str(entry.dbpedia).replace(" ", "_")], graph))
    if entry.kind == "event":
        for key, prop in (("start", SCHEMA.startDate), ("end", SCHEMA.endDate)):
            literal = _date_literal(entry.extra.get(key)) if key in entry.extra else None
            if literal is not None:
                quads.append(Quad(node, prop, literal, graph))
        place = entry.extra.get("place")
        if isinstance(place, str) and _KEY_RE.match(place):
            quads.append(Quad(node, CG.place, iris.entity(base_iri, "place", place), graph))
    return quads


def reference_quads(base_iri: str, directory: Path | str | None = None) -> list[Quad]:
    """The ``graph/reference`` named graph: every curated entity with its labels and ids."""
    reference = load_reference(directory)
    graph = iris.reference_graph(base_iri)
    quads: list[Quad] = []
    for entry in reference.entries.values():
        quads.extend(entry_quads(base_iri, entry, graph))
    return quads
