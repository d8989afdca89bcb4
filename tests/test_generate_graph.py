"""The benchmark graph generator writes claimgraph's own shape, true offsets, reproducibly."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks.generate_graph import (
    DocumentBuilder,
    generate,
    make_pools,
    parse_size,
    reference_quads,
)
from ontology.validate import graph_from_triples, validate
from ontology.vocab import CG, CLAIM_TYPE, CLAIM_TYPES, DEFAULT_BASE_IRI, NIF, RDF

BASE = DEFAULT_BASE_IRI


@pytest.mark.parametrize(
    ("text", "value"), [("10k", 10_000), ("1M", 1_000_000), ("2.5k", 2_500), ("250", 250)]
)
def test_parse_size(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize("text", ["", "k", "ten", "-5", "0"])
def test_parse_size_refuses_nonsense(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(text)


def _documents(n: int) -> list[ox.Quad]:
    rng = random.Random(7)
    pools = make_pools(BASE, n, rng)
    quads = list(reference_quads(BASE, pools, rng))
    for i in range(n):
        quads += DocumentBuilder(BASE, pools, random.Random(i), i).build()
    return quads


def test_generated_documents_conform_to_the_shapes() -> None:
    quads = _documents(4)
    assert validate(graph_from_triples(quads)) == []
    # The check is live: claims that name no statement are violations.
    broken = [q for q in quads if q.predicate != CG.statedIn]
    assert any(v.path and v.path.endswith("statedIn") for v in validate(graph_from_triples(broken)))


def test_file_is_reproducible_and_its_stats_are_true(tmp_path: Path) -> None:
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    stats = generate(first, 3_000, seed=5)
    generate(second, 3_000, seed=5)
    assert first.read_bytes() == second.read_bytes()
    store = ox.Store()
    store.bulk_load(path=str(first), format=ox.RdfFormat.N_QUADS)
    assert len(store) == stats.triples >= 3_000
    recorded = json.loads((tmp_path / "a.nq.stats.json").read_text())
    assert recorded["triples"] == stats.triples
    claims = {
        t: sum(1 for _ in store.quads_for_pattern(None, CG.claimType, CLAIM_TYPE[t], None))
        for t in CLAIM_TYPES
    }
    assert claims == {t: recorded["claims"].get(t, 0) for t in CLAIM_TYPES}
    assert all(claims.values()), "every claim type occurs"
    # one named graph per document, plus the reference, ontology and imported graphs
    assert len(list(store.named_graphs())) == stats.documents + 3


def test_another_seed_gives_another_graph(tmp_path: Path) -> None:
    generate(tmp_path / "a.nq", 1_000, seed=1)
    generate(tmp_path / "b.nq", 1_000, seed=2)
    assert (tmp_path / "a.nq").read_bytes() != (tmp_path / "b.nq").read_bytes()


def test_evidence_offsets_point_at_their_quote(tmp_path: Path) -> None:
    path = tmp_path / "g.trig"
    generate(path, 8_000)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG)
    rows = list(
        store.query(
            f"SELECT ?text ?quote ?b ?e WHERE {{ ?ev a {CG.Evidence} ; {NIF.anchorOf} ?quote ;"
            f" {NIF.beginIndex} ?b ; {NIF.endIndex} ?e ; {NIF.referenceContext} ?doc ."
            f" ?doc {CG.text} ?text }}",
            use_default_graph_as_union=True,
        )
    )
    assert len(rows) > 50
    for row in rows:
        begin, end = int(row["b"].value), int(row["e"].value)
        assert row["text"].value[begin:end] == row["quote"].value


def test_contested_values_live_only_on_claims(tmp_path: Path) -> None:
    quads = _documents(6)
    claims = {q.subject for q in quads if q.predicate == RDF.type and q.object == CG.Claim}
    for prop in (CG.legalCategory, CG.perpetrator, CG.casualtyKind, CG.instrument):
        subjects = {q.subject for q in quads if q.predicate == prop}
        assert subjects and subjects <= claims
