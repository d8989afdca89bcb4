"""Import another RDF dataset into its own named graph, with its provenance.

``claimgraph import FILE --graph IRI`` reads Turtle, N-Triples, N-Quads, TriG, RDF/XML
or JSON-LD, gzip-compressed or not, and puts every triple into one named graph, so
that queries can join it with claimgraph's graphs while it stays apart from them:
re-importing replaces that graph and nothing else. Quads of dataset formats lose their
own graph name (the import graph is their graph); blank nodes get fresh labels, so two
imports never share one by accident.

Three write paths, one contract (a failed import leaves the store as it was):

- **atomic** (default): one SPARQL Update ``DROP SILENT GRAPH g ; INSERT DATA {...}``.
  To a remote store its body is streamed (chunked), so the client never holds the
  file; the store applies it whole or not at all. Embedded, the update is built in
  memory, so it is used up to :data:`ATOMIC_LIMIT` triples.
- **bulk** (embedded store, larger files, or ``--bulk``): a first pass
  parses the whole file without writing (syntax errors, truncated gzip), then
  pyoxigraph's ``bulk_load``/``bulk_extend`` writes into the graph without holding
  it in memory. bulk_load is not transactional, so an I/O failure during the write
  removes the graph again; a crash (SIGKILL) mid-write can leave a partial graph,
  which the next import of the same graph replaces.

Provenance, inside the graph (PROV-O, mirroring a document graph's)::

    g   a cg:ImportedDataset, prov:Entity ; prov:wasDerivedFrom <ni:///sha-256;...> ;
        prov:wasGeneratedBy act ; prov:generatedAtTime t ; cg:sha256 "hex" ;
        cg:fileName "name" ; dct:format "text/turtle" ; void:triples n .
    act a cg:LoadActivity, prov:Activity ; cg:loaderVersion "..." ; prov:endedAtTime t .

The digest is of the file's bytes as stored (compressed, when it is).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from loaders.provenance import loader_version, now
from loaders.store import EmbeddedStore, GraphStore, StoreError
from ontology import iris
from ontology.vocab import CG, DCT, PROV, RDF, VOID, XSD

# Triples above which the embedded store switches to the bulk loader: one transaction of
# this size peaks near 220 MB of memory (benchmarks/bench_import.py); a bulk load stays low.
ATOMIC_LIMIT = 50_000
SUPPORTED = (
    RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS,
    RdfFormat.TRIG,
    RdfFormat.RDF_XML,
    RdfFormat.JSON_LD,
)
_GZIP_MAGIC = b"\x1f\x8b"
_COMPRESSED_SUFFIXES = {".gz", ".gzip"}
_BATCH = 10_000


class ImportFailed(StoreError):
    """The file could not be imported; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ImportReport:
    graph: NamedNode
    file_name: str
    sha256: str
    format: RdfFormat
    compressed: bool
    triples: int
    bulk: bool


@dataclass(frozen=True)
class Source:
    """A file to import, with its RDF format and whether it is gzip-compressed."""

    path: Path
    format: RdfFormat
    compressed: bool

    @classmethod
    def inspect(cls, path: Path, format: RdfFormat | None = None) -> Source:
        if not path.is_file():
            raise ImportFailed(f"{path}: no such file")
        with path.open("rb") as handle:
            compressed = handle.read(2) == _GZIP_MAGIC
        if format is None:
            format = format_from_name(path)
        if format not in SUPPORTED:
            names = ", ".join(f.name for f in SUPPORTED)
            raise ImportFailed(f"{path.name}: {format.name} cannot be imported; use one of {names}")
        return cls(path, format, compressed)


