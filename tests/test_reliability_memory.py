"""A huge result is capped at ``max_rows`` and streamed: memory stays bounded.

The hostile query is a cross join of 2,000 triples with itself: four million solutions,
about a gigabyte as SPARQL JSON. The server must answer the first ``max_rows`` of them,
say so in ``Claimgraph-Truncated``, and do it without its memory growing with the size
the full answer would have. Memory is the proportional set size (PSS) of the server
process and every query process it forked, sampled while the answer is read: PSS splits
pages shared after a fork among the processes, so the sum counts each page once.

The server is the real `claimgraph serve` (gunicorn) in its own process, so its figures
are the server's own, not those of the pytest process around it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat

from loaders.store import EmbeddedStore
from tests.conftest import REPO, free_port

GRAPH = NamedNode("https://w3id.org/claimgraph/graph/test/generated")
TRIPLES = 2_000
CROSS_JOIN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # TRIPLES ** 2 solutions
CAP = 50_000
MIB = 1024 * 1024


def pss_bytes(pid: int) -> int:
    """Proportional set size of ``pid`` (0 once the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``: gunicorn's worker and its query processes."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def server_memory(pid: int) -> int:
    """PSS of the server process tree (master, worker, query processes)."""
    return pss_bytes(pid) + sum(pss_bytes(child) for child in descendants(pid))


class PeakSampler:
    """Samples :func:`server_memory` every few milliseconds on a thread; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = server_memory(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, server_memory(self.pid))
            time.sleep(0.005)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def big_store(store_path: str) -> str:
    """A store of TRIPLES triples on disk, closed again for the server to open."""
    store = EmbeddedStore(store_path)
    p = NamedNode("http://example.org/p")
    store.raw.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(i), GRAPH) for i in range(TRIPLES)
    )
    store.flush()
    del store
    gc.collect()  # drop the last reference, and with it the store's lock
    return store_path


@contextlib.contextmanager
def real_server(store_path: str, **options: object) -> Iterator[tuple[str, int]]:
    """`claimgraph serve` on the store, in its own process: (url, pid)."""
    port = free_port()
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    command = [sys.executable, "-m", "server.cli", "serve", "--store", store_path]
    env = {**os.environ, "CLAIMGRAPH_RATE_LIMIT": "0"}
    process = subprocess.Popen(
        [*command, "--port", str(port), *flags],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "claimgraph serve exited"
            try:
                if requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=2).ok:
                    break  # also warms the code paths
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "claimgraph serve did not start"
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def query_processes(pid: int) -> set[int]:
    """The query processes: grandchildren of the gunicorn master (below its worker)."""
    workers = {
        int(c)
        for t in Path(f"/proc/{pid}/task").iterdir()
        for c in (t / "children").read_text().split()
    }
    return descendants(pid) - workers


@pytest.mark.parametrize("isolation", ["fork", "thread"])
def test_a_huge_result_is_capped_and_memory_stays_bounded(big_store, isolation):
    received = bytearray()
    with real_server(big_store, max_rows=CAP, query_isolation=isolation) as (url, pid):
        baseline = server_memory(pid)
        with (
            PeakSampler(pid) as sampler,
            requests.get(
                url + "/sparql",
                params={"query": CROSS_JOIN},
                headers={"Accept": "application/sparql-results+json"},
                stream=True,
                timeout=120,
            ) as r,
        ):
            assert r.status_code == 200
            assert r.headers["Claimgraph-Truncated"] == f"max_rows={CAP}"
            assert r.headers["Claimgraph-Rows"] == str(CAP)
            for chunk in r.iter_content(1 << 16):
                received += chunk
    rows = list(ox.parse_query_results(bytes(received), QueryResultsFormat.JSON))
    assert len(rows) == CAP
    assert {row["b"].value for row in rows} == {"http://example.org/p"}

    full_answer = len(received) / CAP * TRIPLES**2  # what the uncapped answer would weigh
    growth = sampler.peak - baseline
    assert full_answer > 800 * MIB
    assert growth < 150 * MIB, f"server memory grew by {growth / MIB:.0f} MiB"
    assert growth < full_answer / 8


def test_the_answer_is_streamed_while_the_client_reads_slowly(big_store):
    """A client that reads slowly does not make the server hold the whole answer: the
    query process stays blocked on its pipe until the client reads on."""
    cap = 200_000  # about 20 MiB of CSV: more than the pipe and socket buffers hold
    with real_server(big_store, max_rows=cap, query_isolation="fork") as (url, pid):
        before = query_processes(pid)
        baseline = server_memory(pid)
        with (
            PeakSampler(pid) as sampler,
            requests.get(
                url + "/sparql",
                params={"query": CROSS_JOIN},
                headers={"Accept": "text/csv"},
                stream=True,
                timeout=120,
            ) as r,
        ):
            assert r.status_code == 200
            chunks = r.iter_content(1 << 16)
            first = next(chunks)
            time.sleep(1.0)  # plenty of time to finish, if nothing held the query back
            waiting = query_processes(pid) - before
            total = len(first) + sum(len(chunk) for chunk in chunks)
        assert first.startswith(b"a,b,c,d,e,f\r\n")
        assert len(waiting) == 1  # still there: blocked writing what the client has not read
        assert total > 15 * MIB
        assert sampler.peak - baseline < 150 * MIB
        deadline = time.monotonic() + 5
        while query_processes(pid) - before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert query_processes(pid) <= before
