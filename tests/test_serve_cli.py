"""The real `claimgraph serve` (gunicorn, one gthread worker) answers over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import requests
from pyoxigraph import QueryResultsFormat

from loaders.store import EmbeddedStore
from server.commands.serve import gunicorn_options
from server.settings import Settings
from tests.conftest import REPO, free_port
from tests.serverkit import BLACK_JANUARY, load_example


@pytest.fixture
def served(store_path):
    store = load_example(EmbeddedStore(store_path))
    store.flush()
    del store  # the server process takes the store's lock
    port = free_port()
    env = {**os.environ, "CLAIMGRAPH_QUERY_TIMEOUT": "1.5", "CLAIMGRAPH_RATE_LIMIT": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--store", store_path, "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.2)
        assert process.poll() is None, process.stderr.read().decode()
    yield url
    process.terminate()
    process.wait(timeout=20)
    process.stderr.close()


def test_serve_answers_queries_and_stops_hostile_ones(served):
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    query = f"SELECT ?label WHERE {{ <{BLACK_JANUARY.value}> {label} ?label }}"
    r = requests.get(served + "/sparql", params={"query": query}, timeout=10)
    assert r.status_code == 200
    assert "gunicorn" in r.headers.get("Server", "")
    labels = [s["label"] for s in ox.parse_query_results(r.content, QueryResultsFormat.JSON)]
    assert labels == [ox.Literal("Black January", language="en")]
    hostile = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    r = requests.get(served + "/sparql", params={"query": hostile}, timeout=30)
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "query-timeout"
    assert requests.get(served + "/sparql", params={"query": "ASK {}"}, timeout=10).ok


def test_gunicorn_options_follow_settings():
    options = gunicorn_options(Settings.from_mapping({"port": 8123, "threads": 3}))
    assert options["bind"] == "127.0.0.1:8123"
    assert options["workers"] == 1  # one process may hold the store read-write
    assert options["worker_class"] == "gthread"
    assert options["threads"] == 3
