"""Ingest: one graph per document with provenance, incremental reloads, pools, atomic swaps.

The extraction stage is injected: these tests use :func:`fake_builder` (one triple per
non-blank line), so what they check is the ingest machinery, not the extractor.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from loaders.ingest import FileOutcome, Source, load_paths, load_sources
from loaders.model import SourceDocument
from loaders.store import EmbeddedStore
from ontology import iris
from ontology.vocab import CG, DCT, NIF, RDF

BASE = "https://example.org/cg/"
PROVENANCE_TRIPLES = 12  # see loaders.provenance; +1 when a URL is given


def fake_builder(doc: SourceDocument, base_iri: str) -> list[Quad]:
    """A Document node with its text, and one nif:anchorOf per non-blank line."""
    g = iris.document_graph(base_iri, doc.doc_id)
    node = iris.document(base_iri, doc.doc_id)
    quads = [Quad(node, RDF.type, CG.Document, g), Quad(node, CG.text, Literal(doc.text), g)]
    lines = [line for line in doc.text.split("\n") if line.strip()]
    for n, line in enumerate(lines):
        quads.append(
            Quad(iris.evidence(base_iri, doc.doc_id, n, n), NIF.anchorOf, Literal(line), g)
        )
    if "title" in doc.metadata:
        quads.append(Quad(node, DCT["title"], Literal(doc.metadata["title"]), g))
    return quads


def failing_builder(doc: SourceDocument, base_iri: str) -> list[Quad]:
    if "explode" in doc.text:
        raise RuntimeError("cannot parse this")
    return fake_builder(doc, base_iri)


def stray_builder(doc: SourceDocument, base_iri: str) -> list[Quad]:
    other = NamedNode(base_iri + "graph/elsewhere")
    return [Quad(iris.document(base_iri, doc.doc_id), RDF.type, CG.Document, other)]


def load(store: EmbeddedStore, *paths: Path, **options: object):
    options.setdefault("builder", fake_builder)
    options.setdefault("support_graphs", False)
    options.setdefault("workers", 0)
    return load_paths(store, list(paths), base_iri=BASE, **options)


def one(store: EmbeddedStore, sparql: str) -> str | None:
    rows = list(store.query(sparql))
    return rows[0][0].value if rows and rows[0][0] is not None else None


def graph_size(store: EmbeddedStore, doc_id: str) -> int:
    g = iris.document_graph(BASE, doc_id)
    return int(one(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}"))


def doc_graphs(store: EmbeddedStore) -> set[str]:
    return {g.value for g in store.named_graphs()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Alpha line one.\nAlpha line two.\n", encoding="utf-8")
    (folder / "b.md").write_text("---\ntitle: Bee\n---\n## Bee\n\nBody.\n", encoding="utf-8")
    (folder / "sub" / "c.txt").write_text("Gamma.\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text("a.txt: {id: alpha, language: en}\n")
    (folder / "README.md").write_text("About this corpus.\n")
    (folder / ".hidden.txt").write_text("secret\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "x.txt").write_text("objects\n")
    (folder / "notes.yaml").write_text("k: v\n")
    return folder


def test_folder_loads_one_graph_per_document_with_provenance(store, corpus) -> None:
    report = load(store, corpus)
    assert report.ok, report.of_status("failed")
    assert sorted((o.doc_id, o.status) for o in report.outcomes) == [
        ("alpha", "loaded"),
        ("b", "loaded"),
        ("c", "loaded"),
    ]
    assert doc_graphs(store) == {BASE + f"graph/document/{d}" for d in ("alpha", "b", "c")}
    # a.txt: 2 (document, text) + 2 lines, plus provenance
    assert graph_size(store, "alpha") == 4 + PROVENANCE_TRIPLES
    g = iris.document_graph(BASE, "alpha")
    sha = hashlib.sha256((corpus / "a.txt").read_bytes()).hexdigest()
    row = next(
        iter(
            store.query(
                f"""PREFIX cg: <{CG}> PREFIX prov: <http://www.w3.org/ns/prov#>
                SELECT ?sha ?name ?doc ?version ?t WHERE {{ GRAPH {g} {{
                  {g} a cg:DocumentGraph, prov:Entity ; cg:sha256 ?sha ; cg:fileName ?name ;
                     prov:wasDerivedFrom ?doc ; prov:generatedAtTime ?t ;
                     prov:wasGeneratedBy [ a cg:LoadActivity ; cg:loaderVersion ?version ] }} }}"""
            )
        )
    )
    assert row["sha"].value == sha
    assert row["name"].value == "a.txt"
    assert row["doc"] == iris.document(BASE, "alpha")
    assert row["version"].value.startswith("0.1.0+code.")
    assert row["t"].datatype.value.endswith("#dateTime")
    # front matter is metadata, not text: the Markdown body starts at the heading
    text = one(store, f"SELECT ?t WHERE {{ {iris.document(BASE, 'b')} <{CG.text.value}> ?t }}")
    assert text == "## Bee\n\nBody.\n"
    assert one(store, f"SELECT ?t WHERE {{ ?d <{DCT['title'].value}> ?t }}") == "Bee"


def test_reload_unchanged_writes_nothing_and_changed_replaces(store, corpus) -> None:
    load(store, corpus)
    times = "SELECT ?g ?t WHERE { GRAPH ?g { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?t } }"
    before = {r["g"].value: r["t"].value for r in store.query(times)}
    again = load(store, corpus)
    assert [o.status for o in again.outcomes] == ["unchanged"] * 3
    assert {r["g"].value: r["t"].value for r in store.query(times)} == before

    (corpus / "sub" / "c.txt").write_text("Gamma changed.\nAnd longer.\n", encoding="utf-8")
    third = load(store, corpus)
    assert {o.doc_id: o.status for o in third.outcomes} == {
        "alpha": "unchanged",
        "b": "unchanged",
        "c": "loaded",
    }
    lines = {
        r[0].value
        for r in store.query(
            f"SELECT ?l WHERE {{ GRAPH {iris.document_graph(BASE, 'c')} "
            f"{{ ?e <{NIF.anchorOf.value}> ?l }} }}"
        )
    }
    assert lines == {"Gamma changed.", "And longer."}  # the old line is gone
    assert graph_size(store, "c") == 4 + PROVENANCE_TRIPLES


def test_changed_manifest_entry_or_loader_version_reloads(store, corpus) -> None:
    load(store, corpus)
    (corpus / "manifest.yaml").write_text(
        "a.txt: {id: alpha, language: en, url: 'https://example.org/a'}\n"
    )
    report = load(store, corpus)
    assert {o.doc_id: o.status for o in report.outcomes}["alpha"] == "loaded"
    assert {o.doc_id: o.status for o in report.outcomes}["b"] == "unchanged"
    g = iris.document_graph(BASE, "alpha")
    assert one(store, f"SELECT ?u WHERE {{ GRAPH {g} {{ {g} <https://schema.org/url> ?u }} }}") == (
        "https://example.org/a"
    )
    newer = load(store, corpus, loader_version="9.9.9")
    assert {o.status for o in newer.outcomes} == {"loaded"}


def test_duplicate_document_ids_fail_the_second_file(store, tmp_path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "same.txt").write_text("one\n")
    (tmp_path / "y" / "same.txt").write_text("two\n")
    report = load(store, tmp_path / "x", tmp_path / "y")
    assert [o.status for o in report.outcomes] == ["loaded", "failed"]
    assert "document id 'same' is also the id of" in report.outcomes[1].error
    assert str(tmp_path / "y" / "same.txt") in report.outcomes[1].error


def test_builder_errors_and_stray_quads_fail_only_that_document(store, tmp_path) -> None:
    (tmp_path / "good.txt").write_text("fine\n")
    (tmp_path / "bad.txt").write_text("this will explode\n")
    report = load(store, tmp_path, builder=failing_builder)
    status = {o.doc_id: (o.status, o.error) for o in report.outcomes}
    assert status["good"] == ("loaded", None)
    assert status["bad"][0] == "failed"
    assert "bad.txt: extraction failed (RuntimeError: cannot parse this)" in status["bad"][1]
    assert not report.ok
    assert doc_graphs(store) == {BASE + "graph/document/good"}

    stray = load(store, tmp_path / "good.txt", builder=stray_builder, force=True)
    assert "outside the document graph" in stray.outcomes[0].error
    assert graph_size(store, "good") == 3 + PROVENANCE_TRIPLES  # the old graph is untouched


def test_worker_processes_give_the_same_graphs_as_the_main_process(tmp_path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(12):
        (folder / f"doc{n:02d}.txt").write_text("\n".join(f"line {i}" for i in range(n + 1)))
    serial, pooled = EmbeddedStore(str(tmp_path / "s1")), EmbeddedStore(str(tmp_path / "s2"))
    seen: list[FileOutcome] = []
    load(serial, folder, workers=0)
    report = load(pooled, folder, workers=2, on_outcome=seen.append)
    assert [o.name for o in seen] == sorted(str(p) for p in folder.iterdir())  # input order
    for n in range(12):
        assert graph_size(serial, f"doc{n:02d}") == graph_size(pooled, f"doc{n:02d}")
        assert graph_size(pooled, f"doc{n:02d}") == 2 + (n + 1) + PROVENANCE_TRIPLES
    assert report.triples == sum(2 + n + 1 + PROVENANCE_TRIPLES for n in range(12))


def test_support_graphs_written_once_then_unchanged(store, tmp_path) -> None:
    (tmp_path / "a.txt").write_text("text\n")
    first = load(store, tmp_path, support_graphs=True)
    assert first.graphs["reference"].startswith("loaded")
    assert first.graphs["ontology"].startswith("loaded")
    assert store.contains_graph(iris.ontology_graph(BASE))
    assert bool(
        store.query(
            f"ASK {{ GRAPH {iris.ontology_graph(BASE)} {{ <{CG.Claim.value}> a "
            "<http://www.w3.org/2002/07/owl#Class> } }"
        )
    )
    second = load(store, tmp_path, support_graphs=True)
    assert second.graphs == {"reference": "unchanged", "ontology": "unchanged"}


def test_posted_bytes_load_like_files(store) -> None:
    source = Source(
        "upload.html",
        data=b"<html><body><nav>x</nav><p>Posted.</p></body></html>",
        metadata={"title": "Given"},
    )
    report = load_sources(store, [source], base_iri=BASE, builder=fake_builder)
    assert report.outcomes == [
        FileOutcome("upload.html", "loaded", "upload", 4 + PROVENANCE_TRIPLES)
    ]
    assert one(store, f"SELECT ?t WHERE {{ ?d <{CG.text.value}> ?t }}") == "Posted."


def test_readers_see_a_document_wholly_old_or_wholly_new(store) -> None:
    """Replace one document 40 times while two threads query it; no mixed state is seen."""
    versions = {
        "old": "\n".join(f"old {i}" for i in range(200)),
        "new": "\n".join(f"new {i}" for i in range(300)),
    }
    g = iris.document_graph(BASE, "flip")
    count = (
        f"SELECT (COUNT(?l) AS ?n) (SUM(IF(STRSTARTS(?l, 'old'), 1, 0)) AS ?old) "
        f"WHERE {{ GRAPH {g} {{ ?e <{NIF.anchorOf.value}> ?l }} }}"
    )
    load_sources(
        store,
        [Source("flip.txt", data=versions["old"].encode())],
        base_iri=BASE,
        builder=fake_builder,
    )
    seen: set[tuple[int, int]] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            row = next(iter(store.query(count)))
            seen.add((int(row["n"].value), int(row["old"].value)))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        for n in range(40):
            text = versions["new" if n % 2 == 0 else "old"]
            load_sources(
                store, [Source("flip.txt", data=text.encode())], base_iri=BASE, builder=fake_builder
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert seen <= {(200, 200), (300, 0)}
    assert seen == {(200, 200), (300, 0)}, "the readers should have seen both versions"
