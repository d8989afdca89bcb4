"""Opening and writing the graph store: the one module both loaders and server use.

Everything else talks to a :class:`GraphStore`, never to pyoxigraph directly, so an
external SPARQL 1.1 store (Fuseki, Virtuoso, QLever, Oxigraph server) can replace the
embedded one by configuration alone. Results are pyoxigraph objects in both cases.

Writes of a document are one SPARQL Update (``DROP SILENT GRAPH g ; INSERT DATA``),
which both the embedded store and any SPARQL 1.1 store apply atomically: readers see
a graph wholly old or wholly new, and a failed write changes nothing.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO, Protocol, runtime_checkable

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat, Store

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class StoreError(Exception):
    """A store could not be opened or written; the message says what to do."""


class StoreLockedError(StoreError):
    """Another process (usually a running ``claimgraph serve``) holds the store."""


@runtime_checkable
class GraphStore(Protocol):
    """What loaders and server need from a store, embedded or remote."""

    location: str

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult: ...

    def update(self, sparql: str, *, base_iri: str | None = None) -> None: ...

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None: ...

    def remove_graph(self, graph: NamedNode) -> None: ...

    def named_graphs(self) -> Iterator[NamedNode]: ...

    def contains_graph(self, graph: NamedNode) -> bool: ...

    def dump(
        self, output: BinaryIO, format: RdfFormat, *, graph: NamedNode | None = None
    ) -> None: ...

    def bulk_load(self, input: BinaryIO, format: RdfFormat, *, graph: NamedNode) -> None: ...

    def flush(self) -> None: ...


def replace_graph_update(graph: NamedNode, quads: Iterable[Quad]) -> str:
    """The SPARQL Update that atomically replaces ``graph`` by ``quads``.

    Triples are written by pyoxigraph's N-Triples serializer (every N-Triples line is
    valid inside INSERT DATA), so escaping is the library's, not ours.
    """
    triples = [q.triple for q in quads]
    body = ox.serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""
    drop = f"DROP SILENT GRAPH {graph} ;\n"
    if not body:
        return drop.rstrip(" ;\n")
    return f"{drop}INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"


class EmbeddedStore:
    """A pyoxigraph store on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | None = None) -> None:
        self.location = path or ":memory:"
        try:
            self._store = Store(path) if path else Store()
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLockedError(
                    f"the store at {path} is in use by another process (is `claimgraph serve` "
                    "running on it?). Stop that process, or load through it with "
                    "`claimgraph load --server URL --token TOKEN PATH...`."
                ) from exc
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self._epoch = 0
        self._epoch_lock = threading.Lock()

    @property
    def raw(self) -> Store:
        """The pyoxigraph store, for the few places (bulk paths) that need it; a write
        through it must happen inside :meth:`writing`."""
        return self._store

    @property
    def epoch(self) -> int:
        """A number that changes whenever a write starts or ends.

        Query worker processes (``server.pool``) hold a copy-on-write snapshot of the
        store taken when they were forked; one forked at epoch ``e`` still sees the
        current data while the epoch is ``e``. Read it *before* forking: a write that
        was under way at the fork moves the epoch when it ends, so the snapshot then
        counts as stale.
        """
        return self._epoch

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Mark a write (moves :attr:`epoch` on entry and on exit, even on failure)."""
        with self._epoch_lock:
            self._epoch += 1
        try:
            yield
        finally:
            with self._epoch_lock:
                self._epoch += 1

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        kwargs: dict[str, object] = {"base_iri": base_iri}
        if default_graphs is not None:
            kwargs["default_graph"] = list(default_graphs)
        else:
            kwargs["use_default_graph_as_union"] = union_default_graph
        if named_graphs is not None:
            kwargs["named_graphs"] = list(named_graphs)
        return self._store.query(sparql, **kwargs)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        with self.writing():
            self._store.update(sparql, base_iri=base_iri)

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        sparql = replace_graph_update(graph, quads)
        with self.writing():
            self._store.update(sparql)

    def remove_graph(self, graph: NamedNode) -> None:
        with self.writing():
            self._store.update(f"DROP SILENT GRAPH {graph}")

    def named_graphs(self) -> Iterator[NamedNode]:
        for g in self._store.named_graphs():
            if isinstance(g, NamedNode):
                yield g

    def contains_graph(self, graph: NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def dump(self, output: BinaryIO, format: RdfFormat, *, graph: NamedNode | None = None) -> None:
        if graph is None:
            self._store.dump(output, format)
        else:
            self._store.dump(output, format, from_graph=graph)

    def bulk_load(self, input: BinaryIO, format: RdfFormat, *, graph: NamedNode) -> None:
        with self.writing():
            self._store.bulk_load(input, format, to_graph=graph)

    def bulk_load_file(
        self,
        path: str | os.PathLike[str],
        format: RdfFormat,
        *,
        graph: NamedNode | None = None,
        parts: int | None = None,
        lenient: bool = False,
    ) -> None:
        """Load a large file as fast as the machine allows; not atomic (for imports, benchmarks).

        A pyoxigraph bulk load parses on the calling thread and sorts each batch of up to a
        million quads into RocksDB files on another, so a line-based file (N-Triples,
        N-Quads: one statement per line) is cut at line ends into byte ranges that ``parts``
        concurrent loaders (default: one per core; they release the GIL) take in turn. A
        range holds at most about 900k lines, one pyoxigraph batch, which bounds memory to
        about a batch per loader whatever the file's size. More concurrent loaders than cores
        cost more CPU, not less: each bulk load adds a file per index to RocksDB's level 0,
        and from four on RocksDB compacts them while the load runs (measured in
        docs/benchmarks.md, "Loading"). Other formats, and a line-based file that fits one
        range, load in one stream read by pyoxigraph itself. ``graph`` receives the triples
        of a triples format; ``lenient`` skips IRI and literal validation (trusted input).
        """
        size = os.path.getsize(path)
        workers = max(1, parts or os.cpu_count() or 1)
        if format in (RdfFormat.N_TRIPLES, RdfFormat.N_QUADS):
            ranges = _line_ranges(path, workers, max_lines=900_000)  # under pyoxigraph's 1M batch
        else:
            ranges = [(0, size)]
        pending = iter(ranges)
        taking = threading.Lock()
        errors: list[BaseException] = []

        def load(begin: int, end: int) -> None:
            if (begin, end) == (0, size):  # pyoxigraph reads the file itself, no Python calls
                self._store.bulk_load(
                    path=os.fspath(path), format=format, to_graph=graph, lenient=lenient
                )
                return
            with _ByteRange.open(path, begin, end) as chunk:
                self._store.bulk_load(chunk, format, to_graph=graph, lenient=lenient)

        def work() -> None:
            while not errors:  # after a failure, the ranges not yet started are left
                with taking:
                    span = next(pending, None)
                if span is None:
                    return
                try:
                    load(*span)
                except BaseException as exc:  # re-raised in the calling thread below
                    errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(min(workers, len(ranges)))]
        with self.writing():
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if errors:
            raise errors[0]

    def flush(self) -> None:
        if self.location != ":memory:":
            self._store.flush()


class _ByteRange(io.RawIOBase):
    """Bytes ``[begin, end)`` of a file, as a readable stream for one bulk loader."""

    BUFFER = 1 << 20

    @classmethod
    def open(cls, path: str | os.PathLike[str], begin: int, end: int) -> io.BufferedReader:
        """The range behind a 1 MiB buffer. pyoxigraph reads a Python stream by ``read``
        calls of about 2 KB, each taking the GIL; the buffer serves them in C and leaves one
        Python ``readinto`` (and one system call) per MiB."""
        return io.BufferedReader(cls(path, begin, end), buffer_size=cls.BUFFER)

    def __init__(self, path: str | os.PathLike[str], begin: int, end: int) -> None:
        super().__init__()
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed in close()
        self._file.seek(begin)
        self._left = end - begin

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        got = self._file.readinto(memoryview(buffer)[:n]) or 0
        self._left -= got
        return got

    def close(self) -> None:
        self._file.close()
        super().close()


def _line_ranges(
    path: str | os.PathLike[str], parts: int, *, max_lines: int | None = None
) -> list[tuple[int, int]]:
    """About equal byte ranges of a file, each ending at a line end: ``parts`` of them, or
    a multiple of ``parts`` large enough for each to hold about ``max_lines`` lines at most
    (lines counted in eight 64 KiB samples spread over the file)."""
    size = os.path.getsize(path)
    parts = max(1, parts)
    cuts = [0]
    with open(path, "rb") as f:
        if max_lines and size:
            sampled = newlines = 0
            for i in range(8):
                f.seek(size * i // 8)
                sample = f.read(1 << 16)
                sampled, newlines = sampled + len(sample), newlines + sample.count(b"\n")
            lines = size * max(newlines, 1) / sampled
            parts *= max(1, -(-int(lines) // (parts * max_lines)))
        for i in range(1, parts):
            f.seek(max(size * i // parts, cuts[-1]))
            f.readline()
            cuts.append(min(f.tell(), size))
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def open_store(
    location: str | None,
    *,
    update_url: str | None = None,
    gsp_url: str | None = None,
    union: str = "auto",
) -> GraphStore:
    """Open the store named by configuration: a path, ``:memory:``, or an http(s) URL.

    An http(s) URL names a remote SPARQL 1.1 store's query endpoint (see ``loaders.remote``);
    ``update_url`` and ``gsp_url`` (settings ``remote_update_url``, ``remote_gsp_url``) name
    its Update and Graph Store endpoints when they differ. Empty strings count as unset.
    ``union``: how a remote store gives the union default graph (see ``loaders.remote``).
    """
    if location is None or location == ":memory:":
        return EmbeddedStore(None)
    if location.startswith(("http://", "https://")):
        from loaders.remote import RemoteStore  # imported lazily: only remote users pay for it

        return RemoteStore(location, update_url or None, gsp_url or None, union=union or "auto")
    return EmbeddedStore(location)


def open_configured_store(settings: object) -> GraphStore:
    """:func:`open_store` for ``server.settings.Settings``: its store plus remote endpoints.

    Use this wherever settings are at hand, so a remote store gets its Update and Graph
    Store URLs (``remote_update_url``, ``remote_gsp_url``) everywhere alike.
    """
    return open_store(
        settings.store,  # type: ignore[attr-defined]
        update_url=getattr(settings, "remote_update_url", None),
        gsp_url=getattr(settings, "remote_gsp_url", None),
        union=getattr(settings, "remote_union", "auto"),
    )


def dump_bytes(store: GraphStore, format: RdfFormat, *, graph: NamedNode | None = None) -> bytes:
    """Serialize (part of) a store to bytes; for small graphs and tests."""
    buffer = io.BytesIO()
    store.dump(buffer, format, graph=graph)
    return buffer.getvalue()
