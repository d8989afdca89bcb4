"""The guard that keeps SPARQL ``SERVICE`` and ``LOAD`` on the configured allowlist.

pyoxigraph 0.5 evaluates ``SERVICE <url>`` and ``LOAD <url>`` itself, with its own Rust
HTTP client: Python's socket hooks never see those connections, and there is no option
to restrict them. So the only place to stop server-side request forgery is *before* the
query reaches pyoxigraph: :func:`guard_query` / :func:`guard_update` parse the request
with rdflib's SPARQL parser (a real grammar, so prefixed names, ``BASE``, relative IRIs,
``\\u`` escapes, comments and string literals are all read as a SPARQL engine reads
them), collect every ``SERVICE`` and ``LOAD`` target and refuse the request unless each
target is on ``settings.service_allowlist``.

Rules (docs/integration.md repeats them for operators):

- A target must be an absolute ``http``/``https`` IRI without user info or ``.``/``..``
  path segments (percent-encoded ones included); it matches an
  allowlist entry with the same scheme, host and port whose path is a prefix of the
  target's path at a ``/`` boundary (``http://h/sparql`` allows ``http://h/sparql`` and
  ``http://h/sparql/x``, not ``http://h/sparql2``). Hosts compare as written (case
  aside): ``http://2130706433/`` never matches an entry for ``127.0.0.1``.
- A variable target (``SERVICE ?endpoint``) is refused: it could be bound to anything.
- An allowlisted host *name* must resolve only to public addresses; a loopback,
  private, link-local or otherwise non-global address is refused unless the allowlist
  names that address itself (``http://10.0.0.5:3030/``). This stops a DNS name on the
  list from being pointed at the inside of the network.
- Redirects: pyoxigraph 0.5's client for ``SERVICE`` and ``LOAD`` follows no redirect
  at all (a 3xx is an error), so a listed endpoint cannot bounce a request elsewhere;
  ``tests/test_federation.py`` keeps that behaviour under test.
- If a request mentions ``SERVICE`` or ``LOAD`` but rdflib cannot parse it (rdflib
  fails on nested ``SERVICE`` blocks, for instance), it is refused: the guard fails
  closed. Requests that mention neither word (after decoding ``\\u`` escapes) cannot
  reach the network and are passed on without parsing.

The parse runs in a forked child with a deadline (:data:`CHECK_SECONDS`): rdflib is slow
on some inputs, and this check runs before the query reaches the killable query worker,
so a request too costly to check is refused (400) rather than keeping a CPU busy.

The error messages name the offending IRI as the client wrote it and the rule it broke;
nothing is fetched from a refused target, so nothing from it can be echoed.
Known limit: between this check and pyoxigraph's own lookup a host name could be
re-pointed (DNS rebinding); allowlist IP literals or filter egress where that matters.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import re
import select
import signal
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from server.settings import Settings

Resolver = Callable[[str, int], Iterable[str]]
CHECK_SECONDS = 5.0  # most time the SERVICE/LOAD check may take before the request is refused

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Characters never legal in an IRI reference; their presence means parsers may disagree.
_BAD_IRI_CHARS = re.compile(r"[\x00-\x20<>\"{}|\\^`]")


class FederationError(ValueError):
    """A request was refused because of a SERVICE or LOAD target.

    ``status`` is the HTTP status to answer with: 403 for a target that is not allowed,
    400 for a request that mentions SERVICE/LOAD but cannot be checked.
    """

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Target:
    """One place a request would make pyoxigraph connect to."""

    keyword: str  # "SERVICE" or "LOAD"
    iri: str | None  # None for a variable SERVICE target
    variable: str | None = None


@dataclass(frozen=True)
class AllowedEndpoint:
    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str) -> AllowedEndpoint:
        parts = _split_http(url)
        if parts is None:
            raise ValueError(
                f"setting service_allowlist: {url!r} is not an absolute http(s) URL "
                "without user info (example: https://query.wikidata.org/sparql)"
            )
        return cls(parts.scheme, _host(parts), _port(parts), parts.path.rstrip("/"))

    def matches(self, parts: SplitResult) -> bool:
        if (parts.scheme, _host(parts), _port(parts)) != (self.scheme, self.host, self.port):
            return False
        path = parts.path
        return not self.path or path == self.path or path.startswith(self.path + "/")


def allowlist(settings: Settings) -> list[AllowedEndpoint]:
    """The parsed ``service_allowlist``; a malformed entry is a configuration error."""
    return [AllowedEndpoint.parse(url) for url in settings.list_of("service_allowlist")]


def guard_query(
    sparql: str,
    settings: Settings,
    *,
    base_iri: str | None = None,
    resolve: Resolver | None = None,
) -> None:
    """Raise :class:`FederationError` unless every SERVICE target of the query is allowed.

    Call it with the same ``base_iri`` the query will be evaluated with.
    """
    _guard(sparql, settings, update=False, base_iri=base_iri, resolve=resolve)


def guard_update(
    sparql: str,
    settings: Settings,
    *,
    base_iri: str | None = None,
    resolve: Resolver | None = None,
) -> None:
    """Raise :class:`FederationError` unless every LOAD and SERVICE target is allowed."""
    _guard(sparql, settings, update=True, base_iri=base_iri, resolve=resolve)


def _guard(
    sparql: str,
    settings: Settings,
    *,
    update: bool,
    base_iri: str | None,
    resolve: Resolver | None,
) -> None:
    if not may_reach_network(sparql):
        return
    endpoints = allowlist(settings)
    for target in isolated_targets(sparql, update=update, base_iri=base_iri):
        check_target(target, endpoints, resolve or _system_resolve)


def isolated_targets(
    sparql: str, *, update: bool, base_iri: str | None, seconds: float = CHECK_SECONDS
) -> list[Target]:
    """:func:`remote_targets`, computed in a forked child that is killed after ``seconds``.

    rdflib's parser is slow on some inputs (a 130 kB FILTER takes about a minute) and
    runs before the query reaches the killable query worker, so it gets its own deadline:
    a request too costly to check is refused instead of keeping a CPU busy.
    """
    # Imported here, once, so that every forked child inherits the loaded parser.
    from rdflib.plugins.sparql import algebra, parser  # noqa: F401

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, report as JSON, exit without running any cleanup
        try:
            os.close(read_fd)
            try:
                targets = remote_targets(sparql, update=update, base_iri=base_iri)
                payload: dict[str, Any] = {"targets": [dataclasses.asdict(t) for t in targets]}
            except FederationError as exc:
                payload = {"error": str(exc), "status": exc.status}
            with os.fdopen(write_fd, "wb") as out:
                out.write(json.dumps(payload).encode("utf-8"))
        finally:
            os._exit(0)
    os.close(write_fd)
    try:
        data = _read_until(read_fd, time.monotonic() + seconds)
    finally:
        os.close(read_fd)
        _reap(pid)
    if data is None:
        raise FederationError(
            f"this request mentions SERVICE or LOAD and is too complex to check within "
            f"{seconds:g} s; such requests are refused. Simplify or split it.",
            status=400,
        )
    try:
        payload = json.loads(data)
    except ValueError:
        payload = {"error": "the SERVICE/LOAD check failed; refused.", "status": 400}
    if "error" in payload:
        raise FederationError(payload["error"], status=payload["status"])
    return [Target(**item) for item in payload["targets"]]


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until EOF, or None when the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    """Kill the checker if it still runs (it is killed on timeout), and collect it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def may_reach_network(sparql: str) -> bool:
    """False when the text cannot contain a SERVICE or LOAD keyword in any reading."""
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    lowered = decoded.casefold()
    return "service" in lowered or "load" in lowered


