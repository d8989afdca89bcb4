"""Query worker processes forked ahead (``query_isolation = "pool"``): reused while the
store is unchanged, replaced after a write, killed at the timeout, never stuck."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, RdfFormat

from server import pool as pool_module
from server.errors import ApiError
from server.executor import QueryJob, run_query
from server.negotiation import QueryFormats, for_query
from server.pool import decode_job, encode_job, pool_for
from tests.serverkit import child_processes

GRAPH = NamedNode("https://w3id.org/claimgraph/graph/test/pool")
P = NamedNode("http://example.org/p")
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def filled(store):
    store.raw.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), P, Literal(i), GRAPH) for i in range(2000)
    )
    return store


def results(store, sparql: str, *, timeout: float = 10.0):
    """The parsed SPARQL JSON answer of ``sparql``, run in the store's query pool."""
    job = QueryJob(sparql=sparql, formats=for_query(None, None))
    answer = run_query(store, job, timeout=timeout, isolation="pool")
    try:
        payload = b"".join(answer.body)
    finally:
        answer.body.close()
    return ox.parse_query_results(payload, QueryResultsFormat.JSON)


def ask(store, sparql: str, *, timeout: float = 10.0) -> bool:
    return bool(results(store, sparql, timeout=timeout))


def count(store, sparql: str) -> int:
    (row,) = results(store, sparql)
    return int(row["n"].value)


def busy_workers(store, before: set[int]) -> set[int]:
    """Workers of the store's pool running a query: children new since ``before``, not idle."""
    return set(child_processes()) - set(pool_for(store).pids()) - before


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_a_worker_answers_query_after_query(filled):
    before = set(child_processes())
    assert ask(filled, "ASK { ?s ?p 3 }")
    (worker,) = pool_for(filled).pids()
    assert worker not in before
    for value in (5, 17, 1999):
        assert ask(filled, f"ASK {{ ?s ?p {value} }}")
    assert not ask(filled, "ASK { ?s ?p 2000 }")
    assert pool_for(filled).pids() == [worker]  # no fork per query
    assert set(child_processes()) - before == {worker}


