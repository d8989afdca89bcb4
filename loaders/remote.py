"""A :class:`~loaders.store.GraphStore` kept in an external SPARQL 1.1 store.

Only the W3C protocols are spoken, so any conforming store works (Oxigraph server,
Apache Jena Fuseki, Virtuoso, QLever with its update endpoint): SPARQL 1.1 Query for
reads, SPARQL 1.1 Update for writes (a document is still one atomic ``DROP SILENT
GRAPH ; INSERT DATA`` request), and the Graph Store HTTP Protocol, when its URL is
configured, for dumps and bulk loads (without it, the same is done with CONSTRUCT and
INSERT DATA). Results come back as pyoxigraph objects, parsed by pyoxigraph, so callers
cannot tell a remote store from the embedded one.

The "union default graph" has no standard switch in the protocol. Most stores offer it
natively (Virtuoso, QLever and GraphDB always; Fuseki with ``unionDefaultGraph``;
``oxigraph serve --union-default-graph``), and then queries go out unchanged. Otherwise
the request names every named graph both as a ``default-graph-uri`` (their RDF merge is
the union) and as a ``named-graph-uri`` (so ``GRAPH ?g`` still sees them all): correct
on every conforming store, but slow with many graphs (benchmarks/bench_remote.py: 2.5 s
instead of 5 ms with 1,000 graphs on Oxigraph). ``union="auto"`` (the default) finds out
which applies by checking whether one triple of a named graph is in the default graph.

A query's answer is read whole, then parsed (the server's row cap bounds it); dumps
stream graph by graph. Only named graphs are dumped: claimgraph writes nothing to the
default graph, which on a union-default store is not a graph of its own anyway.

Credentials go in the URL's user info (``https://user:secret@host/ds/update``); they are
sent with Basic or Digest authentication when the server asks, never shown in messages.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

import pyoxigraph as ox
from pyoxigraph import DefaultGraph, NamedNode, Quad, QueryResultsFormat, RdfFormat

from loaders.store import QueryResult, StoreError, replace_graph_update

UNION_MODES = ("auto", "native", "emulate")
RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
CHUNK = 1 << 16


class RemoteStore:
    """A remote SPARQL 1.1 store, addressed by its query, update and Graph Store URLs."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        *,
        union: str = "auto",
        timeout: float = 300.0,
    ) -> None:
        self._opener = urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self.query_url = self._strip_credentials(query_url, passwords)
        self.update_url = self._strip_credentials(update_url or query_url, passwords)
        self.gsp_url = self._strip_credentials(gsp_url, passwords) if gsp_url else None
        self._opener.add_handler(_BasicAuth(passwords))
        self._opener.add_handler(_DigestAuth(passwords))
        self.location = self.query_url
        if union not in UNION_MODES:
            raise StoreError(f"union must be one of {', '.join(UNION_MODES)}, got {union!r}")
        self.union = union
        self._native: bool | None = {"native": True, "emulate": False}.get(union)
        self.timeout = timeout

    @staticmethod
    def _strip_credentials(url: str, passwords: urllib.request.HTTPPasswordMgr) -> str:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise StoreError(f"a remote store URL must be an absolute http(s) URL, got {url!r}")
        if parts.username is None:
            return url
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        user = urllib.parse.unquote(parts.username)
        passwords.add_password(None, clean, user, urllib.parse.unquote(parts.password or ""))
        return clean

    # --- HTTP ------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | BinaryIO | Iterator[bytes] | None = None,
        headers: dict[str, str] | None = None,
    ):
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            with exc:  # an HTTPError holds the response and its socket
                detail = exc.read(2000).decode("utf-8", "replace").strip()
            raise StoreError(
                f"the remote store answered {exc.code} {exc.reason} to {method} {url}"
                + (f": {detail}" if detail else "")
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the remote store at {url}: {reason}") from None

    @staticmethod
    def _media_type(response) -> str:
        return (response.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    # --- reads -----------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        union_default_graph: bool = True,
        default_graphs: Sequence[NamedNode | DefaultGraph] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        if base_iri is not None:
            # The protocol has no base IRI parameter; BASE in the query text is the standard way.
            sparql = f"BASE <{base_iri}>\n{sparql}"
        if default_graphs is None and union_default_graph and not self.native_union():
            # Naming any graph in the request replaces the whole dataset, so the named
            # graphs are named too: GRAPH patterns keep seeing every graph, as locally.
            default_graphs = list(self.named_graphs())
            if named_graphs is None:
                named_graphs = default_graphs
            if not default_graphs:
                # An empty union: an unused graph name keeps the default graph empty too.
                default_graphs = [NamedNode("urn:claimgraph:empty-union")]
        if default_graphs is not None and any(isinstance(g, DefaultGraph) for g in default_graphs):
            # "The store's own default graph" is what a request naming no graph queries;
            # the protocol cannot combine it with named graphs in one default graph.
            if len(default_graphs) > 1 or named_graphs:
                raise StoreError(
                    "a remote store cannot merge its own default graph with named graphs "
                    "in one query; query them separately"
                )
            default_graphs = None
        fields: list[tuple[str, str]] = [("query", sparql)]
        fields += [("default-graph-uri", g.value) for g in default_graphs or ()]
        fields += [("named-graph-uri", g.value) for g in named_graphs or ()]
        body = urllib.parse.urlencode(fields).encode("ascii")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": RESULTS_ACCEPT,
        }
        with self._request("POST", self.query_url, body=body, headers=headers) as response:
            media_type = self._media_type(response)
            payload = response.read()
        return _parse_result(payload, media_type, self.query_url)

    def native_union(self) -> bool:
        """Whether the store's own default graph is the union of its named graphs.

        In ``auto`` mode one triple of some named graph is looked up in the default graph
        (claimgraph writes nothing there, so finding it means the store unites them); the
        answer is kept once the store holds a named graph to look at.
        """
        if self._native is None:
            probe = (
                "ASK { { SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1 } "
                "FILTER EXISTS { ?s ?p ?o } }"
            )
            holds_graphs = "ASK { GRAPH ?g { ?s ?p ?o } }"
            if not bool(self.query(holds_graphs, union_default_graph=False)):
                return False  # nothing to unite yet; look again next time
            self._native = bool(self.query(probe, union_default_graph=False))
        return self._native

    def named_graphs(self) -> Iterator[NamedNode]:
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for row in rows:
            graph = row["g"]
            if isinstance(graph, NamedNode):
                yield graph

    def contains_graph(self, graph: NamedNode) -> bool:
        answer = self.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}", union_default_graph=False)
        return bool(answer)

    def _select(self, sparql: str) -> ox.QuerySolutions:
        result = self.query(sparql, union_default_graph=False)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError(f"the remote store at {self.query_url} did not answer a SELECT")
        return result

    # --- writes ----------------------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        if base_iri is not None:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        with self._request("POST", self.update_url, body=sparql.encode("utf-8"), headers=headers):
            pass

    def update_stream(self, chunks: Iterable[bytes]) -> None:
        """One SPARQL Update whose body is sent as it is produced (chunked encoding).

        For updates too large to hold in memory, such as an imported file. If the
        producer stops early, the body is incomplete and the store applies nothing.
        """
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        with self._request("POST", self.update_url, body=iter(chunks), headers=headers):
            pass

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> None:
        self.update(replace_graph_update(graph, quads))

    def remove_graph(self, graph: NamedNode) -> None:
        self.update(f"DROP SILENT GRAPH {graph}")

    def bulk_load(self, input: BinaryIO, format: RdfFormat, *, graph: NamedNode) -> None:
        """Add a serialized graph to ``graph``: a Graph Store POST, else INSERT DATA batches."""
        if format.supports_datasets:
            raise StoreError(
                f"bulk_load into one graph needs a triples format, got {format.name}; "
                "claimgraph import maps datasets onto one graph before loading"
            )
        if self.gsp_url:
            url = _with_query(self.gsp_url, graph=graph.value)
            headers = {"Content-Type": format.media_type}
            with self._request("POST", url, body=input, headers=headers):
                return
        batch: list[ox.Triple] = []
        for quad in ox.parse(input, format=format, rename_blank_nodes=True):
            batch.append(quad.triple)
            if len(batch) >= 20_000:
                self.update(insert_data_update(graph, batch))
                batch = []
        if batch:
            self.update(insert_data_update(graph, batch))

    def dump(self, output: BinaryIO, format: RdfFormat, *, graph: NamedNode | None = None) -> None:
        if graph is not None:
            ox.serialize(self._graph_triples(graph), output, format=format)
            return
        if not format.supports_datasets:
            raise ValueError(f"A RDF format supporting datasets was expected, {format.name} found")
        quads = (
            Quad(t.subject, t.predicate, t.object, g)
            for g in list(self.named_graphs())
            for t in self._graph_triples(g)
        )
        ox.serialize(quads, output, format=format)

    def _graph_triples(self, graph: NamedNode) -> Iterator[ox.Triple]:
        if self.gsp_url:
            url = _with_query(self.gsp_url, graph=graph.value)
            headers = {"Accept": RdfFormat.N_TRIPLES.media_type}
            with self._request("GET", url, headers=headers) as response:
                source_format = RdfFormat.from_media_type(self._media_type(response))
                if source_format is None:
                    raise StoreError(f"the Graph Store at {url} answered an unknown media type")
                for quad in ox.parse(response, format=source_format):
                    yield quad.triple
            return
        result = self.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
            union_default_graph=False,
        )
        yield from result  # type: ignore[misc]

    def flush(self) -> None:
        """Nothing to do: every write was acknowledged by the remote store."""


