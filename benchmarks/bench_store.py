"""The embedded store at growing sizes: bulk-load speed, peak memory, query latency.

For each size: load the generated N-Quads file into a fresh on-disk store, each load
method in its own child process (so its peak RSS, ``VmHWM``, is its own), then
run every competency query in process (union default graph, as the server does) and
serialize each answer as the endpoint would (SPARQL JSON / N-Triples), keeping p50 and
p99 of the wall time over repeated runs.

Load methods: ``parallel`` is ``EmbeddedStore.bulk_load_file`` (the file cut at line
ends across concurrent bulk loaders); ``lenient`` the same without validating IRIs and
literals (for trusted input such as our own dumps); ``parallel:N`` and ``lenient:N``
the same cut into N ranges instead of the default; ``single`` one ``Store.bulk_load``
of the whole file (``path=``); ``update`` one ``replace_graph`` SPARQL Update per
document graph (the loaders' write path, only worth running at small sizes). Two
references that load nothing into RocksDB: ``parse`` counts the quads of
``pyoxigraph.parse`` (the parser's own cost, the floor of any load), ``memory``
bulk-loads into pyoxigraph's in-memory store (parsing and indexing without RocksDB).

CPU seconds are the loading process's own (user + system, all threads) from the
start of the load to the end of ``flush``, so they leave out interpreter start-up and
the count of the loaded quads.

    python -m benchmarks.bench_store --sizes 10k,100k,1M,10M
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from benchmarks.common import (
    BenchQuery,
    Clock,
    common_arguments,
    competency_queries,
    dataset,
    machine,
    machine_line,
    markdown_table,
    ms,
    percentile,
    run_measured,
    size_name,
    sizes_of,
    write_json,
)
from loaders.store import EmbeddedStore

LOAD_METHODS = ("parallel", "lenient", "single", "update", "parse", "memory")


def _load_in_this_process(method: str, data: Path, location: Path) -> dict[str, float]:
    name, _, parts_text = method.partition(":")
    parts = int(parts_text) if parts_text else None
    if name not in LOAD_METHODS or (parts is not None and name not in ("parallel", "lenient")):
        raise ValueError(f"unknown load method {method!r}; expected one of {LOAD_METHODS}")
    shutil.rmtree(location, ignore_errors=True)
    location.parent.mkdir(parents=True, exist_ok=True)
    nquads = ox.RdfFormat.N_QUADS
    store = EmbeddedStore(None if name in ("parse", "memory") else str(location))
    cpu_before, started = _cpu_seconds(), time.perf_counter()
    triples = None
    if name in ("parallel", "lenient"):  # lenient: no IRI and literal validation
        store.bulk_load_file(data, nquads, parts=parts, lenient=name == "lenient")
    elif name in ("single", "memory"):
        store.raw.bulk_load(path=str(data), format=nquads)
    elif name == "parse":
        triples = sum(1 for _ in ox.parse(path=str(data), format=nquads))
    else:  # update
        for graph, quads in _graphs_in_order(data):
            store.replace_graph(graph, quads)
    store.flush()
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    return {"seconds": seconds, "load_cpu_seconds": cpu, "triples": triples or len(store.raw)}


def _cpu_seconds() -> float:
    """User + system CPU of this process so far, all its threads (RocksDB's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _graphs_in_order(data: Path):  # type: ignore[no-untyped-def]
    """(graph, quads) per named graph of a generated file, whose graphs come in runs."""
    graph, batch = None, []
    for quad in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS):
        if quad.graph_name != graph and batch:
            yield graph, batch
            batch = []
        graph = quad.graph_name
        batch.append(quad)
    if batch:
        yield graph, batch


