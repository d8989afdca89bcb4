"""Every curated entity with a Wikidata QID carries owl:sameAs to its Wikidata IRI.

The expectation is read straight from the YAML files of ``data/reference/`` (not through
the loader under test), so a dropped or misspelt link in ``reference_quads`` fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pyoxigraph import NamedNode, Quad

from loaders.reference import reference_quads
from ontology import iris
from ontology.vocab import DBR, DEFAULT_BASE_IRI, OWL, WD

B = DEFAULT_BASE_IRI
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
KINDS = {
    "events": "event",
    "organizations": "organization",
    "instruments": "instrument",
    "places": "place",
    "people": "person",
}


def entries_with(key: str) -> list[tuple[str, str, str]]:
    found = []
    for stem, kind in KINDS.items():
        path = REFERENCE / f"{stem}.yaml"
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if entry.get(key):
                found.append((kind, entry["id"], str(entry[key])))
    return found


@pytest.fixture(scope="module")
def reference() -> set[Quad]:
    return set(reference_quads(B))


def test_reference_data_links_every_kind_to_wikidata() -> None:
    linked_kinds = {kind for kind, _, _ in entries_with("wikidata")}
    assert linked_kinds == set(KINDS.values())


@pytest.mark.parametrize(("kind", "key", "qid"), entries_with("wikidata"))
def test_entity_is_same_as_its_wikidata_item(
    reference: set[Quad], kind: str, key: str, qid: str
) -> None:
    node = iris.entity(B, kind, key)
    assert Quad(node, OWL.sameAs, WD[qid], iris.reference_graph(B)) in reference


@pytest.mark.parametrize(("kind", "key", "name"), entries_with("dbpedia"))
def test_entity_is_same_as_its_dbpedia_resource(
    reference: set[Quad], kind: str, key: str, name: str
) -> None:
    node = iris.entity(B, kind, key)
    expected = DBR[name.replace(" ", "_")]
    assert Quad(node, OWL.sameAs, expected, iris.reference_graph(B)) in reference


def test_no_entity_is_linked_to_two_wikidata_items(reference: set[Quad]) -> None:
    links: dict[NamedNode, set] = {}
    for quad in reference:
        if quad.predicate == OWL.sameAs and quad.object.value.startswith(WD):
            links.setdefault(quad.subject, set()).add(quad.object)
    assert {s: o for s, o in links.items() if len(o) > 1} == {}


def test_the_bundled_extract_describes_every_linked_place() -> None:
    """data/wikidata_extract/ joins with the reference places: each QID is described there,
    and each one of a current country or city has coordinates."""
    import pyoxigraph as ox

    extract = REFERENCE.parent / "wikidata_extract" / "extract.ttl"
    wdt = "http://www.wikidata.org/prop/direct/"
    described: dict[str, set[str]] = {}
    for quad in ox.parse(path=str(extract)):
        described.setdefault(quad.subject.value, set()).add(quad.predicate.value)
    historical = WD["Q3024240"]
    former = {q.subject.value for q in ox.parse(path=str(extract)) if q.object == historical}
    for _, key, qid in (e for e in entries_with("wikidata") if e[0] == "place"):
        item = WD[qid].value
        assert item in described, f"place {key} ({qid}) is missing from the extract"
        if item not in former:
            assert wdt + "P625" in described[item], f"place {key} ({qid}) has no coordinates"
