"""Query execution that can be stopped.

pyoxigraph cannot cancel a running query, so queries run in processes that can be
killed. With ``query_isolation = "pool"`` (the default) they run in worker processes
forked ahead of time and reused until the next write (:mod:`server.pool`); with
``"fork"`` every query runs in a child forked for it. Either way the process sees a
copy-on-write snapshot of the open store, evaluates the query, writes one JSON header
line into a pipe (status, query form, media type, row count, whether the rows were
capped, evaluation time) and then the serialized results; the parent turns the header
into the HTTP status and headers and streams the rest to the client. At
``query_timeout`` the parent sends SIGKILL: the work stops and its CPU and memory are
returned at once.

``query_isolation = "thread"`` runs the same code on a thread of the server process,
for comparison (benchmarks/bench_fork.py): the client still gets its error at the
timeout, but the query keeps a CPU busy until it ends by itself.

Rows are capped at ``max_rows``: the child reads at most ``max_rows + 1`` solutions
(or triples) before answering, so the header can say whether the answer was cut, and
memory on both sides stays bounded. Solutions are first written by pyoxigraph as TSV
(one line per solution) into a sink that stops after ``max_rows`` lines; those lines
are parsed back by pyoxigraph and written in the negotiated format, so every byte of
every format comes from pyoxigraph's own serializers.

Children never write to the store and leave through ``os._exit`` (no destructors, so
the child never flushes or closes the parent's database). Right after the fork a child
closes the sockets and pipes it inherited, so a slow query cannot hold another
client's connection or another query's pipe open.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import select
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol, TypeVar

import pyoxigraph as ox
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from loaders.store import GraphStore
from ontology.vocab import PREFIXES
from server.errors import ApiError
from server.negotiation import GRAPH_FORMATS, RESULTS_FORMATS, QueryFormats, not_acceptable

log = logging.getLogger("claimgraph.executor")

ISOLATION_MODES = ("pool", "fork", "thread")
CHUNK = 1 << 16
DEADLOCK_PROBE = 0.05  # seconds between checks that a child waiting for its header is alive
FORK_ATTEMPTS = 5

Work = Callable[[BinaryIO], None]
T = TypeVar("T")


@dataclass(frozen=True)
class QueryJob:
    """Everything the child needs to evaluate one query and serialize its answer."""

    sparql: str
    formats: QueryFormats
    union_default_graph: bool = True
    default_graphs: Sequence[NamedNode] | None = None
    named_graphs: Sequence[NamedNode] | None = None
    base_iri: str | None = None
    max_rows: int = 100_000


@dataclass
class Answer:
    """A query's answer: what the HTTP layer needs for the status line, headers and body."""

    form: str  # SELECT, ASK, CONSTRUCT (CONSTRUCT and DESCRIBE look alike to pyoxigraph)
    media_type: str
    rows: int
    truncated: bool
    eval_seconds: float  # evaluation time measured in the child (or thread)
    wait_seconds: float  # time from the request to the first byte, fork included
    body: Body


class ForkDeadlock(RuntimeError):
    """A forked child waits on a lock held, at the instant of the fork, by another thread."""


class StreamAborted(RuntimeError):
    """The producer died or stalled after the response had started: the connection is cut."""


# --------------------------------------------------------------------------- child side


def _header(out: BinaryIO, **fields: Any) -> None:
    out.write(json.dumps(fields).encode("utf-8") + b"\n")
    out.flush()


def evaluate(store: GraphStore, job: QueryJob, out: BinaryIO) -> None:
    """Evaluate ``job`` and write the header line and the serialized answer to ``out``."""
    started = time.perf_counter()
    try:
        result = store.query(
            job.sparql,
            union_default_graph=job.union_default_graph,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            base_iri=job.base_iri,
        )
        if isinstance(result, ox.QueryTriples):
            _answer_triples(result, job, out, started)
        elif isinstance(result, ox.QuerySolutions):
            _answer_solutions(result, job, out, started)
        else:
            _answer_boolean(result, job, out, started)
    except SyntaxError as exc:
        _header(out, status=400, code="malformed-query", message=f"malformed query: {exc}")
    except ValueError as exc:  # e.g. an invalid base IRI or graph name
        _header(out, status=400, code="bad-request", message=str(exc))
    except OSError as exc:
        log.error("query evaluation failed: %s", exc)
        _header(
            out,
            status=500,
            code="evaluation-failed",
            message="the store failed while evaluating the query",
        )


