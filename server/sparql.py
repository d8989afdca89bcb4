"""The SPARQL 1.1 Protocol endpoint at ``/sparql``.

Query operation: ``GET ?query=``, ``POST`` form-encoded ``query=``, ``POST`` with
``Content-Type: application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
set the dataset and, as the Recommendation requires, win over FROM / FROM NAMED in the
query. Update operation (only with a write token): ``POST`` form ``update=`` or
``Content-Type: application/sparql-update``. ``GET /sparql`` without a query answers
the SPARQL 1.1 Service Description.

Client mistakes get a 4xx in the JSON error shape: 400 malformed query, missing or
repeated ``query``, both ``query`` and ``update``, a body or parameter that is not
UTF-8, an update by GET, unsupported ``using-graph-uri``; 415 for a body type the
protocol does not define; 406 when no acceptable format exists for the query's form.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request, url_for
from pyoxigraph import NamedNode
from werkzeug.datastructures import MultiDict

from server.errors import ApiError
from server.executor import QueryJob, run_query
from server.negotiation import for_query, graph_format
from server.security import require_write_token, server_timing

bp = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"
PROTOCOL_PARAMETERS = {"query", "update", "default-graph-uri", "named-graph-uri"}


def _settings():
    return current_app.config["SETTINGS"]


def _store():
    return current_app.extensions["claimgraph.store"]


def parse_parameters(raw: bytes, where: str) -> MultiDict:
    """Form or query-string parameters, strictly UTF-8 (werkzeug would replace bad bytes)."""
    try:
        pairs = parse_qsl(
            raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "not-utf-8", f"the {where} is not valid UTF-8 after percent-decoding: {exc.reason}"
        ) from None
    return MultiDict(pairs)


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in {"utf-8", "utf8"}:
        raise ApiError(415, "unsupported-charset", f"the body must be UTF-8, not {charset}")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400, "not-utf-8", f"the request body is not valid UTF-8 (byte {exc.start})"
        ) from None


def _one(params: MultiDict, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise ApiError(
            400,
            "several-operations",
            f"the request carries {len(values)} '{name}' parameters; send one per request",
        )
    return values[0] if values else None


def _graphs(params: MultiDict, name: str) -> list[NamedNode]:
    graphs = []
    for value in params.getlist(name):
        try:
            graphs.append(NamedNode(value))
        except ValueError as exc:
            raise ApiError(400, "bad-graph-iri", f"{name} {value!r} is not an IRI: {exc}") from None
    return graphs


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    url_params = parse_parameters(request.query_string, "query string")
    if request.method in {"GET", "HEAD"}:
        return _get(url_params)
    mimetype = request.mimetype
    if mimetype == FORM_TYPE:
        body = parse_parameters(request.get_data(cache=True), "form body")
        if "query" in url_params or "update" in url_params:
            raise ApiError(
                400,
                "several-operations",
                "a form POST carries the query or update in the body, not also in the URL",
            )
        merged = MultiDict([*url_params.items(multi=True), *body.items(multi=True)])
        return _operation(merged)
    if mimetype in {QUERY_TYPE, UPDATE_TYPE}:
        operation = "query" if mimetype == QUERY_TYPE else "update"
        if "query" in url_params or "update" in url_params:
            raise ApiError(
                400,
                "several-operations",
                f"the body is the {operation}; do not also send query/update in the URL",
            )
        text = _body_text()
        return (
            _run_query(text, url_params) if operation == "query" else _run_update(text, url_params)
        )
    raise ApiError(
        415,
        "unsupported-media-type",
        f"POST /sparql takes {FORM_TYPE}, {QUERY_TYPE} or {UPDATE_TYPE}, "
        f"not {mimetype or 'a body without Content-Type'}",
    )


def _get(params: MultiDict) -> Response:
    if "update" in params:
        raise ApiError(
            400,
            "update-by-get",
            "SPARQL Update must be sent by POST (form 'update=' or application/sparql-update)",
        )
    if "query" not in params:
        if set(params) & PROTOCOL_PARAMETERS:
            raise ApiError(
                400, "missing-parameter", "the request has no 'query' parameter to evaluate"
            )
        return _service_description()
    return _run_query(_one(params, "query") or "", params)


def _operation(params: MultiDict) -> Response:
    query, update = _one(params, "query"), _one(params, "update")
    if query is not None and update is not None:
        raise ApiError(
            400, "several-operations", "send either 'query' or 'update', not both in one request"
        )
    if query is not None:
        return _run_query(query, params)
    if update is not None:
        return _run_update(update, params)
    raise ApiError(400, "missing-parameter", "the form has neither a 'query' nor an 'update'")


def _guard(text: str, *, update: bool) -> None:
    """The SSRF guard (server.federation) runs before pyoxigraph ever sees the request."""
    from server import federation

    check = federation.guard_update if update else federation.guard_query
    try:
        check(text, _settings(), base_iri=_settings().base_iri)
    except federation.FederationError as exc:
        raise ApiError(exc.status, "service-not-allowed", str(exc)) from None


def _run_query(text: str, params: MultiDict) -> Response:
    if not text.strip():
        raise ApiError(400, "missing-parameter", "the 'query' parameter is empty")
    settings = _settings()
    formats = for_query(request.headers.get("Accept"), params.get("format"))
    default_graphs = _graphs(params, "default-graph-uri")
    named_graphs = _graphs(params, "named-graph-uri")
    protocol_dataset = bool(default_graphs or named_graphs)
    _guard(text, update=False)
    job = QueryJob(
        sparql=text,
        formats=formats,
        union_default_graph=settings.union_default_graph,
        default_graphs=default_graphs if protocol_dataset else None,
        named_graphs=named_graphs if protocol_dataset else None,
        base_iri=settings.base_iri,
        max_rows=settings.max_rows,
    )
    answer = run_query(
        _store(), job, timeout=settings.query_timeout, isolation=settings.query_isolation
    )
    response = Response(answer.body, status=200, content_type=answer.media_type)
    response.headers["Server-Timing"] = server_timing(
        query=answer.eval_seconds, total=answer.wait_seconds
    )
    response.headers["Claimgraph-Rows"] = str(answer.rows)
    if answer.truncated:
        response.headers["Claimgraph-Truncated"] = f"max_rows={settings.max_rows}"
    if "format" not in params:
        response.vary.add("Accept")
    return response


def _run_update(text: str, params: MultiDict) -> Response:
    require_write_token()
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in params:
            raise ApiError(
                400,
                "unsupported-parameter",
                f"{name} is not supported here; write USING / USING NAMED in the update itself",
            )
    if not text.strip():
        raise ApiError(400, "missing-parameter", "the 'update' parameter is empty")
    _guard(text, update=True)
    started = time.perf_counter()
    try:
        _store().update(text, base_iri=_settings().base_iri)
    except SyntaxError as exc:
        raise ApiError(400, "malformed-update", f"malformed update: {exc}") from None
    response = Response(status=204)
    response.headers["Server-Timing"] = server_timing(update=time.perf_counter() - started)
    return response


def _service_description() -> Response:
    from server.void import external_iri, selector, service_description

    chosen = graph_format(request.headers.get("Accept"), request.args.get("format"), html=True)
    if isinstance(chosen, str):  # a browser: the query page, when the web interface is there
        if "web.query" in current_app.view_functions:
            return current_app.redirect(url_for("web.query"), 303)
        chosen = graph_format(None, None)
    endpoint_iri = external_iri("sparql.endpoint").value
    triples = service_description(_settings(), selector(current_app), endpoint_iri)
    return rdf_response(triples, chosen)


def rdf_response(triples: Sequence, fmt) -> Response:
    """A small graph (descriptions, not query results) serialized in ``fmt``."""
    from io import BytesIO

    from server.executor import serialize_triples

    out = BytesIO()
    serialize_triples(list(triples), out, fmt)
    response = Response(out.getvalue(), content_type=fmt.media_type)
    response.vary.add("Accept")
    return response
