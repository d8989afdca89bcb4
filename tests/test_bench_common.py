"""Helpers the benchmarks' numbers rest on: percentiles, throughput sums, query binding."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat

from benchmarks.bench_endpoint import Sample, round_qps, summarize
from benchmarks.common import competency_queries, percentile
from benchmarks.generate_graph import generate
from loaders.store import EmbeddedStore
from ontology.queries import bind


def test_percentile_is_nearest_rank() -> None:
    samples = [float(x) for x in range(1, 101)]  # 1..100
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 99) == 99.0
    assert percentile(samples, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert math.isnan(percentile([], 50))


def test_round_throughput_is_harmonic() -> None:
    # one query at 10 q/s and one at 1 q/s: a round of both takes 1.1 s, 2 queries
    assert round_qps([{"qps": 10.0}, {"qps": 1.0}]) == pytest.approx(2 / 1.1)
    assert round_qps([{"qps": 10.0}, {"qps": 0.0}]) == 0.0


def test_summary_counts_only_correct_answers() -> None:
    samples = [
        Sample("a", 0.0, 0.5, "ok"),
        Sample("a", 0.5, 0.5, "ok"),
        Sample("b", 0.0, 2.0, "status 503"),
    ]
    result = summarize(samples)
    assert (result["requests"], result["ok"]) == (3, 2)
    assert result["errors"] == {"b: status 503": 1}
    assert result["qps"] == pytest.approx(2 / 2.0)  # 2 good answers over a 2-s span
    assert result["per_query"]["a"]["p50"] == 0.5


def test_bind_puts_values_in_the_outer_where_of_a_grouping_query() -> None:
    query = (
        "SELECT ?e (COUNT(?c) AS ?n) WHERE { { SELECT ?e WHERE { ?e ?p ?o } } ?c ?q ?e } "
        "GROUP BY ?e"
    )
    bound = bind(query, e=NamedNode("http://example.org/x"))
    assert bound.startswith(
        "SELECT ?e (COUNT(?c) AS ?n) WHERE {\n  VALUES (?e) { (<http://example.org/x>) }"
    )
    assert bound.endswith("?c ?q ?e } GROUP BY ?e")


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    folder = tmp_path_factory.mktemp("bench")
    data = folder / "g.nq"
    generate(data, 6_000)
    store = EmbeddedStore(str(Path(folder) / "store"))
    store.bulk_load_file(data, RdfFormat.N_QUADS)
    return store


def test_values_first_answers_as_a_trailing_values_would(small_store: EmbeddedStore) -> None:
    """bind() puts VALUES first for speed; a trailing VALUES (joined after grouping) is
    the plain meaning of "this query, for this value". Both must give the same rows."""
    shipped = competency_queries(small_store)
    moved = 0
    for query in shipped:
        values = re.search(r"\n  (VALUES \(.*?\) \{ \(.*?\) \})", query.sparql)
        if values is None:
            continue
        trailing = query.sparql.replace(values.group(0), "", 1) + "\n" + values.group(1)
        rows_first = sorted(str(list(r)) for r in small_store.query(query.sparql))
        rows_trailing = sorted(str(list(r)) for r in small_store.query(trailing))
        assert rows_first == rows_trailing, query.name
        moved += 1
    assert moved >= 5
    # the picks find something to bind: the event, statement and claim queries answer
    answered = {q.name for q in shipped if list(small_store.query(q.sparql))}
    assert {"cq01", "cq02", "cq04", "cq06", "cq07"} <= answered
