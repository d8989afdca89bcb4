"""Provenance of a document graph (PROV-O), and what makes two loads "the same".

Inside each document graph ``g`` (so it is replaced together with it)::

    g   a cg:DocumentGraph, prov:Entity ; prov:wasDerivedFrom doc ;
        prov:wasGeneratedBy act ; prov:generatedAtTime t ;
        cg:sha256 "hex of the file's bytes" ; cg:fileName "name" ; schema:url <given> .
    act a cg:LoadActivity, prov:Activity ; cg:loaderVersion "0.1.0+code.1a2b..." ;
        prov:endedAtTime t ; prov:used <ni:///sha-256;...> .

``prov:used`` names the given metadata (manifest entry or posted metadata) by its
RFC 6920 digest IRI: a document whose bytes are unchanged but whose manifest entry
changed is reloaded. The loader version includes a digest of the extraction code and
reference data, so improving the extractor reloads every document once.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.metadata
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad

from ontology import iris
from ontology.vocab import CG, PROV, RDF, SCHEMA, XSD

_REPO = Path(__file__).resolve().parents[1]
# What the extraction depends on: code of these packages and the curated data.
_VERSIONED_SOURCES = (
    ("loaders", "*.py"),
    ("ontology", "*.py"),
    ("data/reference", "**/*"),  # gazetteers
    ("data/patterns", "**/*"),  # SpanRuler/Matcher patterns kept as data
)


@functools.cache
def loader_version() -> str:
    """Package version plus a digest of the extraction code and reference data."""
    h = hashlib.sha256()
    for folder, pattern in _VERSIONED_SOURCES:
        for path in sorted((_REPO / folder).glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(_REPO).as_posix().encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    try:
        version = importlib.metadata.version("claimgraph")
    except importlib.metadata.PackageNotFoundError:
        version = "0"
    return f"{version}+code.{h.hexdigest()[:12]}"


def metadata_iri(metadata: Mapping[str, str]) -> NamedNode:
    """RFC 6920 ``ni:`` IRI naming the given metadata by its SHA-256 digest."""
    canonical = json.dumps(dict(metadata), sort_keys=True, ensure_ascii=False).encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=")
    return NamedNode("ni:///sha-256;" + digest.decode("ascii"))


@dataclass(frozen=True)
class Fingerprint:
    """What decides whether a stored document graph is up to date."""

    sha256: str
    loader_version: str
    metadata: str  # the ni: IRI of the given metadata


def provenance_quads(
    base_iri: str,
    doc_id: str,
    *,
    file_name: str,
    fingerprint: Fingerprint,
    url: str | None,
    loaded_at: datetime,
) -> list[Quad]:
    """The provenance of one document graph, as quads in that graph."""
    g = iris.document_graph(base_iri, doc_id)
    key = f"{doc_id}-{iris.digest(fingerprint.sha256, loaded_at.isoformat(), length=12)}"
    act = iris.entity(base_iri, "activity", key)
    when = Literal(loaded_at.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    triples = [
        (g, RDF.type, CG.DocumentGraph),
        (g, RDF.type, PROV.Entity),
        (g, PROV.wasDerivedFrom, iris.document(base_iri, doc_id)),
        (g, PROV.wasGeneratedBy, act),
        (g, PROV.generatedAtTime, when),
        (g, CG.sha256, Literal(fingerprint.sha256)),
        (g, CG.fileName, Literal(file_name)),
        (act, RDF.type, CG.LoadActivity),
        (act, RDF.type, PROV.Activity),
        (act, CG.loaderVersion, Literal(fingerprint.loader_version)),
        (act, PROV.endedAtTime, when),
        (act, PROV.used, NamedNode(fingerprint.metadata)),
    ]
    if url:
        triples.append((g, SCHEMA.url, Literal(url, datatype=XSD.anyURI)))
    return [Quad(s, p, o, g) for s, p, o in triples]


def now() -> datetime:
    return datetime.now(UTC)


STORED_FINGERPRINTS = f"""
PREFIX cg: <{CG}>
PREFIX prov: <{PROV}>
SELECT ?g ?sha ?version ?used WHERE {{
  GRAPH ?g {{
    ?g a cg:DocumentGraph ; cg:sha256 ?sha ; prov:wasGeneratedBy ?act .
    ?act cg:loaderVersion ?version .
    OPTIONAL {{ ?act prov:used ?used }}
  }}
}}
"""


def stored_fingerprints(store: object) -> dict[str, Fingerprint]:
    """Fingerprint of every document graph in the store, by graph IRI (one query)."""
    found: dict[str, Fingerprint] = {}
    for row in store.query(STORED_FINGERPRINTS):  # type: ignore[attr-defined]
        used = row["used"]
        found[row["g"].value] = Fingerprint(
            row["sha"].value, row["version"].value, used.value if used is not None else ""
        )
    return found


def quads_digest(quads: Iterable[Quad]) -> str:
    """Digest of a set of quads, independent of order and of blank node labels."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    lines = sorted(str(quad) for quad in dataset)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
