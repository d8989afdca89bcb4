"""Curves of cost against size, drawn from the benchmarks' ``--json`` results.

Tables say what each run measured; these plots show how it grows. Each figure merges
the results of several runs (a size appears in one of them), all on log-log axes:

- ``query-latency.svg``: p50 of every bound competency query in process
  (``bench_store.py --json``), against the size of the graph;
- ``endpoint-throughput.svg``: the one-of-each workload's throughput through HTTP for
  each server and client count (``bench_endpoint.py --json``; a server that failed a
  query, as rdflib-endpoint fails cq08, has no workload figure and is left out);
- ``load-rate.svg``: triples per second of each bulk-load method
  (``bench_store.py --loads-only --json``).

    python -m benchmarks.plot --results docs/benchmarks/results --out docs/benchmarks

Every ``*.json`` under ``--results`` is read and sorted into the figures by its shape.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from benchmarks.generate_graph import parse_size

Series = dict[str, dict[int, float]]  # label -> size in triples -> value
LOAD_TARGET = 300_000  # triples per second (issue 9)


def _is_endpoint(result: dict) -> bool:
    return result.get("mode") == "compare"


def query_series(results: Iterable[dict]) -> Series:
    """p50 in ms per bound query (``-all`` rows left out) and size."""
    series: Series = defaultdict(dict)
    for result in results:
        for size, data in result.get("sizes", {}).items():
            for query, timing in data.get("queries", {}).items():
                if not query.endswith("-all") and timing.get("p50") is not None:
                    series[query][parse_size(size)] = timing["p50"] * 1000
    return series


def load_series(results: Iterable[dict]) -> Series:
    """Triples per second per load method and size (references ``parse``/``memory`` too)."""
    series: Series = defaultdict(dict)
    for result in results:
        for size, data in result.get("sizes", {}).items():
            for method, load in data.get("load", {}).items():
                series[method][parse_size(size)] = load["triples_per_second"]
    return series


def workload_qps(queries: dict[str, dict]) -> float | None:
    """Throughput of one of each competency query (n / sum of 1/qps), None if one failed."""
    rates = [q["qps"] for name, q in queries.items() if name.startswith("cq")]
    if not rates or any(r <= 0 for r in rates):
        return None
    return len(rates) / sum(1 / r for r in rates)


def endpoint_series(results: Iterable[dict]) -> Series:
    """Workload q/s per server and client count, and size."""
    series: Series = defaultdict(dict)
    for result in results:
        for size, data in result.get("results", {}).items():
            for server, runs in data.get("servers", {}).items():
                for clients, run in runs.items():
                    if not clients.startswith("c"):
                        continue
                    qps = workload_qps(run["queries"])
                    if qps is not None:
                        series[f"{server}, {clients[1:]} client(s)"][parse_size(size)] = qps
    return series


def _size_label(triples: int) -> str:
    exponent = round(math.log10(triples))
    return {4: "10k", 5: "100k", 6: "1M", 7: "10M"}.get(exponent, f"{triples:,}")


def draw(
    series: Series, path: Path, *, title: str, ylabel: str, target: float | None = None
) -> None:
    import matplotlib

    matplotlib.use("agg")  # no display; savefig writes by extension
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "claimgraph"  # stable element ids between runs

    figure, axes = plt.subplots(figsize=(8, 5))
    sizes = sorted({size for points in series.values() for size in points})
    for label in sorted(series):
        points = sorted(series[label].items())
        if len(points) < 2:
            continue
        axes.plot([s for s, _ in points], [v for _, v in points], marker="o", label=label)
    if target is not None:
        axes.axhline(target, linestyle="--", color="grey", label=f"target {target:,.0f}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes, [_size_label(s) for s in sizes])
    axes.set_xlabel("graph size (triples)")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small", ncol=2)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})  # no timestamp: same data, same file
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="folder of --json files")
    parser.add_argument("--out", type=Path, required=True, help="folder for the SVG files")
    args = parser.parse_args(argv)
    results = [json.loads(p.read_text()) for p in sorted(args.results.glob("*.json"))]
    endpoint = [r for r in results if _is_endpoint(r)]
    store = [r for r in results if not _is_endpoint(r)]
    args.out.mkdir(parents=True, exist_ok=True)
    draw(
        query_series(store),
        args.out / "query-latency.svg",
        title="Competency queries in process, bound as the pages bind them (p50)",
        ylabel="ms",
    )
    draw(
        endpoint_series(endpoint),
        args.out / "endpoint-throughput.svg",
        title="One of each competency query through HTTP",
        ylabel="queries per second",
    )
    draw(
        load_series(store),
        args.out / "load-rate.svg",
        title="Bulk load into the embedded store (2 cores)",
        ylabel="triples per second",
        target=LOAD_TARGET,
    )
    for name in ("query-latency", "endpoint-throughput", "load-rate"):
        print(args.out / f"{name}.svg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
