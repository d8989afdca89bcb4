"""The Flask application factory.

``create_app(settings, store=None)`` builds a fresh app around one open store, so tests
build one app per test on a temporary store and nothing is created at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request

from loaders.store import GraphStore, open_configured_store
from server import errors, federation, security
from server.executor import ISOLATION_MODES
from server.pool import pool_for
from server.settings import Settings

# Blueprint modules, each exposing `bp` (a flask.Blueprint). Order matters only for
# routes that overlap, which they should not.
BLUEPRINTS: list[str] = [
    "server.security",
    "server.sparql",
    "server.void",
    "server.graph_store",
    "server.linked_data",
    "server.export",
    "server.load_api",
    "server.web.views",
]


class ClaimgraphRequest(Request):
    """A request that closes every spooled upload file it opened, even from a body that
    broke off mid-part: werkzeug drops such a file without closing it."""

    def _get_file_stream(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        stream = super()._get_file_stream(*args, **kwargs)
        self.__dict__.setdefault("_claimgraph_spooled", []).append(stream)
        return stream

    def close(self) -> None:
        try:
            super().close()
        finally:
            for stream in self.__dict__.pop("_claimgraph_spooled", []):
                stream.close()


def create_app(
    settings: Settings | Mapping[str, Any] | None = None, store: GraphStore | None = None
) -> Flask:
    """Build the app; ``store`` defaults to opening ``settings.store``."""
    if settings is None:
        settings = Settings.from_env()
    elif not isinstance(settings, Settings):
        settings = Settings.from_mapping(settings)
    federation.allowlist(settings)  # a malformed service_allowlist fails here, not per query
    if settings.query_isolation not in ISOLATION_MODES:
        raise ValueError(
            f"setting query_isolation must be one of {', '.join(ISOLATION_MODES)}, "
            f"not {settings.query_isolation!r}"
        )
    if settings.query_workers < 0:
        raise ValueError(
            f"setting query_workers must be 0 (two per core) or more, not {settings.query_workers}"
        )
    app = Flask(__name__)
    app.request_class = ClaimgraphRequest
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    store = store if store is not None else open_configured_store(settings)
    app.extensions["claimgraph.store"] = store
    if settings.query_isolation == "pool":
        pool_for(store, settings.query_workers or None)
    errors.register(app)
    security.init_app(app)
    for module_name in BLUEPRINTS:
        module = importlib.import_module(module_name)
        app.register_blueprint(module.bp)
    return app


def get_store(app: Flask) -> GraphStore:
    return app.extensions["claimgraph.store"]


def get_settings(app: Flask) -> Settings:
    return app.config["SETTINGS"]
