"""SERVICE and LOAD reach only allowlisted endpoints, and refused ones are never contacted.

pyoxigraph makes these connections with its own HTTP client, so the proof that nothing
was contacted is a listening socket that counts the connections it accepts.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from server.federation import (
    FederationError,
    allowlist,
    guard_query,
    guard_update,
    isolated_targets,
    remote_targets,
)
from server.settings import Settings
from tests.oxigraph_server import oxigraph_server
from tests.serverkit import child_processes

CANARY = "canary-7f3a9 internal secret"


class Recorder:
    """A TCP listener on 127.0.0.1 that counts accepted connections and answers a canary."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        binding = {"x": {"type": "literal", "value": CANARY}}
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [binding]}})
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            with conn:
                conn.settimeout(1)
                try:
                    conn.recv(65536)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                        + body.encode()
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()


class Redirector:
    """An HTTP server on 127.0.0.1 that answers every request with a redirect to ``target``."""

    def __init__(self, target: str) -> None:
        location = target

        class Handler(http.server.BaseHTTPRequestHandler):
            def _redirect(self) -> None:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _redirect

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sparql"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    listener = Recorder()
    yield listener
    listener.close()


def allow(*urls: str) -> Settings:
    return Settings.from_mapping({"service_allowlist": ",".join(urls)})


def select(url: str) -> str:
    return f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"


# --- the proof setup: the recorder does see pyoxigraph's connections -------------------


def test_recorder_sees_an_unguarded_service_call(recorder: Recorder) -> None:
    """Without the guard pyoxigraph connects and echoes the target; the tests below can fail."""
    rows = list(ox.Store().query(select(recorder.url)))
    assert recorder.accepted == 1
    assert rows[0]["x"].value == CANARY


# --- refused targets: no connection, nothing echoed ------------------------------------


@pytest.mark.parametrize(
    "allowed",
    [(), ("http://127.0.0.1:1/sparql",), ("http://localhost/",)],
    ids=["empty-allowlist", "other-port", "other-host"],
)
def test_refused_service_makes_no_connection(recorder: Recorder, allowed: tuple) -> None:
    with pytest.raises(FederationError) as caught:
        guard_query(select(recorder.url), allow(*allowed))
    assert caught.value.status == 403
    assert f"SERVICE target <{recorder.url}> is refused" in str(caught.value)
    assert CANARY not in str(caught.value)
    assert recorder.accepted == 0


def test_refused_load_makes_no_connection(recorder: Recorder) -> None:
    with pytest.raises(FederationError, match=r"LOAD target <http://127\.0\.0\.1:\d+/sparql>"):
        guard_update(f"LOAD <{recorder.url}> INTO GRAPH <urn:g>", allow())
    assert recorder.accepted == 0


def test_variable_service_target_is_refused(recorder: Recorder) -> None:
    query = f"SELECT * WHERE {{ BIND(<{recorder.url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"
    with pytest.raises(FederationError, match=r"variable endpoint \(\?e\)"):
        guard_query(query, allow(recorder.url))
    assert recorder.accepted == 0


EVIL = "http://127.0.0.1:9/sparql"


@pytest.mark.parametrize(
    ("query", "base_iri"),
    [
        ("PREFIX e: <http://127.0.0.1:9/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }", None),
        ("BASE <http://127.0.0.1:9/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }", None),
        ("SELECT * { SERVICE <sparql> { ?s ?p ?o } }", "http://127.0.0.1:9/"),
        (f"SELECT * {{ \\u0053ERVICE <{EVIL}> {{ ?s ?p ?o }} }}", None),
        ("SELECT * { SERVICE <http://127.0.0.1:9/\\u0073parql> { ?s ?p ?o } }", None),
        (f"select * {{ service silent <{EVIL}> {{ ?s ?p ?o }} }}", None),
        (f"SELECT * {{ FILTER NOT EXISTS {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }}", None),
        (f"SELECT * {{ {{ SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }} }}", None),
        (f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }}", None),
        (f"SELECT (EXISTS {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} AS ?x) {{}}", None),
        (f"ASK {{ GRAPH ?g {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }} }}", None),
        (f"CONSTRUCT WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}", None),
        ("SELECT * { SERVICE <http://user@127.0.0.1:9/sparql> { ?s ?p ?o } }", None),
    ],
)
def test_every_spelling_of_a_target_is_found(query: str, base_iri: str | None) -> None:
    with pytest.raises(FederationError):
        guard_query(query, allow("http://127.0.0.1:10/"), base_iri=base_iri)


def test_targets_are_resolved_like_the_engine_resolves_them() -> None:
    query = (
        "BASE <http://h.example/a/> PREFIX p: <http://p.example/> "
        "SELECT * { SERVICE <x> {} SERVICE p:y {} }"
    )
    found = sorted(t.iri or "" for t in remote_targets(query))
    assert found == ["http://h.example/a/x", "http://p.example/y"]
    update = "LOAD <http://d.example/data.ttl> INTO GRAPH <urn:g>"
    assert [(t.keyword, t.iri) for t in remote_targets(update, update=True)] == [
        ("LOAD", "http://d.example/data.ttl")
    ]


