"""Documents -> store: the loader's edge, where files are read and graphs written.

For each document: read its bytes, skip it when the store already holds a graph from
the same bytes, loader version and given metadata, otherwise run the pure stages
(:func:`loaders.read.read_document`, then the builder) -- in a process pool when there
are many -- and write the builder's quads plus provenance with one atomic
``replace_graph`` from this process. A document that fails at any stage is reported
with its name and problem and writes nothing; the others still load.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path, PurePath
from typing import Any

import pyoxigraph as ox
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat
from tqdm import tqdm

from loaders.manifest import MANIFEST_NAME, ManifestCache, ManifestError, clean_metadata
from loaders.model import DocumentError, SourceDocument
from loaders.provenance import (
    Fingerprint,
    metadata_iri,
    now,
    provenance_quads,
    quads_digest,
    stored_fingerprints,
)
from loaders.provenance import loader_version as current_loader_version
from loaders.read import (
    DEFAULT_MAX_DOCUMENT_BYTES,
    MEDIA_TYPES,
    document_id,
    read_document,
    sha256_hex,
)
from loaders.store import GraphStore, StoreError, dump_bytes
from ontology import iris

Builder = Callable[[SourceDocument, str], list[Quad]]

# Below this many documents to build, worker start-up costs more than it saves.
MIN_DOCUMENTS_FOR_POOL = 8
# Documents in flight per worker: keeps both cores busy without holding a corpus in memory.
IN_FLIGHT_PER_WORKER = 4


def extract(doc: SourceDocument, base_iri: str) -> list[Quad]:
    """:func:`loaders.build.document_quads`, imported where it runs: with workers the
    main process never loads spaCy (~100 MB), it only reads and writes."""
    from loaders.build import document_quads

    return document_quads(doc, base_iri)


def default_builder() -> Builder:
    return extract


def default_workers() -> int:
    """Extraction processes besides the main one, which reads files and writes graphs.

    One core per process: writing a graph costs about as much as extracting it
    (docs/benchmarks.md), so on 2 cores one worker and the writer use both, and more
    than 2 workers would wait for the one writer.
    """
    return max(0, min(2, (os.cpu_count() or 1) - 1))


@dataclass(frozen=True)
class Source:
    """One document to load: a file on disk, or bytes posted to the server."""

    name: str  # how errors and the report refer to it (the path as given)
    path: Path | None = None
    data: bytes | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def read_bytes(self, max_bytes: int) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        size = self.path.stat().st_size
        if size > max_bytes:  # refused before reading: a 100 MB file never enters memory
            raise ValueError(
                f"too large: {size:,} bytes exceeds the limit of {max_bytes:,} "
                "(setting max_document_bytes)"
            )
        return self.path.read_bytes()


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file; ``error`` starts with the file's name."""

    name: str
    status: str  # "loaded" | "unchanged" | "failed" | "removed" (pruned)
    doc_id: str | None = None
    triples: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"failed     {self.error}"
        if self.status == "removed":
            return f"removed    {self.name} (its file is no longer among the paths loaded)"
        detail = f" ({self.triples} triples)" if self.status == "loaded" else ""
        return f"{self.status:<10} {self.name} -> {self.doc_id}{detail}"


@dataclass
class LoadReport:
    """Every file's outcome in input order, the support graphs' status, the time taken.

    The CLI prints it, the HTTP write path returns :meth:`to_json`.
    """

    outcomes: list[FileOutcome] = field(default_factory=list)
    graphs: dict[str, str] = field(default_factory=dict)  # support graph -> status or error
    seconds: float = 0.0
    pruning: str | None = None  # why a requested prune did not happen

    def of_status(self, status: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        failed_graphs = any(s.startswith("failed") for s in self.graphs.values())
        return not self.of_status("failed") and not failed_graphs

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes)

    def summary(self) -> str:
        statuses = ["loaded", "unchanged", "failed"]
        if self.of_status("removed"):
            statuses.append("removed")
        counts = ", ".join(f"{len(self.of_status(s))} {s}" for s in statuses)
        given = len(self.outcomes) - len(self.of_status("removed"))
        noun = "document" if given == 1 else "documents"
        text = f"{given} {noun}: {counts}; {self.triples} triples written"
        return f"{text}; {self.pruning}" if self.pruning else text

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary(),
            "documents": [asdict(o) for o in self.outcomes],
            "graphs": dict(self.graphs),
            "pruning": self.pruning,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _Job:
    name: str
    data: bytes
    metadata: dict[str, str]
    doc_id: str
    fingerprint: Fingerprint