def format_from_name(path: Path) -> RdfFormat:
    """The RDF format named by the file's extension, looking through ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED_SUFFIXES:
        suffixes.pop()
    found = RdfFormat.from_extension(suffixes[-1][1:]) if suffixes else None
    if found is None:
        raise ImportFailed(
            f"{path.name}: cannot tell the RDF format from the file name; name it "
            "*.ttl, *.nt, *.nq, *.trig, *.rdf, *.jsonld (optionally + .gz) or pass --format"
        )
    return found


def import_graph(base_iri: str, path: Path) -> NamedNode:
    """Default graph for an import: ``B graph/import/{slug of the file stem}``.

    The stem drops a compression suffix and then an RDF extension (``data.v2.ttl.gz`` ->
    ``data-v2``), nothing else.
    """
    stem = Path(path.name)
    if stem.suffix.lower() in _COMPRESSED_SUFFIXES:
        stem = Path(stem.stem)
    if stem.suffix and RdfFormat.from_extension(stem.suffix[1:].lower()) is not None:
        stem = Path(stem.stem)
    return iris.graph(base_iri, "import", iris.slugify(stem.name or path.name))


def import_file(
    store: GraphStore,
    path: Path,
    graph: NamedNode,
    *,
    base_iri: str,
    format: RdfFormat | None = None,
    bulk: bool | None = None,
    atomic_limit: int = ATOMIC_LIMIT,
    clock: Callable[[], datetime] = now,
) -> ImportReport:
    """Replace ``graph`` in ``store`` by the triples of ``path`` plus their provenance.

    ``bulk``: True forces the bulk loader (embedded store only), False one transaction
    whatever the size, None (default) decides by size on the embedded store.
    """
    path = Path(path)
    source = Source.inspect(path, format)
    embedded = isinstance(store, EmbeddedStore)
    if bulk and not embedded:
        raise ImportFailed("--bulk needs the embedded store; remote stores import atomically")
    if embedded and bulk:
        return _bulk_import(store, source, graph, base_iri, clock)  # type: ignore[arg-type]
    limit = atomic_limit if embedded and bulk is None else None
    report = _atomic_import(store, source, graph, base_iri, clock, limit=limit)
    if report is None:  # more triples than one transaction should hold
        return _bulk_import(store, source, graph, base_iri, clock)  # type: ignore[arg-type]
    return report


# --- reading -------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A read-only stream that feeds every byte it returns into a hash."""

    def __init__(self, inner: BinaryIO, hasher: hashlib._Hash) -> None:
        self._inner = inner
        self._hasher = hasher

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._hasher.update(data)
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


@dataclass
class _Reading:
    """Triples of a source read once, with their count and the file's digest at the end."""

    source: Source
    hasher: hashlib._Hash
    count: int = 0

    def triples(self) -> Iterator[ox.Triple]:
        raw = _Hashing(self.source.path.open("rb"), self.hasher)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if self.source.compressed else raw  # type: ignore[assignment]
        name = self.source.path.name
        try:
            parser = ox.parse(
                stream,
                format=self.source.format,
                base_iri=self.source.path.resolve().as_uri(),
                rename_blank_nodes=True,
            )
            for quad in parser:
                self.count += 1
                yield quad.triple
            while stream.read(1 << 20):  # digest the whole file even if the parser stopped
                pass
        except SyntaxError as exc:
            raise ImportFailed(f"{name}: not valid {self.source.format.name}: {exc}") from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise ImportFailed(f"{name}: damaged or truncated gzip data ({exc})") from None
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{name}: not UTF-8 text ({exc.reason})") from None
        except OSError as exc:
            raise ImportFailed(f"{name}: cannot be read: {exc}") from None
        finally:
            stream.close()
            raw.close()

    def provenance(self, graph: NamedNode, base_iri: str, at: datetime) -> list[Quad]:
        """The provenance of ``graph`` once this reading is complete."""
        return provenance_quads(
            graph,
            base_iri=base_iri,
            source=self.source,
            sha256=self.hasher.hexdigest(),
            triples=self.count,
            imported_at=at,
        )


def _new_reading(source: Source) -> _Reading:
    return _Reading(source, hashlib.sha256())


# --- provenance ----------------------------------------------------------------------