def test_after_a_write_queries_see_it_and_the_stale_worker_is_gone(filled):
    assert count(filled, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 2000
    (old,) = pool_for(filled).pids()
    filled.update(f"INSERT DATA {{ GRAPH {GRAPH} {{ <http://example.org/new> {P} 1 }} }}")
    assert count(filled, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 2001
    (new,) = pool_for(filled).pids()
    assert new != old
    assert not alive(old)
    filled.replace_graph(GRAPH, [])
    assert count(filled, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 0


def test_a_query_past_the_timeout_kills_its_worker_and_the_next_gets_a_new_one(filled):
    assert ask(filled, "ASK { ?s ?p 3 }")
    (first,) = pool_for(filled).pids()
    with pytest.raises(ApiError) as caught:
        ask(filled, HOSTILE, timeout=1.0)
    assert caught.value.status == 503 and caught.value.code == "query-timeout"
    assert not alive(first)
    assert pool_for(filled).pids() == []
    assert ask(filled, "ASK { ?s ?p 1999 }")
    (second,) = pool_for(filled).pids()
    assert second != first


def test_a_client_error_keeps_the_worker(filled):
    assert ask(filled, "ASK { ?s ?p 3 }")
    (worker,) = pool_for(filled).pids()
    with pytest.raises(ApiError) as caught:
        ask(filled, "ASK { ?s ?p ")
    assert caught.value.status == 400 and caught.value.code == "malformed-query"
    graph_only = QueryFormats(results=None, graph=RdfFormat.TURTLE, requested="text/turtle")
    job = QueryJob(sparql="ASK { ?s ?p 3 }", formats=graph_only)
    with pytest.raises(ApiError) as caught:
        run_query(filled, job, timeout=10, isolation="pool")
    assert caught.value.status == 406
    assert pool_for(filled).pids() == [worker]
    assert ask(filled, "ASK { ?s ?p 4 }")


def test_an_abandoned_answer_kills_its_worker(filled):
    job = QueryJob(
        sparql="SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }",  # 4 million rows, capped
        formats=for_query(None, None),
        max_rows=100_000,
    )
    answer = run_query(filled, job, timeout=10, isolation="pool")
    busy = answer.body._running.pid
    assert next(iter(answer.body))
    answer.body.close()  # the client left mid-answer
    assert not alive(busy)
    assert pool_for(filled).pids() == []
    assert ask(filled, "ASK { ?s ?p 3 }")


def test_a_worker_that_died_while_idle_is_replaced(filled):
    assert ask(filled, "ASK { ?s ?p 3 }")
    (worker,) = pool_for(filled).pids()
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while Path(f"/proc/{worker}/stat").exists():
        if Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            break
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert ask(filled, "ASK { ?s ?p 4 }")
    (replacement,) = pool_for(filled).pids()
    assert replacement != worker
    assert not alive(worker)  # reaped, not left a zombie


def test_when_every_worker_is_busy_a_query_waits_then_gets_503(filled):
    assert pool_for(filled, 1).size == 1
    started = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def hostile() -> None:
        started.set()
        try:
            ask(filled, HOSTILE, timeout=3.0)
        except ApiError as exc:
            outcome["hostile"] = exc

    before = set(child_processes())
    attacker = threading.Thread(target=hostile)
    attacker.start()
    started.wait()
    deadline = time.monotonic() + 10
    while not busy_workers(filled, before):  # wait until the only worker runs the cross join
        assert time.monotonic() < deadline
        time.sleep(0.01)
    t0 = time.monotonic()
    with pytest.raises(ApiError) as caught:
        ask(filled, "ASK { ?s ?p 3 }", timeout=0.5)
    waited = time.monotonic() - t0
    assert caught.value.status == 503 and caught.value.code == "server-busy"
    assert 0.4 < waited < 2.5
    attacker.join(10)
    assert outcome["hostile"].code == "query-timeout"
    assert ask(filled, "ASK { ?s ?p 3 }")  # the place freed by the kill is filled again


def test_concurrent_queries_share_a_bounded_pool(filled):
    pool = pool_for(filled, 2)
    before = set(child_processes())
    errors: list[str] = []
    seen: set[int] = set()

    def client(k: int) -> None:
        for i in range(10):
            value = (k * 100 + i) % 2000
            if not ask(filled, f"ASK {{ ?s ?p {value} }}"):
                errors.append(f"{value} not found")
            seen.update(set(child_processes()) - before)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert 1 <= len(seen) <= 2
    assert len(pool.pids()) <= 2


def test_a_worker_born_on_a_held_lock_is_replaced(filled, tmp_path, monkeypatch):
    """A worker that inherits a held lock sleeps on a futex in its first read: the pool
    sees it, kills it and forks another."""
    marker = tmp_path / "first-worker-was-here"
    real = pool_module.prove_ready

    def ready_after_a_deadlock(store):
        if not marker.exists():
            marker.touch()
            held = threading.Lock()
            held.acquire()
            held.acquire()  # never returns, like an inherited RocksDB mutex
        real(store)

    monkeypatch.setattr(pool_module, "prove_ready", ready_after_a_deadlock)
    before = set(child_processes())
    assert ask(filled, "ASK { ?s ?p 3 }")
    assert marker.exists()
    assert set(child_processes()) - before == set(pool_for(filled).pids())
    assert len(pool_for(filled).pids()) == 1


def test_closing_the_pool_ends_its_workers(filled):
    assert ask(filled, "ASK { ?s ?p 3 }")
    (worker,) = pool_for(filled).pids()
    pool_for(filled).close()
    assert not alive(worker)
    with pytest.raises(RuntimeError, match="closed"):
        pool_for(filled).submit(
            QueryJob(sparql="ASK {}", formats=for_query(None, None)), time.monotonic() + 1
        )


@pytest.mark.parametrize(
    "formats",
    [
        for_query(None, None),
        for_query("text/csv", None),
        for_query("text/turtle", None),
        QueryFormats(results=None, graph=RdfFormat.JSON_LD, requested="application/ld+json"),
    ],
)
def test_a_job_crosses_the_socket_unchanged(formats):
    job = QueryJob(
        sparql='SELECT * WHERE { ?s ?p "é\\n" }',
        formats=formats,
        union_default_graph=False,
        default_graphs=[NamedNode("http://example.org/g1")],
        named_graphs=[NamedNode("http://example.org/g2"), NamedNode("http://example.org/g3")],
        base_iri="http://example.org/base/",
        max_rows=7,
    )
    assert decode_job(encode_job(job)) == job
    bare = QueryJob(sparql="ASK {}", formats=formats)
    assert decode_job(encode_job(bare)) == bare


def test_a_negative_worker_count_is_refused_at_start(store, settings):
    from server.app import create_app

    with pytest.raises(ValueError, match="query_workers must be 0 \\(two per core\\) or more"):
        create_app(settings.replace(query_workers=-1), store=store)
