"""How long the web pages take to render: the home page and an event page, and the rest.

Loads the bundled corpus (``data/corpus``) into a fresh embedded store with the real
loader, builds the app as ``claimgraph serve`` does, warms each page once, then times
``--repeat`` requests of each page through the WSGI app (routing, the page's SPARQL
queries, Jinja rendering, no network) with the page cache emptied before each, as
after a write, and reports the median, p95 and worst; then the median with the page's
data cached (templates still render). Target for the home page and an event page:
under 200 ms on the bundled data, uncached.

``--sizes 100k`` also times the pages on the synthetic graphs of
``benchmarks.generate_graph`` (same shape, many more events and claims), to show how
the pages grow with the store.

    python -m benchmarks.bench_pages --repeat 50
    python -m benchmarks.bench_pages --repeat 20 --sizes 100k,1M
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    REPO,
    machine,
    machine_line,
    markdown_table,
    ms,
    percentile,
    size_name,
    sizes_of,
    store_dir,
    write_json,
)
from loaders.ingest import load_paths
from loaders.store import EmbeddedStore
from server.app import create_app
from server.settings import Settings
from server.web.views import CACHE_EXTENSION

TARGET_MS = 200.0


def pages(client) -> dict[str, str]:
    """The pages to time, picked from the data: the heaviest event and statement."""
    home = client.get("/index.json").get_json()
    event = home["lists"]["events"][0]["href"]
    statement = home["lists"]["statements"][0]["href"]
    word = home["lists"]["events"][0]["label"].split()[0]
    return {
        "home": "/",
        "event": event,
        "statement": statement,
        "timeline": "/timeline",
        "search": f"/search?q={word}",
        "query (cq02 example)": "/query?" + _example_query(client),
    }


def _example_query(client) -> str:
    from urllib.parse import urlencode

    examples = client.get("/query.json").get_json()["examples"]
    (cq02,) = [e for e in examples if e["name"].startswith("cq02")]
    return urlencode({"query": cq02["sparql"]})


def time_pages(store: EmbeddedStore, repeat: int) -> list[dict[str, object]]:
    settings = Settings.from_mapping({"store": store.location, "rate_limit": 0.0})
    app = create_app(settings, store=store)
    page_cache = app.extensions[CACHE_EXTENSION]
    client = app.test_client()
    results = []
    for name, url in pages(client).items():
        first, status = _get(client, url)  # warm: the search index is built on the first search
        short = url if len(url) < 60 else url[:57] + "..."
        if status != 200:  # e.g. 503: a whole-graph example query past the query timeout
            results.append({"page": name, "url": short, "status": status, "first_s": first})
            continue
        cold = []
        for _ in range(repeat):
            page_cache.invalidate()  # as after a write: every query of the page runs
            cold.append(_get(client, url)[0])
        warm = [_get(client, url)[0] for _ in range(repeat)]
        results.append(
            {
                "page": name,
                "url": short,
                "status": status,
                "first_s": first,
                "median_s": percentile(cold, 50),
                "p95_s": percentile(cold, 95),
                "max_s": max(cold),
                "cached_median_s": percentile(warm, 50),
            }
        )
    return results


def _get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    response.get_data()
    return time.perf_counter() - started, response.status_code


def bundled_store(workdir: Path) -> EmbeddedStore:
    store = EmbeddedStore(str(workdir / "bundled"))
    load_paths(store, [REPO / "data" / "corpus"], base_iri=Settings().base_iri, workers=1)
    return store


def report(title: str, results: list[dict[str, object]]) -> str:
    rows = [
        [
            r["page"],
            f"`{r['url']}`",
            ms(r["first_s"]),
            *(
                [ms(r["median_s"]), ms(r["p95_s"]), ms(r["max_s"]), ms(r["cached_median_s"])]
                if r["status"] == 200
                else [f"answered {r['status']}", "-", "-", "-"]
            ),
        ]
        for r in results
    ]
    header = ["page", "URL", "first (ms)", "median (ms)", "p95 (ms)", "max (ms)", "cached (ms)"]
    return f"### {title}\n\n{markdown_table(header, rows)}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sizes", default="", help="also synthetic stores, e.g. 100k,1M")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/claimgraph-bench"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    info = machine()
    print(machine_line(info), "\n")
    payload: dict[str, object] = {"machine": info, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        results = time_pages(bundled_store(Path(tmp)), args.repeat)
        payload["runs"]["bundled"] = results  # type: ignore[index]
        print(report("Bundled corpus (data/corpus)", results))
        for page in results[:2]:
            verdict = "meets" if page["median_s"] * 1000 < TARGET_MS else "MISSES"
            median = ms(page["median_s"])
            print(f"{page['page']}: median {median} ms {verdict} the {TARGET_MS:.0f} ms target")
    for triples in sizes_of(args.sizes):
        (args.workdir / "stores").mkdir(parents=True, exist_ok=True)
        store = EmbeddedStore(str(store_dir(args.workdir, triples)))
        results = time_pages(store, args.repeat)
        payload["runs"][size_name(triples)] = results  # type: ignore[index]
        print(report(f"Synthetic graph, {size_name(triples)} triples", results))
        del store
    write_json(args.json, payload)


if __name__ == "__main__":
    main()
