"""HTTP fuzzing of every endpoint: no 5xx, no stack trace, no server path in any answer.

Requests are written byte by byte on a socket rather than through an HTTP client that
would tidy them, so the path, query string, headers and body can hold whatever a hostile
client sends: invalid UTF-8, broken percent escapes, NUL, odd methods, garbage media
types and tokens, a parameter of tens of kilobytes. Hypothesis draws them per route of the
app's ``url_map`` (a test keeps the list of fuzzed routes equal to the map, so a new
endpoint cannot go unfuzzed). The server is the app behind werkzeug's threaded server on
127.0.0.1 over the example dataset, with a write token, so write paths are reached both
before and past the token check, and as behind a trusted proxy, so forwarded headers
reach the links the server builds.

Every answer must be a well-formed HTTP response, never a 5xx (except 503 for a query
stopped at the timeout), with nothing of the server's insides in it (a traceback, a Python
exception name, a file path of the code or the store), and every JSON error has the one
error shape. Nothing may be logged as an unhandled error, and no query process may be
left running. ``CLAIMGRAPH_FUZZ_EXAMPLES`` raises the example count for a longer run;
under CI the examples are drawn the same way each run, elsewhere anew each time.
"""

from __future__ import annotations

import builtins
import http.client
import json
import logging
import os
import re
import socket
import sys
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad

from loaders.ingest import write_support_graphs
from server.app import create_app
from tests.conftest import REPO
from tests.serverkit import BASE, TOKEN, child_processes, children_left_after, load_example

EXAMPLES = int(os.environ.get("CLAIMGRAPH_FUZZ_EXAMPLES", "30"))

# --------------------------------------------------------------------------- routes

# Parameter names each route reads (the fuzzer also sends names it has never heard of).
FORMAT = ("format",)
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("/", "GET"): FORMAT,
    ("/index.json", "GET"): FORMAT,
    ("/api/documents", "POST"): (),
    ("/concept/<path:path>", "GET"): FORMAT,
    ("/data/<path:path>", "GET"): FORMAT,
    ("/docs/ontology", "GET"): (),
    ("/export", "GET"): ("format", "ontology"),
    ("/graph/<path:path>", "GET"): FORMAT,
    ("/health", "GET"): (),
    ("/id/<path:path>", "GET"): FORMAT,
    ("/ontology", "GET"): FORMAT,
    ("/page/<path:path>", "GET"): FORMAT,
    ("/query", "GET"): ("query", "format"),
    ("/query.json", "GET"): ("query", "format"),
    ("/resource", "GET"): ("iri", "format"),
    ("/search", "GET"): ("q", "kind", "format"),
    ("/search.json", "GET"): ("q", "kind", "format"),
    ("/sparql", "GET"): ("query", "update", "default-graph-uri", "named-graph-uri", "format"),
    (
        "/sparql",
        "POST",
    ): ("query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri", "format"),
    ("/static/<path:filename>", "GET"): (),
    ("/store", "GET"): ("graph", "default", "format"),
    ("/store", "PUT"): ("graph", "default"),
    ("/store", "POST"): ("graph", "default"),
    ("/store", "DELETE"): ("graph", "default"),
    ("/timeline", "GET"): FORMAT,
    ("/timeline.json", "GET"): FORMAT,
    ("/void", "GET"): FORMAT,
    ("/web-static/<path:filename>", "GET"): (),
}

# Real tails for the variable parts, so the fuzzer reaches deep views as well as 404s.
# A resource whose IRI is not Latin-1: its IRI travels in headers (Link) as a URI.
UNICODE_QUAD = Quad(
    NamedNode(BASE + "id/place/\u0110\u00e0-N\u1eb5ng"),
    NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    Literal("\u0110\u00e0 N\u1eb5ng", language="vi"),
    NamedNode(BASE + "graph/import/\u0111"),
)
KNOWN_TAILS = {"/static/": ("style.css",), "/web-static/": ("style.css", "editor.js")}

# --------------------------------------------------------------------------- pieces

