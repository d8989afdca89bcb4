"""Export at flat memory: peak memory of a whole-dataset dump at each size.

Four ways to dump the same store, each measured at every size:

- ``claimgraph export`` (CLI) in a child process: wall time, output bytes, and the
  child's peak RSS (its ``VmHWM``);
- ``Store.dump`` (pyoxigraph's own Rust writer, whole store in one call) in a child
  process: what the engine alone needs, as a yardstick;
- ``write_export`` on a warm store, in a child process that first opens the store,
  counts the quads of every graph and runs ``Store.dump`` to ``/dev/null`` (so every
  index block and dictionary entry the export reads has been read once), then resets
  its ``VmHWM`` (``/proc/self/clear_refs``) and exports to ``/dev/null``: the export's
  own cost is its peak RSS minus its RSS before, apart from what the open store holds;
- ``GET /export`` from ``claimgraph serve``: the body is read in 1 MiB chunks and
  dropped, while the server's process tree is sampled every 0.1 s; its peak
  proportional set size (PSS, pages shared after fork counted once) is reported next to
  its PSS before the request. The formats run one after the other, so the second
  request finds the store's caches as the first left them.

The warm-store child also reports what the open store itself holds: RSS after opening
it (and importing the exporter), after the count, after ``Store.dump``; then the peak of
one more export's Python heap (``tracemalloc``, on its own pass since it slows the
export and costs memory itself). Next to it, the index and filter blocks of the store's
SST files, read from their properties blocks: what RocksDB's table readers hold, outside
its block caches. Memory that stays the same from 10k to 10M triples is flat; a dump
that held the dataset would grow with it.

    python -m benchmarks.bench_export --sizes 10k,100k,1M,10M
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
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


COUNT_EVERY_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _anonymous_mb() -> float:
    with open("/proc/self/smaps_rollup", encoding="utf-8") as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no Anonymous in /proc/self/smaps_rollup")


class _Sink:
    """A binary output that counts and drops what it is given."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def warm_probe(store_path: Path, formats: list[str]) -> dict[str, object]:
    """Run in a child: what the open store holds, then each export's own peak over it."""
    import pyoxigraph as ox

    from loaders.store import EmbeddedStore
    from ontology.vocab import DEFAULT_BASE_IRI
    from server.export import FORMAT_NAMES, write_export

    store = EmbeddedStore(str(store_path))
    held = {"opened": _status_mb("VmRSS")}
    next(iter(store.raw.query(COUNT_EVERY_GRAPH)))  # type: ignore[call-overload]
    held["after_count"] = _status_mb("VmRSS")
    store.raw.dump(_Sink(), ox.RdfFormat.N_QUADS)
    held["after_store_dump"] = _status_mb("VmRSS")
    held["anonymous_after_store_dump"] = _anonymous_mb()
    exports = {}
    for fmt in formats:
        before = _status_mb("VmRSS")
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")  # VmHWM := VmRSS, so the peak below is this export's
        sink, started = _Sink(), time.perf_counter()
        write_export(store, sink, FORMAT_NAMES[fmt], base_iri=DEFAULT_BASE_IRI)  # type: ignore[arg-type]
        peak = _status_mb("VmHWM")
        exports[fmt] = {
            "seconds": time.perf_counter() - started,
            "bytes": sink.bytes,
            "rss_before_mb": before,
            "peak_rss_mb": peak,
            "own_mb": peak - before,
        }
    # The Python heap of one more export, apart (tracemalloc slows it and costs RSS itself).
    tracemalloc.start()
    write_export(store, _Sink(), FORMAT_NAMES[formats[0]], base_iri=DEFAULT_BASE_IRI)  # type: ignore[arg-type]
    held["export_python_heap_peak_kb"] = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return {"store_holds_mb": held, "exports": exports}


# --------------------------------------------------- index and filter blocks of a store
# RocksDB keeps every open SST file's index and filter blocks in memory, outside its block
# cache (Oxigraph: cache_index_and_filter_blocks 0, max_open_files near the fd limit), so
# they grow with the store. Their sizes are in each file's properties block; reading them
# needs no RocksDB tool: footer -> metaindex block -> "rocksdb.properties" block.


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def _block_entries(block: bytes) -> dict[bytes, bytes]:
    """Key -> value of an uncompressed RocksDB block (prefix-compressed keys, restarts)."""
    restarts = struct.unpack("<I", block[-4:])[0]
    end, i, key, entries = len(block) - 4 - 4 * restarts, 0, b"", {}
    while i < end:
        shared, i = _varint(block, i)
        unshared, i = _varint(block, i)
        size, i = _varint(block, i)
        key = key[:shared] + block[i : i + unshared]
        entries[key] = block[i + unshared : i + unshared + size]
        i += unshared + size
    return entries


