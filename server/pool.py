"""Query processes forked ahead of time: stoppable queries without a fork per query.

``query_isolation = "fork"`` forks a child for every query, which costs 5-15 ms and
holds the GIL while the kernel copies the server's page tables. Here the children are
forked once and each answers query after query (``query_isolation = "pool"``, the
default):

- A worker is a child forked from the server with the store open, so it reads a
  copy-on-write snapshot of the store as it was at the fork. Every write moves the
  store's epoch (:attr:`loaders.store.EmbeddedStore.epoch`); a worker whose epoch is
  not the store's is retired instead of reused, so a query never sees data older than
  the last write that finished before it started. Workers are forked on demand, up to
  ``size``; a read-only server forks ``size`` of them once.
- A job travels over the worker's Unix socket as JSON together with the write end of
  a fresh pipe (``SCM_RIGHTS``); the worker writes the header line and the answer into
  that pipe and closes it, exactly as a forked child does, so the parent reads it with
  the same :class:`server.executor.Running`.
- A query past the timeout, or a client that leaves mid-answer, costs the worker its
  life: SIGKILL, as in fork mode. The next query forks a replacement.
- Each new worker proves it is not stuck on a lock inherited from another thread of
  the server (see :func:`server.executor.stuck`) by running a first query before it
  says it is ready; it exits when the server closes its socket or dies.

Idle workers wait on their socket; they cost the memory they have written since the
fork (copy-on-write), not a copy of the server.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import select
import socket
import struct
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from loaders.store import GraphStore
from server.executor import (
    CHUNK,
    DEADLOCK_PROBE,
    FORK_ATTEMPTS,
    ForkDeadlock,
    QueryJob,
    Running,
    evaluate,
    reap,
    settle_child,
    stuck,
    until_not_deadlocked,
)
from server.negotiation import QueryFormats

log = logging.getLogger("claimgraph.pool")

_LENGTH = struct.Struct("!I")
_READY = b"R"
_READY_QUERY = "ASK { ?s ?p ?o }"


class PoolBusy(TimeoutError):
    """Every worker stayed busy until the query's deadline."""


def default_size() -> int:
    """Two workers per core, at most eight: queries are CPU-bound, and a second one per
    core keeps a short query from queueing behind a long one."""
    return min(8, 2 * (os.cpu_count() or 1))


# ------------------------------------------------------------------ the job on the wire


def encode_job(job: QueryJob) -> bytes:
    """A job as JSON: pyoxigraph's format objects do not pickle, their media types do."""
    formats = job.formats
    return json.dumps(
        {
            "sparql": job.sparql,
            "results": formats.results.media_type if formats.results else None,
            "graph": formats.graph.media_type if formats.graph else None,
            "requested": formats.requested,
            "union": job.union_default_graph,
            "default": _iris(job.default_graphs),
            "named": _iris(job.named_graphs),
            "base": job.base_iri,
            "max_rows": job.max_rows,
        }
    ).encode("utf-8")


def _iris(graphs: Sequence[NamedNode] | None) -> list[str] | None:
    return None if graphs is None else [g.value for g in graphs]


def decode_job(data: bytes) -> QueryJob:
    fields: dict[str, Any] = json.loads(data)
    results, graph = fields["results"], fields["graph"]

    def nodes(iris: list[str] | None) -> list[NamedNode] | None:
        return None if iris is None else [NamedNode(iri) for iri in iris]

    return QueryJob(
        sparql=fields["sparql"],
        formats=QueryFormats(
            results=QueryResultsFormat.from_media_type(results) if results else None,
            graph=RdfFormat.from_media_type(graph) if graph else None,
            requested=fields["requested"],
        ),
        union_default_graph=fields["union"],
        default_graphs=nodes(fields["default"]),
        named_graphs=nodes(fields["named"]),
        base_iri=fields["base"],
        max_rows=fields["max_rows"],
    )


def _send_job(sock: socket.socket, job: QueryJob, pipe_fd: int) -> None:
    payload = encode_job(job)
    message = _LENGTH.pack(len(payload)) + payload
    sent = socket.send_fds(sock, [message], [pipe_fd])
    if sent < len(message):
        sock.sendall(message[sent:])


def _receive_exactly(sock: socket.socket, size: int, head: bytes = b"") -> bytes | None:
    parts = [head]
    left = size - len(head)
    while left > 0:
        chunk = sock.recv(min(left, CHUNK))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _receive_job(sock: socket.socket) -> tuple[QueryJob, int] | None:
    """The next job and its pipe, or None when the server closed the socket."""
    data, fds, _flags, _addr = socket.recv_fds(sock, CHUNK, 1)
    if not data:
        for fd in fds:
            os.close(fd)
        return None
    if not fds:
        raise RuntimeError("a job arrived without its pipe")
    head = _receive_exactly(sock, _LENGTH.size, data[: _LENGTH.size])
    if head is None:
        return None
    (length,) = _LENGTH.unpack(head)
    payload = _receive_exactly(sock, length, data[_LENGTH.size :])
    if payload is None:
        os.close(fds[0])
        return None
    return decode_job(payload), fds[0]


# ------------------------------------------------------------------------ worker side


def prove_ready(store: GraphStore) -> None:
    """A first read: it takes a snapshot, which blocks if the DB mutex came locked."""
    store.query(_READY_QUERY)


