"""`claimgraph load PATH...`: per-file lines, exit status, a locked store, the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.store import EmbeddedStore
from server.cli import main
from tests.test_ingest import fake_builder

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's builder is loaders.build's; these tests check the command, not extraction."""
    monkeypatch.setattr("loaders.ingest.default_builder", lambda: fake_builder)


def test_load_prints_each_file_and_exits_1_when_one_fails(
    tmp_path, store_path, capsys, fake_extraction
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("A statement.\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    status = main(["load", "--store", store_path, "--no-progress", str(folder)])
    out, err = capsys.readouterr()
    assert status == 1
    assert f"loaded     {folder / 'good.txt'} -> good (15 triples)" in out
    assert f"failed     {folder / 'empty.txt'}: empty file (0 bytes)" in err
    assert "2 documents: 1 loaded, 0 unchanged, 1 failed; 15 triples written" in out
    assert "graph      ontology: loaded" in out

    (folder / "empty.txt").unlink()
    assert main(["load", "--store", store_path, "--no-progress", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "unchanged  " in out
    assert "1 document: 0 loaded, 1 unchanged, 0 failed" in out
    store = EmbeddedStore(store_path)
    graphs = {g.value for g in store.named_graphs()}
    assert "https://w3id.org/claimgraph/graph/document/good" in graphs
    assert "https://w3id.org/claimgraph/graph/document/empty" not in graphs


def test_progress_bar_goes_to_stderr(tmp_path, store_path, capsys, fake_extraction) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    assert main(["load", "--store", store_path, "--progress", str(tmp_path / "a.txt")]) == 0
    out, err = capsys.readouterr()
    assert "loading: 100%" in err
    assert "loading" not in out


def test_locked_store_says_to_load_through_the_server(tmp_path, store_path, capsys) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    held = EmbeddedStore(store_path)  # as a running `claimgraph serve` would hold it
    status = main(["load", "--store", store_path, str(tmp_path / "a.txt")])
    _, err = capsys.readouterr()
    assert status == 2
    assert "is in use by another process" in err
    assert "claimgraph load --server URL --token TOKEN PATH..." in err
    assert held.location == store_path


def test_missing_path_and_bad_flags(tmp_path, store_path, capsys, fake_extraction) -> None:
    assert main(["load", "--store", store_path, str(tmp_path / "nope.txt")]) == 1
    assert f"{tmp_path / 'nope.txt'}: no such file or folder" in capsys.readouterr().err
    assert main(["load", "--store", store_path, "--workers", "-1", str(tmp_path)]) == 2
    assert main(["load", "--store", store_path, "--token", "t", str(tmp_path)]) == 2
    assert "--token is only used with --server" in capsys.readouterr().err


def test_load_bundled_corpus_end_to_end(store_path, capsys) -> None:
    """`claimgraph load data/` with the real extractor: five graphs, verbatim evidence,
    the manifest's language, checksums of the files; a second run changes nothing."""
    import hashlib

    assert main(["load", "--store", store_path, "--no-progress", str(REPO / "data")]) == 0
    out, _ = capsys.readouterr()
    assert "5 documents: 5 loaded, 0 unchanged, 0 failed" in out
    store = EmbeddedStore(store_path)
    evidence = list(
        store.query(
            "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
            "PREFIX cg: <https://w3id.org/claimgraph/ontology#> "
            "SELECT ?a ?b ?e ?t WHERE { ?x nif:anchorOf ?a ; nif:beginIndex ?b ; "
            "nif:endIndex ?e ; nif:referenceContext [ cg:text ?t ] }"
        )
    )
    assert len(evidence) > 20
    for row in evidence:
        begin, end = int(row["b"].value), int(row["e"].value)
        assert row["t"].value[begin:end] == row["a"].value
    for seed in sorted((REPO / "data" / "corpus").glob("*.txt")):
        doc_id = seed.stem.replace("_", "-")
        g = f"<https://w3id.org/claimgraph/graph/document/{doc_id}>"
        rows = list(
            store.query(
                f"SELECT ?sha ?lang WHERE {{ GRAPH {g} {{ {g} "
                "<https://w3id.org/claimgraph/ontology#sha256> ?sha . "
                "?d <http://purl.org/dc/terms/language> ?lang } }"
            )
        )
        assert [(r["sha"].value, r["lang"].value) for r in rows] == [
            (hashlib.sha256(seed.read_bytes()).hexdigest(), "en")
        ]
    del store
    assert main(["load", "--store", store_path, "--no-progress", str(REPO / "data")]) == 0
    out, _ = capsys.readouterr()
    assert "5 documents: 0 loaded, 5 unchanged, 0 failed; 0 triples written" in out
    assert "graph      reference: unchanged" in out


def test_html_page_end_to_end_offsets_count_in_the_extracted_text(
    tmp_path, store_path, capsys
) -> None:
    """A seed wrapped in a page with navigation: evidence quotes are found verbatim at
    their offsets in the extracted text, and the page's metadata reaches the Statement."""
    import html

    text = (REPO / "data" / "corpus" / "004_4d9f4cdb39f3a4c3.txt").read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in text.split("\n") if p.strip())
    (tmp_path / "khojaly.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Statement</title>'
        '<meta property="article:published_time" content="2025-02-25T10:00:00+04:00"></head>'
        f"<body><nav>Home News</nav><article>{paragraphs}</article><footer>(c)</footer>"
        "</body></html>",
        encoding="utf-8",
    )
    assert main(["load", "--store", store_path, "--no-progress", str(tmp_path)]) == 0
    store = EmbeddedStore(store_path)
    stored_text = next(
        iter(store.query("SELECT ?t WHERE { ?d <https://w3id.org/claimgraph/ontology#text> ?t }"))
    )["t"].value
    assert stored_text == "\n".join(p for p in text.split("\n") if p.strip())
    assert "Home News" not in stored_text
    anchors = list(
        store.query(
            "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> "
            "SELECT ?a ?b ?e WHERE { ?x nif:anchorOf ?a ; nif:beginIndex ?b ; nif:endIndex ?e }"
        )
    )
    assert len(anchors) > 5
    for row in anchors:
        assert stored_text[int(row["b"].value) : int(row["e"].value)] == row["a"].value
    dates = {
        r["d"].value
        for r in store.query(
            "SELECT ?d WHERE { ?s a <https://w3id.org/claimgraph/ontology#Statement> ; "
            "<http://purl.org/dc/terms/date> ?d }"
        )
    }
    assert "2025-02-25" in dates


DOCS = "https://w3id.org/claimgraph/graph/document/"


def _document_graphs(store_path: str) -> set[str]:
    store = EmbeddedStore(store_path)
    try:
        return {g.value for g in store.named_graphs() if g.value.startswith(DOCS)}
    finally:
        del store


def test_prune_removes_documents_whose_files_are_gone(
    tmp_path, store_path, capsys, fake_extraction
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("kept", "deleted", "renamed"):
        (folder / f"{name}.txt").write_text(f"A statement called {name}.\n", encoding="utf-8")
    assert main(["load", "--store", store_path, "--no-progress", str(folder)]) == 0
    (folder / "deleted.txt").unlink()
    (folder / "renamed.txt").rename(folder / "moved.txt")
    capsys.readouterr()

    # Without --prune nothing is removed: loads only ever add or replace.
    assert main(["load", "--store", store_path, "--no-progress", str(folder)]) == 0
    assert _document_graphs(store_path) == {
        DOCS + n for n in ("kept", "deleted", "renamed", "moved")
    }
    capsys.readouterr()

    assert main(["load", "--store", store_path, "--no-progress", "--prune", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "removed    deleted (its file is no longer among the paths loaded)" in out
    assert "removed    renamed (" in out
    assert "2 documents: 0 loaded, 2 unchanged, 0 failed, 2 removed" in out
    assert _document_graphs(store_path) == {DOCS + "kept", DOCS + "moved"}


def test_prune_removes_nothing_when_a_file_failed(
    tmp_path, store_path, capsys, fake_extraction
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("A statement.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Another statement.\n", encoding="utf-8")
    assert main(["load", "--store", store_path, "--no-progress", str(folder)]) == 0
    (folder / "b.txt").write_bytes(b"")  # now unreadable as a document
    (folder / "a.txt").unlink()
    capsys.readouterr()
    assert main(["load", "--store", store_path, "--no-progress", "--prune", str(folder)]) == 1
    out, _ = capsys.readouterr()
    assert "nothing removed: 1 document(s) failed" in out
    assert _document_graphs(store_path) == {DOCS + "a", DOCS + "b"}


def test_prune_is_refused_through_a_server(tmp_path, capsys) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    status = main(
        ["load", "--server", "http://127.0.0.1:9", "--token", "t", "--prune", str(tmp_path)]
    )
    _, err = capsys.readouterr()
    assert status != 0
    assert "--prune works on the store itself" in err