MEDIA_TYPES = (
    "*/*",
    "text/html",
    "application/json",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/ld+json",
    "application/rdf+xml",
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "image/png",
    "text/plain",
)
FORMAT_NAMES = ("json", "xml", "csv", "tsv", "ttl", "turtle", "nt", "nq", "trig", "jsonld", "rdf")
SPARQL_TOKENS = (
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "*",
    "{",
    "}",
    "(",
    ")",
    "?s",
    "?p",
    "?o",
    ".",
    ";",
    ",",
    "GRAPH ?g",
    "FILTER",
    "REGEX(?o, '(a+)+$')",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "VALUES ?s { 1 2 }",
    "BIND(1/0 AS ?x)",
    "LIMIT 3",
    "OFFSET -1",
    "ORDER BY",
    "GROUP BY ?s",
    "COUNT(*)",
    "<http://example.org/a>",
    "<>",
    "<not an iri>",
    "BASE <x:>",
    "PREFIX : <http://e/>",
    ":a",
    "'lit'",
    '"""x',
    "'\\u0000'",
    "12e9999",
    "SERVICE <http://127.0.0.1:9/sparql>",
    "SERVICE ?s",
    "FROM <http://e/g>",
    "INSERT DATA",
    "DELETE WHERE",
    "LOAD <http://127.0.0.1:9/x>",
    "CLEAR ALL",
    "#",
    "\n",
)
SPARQL_SEEDS = (
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5",
    f"DESCRIBE <{BASE}id/event/black-january>",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
)
HOSTILE_PIECES = (
    "..",
    "%2e%2e",
    "%2E%2E%2F",
    "%00",
    "%ff",
    "%",
    "%zz",
    "%c0%af",
    "%ed%a0%80",  # an encoded UTF-16 surrogate: never valid UTF-8
    "//",
    "~",
    ".json",
    ".json.json",
    "%2F",
    ";x=1",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src=x%3E",
    "x" * 3000,
    "%41" * 2000,
)
# Bytes that may stand raw in a request target (no whitespace, '?' or '#').
RAW_TARGET = bytes(b for b in range(0x21, 0x100) if b not in b"?#")


def percent(data: bytes) -> str:
    return "".join(f"%{byte:02X}" for byte in data)


piece = st.one_of(
    st.text(max_size=24).map(lambda text: quote(text, safe="")),
    st.binary(max_size=12).map(percent),
    st.binary(max_size=16)
    .map(lambda data: bytes(RAW_TARGET[b % len(RAW_TARGET)] for b in data))
    .map(lambda raw: raw.decode("latin-1")),
    st.sampled_from(HOSTILE_PIECES),
)
sparql_text = st.one_of(
    st.sampled_from(SPARQL_SEEDS),
    st.lists(st.sampled_from(SPARQL_TOKENS), max_size=14).map(" ".join),
    st.text(max_size=60),
)
value = st.one_of(
    piece,
    sparql_text.map(lambda text: quote(text, safe="")),
    st.sampled_from(FORMAT_NAMES + MEDIA_TYPES + ("", "1", "true", "no")).map(quote),
    st.integers(min_value=20_000, max_value=60_000).map(lambda n: "a" * n),  # huge parameter
)
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
)


def header_value(known: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(known), header_text).map(lambda s: s.encode("latin-1"))


accept = st.one_of(
    header_value(MEDIA_TYPES),
    st.lists(
        st.tuples(st.sampled_from(MEDIA_TYPES), st.sampled_from(("", ";q=0", ";q=0.5", ";q=x"))),
        min_size=1,
        max_size=4,
    ).map(lambda items: ", ".join(t + q for t, q in items).encode()),
)
content_type = st.one_of(
    header_value(MEDIA_TYPES),
    st.tuples(
        st.sampled_from(MEDIA_TYPES),
        st.sampled_from(("", "; charset=utf-8", "; charset=latin-1", "; charset=", "; boundary=")),
    ).map(lambda pair: "".join(pair).encode()),
)
authorization = st.one_of(
    st.just(f"Bearer {TOKEN}".encode()),
    st.just(f"bearer  {TOKEN} ".encode()),
    st.just(f"Bearer {TOKEN[:-1]}".encode()),
    st.just(f"Basic {TOKEN}".encode()),
    header_text.map(lambda text: ("Bearer " + text).encode("latin-1")),
    header_value(("Bearer", "Bearer ", "")),
)
OPTIONAL_HEADERS = {
    b"Accept": accept,
    b"Content-Type": content_type,
    b"Authorization": authorization,
    b"Origin": header_value(("https://evil.example", "null")),
    b"Range": header_value(("bytes=0-10", "bytes=999999999-", "bytes=5-1", "bytes=a")),
    b"Accept-Encoding": header_value(("gzip", "identity;q=0", "*;q=0")),
    b"If-None-Match": header_value(('"x"', "*")),
    b"X-Forwarded-For": header_value(("1.2.3.4", "::1", "x, y")),
    b"X-Forwarded-Host": header_value(("kg.example.org", "a b", "x:99999")),
    b"X-Forwarded-Proto": header_value(("https", "javascript")),
    b"X-Forwarded-Prefix": header_value(("/claimgraph", "/a b<>", "//evil")),
    b"Cookie": header_value(("a=b", "session=%ff")),
}