def remote_targets(
    sparql: str, *, update: bool = False, base_iri: str | None = None
) -> list[Target]:
    """Every SERVICE and LOAD target of a query or update, IRIs fully resolved."""
    from rdflib.plugins.sparql import algebra, parser

    kind = "update" if update else "query"
    try:
        # Count SERVICE clauses before translation, which rewrites the parse tree in place.
        if update:
            parsed = parser.parseUpdate(sparql)
            in_parse_tree = sum(1 for _ in _nodes(parsed, "ServiceGraphPattern"))
            translated: Any = algebra.translateUpdate(parsed, base=base_iri).algebra
        else:
            parsed = parser.parseQuery(sparql)
            in_parse_tree = sum(1 for _ in _nodes(parsed, "ServiceGraphPattern"))
            translated = algebra.translateQuery(parsed, base=base_iri).algebra
    except Exception as exc:  # rdflib raises many types (incl. RecursionError) on bad input
        raise FederationError(
            f"this {kind} mentions SERVICE or LOAD but could not be checked against the "
            f"service allowlist ({type(exc).__name__}); such requests are refused. Check "
            "the syntax, and avoid nested SERVICE blocks.",
            status=400,
        ) from None
    targets = list(_collect(translated))
    # The algebra must keep every SERVICE the parse tree has; if not, refuse rather than guess.
    if in_parse_tree != sum(1 for t in targets if t.keyword == "SERVICE"):
        raise FederationError(
            f"the SERVICE clauses of this {kind} could not all be located; refused.", status=400
        )
    return targets