def test_update_with_service_in_where_is_checked() -> None:
    update = f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}"
    with pytest.raises(FederationError, match="SERVICE target"):
        guard_update(update, allow())


def test_nested_service_cannot_be_checked_and_is_refused() -> None:
    ok = "http://127.0.0.1:10/sparql"
    query = f"SELECT * {{ SERVICE <{ok}> {{ ?s ?p ?o SERVICE <{ok}> {{ ?o ?q ?r }} }} }}"
    with pytest.raises(FederationError, match="could not be checked") as caught:
        guard_query(query, allow(ok))
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * { ?s ?p "service load" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/>",
        "SELECT * WHERE { ?s <https://schema.org/downloadUrl> ?o }",
        "SELECT WHERE {",  # not ours to judge: pyoxigraph reports the syntax error
    ],
)
def test_queries_without_remote_targets_pass(query: str) -> None:
    guard_query(query, allow())


def test_path_prefix_matches_at_segment_boundaries() -> None:
    settings = allow("http://h.example/sparql")
    guard_query(select("http://h.example/sparql"), settings, resolve=public)
    guard_query(select("http://h.example/sparql/ds"), settings, resolve=public)
    for url in [
        "http://h.example/sparql2",
        "https://h.example/sparql",
        "http://h.example:81/sparql",
    ]:
        with pytest.raises(FederationError, match="not on the list"):
            guard_query(select(url), settings, resolve=public)


@pytest.mark.parametrize(
    "query",
    [
        select("http://h.example/sparql/../admin"),
        select("http://h.example/sparql/%2e%2e/admin"),
        select("http://h.example/sparql/./x"),
        "PREFIX e: <http://h.example/> SELECT * { SERVICE e:sparql\\/..\\/admin {} }",
    ],
    ids=["dot-dot", "encoded-dot-dot", "dot", "escaped-prefixed-name"],
)
def test_dot_segments_cannot_climb_out_of_an_allowed_path(query: str) -> None:
    with pytest.raises(FederationError, match="dot segments"):
        guard_query(query, allow("http://h.example/sparql"), resolve=public)


def test_malformed_allowlist_entry_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="service_allowlist: 'ftp://x/'"):
        allowlist(allow("ftp://x/"))


# --- host names resolving to private addresses ------------------------------------------


def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "169.254.169.254", "::1", "fd00::1"]
)
def test_allowlisted_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", address]  # one bad address is enough to refuse

    with pytest.raises(FederationError, match="loopback, private or reserved") as caught:
        guard_query(
            select("http://data.example/sparql"), allow("http://data.example/"), resolve=resolve
        )
    assert address not in str(caught.value)


def test_private_address_allowed_when_the_allowlist_names_it() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    settings = allow("http://data.example/", "http://10.1.2.3/")
    guard_query(select("http://data.example/sparql"), settings, resolve=resolve)


def test_unresolvable_allowlisted_name_is_refused() -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror("no such host")

    with pytest.raises(FederationError, match="does not resolve"):
        guard_query(
            select("http://data.example/sparql"), allow("http://data.example/"), resolve=resolve
        )


def test_localhost_by_name_is_refused_by_real_resolution(recorder: Recorder) -> None:
    by_name = f"http://localhost:{recorder.port}/sparql"
    with pytest.raises(FederationError, match="loopback, private or reserved"):
        guard_query(select(by_name), allow(by_name))
    assert recorder.accepted == 0


# --- allowed targets, a real second SPARQL server -----------------------------------------


@pytest.fixture
def second_server(tmp_path: Path):
    with oxigraph_server(tmp_path / "second") as running:
        update = (
            "INSERT DATA { <http://www.wikidata.org/entity/Q1> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "remote label" }'
        )
        ox_request(running.update_url, update)
        yield running