def _refuse(out: BinaryIO, job: QueryJob, formats: Sequence[Any]) -> None:
    error = not_acceptable(job.formats.requested, formats)
    _header(out, status=406, code=error.code, message=error.message)


def _ok(out: BinaryIO, form: str, fmt: Any, rows: int, truncated: bool, started: float) -> None:
    seconds = time.perf_counter() - started
    _header(
        out,
        status=200,
        form=form,
        media_type=fmt.media_type,
        rows=rows,
        truncated=truncated,
        seconds=seconds,
    )


def _answer_boolean(result: ox.QueryBoolean, job: QueryJob, out: BinaryIO, started: float) -> None:
    fmt = job.formats.results
    if fmt is None:
        return _refuse(out, job, RESULTS_FORMATS)
    _ok(out, "ASK", fmt, 1, False, started)
    result.serialize(out, fmt)
    return None


def _answer_solutions(
    result: ox.QuerySolutions, job: QueryJob, out: BinaryIO, started: float
) -> None:
    fmt = job.formats.results
    if fmt is None:
        return _refuse(out, job, RESULTS_FORMATS)
    # pyoxigraph writes TSV, one line per solution (tabs and newlines in values are
    # escaped); the writer keeps the header and the first max_rows lines, then stops it.
    first = _FirstLines(job.max_rows + 1)
    with contextlib.suppress(_Full):
        result.serialize(first, QueryResultsFormat.TSV)
    tsv = first.value()
    _ok(out, "SELECT", fmt, first.lines - 1, first.truncated, started)
    if fmt == QueryResultsFormat.TSV:
        out.write(tsv)
    else:
        ox.parse_query_results(tsv, QueryResultsFormat.TSV).serialize(out, fmt)
    return None


class _Full(Exception):
    """Raised into pyoxigraph's serializer to stop it once enough lines are written."""


class _FirstLines:
    """A binary sink that keeps the first ``limit`` lines written to it, then raises _Full."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.truncated = False
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        count = data.count(b"\n")
        if self.lines + count > self.limit:
            end = -1
            for _ in range(self.limit - self.lines):
                end = data.index(b"\n", end + 1)
            self._parts.append(bytes(data[: end + 1]))
            self.lines = self.limit
            self.truncated = True
            raise _Full
        self._parts.append(bytes(data))
        self.lines += count
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self._parts)


def _answer_triples(result: ox.QueryTriples, job: QueryJob, out: BinaryIO, started: float) -> None:
    fmt = job.formats.graph
    if fmt is None:
        return _refuse(out, job, GRAPH_FORMATS)
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == job.max_rows:
            truncated = True
            break
        triples.append(triple)
    _ok(out, "CONSTRUCT", fmt, len(triples), truncated, started)
    serialize_triples(triples, out, fmt)
    return None


def serialize_triples(triples: Sequence[ox.Triple], out: BinaryIO, fmt: RdfFormat) -> None:
    """Triples in any RDF format; dataset formats put them in the default graph."""
    items: Sequence[ox.Triple | ox.Quad] = triples
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    ox.serialize(items, out, fmt, prefixes=used_prefixes(triples))


def used_prefixes(triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The project's prefixes whose namespace occurs in ``triples`` (not all 20-odd)."""
    by_namespace = {iri: name for name, iri in PREFIXES.items()}
    found: dict[str, str] = {}
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if not isinstance(term, NamedNode):
                continue
            iri = term.value
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            name = by_namespace.get(iri[:cut])
            if name is not None:
                found[name] = iri[:cut]
    return found


