"""What a query process costs: a pool worker, a child forked per query, or none.

For each size, open the embedded store in this process (as ``claimgraph serve`` does),
warm it with a scan, then run each probe query ``--repeat`` times through
:func:`server.executor.run_query` in ``pool``, ``fork`` and ``thread`` isolation and
report the median and p99 wall time from the call to the last byte of the answer. The
difference to ``thread`` is the price of being able to stop a query. Parent RSS is
reported because fork time grows with the size of the page tables it copies. The pool
is warmed (its worker forked) before the samples are taken, as on a running server.

    python -m benchmarks.bench_fork --sizes 10k,100k,1M --repeat 200
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.common import (
    common_arguments,
    machine,
    machine_line,
    markdown_table,
    ms,
    percentile,
    rss_kb,
    size_name,
    sizes_of,
    store_dir,
    write_json,
)
from loaders.store import EmbeddedStore
from server.executor import QueryJob, run_query
from server.negotiation import for_query

PROBES = {
    "ask-empty": "ASK {}",
    "select-10": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
    "select-1000": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 1000",
}


ISOLATIONS = ("thread", "pool", "fork")


def timed(store: EmbeddedStore, sparql: str, isolation: str) -> float:
    job = QueryJob(sparql=sparql, formats=for_query(None, None))
    started = time.perf_counter()
    answer = run_query(store, job, timeout=60, isolation=isolation)
    for _ in answer.body:
        pass
    answer.body.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_arguments(parser, sizes="10k,100k")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    info = machine()
    rows, results = [], []
    (args.workdir / "stores").mkdir(parents=True, exist_ok=True)
    for size in sizes_of(args.sizes):
        store = EmbeddedStore(str(store_dir(args.workdir, size, args.seed)))
        store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")  # warm caches
        rss = rss_kb(os.getpid())
        for name, sparql in PROBES.items():
            medians = {}
            timed(store, sparql, "pool")  # the pool's worker is forked once, before timing
            for isolation in ISOLATIONS:
                samples = [timed(store, sparql, isolation) for _ in range(args.repeat)]
                medians[isolation] = percentile(samples, 50)
                results.append(
                    {
                        "size": size,
                        "probe": name,
                        "isolation": isolation,
                        "p50": medians[isolation],
                        "p99": percentile(samples, 99),
                        "rss_kb": rss,
                    }
                )
                rows.append(
                    [
                        size_name(size),
                        f"{rss // 1024} MB",
                        name,
                        isolation,
                        ms(medians[isolation]),
                        ms(percentile(samples, 99)),
                    ]
                )
            for isolation in ("pool", "fork"):
                extra = ms(medians[isolation] - medians["thread"])
                rows.append(["", "", name, f"{isolation} - thread", extra, ""])
        del store
    print(machine_line(info))
    print(markdown_table(["size", "parent RSS", "probe", "isolation", "p50 ms", "p99 ms"], rows))
    write_json(args.json, {"machine": info, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
