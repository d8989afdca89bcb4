"""Routes of the web interface (blueprint ``web``): thin, each builds data and responds.

``/`` home, ``/query`` editor and results, ``/page/<path>`` the page of ``B id/<path>``
(statement and event pages are specialised), ``/resource?iri=`` any other IRI,
``/search?q=``, ``/timeline``, ``/docs/ontology``. Each HTML page has a JSON twin
(``?format=json``, or ``.json`` on the path); see :mod:`server.web.twin`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode

from flask import (
    Blueprint,
    Request,
    Response,
    current_app,
    redirect,
    request,
    send_file,
    url_for,
)

from ontology.vocab import CG
from server.app import get_settings, get_store
from server.search import SearchIndex
from server.web import overview
from server.web.cache import PageCache
from server.web.describe import describe
from server.web.event import event_view
from server.web.query_page import QueryOutcome, examples, run_query
from server.web.statement import claim_view, statement_view
from server.web.terms import Linker, fetch_labels
from server.web.twin import CSP, respond, secure, wants_json

T = TypeVar("T")

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/web-static",
)

SEARCH_EXTENSION = "claimgraph.search"
CACHE_EXTENSION = "claimgraph.page_cache"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAFE_PATH = re.compile(r"[A-Za-z0-9/_.~-]*")  # needs no percent-encoding in a URL path
ONTOLOGY_DOCS = Path(__file__).resolve().parents[2] / "docs" / "ontology" / "index.html"
# pyLODE's page carries its own inline styles; scripts stay forbidden.
ONTOLOGY_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


@bp.record_once
def _setup(state: Any) -> None:
    app = state.app
    index = app.extensions[SEARCH_EXTENSION] = SearchIndex(get_store(app))
    cache = app.extensions[CACHE_EXTENSION] = PageCache()

    @app.after_request
    def _store_may_have_changed(response: Response) -> Response:
        # Any successful write through this server (SPARQL Update, Graph Store, document
        # upload) drops the cached pages and makes the next search check the store.
        if response.status_code < 400 and is_write(request):
            index.invalidate()
            cache.invalidate()
        return response


def is_write(req: Request) -> bool:
    """Whether a request may have changed the store: a write method, except a SPARQL
    query sent by POST (the protocol allows it; only ``update`` changes anything)."""
    if req.method not in WRITE_METHODS:
        return False
    if req.endpoint != "sparql.endpoint":
        return True
    if req.mimetype == "application/sparql-query":
        return False
    if req.mimetype == "application/x-www-form-urlencoded":
        body = req.get_data(cache=True).decode("latin-1")
        return "update" in {key for key, _ in parse_qsl(body, keep_blank_values=True)}
    return True


@bp.after_request
def _headers(response: Response) -> Response:
    return secure(response)


def cached(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """Page data from the cache (keyed with the script root its links are built on)."""
    cache: PageCache = current_app.extensions[CACHE_EXTENSION]
    return cache.get((request.script_root, *key), compute)


def search_index() -> SearchIndex:
    return current_app.extensions[SEARCH_EXTENSION]


def linker() -> Linker:
    """Links to pages, built by hand: ``url_for`` per IRI costs more than the page's queries.

    ``test_web_pages`` checks them against ``url_for``.
    """
    root = request.script_root
    return Linker(
        base_iri=get_settings(current_app).base_iri,
        page_url=lambda path: f"{root}/page/{path if _SAFE_PATH.fullmatch(path) else quote(path)}",
        resource_url=lambda iri: f"{root}/resource?{urlencode({'iri': iri})}",
    )


@bp.get("/")
@bp.get("/index.json", endpoint="home_json")
def home() -> Response:
    data = dict(cached(("home",), lambda: overview.home_view(get_store(current_app), linker())))
    data["list_queries"] = {
        name: url_for("web.query", query=overview.list_query(name))
        for name in overview.LIST_QUERIES
    }
    return respond("web/home.html", data, as_json=request.path.endswith(".json"))


@bp.get("/page/<path:path>")
def page(path: str) -> Response:
    as_json = path.endswith(".json")
    if as_json:
        path = path[: -len(".json")]
    return _resource_page(linker().iri_of(path), as_json)


@bp.get("/resource")
def resource() -> Response:
    iri = request.args.get("iri", "").strip()
    if not iri:
        return error_page(400, "missing-parameter", "give the resource's IRI: /resource?iri=...")
    links = linker()
    path = links.path_of(iri)
    if path is not None:
        suffix = "?format=json" if request.args.get("format") == "json" else ""
        return redirect(url_for("web.page", path=path) + suffix, code=303)
    return _resource_page(iri, False)


def error_page(status: int, code: str, message: str, as_json: bool = False) -> Response:
    """An error as a page, or in the JSON error shape of the whole server."""
    error = {"status": status, "code": code, "message": message}
    return respond("web/error.html", {"error": error}, status=status, as_json=as_json)


def _resource_page(iri: str, as_json: bool) -> Response:
    page = cached(("page", iri), lambda: _resource_data(iri))
    if page is None:
        return error_page(404, "not-found", f"nothing is known about <{iri}>", as_json)
    data, html = page
    return respond(f"web/{data['view']}.html", data, html=html, as_json=as_json)


def _resource_data(iri: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The data of a resource's page (and its HTML-only parts), or None if unknown."""
    store = get_store(current_app)
    links = linker()
    try:
        description = describe(store, iri, links)
    except ValueError:  # not an IRI pyoxigraph accepts
        description = None
    if description is None:
        return None
    types = {t.get("iri") for t in description["types"]}
    data: dict[str, Any] = {"description": description, "view": "resource"}
    html: dict[str, Any] = {}
    if CG.Statement.value in types:
        data["view"] = "statement"
        data["statement"], html["highlighted_text"] = statement_view(store, iri, links)
    elif CG.Event.value in types:
        data["view"] = "event"
        data["event"], html["chart"] = event_view(store, iri, links)
    elif CG.Claim.value in types:
        data["view"] = "claim"
        data["claim"] = claim_view(store, iri, links)
    elif CG.Document.value in types:
        data["view"] = "document"
        data["carried_by"] = [
            e["value"]
            for e in description["incoming"]
            if e["predicate"]["iri"] == CG.sourceDocument.value
        ]
    return data, html


