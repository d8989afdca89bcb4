"""`claimgraph load data/` answers the competency queries as the hand-written gold says.

The bundled seeds are loaded by the real loader into a real on-disk store; each named
query's rows are compared with what tests/gold/ (written by reading the texts) expects,
as sets of keys per document. The loader is not perfect: the issue aims at F1 >= 0.9,
so each comparison asserts an F1 of at least 0.9, and lists what differs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from loaders.gold import Agent, load_gold_dir
from loaders.ingest import load_paths
from loaders.store import EmbeddedStore
from ontology.iris import slugify
from ontology.queries import get_query
from ontology.vocab import DEFAULT_BASE_IRI
from tests.conftest import DATA, REPO

pytestmark = pytest.mark.slow
GOLD = load_gold_dir(REPO / "tests" / "gold")
TARGET = 0.9


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    store = EmbeddedStore(str(tmp_path_factory.mktemp("seeds") / "store"))
    report = load_paths(store, [DATA / "corpus"], base_iri=DEFAULT_BASE_IRI)
    assert report.ok
    return store


def rows(store: EmbeddedStore, name: str) -> list:
    return list(store.query(get_query(name).sparql))


def key(term: object) -> str:
    """The last path segment of an IRI (reference id or slug), a literal's value."""
    value = term.value if term is not None else ""
    return value.rsplit("/", 1)[-1] if isinstance(term, NamedNode) else value


def document_of(statement: NamedNode) -> str:
    return key(statement).split("-reported-")[0]


def doc_id(file_name: str) -> str:
    return slugify(Path(file_name).stem)


def ident(value: object) -> str:
    return value.id if isinstance(value, Agent) else str(value)


def compare(found: set, expected: set) -> None:
    """F1 of found against expected keys (document, event, ...); a gold key whose event
    is "" (the text names no event) matches a found key with any event."""
    found = {
        (f[0], "", *f[2:]) if (f[0], "", *f[2:]) in expected and f not in expected else f
        for f in found
    }
    hits = found & expected
    precision = len(hits) / len(found) if found else 0.0
    recall = len(hits) / len(expected) if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    assert f1 >= TARGET, (
        f"F1 {f1:.2f} (precision {precision:.2f}, recall {recall:.2f}); "
        f"missed {sorted(expected - found)}; not in gold {sorted(found - expected)}"
    )


def gold_claims(kind: str):
    """(document id, claim) for the gold's required claims of this type."""
    for gold in GOLD:
        for claim in gold.claims:
            if claim.type == kind and not claim.optional:
                yield doc_id(gold.document), claim


def test_cq01_characterizations_as_the_gold_has_them(seeds: EmbeddedStore) -> None:
    categories = {"genocide", "crime-against-humanity", "war-crime"}
    expected = {
        (doc, claim.event or "", ident(claim.values["category"]))
        for doc, claim in gold_claims("legal-characterization")
        if ident(claim.values.get("category")) in categories
    }
    found = {
        (document_of(r["statement"]), key(r["event"]), key(r["category"]))
        for r in rows(seeds, "cq01")
    }
    compare(found, expected)


def test_cq02_casualty_figures_as_the_gold_has_them(seeds: EmbeddedStore) -> None:
    # Keyed as the evaluation keys them: kind and count; the victim group is an attribute
    # (docs/evaluation.md scores it under "strict").
    expected = {
        (doc, claim.event or "", ident(claim.values.get("kind", "")), int(claim.values["count"]))
        for doc, claim in gold_claims("casualty-figure")
    }
    found = {
        (document_of(r["statement"]), key(r["event"]), key(r["kind"]), int(r["count"].value))
        for r in rows(seeds, "cq02")
    }
    compare(found, expected)


def test_cq03_instruments_and_articles_as_the_gold_has_them(seeds: EmbeddedStore) -> None:
    expected = set()
    for doc, claim in gold_claims("instrument-violation"):
        for article in claim.values.get("articles") or [""]:
            expected.add((doc, ident(claim.values["instrument"]), str(article)))
    found = {
        (document_of(r["statement"]), key(r["instrument"]), key(r["article"]))
        for r in rows(seeds, "cq03")
    }
    compare(found, expected)


def test_cq06_every_evidence_is_verbatim_at_its_offsets(seeds: EmbeddedStore) -> None:
    texts = {
        r["doc"]: r["text"].value
        for r in seeds.query(
            "PREFIX cg: <https://w3id.org/claimgraph/ontology#> "
            "SELECT ?doc ?text WHERE { ?doc a cg:Document ; cg:text ?text }"
        )
    }
    evidence = rows(seeds, "cq06")
    assert len(evidence) >= sum(1 for g in GOLD for c in g.claims if not c.optional) * TARGET
    for row in evidence:
        begin, end = int(row["begin"].value), int(row["end"].value)
        assert texts[row["document"]][begin:end] == row["quote"].value
