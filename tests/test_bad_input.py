"""Bad input: each broken file fails alone with a clear message; nothing partial is stored.

Covers empty, whitespace-only, random bytes, an image, undecodable and truncated UTF-8,
a single 50 MB line, a 100 MB file, deeply nested markup, broken front matter and an
unsupported type, side by side with good files; and a load killed with SIGKILL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from loaders.ingest import load_paths
from loaders.model import DocumentError, SourceDocument
from loaders.read import read_document
from loaders.store import EmbeddedStore
from tests.test_ingest import BASE, PROVENANCE_TRIPLES, fake_builder, graph_size

REPO = Path(__file__).resolve().parents[1]

BAD_FILES: dict[str, tuple[bytes | int, str]] = {
    # name: (content, or a size for a sparse file; expected error after "name: ")
    "empty.txt": (b"", "empty file (0 bytes)"),
    "blank.md": (b" \n\t\n", "no text: the document is empty or only whitespace"),
    "random.txt": (random.Random(7).randbytes(4096), "binary data, not text (NUL byte at offset"),
    "picture.txt": (b"\x89PNG\r\n\x1a\n" + bytes(64), "binary data: this is a PNG image"),
    "latin1.txt": ("Déclaration".encode("latin-1"), "not valid utf-8 text: byte 1 (0xe9, line 1)"),
    "cut.txt": ("Khojaly — ".encode()[:-1] + "—".encode()[:2], "truncated: the file ends inside"),
    "one-line.txt": (b"word " * 10_000_000, "too large: 50,000,000 bytes exceeds the limit of"),
    "huge.txt": (100_000_000, "too large: 100,000,000 bytes exceeds the limit of 20,000,000"),
    "nested.html": (b"<html><body>" + b"<div>" * 100_000, "markup is nested deeper than 512"),
    "options.html": (
        b"<html><body><select>" + b"<option>x" * 200_000,
        "markup has more than 10,000 <option> elements",
    ),
    "tags.html": (b"<html><body>" + b"<a" * 1_000_000, "no text: the document is empty"),
    "front.md": (b"---\nautor: X\n---\nText\n", "front matter: unknown metadata key(s) autor"),
}


def write_bad_files(folder: Path) -> None:
    for name, (content, _) in BAD_FILES.items():
        path = folder / name
        if isinstance(content, int):
            with path.open("wb") as f:  # sparse: a 100 MB file that costs no disk or time
                f.truncate(content)
        else:
            path.write_bytes(content)


def test_bad_files_fail_alone_with_clear_errors(store: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_bad_files(folder)
    (folder / "good-one.txt").write_text("A good statement.\nTwo lines.\n", encoding="utf-8")
    (folder / "good-two.md").write_text("## Title\n\nBody.\n", encoding="utf-8")
    started = time.perf_counter()
    report = load_paths(
        store, [folder], base_iri=BASE, builder=fake_builder, workers=0, support_graphs=False
    )
    assert time.perf_counter() - started < 30  # the hostile files are refused, not parsed
    assert not report.ok
    errors = {Path(o.name).name: o.error for o in report.of_status("failed")}
    assert set(errors) == set(BAD_FILES)
    for name, (_, expected) in BAD_FILES.items():
        assert errors[name].startswith(f"{folder / name}: "), errors[name]
        assert expected in errors[name], (name, errors[name])
    assert {o.doc_id for o in report.of_status("loaded")} == {"good-one", "good-two"}
    assert {g.value for g in store.named_graphs()} == {
        BASE + "graph/document/good-one",
        BASE + "graph/document/good-two",
    }
    assert graph_size(store, "good-one") == 4 + PROVENANCE_TRIPLES


def test_unsupported_type_named_directly_is_an_error(store, tmp_path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04rest")
    report = load_paths(store, [path], base_iri=BASE, builder=fake_builder, support_graphs=False)
    assert "unsupported file type '.docx'" in report.outcomes[0].error


def test_a_50_mb_line_reads_in_linear_time_when_allowed() -> None:
    data = b"word " * 10_000_000
    started = time.perf_counter()
    doc = read_document(data, "long.txt", max_bytes=60_000_000)
    assert len(doc.text) == 50_000_000
    assert "\n" not in doc.text
    assert time.perf_counter() - started < 20


def test_undecodable_declared_encoding_is_an_error_not_mojibake() -> None:
    with pytest.raises(DocumentError, match=r"^x\.txt: unknown encoding 'klingon'"):
        read_document(b"text", "x.txt", metadata={"encoding": "klingon"})
    with pytest.raises(DocumentError, match=r"not valid ascii text: byte 0 \(0xc3, line 1\)"):
        read_document("é".encode(), "x.txt", metadata={"encoding": "ascii"})


def slow_builder(doc: SourceDocument, base_iri: str):
    """The fake builder, slowed so that a kill lands while a document is in progress."""
    time.sleep(0.4)
    return fake_builder(doc, base_iri)


KILLED_LOAD = """
import sys
from loaders.ingest import load_paths
from loaders.store import EmbeddedStore
from tests.test_bad_input import slow_builder
from tests.test_ingest import BASE, fake_builder
store = EmbeddedStore(sys.argv[1])
builder = slow_builder if sys.argv[3] == "slow" else fake_builder
load_paths(store, [sys.argv[2]], base_iri=BASE, builder=builder, workers=0,
           support_graphs=False, loader_version="killed-1",
           on_outcome=lambda o: print(o.status, o.doc_id, flush=True))