WRITES = {("/api/documents", "POST"), ("/store", "PUT"), ("/store", "POST"), ("/store", "DELETE")}
WRITES |= {("/sparql", "POST")}


def headers_for(route: tuple[str, str]) -> st.SearchStrategy[dict[bytes, bytes]]:
    """Optional headers; a write route mostly carries the right token, to get past it."""
    if route not in WRITES:
        return st.fixed_dictionaries({}, optional=OPTIONAL_HEADERS)
    token = st.one_of(st.just(f"Bearer {TOKEN}".encode()), authorization)
    others = {k: v for k, v in OPTIONAL_HEADERS.items() if k != b"Authorization"}
    return st.fixed_dictionaries({b"Authorization": token}, optional=others)


IRIS = (
    f"{BASE}id/event/black-january",
    f"{BASE}graph/reference",
    f"{BASE}graph/ontology",
    f"{BASE}graph/import/fuzz",
    "http://example.org/a",
    "urn:x",
    "http://127.0.0.1:9/",
    "javascript:alert(1)",
    "<x>",
)
# What each parameter usually holds, so that most requests get past the first check.
TYPICAL = {
    "query": sparql_text,
    "update": sparql_text,
    "iri": st.sampled_from(IRIS),
    "graph": st.sampled_from(IRIS),
    "default-graph-uri": st.sampled_from(IRIS),
    "named-graph-uri": st.sampled_from(IRIS),
    "using-graph-uri": st.sampled_from(IRIS),
    "format": st.sampled_from((*FORMAT_NAMES, "html", "JSON")),
    "ontology": st.sampled_from(("1", "true", "yes", "no", "")),
    "q": st.sampled_from(("Black January", "killed", "Baku", '"', "*", "NEAR(", "a OR", "-x")),
    "kind": st.sampled_from(("event", "statement", "claim", "place", "")),
}


def query_string(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    typical = [
        TYPICAL[name].map(lambda v, name=name: f"{name}={quote(v, safe='')}")
        for name in names
        if name in TYPICAL
    ]
    name = st.one_of(st.sampled_from(names), piece) if names else piece
    pair = st.one_of(
        *typical,
        *typical,
        st.tuples(name, value).map(lambda pair: f"{pair[0]}={pair[1]}"),
        name,  # a bare flag such as ?default
    )
    return st.lists(pair, max_size=4).map("&".join)


@st.composite
def multipart(draw) -> tuple[bytes, bytes]:
    boundary = "fuzzboundary"
    name = draw(st.sampled_from(("file", "metadata", "other")) | piece)
    filename = draw(st.sampled_from(("a.txt", "a.html", "a.pdf", "a.md", "", "../../x")) | piece)
    content = draw(st.binary(max_size=2000) | st.text(max_size=400).map(str.encode))
    metadata = draw(st.sampled_from(("", "{}", '{"title": 1}', "[", '{"id": "x"}')))
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=metadata\r\n\r\n{metadata}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"'
        "\r\nContent-Type: text/plain\r\n\r\n"
    ).encode("utf-8", "surrogateescape") + content
    if draw(st.booleans()):  # a body that ends properly, or one cut short
        body += f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}".encode(), body


RDF_BODIES = st.sampled_from(
    (
        b'<http://e/a> <http://e/p> "x" .\n',
        b"<http://e/a> <http://e/p> ",
        b"@prefix : <http://e/> . :a :p :b, [ :q ( 1 2 ) ] .",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="x"/>',
        b'{"@context": "http://127.0.0.1:9/ctx", "@id": "urn:a"}',
        b"<http://e/a> <http://e/p> <http://e/b> .\n" * 200,
    )
).flatmap(
    lambda body: st.sampled_from(
        (b"text/turtle", b"application/n-triples", b"application/rdf+xml", b"text/plain")
    ).map(lambda ct: (ct, body))
)


