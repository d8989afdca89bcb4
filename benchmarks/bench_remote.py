"""What the emulated union default graph costs a remote store, against the native one.

Run by hand: ``python -m benchmarks.bench_remote --graphs 1000``. Starts two
``oxigraph serve`` processes on 127.0.0.1 (one with ``--union-default-graph``), writes
the same ``--graphs`` small document graphs to both through ``RemoteStore``, then times
a union query: emulated (every graph named in the request) and native.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyoxigraph import Literal, Quad

from benchmarks.bench_import import free_port
from loaders.remote import RemoteStore
from ontology import iris
from ontology.vocab import CG, RDF

B = "https://w3id.org/claimgraph/"
QUERY = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d a {CG.Document} ; {CG.text} ?t }}"


def start(location: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    oxigraph = Path(sys.executable).with_name("oxigraph")
    command = [str(oxigraph), "serve", "--location", str(location)]
    command += ["--bind", f"127.0.0.1:{port}", *extra]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    return process, f"http://127.0.0.1:{port}"


def fill(store: RemoteStore, graphs: int) -> None:
    for n in range(graphs):
        doc_id = f"doc-{n}"
        g, doc = iris.document_graph(B, doc_id), iris.document(B, doc_id)
        quads = [Quad(doc, RDF.type, CG.Document, g), Quad(doc, CG.text, Literal(f"text {n}"), g)]
        store.replace_graph(g, quads)


def timed(store: RemoteStore, runs: int) -> tuple[float, int]:
    seconds = []
    answer = 0
    for _ in range(runs):
        started = time.perf_counter()
        answer = int(next(iter(store.query(QUERY)))["n"].value)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--graphs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain, plain_url = start(Path(tmp) / "plain")
        union, union_url = start(Path(tmp) / "union", "--union-default-graph")
        try:
            emulated = RemoteStore(plain_url + "/query", plain_url + "/update", union="emulate")
            native = RemoteStore(union_url + "/query", union_url + "/update", union="native")
            for store in (emulated, native):
                fill(store, args.graphs)
            for name, store in (("emulated", emulated), ("native", native)):
                median, answer = timed(store, args.runs)
                print(
                    f"{name}: {args.graphs} graphs, answer {answer}, median {median * 1000:.1f} ms"
                )
        finally:
            for process in (plain, union):
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