def ox_request(url: str, update: str) -> None:
    import urllib.request

    request = urllib.request.Request(
        url, data=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.mark.external
def test_allowed_service_joins_local_and_remote_data(second_server) -> None:
    local = ox.Store()
    local.update(
        "INSERT DATA { <https://w3id.org/claimgraph/id/event/e> "
        "<http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q1> }"
    )
    query = f"""SELECT ?label WHERE {{
      ?event <http://www.w3.org/2002/07/owl#sameAs> ?qid .
      SERVICE <{second_server.query_url}> {{
        ?qid <http://www.w3.org/2000/01/rdf-schema#label> ?label
      }}
    }}"""
    settings = allow(second_server.query_url)
    guard_query(query, settings)
    assert [row["label"].value for row in local.query(query)] == ["remote label"]


@pytest.mark.external
def test_allowed_load_fetches_from_the_allowlisted_server(second_server) -> None:
    update = f"LOAD <{second_server.url}/store?default> INTO GRAPH <urn:imported>"
    guard_update(update, allow(second_server.url + "/"))
    local = ox.Store()
    local.update(update)
    assert len(local) == 1


def test_redirect_from_an_allowlisted_endpoint_is_not_followed(recorder: Recorder) -> None:
    redirector = Redirector(recorder.url)
    try:
        query = select(redirector.url)
        guard_query(query, allow(redirector.url))  # the first hop is allowed ...
        with pytest.raises(OSError, match="redirect"):
            list(ox.Store().query(query))  # ... but pyoxigraph does not follow the 302
        with pytest.raises(OSError, match="redirect"):
            ox.Store().update(f"LOAD <{redirector.url}>")
    finally:
        redirector.close()
    assert recorder.accepted == 0


# --- through the real endpoint: the guard runs before the forked query worker ------------


def post_query(base_url: str, query: str) -> tuple[int, str]:
    import urllib.error
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        base_url + "/sparql", data=body, headers={"Accept": "application/sparql-results+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.external
def test_endpoint_allows_listed_service_and_refuses_others_unconnected(
    second_server, recorder: Recorder, store_path: str, live_server_factory
) -> None:
    from server.app import create_app

    settings = Settings.from_mapping(
        {"store": store_path, "rate_limit": 0.0, "service_allowlist": second_server.query_url}
    )
    live = live_server_factory(create_app(settings))
    status, body = post_query(live.url, select(second_server.query_url))
    assert status == 200
    assert json.loads(body)["results"]["bindings"] == [
        {"x": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"}}
    ]
    for target in (recorder.url, f"http://localhost:{recorder.port}/sparql"):
        status, body = post_query(live.url, select(target))
        assert status == 403
        assert CANARY not in body
    assert recorder.accepted == 0


def external_entity_rdfxml(url: str) -> str:
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{url}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n'
        '<rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p></rdf:Description>'
        "</rdf:RDF>\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "remote-context.jsonld",
            lambda url: json.dumps({"@context": url, "@id": "urn:a", "name": "x"}),
            r"remote-context\.jsonld: not valid JSON-LD",
        ),
        ("entity.rdf", external_entity_rdfxml, r"entity\.rdf: not valid RDF/XML"),
    ],
    ids=["jsonld-remote-context", "rdfxml-external-entity"],
)
def test_documents_naming_remote_resources_fetch_nothing(
    recorder: Recorder, tmp_path: Path, name: str, content, message: str
) -> None:
    """Other ways out of the machine: a remote JSON-LD @context, an XML external entity."""
    from loaders.importer import ImportFailed, import_file
    from loaders.store import EmbeddedStore

    path = tmp_path / name
    path.write_text(content(recorder.url))
    with pytest.raises(ImportFailed, match=message):
        import_file(EmbeddedStore(None), path, ox.NamedNode("urn:g"), base_iri="https://e.org/")
    assert recorder.accepted == 0


def test_app_refuses_to_start_with_a_malformed_allowlist(store_path: str) -> None:
    from server.app import create_app

    settings = {"store": store_path, "service_allowlist": "https://ok.example/sparql, 10.0.0.1"}
    with pytest.raises(ValueError, match=r"service_allowlist: '10\.0\.0\.1' is not an absolute"):
        create_app(settings)


def test_a_query_too_costly_to_check_is_refused_in_time_and_leaves_nothing_running() -> None:
    """rdflib needs tens of seconds for this FILTER; the check gives up after its deadline,
    kills its worker, and refuses the request instead of keeping a CPU busy."""
    terms = " || ".join(f"?x = {i}" for i in range(4000))
    query = f"SELECT * {{ FILTER({terms}) SERVICE <{EVIL}> {{ ?s ?p ?o }} }}"
    before = set(child_processes())
    started = time.monotonic()
    with pytest.raises(FederationError, match=r"too complex to check within 0\.5 s") as caught:
        isolated_targets(query, update=False, base_iri=None, seconds=0.5)
    assert time.monotonic() - started < 3
    assert caught.value.status == 400
    assert set(child_processes()) <= before


def test_the_isolated_check_finds_what_the_parser_finds() -> None:
    query = f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} SERVICE ?v {{ }} }}"
    assert sorted(isolated_targets(query, update=False, base_iri=None), key=str) == sorted(
        remote_targets(query), key=str
    )


SPARQL_BITS = [
    "SELECT * {",
    "}",
    "{",
    "SERVICE ",
    "SERVICE SILENT ",
    "LOAD ",
    "<http://127.0.0.1:9/x>",
    "<http://h.example/sparql>",
    "<rel>",
    "?v ",
    "e:x ",
    "PREFIX e: <http://h.example/> ",
    "BASE <http://h.example/> ",
    '"service"',
    "# comment\n",
    "\\u0053",
    "FILTER EXISTS ",
    " . ",
    "?s ?p ?o",
]


@hypothesis_settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SPARQL_BITS), st.text(max_size=6)), max_size=14))
def test_the_guard_only_ever_passes_or_refuses(bits: list[str]) -> None:
    """Whatever the text, the guard returns or raises FederationError: never a crash (a 500)."""
    text = "".join(bits)
    for check in (guard_query, guard_update):
        try:
            check(text, allow("http://h.example/sparql"), resolve=public)
        except FederationError as exc:
            assert exc.status in (400, 403)