# -------------------------------------------------------------------------- parent side


def stuck(pid: int) -> bool:
    """Whether the single-threaded child ``pid`` sleeps on a futex, i.e. waits for a lock.

    fork() copies memory but only the calling thread. When one of RocksDB's background
    threads (flush, compaction, timer) holds the database mutex at that instant, the
    child inherits the mutex locked, with no thread left to unlock it, and blocks in its
    first snapshot. A child has one thread, so a futex wait in it can never end: the
    parent kills it and forks again.
    """
    try:
        with open(f"/proc/{pid}/wchan") as f:
            if "futex" not in f.read():
                return False
        with open(f"/proc/{pid}/status") as f:
            threads = next(line for line in f if line.startswith("Threads:"))
        return int(threads.split()[1]) == 1  # with other threads, a wait may end
    except (OSError, StopIteration, ValueError):
        return False


def close_inherited(keep: int) -> None:
    """In a fresh child: close inherited sockets and pipes (other clients', other queries')."""
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return
    for name in names:
        fd = int(name)
        if fd <= 2 or fd == keep:
            continue
        try:
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.close(fd)
        except OSError:
            continue


def settle_child(keep: int) -> None:
    """First steps of any forked query process: drop the descriptors it inherited (but
    ``keep``) and the server's signal handlers (gunicorn's would act as the server)."""
    close_inherited(keep)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_DFL)


def _child(work: Work, write_fd: int) -> None:
    # A collection would write to the GC header of every object inherited from the
    # parent, copying its whole heap page by page; the child lives for one query, and
    # os._exit frees everything at once.
    gc.disable()
    code = 0
    try:
        settle_child(write_fd)
        with os.fdopen(write_fd, "wb", buffering=CHUNK) as out:
            work(out)
    except BrokenPipeError:
        code = 0  # the parent stopped listening: nothing left to do
    except BaseException:
        log.exception("query child failed")
        code = 70
    finally:
        os._exit(code)


class Producer(Protocol):
    """Who writes a :class:`Running` job's pipe, and how to end it."""

    pid: int | None  # a process to watch for inherited locks, if any

    def finished(self) -> None:
        """The stream ended normally."""

    def kill(self) -> None:
        """Stop producing now (the answer is abandoned)."""


class ForkedChild:
    """A child forked for one job (``query_isolation = "fork"``)."""

    def __init__(self, pid: int) -> None:
        self.pid: int | None = pid

    def finished(self) -> None:
        self._reap(kill=False)

    def kill(self) -> None:
        self._reap(kill=True)

    def _reap(self, *, kill: bool) -> None:
        pid, self.pid = self.pid, None
        if pid is not None:
            reap(pid, kill=kill)


def reap(pid: int, *, kill: bool) -> None:
    """Wait for child ``pid`` to end (after SIGKILL if ``kill``), so no zombie is left."""
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class WorkerThread:
    """A thread of the server process (``query_isolation = "thread"``): cannot be stopped;
    once the reader goes, its writes fail and it ends."""

    pid = None

    def finished(self) -> None:
        pass

    def kill(self) -> None:
        pass


