"""Schema and coverage checks of the curated reference data in ``data/reference/``.

The loaders resolve names against these files and mint IRIs from their ids, so a
malformed id, a name claimed by two entries or a dangling cross-reference would turn
into wrong links in the graph. Coverage is checked against the field (core treaties,
UN bodies, regional organizations, well-known events), not against the seed documents.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pyoxigraph
import pytest
import yaml

from ontology.vocab import CONCEPT_BASE, SKOS

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "reference"
ONTOLOGY_TTL = REPO / "ontology" / "claimgraph.ttl"

ENTITY_FILES = ["organizations", "instruments", "events", "places", "people"]
# Term list -> (concept scheme of the ontology, slugs the genre needs at least).
TERM_FILES = {
    "legal_categories": ("legal-category", {
        "genocide", "crime-against-humanity", "war-crime", "massacre", "pogrom",
        "ethnic-cleansing", "act-of-terror", "torture", "persecution", "forced-displacement",
        "extermination", "enforced-disappearance", "aggression", "grave-breach",
    }),
    "casualty_kinds": ("casualty-kind", {
        "killed", "injured", "wounded", "detained", "taken-hostage", "missing", "displaced",
        "orphaned", "tortured",
    }),
    "victim_groups": ("victim-group", {
        "children", "women", "elderly", "men", "civilians", "families",
    }),
}  # fmt: skip

COMMON_KEYS = {"id", "label", "acronyms", "aliases", "wikidata", "dbpedia"}
KIND_KEYS = {
    "organizations": {"category"},
    "instruments": {"adopted", "kind", "parent"},
    "events": {"start", "end", "place", "categories"},
    "places": {"country", "lat", "long"},
    "people": {"roles"},
}
ORG_CATEGORIES = {
    "un-body", "intergovernmental", "regional", "ngo", "state", "national-institution",
    "armed-force",
}  # fmt: skip
INSTRUMENT_KINDS = {"treaty", "protocol", "declaration", "statute"}

# What the field requires, whatever the seed documents mention.
REQUIRED = {
    "instruments": {
        "udhr", "iccpr", "iccpr-op1", "iccpr-op2", "icescr", "icescr-op", "icerd", "cedaw",
        "cedaw-op", "cat", "opcat", "crc", "crc-opac", "crc-opsc", "crc-opic", "icmw", "crpd",
        "crpd-op", "cped", "genocide-convention", "geneva-conventions", "geneva-convention-i",
        "geneva-convention-ii", "geneva-convention-iii", "geneva-convention-iv",
        "additional-protocol-i", "additional-protocol-ii", "additional-protocol-iii",
        "hague-conventions", "rome-statute", "refugee-convention", "arsiwa", "echr",
        "echr-protocol-1", "achr", "achpr", "arab-charter", "un-charter",
    },
    "organizations": {
        "united-nations", "un-secretary-general", "un-security-council", "un-general-assembly",
        "un-human-rights-council", "ohchr", "unhcr", "unicef", "unesco", "icj", "icc", "icty",
        "ictr", "ilc", "human-rights-committee", "cerd-committee", "cat-committee",
        "european-union", "european-parliament", "council-of-europe", "osce", "oic",
        "oic-iphrc", "african-union", "oas", "asean", "arab-league", "cis",
        "organization-of-turkic-states", "nato", "amnesty-international", "human-rights-watch",
        "icrc", "fidh", "memorial", "international-peace-bureau",
        "international-ombudsman-institute", "european-ombudsman-institute",
        "asian-ombudsman-association", "enoc", "soviet-army",
    },
    "events": {
        "holocaust", "armenian-genocide", "holodomor", "srebrenica-massacre", "rwandan-genocide",
        "cambodian-genocide", "halabja-chemical-attack", "sabra-and-shatila-massacre",
        "katyn-massacre", "my-lai-massacre", "nanjing-massacre", "darfur-genocide",
        "khojaly-massacre", "black-january", "sumgait-pogrom", "baku-pogrom",
        "kirovabad-pogrom", "maraghar-massacre",
    },
}  # fmt: skip

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QID = re.compile(r"Q[1-9][0-9]*")


def load(name: str) -> list[dict]:
    with (REFERENCE / f"{name}.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert isinstance(data, list) and data, f"{name}.yaml must be a non-empty list"
    return data


def names_of(entry: dict) -> list[str]:
    return [entry["label"], *entry.get("aliases", []), *entry.get("acronyms", [])]


def fold(name: str) -> str:
    """The comparison key a matcher would use: NFKC, case-folded, straight quotes."""
    text = unicodedata.normalize("NFKC", name).replace("\u2019", "'").casefold()
    return " ".join(text.split())


@pytest.mark.parametrize("kind", ENTITY_FILES)
def test_entries_have_known_keys_and_slug_ids(kind: str) -> None:
    ids = []
    for entry in load(kind):
        assert isinstance(entry, dict), entry
        unknown = set(entry) - COMMON_KEYS - KIND_KEYS[kind]
        assert not unknown, f"{kind}: {entry.get('id')}: unknown keys {sorted(unknown)}"
        assert SLUG.fullmatch(str(entry.get("id", ""))), f"{kind}: bad id {entry.get('id')!r}"
        assert isinstance(entry.get("label"), str) and entry["label"].strip(), entry["id"]
        for key in ("aliases", "acronyms"):
            values = entry.get(key, [])
            assert isinstance(values, list), f"{kind}: {entry['id']}: {key} must be a list"
            for value in values:
                assert isinstance(value, str) and value.strip() == value and value, (
                    f"{kind}: {entry['id']}: bad {key} item {value!r}"
                )
        ids.append(entry["id"])
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{kind}: duplicate ids {duplicates}"


@pytest.mark.parametrize("kind", ENTITY_FILES)
def test_no_name_is_claimed_twice(kind: str) -> None:
    """Within a kind, a label, alias or acronym names exactly one entry, once."""
    owner: dict[str, str] = {}
    clashes = []
    for entry in load(kind):
        for name in names_of(entry):
            key = fold(name)
            if key in owner:
                clashes.append((name, owner[key], entry["id"]))
            owner[key] = entry["id"]
    assert not clashes, f"{kind}: names claimed twice: {clashes}"


@pytest.mark.parametrize("kind", ENTITY_FILES)
def test_linked_data_ids_are_well_formed_and_unique(kind: str) -> None:
    seen: dict[str, str] = {}
    for entry in load(kind):
        qid = entry.get("wikidata")
        if qid is not None:
            assert isinstance(qid, str) and QID.fullmatch(qid), f"{entry['id']}: QID {qid!r}"
            assert qid not in seen, f"{qid} used by {seen[qid]} and {entry['id']}"
            seen[qid] = entry["id"]
        dbpedia = entry.get("dbpedia")
        if dbpedia is not None:
            assert isinstance(dbpedia, str) and re.fullmatch(r"[^\s/<>\"]+", dbpedia), dbpedia


def test_cross_references_resolve() -> None:
    places = {e["id"] for e in load("places")}
    instruments = {e["id"] for e in load("instruments")}
    for entry in load("places"):
        if "country" in entry:
            assert entry["country"] in places, f"place {entry['id']}: country {entry['country']}"
        if "lat" in entry or "long" in entry:
            assert -90 <= entry["lat"] <= 90 and -180 <= entry["long"] <= 180, entry["id"]
    for entry in load("instruments"):
        assert entry["kind"] in INSTRUMENT_KINDS, entry["id"]
        assert isinstance(entry["adopted"], int) and 1850 < entry["adopted"] < 2100, entry["id"]
        if entry["kind"] == "protocol":
            assert entry.get("parent") in instruments, f"protocol {entry['id']} needs a parent"
        elif "parent" in entry:
            assert entry["parent"] in instruments, entry["id"]
    for entry in load("organizations"):
        assert entry.get("category") in ORG_CATEGORIES, entry["id"]
    categories = {e["slug"] for e in load("legal_categories")}
    for entry in load("events"):
        if "place" in entry:
            assert entry["place"] in places, f"event {entry['id']}: place {entry['place']}"
        assert set(entry.get("categories", [])) <= categories, entry["id"]


def _as_date(value: object, *, end: bool) -> dt.date:
    """YAML gives a date for YYYY-MM-DD, an int for YYYY and a str for YYYY-MM."""
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 12 if end else 1, 31 if end else 1)
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    assert match, f"not an ISO date, year-month or year: {value!r}"
    year, month = int(match[1]), int(match[2])
    return dt.date(year, month, 28 if end else 1)


def test_event_dates_are_iso_and_ordered() -> None:
    for entry in load("events"):
        assert "start" in entry, f"event {entry['id']} has no start"
        start = _as_date(entry["start"], end=False)
        if "end" in entry:
            assert start <= _as_date(entry["end"], end=True), entry["id"]


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_required_coverage(kind: str) -> None:
    present = {e["id"] for e in load(kind)}
    missing = sorted(REQUIRED[kind] - present)
    assert not missing, f"{kind}: missing required entries {missing}"


def test_acronyms_as_texts_use_them() -> None:
    """Spot checks, written by hand, of the names the loaders must resolve."""
    by_name = {}
    for kind in ENTITY_FILES:
        for entry in load(kind):
            for name in names_of(entry):
                by_name.setdefault(fold(name), set()).add((kind, entry["id"]))
    assert by_name[fold("ICCPR")] == {("instruments", "iccpr")}
    assert by_name[fold("UNSC")] == {("organizations", "un-security-council")}
    assert by_name[fold("UN Security Council")] == {("organizations", "un-security-council")}
    assert by_name[fold("Rome Statute")] == {("instruments", "rome-statute")}
    assert by_name[fold("OIC-IPHRC")] == {("organizations", "oic-iphrc")}
    assert by_name[fold("Srebrenica genocide")] == {("events", "srebrenica-massacre")}


def scheme_concepts(scheme: str) -> set[str]:
    """Slugs of the concepts the ontology declares in one of its SKOS schemes."""
    scheme_iri = CONCEPT_BASE + scheme
    graph = pyoxigraph.parse(path=str(ONTOLOGY_TTL), format=pyoxigraph.RdfFormat.TURTLE)
    return {
        t.subject.value.removeprefix(scheme_iri + "/")
        for t in graph
        if t.predicate == SKOS.inScheme and t.object == pyoxigraph.NamedNode(scheme_iri)
    }


@pytest.mark.parametrize("name", sorted(TERM_FILES))
def test_term_lists(name: str) -> None:
    scheme, needed = TERM_FILES[name]
    entries = load(name)
    slugs = [e["slug"] for e in entries]
    assert len(slugs) == len(set(slugs)), f"{name}: a slug is listed twice"
    assert needed <= set(slugs), f"{name}: missing {sorted(needed - set(slugs))}"
    unknown = set(slugs) - scheme_concepts(scheme)
    assert not unknown, f"{name}: not concepts of the {scheme} scheme: {sorted(unknown)}"
    owner: dict[str, str] = {}
    for entry in entries:
        assert set(entry) == {"slug", "forms"}, entry
        assert entry["forms"], entry["slug"]
        for form in entry["forms"]:
            assert isinstance(form, str) and form == form.strip() and form, (entry, form)
            assert fold(form) not in owner, f"{name}: {form!r} in {owner.get(fold(form))}"
            owner[fold(form)] = entry["slug"]