@bp.get("/query")
@bp.get("/query.json", endpoint="query_json")
def query() -> Response:
    settings = get_settings(current_app)
    sparql = request.args.get("query", "")
    outcome = QueryOutcome()
    if sparql.strip():
        outcome = run_query(get_store(current_app), settings, sparql, linker())
    downloads = []
    if sparql.strip() and not outcome.error:
        names = ["csv", "json", "tsv"] if outcome.kind != "graph" else ["turtle", "nt", "json"]
        labels = {"csv": "CSV", "json": "JSON", "tsv": "TSV", "turtle": "Turtle", "nt": "N-Triples"}
        downloads = [
            {
                "format": labels[n],
                "href": request.script_root
                + "/sparql?"
                + urlencode({"query": sparql, "format": n}),
            }
            for n in names
        ]
    data = {
        "query": sparql,
        "examples": [{**ex, "href": url_for("web.query", query=ex["sparql"])} for ex in examples()],
        "result": outcome.as_json(),
        "downloads": downloads,
        "share_url": url_for("web.query", query=sparql, _external=True) if sparql else None,
    }
    html = {"line_count": max(sparql.count("\n") + 1, 12)}
    return respond(
        "web/query.html",
        data,
        html=html,
        status=outcome.status,
        as_json=request.path.endswith(".json"),
    )


@bp.get("/search")
@bp.get("/search.json", endpoint="search_json")
def search() -> Response:
    text = request.args.get("q", "").strip()
    kind = request.args.get("kind", "").strip() or None
    hits = search_index().search(text, kind=kind) if text else []
    links = linker()
    labels = fetch_labels(get_store(current_app), {h.target for h in hits} | {h.iri for h in hits})
    results = []
    for hit in hits:
        entry = hit.as_json()
        entry["label"] = labels.get(hit.iri) or entry["title"] or hit.iri
        entry["href"] = links.href(hit.target)
        results.append(entry)
    kinds = sorted({r["kind"] for r in results})
    data = {"q": text, "kind": kind, "kinds": kinds, "results": results}
    return respond("web/search.html", data, as_json=request.path.endswith(".json"))


@bp.get("/timeline")
@bp.get("/timeline.json", endpoint="timeline_json")
def timeline() -> Response:
    every = request.args.get("all", "").lower() in {"1", "true", "yes"}
    data = cached(
        ("timeline", every),
        lambda: overview.timeline_view(get_store(current_app), linker(), every=every),
    )
    return respond("web/timeline.html", data, as_json=request.path.endswith(".json"))


@bp.get("/docs/ontology")
def ontology_docs() -> Response:
    if wants_json():  # the data twin of the documentation is the ontology itself
        return redirect(request.script_root + "/ontology?format=jsonld", code=303)
    if not ONTOLOGY_DOCS.is_file():
        message = "the ontology documentation has not been generated (docs/ontology/index.html)"
        return error_page(404, "not-found", message)
    response = send_file(ONTOLOGY_DOCS, mimetype="text/html")
    response.headers["Content-Security-Policy"] = ONTOLOGY_CSP
    return response
