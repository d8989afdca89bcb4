"""Fixtures shared by every test: temporary on-disk stores, settings, apps, a live server.

Each test gets its own store under ``tmp_path``; nothing is created at import time.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from loaders.store import EmbeddedStore
from server.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return str(tmp_path / "store")


@pytest.fixture
def store(store_path: str) -> EmbeddedStore:
    """A real on-disk pyoxigraph store in a temporary directory."""
    return EmbeddedStore(store_path)


@pytest.fixture
def settings(store_path: str) -> Settings:
    return Settings.from_mapping({"store": store_path, "rate_limit": 0.0})


class LiveServer:
    """The app behind a real threaded HTTP server on 127.0.0.1 and a free port."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture
def live_server_factory() -> Iterator:
    """Call with an app; the server is stopped at the end of the test."""
    servers: list[LiveServer] = []

    def start(app) -> LiveServer:
        server = LiveServer(app).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)