def sst_properties(path: Path) -> dict[str, int | str]:
    """The properties of one block-based SST file (format_version 5 to 7)."""
    with path.open("rb") as f:
        f.seek(-53, os.SEEK_END)
        footer = f.read(53)
        if footer[1:5] == b"\x3e\x00\x7a\x00":  # format_version >= 6: metaindex before footer
            size = struct.unpack("<I", footer[13:17])[0]
            offset = path.stat().st_size - 53 - 5 - size
        else:
            offset, i = _varint(footer, 1)
            size, _ = _varint(footer, i)
        f.seek(offset)
        handle = _block_entries(f.read(size))[b"rocksdb.properties"]
        offset, i = _varint(handle, 0)
        size, _ = _varint(handle, i)
        f.seek(offset)
        raw = _block_entries(f.read(size))
    # Files written by an SstFileWriter (bulk loads) name no column family.
    family = raw.get(b"rocksdb.column.family.name", b"?").decode()
    props: dict[str, int | str] = {"column_family": family}
    for name in ("index.size", "filter.size", "data.size"):
        props[name] = _varint(raw.get(f"rocksdb.{name}".encode(), b"\0"), 0)[0]
    return props


def index_and_filter_mb(store: Path) -> float:
    """Index and filter blocks of every SST file of ``store``: what its table readers hold."""
    files = [sst_properties(p) for p in store.glob("*.sst")]
    return sum(int(p["index.size"]) + int(p["filter.size"]) for p in files) / 2**20


def warm_export(store: Path, formats: list[str]) -> dict[str, object]:
    argv = [sys.executable, "-m", "benchmarks.bench_export", "--warm-probe", str(store)]
    argv += ["--formats", ",".join(formats)]
    done = subprocess.run(
        argv, cwd=Path(__file__).resolve().parents[1], capture_output=True, check=True
    )
    return json.loads(done.stdout)


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
    parser.add_argument("--warm-probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    if args.warm_probe:
        print(json.dumps(warm_probe(args.warm_probe, formats)))
        return 0
    info = machine()
    print(f"Machine: {machine_line(info)}", flush=True)
    rows, held_rows, report = [], [], {}
    for triples in sizes_of(args.sizes):
        name = size_name(triples)
        store = store_dir(args.workdir, triples, args.seed)
        out_dir = args.workdir / "export"
        out_dir.mkdir(parents=True, exist_ok=True)
        results: dict[str, dict[str, float]] = {}
        for fmt in formats:
            results[f"cli {fmt}"] = cli_export(store, fmt, out_dir / f"{name}.{FORMATS[fmt]}")
        results["Store.dump nquads"] = engine_dump(store, out_dir / f"{name}-engine.nq")
        warm = warm_export(store, formats)
        for fmt, r in warm["exports"].items():  # type: ignore[union-attr]
            results[f"write_export {fmt}, warm store"] = r
        with peers.start("claimgraph", args.workdir, triples, seed=args.seed) as server:
            for fmt in formats:
                results[f"GET /export {fmt}"] = http_export(server, fmt)
        held = warm["store_holds_mb"]
        held["sst_index_and_filter_blocks"] = index_and_filter_mb(store)  # type: ignore[index]
        report[name] = {"results": results, "store_holds_mb": held}
        held_rows.append([name, *(f"{v:,.1f}" for v in held.values())])  # type: ignore[union-attr]
        for how, r in results.items():
            rows.append([name, how, *_columns(r)])
            print(" | ".join(str(c) for c in rows[-1]), flush=True)
    print()
    header = ["size", "how", "seconds", "MB out", "MB/s", "peak MB", "before MB", "own MB"]
    print(markdown_table(header, rows))
    print()
    print("What the open store holds (MB, RSS of the warm-store child unless said):")
    print(
        markdown_table(
            [
                "size",
                "opened",
                "after COUNT of every graph",
                "after Store.dump",
                "of which anonymous",
                "export's Python heap peak, KB (tracemalloc)",
                "SST index + filter blocks",
            ],
            held_rows,
        )
    )
    write_json(args.json, {"machine": info, "results": report})
    return 0


def _columns(r: dict[str, float]) -> list[str]:
    """seconds, MB out, MB/s, then peak / before / own memory: RSS, or the server's PSS."""
    rate = r["bytes"] / r["seconds"] / 1e6
    if "server_pss_peak_mb" in r:
        peak, before = r["server_pss_peak_mb"], r["server_pss_before_mb"]
    else:
        peak, before = r["peak_rss_mb"], r.get("rss_before_mb")
    memory = [f"{peak:,.0f}", "-", "-"]
    if before is not None:
        memory[1:] = [f"{before:,.0f}", f"{peak - before:+,.0f}"]
    return [f"{r['seconds']:.1f}", f"{r['bytes'] / 1e6:,.0f}", f"{rate:.0f}", *memory]


if __name__ == "__main__":
    sys.exit(main())
