"""The real `claimgraph serve` (gunicorn, one gthread worker) answers over HTTP."""

from __future__ import annotations

import os
import re
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
from tests.serverkit import BLACK_JANUARY, load_example, serve


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


def _readme_commands() -> list[str]:
    """The curl commands of README.md's "HTTP API" section, continuation lines joined."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## HTTP API\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        commands += [c for c in re.split(r"\n(?=curl )", block.strip()) if c.startswith("curl")]
    return commands


def test_readme_curl_examples_work_as_written(live_server_factory, store, settings, tmp_path):
    load_example(store)
    server = serve(live_server_factory, store, settings, write_token="demo-token")
    commands = _readme_commands()
    assert len(commands) >= 10
    for command in commands:
        command = command.replace("http://127.0.0.1:8000", server.url)
        done = subprocess.run(
            ["bash", "-c", command + " --silent --show-error --fail-with-body"],
            cwd=tmp_path,
            capture_output=True,
            timeout=30,
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert (tmp_path / "claimgraph.nq").stat().st_size > 0


def test_serve_refuses_to_start_when_a_document_fails_and_names_it(store_path, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(
        "The Ombudsperson called the massacre in Srebrenica a genocide.\n", encoding="utf-8"
    )
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00\x81 not text \x00\x00")
    port = free_port()
    command = [sys.executable, "-m", "server.cli", "serve", "--store", store_path]
    done = subprocess.run(
        [*command, "--port", str(port), "--load", str(corpus)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "broken.txt" in done.stderr
    assert "not serving" in done.stderr
    assert "good.txt" in done.stdout + done.stderr  # the good file was loaded and reported
