"""A real Oxigraph SPARQL server (PyPI package ``oxigraph``) for tests marked ``external``.

Started on 127.0.0.1 and a free port with a temporary directory, stopped at the end of
the test; its endpoints are ``/query``, ``/update`` and ``/store`` (Graph Store).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    """Start a server; a port taken by another process meanwhile means another try."""
    for _attempt in range(3):
        port = free_port()
        command = [oxigraph_binary(), "serve", "--location", str(location)]
        command += ["--bind", f"127.0.0.1:{port}", *extra]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            if _wait_until_serving(port, process):
                yield OxigraphServer(port, process)
                return
        finally:
            _stop(process)
    pytest.fail("oxigraph serve could not get a free port on 127.0.0.1 in three tries")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


def _wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 20.0) -> bool:
    """True once *this* process answers on the port (its Server header says Oxigraph);
    False if it exited because the port was taken; a test failure on other errors."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            if "in use" in error.lower():
                return False
            pytest.fail(f"oxigraph serve exited with {process.returncode}: {error}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                server = response.headers.get("Server", "")
        except urllib.error.HTTPError as exc:
            server = exc.headers.get("Server", "")
            exc.close()
        except OSError:
            time.sleep(0.05)
            continue
        # Anything else answering means another process holds the port.
        return server.startswith("Oxigraph") and process.poll() is None
    pytest.fail(f"oxigraph serve did not listen on 127.0.0.1:{port} within {timeout} s")