@dataclass(frozen=True)
class _Built:
    job: _Job
    url: str | None
    quads: list[Quad] | None = None
    # From a worker the quads come as N-Quads: pyoxigraph parses them ~4x faster than
    # pickle restores Quad objects, and the main process is the pool's bottleneck.
    nquads: bytes = b""

    def all_quads(self) -> list[Quad]:
        if self.quads is not None:
            return self.quads
        return list(ox.parse(self.nquads, format=RdfFormat.N_QUADS))


def _build(job: _Job, base_iri: str, builder: Builder, max_bytes: int) -> _Built | FileOutcome:
    """The pure stages for one document; runs in a worker process or inline."""
    try:
        doc = read_document(job.data, job.name, metadata=job.metadata, max_bytes=max_bytes)
    except DocumentError as exc:
        return FileOutcome(job.name, "failed", job.doc_id, error=str(exc))
    try:
        quads = builder(doc, base_iri)
    except Exception as exc:  # one document's extraction bug must not stop a whole load
        problem = f"extraction failed ({type(exc).__name__}: {exc})"
        return FileOutcome(job.name, "failed", job.doc_id, error=f"{job.name}: {problem}")
    return _Built(job, doc.metadata.get("url"), quads)


def _build_in_worker(
    job: _Job, base_iri: str, builder: Builder, max_bytes: int
) -> _Built | FileOutcome:
    """:func:`_build` for the pool: the answer carries N-Quads and not the input bytes."""
    result = _build(job, base_iri, builder, max_bytes)
    if isinstance(result, FileOutcome) or result.quads is None:
        return result
    nquads = ox.serialize(result.quads, format=RdfFormat.N_QUADS)
    return _Built(replace(result.job, data=b""), result.url, nquads=nquads)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Source | FileOutcome]:
    """Files named directly, and the documents found in folders (recursively).

    In folders, hidden entries, the manifest, READMEs and files that are not a known
    document type are skipped (they describe or support the corpus); a file named
    directly is always attempted, so a wrong type is reported, not ignored.
    """
    manifests = ManifestCache()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.name != MANIFEST_NAME
                and not p.name.lower().startswith("readme")
                and p.suffix.lower() in MEDIA_TYPES
            )
        elif path.is_file():
            found = [path]
        else:
            yield FileOutcome(str(given), "failed", error=f"{given}: no such file or folder")
            continue
        for file in found:
            try:
                yield Source(str(file), path=file, metadata=manifests.metadata_for(file))
            except ManifestError as exc:
                yield FileOutcome(str(file), "failed", error=f"{file}: {exc}")


