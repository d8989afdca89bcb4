"""Export at flat memory: peak memory of a whole-dataset dump at each size.

Three ways to dump the same store, each measured at every size:

- ``claimgraph export`` (CLI) in a child process: wall time, output bytes, and the
  child's peak RSS (its ``VmHWM``);
- ``GET /export`` from ``claimgraph serve``: the body is read in 1 MiB chunks and
  dropped, while the server's process tree (gunicorn master, worker, the forked child
  that writes the dump) is sampled every 0.1 s; its peak proportional set size (PSS,
  pages shared after fork counted once) is reported next to its PSS before the request;
- ``Store.dump`` (pyoxigraph's own Rust writer, whole store in one call) in a child
  process: what the engine can do, as a yardstick for the two above.

Memory that stays the same from 10k to 10M triples is flat; a dump that held the
dataset would grow with it.

    python -m benchmarks.bench_export --sizes 10k,100k,1M,10M
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import peers
from benchmarks.common import (
    DEFAULT_WORKDIR,
    descendants,
    machine,
    machine_line,
    markdown_table,
    pss_kb,
    run_measured,
    size_name,
    sizes_of,
    store_dir,
    write_json,
)

FORMATS = {"nquads": "nq", "trig": "trig"}
ENGINE_DUMP = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1]) if hasattr(ox.Store, "read_only") else ox.Store(sys.argv[1])
store.dump(sys.argv[2], ox.RdfFormat.N_QUADS)
"""


def _child(argv: list[str]) -> dict[str, float]:
    return run_measured(argv, cwd=Path(__file__).resolve().parents[1])


def cli_export(store: Path, fmt: str, output: Path) -> dict[str, float]:
    claimgraph = str(Path(sys.executable).parent / "claimgraph")
    result = _child(
        [claimgraph, "export", "--store", str(store), "--format", fmt, "-o", str(output)]
    )
    result["bytes"] = output.stat().st_size
    output.unlink()
    return result


def engine_dump(store: Path, output: Path) -> dict[str, float]:
    result = _child([sys.executable, "-c", ENGINE_DUMP, str(store), str(output)])
    result["bytes"] = output.stat().st_size
    output.unlink()
    return result


class PeakSampler:
    """Samples the PSS of a process tree every ``interval`` seconds; keeps the peak."""

    def __init__(self, root_pid: int, interval: float = 0.1) -> None:
        self.root_pid = root_pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, pss_kb(descendants(self.root_pid)))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def http_export(server: peers.Server, fmt: str) -> dict[str, float]:
    parts = urlsplit(server.url)
    root = server.process.pid
    before_kb = pss_kb(descendants(root))
    received = 0
    started = time.perf_counter()
    with PeakSampler(root) as sampler:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
        conn.request("GET", f"/export?format={fmt}")
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET /export?format={fmt}: status {response.status}")
        while chunk := response.read(1 << 20):
            received += len(chunk)
        conn.close()
    return {
        "seconds": time.perf_counter() - started,
        "bytes": received,
        "server_pss_before_mb": before_kb / 1024,
        "server_pss_peak_mb": sampler.peak_kb / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--formats", default="nquads,trig", help=f"of {', '.join(FORMATS)}")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    info = machine()
    print(f"Machine: {machine_line(info)}", flush=True)
    rows, report = [], {}
    for triples in sizes_of(args.sizes):
        name = size_name(triples)
        store = store_dir(args.workdir, triples, args.seed)
        out_dir = args.workdir / "export"
        out_dir.mkdir(parents=True, exist_ok=True)
        results: dict[str, dict[str, float]] = {}
        for fmt in args.formats.split(","):
            results[f"cli {fmt}"] = cli_export(store, fmt, out_dir / f"{name}.{FORMATS[fmt]}")
        results["Store.dump nquads"] = engine_dump(store, out_dir / f"{name}-engine.nq")
        with peers.start("claimgraph", args.workdir, triples, seed=args.seed) as server:
            for fmt in args.formats.split(","):
                results[f"GET /export {fmt}"] = http_export(server, fmt)
        report[name] = results
        for how, r in results.items():
            memory = (
                f"{r['peak_rss_mb']:,.0f} (peak RSS)"
                if "peak_rss_mb" in r
                else f"{r['server_pss_peak_mb']:,.0f} (server PSS peak; "
                f"{r['server_pss_before_mb']:,.0f} before)"
            )
            rate = r["bytes"] / r["seconds"] / 1e6
            row = [name, how, f"{r['seconds']:.1f}", f"{r['bytes'] / 1e6:,.0f}", f"{rate:.0f}"]
            rows.append([*row, memory])
            print(" | ".join(str(c) for c in rows[-1]), flush=True)
    print()
    print(markdown_table(["size", "how", "seconds", "MB out", "MB/s", "memory MB"], rows))
    write_json(args.json, {"machine": info, "results": report})
    return 0


if __name__ == "__main__":
    sys.exit(main())
