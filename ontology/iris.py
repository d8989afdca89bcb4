"""Deterministic IRIs for everything claimgraph mints.

An IRI depends only on the base IRI and on content or stable source ids (a
document id, a reference-data key, a normalised name), never on load order,
time or machine, so loading the same input twice anywhere mints the same IRIs.

Layout under the base IRI ``B``:

- ``B id/{kind}/{key}`` for things: document, statement, claim, event,
  organization, person, place, instrument, evidence;
- ``B graph/{key}`` for named graphs (``graph/document/{doc}``,
  ``graph/reference``, ``graph/ontology``, ``graph/import/{name}``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pyoxigraph import NamedNode

KINDS = frozenset(
    {
        "document",
        "statement",
        "claim",
        "evidence",
        "event",
        "organization",
        "person",
        "place",
        "instrument",
        "activity",
    }
)

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII words joined by hyphens; stable across platforms and locales."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    slug = _NON_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    if not slug:
        # Text with no ASCII letters (another script) still gets a stable key.
        slug = "x" + digest(text, 12)
    return slug


def digest(*parts: object, length: int = 16) -> str:
    """A short hex digest of the parts, separated so that ("ab","c") != ("a","bc")."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def _base(base_iri: str) -> str:
    return base_iri if base_iri.endswith(("/", "#")) else base_iri + "/"


def entity(base_iri: str, kind: str, key: str) -> NamedNode:
    """IRI of a thing of the given kind; ``key`` must already be a slug or digest."""
    if kind not in KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; expected one of {sorted(KINDS)}")
    return NamedNode(f"{_base(base_iri)}id/{kind}/{key}")


def graph(base_iri: str, *segments: str) -> NamedNode:
    """IRI of a named graph, e.g. ``graph(base, "document", doc_id)``."""
    return NamedNode(_base(base_iri) + "graph/" + "/".join(segments))


def document(base_iri: str, doc_id: str) -> NamedNode:
    return entity(base_iri, "document", doc_id)


def document_graph(base_iri: str, doc_id: str) -> NamedNode:
    return graph(base_iri, "document", doc_id)


def reference_graph(base_iri: str) -> NamedNode:
    return graph(base_iri, "reference")


def ontology_graph(base_iri: str) -> NamedNode:
    return graph(base_iri, "ontology")


def statement(base_iri: str, doc_id: str, index: int = 0) -> NamedNode:
    """The document's own statement is index 0; statements it reports are 1, 2, ..."""
    key = doc_id if index == 0 else f"{doc_id}-reported-{index}"
    return entity(base_iri, "statement", key)


def claim(base_iri: str, doc_id: str, *identity: object) -> NamedNode:
    """A claim keyed by its document and what makes it that claim (type, offsets, value)."""
    return entity(base_iri, "claim", f"{doc_id}-{digest(*identity, length=12)}")


def evidence(base_iri: str, doc_id: str, begin: int, end: int) -> NamedNode:
    return entity(base_iri, "evidence", f"{doc_id}-{begin}-{end}")