def matched_body(names: tuple[str, ...]) -> st.SearchStrategy[tuple[bytes, bytes]]:
    """A Content-Type with a body that fits it, so the parsers behind the type are reached."""
    return st.one_of(
        query_string(names).map(lambda q: (b"application/x-www-form-urlencoded", q.encode())),
        sparql_text.map(lambda q: (b"application/sparql-query", q.encode())),
        sparql_text.map(lambda q: (b"application/sparql-update", q.encode())),
        RDF_BODIES,
        multipart(),
        st.tuples(content_type, st.binary(max_size=3000)),
    )


def body_for(route: tuple[str, str], names: tuple[str, ...]):
    """No body, any typed body, or (more often) the kind the route reads."""
    usual = {
        ("/api/documents", "POST"): multipart(),
        ("/store", "PUT"): RDF_BODIES,
        ("/store", "POST"): RDF_BODIES,
    }.get(route)
    bodies = matched_body(names)
    return st.none() | bodies | (usual if usual is not None else bodies)


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def send(port: int, method: str, target: bytes, headers: dict[bytes, bytes], body: bytes | None):
    """One request exactly as given; the answer read by http.client (chunked or not)."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1:%d" % port]
    lines += [name + b": " + value for name, value in headers.items()]
    if body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + (body or b""))
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
            return Reply(response.status, response.headers, response.read())
        finally:
            response.close()


# --------------------------------------------------------------------------- checks

EXCEPTION_NAMES = sorted(
    name
    for name, obj in vars(builtins).items()
    if isinstance(obj, type)
    and issubclass(obj, BaseException)
    and name.endswith(("Error", "Exception"))
)
LEAKS = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|site-packages|"
    r"(?<![\w.])/(?:[\w.-]+/)+[\w.-]+\.py\b|\b(?:"
    + "|".join(EXCEPTION_NAMES)
    + r")\b|pyo3|panicked at"
)


def inside_leaks(reply: Reply, request: bytes, secret_paths: list[str]) -> list[str]:
    """What of the server's insides the answer shows that the request did not send."""
    text = reply.body.decode("utf-8", "replace") + "\n" + str(reply.headers)
    sent = request.decode("latin-1")
    found = [m.group(0) for m in LEAKS.finditer(text) if m.group(0) not in sent]
    found += [path for path in secret_paths if path in text]
    return found


TIMEOUT_MESSAGE = "the query was stopped after the time limit"


def error_of(reply: Reply) -> tuple[str | None, str]:
    """(code, message) of a JSON error answer, after checking its shape.

    Every JSON error has the one error shape, except the query page's data twin: like the
    page, it carries the query and shows the error inline (``result.error``).
    """
    body = json.loads(reply.body)
    if "result" in body and "query" in body:
        assert body["result"]["error"], body
        return None, body["result"]["error"]
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"status", "code", "message"}, body
    assert body["error"]["status"] == reply.status, body
    return body["error"]["code"], body["error"]["message"]


def check(reply: Reply, request: bytes, secret_paths: list[str]) -> None:
    code, message = None, ""
    is_json = reply.headers.get_content_type() == "application/json"
    if is_json and reply.status >= 400 and reply.body:  # a HEAD answer has no body
        code, message = error_of(reply)
    timed_out = code in {"query-timeout", None} and message.startswith(TIMEOUT_MESSAGE)
    assert reply.status < 500 or (reply.status == 503 and timed_out), (
        reply.status,
        reply.body[:500],
    )
    assert inside_leaks(reply, request, secret_paths) == []
    if reply.status == 405:
        assert reply.headers["Allow"]


