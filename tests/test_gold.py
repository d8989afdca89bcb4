"""Every gold file parses, names a document that exists, and quotes it verbatim.

The gold files are hand-written; these checks keep a typo in a quote or a dangling
reference from silently turning into a miss of the loader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from loaders.gold import CLAIM_TYPES, load_gold
from tests.test_reference_data import scheme_concepts

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SETS = [
    (TESTS / "gold", REPO / "data" / "corpus"),
    (TESTS / "heldout" / "gold", TESTS / "heldout" / "docs"),
    (TESTS / "dev" / "gold", TESTS / "dev" / "docs"),
]
GOLD_FILES = [(path, docs) for gold, docs in SETS for path in sorted(gold.glob("*.yaml"))]
GOLD_IDS = [str(path.relative_to(TESTS)) for path, _ in GOLD_FILES]  # "dev/gold/x.yaml"


def _document_text(path: Path) -> str:
    """The file's text. Quotes of HTML pages are written to lie inside one element with
    no character references, so they occur in the markup as in the extracted text."""
    return path.read_text(encoding="utf-8")


def test_every_seed_document_has_gold() -> None:
    for gold, docs in SETS:
        stems = {p.stem for p in docs.iterdir() if p.is_file() and p.suffix != ".yaml"}
        assert stems, f"no documents in {docs}"
        assert stems == {p.stem for p in gold.glob("*.yaml")}, f"gold files of {docs}"


@pytest.mark.parametrize(("path", "docs"), GOLD_FILES, ids=GOLD_IDS)
def test_gold_quotes_occur_in_the_document(path: Path, docs: Path) -> None:
    gold = load_gold(path)
    assert gold.document == path.stem + Path(gold.document).suffix
    text = _document_text(docs / gold.document)
    missing = [(where, quote) for where, quote in gold.quotes if quote not in text]
    assert not missing, f"{path.name}: quotes not in {gold.document}: {missing}"
    assert len(gold.quotes) >= len(gold.claims)


@pytest.mark.parametrize(("path", "docs"), GOLD_FILES, ids=GOLD_IDS)
def test_gold_uses_known_slugs(path: Path, docs: Path) -> None:
    """Category, kind, group and qualifier values are slugs of the ontology's schemes."""
    reference = REPO / "data" / "reference"
    slugs = {
        stem: {e["slug"] for e in yaml.safe_load((reference / f"{stem}.yaml").read_text())}
        for stem in ("legal_categories", "casualty_kinds", "victim_groups")
    }
    qualifiers = scheme_concepts("qualifier")
    for claim in load_gold(path).claims:
        assert claim.type in CLAIM_TYPES
        v = claim.values
        if "category" in v and v["category"] is not None:
            assert v["category"] in slugs["legal_categories"], (claim.where, v["category"])
        if claim.type == "casualty-figure":
            assert v["kind"] in slugs["casualty_kinds"], (claim.where, v["kind"])
            assert v.get("group") is None or v["group"] in slugs["victim_groups"], claim.where
            assert v.get("qualifier", "exact") in qualifiers, claim.where
