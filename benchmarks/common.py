"""What every benchmark shares: data sets on disk, the queries, the machine, statistics.

Data sets live under a work directory (default ``/tmp/claimgraph-bench``, ``--workdir``):
``{size}.nq`` made by :mod:`benchmarks.generate_graph` and ``stores/{size}/`` the
embedded store bulk-loaded from it. Both are made on first use and reused afterwards, so
the store, endpoint and export benchmarks measure the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from benchmarks.generate_graph import generate, parse_size
from loaders.store import GraphStore
from ontology.vocab import CG, CLAIM_TYPE

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = Path("/tmp/claimgraph-bench")
DEFAULT_QUERIES = REPO / "ontology" / "queries"
SIZE_NAMES = {10_000: "10k", 100_000: "100k", 1_000_000: "1M", 10_000_000: "10M"}


def size_name(triples: int) -> str:
    return SIZE_NAMES.get(triples, str(triples))


def common_arguments(parser: argparse.ArgumentParser, sizes: str = "10k,100k") -> None:
    parser.add_argument(
        "--sizes", default=sizes, help=f"comma-separated sizes in triples (default {sizes})"
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="folder of *.rq")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here as JSON")


def sizes_of(text: str) -> list[int]:
    return [parse_size(part) for part in text.split(",") if part.strip()]


# ------------------------------------------------------------------------------ data sets


def dataset(workdir: Path, triples: int, seed: int = 1) -> Path:
    """The N-Quads file of a size, generated on first use."""
    path = workdir / f"{size_name(triples)}.nq"
    if not path.exists():
        tmp = path.with_suffix(".nq.part.nq")
        generate(tmp, triples, seed=seed)
        tmp.with_name(tmp.name + ".stats.json").rename(path.with_name(path.name + ".stats.json"))
        tmp.rename(path)
    return path


def store_dir(workdir: Path, triples: int, seed: int = 1) -> Path:
    """The embedded store of a size, bulk-loaded from :func:`dataset` on first use."""
    path = workdir / "stores" / size_name(triples)
    if not (path / "CURRENT").exists():
        from loaders.store import EmbeddedStore

        data = dataset(workdir, triples, seed)
        shutil.rmtree(path, ignore_errors=True)
        store = EmbeddedStore(str(path))
        store.bulk_load_file(data, ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a store directory (for a peer server that needs its own RocksDB lock)."""
    if not (target / "CURRENT").exists():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
    return target


# -------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class BenchQuery:
    name: str
    sparql: str


# How a parameter of a competency query is bound to a value found in the data set: the
# queries behind a page about one event, statement or claim answer for that resource.
# An event is the one most claims are about (the heaviest event page); a statement, the
# first that reports another and calls upon someone; a claim, the first in index order.
_PARAMETER_PICKS = {
    "event": f"SELECT ?v WHERE {{ ?c {CG.about} ?v }} GROUP BY ?v ORDER BY DESC(COUNT(?c)) ?v"
    " LIMIT 1",
    "statement": f"SELECT ?v WHERE {{ ?v {CG.reports} ?r . ?c {CG.statedIn} ?v ; "
    f"{CG.claimType} {CLAIM_TYPE['call-to-action']} }} LIMIT 1",
    "claim": f"SELECT ?v WHERE {{ ?v {CG.evidence} ?e }} LIMIT 1",
}
# Listings that a page shows whole (the timeline of every event) are run unbound.
UNBOUND = {"cq08-event-timeline"}


def competency_queries(
    store: GraphStore,
    folder: Path = DEFAULT_QUERIES,
    *,
    bound: bool = True,
) -> list[BenchQuery]:
    """The named competency queries (``ontology.queries``), in name order.

    ``bound``: each query's parameter is bound to a representative value of the data set
    (see ``_PARAMETER_PICKS``), as a page about one resource runs it; otherwise every
    query runs over the whole graph (``-all`` names), which grows with the data.
    Parameters are bound with ``NamedQuery.bind`` (VALUES first in the outer WHERE).
    """
    from ontology.queries import named_queries

    queries = named_queries(folder)
    if not queries:
        raise SystemExit(f"no *.rq queries in {folder}; pass --queries FOLDER")
    if not bound:
        return [BenchQuery(f"{q.short_name}-all", q.sparql) for q in queries]
    values: dict[str, ox.NamedNode] = {}
    out = []
    for query in queries:
        bindings = {}
        if query.name not in UNBOUND:
            for param in query.parameters:
                if param not in values:
                    values[param] = _pick(store, param)
                bindings[param] = values[param]
        out.append(BenchQuery(query.short_name, query.bind(**bindings)))
    return out


def _pick(store: GraphStore, param: str) -> ox.NamedNode:
    if param not in _PARAMETER_PICKS:
        raise SystemExit(f"no rule to pick a value for the query parameter ?{param}")
    rows = list(store.query(_PARAMETER_PICKS[param]))  # type: ignore[arg-type]
    if not rows:
        raise SystemExit(f"the data set has no value for the query parameter ?{param}")
    return rows[0]["v"]


# ------------------------------------------------------------------------- machine, stats


def machine() -> dict[str, object]:
    """What a reader needs to compare numbers: cores, memory, CPU, load, date, versions."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kb = int(f.readline().split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "pyoxigraph": ox.__version__,
    }


def machine_line(info: dict[str, object]) -> str:
    load = "/".join(str(x) for x in info["load_average"])  # type: ignore[attr-defined]
    return (
        f"{info['nproc']} cores, {info['memory_gb']} GB, {info['cpu']}; load average {load} "
        f"at start; {info['date']}; Python {info['python']}, pyoxigraph {info['pyoxigraph']}"
    )


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): a value that was actually observed."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path | None, payload: object) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def _status_kb(pid: int, field: str) -> int:
    """A memory field of ``/proc/PID/status`` (``VmRSS``, ``VmHWM``) in KiB; 0 if gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid: int) -> int:
    """Resident memory of one process now, in KiB (0 if it is gone)."""
    return _status_kb(pid, "VmRSS")


def descendants(pid: int) -> list[int]:
    """The process and all its descendants, from /proc (children files)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="utf-8") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return found


def run_measured(argv: Sequence[str], **popen: object) -> dict[str, float]:
    """Run a command to its end: wall seconds, peak RSS in MB, CPU seconds.

    The peak is the child's own ``VmHWM``, polled every 20 ms: ``ru_maxrss`` from
    ``wait4`` would not do, as Linux carries the parent's resident size at the fork into
    the child's ``ru_maxrss`` (a benchmark holding a large store would inflate it).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), **popen)  # type: ignore[call-overload]
    peak_kb = 0
    while process.poll() is None:  # poll() reaps the child, adding it to RUSAGE_CHILDREN
        peak_kb = max(peak_kb, _status_kb(process.pid, "VmHWM"))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with status {process.returncode}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "cpu_seconds": cpu}


def pss_kb(pids: Sequence[int]) -> int:
    """Proportional set size of processes together: shared (forked) pages counted once."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total


class Clock:
    """Wall time since creation, for progress lines."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.start
