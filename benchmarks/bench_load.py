"""Loading speed: documents/s and triples/s with 0, 1 and 2 worker processes, peak memory.

Synthesizes the corpus on first use (:mod:`benchmarks.synth_corpus`), then for each
worker count loads it into a fresh on-disk store in a child process, so that each run's
peak RSS is its own: the main process (reading, checking, writing) and, separately, the
largest pool worker (reading + extraction). A second pass over the same store measures
the incremental path (every document unchanged).

    python -m benchmarks.bench_load --docs 1000 --workers 0,1,2
    python -m benchmarks.bench_load --builder tests.test_ingest:fake_builder  # ingest only
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import DEFAULT_WORKDIR, REPO, machine, machine_line, markdown_table
from benchmarks.synth_corpus import synthesize
from ontology.vocab import DEFAULT_BASE_IRI

DEFAULT_BUILDER = "loaders.ingest:extract"  # loaders.build.document_quads, as the CLI runs it


def _builder(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


_STATS_ENV = "CLAIMGRAPH_BENCH_STATS"  # folder where workers leave their numbers
_INNER_ENV = "CLAIMGRAPH_BENCH_BUILDER"  # the builder being measured, module:function


def measured_builder(doc, base_iri: str):
    """The measured builder, then this process's peak RSS and CPU time into a file named
    after its pid: pool workers are the forkserver's children, so neither
    ``RUSAGE_CHILDREN`` nor sampling /proc from the main process sees them reliably."""
    quads = _builder(os.environ[_INNER_ENV])(doc, base_iri)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = Path(os.environ[_STATS_ENV]) / str(os.getpid())
    stats.write_text(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
    return quads


def _worker_stats(folder: Path) -> tuple[float, float]:
    """(largest peak RSS in MB, total CPU seconds) over the worker processes."""
    peak, cpu = 0.0, 0.0
    for path in folder.iterdir():
        if int(path.name) == os.getpid():
            continue  # workers 0: this process extracted
        kb, seconds = path.read_text().split()
        peak, cpu = max(peak, int(kb) / 1024), cpu + float(seconds)
    return peak, cpu


def run_one(corpus: Path, store_path: Path, workers: int, builder_spec: str) -> dict:
    """One measured load (in this process), then an all-unchanged reload."""
    from loaders.ingest import load_paths
    from loaders.store import EmbeddedStore

    stats = store_path.with_name("worker-stats")
    shutil.rmtree(stats, ignore_errors=True)
    stats.mkdir(parents=True)
    os.environ.update({_STATS_ENV: str(stats), _INNER_ENV: builder_spec})
    builder = measured_builder
    shutil.rmtree(store_path, ignore_errors=True)
    store = EmbeddedStore(str(store_path))

    def timed_load():
        started = time.perf_counter()
        report = load_paths(
            store,
            [corpus],
            base_iri=DEFAULT_BASE_IRI,
            builder=builder,
            workers=workers,
            support_graphs=False,
        )
        store.flush()
        return report, time.perf_counter() - started

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    main_cpu = cpu()
    report, seconds = timed_load()
    main_cpu = cpu() - main_cpu
    worker_peak_mb, worker_cpu = _worker_stats(stats)
    again, reload_seconds = timed_load()
    return {
        "workers": workers,
        "documents": len(report.outcomes),
        "loaded": len(report.of_status("loaded")),
        "failed": [o.error for o in report.of_status("failed")][:5],
        "triples": report.triples,
        "seconds": seconds,
        "reload_unchanged": len(again.of_status("unchanged")),
        "reload_seconds": reload_seconds,
        "peak_rss_main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB
        "peak_rss_worker_mb": worker_peak_mb,
        # CPU time does not depend on what else the machine runs: the cost per document
        "cpu_main_seconds": main_cpu,
        "cpu_workers_seconds": worker_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument(
        "--workers", default="0,1,2", help="comma-separated worker counts (0: no pool)"
    )
    parser.add_argument("--builder", default=DEFAULT_BUILDER, help="module:function")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.workdir / f"corpus-{args.docs}-seed{args.seed}"
    store_path = args.workdir / "load-store"
    if args.one:
        print(json.dumps(run_one(corpus, store_path, int(args.workers), args.builder)))
        return
    if not corpus.exists():
        synthesize(corpus, args.docs, args.seed)
    info = machine()
    size = sum(p.stat().st_size for p in corpus.iterdir())
    results = []
    for workers in [int(w) for w in args.workers.split(",")]:
        command = [
            sys.executable,
            "-m",
            "benchmarks.bench_load",
            "--one",
            "--docs",
            str(args.docs),
            "--seed",
            str(args.seed),
            "--workers",
            str(workers),
            "--builder",
            args.builder,
            "--workdir",
            str(args.workdir),
        ]
        out = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    shutil.rmtree(store_path, ignore_errors=True)
    print(f"machine: {machine_line(info)}")
    print(
        f"corpus: {args.docs} synthetic documents, {size:,} bytes (seed {args.seed}); "
        f"builder {args.builder}"
    )
    rows = [
        [
            r["workers"],
            f"{r['loaded']}/{r['documents']}",
            r["triples"],
            f"{r['seconds']:.1f}",
            f"{r['documents'] / r['seconds']:.1f}",
            f"{r['triples'] / r['seconds']:,.0f}",
            f"{r['cpu_main_seconds']:.1f} / {r['cpu_workers_seconds']:.1f}",
            f"{r['reload_seconds']:.2f}",
            f"{r['peak_rss_main_mb']:.0f}",
            f"{r['peak_rss_worker_mb']:.0f}" if r["workers"] > 0 else "-",
        ]
        for r in results
    ]
    print(
        markdown_table(
            [
                "workers",
                "loaded",
                "triples",
                "s",
                "docs/s",
                "triples/s",
                "CPU s main / workers",
                "reload s (unchanged)",
                "peak RSS main MB",
                "peak RSS worker MB",
            ],
            rows,
        )
    )
    for r in results:
        if r["failed"]:
            print(f"failures with {r['workers']} workers (first 5): {r['failed']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=2))


if __name__ == "__main__":
    main()
