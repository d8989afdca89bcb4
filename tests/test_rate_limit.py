"""Fair use: one client over its share gets 429 with Retry-After; the others are served."""

from __future__ import annotations

import threading
import time

import requests
from pyoxigraph import Literal, NamedNode, Quad

from server.security import RateLimiter
from tests.serverkit import error_of, serve

ASK = {"query": "ASK {}"}


def test_a_greedy_client_is_limited_and_others_are_not(live_server_factory, store, settings):
    # trust_proxy: the client address is X-Forwarded-For, as behind a reverse proxy.
    server = serve(
        live_server_factory, store, settings, rate_limit=0.2, rate_burst=3, trust_proxy=True
    )
    greedy = {"X-Forwarded-For": "203.0.113.7"}
    polite = {"X-Forwarded-For": "198.51.100.9"}
    url = server.url + "/sparql"
    statuses = [requests.get(url, params=ASK, headers=greedy).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # the burst
    refused = requests.get(url, params=ASK, headers=greedy)
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "too-many-requests"
    # One token every 5 s at 0.2 requests/s: the client is told to wait up to 5 s.
    assert 1 <= int(refused.headers["Retry-After"]) <= 5
    assert requests.get(url, params=ASK, headers=polite).status_code == 200
    assert requests.get(server.url + "/health", headers=greedy).status_code == 200


def test_no_limit_when_rate_is_zero(live_server_factory, store, settings):
    server = serve(live_server_factory, store, settings, rate_limit=0.0, rate_burst=1)
    for _ in range(5):
        assert requests.get(server.url + "/sparql", params=ASK).status_code == 200


def test_token_bucket_refills_at_the_rate():
    now = [100.0]
    limiter = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == 0.5  # half a second until the next token at 2/s
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    now[0] += 0.5
    assert limiter.acquire("a") == 0.0
    now[0] += 10  # long idle: the bucket is full again, never more than the burst
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.5]


def test_one_client_cannot_hold_every_thread_with_slow_queries(
    live_server_factory, store, settings
):
    p = NamedNode("http://example.org/p")
    store.raw.extend(
        Quad(NamedNode(f"http://example.org/s{i}"), p, Literal(i)) for i in range(2000)
    )
    server = serve(
        live_server_factory,
        store,
        settings,
        rate_limit=100.0,
        client_queries=1,
        query_timeout=2.0,
        trust_proxy=True,
    )
    greedy = {"X-Forwarded-For": "203.0.113.7"}
    slow = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}
    first: dict[str, requests.Response] = {}
    running = threading.Thread(
        target=lambda: first.update(
            r=requests.get(server.url + "/sparql", params=slow, headers=greedy)
        )
    )
    running.start()
    time.sleep(0.5)
    second = requests.get(server.url + "/sparql", params=ASK, headers=greedy)
    assert second.status_code == 429
    assert error_of(second)["code"] == "too-many-queries"
    assert second.headers["Retry-After"] == "1"
    other = requests.get(
        server.url + "/sparql", params=ASK, headers={"X-Forwarded-For": "198.51.100.9"}
    )
    assert other.status_code == 200
    running.join(timeout=30)
    assert first["r"].status_code == 503  # the slow one hit the timeout
    # Its slot was given back: the same client may query again.
    assert requests.get(server.url + "/sparql", params=ASK, headers=greedy).status_code == 200