def _worker_main(store: GraphStore, sock: socket.socket) -> None:  # pragma: no cover - child
    # Objects inherited from the server go to the permanent generation: collections in
    # this long-lived child then walk only what it allocates itself, and never write to
    # (so never copy) the inherited heap's pages.
    gc.freeze()
    code = 0
    try:
        settle_child(sock.fileno())
        prove_ready(store)
        sock.sendall(_READY)
        while (received := _receive_job(sock)) is not None:
            job, fd = received
            try:
                with os.fdopen(fd, "wb", buffering=CHUNK) as out:
                    evaluate(store, job, out)
            except BrokenPipeError:
                pass  # the server stopped reading this answer; ready for the next job
    except BaseException:
        log.exception("query worker failed")
        code = 70
    finally:
        os._exit(code)


# ------------------------------------------------------------------------ server side


@dataclass(eq=False)
class Worker:
    pid: int
    sock: socket.socket
    epoch: int

    def gone(self) -> bool:
        """An idle worker never writes to its socket: readable means it closed (exited)."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))

    def kill(self) -> None:
        reap(self.pid, kill=True)
        self.sock.close()


class _Lease:
    """A worker lent to one job; what :class:`Running` calls when the answer ends."""

    def __init__(self, pool: QueryPool, worker: Worker) -> None:
        self.pool = pool
        self.worker = worker
        self.pid = worker.pid

    def finished(self) -> None:
        self.pool.release(self.worker)

    def kill(self) -> None:
        self.pool.discard(self.worker)


class QueryPool:
    """Up to ``size`` worker processes answering queries on ``store``."""

    def __init__(self, store: GraphStore, size: int) -> None:
        if size < 1:
            raise ValueError(f"a query pool needs at least one worker, not {size}")
        self.size = size
        self._store = weakref.ref(store)  # the pool must not keep a closed store's lock
        self._idle: list[Worker] = []
        self._live = 0  # workers idle, busy or being forked
        self._closed = False
        self._cond = threading.Condition()

    # --- public

    def submit(self, job: QueryJob, deadline: float) -> Running:
        """Hand ``job`` to a worker; the :class:`Running` reads its answer.

        Raises :class:`PoolBusy` when no worker frees up before ``deadline``."""
        for _ in range(FORK_ATTEMPTS):
            worker = self._acquire(deadline)
            read_fd, write_fd = os.pipe()
            try:
                _send_job(worker.sock, job, write_fd)
            except OSError:  # the worker died while idle
                os.close(read_fd)
                self.discard(worker)
                continue
            finally:
                os.close(write_fd)
            return Running(read_fd, _Lease(self, worker))
        raise EOFError

    def release(self, worker: Worker) -> None:
        """``worker`` finished its answer: keep it if its snapshot is still current."""
        store = self._store()
        with self._cond:
            keep = not self._closed and store is not None and worker.epoch == _epoch(store)
            if keep:
                self._idle.append(worker)
            else:
                self._live -= 1
            self._cond.notify()
        if not keep:
            worker.kill()

    def discard(self, worker: Worker) -> None:
        """Kill ``worker`` (timed out, abandoned or dead) and free its place."""
        worker.kill()
        with self._cond:
            self._live -= 1
            self._cond.notify()

    def close(self) -> None:
        """Kill the idle workers now; busy ones are killed when their answer ends."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._live -= len(idle)
            self._cond.notify_all()
        for worker in idle:
            worker.kill()

    def pids(self) -> list[int]:
        """The idle workers' process ids (for tests and monitoring)."""
        with self._cond:
            return [w.pid for w in self._idle]

    # --- internals

    def _acquire(self, deadline: float) -> Worker:
        stale: list[Worker] = []
        try:
            with self._cond:
                while True:
                    if self._closed:
                        raise RuntimeError("the query pool is closed")
                    store = self._store()
                    if store is None:
                        raise RuntimeError("the store of this query pool is closed")
                    epoch = _epoch(store)
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.epoch == epoch and not worker.gone():
                            return worker
                        stale.append(worker)
                        self._live -= 1
                    if self._live < self.size:
                        self._live += 1
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise PoolBusy
                    self._cond.wait(remaining)
        finally:
            for worker in stale:
                worker.kill()
        try:
            return self._fork(store, deadline)
        except BaseException:
            with self._cond:
                self._live -= 1
                self._cond.notify()
            raise

    def _fork(self, store: GraphStore, deadline: float) -> Worker:
        epoch = _epoch(store)  # before the fork: a write under way moves it when it ends

        def attempt() -> Worker:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's code runs in another process
                _worker_main(store, theirs)
            theirs.close()
            worker = Worker(pid, ours, epoch)
            try:
                _await_ready(worker, deadline)
            except BaseException:
                worker.kill()
                raise
            return worker

        return until_not_deadlocked(attempt, "query worker")


def _epoch(store: GraphStore) -> int:
    return getattr(store, "epoch", 0)  # a remote store is never stale: it is not a snapshot


def _await_ready(worker: Worker, deadline: float) -> None:
    poller = select.poll()
    poller.register(worker.sock, select.POLLIN)
    suspicious = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        if poller.poll(min(remaining, DEADLOCK_PROBE) * 1000):
            if worker.sock.recv(1) != _READY:
                raise EOFError
            return
        suspicious = suspicious + 1 if stuck(worker.pid) else 0
        if suspicious >= 2:
            raise ForkDeadlock


# ---------------------------------------------------------------- one pool per store

_POOLS: weakref.WeakKeyDictionary[Any, QueryPool] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


def pool_for(store: GraphStore, size: int | None = None) -> QueryPool:
    """The pool of ``store``, made on first use with ``size`` workers (default:
    :func:`default_size`); its workers are killed when the store is collected."""
    with _POOLS_LOCK:
        pool = _POOLS.get(store)
        if pool is None:
            pool = QueryPool(store, size or default_size())
            _POOLS[store] = pool
            weakref.finalize(store, pool.close)
        return pool
