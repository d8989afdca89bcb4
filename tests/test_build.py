"""document_quads: the document graph of a text, and the bundled corpus end to end."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad

from loaders.build import document_quads
from loaders.model import SourceDocument
from ontology.validate import graph_from_triples, validate
from ontology.vocab import CG, CLAIM_TYPE, DCT, NIF, QUALIFIER, RDF, RDFS, XSD
from tests.conftest import DATA, FIXTURES

REFERENCE = FIXTURES / "reference"
BASE = "https://example.org/cg/"

ARTICLE = (
    "Kurdish ombudsman calls Halabja massacre a genocide\n"
    "On the 35th anniversary of the Halabja chemical attack of March 16, 1988, the "
    "Independent Board of Human Rights of the Kurdistan Region, Amira Haddad, called the "
    "attack a genocide, urging the Security Council to act.\n"
    "As Kurdistan24.net reports, citing the board\u2019s press office, Haddad stated:\n"
    "\u201cThe Iraqi forces killed more than 5,000 civilians, including 1,200 children, in the "
    "Kirovakan massacre of the same spring.\u201d\n"
    "Reporters also visited the Rwanda Memorial Network, which said the genocide against "
    "the Tutsi was a crime against humanity.\n"
    "By Omar Said\n"
)


def _doc(text: str, doc_id: str = "article-1") -> SourceDocument:
    data = text.encode("utf-8")
    return SourceDocument(doc_id, f"{doc_id}.txt", hashlib.sha256(data).hexdigest(), text)


@pytest.fixture(scope="module")
def quads() -> list[Quad]:
    return document_quads(_doc(ARTICLE), BASE, reference_dir=REFERENCE)


def _objects(quads: list[Quad], subject: NamedNode, predicate: NamedNode) -> list:
    return [q.object for q in quads if q.subject == subject and q.predicate == predicate]


def _subjects(quads: list[Quad], predicate: NamedNode, obj) -> list:
    return [q.subject for q in quads if q.predicate == predicate and q.object == obj]


def test_all_quads_in_the_document_graph(quads) -> None:
    assert {q.graph_name for q in quads} == {NamedNode(BASE + "graph/document/article-1")}


def test_document_and_two_linked_statements(quads) -> None:
    doc = NamedNode(BASE + "id/document/article-1")
    own = NamedNode(BASE + "id/statement/article-1")
    reported = NamedNode(BASE + "id/statement/article-1-reported-1")
    assert _objects(quads, doc, CG.text) == [Literal(ARTICLE)]
    assert set(_objects(quads, doc, RDF.type)) == {CG.Document, NIF.Context}
    assert _objects(quads, own, CG.reports) == [reported]
    assert _objects(quads, own, CG.author) == [NamedNode(BASE + "id/person/omar-said")]
    assert _objects(quads, own, DCT.date) == [Literal("2023", datatype=XSD.gYear)]
    assert set(_objects(quads, own, CG.inferred)) == {DCT["title"], DCT.date, CG.author}
    assert _objects(quads, reported, CG.author) == [NamedNode(BASE + "id/person/amira-haddad")]
    assert _objects(quads, reported, CG.issuer) == [
        NamedNode(BASE + "id/organization/kurdistan-ombudsman")
    ]
    outlet = NamedNode(BASE + "id/organization/kurdistan24-net")
    assert _objects(quads, reported, CG.publisher) == [outlet]
    assert _objects(quads, outlet, CG.resolved) == [Literal(False)]


def test_claims_are_attributed_to_the_statement_that_makes_them(quads) -> None:
    reported = NamedNode(BASE + "id/statement/article-1-reported-1")
    own = NamedNode(BASE + "id/statement/article-1")
    figures = _subjects(quads, CG.claimType, CLAIM_TYPE["casualty-figure"])
    assert figures and all(_objects(quads, f, CG.statedIn) == [reported] for f in figures)
    rwanda = NamedNode(BASE + "id/event/rwandan-genocide")
    about_rwanda = _subjects(quads, CG.about, rwanda)
    assert about_rwanda and all(_objects(quads, c, CG.statedIn) == [own] for c in about_rwanda)


def test_casualty_figure_values_and_breakdown(quads) -> None:
    counts = {
        int(_objects(quads, f, CG["count"])[0].value): f
        for f in _subjects(quads, CG.claimType, CLAIM_TYPE["casualty-figure"])
    }
    assert set(counts) == {5000, 1200}
    whole, part = counts[5000], counts[1200]
    assert _objects(quads, whole, CG["count"]) == [Literal("5000", datatype=XSD.nonNegativeInteger)]
    assert _objects(quads, whole, CG.qualifier) == [QUALIFIER["more-than"]]
    assert _objects(quads, part, CG.partOf) == [whole]
    unknown = NamedNode(BASE + "id/event/kirovakan-massacre")
    assert _objects(quads, whole, CG.about) == [unknown]
    assert _objects(quads, unknown, CG.resolved) == [Literal(False)]
    kirovakan = NamedNode(BASE + "id/place/kirovakan")
    assert _objects(quads, unknown, CG.place) == [kirovakan]
    assert _objects(quads, kirovakan, RDFS.label) == [Literal("Kirovakan", language="en")]


def test_every_evidence_quote_is_verbatim(quads) -> None:
    evidence = _subjects(quads, RDF.type, CG.Evidence)
    assert evidence
    for node in evidence:
        (quote,) = _objects(quads, node, NIF.anchorOf)
        (begin,) = _objects(quads, node, NIF.beginIndex)
        (end,) = _objects(quads, node, NIF.endIndex)
        assert ARTICLE[int(begin.value) : int(end.value)] == quote.value


def test_same_input_same_quads() -> None:
    again = document_quads(_doc(ARTICLE), BASE, reference_dir=REFERENCE)
    first = document_quads(_doc(ARTICLE), BASE, reference_dir=REFERENCE)
    assert set(again) == set(first)


def _corpus() -> list[Path]:
    return sorted((DATA / "corpus").glob("*.txt"))


def _corpus_quads(path: Path) -> tuple[str, list[Quad]]:
    data = path.read_bytes()
    text = data.decode("utf-8")
    doc = SourceDocument(path.stem, path.name, hashlib.sha256(data).hexdigest(), text)
    return text, document_quads(doc, BASE)


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.stem)
def test_bundled_corpus_evidence_is_verbatim(path: Path) -> None:
    text, quads = _corpus_quads(path)
    assert len(_subjects(quads, RDF.type, CG.Claim)) >= 5
    for node in _subjects(quads, RDF.type, CG.Evidence):
        (quote,) = _objects(quads, node, NIF.anchorOf)
        (begin,) = _objects(quads, node, NIF.beginIndex)
        (end,) = _objects(quads, node, NIF.endIndex)
        assert text[int(begin.value) : int(end.value)] == quote.value


@pytest.mark.slow
def test_bundled_corpus_passes_the_shapes() -> None:
    quads = [q for path in _corpus() for q in _corpus_quads(path)[1]]
    assert validate(graph_from_triples(quads)) == []


FRAGMENTS = [
    "The Halabja massacre was genocide.",
    "\u201cWe call on the United Nations to act,\u201d said Amira Haddad.",
    "More than 5,000 civilians, including 1,200 children, were killed.",
    "- Articles 2 and 7 of the ICCPR",
    "It violated the Geneva Conventions.",
    "By Omar Said",
    "## 16 March 2024",
    "The statement is addressed to the UN Security Council, (UNSC) and",
    "\u201c",
    "",
    "Nearly four thousand persons are missing; hundreds of families were displaced.",
    "The Iraqi forces, who attacked the town, were condemned by the European Parliament.",
]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8), st.sampled_from([" ", "\n", "\n\n"]))
def test_any_mix_of_genre_sentences_builds_with_verbatim_evidence(parts, joint) -> None:
    text = joint.join(parts)
    quads = document_quads(_doc(text, "mix"), BASE, reference_dir=REFERENCE)
    for node in _subjects(quads, RDF.type, CG.Evidence):
        (quote,) = _objects(quads, node, NIF.anchorOf)
        (begin,) = _objects(quads, node, NIF.beginIndex)
        (end,) = _objects(quads, node, NIF.endIndex)
        assert text[int(begin.value) : int(end.value)] == quote.value != ""


def _count_in_worker(doc: SourceDocument) -> int:
    return len(document_quads(doc, BASE, reference_dir=REFERENCE))


def test_builds_the_same_in_a_worker_process_with_one_cached_pipeline() -> None:
    import multiprocessing
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    from loaders.nlp import get_pipeline

    doc = _doc(ARTICLE)
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert get_pipeline(REFERENCE) is get_pipeline(REFERENCE)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        assert pool.submit(_count_in_worker, doc).result(timeout=60) == _count_in_worker(doc)


def test_a_document_longer_than_spacys_default_limit_is_extracted() -> None:
    """spaCy stops at 1,000,000 characters by default (E088); a long report must load,
    and a claim near its end keeps its true offsets."""
    filler = "The delegation met the committee and discussed the agenda of the session.\n"
    tail = "More than 5,000 civilians, including 1,200 children, were killed.\n"
    text = ARTICLE + filler * (1_100_000 // len(filler)) + tail
    assert len(text) > 1_000_000
    found = document_quads(_doc(text, "long-report"), BASE, reference_dir=REFERENCE)
    begins = [
        int(q.object.value) for q in found if q.predicate == NIF.beginIndex and q.object.value
    ]
    end_of_tail = text.rindex("5,000")
    assert any(b >= len(text) - len(tail) for b in begins), max(begins)
    assert end_of_tail > 1_000_000