class _Loader:
    """State of one load: what the store holds, ids seen, the report being built."""

    def __init__(
        self,
        store: GraphStore,
        base_iri: str,
        *,
        builder: Builder | None,
        max_document_bytes: int,
        loader_version: str | None,
        force: bool,
        on_outcome: Callable[[FileOutcome], None] | None,
    ) -> None:
        self.store = store
        self.base_iri = base_iri
        self.builder: Builder = builder or default_builder()
        self.max_bytes = max_document_bytes
        self.version = loader_version or current_loader_version()
        self.force = force
        self.on_outcome = on_outcome
        self.stored = {} if self.force else stored_fingerprints(store)
        self.names_by_id: dict[str, str] = {}
        self.report = LoadReport()
        self.bar: tqdm | None = None

    def record(self, outcome: FileOutcome) -> None:
        self.report.outcomes.append(outcome)
        if self.bar is not None:
            self.bar.update(1)
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def plan(self, item: Source | FileOutcome) -> _Job | None:
        """A job to build, or None when the item is already recorded (failed/unchanged)."""
        if isinstance(item, FileOutcome):
            self.record(item)
            return None
        try:
            metadata = clean_metadata(item.metadata, "given metadata")
            data = item.read_bytes(self.max_bytes)
        except (ValueError, OSError) as exc:
            self.record(FileOutcome(item.name, "failed", error=f"{item.name}: {exc}"))
            return None
        doc_id = document_id(item.name, metadata)
        if doc_id in self.names_by_id:
            other = self.names_by_id[doc_id]
            problem = (
                f"document id {doc_id!r} is also the id of {other}; "
                "give one of them another id in the manifest"
            )
            self.record(FileOutcome(item.name, "failed", doc_id, error=f"{item.name}: {problem}"))
            return None
        self.names_by_id[doc_id] = item.name
        fingerprint = Fingerprint(sha256_hex(data), self.version, metadata_iri(metadata).value)
        graph = iris.document_graph(self.base_iri, doc_id)
        if self.stored.get(graph.value) == fingerprint:
            self.record(FileOutcome(item.name, "unchanged", doc_id))
            return None
        return _Job(item.name, data, metadata, doc_id, fingerprint)

    def write(self, result: _Built | FileOutcome) -> None:
        if isinstance(result, FileOutcome):
            self.record(result)
            return
        job = result.job
        graph = iris.document_graph(self.base_iri, job.doc_id)
        built = result.all_quads()
        stray = next((q for q in built if q.graph_name not in (graph, DefaultGraph())), None)
        if stray is not None:
            problem = f"the builder put a quad outside the document graph: {stray}"
            self.record(FileOutcome(job.name, "failed", job.doc_id, error=f"{job.name}: {problem}"))
            return
        quads = built + provenance_quads(
            self.base_iri,
            job.doc_id,
            file_name=PurePath(job.name).name,
            fingerprint=job.fingerprint,
            url=result.url,
            loaded_at=now(),
        )
        try:
            self.store.replace_graph(graph, quads)
        except (StoreError, OSError, ValueError) as exc:
            problem = f"could not write graph {graph.value}: {exc}"
            self.record(FileOutcome(job.name, "failed", job.doc_id, error=f"{job.name}: {problem}"))
            return
        self.record(FileOutcome(job.name, "loaded", job.doc_id, triples=len(quads)))

    def prune(self) -> None:
        """Remove the document graphs of documents not among this load's sources.

        Only after a load where every source was read: a file that failed may be a
        document whose id was never learnt, and its graph must not go with the rest."""
        failed = len(self.report.of_status("failed"))
        if failed:
            self.report.pruning = f"nothing removed: {failed} document(s) failed"
            return
        kept = {iris.document_graph(self.base_iri, d).value for d in self.names_by_id}
        prefix = iris.document_graph(self.base_iri, "").value
        for graph in sorted(set(stored_fingerprints(self.store)) - kept):
            doc_id = graph.removeprefix(prefix)
            try:
                self.store.remove_graph(NamedNode(graph))
            except (StoreError, OSError, ValueError) as exc:
                problem = f"could not remove graph {graph}: {exc}"
                self.record(FileOutcome(doc_id, "failed", doc_id, error=f"{doc_id}: {problem}"))
                continue
            self.record(FileOutcome(doc_id, "removed", doc_id))


def load_sources(
    store: GraphStore,
    sources: Iterable[Source | FileOutcome],
    *,
    base_iri: str,
    builder: Builder | None = None,
    workers: int = 0,
    progress: bool = False,
    total: int | None = None,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    loader_version: str | None = None,
    force: bool = False,
    prune: bool = False,
) -> LoadReport:
    """Load documents into ``store``; see :func:`load_paths` for the options."""
    started = time.perf_counter()
    loader = _Loader(
        store,
        base_iri,
        builder=builder,
        max_document_bytes=max_document_bytes,
        loader_version=loader_version,
        force=force,
        on_outcome=on_outcome,
    )
    with tqdm(
        total=total, unit="doc", file=sys.stderr, disable=not progress, desc="loading"
    ) as bar:
        loader.bar = bar
        jobs = (job for job in map(loader.plan, sources) if job is not None)
        use_pool = workers > 0 and (total is None or total >= MIN_DOCUMENTS_FOR_POOL)
        if use_pool:
            _run_pooled(workers, jobs, loader)
        else:
            for job in jobs:
                loader.write(_build(job, base_iri, loader.builder, loader.max_bytes))
    if prune:
        loader.prune()
    loader.report.seconds = time.perf_counter() - started
    return loader.report