"""


def kill_a_load(
    store_path: str, folder: Path, builder: str, before_kill: Callable[[IO[str]], list[str]]
) -> list[str]:
    """Run a load in a child process, SIGKILL it once ``before_kill`` (given the child's
    stdout, one line per written document) returns; every document id it reported."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, store_path, str(folder), builder],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        reported = before_kill(child.stdout)
        os.kill(child.pid, signal.SIGKILL)
        reported += [line.split()[1] for line in child.stdout.read().splitlines()]
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return reported


def test_sigkill_midway_leaves_exactly_the_completed_documents(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(10):
        (folder / f"d{n}.txt").write_text("\n".join(f"line {i}" for i in range(50 + n)))
    store_path = str(tmp_path / "store")

    def three_documents(out: IO[str]) -> list[str]:
        lines = [out.readline() for _ in range(3)]
        assert all(lines), "the load ended before it could be killed"
        return [line.split()[1] for line in lines]  # then killed while building the 4th

    completed = kill_a_load(store_path, folder, "slow", three_documents)
    store = EmbeddedStore(store_path)  # opens: the lock died with the process
    assert sorted(g.value for g in store.named_graphs()) == [
        BASE + f"graph/document/{doc_id}" for doc_id in completed
    ]
    assert len(completed) == 3
    for n, doc_id in enumerate(completed):
        assert graph_size(store, doc_id) == 2 + 50 + n + PROVENANCE_TRIPLES
    report = load_paths(
        store,
        [folder],
        base_iri=BASE,
        builder=fake_builder,
        support_graphs=False,
        loader_version="killed-1",  # fixed: the code digest may change while tests run
    )
    assert [o.status for o in report.outcomes] == ["unchanged"] * 3 + ["loaded"] * 7


def test_sigkill_during_writes_never_leaves_a_partial_graph(tmp_path: Path) -> None:
    """Large documents and no pause: the kill lands while graphs are being written."""
    folder = tmp_path / "big"
    folder.mkdir()
    sizes = {f"b{n:02d}": 4000 + n for n in range(40)}
    for doc_id, lines in sizes.items():
        (folder / f"{doc_id}.txt").write_text("\n".join(f"line {i}" for i in range(lines)))
    store_path = str(tmp_path / "store")

    def a_moment_after_the_first(out: IO[str]) -> list[str]:
        first = out.readline().split()[1]
        time.sleep(random.Random().uniform(0.05, 0.3))
        return [first]

    reported = kill_a_load(store_path, folder, "fast", a_moment_after_the_first)
    store = EmbeddedStore(store_path)
    stored = sorted(g.value.rsplit("/", 1)[1] for g in store.named_graphs())
    assert len(reported) < len(sizes), "the load finished before the kill"
    # every reported document is there; at most one more, whose write had committed
    # just before the kill but whose line was never printed
    assert stored[: len(reported)] == reported
    assert len(stored) - len(reported) <= 1
    for doc_id in stored:
        assert graph_size(store, doc_id) == 2 + sizes[doc_id] + PROVENANCE_TRIPLES


def crashing_builder(doc: SourceDocument, base_iri: str):
    """Dies like a worker killed for memory when a document says "crash"."""
    if "crash" in doc.text:
        os._exit(1)
    return fake_builder(doc, base_iri)


def test_a_dying_worker_fails_only_the_documents_in_flight(store, tmp_path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for n in range(16):
        (folder / f"d{n:02d}.txt").write_text("crash\n" if n == 5 else f"document {n}\n")
    report = load_paths(
        store, [folder], base_iri=BASE, builder=crashing_builder, workers=1, support_graphs=False
    )
    assert [o.doc_id for o in report.outcomes] == [f"d{n:02d}" for n in range(16)]  # in order
    status = {o.doc_id: o for o in report.outcomes}
    assert "d05.txt: the extraction process died while this and" in status["d05"].error
    failed = {d for d, o in status.items() if o.status == "failed"}
    assert all("extraction process died" in status[d].error for d in failed)
    assert len(failed) <= 4  # at most the documents in flight with it (1 worker x 4)
    assert status["d15"].status == "loaded"  # a fresh pool took the rest
    loaded = {d for d, o in status.items() if o.status == "loaded"}
    assert loaded == {f"d{n:02d}" for n in range(16)} - failed
    assert {g.value.rsplit("/", 1)[1] for g in store.named_graphs()} == loaded
