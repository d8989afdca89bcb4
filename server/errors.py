"""One JSON error shape for every failure the HTTP layer reports.

Every error answer, whatever raised it, has the body
``{"error": {"status": 400, "code": "malformed-query", "message": "..."}}`` and
``Content-Type: application/json``. A client's mistake is a 4xx whose message says what
was wrong and how to fix it; our own failure is a 5xx whose message never carries a
stack trace or an internal detail (those go to the server log).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

log = logging.getLogger("claimgraph.server")


class ApiError(Exception):
    """An error answer: raise it anywhere in a request; the handler renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = {"error": {"status": status, "code": code, "message": message}}
    response = Response(json.dumps(body) + "\n", status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _code_for(exc: HTTPException) -> str:
    """``Not Found`` -> ``not-found``: a stable machine-readable code from the status name."""
    return (exc.name or "error").lower().replace(" ", "-").replace("'", "")


def register(app: Flask) -> None:
    """Install the handlers that turn every exception into the JSON error shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after"}}
        message = exc.description or exc.name
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than this server accepts ({limit} bytes)"
        return error_response(status, _code_for(exc), message, headers)

    @app.errorhandler(Exception)
    def _internal_error(exc: Exception) -> Response:
        # Ours, not the client's: log the detail, answer without it.
        log.exception("unhandled error")
        return error_response(500, "internal-error", "the server failed to answer this request")
