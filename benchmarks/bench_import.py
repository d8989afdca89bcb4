"""How fast ``claimgraph import`` writes, per path: atomic, bulk (embedded) and streamed (remote).

Run by hand: ``python -m benchmarks.bench_import --triples 200000``. Each path runs in a
child process on a fresh store, so the peak RSS it reports is that path's own. The
remote path starts ``oxigraph serve`` on 127.0.0.1 with a temporary directory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Triple

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
GEO = NamedNode("http://www.opengis.net/ont/geosparql#wktLiteral")


def write_dataset(path: Path, triples: int) -> None:
    """Wikidata-shaped items, four triples each, gzip-compressed N-Triples."""

    def rows():
        for n in range(triples // 4):
            item = NamedNode(f"{WD}Q{n + 1}")
            yield Triple(item, NamedNode(WDT + "P31"), NamedNode(WD + "Q515"))
            yield Triple(item, NamedNode(WDT + "P17"), NamedNode(f"{WD}Q{n % 200 + 1}"))
            point = f"Point({n % 360 - 180}.5 {n % 180 - 90}.25)"
            yield Triple(item, NamedNode(WDT + "P625"), Literal(point, datatype=GEO))
            yield Triple(
                item,
                NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                Literal(f"place {n}", language="en"),
            )

    with gzip.open(path, "wb") as out:
        ox.serialize(rows(), out, format=ox.RdfFormat.N_TRIPLES)


def run_one(mode: str, dataset: Path, workdir: Path, remote_url: str | None) -> dict:
    from loaders.importer import import_file
    from loaders.remote import RemoteStore
    from loaders.store import EmbeddedStore

    graph = NamedNode("https://w3id.org/claimgraph/graph/import/bench")
    if mode == "remote":
        store = RemoteStore(remote_url + "/query", remote_url + "/update")
    else:
        store = EmbeddedStore(str(workdir / f"store-{mode}"))
    started = time.perf_counter()
    report = import_file(
        store, dataset, graph, base_iri="https://w3id.org/claimgraph/", bulk=(mode == "bulk")
    )
    seconds = time.perf_counter() - started
    return {
        "mode": mode,
        "triples": report.triples,
        "seconds": round(seconds, 2),
        "triples_per_second": round(report.triples / seconds),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--modes", default="atomic,bulk,remote")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DATASET", "WORKDIR"))
    parser.add_argument("--remote-url")
    args = parser.parse_args()
    if args.child:
        mode, dataset, workdir = args.child
        print(json.dumps(run_one(mode, Path(dataset), Path(workdir), args.remote_url)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dataset = work / "bench.nt.gz"
        write_dataset(dataset, args.triples)
        print(f"dataset: {args.triples} triples, {dataset.stat().st_size / 1e6:.1f} MB gzip")
        for mode in args.modes.split(","):
            command = [sys.executable, "-m", "benchmarks.bench_import", "--child", mode]
            command += [str(dataset), str(work)]
            server = None
            if mode == "remote":
                port = free_port()
                oxigraph = Path(sys.executable).with_name("oxigraph")
                server = subprocess.Popen(
                    [
                        str(oxigraph),
                        "serve",
                        "--location",
                        str(work / "remote"),
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.5)
                command += ["--remote-url", f"http://127.0.0.1:{port}"]
            try:
                print(
                    subprocess.run(
                        command, check=True, capture_output=True, text=True
                    ).stdout.strip()
                )
            finally:
                if server is not None:
                    server.terminate()
                    server.wait()


if __name__ == "__main__":
    main()