class ErrorRecords(logging.Handler):
    """Collects, from any thread, the records of our own faults: an exception logged by the
    app or escaping it into the WSGI server ("Error on request"). The HTTP server's own
    refusals of unparsable requests (a 400 or 414 it logs as an error) are not faults."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name != "werkzeug" or record.exc_info or "Error on request" in record.msg:
            self.records.append(record)


# --------------------------------------------------------------------------- the tests


def _fixed_part(rule: str) -> str:
    return rule.split("<", 1)[0]


def _path(rule: str, known: tuple[str, ...]) -> st.SearchStrategy[str]:
    if "<" not in rule:
        return st.just(rule)
    head = _fixed_part(rule)
    # Tails that needed percent-encoding (IRIs beyond ASCII) get a branch of their own,
    # or they would hide among hundreds of plain ones.
    unusual = [t for t in known if "%" in t] or list(known)
    tail = st.one_of(
        st.sampled_from(known),
        st.sampled_from(unusual),
        st.lists(piece, min_size=1, max_size=4).map("/".join),
        st.tuples(st.sampled_from(known), piece).map("/".join),
    )
    return tail.map(lambda t: head + t)


def _methods(method: str) -> st.SearchStrategy[str]:
    odd = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "PROPFIND", "TRACE")
    return st.one_of(st.just(method), st.just(method), st.sampled_from(odd))


def _known_tails(store, rule: str) -> tuple[str, ...]:
    """Real paths under the rule's fixed part: IRIs the store holds, or files that exist."""
    head = _fixed_part(rule)
    if head in KNOWN_TAILS:
        return KNOWN_TAILS[head]
    namespace = BASE + {"/data/": "id/", "/page/": "id/"}.get(head, head.strip("/") + "/")
    found = {
        term.value.removeprefix(namespace)
        for quad in store.raw
        for term in (quad.subject, quad.object, quad.graph_name)
        if isinstance(term, NamedNode) and term.value.startswith(namespace)
    }
    return tuple(sorted(quote(tail, safe="/") for tail in found)) or ("x",)


# werkzeug's multipart parser keeps each file part in a SpooledTemporaryFile; on some
# malformed bodies it drops one without closing it (its __del__ closes it, with a warning).
@pytest.mark.filterwarnings("ignore:Unclosed file <tempfile.SpooledTemporaryFile:ResourceWarning")
@pytest.mark.parametrize(
    ("rule", "method"), [pytest.param(*key, id=" ".join(key)) for key in sorted(ROUTES)]
)
def test_no_answer_is_a_server_error_or_shows_the_insides(
    rule: str, method: str, live_server_factory, store, settings, store_path
):
    load_example(store)
    write_support_graphs(store, BASE)  # the ontology graph, with the concept schemes
    store.raw.add(UNICODE_QUAD)
    app = create_app(
        settings.replace(
            write_token=TOKEN,
            query_timeout=3.0,
            max_document_bytes=50_000,
            service_allowlist="http://127.0.0.1:9/allowed/",
            trust_proxy=True,  # forwarded headers reach the links the server builds
        ),
        store=store,
    )
    server = live_server_factory(app)
    names = ROUTES[(rule, method)]
    known = _known_tails(store, rule)
    secret_paths = [str(REPO), store_path, sys.prefix]
    records = ErrorRecords()
    logging.getLogger().addHandler(records)
    before = set(child_processes())
    examples = EXAMPLES // 3 if rule == "/api/documents" else EXAMPLES

    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=os.environ.get("CI") == "true",  # CI: the same examples each run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        method=_methods(method),
        path=_path(rule, known),
        query=query_string(names),
        headers=headers_for((rule, method)),
        typed_body=body_for((rule, method), names),
    )
    def fuzz(method, path, query, headers, typed_body):
        headers = dict(headers)
        body = None
        if typed_body is not None:
            headers[b"Content-Type"], body = typed_body
        target = path.encode("latin-1") + (b"?" + query.encode("latin-1") if query else b"")
        note(f"{method} {target[:300]!r} {headers} body={(body or b'')[:200]!r}")
        reply = send(server.port, method, target, headers, body)
        request = target + b"\n" + b"\n".join(headers.values()) + b"\n" + (body or b"")
        event(f"{method} -> {reply.status}")  # see --hypothesis-show-statistics
        check(reply, request, secret_paths)
        assert records.records == [], [r.getMessage() for r in records.records]

    try:
        fuzz()
    finally:
        logging.getLogger().removeHandler(records)
    health = send(server.port, "GET", b"/health", {}, None)
    assert health.status == 200
    assert children_left_after(before, store=store) == set()


def test_every_route_of_the_app_is_fuzzed(store, settings):
    app = create_app(settings, store=store)
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    assert routes == set(ROUTES)