class Running:
    """One job producing a header line and a body into a pipe, read here."""

    def __init__(self, read_fd: int, producer: Producer) -> None:
        self._fd: int | None = read_fd
        self._producer: Producer | None = producer
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self._producer.pid if self._producer is not None else None

    @classmethod
    def start(cls, work: Work, isolation: str) -> Running:
        """Run ``work`` in a child forked now (``fork``) or on a new thread (``thread``)."""
        if isolation not in ("fork", "thread"):
            raise ValueError(f"cannot start a single job with query_isolation {isolation!r}")
        read_fd, write_fd = os.pipe()
        if isolation == "fork":
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's code runs in another process
                os.close(read_fd)
                _child(work, write_fd)
            os.close(write_fd)
            return cls(read_fd, ForkedChild(pid))
        thread = threading.Thread(target=cls._thread_main, args=(work, write_fd), daemon=True)
        thread.start()
        return cls(read_fd, WorkerThread())

    @staticmethod
    def _thread_main(work: Work, write_fd: int) -> None:
        try:
            with os.fdopen(write_fd, "wb", buffering=CHUNK) as out:
                work(out)
        except (BrokenPipeError, OSError):
            pass  # the reader gave up (timeout or client gone)

    def _read(self, timeout: float | None) -> bytes | None:
        """Up to one chunk; b"" at end of stream; None when nothing came within ``timeout``
        seconds (None: wait as long as it takes)."""
        assert self._fd is not None
        poller = select.poll()  # not select.select: fds above 1024 are fine on a busy server
        poller.register(self._fd, select.POLLIN)
        if not poller.poll(None if timeout is None else max(timeout, 0.0) * 1000):
            return None
        return os.read(self._fd, CHUNK)

    def read_header(self, timeout: float) -> dict[str, Any]:
        """The header line; raises TimeoutError, EOFError if the producer died first, or
        ForkDeadlock if the child is stuck on a lock it inherited (see :func:`stuck`)."""
        deadline = time.monotonic() + timeout
        suspicious = 0
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            chunk = self._read(min(remaining, DEADLOCK_PROBE))
            if chunk is None:
                if remaining <= DEADLOCK_PROBE:
                    raise TimeoutError
                pid = self.pid
                suspicious = suspicious + 1 if pid and stuck(pid) else 0
                if suspicious >= 2:
                    raise ForkDeadlock
                continue
            if not chunk:
                raise EOFError
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def body(self, idle_timeout: float | None) -> Body:
        """The rest of the stream, as a WSGI iterable whose ``close`` stops the producer."""
        return Body(self, idle_timeout)

    def chunks(self, idle_timeout: float | None) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        while True:
            chunk = self._read(idle_timeout)
            if chunk is None:
                raise StreamAborted(f"no output for {idle_timeout} s; stopped")
            if not chunk:
                break
            yield chunk
        self._reap(kill=False)

    def _reap(self, *, kill: bool) -> None:
        producer, self._producer = self._producer, None
        if producer is None:
            return
        if kill:
            producer.kill()
        else:
            producer.finished()

    def finish(self, timeout: float) -> None:
        """After an error header: let the producer end on its own (a pool worker is then
        kept), or stop it if it has not within ``timeout`` seconds."""
        with contextlib.suppress(StreamAborted):
            for _ in self.chunks(max(timeout, 0.0)):
                pass
        self.stop()

    def stop(self) -> None:
        """Stop the producer (if it has not finished) and close the pipe; safe to call twice."""
        self._reap(kill=True)
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class Body:
    """Streamed output of a :class:`Running` job. WSGI servers call ``close`` when the
    response ends or the client leaves, even if iteration never started: the child is
    killed and reaped then, so no child outlives its request."""

    def __init__(self, running: Running, idle_timeout: float | None) -> None:
        self._running = running
        self._chunks = running.chunks(idle_timeout)

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._chunks.close()
        self._running.stop()


def until_not_deadlocked(attempt: Callable[[], T], what: str) -> T:
    """``attempt()`` (which forks and checks its child, cleaning up on any error) again
    while its child turns out born deadlocked (:class:`ForkDeadlock`), a few times."""
    for number in range(FORK_ATTEMPTS):
        try:
            return attempt()
        except ForkDeadlock:
            log.warning("%s %d inherited a held lock; forking again", what, number)
    raise EOFError


def _start_with_header(
    start: Callable[[], Running], deadline: float
) -> tuple[Running, dict[str, Any]]:
    """Start a producer and read its header by ``deadline``, starting again if a child is
    born deadlocked; on failure the producer is stopped and the error re-raised."""

    def attempt() -> tuple[Running, dict[str, Any]]:
        running = start()
        try:
            return running, running.read_header(deadline - time.monotonic())
        except BaseException:
            running.stop()
            raise

    return until_not_deadlocked(attempt, "query child")


