"""The competency queries through HTTP: claimgraph against its peers, and a load test.

``compare`` (default): for each size, start ``claimgraph serve``, Oxigraph's server and
rdflib-endpoint on the same data (see :mod:`benchmarks.peers`); then, for each server,
concurrency (1 and 8) and competency query, let that many client processes send the
query back to back for ``--duration`` seconds (POST ``application/sparql-query``,
SPARQL JSON, kept-alive connections). A response counts only if its status is 200 and
its row count equals the embedded store's count for that query in process; anything
else is an error. Reported per query: queries per second and p50/p99 latency; per
server: the throughput of a workload of one of each query (n / sum of 1/qps), and
claimgraph's as a multiple of each peer's. An ``ASK {}`` probe measures each server's
cost per request apart from query work.

``load``: 16 clients for 60 s against ``claimgraph serve`` alone, each sending the
competency queries in turn from a different starting query; errors, qps, p50/p99.

    python -m benchmarks.bench_endpoint --sizes 1M
    python -m benchmarks.bench_endpoint --mode load --sizes 1M --clients 16 --duration 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import peers
from benchmarks.common import (
    BenchQuery,
    common_arguments,
    competency_queries,
    machine,
    machine_line,
    markdown_table,
    ms,
    percentile,
    pss_kb,
    size_name,
    sizes_of,
    store_dir,
    write_json,
)

PROBE = BenchQuery("ask-probe", "ASK {}")


@dataclass(frozen=True)
class Sample:
    query: str
    start: float  # seconds since the run started
    seconds: float
    outcome: str  # "ok", or what went wrong


def _rows(body: bytes) -> int:
    doc = json.loads(body)
    return 1 if "boolean" in doc else len(doc["results"]["bindings"])


def _client(
    url: str,
    queries: list[BenchQuery],
    expected: dict[str, int],
    t0: float,
    duration: float,
    offset: int,
    timeout: float,
) -> list[Sample]:
    """One client: send queries in turn until the deadline; a new request only before it."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json",
    }
    samples, i = [], offset
    time.sleep(max(0.0, t0 - time.perf_counter()))
    while time.perf_counter() - t0 < duration:
        query = queries[i % len(queries)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", parts.path or "/", body=query.sparql.encode(), headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                outcome = f"status {response.status}"
            elif _rows(body) != expected[query.name]:
                outcome = f"rows {_rows(body)} != {expected[query.name]}"
            else:
                outcome = "ok"
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            outcome = type(exc).__name__
            conn.close()
        samples.append(Sample(query.name, started - t0, time.perf_counter() - started, outcome))
    conn.close()
    return samples


def drive(
    url: str,
    queries: list[BenchQuery],
    expected: dict[str, int],
    *,
    clients: int,
    duration: float,
    timeout: float = 300.0,
) -> dict[str, object]:
    """Run ``clients`` client processes against ``url``; throughput and latency."""
    context = multiprocessing.get_context("fork")
    t0 = time.perf_counter() + 0.5  # every client starts at the same moment
    with context.Pool(clients) as pool:
        jobs = [
            pool.apply_async(_client, (url, queries, expected, t0, duration, c, timeout))
            for c in range(clients)
        ]
        samples = [s for job in jobs for s in job.get()]
    return summarize(samples)


def summarize(samples: list[Sample]) -> dict[str, object]:
    ok = [s for s in samples if s.outcome == "ok"]
    errors: dict[str, int] = defaultdict(int)
    for s in samples:
        if s.outcome != "ok":
            errors[f"{s.query}: {s.outcome}"] += 1
    span = max((s.start + s.seconds for s in samples), default=0.0)
    per_query: dict[str, dict[str, float]] = {}
    for name in sorted({s.query for s in samples}):
        times = [s.seconds for s in ok if s.query == name]
        per_query[name] = {
            "n": len(times),
            "p50": percentile(times, 50),
            "p99": percentile(times, 99),
        }
    all_times = [s.seconds for s in ok]
    return {
        "requests": len(samples),
        "ok": len(ok),
        "errors": dict(errors),
        "seconds": span,
        "qps": len(ok) / span if span else 0.0,
        "p50": percentile(all_times, 50),
        "p99": percentile(all_times, 99),
        "per_query": per_query,
    }


def prepare(store_path: Path, folder: Path) -> tuple[list[BenchQuery], dict[str, int]]:
    """The workload and its row counts from the embedded store in process: the reference
    every server must match. The store is closed again before any server opens it."""
    from benchmarks.bench_store import run_once
    from loaders.store import EmbeddedStore

    store = EmbeddedStore(str(store_path))
    queries = competency_queries(store, folder)
    counts = {q.name: run_once(store, q)[1] for q in queries}
    counts[PROBE.name] = 1
    del store
    return queries, counts


# ---------------------------------------------------------------------------------- modes


def compare(args: argparse.Namespace) -> dict[str, object]:
    report: dict[str, object] = {}
    concurrency = [int(c) for c in args.concurrency.split(",")]
    for triples in sizes_of(args.sizes):
        name = size_name(triples)
        queries, expected = prepare(store_dir(args.workdir, triples, args.seed), args.queries)
        runs: dict[str, dict[str, object]] = {}
        for server_name in args.servers.split(","):
            print(f"{name}: starting {server_name}", flush=True)
            with peers.start(server_name, args.workdir, triples, seed=args.seed) as server:
                runs[server_name] = {"startup_seconds": server.startup_seconds}
                for c in concurrency:
                    per_query = {}
                    for query in [*queries, PROBE]:
                        per_query[query.name] = drive(
                            server.url,
                            [query],
                            expected,
                            clients=c,
                            duration=args.duration,
                            timeout=args.timeout,
                        )
                        r = per_query[query.name]
                        if r["errors"]:
                            _drain(server.url, args.timeout)
                        print(
                            f"{name} {server_name} c={c} {query.name}: {r['qps']:.1f} q/s, "
                            f"p50 {ms(r['p50'])} ms, {r['ok']}/{r['requests']} ok",
                            flush=True,
                        )
                    runs[server_name][f"c{c}"] = {
                        "queries": per_query,
                        "round_qps": round_qps([per_query[q.name] for q in queries]),
                    }
                report[name] = {"expected_rows": expected, "servers": runs}
                write_json(args.json, {"mode": "compare", "results": report})  # so far
        print(compare_tables(name, runs, [q.name for q in queries], concurrency), flush=True)
    return report


def _drain(url: str, patience: float) -> None:
    """Wait until the server answers ``ASK {}`` within a second again: a server that goes
    on evaluating requests its clients gave up on (rdflib-endpoint does) would otherwise
    charge them to the next query."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        result = drive(url, [PROBE], {PROBE.name: 1}, clients=1, duration=0.01, timeout=1.0)
        if result["ok"]:
            return
    print(f"{url} still busy after {patience:g} s", flush=True)


def round_qps(results: list[dict[str, object]]) -> float:
    """Queries per second over a workload of one of each query: n / sum(1 / qps_i)."""
    if any(not r["qps"] for r in results):
        return 0.0
    return len(results) / sum(1 / r["qps"] for r in results)  # type: ignore[operator]


def _ratios(ours: dict, theirs: dict, names: list[str]) -> tuple[str, str]:
    """claimgraph over the peer, on the queries both answered right: the ratio of round
    throughputs (weighted by the slow queries) and the geometric mean of per-query
    throughput ratios (each query counts alike)."""
    common = [n for n in names if ours[n]["ok"] and theirs[n]["ok"]]
    if not common:
        return "-", "-"
    ratio = round_qps([ours[n] for n in common]) / round_qps([theirs[n] for n in common])
    logs = [math.log(ours[n]["qps"] / theirs[n]["qps"]) for n in common]
    note = "" if len(common) == len(names) else f" ({len(common)} of {len(names)} queries)"
    return f"{ratio:.2f}x{note}", f"{math.exp(sum(logs) / len(logs)):.2f}x"


def compare_tables(
    size: str, runs: dict[str, dict], names: list[str], concurrency: list[int]
) -> str:
    base = runs.get("claimgraph")
    rows = []
    for server, run in runs.items():
        for c in concurrency:
            r = run[f"c{c}"]
            ratio, geomean = "-", "-"
            if server != "claimgraph" and base:
                ratio, geomean = _ratios(base[f"c{c}"]["queries"], r["queries"], names)
            errors = sum(q["requests"] - q["ok"] for q in r["queries"].values())
            probe = r["queries"][PROBE.name]["qps"]
            rows.append(
                [size, server, c, f"{r['round_qps']:.2f}", ratio, geomean, errors, f"{probe:.0f}"]
            )
    header = ["size", "server", "clients", "q/s (one of each)", "claimgraph ÷ this"]
    header += ["per-query geomean", "errors", "ASK {} q/s"]
    out = [markdown_table(header, rows), ""]
    for c in concurrency:
        header = ["query", *[f"{s} q/s, p50 / p99 ms" for s in runs]]
        qrows = []
        for name in [*names, PROBE.name]:
            cells = [name]
            for run in runs.values():
                t = run[f"c{c}"]["queries"][name]
                cells.append(f"{t['qps']:.1f}, {ms(t['p50'])} / {ms(t['p99'])}")
            qrows.append(cells)
        out += [f"{size}, {c} client(s):", "", markdown_table(header, qrows), ""]
    return "\n".join(out)


def tables_from_json(path: Path) -> str:
    """The tables of a saved ``compare`` run (``--json``), without running anything."""
    report = json.loads(path.read_text())["results"]
    out = []
    for size, result in report.items():
        names = [n for n in result["expected_rows"] if n != PROBE.name]
        some_run = next(iter(result["servers"].values()))
        concurrency = sorted(int(k[1:]) for k in some_run if k.startswith("c"))
        out.append(compare_tables(size, result["servers"], names, concurrency))
    return "\n".join(out)


class MemorySampler:
    """The server's process tree (gunicorn master, worker, query processes) sampled
    every half second: proportional set size, so pages shared after a fork count once."""

    def __init__(self, server: peers.Server, interval: float = 0.5) -> None:
        self.server = server
        self.interval = interval
        self.first_mb = self.peak_mb = 0.0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pids = self.server.pids()
        mb = pss_kb(pids) / 1024
        self.first_mb = self.first_mb or mb
        self.peak_mb = max(self.peak_mb, mb)
        self.peak_processes = max(self.peak_processes, len(pids))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, float]:
        return {
            "start_mb": self.first_mb,
            "peak_mb": self.peak_mb,
            "processes": self.peak_processes,
        }


def load_test(args: argparse.Namespace) -> dict[str, object]:
    report: dict[str, object] = {}
    for triples in sizes_of(args.sizes):
        name = size_name(triples)
        queries, expected = prepare(store_dir(args.workdir, triples, args.seed), args.queries)
        with (
            peers.start("claimgraph", args.workdir, triples, seed=args.seed) as server,
            MemorySampler(server) as memory,
        ):
            result = drive(
                server.url,
                queries,
                expected,
                clients=args.clients,
                duration=args.duration,
                timeout=args.timeout,
            )
        result["memory"] = memory.summary()
        report[name] = result
        header = ["size", "clients", "seconds", "requests", "errors", "q/s", "p50 ms", "p99 ms"]
        header += ["server PSS MB (start / peak)", "processes (peak)"]
        print(
            markdown_table(
                header,
                [
                    [
                        name,
                        args.clients,
                        f"{result['seconds']:.0f}",
                        result["requests"],
                        result["requests"] - result["ok"],
                        f"{result['qps']:.1f}",
                        ms(result["p50"]),
                        ms(result["p99"]),
                        f"{memory.first_mb:.0f} / {memory.peak_mb:.0f}",
                        memory.peak_processes,
                    ]
                ],
            )
        )
        if result["errors"]:
            print("errors:", json.dumps(result["errors"], indent=2))
        per_query = [
            [q, t["n"], ms(t["p50"]), ms(t["p99"])] for q, t in result["per_query"].items()
        ]
        print(markdown_table(["query", "n", "p50 ms", "p99 ms"], per_query))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common_arguments(parser, sizes="100k")
    parser.add_argument("--mode", choices=("compare", "load"), default="compare")
    parser.add_argument("--servers", default=",".join(peers.PEERS))
    parser.add_argument("--concurrency", default="1,8", help="client counts to compare at")
    parser.add_argument("--clients", type=int, default=16, help="load test: client count")
    parser.add_argument(
        "--duration",
        type=float,
        default=5.0,
        help="seconds per query and concurrency (load: total)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="client timeout per request")
    parser.add_argument("--tables", type=Path, help="print the tables of a saved --json run")
    args = parser.parse_args(argv)
    if args.tables:
        print(tables_from_json(args.tables))
        return 0
    info = machine()
    print(f"Machine: {machine_line(info)}", flush=True)
    result = compare(args) if args.mode == "compare" else load_test(args)
    write_json(args.json, {"machine": info, "mode": args.mode, "results": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
