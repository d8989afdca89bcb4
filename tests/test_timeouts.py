"""Hostile queries: stopped at the timeout, their process gone, the server answering others."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat

from server.executor import QueryJob, run_query
from server.negotiation import for_query
from server.pool import pool_for
from tests.serverkit import child_processes, error_of, serve, solutions

# 2,000 triples: a three-way cross join enumerates 8e9 rows, hours of work.
HOSTILE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
GRAPH = NamedNode("https://w3id.org/claimgraph/graph/test/generated")


@pytest.fixture
def big_store(store):
    p = NamedNode("http://example.org/p")
    store.raw.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(i), GRAPH) for i in range(2000)
    )
    return store


@pytest.mark.parametrize("isolation", ["pool", "fork"])
def test_hostile_query_is_stopped_and_others_are_served(
    live_server_factory, big_store, settings, isolation
):
    server = serve(
        live_server_factory, big_store, settings, query_timeout=2.0, query_isolation=isolation
    )
    before = set(child_processes())
    outcome: dict[str, requests.Response] = {}

    def hostile() -> None:
        outcome["hostile"] = requests.get(server.url + "/sparql", params={"query": HOSTILE})

    attacker = threading.Thread(target=hostile)
    attacker.start()
    time.sleep(0.5)
    running = {pid: ticks for pid, ticks in child_processes().items() if pid not in before}
    assert len(running) == 1, running  # the hostile query's own process
    (pid,) = running

    # Meanwhile another client gets its answer while the hostile query is still running.
    r = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p 7 }"})
    assert r.status_code == 200
    assert bool(ox.parse_query_results(r.content, QueryResultsFormat.JSON)) is True
    assert attacker.is_alive()
    assert child_processes().get(pid, 0) > running[pid]  # the hostile child is busy on a CPU

    attacker.join(timeout=30)
    answer = outcome["hostile"]
    assert answer.status_code == 503
    error = error_of(answer)
    assert error["code"] == "query-timeout"
    assert "2 s" in error["message"]
    assert not Path(f"/proc/{pid}").exists()  # killed and reaped: no CPU, no zombie
    # What is left is at most the idle query workers of the pool (none in fork mode).
    assert set(child_processes()) - before <= set(pool_for(big_store).pids())

    after = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p 1999 }"})
    assert after.status_code == 200


def test_thread_isolation_gives_the_same_answers(live_server_factory, big_store, settings):
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(?o < 5) }"
    expected = solutions(big_store.query(query), ["s"])
    assert len(expected) == 5
    for mode in ("thread", "fork"):
        server = serve(live_server_factory, big_store, settings, query_isolation=mode)
        r = requests.get(server.url + "/sparql", params={"query": query})
        assert solutions(ox.parse_query_results(r.content, QueryResultsFormat.JSON), ["s"]) == (
            expected
        ), mode


def test_a_child_born_deadlocked_is_replaced(big_store, tmp_path, monkeypatch):
    """A child that inherits a held lock (as when a RocksDB thread held the DB mutex at the
    fork) sleeps on a futex forever: the parent sees it, kills it and forks again."""
    import server.executor as executor

    marker = tmp_path / "first-child-was-here"
    real_evaluate = executor.evaluate

    def evaluate_after_a_deadlock(store, job, out):
        if not marker.exists():
            marker.touch()
            held = threading.Lock()
            held.acquire()
            held.acquire()  # never returns: the first child hangs like an inherited mutex
        real_evaluate(store, job, out)

    monkeypatch.setattr(executor, "evaluate", evaluate_after_a_deadlock)
    job = QueryJob(sparql="ASK { ?s ?p 3 }", formats=for_query(None, None))
    before = set(child_processes())
    answer = run_query(big_store, job, timeout=10, isolation="fork")
    assert marker.exists()
    assert b"".join(answer.body) == b'{"head":{},"boolean":true}'
    answer.body.close()
    assert set(child_processes()) <= before


def test_a_client_that_leaves_stops_the_child():
    """Closing the answer (what a WSGI server does when the client disconnects) kills the
    producer even while it is still writing."""
    from server.executor import stream

    def endless(out):
        while True:
            out.write(b"x" * 65536)

    before = set(child_processes())
    body = stream(endless, isolation="fork", idle_timeout=5)
    (pid,) = set(child_processes()) - before
    assert len(next(iter(body))) > 0
    body.close()
    assert not Path(f"/proc/{pid}").exists()


def test_an_unknown_isolation_mode_is_refused_at_start(store, settings):
    from server.app import create_app

    with pytest.raises(ValueError, match="query_isolation must be one of pool, fork, thread"):
        create_app(settings.replace(query_isolation="spawn"), store=store)