def _starter(
    store: GraphStore, job: QueryJob, isolation: str, deadline: float
) -> Callable[[], Running]:
    """How to start ``job`` in ``isolation`` (a callable, for retries after a deadlock)."""
    if isolation == "pool":
        from server.pool import pool_for  # the pool module builds on this one

        pool = pool_for(store)
        return lambda: pool.submit(job, deadline)
    return lambda: Running.start(lambda out: evaluate(store, job, out), isolation)


def run_query(store: GraphStore, job: QueryJob, *, timeout: float, isolation: str) -> Answer:
    """Start ``job``; wait up to ``timeout`` for its header; return the streaming answer.

    Raises :class:`ApiError`: the child's own error (400 malformed query, 406, ...), or
    503 when the query ran past ``timeout`` (the child is killed first) or, in ``pool``
    isolation, when no query process became free in that time.
    """
    from server.pool import PoolBusy

    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    try:
        running, head = _start_with_header(_starter(store, job, isolation, deadline), deadline)
    except PoolBusy:
        raise ApiError(
            503,
            "server-busy",
            f"every query process stayed busy for the time limit of {timeout:g} s; try again later",
        ) from None
    except TimeoutError:
        raise ApiError(
            503,
            "query-timeout",
            f"the query was stopped after the time limit of {timeout:g} s; "
            "narrow it (a LIMIT, more specific patterns) and try again",
        ) from None
    except EOFError:
        raise ApiError(500, "evaluation-failed", "query evaluation failed") from None
    if head["status"] != 200:
        running.finish(deadline - time.monotonic())
        raise ApiError(head["status"], head["code"], head["message"])
    return Answer(
        form=head["form"],
        media_type=head["media_type"],
        rows=head["rows"],
        truncated=head["truncated"],
        eval_seconds=head["seconds"],
        wait_seconds=time.perf_counter() - started,
        body=running.body(idle_timeout=timeout),
    )


def select_solutions(
    store: GraphStore, sparql: str, *, timeout: float, isolation: str, max_rows: int
) -> list[ox.QuerySolution]:
    """The solutions of a SELECT run like any client's query (own process, timeout, cap):
    for the server's own aggregate queries (VoID, Service Description) on large stores."""
    formats = QueryFormats(QueryResultsFormat.JSON, None, "SPARQL JSON")
    job = QueryJob(sparql=sparql, formats=formats, max_rows=max_rows)
    answer = run_query(store, job, timeout=timeout, isolation=isolation)
    try:
        payload = b"".join(answer.body)
    finally:
        answer.body.close()
    return list(ox.parse_query_results(payload, QueryResultsFormat.JSON))


class _HeaderOnFirstWrite:
    """Writes the header just before the first payload bytes, so the header also proves
    that the child got past its first store access (see :func:`stuck`)."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._started = False

    def write(self, data: bytes) -> int:
        if not self._started:
            self._started = True
            _header(self._out, status=200)
        return self._out.write(data)

    def flush(self) -> None:
        self._out.flush()


def stream(work: Work, *, isolation: str, idle_timeout: float | None) -> Body:
    """Run ``work`` (which writes a payload) in a child or thread and stream its output.

    For long reads such as whole-dataset export: the parent's memory stays flat, the
    child reads a consistent snapshot, and a client that leaves stops the child.
    """

    def framed(out: BinaryIO) -> None:
        lazy = _HeaderOnFirstWrite(out)
        work(lazy)  # type: ignore[arg-type]
        lazy.write(b"")

    timeout = idle_timeout if idle_timeout is not None else 24 * 3600.0
    try:
        mode = "fork" if isolation == "pool" else isolation  # a pool worker runs queries only
        running, _ = _start_with_header(
            lambda: Running.start(framed, mode), time.monotonic() + timeout
        )
    except (TimeoutError, EOFError):
        raise ApiError(500, "stream-failed", "the server could not start this download") from None
    return running.body(idle_timeout)
