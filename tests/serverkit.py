"""Helpers shared by the HTTP tests: the example dataset in a store, the app behind a server.

The dataset is ``tests/fixtures/example.trig`` (hand-written from one seed document), the
one fixture graph that the tests, the README examples and the demo share.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from loaders.store import EmbeddedStore
from server.app import create_app
from server.settings import Settings
from tests.conftest import FIXTURES

EXAMPLE = FIXTURES / "example.trig"
BASE = "https://w3id.org/claimgraph/"
REFERENCE_GRAPH = NamedNode(BASE + "graph/reference")
BLACK_JANUARY = NamedNode(BASE + "id/event/black-january")
TOKEN = "s3cret-token-for-tests"


def load_example(store: EmbeddedStore) -> EmbeddedStore:
    with EXAMPLE.open("rb") as f:
        store.raw.load(f, RdfFormat.TRIG)
    return store


def serve(live_server_factory, store: EmbeddedStore, settings: Settings, **changes):
    """The app for ``store`` with ``settings`` (plus ``changes``) on a live server."""
    app = create_app(settings.replace(**changes), store=store)
    return live_server_factory(app)


def solutions(results: Iterable[ox.QuerySolution], variables: Iterable[str]) -> set[tuple]:
    """Solutions as a set of term tuples, for comparing answers whatever their order."""
    names = list(variables)
    return {tuple(s[name] for name in names) for s in results}


def triples(items: Iterable[ox.Triple | ox.Quad]) -> set[ox.Triple]:
    return {item.triple if isinstance(item, ox.Quad) else item for item in items}


def canonical(items: Iterable[ox.Triple | ox.Quad]) -> set[ox.Quad]:
    """Quads with blank nodes relabelled canonically, to compare graphs up to isomorphism."""
    dataset = ox.Dataset(
        item if isinstance(item, ox.Quad) else ox.Quad(item.subject, item.predicate, item.object)
        for item in items
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def error_of(response) -> dict:
    """The JSON error body, after checking it has the one error shape and no stack trace."""
    assert response.headers["Content-Type"].startswith("application/json"), response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == response.status_code
    assert body["error"]["message"]
    return body["error"]


def child_processes() -> dict[int, int]:
    """pid -> CPU ticks (user + system) of every child process of this test process."""
    me = os.getpid()
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z":
            found[int(name)] = int(fields[11]) + int(fields[12])
    return found


def children_left_after(before: set[int], seconds: float = 5.0, *, store=None) -> set[int]:
    """Child processes not in ``before`` that are still alive once ``seconds`` have passed,
    apart from the idle query workers of ``store``'s pool (kept on purpose for the next
    query).

    A child is killed when its client goes away, which happens just after the response is
    read; polling briefly keeps the test about the promise, not about scheduling.
    """
    from server.pool import pool_for

    deadline = time.monotonic() + seconds
    while True:
        idle = set(pool_for(store).pids()) if store is not None else set()
        extra = set(child_processes()) - before - idle
        if not extra or time.monotonic() > deadline:
            return extra
        time.sleep(0.05)