class _ClosesChallenge:
    """Closes the 401 response that urllib's auth handlers leave open when they retry."""

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        try:
            retried = super().http_error_401(req, fp, code, msg, headers)  # type: ignore[misc]
        except BaseException:  # the retry failed too: its own error carries the response
            fp.close()
            raise
        if retried is not None:
            fp.close()
        return retried


class _BasicAuth(_ClosesChallenge, urllib.request.HTTPBasicAuthHandler):
    pass


class _DigestAuth(_ClosesChallenge, urllib.request.HTTPDigestAuthHandler):
    pass


def insert_data_update(graph: NamedNode, triples: Sequence[ox.Triple]) -> str:
    """``INSERT DATA`` adding ``triples`` to ``graph``, written by pyoxigraph's serializer."""
    body = ox.serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8")
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}"


def _with_query(url: str, **params: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = "&".join(p for p in (parts.query, urllib.parse.urlencode(params)) if p)
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _parse_result(payload: bytes, media_type: str, url: str) -> QueryResult:
    results_format = QueryResultsFormat.from_media_type(media_type) if media_type else None
    if results_format is not None:
        return ox.parse_query_results(payload, format=results_format)
    rdf_format = RdfFormat.from_media_type(media_type) if media_type else None
    if rdf_format is None:
        raise StoreError(f"the remote store at {url} answered an unsupported type {media_type!r}")
    # pyoxigraph offers no public constructor for QueryTriples; a throwaway in-memory
    # store turns the parsed graph into one, so CONSTRUCT answers look the same as local ones.
    scratch = ox.Store()
    scratch.bulk_load(io.BytesIO(payload), rdf_format)
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
