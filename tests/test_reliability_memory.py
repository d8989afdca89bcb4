"""A huge result is capped at ``max_rows`` and streamed: memory stays bounded.

The hostile query is a cross join of 2,000 triples with itself: four million solutions,
about a gigabyte as SPARQL JSON. The server must answer the first ``max_rows`` of them,
say so in ``Claimgraph-Truncated``, and do it without its memory growing with the size
the full answer would have. Memory is the proportional set size (PSS) of the server
process and every query process it forked, sampled while the answer is read: PSS splits
pages shared after a fork among the processes, so the sum counts each page once.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat

from tests.serverkit import child_processes, serve

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


def server_memory() -> int:
    """PSS of this process (which runs the server threads) and its query processes."""
    import os

    return pss_bytes(os.getpid()) + sum(pss_bytes(pid) for pid in child_processes())


class PeakSampler:
    """Samples :func:`server_memory` every few milliseconds on a thread; keeps the peak."""

    def __init__(self) -> None:
        self.peak = server_memory()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, server_memory())
            time.sleep(0.005)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def big_store(store):
    p = NamedNode("http://example.org/p")
    store.raw.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(i), GRAPH) for i in range(TRIPLES)
    )
    return store


@pytest.mark.parametrize("isolation", ["fork", "thread"])
def test_a_huge_result_is_capped_and_memory_stays_bounded(
    live_server_factory, big_store, settings, isolation
):
    server = serve(
        live_server_factory, big_store, settings, max_rows=CAP, query_isolation=isolation
    )
    requests.get(server.url + "/sparql", params={"query": "ASK {}"})  # warm the code paths
    baseline = server_memory()
    received = bytearray()
    with (
        PeakSampler() as sampler,
        requests.get(
            server.url + "/sparql",
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


def test_the_answer_is_streamed_while_the_client_reads_slowly(
    live_server_factory, big_store, settings
):
    """A client that reads slowly does not make the server hold the whole answer: the
    query process stays blocked on its pipe until the client reads on."""
    cap = 200_000  # about 20 MiB of CSV: more than the pipe and socket buffers hold
    server = serve(live_server_factory, big_store, settings, max_rows=cap)
    before = set(child_processes())
    baseline = server_memory()
    with (
        PeakSampler() as sampler,
        requests.get(
            server.url + "/sparql",
            params={"query": CROSS_JOIN},
            headers={"Accept": "text/csv"},
            stream=True,
            timeout=120,
        ) as r,
    ):
        assert r.status_code == 200
        chunks = r.iter_content(1 << 16)
        first = next(chunks)
        time.sleep(1.0)  # plenty of time to finish, if nothing held the query process back
        waiting = set(child_processes()) - before
        total = len(first) + sum(len(chunk) for chunk in chunks)
    assert first.startswith(b"a,b,c,d,e,f\r\n")
    assert len(waiting) == 1  # still there: blocked writing what the client has not read
    assert total > 15 * MIB
    assert sampler.peak - baseline < 150 * MIB
    deadline = time.monotonic() + 5
    while set(child_processes()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(child_processes()) <= before
