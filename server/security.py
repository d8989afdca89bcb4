"""What protects the service and its clients: CORS, rate limits, write tokens, proxies.

- CORS: ``cors_origins`` is ``*`` (any origin, never with credentials) or a
  comma-separated allowlist; an allowed origin is echoed with ``Vary: Origin``.
  ``Server-Timing`` is exposed to scripts on those origins (``Timing-Allow-Origin``).
- Fair use: a token bucket per client address (``rate_limit`` requests per second,
  ``rate_burst`` above it), and at most ``client_queries`` queries evaluating at once
  per client; a client over its share gets 429 with ``Retry-After``. ``rate_limit = 0``
  turns both off.
  Behind a reverse proxy, set ``trust_proxy`` so the client address is the forwarded one.
- Writes: :func:`require_write_token` checks ``Authorization: Bearer <token>`` against
  ``write_token`` with :func:`hmac.compare_digest`; with no token configured, writes are off.
- Reverse proxy: with ``trust_proxy``, werkzeug's ProxyFix applies one proxy's
  ``X-Forwarded-For/-Proto/-Host/-Port/-Prefix``, so links built from the request
  (``url_for(..., _external=True)``, redirects) carry the public scheme, host and sub-path.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from server.errors import ApiError

bp = Blueprint("security", __name__)

EXPOSED_HEADERS = "Server-Timing, Location, Retry-After, Claimgraph-Rows, Claimgraph-Truncated"
ALLOWED_HEADERS = "Accept, Authorization, Content-Type"
ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per client key; thread-safe; forgets clients idle long enough to be full."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """Take one token for ``key``; 0.0 if allowed, else seconds until a token is free."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) > 10_000:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        refill = self.burst / self.rate
        for key in [k for k, b in self._buckets.items() if now - b.updated > refill]:
            del self._buckets[key]


class ClientSlots:
    """How many queries each client has running; refuses one over ``limit``.

    A request rate alone does not stop one client from holding every server thread
    with a few slow queries; this caps what a single client can occupy at once.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> bool:
        with self._lock:
            if self._running.get(key, 0) >= self.limit:
                return False
            self._running[key] = self._running.get(key, 0) + 1
            return True

    def give_back(self, key: str) -> None:
        with self._lock:
            left = self._running.get(key, 0) - 1
            if left > 0:
                self._running[key] = left
            else:
                self._running.pop(key, None)


# Endpoints whose work is a query evaluated for the client (until its answer starts).
QUERY_ENDPOINTS = frozenset(
    {"sparql.endpoint", "linked_data.data", "void.void", "export.export", "graph_store.read"}
)


def _settings():
    return current_app.config["SETTINGS"]


def _rate_limit() -> Response | None:
    limiter: RateLimiter | None = current_app.extensions.get("claimgraph.rate_limiter")
    if limiter is None or request.method == "OPTIONS" or request.endpoint == "security.health":
        return None
    wait = limiter.acquire(request.remote_addr or "unknown")
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429,
            "too-many-requests",
            f"more than {limiter.rate:g} requests per second from this client; "
            f"retry after {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    return None


def _take_slot() -> None:
    slots: ClientSlots | None = current_app.extensions.get("claimgraph.client_slots")
    if slots is None or request.endpoint not in QUERY_ENDPOINTS:
        return
    key = request.remote_addr or "unknown"
    if not slots.take(key):
        raise ApiError(
            429,
            "too-many-queries",
            f"this client already has {slots.limit} queries running; "
            "wait for one to finish, then retry",
            headers={"Retry-After": "1"},
        )
    g.claimgraph_slot = key


def _give_back_slot(exc: BaseException | None) -> None:
    # Runs when the request context ends: for a streamed answer, once it has started,
    # i.e. after the query was evaluated (see server.executor).
    key = g.pop("claimgraph_slot", None)
    if key is not None:
        current_app.extensions["claimgraph.client_slots"].give_back(key)


def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin:
        return response
    allowed = _settings().list_of("cors_origins")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Timing-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Timing-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def require_write_token() -> None:
    """Refuse the request unless writes are enabled and it carries the right bearer token."""
    token = _settings().write_token
    if not token:
        raise ApiError(
            403,
            "writes-disabled",
            "this server is read-only: SPARQL Update and Graph Store writes are enabled "
            "only when the server is started with a write token (CLAIMGRAPH_WRITE_TOKEN)",
        )
    challenge = {"WWW-Authenticate": 'Bearer realm="claimgraph"'}
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(
            401,
            "unauthorized",
            "writes need the header 'Authorization: Bearer <write token>'",
            headers=challenge,
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        raise ApiError(
            401,
            "unauthorized",
            "the bearer token is not this server's write token",
            headers={"WWW-Authenticate": 'Bearer realm="claimgraph", error="invalid_token"'},
        )


def server_timing(**durations: float) -> str:
    """``Server-Timing`` value from named durations in seconds (the header takes ms)."""
    return ", ".join(f"{name};dur={seconds * 1000:.1f}" for name, seconds in durations.items())


@bp.get("/health")
def health() -> Response:
    """Liveness and store reachability, cheap enough for a load balancer to poll."""
    from server.app import get_store

    store = get_store(current_app)
    started = time.perf_counter()
    store.query("ASK {}")
    response = jsonify({"status": "ok", "store": "remote" if "://" in store.location else "local"})
    response.headers["Server-Timing"] = server_timing(store=time.perf_counter() - started)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Install proxy handling, rate limiting and CORS on ``app``."""
    settings = app.config["SETTINGS"]
    if settings.trust_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    if settings.rate_limit > 0:
        app.extensions["claimgraph.rate_limiter"] = RateLimiter(
            settings.rate_limit, settings.rate_burst
        )
    if settings.rate_limit > 0 and settings.client_queries > 0:
        app.extensions["claimgraph.client_slots"] = ClientSlots(settings.client_queries)
    app.before_request(_rate_limit)
    app.before_request(_take_slot)
    app.teardown_request(_give_back_slot)
    app.after_request(_cors)
