"""A real Oxigraph SPARQL server (PyPI package ``oxigraph``) for tests marked ``external``.

Started on 127.0.0.1 and a free port with a temporary directory, stopped at the end of
the test; its endpoints are ``/query``, ``/update`` and ``/store`` (Graph Store).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import free_port


def oxigraph_binary() -> str:
    """The ``oxigraph`` command installed next to this interpreter, else on PATH."""
    local = Path(sys.executable).with_name("oxigraph")
    found = str(local) if local.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` command is missing: pip install -e '.[test]'")
    return found


class OxigraphServer:
    def __init__(self, port: int, process: subprocess.Popen) -> None:
        self.port = port
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.query_url = f"{self.url}/query"
        self.update_url = f"{self.url}/update"
        self.gsp_url = f"{self.url}/store"


@contextmanager
def oxigraph_server(location: Path, *extra: str) -> Iterator[OxigraphServer]:
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}", *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        yield OxigraphServer(port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {error}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"oxigraph serve did not listen on 127.0.0.1:{port} within {timeout} s")