def _run_pooled(workers: int, jobs: Iterator[_Job], loader: _Loader) -> None:
    """Build in a pool, write here, in input order, with a bounded number in flight.

    A worker that dies (killed for memory, a crash in native code) breaks the pool: the
    documents then in flight fail with a message saying so, and a fresh pool takes the
    rest, so one hostile document cannot stop a load.
    """
    window = workers * IN_FLIGHT_PER_WORKER
    context = get_context("forkserver")
    pending: deque[tuple[_Job, Future]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def submit(job: _Job) -> None:
        args = (job, loader.base_iri, loader.builder, loader.max_bytes)
        pending.append((job, pool.submit(_build_in_worker, *args)))

    def write_oldest() -> None:
        nonlocal pool
        job, future = pending.popleft()
        try:
            loader.write(future.result())
        except BrokenProcessPool:
            in_flight = [(job, future), *pending]
            pending.clear()
            pool.shutdown(wait=False, cancel_futures=True)
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
            # Answers that arrived before the pool broke are good; the others are lost.
            delivered = [f.done() and f.exception() is None for _, f in in_flight]
            delivered[0] = False
            lost = delivered.count(False)
            for (each, answer), ok in zip(in_flight, delivered, strict=True):
                if ok:
                    loader.write(answer.result())
                    continue
                problem = (
                    f"the extraction process died while this and {lost - 1} other "
                    "document(s) were in flight (out of memory?); load it alone to find out"
                )
                loader.write(
                    FileOutcome(each.name, "failed", each.doc_id, error=f"{each.name}: {problem}")
                )

    try:
        for job in jobs:
            submit(job)
            while len(pending) >= window:
                write_oldest()
        while pending:
            write_oldest()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def load_paths(
    store: GraphStore,
    paths: Sequence[str | Path],
    *,
    base_iri: str,
    builder: Builder | None = None,
    workers: int | None = None,
    progress: bool = False,
    on_outcome: Callable[[FileOutcome], None] | None = None,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
    loader_version: str | None = None,
    force: bool = False,
    support_graphs: bool = True,
    prune: bool = False,
) -> LoadReport:
    """Load files and folders (recursively, incrementally) into ``store``.

    ``builder`` is the extraction stage (default :func:`loaders.build.document_quads`);
    ``workers`` processes run it (0: this process does; default: cores - 1, at most 2),
    so it must be a module-level function when ``workers`` > 0. ``on_outcome`` is
    called once per file as soon as its outcome is known (after its graph is written).
    ``support_graphs`` also writes ``graph/reference`` and ``graph/ontology`` when
    their content changed. ``prune`` then removes the graph of every document not
    found under ``paths`` (the store holds exactly these documents), unless a file
    failed.
    """
    items = list(expand_paths(paths))
    report = load_sources(
        store,
        items,
        base_iri=base_iri,
        builder=builder,
        workers=default_workers() if workers is None else workers,
        progress=progress,
        total=len(items),
        on_outcome=on_outcome,
        max_document_bytes=max_document_bytes,
        loader_version=loader_version,
        force=force,
        prune=prune,
    )
    if support_graphs:
        report.graphs = write_support_graphs(store, base_iri)
    return report


def _support_graphs(base_iri: str) -> dict[str, tuple[NamedNode, Callable[[], list[Quad]]]]:
    def reference() -> list[Quad]:
        from loaders.reference import reference_quads

        return reference_quads(base_iri)

    def ontology() -> list[Quad]:
        from ontology.files import ontology_quads

        return ontology_quads(iris.ontology_graph(base_iri))

    return {
        "reference": (iris.reference_graph(base_iri), reference),
        "ontology": (iris.ontology_graph(base_iri), ontology),
    }


def write_support_graphs(
    store: GraphStore, base_iri: str, *, only_missing: bool = False
) -> dict[str, str]:
    """Replace ``graph/reference`` and ``graph/ontology`` where their content changed.

    Compares a digest of the new quads with a digest of what the store holds (both
    with canonical blank node labels), so reloading unchanged data writes nothing.
    ``only_missing`` skips the comparison for graphs already present (a cheap check
    for the server's write path, which runs once per posted document).
    """
    statuses: dict[str, str] = {}
    for name, (graph, make) in _support_graphs(base_iri).items():
        if only_missing and store.contains_graph(graph):
            statuses[name] = "present"
            continue
        try:
            quads = [Quad(q.subject, q.predicate, q.object, graph) for q in make()]
        except (ImportError, ValueError, OSError) as exc:
            statuses[name] = f"failed: cannot build {graph.value}: {exc}"
            continue
        if quads_digest(_as_stored(quads)) == quads_digest(_stored_quads(store, graph)):
            statuses[name] = "unchanged"
            continue
        store.replace_graph(graph, quads)
        statuses[name] = f"loaded ({len(quads)} triples)"
    return statuses


def _as_stored(quads: list[Quad]) -> list[Quad]:
    """The quads as a store gives them back: pyoxigraph normalises some literals
    (``"1"^^xsd:nonNegativeInteger`` becomes ``xsd:integer``; oxigraph issues #526 and
    #1413), so compare like with like."""
    scratch = ox.Store()
    scratch.extend(quads)
    return list(scratch)


def _stored_quads(store: GraphStore, graph: NamedNode) -> list[Quad]:
    if not store.contains_graph(graph):
        return []
    data = dump_bytes(store, RdfFormat.N_TRIPLES, graph=graph)
    return [
        Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(data, RdfFormat.N_TRIPLES)
    ]