def load(method: str, data: Path, location: Path) -> dict[str, float]:
    """Load in a child process; add its peak RSS and CPU seconds."""
    out = location.parent / f"{location.name}.load.json"
    argv = [sys.executable, "-m", "benchmarks.bench_store", "--child-load", method]
    measured = run_measured(
        [*argv, str(data), str(location), str(out)], cwd=Path(__file__).resolve().parents[1]
    )
    result = json.loads(out.read_text())
    out.unlink()
    result.update(peak_rss_mb=measured["peak_rss_mb"], process_cpu_seconds=measured["cpu_seconds"])
    result["triples_per_second"] = result["triples"] / result["seconds"]
    result["cpu_us_per_triple"] = result["load_cpu_seconds"] * 1e6 / result["triples"]
    return result


def _median_load(
    method: str, data: Path, location: Path, scratch: Path, args: argparse.Namespace
) -> dict[str, object]:
    """``args.repeat`` loads of one method; the run of median wall time, with all runs'
    seconds. Only ``parallel`` without ``--loads-only`` writes the store that the other
    benchmarks reuse (``stores/{size}``, its last run); every other load goes to ``scratch``."""
    keep = method == "parallel" and not args.loads_only
    runs = []
    for _ in range(args.repeat):
        target = location if keep else scratch / location.name
        os.sync()  # the previous load's dirty pages must not be written back during this one
        runs.append(load(method, data, target))
        if not keep:
            shutil.rmtree(target, ignore_errors=True)
        rate = runs[-1]["triples_per_second"]
        load1 = os.getloadavg()[0]
        print(
            f"{location.name} load {method}: {rate:,.0f} triples/s (load {load1:.2f})", flush=True
        )
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**median, "all_seconds": [r["seconds"] for r in runs]}


def _load_row(name: str, method: str, result: dict[str, object]) -> list[str]:
    seconds = f"{result['seconds']:.1f}"
    others = result["all_seconds"]
    if len(others) > 1:  # type: ignore[arg-type]
        seconds += f" ({min(others):.1f}-{max(others):.1f})"  # type: ignore[type-var]
    return [
        name,
        f"{result['triples']:,}",
        method,
        seconds,
        f"{result['triples_per_second']:,.0f}",
        f"{result['peak_rss_mb']:,.0f}",
        f"{result['load_cpu_seconds']:.1f}",
        f"{result['cpu_us_per_triple']:.1f}",
    ]


# ------------------------------------------------------------------------------- queries


def run_once(store: EmbeddedStore, query: BenchQuery) -> tuple[float, int]:
    """Evaluate and serialize one query as the endpoint would; (seconds, rows)."""
    buffer = io.BytesIO()
    started = time.perf_counter()
    result = store.query(query.sparql)
    if isinstance(result, ox.QuerySolutions):
        result.serialize(buffer, ox.QueryResultsFormat.JSON)
    elif isinstance(result, ox.QueryTriples):
        ox.serialize(result, buffer, ox.RdfFormat.N_TRIPLES)
    else:
        result.serialize(buffer, ox.QueryResultsFormat.JSON)
    seconds = time.perf_counter() - started
    return seconds, _rows(buffer.getvalue(), result)


def _rows(body: bytes, result: object) -> int:
    if isinstance(result, ox.QueryTriples):
        return body.count(b"\n")
    if isinstance(result, ox.QuerySolutions):
        return len(json.loads(body)["results"]["bindings"])
    return 1


def warm_up(store: EmbeddedStore, query: BenchQuery, timeout: float) -> float | None:
    """Run once in a forked child (``server.executor``, killed at ``timeout``); its
    evaluation seconds, or None when it ran past the timeout."""
    from server.errors import ApiError
    from server.executor import QueryJob, run_query
    from server.negotiation import for_query

    formats = for_query("application/sparql-results+json, application/n-triples", None)
    job = QueryJob(sparql=query.sparql, formats=formats, max_rows=10**9)
    try:
        answer = run_query(store, job, timeout=timeout, isolation="fork")
    except ApiError as exc:
        if exc.status == 503:
            return None
        raise
    for _ in answer.body:
        pass
    answer.body.close()
    return answer.eval_seconds


