"""Every page has a data twin: the same data as JSON, at ``?format=json`` or ``.json``.

Views build one dict of plain data and call :func:`respond`; HTML-only pieces (the
highlighted text, the SVG chart: markup built from escaped parts) are passed apart
so they never leak into JSON. Pages carry a strict Content-Security-Policy: scripts
and styles only from this server, nothing inline, no other origin, so even a mistake
in escaping could not run a script.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, render_template, request
from werkzeug.urls import iri_to_uri

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def wants_json(path_suffix: bool = False) -> bool:
    """True when the client asked for the data twin (``format=json`` or a ``.json`` URL)."""
    if path_suffix or request.args.get("format", "").lower() == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and "text/html" not in request.headers.get("Accept", "")


def twin_url() -> str:
    """The URL of this page's JSON twin."""
    args = request.args.to_dict(flat=False)
    args["format"] = ["json"]
    return request.path + "?" + urlencode(args, doseq=True)


def respond(
    template: str,
    data: Mapping[str, Any],
    *,
    html: Mapping[str, Any] | None = None,
    status: int = 200,
    as_json: bool = False,
) -> Response:
    """The page as HTML, or its data as JSON when asked for."""
    if as_json or wants_json():
        response = jsonify(data)
    else:
        twin = twin_url()
        response = Response(
            render_template(template, **data, **(html or {}), twin_url=twin),
            mimetype="text/html",
        )
        # Header values are Latin-1: a path with other characters goes as a URI.
        link = iri_to_uri(twin)
        response.headers["Link"] = f'<{link}>; rel="alternate"; type="application/json"'

    response.status_code = status
    response.vary.add("Accept")
    return response


def secure(response: Response, csp: str = CSP) -> Response:
    """Headers every page gets (applied by the blueprint to all its responses)."""
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
