"""Start SPARQL servers on 127.0.0.1 over the same data: claimgraph and its peers.

- ``claimgraph``: ``claimgraph serve`` on the embedded store (a directory);
- ``oxigraph``: Oxigraph's own Rust server (PyPI ``oxigraph``), read-only, on a copy of
  the same store directory (RocksDB allows one process per directory), with the union
  of the named graphs as its default graph, as claimgraph serves it;
- ``rdflib``: rdflib-endpoint (rdflib + FastAPI under uvicorn), which parses the N-Quads
  file into an in-memory rdflib Dataset with default union;
- ``claimgraph-fork``: ``claimgraph serve --query-isolation fork`` (a child forked per
  query, the default before the worker pool), and ``claimgraph-thread``: ``--query-isolation
  thread``, to tell the cost of the query processes from the rest (not for production:
  such queries cannot be stopped).

Each server runs as a child process of the benchmark, is polled until it answers an
``ASK {}``, and is stopped (SIGTERM, then SIGKILL) by its own pid.

    python -m benchmarks.peers --size 100k     # start all three and wait; Ctrl-C stops
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    DEFAULT_WORKDIR,
    copy_store,
    dataset,
    descendants,
    size_name,
    store_dir,
)
from benchmarks.generate_graph import parse_size

BIN = Path(sys.executable).parent
PEERS = ("claimgraph", "oxigraph", "rdflib")
# For diagnosis: claimgraph forking a child per query, and without any query process.
VARIANTS = ("claimgraph-fork", "claimgraph-thread")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running SPARQL server: its query endpoint URL and its process."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    startup_seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    def pids(self) -> list[int]:
        """The server process and its workers (gunicorn forks, per-query children)."""
        return descendants(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _spawn(
    name: str, argv: list[str], url: str, log_dir: Path, timeout: float, env: dict | None = None
) -> Server:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            cwd=Path(__file__).resolve().parents[1],
        )
    server = Server(name, url, process, log_path)
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop()
        raise
    server.startup_seconds = time.perf_counter() - started
    return server


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(
        server.url,
        data=b"ASK {}",
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = server.log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    response.read()
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{server.name} did not answer at {server.url} within {timeout:g} s")


def start_claimgraph(
    store: Path, log_dir: Path, *, extra_args: list[str] | None = None, timeout: float = 120
) -> Server:
    """``claimgraph serve`` without rate limiting (one benchmark client is one address)."""
    port = free_port()
    argv = [str(BIN / "claimgraph"), "serve", "--store", str(store), "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--rate-limit", "0", *(extra_args or [])]
    return _spawn("claimgraph", argv, f"http://127.0.0.1:{port}/sparql", log_dir, timeout)


def start_oxigraph(store: Path, log_dir: Path, *, timeout: float = 120) -> Server:
    port = free_port()
    argv = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store)]
    argv += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return _spawn("oxigraph", argv, f"http://127.0.0.1:{port}/query", log_dir, timeout)


def start_rdflib(data: Path, log_dir: Path, *, timeout: float = 1800) -> Server:
    port = free_port()
    argv = [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1"]
    argv += ["--port", str(port)]
    return _spawn("rdflib", argv, f"http://127.0.0.1:{port}/", log_dir, timeout)


def start(
    name: str, workdir: Path, triples: int, *, seed: int = 1, extra_args: list[str] | None = None
) -> Server:
    """Start one server over the data set of ``triples`` (made on first use)."""
    log_dir = workdir / "logs"
    if name == "claimgraph":
        return start_claimgraph(store_dir(workdir, triples, seed), log_dir, extra_args=extra_args)
    if name in VARIANTS:  # claimgraph with another query isolation, for diagnosis
        mode = name.removeprefix("claimgraph-")
        extra = ["--query-isolation", mode, *(extra_args or [])]
        server = start_claimgraph(store_dir(workdir, triples, seed), log_dir, extra_args=extra)
        server.name = name
        return server
    if name == "oxigraph":
        copy = workdir / "stores" / f"{size_name(triples)}-oxigraph"
        return start_oxigraph(copy_store(store_dir(workdir, triples, seed), copy), log_dir)
    if name == "rdflib":
        return start_rdflib(dataset(workdir, triples, seed), log_dir)
    raise ValueError(f"unknown server {name!r}; expected one of {PEERS + VARIANTS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("10k"))
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--servers", default=",".join(PEERS))
    args = parser.parse_args(argv)
    servers = []
    try:
        for name in args.servers.split(","):
            server = start(name, args.workdir, args.size)
            servers.append(server)
            print(f"{name}: {server.url} (ready in {server.startup_seconds:.1f} s)", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