def time_queries(
    store: EmbeddedStore, queries: list[BenchQuery], runs: int, budget: float, timeout: float
) -> dict[str, dict[str, float]]:
    """Per query: a warm-up in a child stopped at ``timeout`` (a query slower than that is
    reported as such, not timed); then runs in process until ``runs`` runs or ``budget``
    seconds, whichever comes first, at least one."""
    results: dict[str, dict[str, float]] = {}
    for query in queries:
        if warm_up(store, query, timeout) is None:
            results[query.name] = {"rows": -1, "runs": 0, "p50": math.nan, "p99": math.nan}
            print(f"{query.name}: over {timeout:g} s, not timed", flush=True)
            continue
        samples: list[float] = []
        clock = Clock()
        while not samples or (len(samples) < runs and clock() < budget):
            seconds, rows = run_once(store, query)
            samples.append(seconds)
        results[query.name] = {
            "rows": rows,
            "runs": len(samples),
            "p50": percentile(samples, 50),
            "p99": percentile(samples, 99),
        }
    return results


# ---------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_arguments(parser)
    parser.add_argument(
        "--methods", default="parallel,single", help=f"of {LOAD_METHODS}, parallel:N, lenient:N"
    )
    parser.add_argument("--runs", type=int, default=50, help="most runs per query")
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per query at most")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="a query slower than this is not timed"
    )
    parser.add_argument(
        "--whole-graph",
        action="store_true",
        help="also run every query unbound, over the whole graph (names ending in -all)",
    )
    parser.add_argument("--loads-only", action="store_true", help="skip the queries")
    parser.add_argument("--repeat", type=int, default=1, help="loads per method (median kept)")
    parser.add_argument(
        "--scratch", type=Path, help="where loads other than the kept one go (WORKDIR/scratch)"
    )
    parser.add_argument("--child-load", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_load:
        method, data, location, out = args.child_load
        result = _load_in_this_process(method, Path(data), Path(location))
        Path(out).write_text(json.dumps(result))
        return 0

    info = machine()
    methods = [m for m in args.methods.split(",") if m]
    report: dict[str, object] = {"machine": info, "sizes": {}}
    load_rows, query_table = [], {}
    for triples in sizes_of(args.sizes):
        name = size_name(triples)
        data = dataset(args.workdir, triples, args.seed)
        location = args.workdir / "stores" / name
        loads = {}
        for method in methods:
            loads[method] = result = _median_load(
                method, data, location, args.scratch or args.workdir / "scratch", args
            )
            load_rows.append(_load_row(name, method, result))
        if args.loads_only:
            report["sizes"][name] = {"load": loads, "queries": {}}  # type: ignore[index]
            continue
        store = EmbeddedStore(str(location))
        queries = competency_queries(store, args.queries)
        if args.whole_graph:
            queries += competency_queries(store, args.queries, bound=False)
        timings = time_queries(store, queries, args.runs, args.budget, args.timeout)
        del store
        query_table[name] = timings
        report["sizes"][name] = {"load": loads, "queries": timings}  # type: ignore[index]
        for q, t in timings.items():
            print(f"{name} {q}: rows {t['rows']}, p50 {ms(t['p50'])} ms, p99 {ms(t['p99'])} ms")
        sys.stdout.flush()

    print(f"\nMachine: {machine_line(info)}\n")
    header = [
        "size",
        "triples",
        "method",
        "seconds",
        "triples/s",
        "peak RSS MB",
        "CPU s",
        "CPU µs/triple",
    ]
    print(markdown_table(header, load_rows))
    names = list(query_table)
    rows = []
    for query in query_table[names[-1]] if names else []:
        row = [query]
        for n in names:
            t = query_table[n][query]
            if t["runs"]:
                row.append(f"{ms(t['p50'])} / {ms(t['p99'])} ({t['rows']})")
            else:
                row.append(f"over {args.timeout:g} s")
        rows.append(row)
    if rows:
        print()
        print(markdown_table(["query", *[f"{n}: p50 / p99 ms (rows)" for n in names]], rows))
    write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