def provenance_quads(
    graph: NamedNode,
    *,
    base_iri: str,
    source: Source,
    sha256: str,
    triples: int,
    imported_at: datetime,
) -> list[Quad]:
    """Where an imported graph came from, as quads inside it."""
    act = iris.entity(
        base_iri, "activity", "import-" + iris.digest(graph.value, sha256, imported_at.isoformat())
    )
    when = Literal(imported_at.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256)).rstrip(b"=").decode("ascii")
    rows = [
        (graph, RDF.type, CG.ImportedDataset),
        (graph, RDF.type, PROV.Entity),
        (graph, PROV.wasDerivedFrom, NamedNode("ni:///sha-256;" + digest)),
        (graph, PROV.wasGeneratedBy, act),
        (graph, PROV.generatedAtTime, when),
        (graph, CG.sha256, Literal(sha256)),
        (graph, CG.fileName, Literal(source.path.name)),
        (graph, DCT["format"], Literal(source.format.media_type)),
        (graph, VOID.triples, Literal(triples)),
        (act, RDF.type, CG.LoadActivity),
        (act, RDF.type, PROV.Activity),
        (act, CG.loaderVersion, Literal(loader_version())),
        (act, PROV.endedAtTime, when),
    ]
    return [Quad(s, p, o, graph) for s, p, o in rows]


# --- writing -------------------------------------------------------------------------


def _atomic_import(
    store: GraphStore,
    source: Source,
    graph: NamedNode,
    base_iri: str,
    clock: Callable[[], datetime],
    *,
    limit: int | None = None,
) -> ImportReport | None:
    """One atomic replacement of the graph; None (nothing written) past ``limit`` triples."""
    reading = _new_reading(source)

    def provenance() -> list[Quad]:
        return reading.provenance(graph, base_iri, clock())

    stream_update = getattr(store, "update_stream", None)
    if stream_update is not None:
        failure: list[ImportFailed] = []
        try:
            stream_update(_replace_graph_chunks(graph, reading.triples(), provenance, failure))
        except StoreError:
            if failure:  # the body was cut short on purpose, so the store refused it
                raise failure[0] from None
            raise
    else:
        quads = []
        triples = reading.triples()
        for t in triples:
            if limit is not None and len(quads) >= limit:
                triples.close()
                return None
            quads.append(Quad(t.subject, t.predicate, t.object, graph))
        store.replace_graph(graph, quads + provenance())
    return _report(graph, source, reading, bulk=False)


def _replace_graph_chunks(
    graph: NamedNode,
    triples: Iterator[ox.Triple],
    provenance: Callable[[], list[Quad]],
    failure: list[ImportFailed],
) -> Iterator[bytes]:
    """The body of one ``DROP SILENT GRAPH ; INSERT DATA`` update, produced as it is read.

    On a read error the body ends without its closing braces, so the store rejects the
    whole update and changes nothing; the error is left in ``failure``.
    """
    yield f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n".encode()
    try:
        for batch in _batches(triples):
            yield ox.serialize(batch, format=RdfFormat.N_TRIPLES)
    except ImportFailed as exc:
        failure.append(exc)
        return
    yield ox.serialize([q.triple for q in provenance()], format=RdfFormat.N_TRIPLES)
    yield b"} }\n"


def _bulk_import(
    store: EmbeddedStore,
    source: Source,
    graph: NamedNode,
    base_iri: str,
    clock: Callable[[], datetime],
) -> ImportReport:
    check = _new_reading(source)
    for _ in check.triples():  # a full read first: bad data fails before any write
        pass
    reading = _new_reading(source)
    store.remove_graph(graph)
    try:
        with store.writing():
            store.raw.bulk_extend(
                Quad(t.subject, t.predicate, t.object, graph) for t in reading.triples()
            )
            if reading.hasher.hexdigest() != check.hasher.hexdigest():
                raise ImportFailed(f"{source.path.name}: the file changed while it was imported")
            store.raw.extend(reading.provenance(graph, base_iri, clock()))
        store.flush()
    except BaseException:
        store.remove_graph(graph)
        raise
    return _report(graph, source, reading, bulk=True)


def _batches(triples: Iterable[ox.Triple]) -> Iterator[list[ox.Triple]]:
    batch: list[ox.Triple] = []
    for triple in triples:
        batch.append(triple)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _report(graph: NamedNode, source: Source, reading: _Reading, *, bulk: bool) -> ImportReport:
    return ImportReport(
        graph=graph,
        file_name=source.path.name,
        sha256=reading.hasher.hexdigest(),
        format=source.format,
        compressed=source.compressed,
        triples=reading.count,
        bulk=bulk,
    )