def _collect(tree: Any) -> Iterator[Target]:
    from rdflib.term import URIRef, Variable

    for node in _nodes(tree, "ServiceGraphPattern"):
        term = node.get("term")
        if isinstance(term, Variable):
            yield Target("SERVICE", None, variable=str(term))
        elif isinstance(term, URIRef):
            yield Target("SERVICE", str(term))
        else:
            raise FederationError(f"unrecognised SERVICE target {term!r}; refused.", status=400)
    for node in _nodes(tree, "Load"):
        yield Target("LOAD", str(node.get("iri")))


def _nodes(tree: Any, name: str) -> Iterator[Any]:
    """Every rdflib CompValue called ``name`` anywhere in a parse tree or algebra."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            if item.name == name:
                yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | ParseResults):
            stack.extend(item)


def check_target(target: Target, endpoints: list[AllowedEndpoint], resolve: Resolver) -> None:
    """Raise :class:`FederationError` unless ``target`` may be contacted."""
    if target.iri is None:
        raise FederationError(
            f"SERVICE with a variable endpoint (?{target.variable}) is refused: only "
            "endpoints on the service allowlist may be queried, written as IRIs."
        )
    shown = f"{target.keyword} target <{target.iri}>"
    parts = _split_http(target.iri)
    if parts is None:
        raise FederationError(
            f"{shown} is refused: only absolute http(s) IRIs without user info or dot "
            "segments are allowed."
        )
    if not any(endpoint.matches(parts) for endpoint in endpoints):
        listed = "no endpoints are allowed" if not endpoints else "it is not on the list"
        raise FederationError(
            f"{shown} is refused: {listed} (setting service_allowlist; "
            "ask the operator to add the endpoint)."
        )
    host = _host(parts)
    if _ip(host) is not None:
        return  # an address literal on the list was named by the operator on purpose
    named = {endpoint.host for endpoint in endpoints}
    try:
        addresses = set(resolve(host, _port(parts)))
    except (OSError, UnicodeError):
        raise FederationError(f"{shown} is refused: its host name does not resolve.") from None
    if not addresses:
        raise FederationError(f"{shown} is refused: its host name does not resolve.")
    for address in sorted(addresses):
        ip = _ip(address)
        if ip is None or (not ip.is_global and str(ip) not in named):
            raise FederationError(
                f"{shown} is refused: its host name resolves to a loopback, private or "
                "reserved address, which the service allowlist does not name."
            )


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _split_http(url: str) -> SplitResult | None:
    """``url`` split, or None unless it is a plain absolute http(s) URL with a host."""
    if _BAD_IRI_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
        _port(parts)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        return None
    # Dot segments (also percent-encoded) could climb out of an allowlisted path prefix
    # once a server normalises them; no SPARQL endpoint needs them.
    segments = unquote(parts.path).replace("\\", "/").split("/")
    if any(segment in {".", ".."} for segment in segments):
        return None
    return parts


def _host(parts: SplitResult) -> str:
    return (parts.hostname or "").lower().rstrip(".")


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
